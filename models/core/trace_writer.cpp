#include "models/core/trace_writer.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <systemc>

#include "models/core/debug_hooks.h"

namespace socsim::core {

trace_writer& trace_writer::instance() {
    static trace_writer writer;
    return writer;
}

void trace_writer::open(const std::string& path) {
    path_ = path;
    out_.open(path, std::ios::out | std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot write trace file '" + path + "'");
}

bool trace_writer::close() {
    if (!out_.is_open()) return true;
    out_.flush();
    const bool written = static_cast<bool>(out_);
    out_.close();
    return written && static_cast<bool>(out_);
}

void trace_writer::write_line(const std::string& line) {
    out_ << line << '\n';
}

std::string json_quote(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

trace_event::trace_event(const char* kind, const std::string& source)
    : trace_event(kind, source, sc_core::sc_time_stamp()) {}

trace_event::trace_event(const char* kind, const std::string& source, const sc_core::sc_time& at)
    : on_(trace_writer::instance().active()) {
    // A debugger listening for diagnostics gets their line even without a trace file.
    if (!on_ && current_debug_listener()) on_ = diagnostic_kind(kind, what_);
    if (!on_) return;
    uint64_t t_ps = at.value() /
                    static_cast<uint64_t>(sc_core::sc_time(1, sc_core::SC_PS).value());
    kind_ = kind;
    keys_ = {"t_ps", "kind", "src"};
    line_ = "{\"t_ps\":" + std::to_string(t_ps) + ",\"kind\":" + json_quote(kind) +
            ",\"src\":" + json_quote(source);
}

void trace_event::add_key(const char* name) {
    for (const char* k : keys_)
        if (std::strcmp(k, name) == 0)
            throw std::logic_error("trace event '" + kind_ + "': field '" + name + "' given twice");
    keys_.push_back(name);
}

trace_event& trace_event::field(const char* name, uint64_t value) {
    if (on_) add_key(name);
    if (on_) line_ += "," + json_quote(name) + ":" + std::to_string(value);
    return *this;
}

trace_event& trace_event::hex_field(const char* name, uint64_t value) {
    if (on_) {
        add_key(name);
        char buf[24];
        std::snprintf(buf, sizeof buf, "\"0x%llx\"", static_cast<unsigned long long>(value));
        line_ += "," + json_quote(name) + ":" + buf;
    }
    return *this;
}

trace_event& trace_event::field(const char* name, const std::string& value) {
    if (on_) add_key(name);
    if (on_) line_ += "," + json_quote(name) + ":" + json_quote(value);
    return *this;
}

trace_event& trace_event::field(const char* name, bool value) {
    if (on_) add_key(name);
    if (on_) line_ += "," + json_quote(name) + ":" + (value ? "true" : "false");
    return *this;
}

void trace_event::emit() {
    if (!on_) return;
    const std::string line = line_ + "}";
    auto& writer = trace_writer::instance();
    if (writer.active()) writer.write_line(line);
    if (debug_listener* l = current_debug_listener())
        if (diagnostic_kind(kind_.c_str(), what_)) l->diagnostic(what_, kind_.c_str(), line);
}

} // namespace socsim::core
