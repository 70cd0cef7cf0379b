// SimpleHTTPRequestHandler over real sockets, on fixtures/site and on
// directories made per test.
#include <mockserve/http_server.hpp>
#include <mockserve/simple_http_request_handler.hpp>

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mockserve::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using mockserve::test_support::RawClient;
using mockserve::test_support::RawResponse;
using mockserve::test_support::TempDir;

const std::string kSite = std::string(MOCKSERVE_FIXTURES) + "/site";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

struct FileServer {
    explicit FileServer(std::string directory, bool follow = false)
        : server({"127.0.0.1", 0}, [directory, follow] {
              auto h = std::make_unique<SimpleHTTPRequestHandler>(directory);
              h->protocol_version = "HTTP/1.1";
              h->follow_symlinks_outside = follow;
              return h;
          }) {
        server.quiet();
        server.start();
    }
    std::optional<RawResponse> get(const std::string& target, const std::string& extra = "",
                                   const std::string& method = "GET") {
        return test_support::exchange(server.server_port,
                                 method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n", method == "HEAD");
    }
    HTTPServer server;
};

TEST(SimpleHTTPRequestHandler, ServesAFileWithTypeLengthAndDate) {
    FileServer s(kSite);
    auto r = s.get("/docs/data.json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("Content-type"), "application/json");
    EXPECT_EQ(r->body, read_file(kSite + "/docs/data.json"));
    EXPECT_EQ(r->header("Content-Length"), std::to_string(r->body.size()));
    ASSERT_TRUE(r->header("Last-Modified"));
    EXPECT_THAT(*r->header("Last-Modified"), HasSubstr(" GMT"));
    EXPECT_THAT(*r->header("Server"), StartsWith("SimpleHTTP/"));
    auto binary = s.get("/docs/random.bin");
    ASSERT_TRUE(binary);
    EXPECT_TRUE(binary->body == read_file(kSite + "/docs/random.bin")) << "binary body differs";
    EXPECT_EQ(binary->header("Content-type"), "application/octet-stream");
}

TEST(SimpleHTTPRequestHandler, HeadSendsTheSameHeadWithoutBody) {
    FileServer s(kSite);
    auto get = s.get("/index.html");
    auto head = s.get("/index.html", "", "HEAD");
    ASSERT_TRUE(get && head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("Content-Length"), get->header("Content-Length"));
    EXPECT_EQ(head->header("Content-type"), "text/html");
    EXPECT_EQ(head->body, "");
}

TEST(SimpleHTTPRequestHandler, AwkwardNamesAreServed) {
    FileServer s(kSite);
    for (const auto& [target, file] : std::vector<std::pair<std::string, std::string>>{
             {"/docs/with%20space.txt", "with space.txt"},
             {"/docs/a%26b.html", "a&b.html"},
             {"/docs/%3Ctag%3E.txt", "<tag>.txt"},
             {"/docs/caf%C3%A9.txt", "caf\xc3\xa9.txt"}}) {
        auto r = s.get(target);
        ASSERT_TRUE(r) << target;
        EXPECT_EQ(r->status, 200) << target;
        EXPECT_EQ(r->body, read_file(kSite + "/docs/" + file)) << target;
    }
}

TEST(SimpleHTTPRequestHandler, DirectoryWithoutSlashRedirectsKeepingTheQuery) {
    FileServer s(kSite);
    auto r = s.get("/docs?sort=name");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 301);
    EXPECT_EQ(r->header("Location"), "/docs/?sort=name");
    EXPECT_EQ(r->header("Content-Length"), "0");
}

TEST(SimpleHTTPRequestHandler, IndexFilesThenListing) {
    FileServer s(kSite);
    auto root = s.get("/");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->body, read_file(kSite + "/index.html"));
    auto htm = s.get("/with-index-htm/");
    ASSERT_TRUE(htm);
    EXPECT_EQ(htm->body, read_file(kSite + "/with-index-htm/index.htm"));
    auto listing = s.get("/docs/");
    ASSERT_TRUE(listing);
    EXPECT_EQ(listing->status, 200);
    EXPECT_EQ(listing->header("Content-type"), "text/html; charset=utf-8");
    EXPECT_THAT(listing->body, HasSubstr("<title>Directory listing for /docs/</title>"));
    EXPECT_THAT(listing->body, HasSubstr("<li><a href=\"%3Ctag%3E.txt\">&lt;tag&gt;.txt</a></li>\n"
                                         "<li><a href=\"a%26b.html\">a&amp;b.html</a></li>\n"
                                         "<li><a href=\"caf%C3%A9.txt\">caf\xc3\xa9.txt</a></li>\n"
                                         "<li><a href=\"data.json\">data.json</a></li>\n"
                                         "<li><a href=\"nested/\">nested/</a></li>\n"));
}

