#include <mockserve/http_date.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace mockserve::http {

namespace {

constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::optional<int> month_index(std::string_view name) {
    for (int i = 0; i < 12; ++i)
        if (name == kMonths[static_cast<std::size_t>(i)]) return i;
    return std::nullopt;
}

// A date as Python's datetime takes it: every field in its range (no 31
// February, no leap second 60, as datetime() raises ValueError for those and
// the handler then ignores the header), and within what the clock holds
// (nanoseconds since 1970 reach 2262; from_time_t past that overflows).
std::optional<SystemTime> make_time(int year, int month, int day, int hour, int minute, int second) {
    using namespace std::chrono;
    if (year < 1970 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
        return std::nullopt;
    const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month + 1)},
                              std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return std::nullopt;
    const auto t = sys_days{date}.time_since_epoch() + hours{hour} + minutes{minute} + seconds{second};
    if (t > duration_cast<seconds>(SystemTime::duration::max())) return std::nullopt;
    return SystemTime{duration_cast<SystemTime::duration>(t)};
}

// The calendar fields of a UTC time, computed rather than asked of gmtime_r:
// glibc's gmtime_r sets up the local time zone on its first call (it reads
// /etc/localtime), which the first response of every server paid for.
std::tm utc_fields(std::time_t t) {
    using namespace std::chrono;
    const sys_seconds when{seconds{t}};
    const auto midnight = floor<days>(when);
    const year_month_day date{midnight};
    const hh_mm_ss clock{when - midnight};
    std::tm tm{};
    tm.tm_year = static_cast<int>(date.year()) - 1900;
    tm.tm_mon = static_cast<int>(static_cast<unsigned>(date.month())) - 1;
    tm.tm_mday = static_cast<int>(static_cast<unsigned>(date.day()));
    tm.tm_wday = static_cast<int>(weekday{midnight}.c_encoding());
    tm.tm_hour = static_cast<int>(clock.hours().count());
    tm.tm_min = static_cast<int>(clock.minutes().count());
    tm.tm_sec = static_cast<int>(clock.seconds().count());
    return tm;
}

// Parses "DD Mon YYYY HH:MM:SS GMT" (IMF-fixdate after the comma) or
// "DD-Mon-YY HH:MM:SS GMT" (RFC 850 after the comma).
std::optional<SystemTime> parse_after_comma(std::string_view rest, char separator) {
    char month[4] = {};
    int day = 0, year = 0, hour = 0, minute = 0, second = 0, consumed = 0;
    const std::string text(rest);
    const std::string format = separator == ' ' ? " %2d %3s %4d %2d:%2d:%2d GMT%n" : " %2d-%3s-%2d %2d:%2d:%2d GMT%n";
    if (std::sscanf(text.c_str(), format.c_str(), &day, month, &year, &hour, &minute, &second, &consumed) != 6 ||
        static_cast<std::size_t>(consumed) != text.size())
        return std::nullopt;
    auto m = month_index(month);
    if (!m) return std::nullopt;
    if (separator == '-') year += year < 70 ? 2000 : 1900;  // RFC 9110: two-digit years
    return make_time(year, *m, day, hour, minute, second);
}

}  // namespace

std::string format_http_date(SystemTime when) {
    // Formatting costs more than a request's parsing. Most calls ask for the
    // current second (Date) or a file's time (Last-Modified): the last two
    // answers are kept per thread, the older one replaced.
    struct Entry {
        std::time_t second = -1;
        std::string text;
    };
    thread_local Entry cache[2];
    thread_local unsigned older = 0;
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    for (const auto& entry : cache)
        if (entry.second == t) return entry.text;
    const auto tm = utc_fields(t);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  kDays[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                  kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    auto& entry = cache[older];
    older ^= 1u;
    entry.second = t;
    entry.text = buffer;
    return entry.text;
}

std::optional<SystemTime> parse_http_date(std::string_view text) {
    if (const auto comma = text.find(','); comma != std::string_view::npos) {
        const auto rest = text.substr(comma + 1);
        return comma == 3 ? parse_after_comma(rest, ' ') : parse_after_comma(rest, '-');
    }
    // asctime: "Sun Nov  6 08:49:37 1994"
    char weekday[4] = {}, month[4] = {};
    int day = 0, year = 0, hour = 0, minute = 0, second = 0, consumed = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%3s %3s %2d %2d:%2d:%2d %4d%n", weekday, month, &day, &hour, &minute, &second,
                    &year, &consumed) != 7 ||
        static_cast<std::size_t>(consumed) != copy.size())
        return std::nullopt;
    auto m = month_index(month);
    if (!m) return std::nullopt;
    return make_time(year, *m, day, hour, minute, second);
}

std::string format_log_date(SystemTime when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%02d/%s/%04d %02d:%02d:%02d", tm.tm_mday,
                  kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buffer;
}

}  // namespace mockserve::http
