#pragma once
// Arm PrimeCell PL011 UART: the registers U-Boot's and Linux's PL011 drivers touch.
//
// Transmission is instantaneous: a byte written to DR appears on the output at once, TXFE stays
// set and TXFF clear, and the TX interrupt (RIS.TXRIS) is raised as QEMU does. QEMU's PL011
// transmits even while CR.UARTEN or CR.TXE is clear, and bare-metal programs written for QEMU
// rely on it; this model does the same and says so once in the log (real silicon would drop the
// bytes).
//
// Reception: characters come from an input source (a file, or the host's stdin) and are handed
// to the firmware as it asks for them: when the firmware reads FR (or DR) while the receive FIFO
// is empty, the model takes one character from the source, so FR.RXFE clears and the next DR
// read returns it. While the receive interrupts are unmasked (IMSC.RXIM or RTIM) and the FIFO is
// empty, the model also looks at the source every `rx_poll_interval` (87 us: one character at
// 115200 baud, 8N1) of simulated time, so a character arrives without the firmware polling.
// Either way nothing is taken before the firmware asks, so nothing is lost however slowly it
// reads (a real line would overrun). When the source has nothing (no input yet on a terminal or
// pipe, or the end of a file) the line is idle: RXFE stays set and the run goes on until the
// firmware ends it or --max-time.
//
// Interrupts: `irq` is UARTINTR, high while RIS & IMSC != 0 (MIS). RIS.TXRIS (bit 5) is set by
// each transmitted byte and cleared by ICR. A waiting character sets RIS.RXRIS (bit 4) while the
// FIFOs are off (LCR_H.FEN = 0: a one-character holding register, the RX level is reached at
// once) and RIS.RTRIS (bit 6) while they are on (one character is below every trigger level and
// nothing more arrives: the receive timeout); either follows "a character is waiting" and is not
// cleared by ICR (reading DR clears it). No other interrupt source (modem, errors) is raised.
//
// Scripted sessions: firmware may read ahead of its command line and throw characters away
// (U-Boot's ctrlc() check during `md` output takes one character and drops it unless it is
// Ctrl-C), so typeahead is lost on real hardware and on QEMU alike. With an input prompt set,
// the model offers the first line at once and each following line only after the firmware has
// printed the prompt again (what `expect` does): one command per prompt, nothing eaten.
//
// DT: compatible "arm,pl011" (with "arm,primecell"); `reg`; `interrupts` (UARTINTR);
// `socsim,output` = file to write instead of stdout; `socsim,input` = file to read the received
// characters from, "-" for stdin (default: none, the line stays idle); `socsim,input-prompt` =
// the prompt to wait for before each line after the first (default: none, no waiting).
// Reset values: FR 0x90 (TXFE | RXFE), CR 0x300 (TXE | RXE), IFLS 0x12, IDs 0x00141011 / 0xb105f00d.

#include <functional>
#include <ostream>
#include <string>

#include "models/core/irq_line.h"
#include "models/core/peripheral.h"

namespace socsim::devices {

class pl011 : public core::peripheral {
public:
    core::irq_line irq;  // UARTINTR

    // How often the receiver looks at its input while the RX interrupts are unmasked and the
    // FIFO is empty: one character time at 115200 baud, 8N1.
    static constexpr double rx_poll_interval_us = 87;

    // Returns the next received character, or -1 when none is available now.
    using input_fn = std::function<int()>;

    // `out` receives the transmitted bytes; it must outlive the model. `in` (may be empty: no
    // input) is asked for a character whenever the firmware polls an empty receiver.
    // `prompt` (may be empty): after each newline taken from `in`, hold the input until the
    // firmware has transmitted this string.
    SC_HAS_PROCESS(pl011);
    pl011(sc_core::sc_module_name name, std::ostream& out, input_fn in = {}, std::string prompt = {});