TEST(SimpleHTTPRequestHandler, MissingAndTrailingSlashAre404) {
    FileServer s(kSite);
    auto missing = s.get("/nope.txt");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->reason, "File not found");
    EXPECT_THAT(missing->body, HasSubstr("Error code: 404"));
    auto slash = s.get("/docs/data.json/");
    ASSERT_TRUE(slash);
    EXPECT_EQ(slash->status, 404);
    // The slash percent-encoded names a folder too (Python serves the file).
    for (const std::string target : {"/docs/data.json%2f", "/docs/data.json%2F", "/docs/data.json%2f?x=1"}) {
        auto encoded = s.get(target);
        ASSERT_TRUE(encoded);
        EXPECT_EQ(encoded->status, 404) << target;
    }
}

TEST(SimpleHTTPRequestHandler, NothingOutsideTheDirectory) {
    TempDir tmp;
    tmp.write("secret.txt", "TOP SECRET");
    tmp.write("root/public.txt", "public");
    FileServer s((tmp.path() / "root").string());
    for (const std::string target :
         {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/a%2f..%2f..%2fsecret.txt",
          "/..%2fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt", "/public.txt%00", "/%00../secret.txt",
          "/./../secret.txt", "/public.txt/../../secret.txt"}) {
        auto r = s.get(target);
        ASSERT_TRUE(r) << target;
        EXPECT_NE(r->body, "TOP SECRET") << target;
        EXPECT_EQ(r->status, 404) << target;
    }
    auto ok = s.get("/public.txt?x=../../secret.txt#../secret.txt");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->body, "public");
}

TEST(SimpleHTTPRequestHandler, DoubleSlashNeverRedirectsOffSite) {
    // CVE-2021-28861: "//example.com" must not become a Location that a
    // browser reads as another host.
    TempDir tmp;
    tmp.write("example.com/file.txt", "x");
    FileServer s(tmp.str());
    for (const std::string target : {"//example.com", "///example.com", "//example.com%2f..%2f", "/\\example.com"}) {
        auto r = s.get(target);
        ASSERT_TRUE(r) << target;
        if (r->status == 301) {
            const auto location = r->header("Location").value_or("");
            EXPECT_THAT(location, StartsWith("/")) << target;
            EXPECT_FALSE(location.rfind("//", 0) == 0) << target << " -> " << location;
            EXPECT_FALSE(location.rfind("/\\", 0) == 0) << target << " -> " << location;
        }
    }
}

TEST(SimpleHTTPRequestHandler, IfModifiedSince) {
    FileServer s(kSite);
    auto first = s.get("/index.html");
    ASSERT_TRUE(first);
    const auto last_modified = *first->header("Last-Modified");
    auto same = s.get("/index.html", "If-Modified-Since: " + last_modified + "\r\n");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 304);
    auto old = s.get("/index.html", "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->status, 200);
    auto invalid = s.get("/index.html", "If-Modified-Since: not a date\r\n");
    ASSERT_TRUE(invalid);
    EXPECT_EQ(invalid->status, 200);
    auto with_etag = s.get("/index.html", "If-Modified-Since: " + last_modified + "\r\nIf-None-Match: \"other\"\r\n");
    ASSERT_TRUE(with_etag);
    EXPECT_EQ(with_etag->status, 200);  // If-None-Match wins
}

