#pragma once
// Logging with a level per module: lines "[time] module: message" on stderr (stdout belongs to
// the firmware's console). The time is the simulated time, always in nanoseconds ("[17001000
// ns]", "[2.5 ns]" below a nanosecond's resolution), so lines compare and sort the same way. Levels are set globally or per module with a spec such as
// "info", "debug" or "warning,router=debug,cpu=trace".

#include <sstream>
#include <string>
#include <systemc>
#include <vector>

namespace socsim::core {

enum class log_level { error = 0, warning = 1, info = 2, debug = 3, trace = 4 };

// Every module a logger was made for is remembered, so that a level spec naming a module that
// does not exist (a typo, another platform's model) can be refused once the platform is built.
void note_module(const std::string& module);

class logger {
public:
    explicit logger(std::string module) : module_(std::move(module)) { note_module(module_); }

    const std::string& module() const { return module_; }
    bool enabled(log_level level) const;

    void error(const std::string& msg) const { write(log_level::error, msg); }
    void warning(const std::string& msg) const { write(log_level::warning, msg); }
    void info(const std::string& msg) const { write(log_level::info, msg); }
    void debug(const std::string& msg) const { write(log_level::debug, msg); }
    void trace(const std::string& msg) const { write(log_level::trace, msg); }
    void write(log_level level, const std::string& msg) const;

private:
    std::string module_;
};

// The modules a level spec names that no logger was made for (besides the run's own: "platform",
// "dtc", "systemc"), and the known modules, sorted.
std::vector<std::string> unknown_log_modules();
std::vector<std::string> log_modules();

// "17001000 ns"; a fraction (up to picoseconds) only when the time has one.
std::string format_ns(const sc_core::sc_time& t);

// Parses and applies a level spec; throws std::invalid_argument naming the bad part.
void set_log_levels(const std::string& spec);
log_level parse_log_level(const std::string& name);
// Where log lines go (default stderr); tests capture them.
void set_log_stream(std::ostream* stream);
// Count of lines of `level` written so far (lines below the level in force are not counted).
unsigned log_count(log_level level);

// Stream-style helper: SOCSIM_LOG(log, debug, "value " << v) builds the text only when enabled.
#define SOCSIM_LOG(logger_, level_, expr_)                                                    \
    do {                                                                                      \
        if ((logger_).enabled(::socsim::core::log_level::level_)) {                           \
            std::ostringstream socsim_log_os_;                                                \
            socsim_log_os_ << expr_;                                                          \
            (logger_).write(::socsim::core::log_level::level_, socsim_log_os_.str());         \
        }                                                                                     \
    } while (0)

} // namespace socsim::core