    // The builder, as the boot loader of a Linux run: the console is left enabled for the
    // kernel's earlycon, which writes before any driver sets it up (CR = UARTEN | TXE | RXE, as
    // U-Boot leaves it).
    void enable_for_console() { cr_.set(cr_uarten | cr_txe | cr_rxe); }

private:
    // FR bits
    static constexpr uint32_t fr_rxfe = 1u << 4, fr_txfe = 1u << 7;
    // CR bits
    static constexpr uint32_t cr_uarten = 1u << 0, cr_txe = 1u << 8, cr_rxe = 1u << 9;
    // LCR_H bits
    static constexpr uint32_t lcr_h_fen = 1u << 4;
    // Interrupt bits (RIS, MIS, IMSC, ICR)
    static constexpr uint32_t int_rx = 1u << 4, int_tx = 1u << 5, int_rt = 1u << 6;
    static constexpr uint32_t int_all = 0x7ff;

    uint64_t read_dr(bool debug);
    void write_dr(uint64_t now);
    void write_rsr_ecr(uint64_t now);
    uint64_t read_fr(bool debug);
    void write_imsc(uint64_t now);
    uint64_t read_mis(bool debug) const;
    void write_icr(uint64_t now);

    void transmit(uint8_t byte);
    void poll_input();
    void update_interrupt();
    void watch_receiver();  // SC_METHOD: takes arriving characters while RX interrupts are on

    // Every register accepts 1-, 2- and 4-byte accesses.
    static core::reg& any_size(core::reg& r) { return r.access_sizes({1, 2, 4}); }
    core::reg& dr_ = any_size(regs_.add("DR", 0x000, 4)).on_read(this, &pl011::read_dr).on_write(this, &pl011::write_dr);
    core::reg& rsr_ecr_ = any_size(regs_.add("RSR_ECR", 0x004, 4)).read_only().on_write(this, &pl011::write_rsr_ecr);
    core::reg& fr_ = any_size(regs_.add("FR", 0x018, 4)).reset_value(fr_txfe | fr_rxfe).read_only()
        .on_read(this, &pl011::read_fr);
    core::reg& ilpr_ = any_size(regs_.add("ILPR", 0x020, 4)).read_only(0xffffff00);
    core::reg& ibrd_ = any_size(regs_.add("IBRD", 0x024, 4)).read_only(0xffff0000);
    core::reg& fbrd_ = any_size(regs_.add("FBRD", 0x028, 4)).read_only(0xffffffc0);
    // FEN chooses RXRIS or RTRIS for a waiting character.
    core::reg& lcr_h_ = any_size(regs_.add("LCR_H", 0x02c, 4)).read_only(0xffffff00)
        .on_write([this](core::reg&, uint64_t, uint64_t) { update_interrupt(); });
    core::reg& cr_ = any_size(regs_.add("CR", 0x030, 4)).reset_value(cr_txe | cr_rxe).read_only(0xffff0000);
    core::reg& ifls_ = any_size(regs_.add("IFLS", 0x034, 4)).reset_value(0x12).read_only(0xffffffc0);
    core::reg& imsc_ = any_size(regs_.add("IMSC", 0x038, 4)).read_only(~uint64_t{int_all}).on_write(this, &pl011::write_imsc);
    core::reg& ris_ = any_size(regs_.add("RIS", 0x03c, 4)).read_only();
    core::reg& mis_ = any_size(regs_.add("MIS", 0x040, 4)).read_only().on_read(this, &pl011::read_mis);
    core::reg& icr_ = any_size(regs_.add("ICR", 0x044, 4)).write_only().on_write(this, &pl011::write_icr);
    core::reg& dmacr_ = any_size(regs_.add("DMACR", 0x048, 4)).read_only(0xfffffff8);
    // PrimeCell identification (PeriphID0..3, PCellID0..3 at 0xfe0..0xffc): declared by the constructor.

    sc_core::sc_event rx_watch_;  // the RX interrupt mask changed, or the FIFO emptied

    std::ostream& out_;
    input_fn in_;
    int rx_ = -1;  // the character waiting in the receive FIFO, or -1
    std::string prompt_;
    std::string tx_tail_;        // the last prompt_.size() bytes transmitted
    bool wait_prompt_ = false;   // a line was taken: hold input until the prompt is printed
    bool warned_disabled_ = false;
};

} // namespace socsim::devices
