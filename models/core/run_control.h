#pragma once
// How a run ends. Models that can end the simulation (the CPU on semihosting exit or a firmware
// fault, the sim-control device) call `request_exit`; the command line reads the outcome.
// Exit statuses of `socsim run` are documented in the README:
//   0..255  the firmware's own exit code (PSCI SYSTEM_OFF: 0)
//   123     the firmware asked for a system reset (PSCI SYSTEM_RESET)
//   124     --max-time reached before the firmware exited
//   125     usage or configuration error (bad flag, platform, DTS, ELF)
//   126     firmware fault (undefined instruction, access to nothing, exception)

#include <string>
#include <systemc>

namespace socsim::core {

enum class run_outcome { running, firmware_exit, firmware_fault, time_limit, config_error };

constexpr int exit_system_reset = 123;
constexpr int exit_time_limit = 124;
constexpr int exit_config_error = 125;
constexpr int exit_firmware_fault = 126;

class run_control {
public:
    static run_control& instance();

    // The first request wins; later ones (a second fault after an exit) are ignored.
    void request_exit(run_outcome outcome, int status, const std::string& reason);
    run_outcome outcome() const { return outcome_; }
    int status() const { return status_; }
    const std::string& reason() const { return reason_; }
    bool stopping() const { return outcome_ != run_outcome::running; }

    // The simulated time at which the run ends (--max-time); SC_ZERO_TIME for none. Initiators
    // that run ahead of SystemC time (the CPU) stop there rather than a quantum later.
    void set_time_limit(const sc_core::sc_time& limit) { time_limit_ = limit; }
    const sc_core::sc_time& time_limit() const { return time_limit_; }

private:
    run_outcome outcome_ = run_outcome::running;
    int status_ = 0;
    std::string reason_;
    sc_core::sc_time time_limit_ = sc_core::SC_ZERO_TIME;
};

} // namespace socsim::core
