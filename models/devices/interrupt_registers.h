#pragma once
// The interrupt registers of socsim's own DMA masters (capture, scanout, video decoders, DMA
// engine): INT_STATUS at `offset`, whose bits the device sets and software clears by writing 1s,
// and INT_ENABLE at offset + 4; only `bits` exist in either. The device's interrupt line is high
// while INT_STATUS & INT_ENABLE != 0.

#include <cstdint>

#include "models/core/irq_line.h"
#include "models/core/register_file.h"

namespace socsim::devices {

class interrupt_registers {
public:
    interrupt_registers(core::register_file& regs, uint64_t offset, uint32_t bits, core::irq_line& irq)
        : status_(regs.add("INT_STATUS", offset, 4).read_only(~uint64_t{bits}).write_one_to_clear(bits)
                      .on_write(this, &interrupt_registers::update)),
          enable_(regs.add("INT_ENABLE", offset + 4, 4).read_only(~uint64_t{bits})
                      .on_write(this, &interrupt_registers::update)),
          irq_(irq) {}
    interrupt_registers(const interrupt_registers&) = delete;  // the registers' handlers point here
    interrupt_registers& operator=(const interrupt_registers&) = delete;

    // The device: sets `bits` in INT_STATUS and updates the line.
    void raise(uint32_t bits) {
        status_.set_bits(bits);
        update();
    }

private:
    void update() { irq_.set((status_.get() & enable_.get()) != 0); }

    core::reg& status_;
    core::reg& enable_;
    core::irq_line& irq_;
};

} // namespace socsim::devices
