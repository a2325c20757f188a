#pragma once
// Arm PrimeCell PL011 UART: the registers U-Boot's and Linux's PL011 drivers touch.
//
// Transmission is instantaneous: a byte written to DR appears on the output at once, TXFE stays
// set and TXFF clear, and the TX interrupt (RIS.TXRIS) is raised as QEMU does. QEMU's PL011
// transmits even while CR.UARTEN or CR.TXE is clear, and bare-metal programs written for QEMU
// rely on it; this model does the same and says so once in the log (real silicon would drop the
// bytes). There is no receiver yet: FR.RXFE stays set and DR reads 0.
//
// DT: compatible "arm,pl011" (with "arm,primecell"); `reg`; `interrupts` (recorded);
// `socsim,output` = file to write instead of stdout.
// Reset values: FR 0x90 (TXFE | RXFE), CR 0x300 (TXE | RXE), IFLS 0x12, IDs 0x00141011 / 0xb105f00d.

#include <ostream>
#include <string>

#include "models/core/irq_line.h"
#include "models/core/peripheral.h"

namespace socsim::devices {

class pl011 : public core::peripheral {
public:
    core::irq_line irq;

    // `out` receives the transmitted bytes; it must outlive the model.
    pl011(sc_core::sc_module_name name, std::ostream& out);

private:
    void transmit(uint8_t byte);
    void update_interrupt();

    std::ostream& out_;
    bool warned_disabled_ = false;
};

} // namespace socsim::devices
