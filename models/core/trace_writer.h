#pragma once
// The JSON Lines trace: one event per line, machine-checkable in regressions. Every event has
// "t_ps" (simulated time in picoseconds), "kind" and "src"; the rest depends on the kind.
//
//   core::trace_event("mmio", "cpu").field("addr", a).field("cmd", "read").emit();
//
// With no trace file open, building an event costs a branch (two when a debugger listens).
// Diagnostic kinds also go to the debugger's listener (core/debug_hooks.h).

#include <cstdint>
#include <fstream>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/debug_hooks.h"

namespace socsim::core {

class trace_writer {
public:
    static trace_writer& instance();

    // Opens (truncates) the trace file; throws std::runtime_error when it cannot be written.
    void open(const std::string& path);
    // Flushes and closes the file. Returns false if any line could not be written (a full disk,
    // /dev/full): the caller reports it, the trace being incomplete.
    bool close();
    const std::string& path() const { return path_; }
    bool active() const { return out_.is_open(); }
    void write_line(const std::string& line);

private:
    std::ofstream out_;
    std::string path_;
};

class trace_event {
public:
    trace_event(const char* kind, const std::string& source);
    // An event that happens at `at` rather than at sc_time_stamp() (an initiator running ahead
    // of SystemC time, such as the CPU, stamps its accesses with its own local time).
    trace_event(const char* kind, const std::string& source, const sc_core::sc_time& at);
    trace_event& field(const char* name, uint64_t value);  // written as a number
    trace_event& hex_field(const char* name, uint64_t value);  // written as "0x..."
    trace_event& field(const char* name, const std::string& value);
    trace_event& field(const char* name, const char* value) { return field(name, std::string(value)); }
    trace_event& field(const char* name, bool value);
    void emit();

private:
    // Every key once per object (a parser that keeps the last of two would lose one): a field
    // named like an earlier one is a programming error, thrown as std::logic_error.
    void add_key(const char* name);

    bool on_;
    diagnostic_class what_ = diagnostic_class::fault;
    std::string line_;
    std::string kind_;
    std::vector<const char*> keys_;
};

// JSON string escaping (quotes included).
std::string json_quote(const std::string& text);

} // namespace socsim::core
