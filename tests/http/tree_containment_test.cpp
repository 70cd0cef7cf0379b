#include "tree_containment.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

namespace fs = std::filesystem;
using mockserve::http::detail::TreeContainment;

class TreeContainmentTest : public ::testing::Test {
protected:
    void SetUp() override {
        temp.write("www/index.html", "home");
        temp.write("www/sub/page.html", "page");
        temp.write("wwwx/secret.txt", "secret");
        temp.write("outside.txt", "outside");
        fs::create_symlink("sub/page.html", www() + "/relative-inside");
        fs::create_symlink(www() + "/index.html", www() + "/absolute-inside");
        fs::create_symlink("../outside.txt", www() + "/relative-outside");
        fs::create_symlink(temp.str() + "/outside.txt", www() + "/absolute-outside");
        fs::create_symlink("..", www() + "/parent");
    }
    std::string www() const { return temp.str() + "/www"; }

    mockserve::test_support::TempDir temp;
    TreeContainment check;
};

TEST_F(TreeContainmentTest, PlainFilesAndFoldersInsideAreContained) {
    EXPECT_TRUE(check.contains(www(), www() + "/index.html"));
    EXPECT_TRUE(check.contains(www(), www() + "/sub/page.html"));
    EXPECT_TRUE(check.contains(www(), www() + "/sub/"));
    EXPECT_TRUE(check.contains(www(), www()));
}

TEST_F(TreeContainmentTest, WhatDoesNotExistIsNotContained) {
    EXPECT_FALSE(check.contains(www(), www() + "/missing.html"));
    EXPECT_FALSE(check.contains(www(), www() + "/index.html/more"));
}

TEST_F(TreeContainmentTest, LinksThatStayInsideAreFollowed) {
    EXPECT_TRUE(check.contains(www(), www() + "/relative-inside"));
    EXPECT_TRUE(check.contains(www(), www() + "/absolute-inside"));  // decided by the realpath() comparison
}

TEST_F(TreeContainmentTest, LinksThatLeadOutAreRefused) {
    EXPECT_FALSE(check.contains(www(), www() + "/relative-outside"));
    EXPECT_FALSE(check.contains(www(), www() + "/absolute-outside"));
    EXPECT_FALSE(check.contains(www(), www() + "/parent/outside.txt"));
}

TEST_F(TreeContainmentTest, ASiblingSharingThePrefixIsNotInside) {
    EXPECT_FALSE(check.contains(www(), temp.str() + "/wwwx/secret.txt"));
}

TEST_F(TreeContainmentTest, AnotherDirectoryIsOpenedAfresh) {
    EXPECT_TRUE(check.contains(www(), www() + "/index.html"));
    EXPECT_TRUE(check.contains(temp.str() + "/wwwx", temp.str() + "/wwwx/secret.txt"));
    EXPECT_FALSE(check.contains(temp.str() + "/wwwx", www() + "/index.html"));
}

}  // namespace
