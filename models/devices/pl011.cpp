#include "models/devices/pl011.h"

namespace socsim::devices {
namespace {

// FR bits
constexpr uint32_t fr_rxfe = 1u << 4, fr_txfe = 1u << 7;
// CR bits
constexpr uint32_t cr_uarten = 1u << 0, cr_txe = 1u << 8, cr_rxe = 1u << 9;
// LCR_H bits
constexpr uint32_t lcr_h_fen = 1u << 4;
// Interrupt bits (RIS, MIS, IMSC, ICR)
constexpr uint32_t int_rx = 1u << 4, int_tx = 1u << 5, int_rt = 1u << 6;
constexpr uint32_t int_all = 0x7ff;

} // namespace

pl011::pl011(sc_core::sc_module_name name, std::ostream& out, input_fn in, std::string prompt)
    : peripheral(name), out_(out), in_(std::move(in)), prompt_(std::move(prompt)) {
    auto any_size = [](core::reg& r) -> core::reg& { return r.access_sizes({1, 2, 4}); };

    any_size(regs_.add("DR", 0x000, 4))
        .on_read([this](const core::reg&, bool debug) {
            if (debug) return uint64_t(rx_ < 0 ? 0 : rx_);
            poll_input();
            if (rx_ < 0) return uint64_t{0};  // empty FIFO: the PL011 returns undefined data
            uint64_t c = static_cast<uint8_t>(rx_);
            rx_ = -1;
            update_interrupt();
            rx_watch_.notify(sc_core::SC_ZERO_TIME);  // the FIFO is empty: watch for the next one
            return c;
        })
        .on_write([this](core::reg&, uint64_t, uint64_t now) { transmit(static_cast<uint8_t>(now)); });
    any_size(regs_.add("RSR_ECR", 0x004, 4)).read_only();  // no receive errors; writes clear (nothing)
    any_size(regs_.add("FR", 0x018, 4)).reset_value(fr_txfe | fr_rxfe).read_only().on_read([this](const core::reg& r, bool debug) {
        if (!debug) poll_input();
        return rx_ < 0 ? r.get() | fr_rxfe : r.get() & ~uint64_t{fr_rxfe};
    });
    any_size(regs_.add("ILPR", 0x020, 4)).read_only(0xffffff00);
    any_size(regs_.add("IBRD", 0x024, 4)).read_only(0xffff0000);
    any_size(regs_.add("FBRD", 0x028, 4)).read_only(0xffffffc0);
    any_size(regs_.add("LCR_H", 0x02c, 4)).read_only(0xffffff00).on_write([this](core::reg&, uint64_t, uint64_t) {
        update_interrupt();  // FEN chooses RXRIS or RTRIS for a waiting character
    });
    any_size(regs_.add("CR", 0x030, 4)).reset_value(cr_txe | cr_rxe).read_only(0xffff0000);
    any_size(regs_.add("IFLS", 0x034, 4)).reset_value(0x12).read_only(0xffffffc0);
    any_size(regs_.add("IMSC", 0x038, 4)).read_only(~uint64_t{int_all}).on_write([this](core::reg&, uint64_t, uint64_t) {
        update_interrupt();
        rx_watch_.notify(sc_core::SC_ZERO_TIME);
    });
    any_size(regs_.add("RIS", 0x03c, 4)).read_only();
    any_size(regs_.add("MIS", 0x040, 4)).read_only().on_read([this](const core::reg&, bool) {
        return regs_["RIS"].get() & regs_["IMSC"].get();
    });
    // RXRIS and RTRIS are not cleared by ICR while a character waits (they follow the FIFO level).
    any_size(regs_.add("ICR", 0x044, 4)).write_only().on_write([this](core::reg&, uint64_t, uint64_t now) {
        core::reg& ris = regs_["RIS"];
        ris.set(ris.get() & ~now);
        update_interrupt();
    });
    any_size(regs_.add("DMACR", 0x048, 4)).read_only(0xfffffff8);
    // PrimeCell identification: part 0x011, designer Arm (0x41), revision 1; cell id B105F00D.
    const uint8_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    const char* id_names[8] = {"PeriphID0", "PeriphID1", "PeriphID2", "PeriphID3",
                               "PCellID0",  "PCellID1",  "PCellID2",  "PCellID3"};
    for (unsigned i = 0; i < 8; ++i) any_size(regs_.add(id_names[i], 0xfe0 + 4 * i, 4)).reset_value(ids[i]).read_only();
    // RSR/ECR: a write clears the (never set) error bits; accept it without storing anything.
    regs_["RSR_ECR"].on_write([](core::reg& r, uint64_t, uint64_t) { r.set(0); });

    SC_METHOD(watch_receiver);
    sensitive << rx_watch_;
    dont_initialize();
}

void pl011::watch_receiver() {
    // Back to waiting for rx_watch_ unless the firmware wants RX interrupts and the FIFO is empty.
    if (!in_ || rx_ >= 0 || !(regs_["IMSC"].get() & (int_rx | int_rt))) return;
    poll_input();
    if (rx_ < 0) next_trigger(sc_core::sc_time(rx_poll_interval_us, sc_core::SC_US));
}

void pl011::transmit(uint8_t byte) {
    uint64_t cr = regs_["CR"].get();
    if ((!(cr & cr_uarten) || !(cr & cr_txe)) && !warned_disabled_) {
        warned_disabled_ = true;
        log_.warning("firmware transmits while CR.UARTEN or CR.TXE is clear; sending anyway, as QEMU does "
                     "(real hardware would drop these bytes)");
    }
    out_.put(static_cast<char>(byte));
    if (wait_prompt_) {
        tx_tail_ += static_cast<char>(byte);
        if (tx_tail_.size() > prompt_.size()) tx_tail_.erase(0, tx_tail_.size() - prompt_.size());
        if (tx_tail_ == prompt_) wait_prompt_ = false;
    }
    if (byte == '\n') out_.flush();
    regs_["RIS"].set(regs_["RIS"].get() | int_tx);
    update_interrupt();
}

void pl011::poll_input() {
    if (rx_ >= 0 || !in_ || wait_prompt_) return;
    rx_ = in_();
    if (rx_ > 0xff) rx_ = -1;
    if (!prompt_.empty() && (rx_ == '\n' || rx_ == '\r')) {
        wait_prompt_ = true;
        tx_tail_.clear();
    }
    update_interrupt();
}

void pl011::update_interrupt() {
    core::reg& ris = regs_["RIS"];
    const uint64_t waiting = (regs_["LCR_H"].get() & lcr_h_fen) ? int_rt : int_rx;
    ris.set((ris.get() & ~uint64_t{int_rx | int_rt}) | (rx_ >= 0 ? waiting : 0));
    irq.set((ris.get() & regs_["IMSC"].get()) != 0);
}

} // namespace socsim::devices
