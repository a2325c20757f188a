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
    void write_exit(uint64_t now);
    void write_putchar(uint64_t now);

    std::ostream& out_;

    core::reg& id_ = regs_.add("ID", 0x00, 4).reset_value(id_value).read_only();
    core::reg& exit_ = regs_.add("EXIT", 0x04, 4).write_only().on_write(this, &sim_control::write_exit);
    core::reg& putchar_ = regs_.add("PUTCHAR", 0x08, 4).write_only().on_write(this, &sim_control::write_putchar);
};

} // namespace socsim::devices