TEST(SimpleHTTPRequestHandler, ETagAndIfNoneMatch) {
    FileServer s(kSite);
    auto first = s.get("/docs/data.json");
    ASSERT_TRUE(first);
    const auto etag = first->header("ETag");
    ASSERT_TRUE(etag);
    EXPECT_THAT(*etag, StartsWith("\""));
    for (const auto& header : std::vector<std::string>{*etag, "\"a\", " + *etag, "W/" + *etag, "*"}) {
        auto r = s.get("/docs/data.json", "If-None-Match: " + header + "\r\n");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 304) << header;
        EXPECT_EQ(r->header("ETag"), etag);
    }
    auto changed = s.get("/docs/data.json", "If-None-Match: \"something-else\"\r\n");
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 200);
}

TEST(SimpleHTTPRequestHandler, SingleRange) {
    TempDir tmp;
    tmp.write("digits.txt", "0123456789");
    FileServer s(tmp.str());
    auto r = s.get("/digits.txt", "Range: bytes=2-5\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 206);
    EXPECT_EQ(r->body, "2345");
    EXPECT_EQ(r->header("Content-Range"), "bytes 2-5/10");
    auto suffix = s.get("/digits.txt", "Range: bytes=-3\r\n");
    ASSERT_TRUE(suffix);
    EXPECT_EQ(suffix->body, "789");
    auto full = s.get("/digits.txt");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->header("Accept-Ranges"), "bytes");
}

