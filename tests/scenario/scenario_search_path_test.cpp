// A scenario named by a relative path: the current folder, then
// MOCKSERVE_SCENARIO_PATH, then the added folders; a miss says where it looked.
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_search_path.hpp>

#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace mockserve::scenario {
namespace {

using ::testing::HasSubstr;
using mockserve::test_support::TempDir;

const std::string kMinimal = "[server api]\n";

TEST(ScenarioSearchPath, EnvironmentFoldersInOrderThenAddedOnes) {
    TempDir first, second, added;
    second.write("b.ini", kMinimal);
    first.write("b.ini", "[server first]\n");
    added.write("c.ini", kMinimal);
    const std::string variable = first.str() + "::" + second.str();  // an empty element is skipped
    ::setenv("MOCKSERVE_SCENARIO_PATH", variable.c_str(), 1);
    add_scenario_search_path(added.path());

    EXPECT_EQ(find_scenario_file("b.ini"), first.path() / "b.ini");  // the first folder that has it
    EXPECT_EQ(find_scenario_file("c.ini"), added.path() / "c.ini");
    EXPECT_EQ(find_scenario_file("none.ini"), std::nullopt);
    EXPECT_EQ(find_scenario_file(second.path() / "b.ini"), second.path() / "b.ini");  // absolute: as it is
    EXPECT_EQ(find_scenario_file(first.path() / "c.ini"), std::nullopt);

    const auto loaded = load_scenario("c.ini");
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded.scenario->file, (added.path() / "c.ini").string());  // messages name the file found

    const auto missing = load_scenario("none.ini");
    ASSERT_EQ(missing.errors.size(), 1u);
    EXPECT_EQ(missing.errors[0], "none.ini:0: cannot read the scenario file (looked in " +
                                     std::filesystem::current_path().string() + ", " + first.str() + ", " +
                                     second.str() + ", " + added.str() + "; see MOCKSERVE_SCENARIO_PATH)");
    ::unsetenv("MOCKSERVE_SCENARIO_PATH");
}

TEST(ScenarioSearchPath, AMissingAbsolutePathSaysOnlyThat) {
    const auto missing = load_scenario("/nonexistent/x.ini");
    EXPECT_THAT(missing.errors, ::testing::ElementsAre("/nonexistent/x.ini:0: cannot read the scenario file"));
}

}  // namespace
}  // namespace mockserve::scenario
