#include <mockserve/simple_http_request_handler.hpp>

#include "byte_ranges.hpp"
#include "directory_listing.hpp"
#include "log_format.hpp"
#include "mime_types_file.hpp"
#include "mime_types_table.hpp"
#include "tree_containment.hpp"
#include <mockserve/detail/text.hpp>
#include "url_path.hpp"

#include <mockserve/version.hpp>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace mockserve::http::detail {
struct FileStatus {
    struct stat st;
};
}  // namespace mockserve::http::detail

namespace mockserve::http {

namespace {

// Parts of files up to this size are copied into the response rather than
// sent with sendfile().
constexpr std::uint64_t kSmallPart = 16 * 1024;

// Non-blocking: a FIFO put in the tree must not hang the open (fstat() then
// turns it away).
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// A file descriptor closed when it goes out of scope, unless released.
struct FileHandle {
    int fd = -1;
    FileHandle() = default;
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    ~FileHandle() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
    int release() { return std::exchange(fd, -1); }
};

using detail::any_list_element;

// The suffix as posixpath.splitext gives it: from the last '.' of the last
// component, unless that component starts with its only dots.
std::string_view extension(std::string_view path) {
    const auto slash = path.rfind('/');
    auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return {};
    if (name.find_first_not_of('.') > dot) return {};  // ".bashrc", "..."
    return name.substr(dot);
}

// Lower-case hexadecimal digits (snprintf's "%llx" cost a thousand instructions per ETag).
void append_hex(std::string& out, std::uint64_t value) {
    char digits[16];
    char* first = digits + sizeof digits;
    do {
        *--first = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value != 0);
    out.append(first, digits + sizeof digits);
}

// A strong validator: changes whenever the file's content can have changed.
std::string etag_for(const struct stat& st) {
    const auto mtime_ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u +
                          static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    std::string tag;
    tag.reserve(3 * 16 + 4);  // one allocation for the longest tag
    tag.push_back('"');
    append_hex(tag, static_cast<std::uint64_t>(st.st_size));
    tag.push_back('-');
    append_hex(tag, mtime_ns);
    tag.push_back('-');
    append_hex(tag, static_cast<std::uint64_t>(st.st_ino));
    tag.push_back('"');
    return tag;
}

// If-None-Match, with the weak comparison RFC 9110 section 13.1.2 asks for.
bool none_match(std::string_view header, std::string_view etag) {
    return any_list_element(header, [&](std::string_view tag) {
        if (tag == "*") return true;
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        return tag == etag;
    });
}

SystemTime modification_time(const struct stat& st) {
    return std::chrono::system_clock::from_time_t(st.st_mtim.tv_sec);
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

const ExtensionsMap& default_extensions_map() {
    static const ExtensionsMap map = [] {
        ExtensionsMap m;
        for (const auto& [suffix, type] : detail::builtin_mime_types()) m[suffix] = type;
        detail::read_mime_types_file("/etc/mime.types", m);
        // SimpleHTTPRequestHandler.extensions_map, consulted before mimetypes.
        m[".gz"] = "application/gzip";
        m[".Z"] = "application/octet-stream";
        m[".bz2"] = "application/x-bzip2";
        m[".xz"] = "application/x-xz";
        return m;
    }();
    return map;
}

// --- Source --------------------------------------------------------------------

SimpleHTTPRequestHandler::Source SimpleHTTPRequestHandler::Source::bytes(std::string text) {
    return Source(-1, {Part{std::move(text), 0, 0}});
}

SimpleHTTPRequestHandler::Source::Source(int fd, std::vector<Part> parts) : fd_(fd), parts_(std::move(parts)) {}

SimpleHTTPRequestHandler::Source::Source(Source&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), parts_(std::move(other.parts_)) {}

SimpleHTTPRequestHandler::Source& SimpleHTTPRequestHandler::Source::operator=(Source&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        parts_ = std::move(other.parts_);
    }
    return *this;
}

SimpleHTTPRequestHandler::Source::~Source() {
    if (fd_ >= 0) ::close(fd_);
}

// --- The handler ---------------------------------------------------------------

SimpleHTTPRequestHandler::SimpleHTTPRequestHandler(std::string dir)
    : directory(dir.empty() ? std::filesystem::current_path().string() : std::move(dir)) {
    server_version = std::string("SimpleHTTP/") + mockserve::version;
}

void SimpleHTTPRequestHandler::do_GET() {
    if (auto source = send_head()) copyfile(*source, wfile);
}

void SimpleHTTPRequestHandler::do_HEAD() { send_head(); }

std::string SimpleHTTPRequestHandler::translate_path(std::string_view request_path) const {
    return detail::translate_path(directory, request_path);
}

std::string SimpleHTTPRequestHandler::guess_type(std::string_view path) const {
    const std::string suffix(extension(path));
    if (const auto it = extensions_map->find(suffix); it != extensions_map->end()) return it->second;
    if (const auto it = extensions_map->find(detail::to_lower_ascii(suffix)); it != extensions_map->end()) return it->second;
    return "application/octet-stream";
}

void SimpleHTTPRequestHandler::copyfile(Source& source, ResponseStream& outputfile) {
    for (const auto& part : source.parts()) {
        outputfile.write(part.text);
        if (part.length == 0) continue;
        // A small part is read into the response buffer, so that head and
        // body leave in one send() (sendfile() would need a send of its own).
        if (part.length <= kSmallPart) {
            char buffer[kSmallPart];
            std::uint64_t done = 0;
            while (done < part.length) {
                const auto n = ::pread(source.fd(), buffer + done, part.length - done,
                                       static_cast<off_t>(part.offset + done));
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;  // the file shrank or failed: sendfile() below says how
                done += static_cast<std::uint64_t>(n);
            }
            outputfile.write(std::string_view(buffer, done));
            if (done == part.length) continue;
            outputfile.send_file(source.fd(), part.offset + done, part.length - done);
            continue;
        }
        outputfile.send_file(source.fd(), part.offset, part.length);
    }
}

bool SimpleHTTPRequestHandler::inside_directory(const std::string& path) const {
    if (follow_symlinks_outside) return true;
    return containment().contains(directory, path);
}

detail::TreeContainment& SimpleHTTPRequestHandler::containment() const {
    // Kept per handler (one per connection): the served directory's handle.
    if (!containment_) containment_ = std::make_shared<detail::TreeContainment>();
    return *containment_;
}

void SimpleHTTPRequestHandler::send_error_with(int code, std::string_view header, std::string_view value) {
    // send_error() with one more header (Content-Range for 416).
    const auto& [message, explain] = responses->at(code);
    log_error("code %d, message %s", code, message);
    const auto body = detail::format_error_page(error_message_format, code, detail::html_escape(message),
                                                detail::html_escape(explain));
    send_response(code);
    send_header(header, value);
    send_header("Content-Type", error_content_type);
    send_header("Content-Length", std::to_string(body.size()));
    end_headers();
    if (command != "HEAD") wfile.write(body);
}

std::optional<SimpleHTTPRequestHandler::Source> SimpleHTTPRequestHandler::send_head() {
    std::string file = translate_path(path);
    if (file.empty()) {
        send_error(404, "File not found");
        return std::nullopt;
    }
    // The containment check opens what it checks when it can: one walk of
    // the path for the check, the directory test and the file itself.
    FileHandle opened;
    if (!follow_symlinks_outside) {
        const auto checked = containment().open(directory, file, kOpenFlags);
        if (!checked.inside) {
            send_error(404, "File not found");
            return std::nullopt;
        }
        opened.fd = checked.fd;
    }
    detail::FileStatus status{};
    struct stat& st = status.st;
    bool have_stat = opened.fd >= 0 && ::fstat(opened.fd, &st) == 0;
    const bool directory_asked = have_stat ? S_ISDIR(st.st_mode) : is_directory(file);
    if (directory_asked) {
        const auto request_path = detail::path_part(path);
        if (request_path.empty() || request_path.back() != '/') {
            // As Python (and Apache): redirect to the path with its slash,
            // query and fragment kept. A backslash is escaped, so that no
            // browser reads "/\host" as another site (CVE-2021-28861).
            std::string location;
            for (const char c : request_path) location += c == '\\' ? std::string("%5C") : std::string(1, c);
            location.append(1, '/').append(detail::query_and_fragment(path));
            send_response(301);
            send_header("Location", location);
            send_header("Content-Length", "0");
            end_headers();
            return std::nullopt;
        }
        bool found_index = false;
        for (const char* index : {"index.html", "index.htm"}) {
            const auto candidate = file + index;
            if (is_regular_file(candidate) && inside_directory(candidate)) {
                file = candidate;
                found_index = true;
                break;
            }
        }
        if (!found_index) return list_directory(file);
        opened.reset();  // the folder's: the index file is opened by name
        have_stat = false;
    }
    // "file.txt/" names no file (CPython issue 17324).
    if (!file.empty() && file.back() == '/') {
        send_error(404, "File not found");
        return std::nullopt;
    }
    return send_file(file, opened.release(), have_stat ? &status : nullptr);
}

std::optional<SimpleHTTPRequestHandler::Source> SimpleHTTPRequestHandler::send_file(const std::string& file,
                                                                                    int opened_fd,
                                                                                    const detail::FileStatus* known) {
    FileHandle opened;
    opened.fd = opened_fd >= 0 ? opened_fd : ::open(file.c_str(), kOpenFlags);
    if (opened.fd < 0) {
        if (errno == EACCES || errno == EPERM) {
            send_error(403, "Permission denied");
        } else {
            send_error(404, "File not found");
        }
        return std::nullopt;
    }
    const int fd = opened.fd;
    struct stat st {};
    if (known) {
        st = known->st;
    } else if (::fstat(fd, &st) != 0) {
        st.st_mode = 0;
    }
    if (!S_ISREG(st.st_mode)) {  // a FIFO or device would block or never end
        send_error(403, "Not a regular file");
        return std::nullopt;
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto etag = etag_for(st);
    const auto last_modified = date_time_string(modification_time(st));
    const auto type = guess_type(file);

    const auto not_modified = [&] {
        send_response(304);
        send_header("ETag", etag);
        send_header("Last-Modified", last_modified);
        end_headers();
    };
    if (const auto if_none_match = headers.get("If-None-Match")) {
        if (none_match(*if_none_match, etag)) {
            not_modified();
            return std::nullopt;
        }
    } else if (const auto ims = headers.get("If-Modified-Since")) {
        // Ignored when it is not a date, as Python does.
        if (const auto since = parse_http_date(*ims); since && modification_time(st) <= *since) {
            not_modified();
            return std::nullopt;
        }
    }

    detail::RangeRequest ranges;
    if (const auto range = headers.get("Range"); range && command == "GET") {
        const auto if_range = headers.get("If-Range");
        // If-Range: a strong ETag that matches, or exactly the Last-Modified date.
        if (!if_range || *if_range == etag || *if_range == last_modified) ranges = detail::parse_range(*range, size);
    }
    if (ranges.kind == detail::RangeRequest::Kind::unsatisfiable) {
        send_error_with(416, "Content-Range", "bytes */" + std::to_string(size));
        return std::nullopt;
    }

    std::vector<Source::Part> parts;
    if (ranges.kind == detail::RangeRequest::Kind::satisfiable && ranges.ranges.size() == 1) {
        const auto& r = ranges.ranges.front();
        send_response(206);
        send_header("Content-type", type);
        send_header("Content-Range",
                    "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + std::to_string(size));
        send_header("Content-Length", std::to_string(r.length()));
        parts.push_back({"", r.first, r.length()});
    } else if (ranges.kind == detail::RangeRequest::Kind::satisfiable) {
        std::mt19937_64 random(std::random_device{}());
        std::string boundary = "mockserve-";
        append_hex(boundary, random());
        append_hex(boundary, random());
        std::uint64_t length = 0;
        for (std::size_t i = 0; i < ranges.ranges.size(); ++i) {
            const auto& r = ranges.ranges[i];
            std::string text = (i == 0 ? "--" : "\r\n--") + boundary + "\r\nContent-Type: " + type +
                               "\r\nContent-Range: bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) +
                               "/" + std::to_string(size) + "\r\n\r\n";
            length += text.size() + r.length();
            parts.push_back({std::move(text), r.first, r.length()});
        }
        std::string closing = "\r\n--" + boundary + "--\r\n";
        length += closing.size();
        parts.push_back({std::move(closing), 0, 0});
        send_response(206);
        send_header("Content-type", "multipart/byteranges; boundary=" + boundary);
        send_header("Content-Length", std::to_string(length));
    } else {
        send_response(200);
        send_header("Content-type", type);
        send_header("Content-Length", std::to_string(size));
        parts.push_back({"", 0, size});
    }
    send_header("Last-Modified", last_modified);
    send_header("ETag", etag);
    send_header("Accept-Ranges", "bytes");
    end_headers();
    return Source(opened.release(), std::move(parts));
}

std::optional<SimpleHTTPRequestHandler::Source> SimpleHTTPRequestHandler::list_directory(const std::string& dir) {
    DIR* handle = ::opendir(dir.c_str());
    if (!handle) {
        send_error(403, "No permission to list directory");
        return std::nullopt;
    }
    std::vector<detail::ListingEntry> entries;
    const int folder = ::dirfd(handle);
    while (const dirent* entry = ::readdir(handle)) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        // The entry's type usually comes with it; a link (or a file system
        // that does not say) is asked about, relative to the open folder.
        unsigned char type = entry->d_type;
        struct stat st {};
        if (type == DT_UNKNOWN && ::fstatat(folder, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
        const bool is_link = type == DT_LNK;
        const bool is_dir = type == DT_DIR || (is_link && ::fstatat(folder, entry->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode));
        entries.push_back({std::string(name), is_dir, is_link});
    }
    ::closedir(handle);
    auto page = detail::render_listing(path, std::move(entries));
    send_response(200);
    send_header("Content-type", "text/html; charset=utf-8");
    send_header("Content-Length", std::to_string(page.size()));
    end_headers();
    return Source::bytes(std::move(page));
}

}  // namespace mockserve::http
