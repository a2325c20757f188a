#include "models/devices/sim_control.h"

#include "models/core/run_control.h"
#include "models/core/trace_writer.h"

namespace socsim::devices {

sim_control::sim_control(sc_core::sc_module_name name, std::ostream& out) : peripheral(name), out_(out) {}

void sim_control::write_exit(uint64_t now) {
    int status = static_cast<int>(now & 0xff);
    out_.flush();
    SOCSIM_LOG(log_, info, "firmware requested exit with status " << status);
    core::trace_event("exit", this->name()).field("status", static_cast<uint64_t>(status)).emit();
    core::run_control::instance().request_exit(core::run_outcome::firmware_exit, status,
                                               "firmware exited with status " + std::to_string(status));
}

void sim_control::write_putchar(uint64_t now) {
    out_.put(static_cast<char>(now & 0xff));
    if ((now & 0xff) == '\n') out_.flush();
}

} // namespace socsim::devices