TEST(SimpleHTTPRequestHandler, MultipleRangesAreMultipart) {
    TempDir tmp;
    tmp.write("digits.txt", "0123456789");
    FileServer s(tmp.str());
    auto r = s.get("/digits.txt", "Range: bytes=0-1,8-\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 206);
    const auto type = r->header("Content-type").value_or("");
    ASSERT_THAT(type, StartsWith("multipart/byteranges; boundary="));
    const auto boundary = type.substr(type.find('=') + 1);
    EXPECT_EQ(r->body, "--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01\r\n--" +
                           boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 8-9/10\r\n\r\n89\r\n--" +
                           boundary + "--\r\n");
}

TEST(SimpleHTTPRequestHandler, UnsatisfiableRangeIs416) {
    TempDir tmp;
    tmp.write("digits.txt", "0123456789");
    FileServer s(tmp.str());
    auto r = s.get("/digits.txt", "Range: bytes=10-20\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 416);
    EXPECT_EQ(r->header("Content-Range"), "bytes */10");
}

TEST(SimpleHTTPRequestHandler, IfRange) {
    TempDir tmp;
    tmp.write("digits.txt", "0123456789");
    FileServer s(tmp.str());
    auto first = s.get("/digits.txt");
    ASSERT_TRUE(first);
    auto matching = s.get("/digits.txt", "Range: bytes=0-0\r\nIf-Range: " + *first->header("ETag") + "\r\n");
    ASSERT_TRUE(matching);
    EXPECT_EQ(matching->status, 206);
    auto by_date = s.get("/digits.txt", "Range: bytes=0-0\r\nIf-Range: " + *first->header("Last-Modified") + "\r\n");
    ASSERT_TRUE(by_date);
    EXPECT_EQ(by_date->status, 206);
    auto stale = s.get("/digits.txt", "Range: bytes=0-0\r\nIf-Range: \"stale\"\r\n");
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->status, 200);
    EXPECT_EQ(stale->body, "0123456789");
}

TEST(SimpleHTTPRequestHandler, SymlinksOutsideTheDirectoryAreRefusedUnlessAllowed) {
    TempDir tmp;
    tmp.write("outside.txt", "outside");
    tmp.write("root/inside.txt", "inside");
    std::filesystem::create_symlink(tmp.path() / "outside.txt", tmp.path() / "root" / "out-link");
    std::filesystem::create_symlink(tmp.path() / "root" / "inside.txt", tmp.path() / "root" / "in-link");
    FileServer strict((tmp.path() / "root").string());
    auto out = strict.get("/out-link");
    ASSERT_TRUE(out);
    EXPECT_EQ(out->status, 404);
    auto in = strict.get("/in-link");
    ASSERT_TRUE(in);
    EXPECT_EQ(in->body, "inside");
    FileServer lenient((tmp.path() / "root").string(), true);
    auto followed = lenient.get("/out-link");
    ASSERT_TRUE(followed);
    EXPECT_EQ(followed->body, "outside");
    auto listing = strict.get("/");
    ASSERT_TRUE(listing);
    EXPECT_THAT(listing->body, HasSubstr(">in-link@</a>"));
}

TEST(SimpleHTTPRequestHandler, ListingsMarkFoldersAndLinksToFolders) {
    // The entry types come from readdir(); a link is followed to learn
    // whether it leads to a folder (its href then ends in a slash, as Python's).
    TempDir tmp;
    tmp.write("sub/page.txt", "page");
    tmp.write("file.txt", "file");
    std::filesystem::create_directory_symlink(tmp.path() / "sub", tmp.path() / "sub-link");
    std::filesystem::create_symlink(tmp.path() / "file.txt", tmp.path() / "file-link");
    FileServer s(tmp.str());
    auto listing = s.get("/");
    ASSERT_TRUE(listing);
    EXPECT_THAT(listing->body, HasSubstr("<a href=\"sub/\">sub/</a>"));
    EXPECT_THAT(listing->body, HasSubstr("<a href=\"sub-link/\">sub-link@</a>"));
    EXPECT_THAT(listing->body, HasSubstr("<a href=\"file-link\">file-link@</a>"));
    EXPECT_THAT(listing->body, HasSubstr("<a href=\"file.txt\">file.txt</a>"));
}

TEST(SimpleHTTPRequestHandler, WhatCannotBeReadIs403) {
    TempDir tmp;
    ASSERT_EQ(::mkfifo((tmp.path() / "fifo").c_str(), 0644), 0);
    tmp.write("locked.txt", "locked");
    ::chmod((tmp.path() / "locked.txt").c_str(), 0);
    FileServer s(tmp.str());
    auto fifo = s.get("/fifo");
    ASSERT_TRUE(fifo);
    EXPECT_EQ(fifo->status, 403);
    if (::geteuid() != 0) {  // root reads any file
        auto locked = s.get("/locked.txt");
        ASSERT_TRUE(locked);
        EXPECT_EQ(locked->status, 403);
    }
}

TEST(SimpleHTTPRequestHandler, GuessTypeByExtensionIgnoringCase) {
    SimpleHTTPRequestHandler h(kSite);
    EXPECT_EQ(h.guess_type("/x/Upper.PNG"), "image/png");
    EXPECT_EQ(h.guess_type("a.html"), "text/html");
    EXPECT_EQ(h.guess_type("a.tar.gz"), "application/gzip");
    EXPECT_EQ(h.guess_type("noext"), "application/octet-stream");
    EXPECT_EQ(h.guess_type(".bashrc"), "application/octet-stream");
    EXPECT_EQ(h.guess_type("a.unknown-suffix"), "application/octet-stream");
    static const ExtensionsMap custom = [] {
        auto m = default_extensions_map();
        m[".mock"] = "application/x-mock";
        return m;
    }();
    h.extensions_map = &custom;
    EXPECT_EQ(h.guess_type("file.MOCK"), "application/x-mock");
}

std::uint64_t resident_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    return 0;
}

TEST(SimpleHTTPRequestHandler, LargeFilesStreamInFlatMemory) {
    TempDir tmp;
    constexpr std::uint64_t kSize = 64ull << 20;
    {
        const int fd = ::open((tmp.path() / "big.bin").c_str(), O_CREAT | O_WRONLY, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kSize)), 0);  // sparse: reads as zeros
        ::close(fd);
    }
    FileServer s(tmp.str());
    // The body is counted and dropped as it arrives: the test holds no copy.
    RawClient client(s.server.server_port);
    client.send("GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const auto before = resident_kib();
    std::uint64_t received = 0;
    char buffer[1 << 16];
    while (true) {
        const auto n = ::recv(client.fd(), buffer, sizeof buffer, 0);
        if (n <= 0) break;
        received += static_cast<std::uint64_t>(n);
    }
    const auto after = resident_kib();
    EXPECT_GT(received, kSize);  // the body and its head
    EXPECT_LT(after - std::min(after, before), 16u * 1024) << "resident memory grew by " << (after - before) << " KiB";
}

}  // namespace
}  // namespace mockserve::http
