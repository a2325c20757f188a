#pragma once
// socsim's simulation-control device, for firmware that does not use semihosting:
//   0x00 ID       read-only, 0x534f4353 ("SOCS")
//   0x04 EXIT     write: the run ends with the low 8 bits as the exit status
//   0x08 PUTCHAR  write: the low byte goes to the console (stdout)
// 32-bit accesses only. Nothing like it exists on real hardware or on QEMU.
//
// DT: compatible "socsim,sim-control"; `reg`.

#include <ostream>

#include "models/core/peripheral.h"

namespace socsim::devices {

class sim_control : public core::peripheral {
public:
    static constexpr uint32_t id_value = 0x534f4353;

    sim_control(sc_core::sc_module_name name, std::ostream& out);

private:
    std::ostream& out_;
};

} // namespace socsim::devices
