#include "regress/expectations.h"

#include <nlohmann/json.hpp>
#include <png.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

namespace socsim::regress {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (!l.empty() && l.back() == '\r') l.pop_back();  // a Linux console writes CRLF
        out.push_back(l);
    }
    return out;
}

std::string quoted(const std::string& s) {
    const size_t max = 200;
    return "'" + (s.size() > max ? s.substr(0, max) + "..." : s) + "'";
}

// The first place two line lists differ, as "line N: expected ..., got ...".
std::optional<std::string> first_difference(const std::vector<std::string>& expected, const std::vector<std::string>& got) {
    for (size_t i = 0; i < expected.size() || i < got.size(); i++) {
        const std::string n = "line " + std::to_string(i + 1) + ": ";
        if (i >= got.size()) return n + "expected " + quoted(expected[i]) + ", got nothing more";
        if (i >= expected.size()) return n + "expected nothing more, got " + quoted(got[i]);
        if (expected[i] != got[i]) return n + "expected " + quoted(expected[i]) + ", got " + quoted(got[i]);
    }
    return std::nullopt;
}

bool search(const std::string& re, const std::string& text) {
    return std::regex_search(text, std::regex(re, std::regex::ECMAScript | std::regex::multiline));
}

// A trace value and an expected one: numbers by value (8 = "0x8"), anything else as text.
bool same_value(const nlohmann::json& got, const std::string& want) {
    auto as_number = [](const std::string& s, uint64_t& v) {
        if (s.empty() || s[0] == '-') return false;
        char* end = nullptr;
        errno = 0;
        v = std::strtoull(s.c_str(), &end, 0);
        return *end == '\0' && errno == 0;
    };
    uint64_t w = 0, g = 0;
    if (got.is_number_unsigned() || got.is_number_integer())
        return as_number(want, w) && got.get<int64_t>() >= 0 && static_cast<uint64_t>(got.get<int64_t>()) == w;
    if (got.is_boolean()) return want == (got.get<bool>() ? "true" : "false");
    if (got.is_string()) {
        const std::string s = got.get<std::string>();
        if (as_number(s, g) && as_number(want, w)) return g == w;
        return s == want;
    }
    return got.dump() == want;
}

std::string describe(const trace_expectation& t) {
    std::string s;
    for (const auto& [k, v] : t.fields) s += (s.empty() ? "" : ", ") + k + ": " + v;
    return "{" + s + "}";
}

std::optional<verdict> check_trace(const std::vector<trace_expectation>& want, const std::string& path) {
    std::ifstream in(path);
    if (!in) return verdict{"no trace was written (" + path + ")", ""};
    std::vector<nlohmann::json> events;
    unsigned line = 0;
    for (std::string l; std::getline(in, l);) {
        line++;
        try {
            events.push_back(nlohmann::json::parse(l));
        } catch (const nlohmann::json::exception& e) {
            return verdict{"trace line " + std::to_string(line) + " is not JSON: " + e.what(), ""};
        }
    }
    for (const trace_expectation& t : want) {
        unsigned matches = 0;
        for (const nlohmann::json& ev : events) {
            bool all = true;
            for (const auto& [k, v] : t.fields) {
                auto it = ev.find(k);
                if (it == ev.end() || !same_value(*it, v)) {
                    all = false;
                    break;
                }
            }
            matches += all;
        }
        if (t.count ? matches != *t.count : matches == 0)
            return verdict{"trace: " + std::to_string(matches) + " events match " + describe(t) + ", expected " +
                               (t.count ? std::to_string(*t.count) : std::string("at least 1")),
                           ""};
    }
    return std::nullopt;
}

