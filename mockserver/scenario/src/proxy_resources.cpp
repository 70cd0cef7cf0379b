#include "proxy_resources.hpp"

#include "recording_writer.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mockserve::scenario::detail {

namespace fs = std::filesystem;

std::unique_ptr<ProxyRoute> ProxyResources::prepare(const std::string& server, const Route& route, const Proxy& spec) {
    std::string error;
    auto url = UpstreamUrl::parse(spec.url, error);
    if (!url) throw std::invalid_argument("route " + route.name + ": proxy = " + spec.url + ": " + error);
    std::shared_ptr<UpstreamPool> pool;
    std::shared_ptr<Recording> recording;
    {
        std::lock_guard hold(mutex_);
        const auto pool_key = url->origin() + "\n" + spec.ca_file + "\n" + (spec.insecure ? "insecure" : "verified");
        auto& shared = pools_[pool_key];
        if (!shared) shared = std::make_shared<UpstreamPool>(*url, spec.ca_file, spec.insecure);
        pool = shared;
        if (url->tls && spec.insecure && warned_.insert(url->origin()).second)
            notice_("mockserve: route " + route.name + ": proxy.insecure = on: the certificate of " + url->origin() +
                    " is not checked");
        if (!spec.record.empty()) {
            auto& kept = recordings_[spec.record + "\n" + server];
            if (!kept) kept = std::make_shared<Recording>(server, spec);
            recording = kept;
        }
    }
    return std::make_unique<ProxyRoute>(spec, std::move(*url), std::move(pool), std::move(recording));
}

std::vector<std::string> ProxyResources::write_recordings() {
    std::lock_guard hold(mutex_);
    std::vector<std::string> lines;
    if (written_) return lines;
    written_ = true;
    for (auto& [key, recording] : recordings_) {
        try {
            lines.push_back(append_recording(*recording));
        } catch (const std::exception& e) {
            lines.push_back(std::string("mockserve: the recording was not written: ") + e.what());
        }
    }
    return lines;
}

namespace {

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const fs::path& file, const std::string& content) {
    // Whole or not at all: written beside it, then renamed over it.
    const auto temporary = file.string() + ".part";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
    }
    fs::rename(temporary, file);
}

std::size_t count_routes(const std::string& text) {
    std::size_t count = 0;
    for (std::size_t at = 0; (at = text.find("[route ", at)) != std::string::npos; ++at)
        if (at == 0 || text[at - 1] == '\n') ++count;
    return count;
}

}  // namespace

std::string append_recording(Recording& recording) {
    const auto exchanges = recording.take();
    const auto& settings = recording.settings();
    const fs::path file = settings.record;
    const fs::path folder = file.parent_path();
    // The bodies' folder, named in the file relative to it when it is beside it.
    fs::path bodies = settings.record_body_dir.empty() ? folder / (file.stem().string() + "-bodies")
                                                       : fs::absolute(settings.record_body_dir);
    auto relative = bodies.lexically_relative(folder);
    const std::string named = !relative.empty() && relative.native().rfind("..", 0) != 0 ? relative.string() : bodies.string();

    std::error_code ec;
    const bool exists = fs::exists(file, ec);
    std::string text = exists ? read_file(file) : std::string();
    const auto first = count_routes(text) + 1;
    const auto written = write_recording(recording.server(), exchanges, settings, first, named);
    const auto preamble = recording_preamble(settings, exchanges.size(), written.route_count, std::chrono::system_clock::now());
    if (!exists) {
        text = preamble + "\n[scenario]\nname = recorded from " + settings.url + "\n";
    } else {
        if (!text.empty() && text.back() != '\n') text.push_back('\n');
        text.append("\n").append(preamble);
    }
    if (("\n" + text).find("\n[server " + recording.server() + "]") == std::string::npos)
        text.append("\n[server ").append(recording.server()).append("]\n");
    text.append(written.routes);
    if (!written.bodies.empty()) fs::create_directories(bodies);
    for (const auto& [name, content] : written.bodies) write_file(bodies / name, content);
    if (!folder.empty()) fs::create_directories(folder);
    write_file(file, text);
    std::string line = "mockserve: recorded " + std::to_string(exchanges.size()) +
                       (exchanges.size() == 1 ? " request" : " requests") + " as " + std::to_string(written.route_count) +
                       (written.route_count == 1 ? " route" : " routes") + " in " + file.string();
    if (!written.bodies.empty()) line.append(" (bodies in ").append(bodies.string()).append(")");
    if (const auto left = recording.left_out())
        line.append("; ").append(std::to_string(left)).append(" exchanges with a body over 64 MiB were left out");
    return line;
}

}  // namespace mockserve::scenario::detail
