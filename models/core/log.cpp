#include "models/core/log.h"

#include <cstdio>

#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <systemc>

namespace socsim::core {
namespace {

struct log_state {
    log_level default_level = log_level::warning;
    std::map<std::string, log_level> module_levels;
    std::ostream* out = &std::cerr;
    unsigned counts[5] = {};
};

std::set<std::string>& known_modules() {
    static std::set<std::string> modules{"platform", "dtc", "systemc"};
    return modules;
}

log_state& state() {
    static log_state s;
    return s;
}

const char* level_name(log_level level) {
    switch (level) {
    case log_level::error: return "error";
    case log_level::warning: return "warning";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
    case log_level::trace: return "trace";
    }
    return "?";
}

} // namespace

log_level parse_log_level(const std::string& name) {
    for (auto level : {log_level::error, log_level::warning, log_level::info, log_level::debug,
                       log_level::trace})
        if (name == level_name(level)) return level;
    if (name == "warn") return log_level::warning;
    throw std::invalid_argument("unknown log level '" + name +
                                "' (use error, warning, info, debug or trace)");
}

void set_log_levels(const std::string& spec) {
    log_state parsed = state();
    size_t start = 0;
    while (start <= spec.size()) {
        size_t comma = spec.find(',', start);
        std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos
                                                                         : comma - start);
        if (item.empty()) throw std::invalid_argument("empty item in log level spec '" + spec + "'");
        size_t eq = item.find('=');
        if (eq == std::string::npos) {
            parsed.default_level = parse_log_level(item);
        } else {
            std::string module = item.substr(0, eq);
            if (module.empty()) throw std::invalid_argument("missing module name in '" + item + "'");
            parsed.module_levels[module] = parse_log_level(item.substr(eq + 1));
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    state() = parsed;
}

void note_module(const std::string& module) { known_modules().insert(module); }

std::vector<std::string> unknown_log_modules() {
    std::vector<std::string> unknown;
    for (const auto& [module, level] : state().module_levels)
        if (!known_modules().count(module)) unknown.push_back(module);
    return unknown;
}

std::vector<std::string> log_modules() { return {known_modules().begin(), known_modules().end()}; }

void set_log_stream(std::ostream* stream) { state().out = stream ? stream : &std::cerr; }

unsigned log_count(log_level level) { return state().counts[static_cast<int>(level)]; }

bool logger::enabled(log_level level) const {
    const log_state& s = state();
    log_level limit = s.default_level;
    // A module's level applies to it and to everything below it ("platform" covers
    // "platform.uart0"): the longest matching prefix wins.
    size_t best = 0;
    for (const auto& [name, lvl] : s.module_levels) {
        bool match = module_ == name ||
                     (module_.size() > name.size() && module_.compare(0, name.size(), name) == 0 &&
                      module_[name.size()] == '.');
        if (match && name.size() >= best) {
            best = name.size();
            limit = lvl;
        }
    }
    return level <= limit;
}

std::string format_ns(const sc_core::sc_time& t) {
    const uint64_t ps = t.value() / static_cast<uint64_t>(sc_core::sc_time(1, sc_core::SC_PS).value());
    std::string text = std::to_string(ps / 1000);
    if (const unsigned frac = ps % 1000) {
        char digits[8];
        std::snprintf(digits, sizeof digits, ".%03u", frac);
        text += digits;
        while (text.back() == '0') text.pop_back();
    }
    return text + " ns";
}

void logger::write(log_level level, const std::string& msg) const {
    log_state& s = state();
    if (!enabled(level)) return;
    s.counts[static_cast<int>(level)]++;
    const char* tag = level == log_level::error     ? "error: "
                      : level == log_level::warning ? "warning: "
                                                    : "";
    *s.out << '[' << format_ns(sc_core::sc_time_stamp()) << "] " << module_ << ": " << tag << msg
           << '\n';
    s.out->flush();
}

} // namespace socsim::core
