#pragma once
// 16550-compatible UART, as the Synopsys DesignWare APB UART (Allwinner H6 and most Arm SoCs)
// and the generic "ns16550a" present it to the 8250 drivers of Linux and U-Boot.
//
// Registers (index i sits at byte offset i << reg-shift; reg-io-width is the access width):
//   0 RBR (read) / THR (write); DLL while LCR.DLAB = 1
//   1 IER [3:0] ERBFI ETBEI ELSI EDSSI (DW: [7] PTIME); DLM while LCR.DLAB = 1
//   2 IIR (read) [3:0] interrupt id, [7:6] = 0b11 while FIFOs are on / FCR (write) [0] FIFO
//     enable, [1] [2] FIFO resets (self-clearing), [7:6] RX trigger
//   3 LCR, 4 MCR [4:0] DTR RTS OUT1 OUT2 LOOP (DW: [5] AFCE, [6] SIRE), 5 LSR (read-only),
//   6 MSR (read-only), 7 SCR (scratch)
// DesignWare only (`designware`): 0x1f USR [0] BUSY [1] TFNF [2] TFE [3] RFNE [4] RFF,
// 0x3d CPR (0: "no component parameters", Linux 8250_dw then uses its defaults),
// 0x3e UCV (component version, "4.01*"), 0x3f CTR (peripheral type 0x44570110, "DW").
//
// Transmission is instantaneous: a byte written to THR appears on the output at once, LSR
// THRE and TEMT stay set. The THR-empty interrupt (IIR id 0x2) is pending after each byte sent
// and after IER.ETBEI goes from 0 to 1 (the 16550's behaviour), and is cleared by reading IIR
// while it is the reported source. Reception works like the PL011 model: when the firmware reads
// LSR, USR or RBR while nothing waits, one character is taken from the input source, and while
// IER.ERBFI is set and nothing waits the model also looks at the source every
// `rx_poll_interval_us` (87 us, one character at 115200 baud) of simulated time, so a character
// arrives without polling (none is taken before the firmware asks, so none is ever lost). LSR.DR
// and the receive interrupt follow "a character is waiting": IIR id 0x4 (received data available)
// with the FIFOs off or an RX trigger of 1 byte (FCR[7:6] = 0), id 0xc (character timeout: one
// byte is below the trigger level and nothing more arrives) with a higher trigger; reading RBR
// clears it. `irq` is high while IIR reports an enabled source (ERBFI: receive, ETBEI: THR
// empty, in that priority; line-status and modem-status interrupts are never raised: no line
// errors, no modem changes). Loopback (MCR.LOOP): transmitted bytes go to the
// receiver instead of the output, and MSR reflects MCR (CTS = RTS, DSR = DTR, RI = OUT1,
// DCD = OUT2), as on the 16550. Outside loopback MSR reads 0xb0 (CTS, DSR, DCD: a connected
// line), as QEMU's serial model. No line errors, no overruns, no baud-rate timing: DLL/DLM are
// stored only.
//
// DT: compatible "snps,dw-apb-uart" (designware) or "ns16550a" / "ns16550"; `reg`;
// `reg-shift` (must be 2: registers 4 bytes apart, as on every DW APB UART; the byte-spaced
// layout of a PC 16550 is not modelled); `reg-io-width` (1 or 4, default 1); `interrupts` (`irq`);
// `socsim,output` = file to write instead of stdout; `socsim,input` = file to read from, "-"
// for stdin (default: none, the line stays idle).
// Accesses: 1, 2 or 4 bytes within a register when reg-io-width is 4; 1 byte when it is 1.
// Other offsets in the window get a TLM address error and a log line.
// Reset values: IER 0, IIR 0x01, LCR 0, MCR 0, LSR 0x60, MSR 0xb0, SCR 0, DLL 0, DLM 0, USR 0x06.

#include <functional>
#include <ostream>

#include "models/core/irq_line.h"
#include "models/core/peripheral.h"

namespace socsim::devices {

class uart_16550 : public core::peripheral {
public:
    core::irq_line irq;  // INTR: high while IIR reports an enabled, pending source

    // How often the receiver looks at its input while ERBFI is set and nothing waits.
    static constexpr double rx_poll_interval_us = 87;

    // Returns the next received character, or -1 when none is available now.
    using input_fn = std::function<int()>;

    struct config {
        unsigned reg_shift = 2;     // register i at offset i << reg_shift (only 2 is supported)
        unsigned reg_io_width = 1;  // 1 or 4 bytes
        bool designware = false;    // add the DW APB UART's USR, CPR, UCV, CTR
    };

    // `out` receives the transmitted bytes and must outlive the model; `in` may be empty.
    // Throws std::invalid_argument for a reg_shift other than 2 or a width other than 1 or 4.
    SC_HAS_PROCESS(uart_16550);
    uart_16550(sc_core::sc_module_name name, const config& cfg, std::ostream& out, input_fn in = {});

private:
    void transmit(uint8_t byte);
    void poll_input();
    uint8_t interrupt_id() const;
    void update_interrupt();
    void watch_receiver();  // SC_METHOD: takes arriving characters while ERBFI is set
    bool dlab() const { return (lcr_ & 0x80) != 0; }
    bool loopback() const { return (mcr_ & 0x10) != 0; }

    std::ostream& out_;
    input_fn in_;
    int rx_ = -1;  // the character waiting in the receiver, or -1
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 0, dlm_ = 0;
    bool fifo_enabled_ = false;
    uint8_t rx_trigger_ = 0;  // FCR[7:6]: 0 = 1 byte
    sc_core::sc_event rx_watch_;  // ERBFI changed, or the receiver emptied
    bool thre_pending_ = false;  // THR-empty interrupt pending (cleared by an IIR read)
    uint8_t ier_mask_;
    uint8_t mcr_mask_;
};

} // namespace socsim::devices