std::optional<verdict> check_png(const png_expectation& want) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, want.file.c_str()))
        return verdict{"PNG " + want.file + " cannot be read: " + image.message, ""};
    image.format = PNG_FORMAT_RGB;
    std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr))
        return verdict{"PNG " + want.file + " cannot be decoded: " + image.message, ""};
    const std::string size = std::to_string(image.width) + "x" + std::to_string(image.height);
    if ((want.width && *want.width != image.width) || (want.height && *want.height != image.height))
        return verdict{"PNG " + want.file + " is " + size + ", expected " +
                           (want.width ? std::to_string(*want.width) : "any") + "x" +
                           (want.height ? std::to_string(*want.height) : "any"),
                       ""};
    uint32_t hash = 0x811c9dc5u;  // FNV-1a (32-bit) over the RGB bytes, row by row
    for (uint8_t b : rgb) hash = (hash ^ b) * 0x01000193u;
    char buf[64];
    if (want.fnv1a && *want.fnv1a != hash) {
        std::snprintf(buf, sizeof buf, "fnv1a 0x%08x, expected 0x%08x", hash, *want.fnv1a);
        return verdict{"PNG " + want.file + ": " + buf, ""};
    }
    for (const pixel_expectation& p : want.pixels) {
        if (p.x >= image.width || p.y >= image.height)
            return verdict{"PNG " + want.file + " (" + size + ") has no pixel " + std::to_string(p.x) + "," + std::to_string(p.y), ""};
        const uint8_t* px = &rgb[(static_cast<size_t>(p.y) * image.width + p.x) * 3];
        const uint32_t got = static_cast<uint32_t>(px[0]) << 16 | px[1] << 8 | px[2];
        if (got != p.rgb) {
            std::snprintf(buf, sizeof buf, "pixel %u,%u = %06x, expected %06x", p.x, p.y, got, p.rgb);
            return verdict{"PNG " + want.file + ": " + buf, ""};
        }
    }
    return std::nullopt;
}

} // namespace

std::string status_meaning(int status) {
    switch (status) {
    case 0: return "success";
    case 123: return "PSCI SYSTEM_RESET";
    case 124: return "--max-time reached";
    case 125: return "usage or configuration error";
    case 126: return "firmware fault";
    default: return "the firmware's exit code";
    }
}

std::string without_time_stamp(const std::string& line) {
    static const std::regex stamp(R"(^\[[0-9]+ ns\] )");
    return std::regex_replace(line, stamp, "", std::regex_constants::format_first_only);
}

std::optional<verdict> check_run(const expectations& expect, int status, const std::string& out, const std::string& err,
                                 const std::string& trace_path) {
    if (status != expect.status)
        return verdict{"exit status " + std::to_string(status) + " (" + status_meaning(status) + "), expected " +
                           std::to_string(expect.status) + " (" + status_meaning(expect.status) + ")",
                       ""};
    const std::vector<std::string> out_lines = lines_of(out);
    if (expect.stdout_text) {
        if (auto d = first_difference(lines_of(*expect.stdout_text), out_lines)) return verdict{"stdout differs", "stdout " + *d};
        if (out != *expect.stdout_text) return verdict{"stdout differs (line ends or the final newline)", ""};
    }
    size_t at = 0;
    for (size_t k = 0; k < expect.stdout_lines.size(); k++) {
        const std::string& want = expect.stdout_lines[k];
        while (at < out_lines.size() && out_lines[at] != want) at++;
        if (at == out_lines.size())
            return verdict{"stdout lacks an expected line",
                           "stdout: " + quoted(want) + " (expected line " + std::to_string(k + 1) + " of " +
                               std::to_string(expect.stdout_lines.size()) + ", in order) is not there" +
                               (k ? " after " + quoted(expect.stdout_lines[k - 1]) : std::string())};
        at++;
    }
    if (expect.stdout_regex && !search(*expect.stdout_regex, out))
        return verdict{"stdout does not match /" + *expect.stdout_regex + "/", ""};

    const std::vector<std::string> err_lines = lines_of(err);
    if (expect.stderr_none && !err_lines.empty())
        return verdict{"stderr is not empty", "stderr line 1: expected nothing, got " + quoted(err_lines[0])};
    if (expect.stderr_diagnostics) {
        std::vector<std::string> got, want;
        for (const std::string& l : err_lines) got.push_back(without_time_stamp(l));
        for (const std::string& l : *expect.stderr_diagnostics) want.push_back(without_time_stamp(l));
        if (auto d = first_difference(want, got)) return verdict{"socsim's diagnostics differ", "stderr " + *d};
    }
    for (const std::string& s : expect.stderr_contains) {
        bool found = false;
        for (const std::string& l : err_lines) found = found || l.find(s) != std::string::npos;
        if (!found) return verdict{"stderr lacks " + quoted(s), ""};
    }
    if (expect.stderr_regex && !search(*expect.stderr_regex, err))
        return verdict{"stderr does not match /" + *expect.stderr_regex + "/", ""};
    if (expect.stderr_line_count && err_lines.size() != *expect.stderr_line_count)
        return verdict{"stderr has " + std::to_string(err_lines.size()) + " lines, expected " +
                           std::to_string(*expect.stderr_line_count),
                       ""};
    if (!expect.trace.empty())
        if (auto v = check_trace(expect.trace, trace_path)) return v;
    if (expect.png)
        if (auto v = check_png(*expect.png)) return v;
    return std::nullopt;
}

} // namespace socsim::regress
