#include "models/devices/pl011.h"

namespace socsim::devices {

pl011::pl011(sc_core::sc_module_name name, std::ostream& out, input_fn in, std::string prompt)
    : peripheral(name), out_(out), in_(std::move(in)), prompt_(std::move(prompt)) {
    // PrimeCell identification: part 0x011, designer Arm (0x41), revision 1; cell id B105F00D.
    const uint8_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    const char* id_names[8] = {"PeriphID0", "PeriphID1", "PeriphID2", "PeriphID3",
                               "PCellID0",  "PCellID1",  "PCellID2",  "PCellID3"};
    for (unsigned i = 0; i < 8; ++i) any_size(regs_.add(id_names[i], 0xfe0 + 4 * i, 4)).reset_value(ids[i]).read_only();

    SC_METHOD(watch_receiver);
    sensitive << rx_watch_;
    dont_initialize();
}

uint64_t pl011::read_dr(bool debug) {
    if (debug) return uint64_t(rx_ < 0 ? 0 : rx_);
    poll_input();
    if (rx_ < 0) return 0;  // empty FIFO: the PL011 returns undefined data
    uint64_t c = static_cast<uint8_t>(rx_);
    rx_ = -1;
    update_interrupt();
    rx_watch_.notify(sc_core::SC_ZERO_TIME);  // the FIFO is empty: watch for the next one
    return c;
}

void pl011::write_dr(uint64_t now) { transmit(static_cast<uint8_t>(now)); }

// No receive errors: a write clears the (never set) error bits, storing nothing.
void pl011::write_rsr_ecr(uint64_t) { rsr_ecr_.set(0); }

uint64_t pl011::read_fr(bool debug) {
    if (!debug) poll_input();
    return rx_ < 0 ? fr_.get() | fr_rxfe : fr_.get() & ~uint64_t{fr_rxfe};
}

void pl011::write_imsc(uint64_t) {
    update_interrupt();
    rx_watch_.notify(sc_core::SC_ZERO_TIME);
}

uint64_t pl011::read_mis(bool) const { return ris_.get() & imsc_.get(); }

// RXRIS and RTRIS are not cleared by ICR while a character waits (they follow the FIFO level).
void pl011::write_icr(uint64_t now) {
    ris_.clear_bits(now);
    update_interrupt();
}

void pl011::watch_receiver() {
    // Back to waiting for rx_watch_ unless the firmware wants RX interrupts and the FIFO is empty.
    if (!in_ || rx_ >= 0 || !(imsc_.get() & (int_rx | int_rt))) return;
    poll_input();
    if (rx_ < 0) next_trigger(sc_core::sc_time(rx_poll_interval_us, sc_core::SC_US));
}

void pl011::transmit(uint8_t byte) {
    uint64_t cr = cr_.get();
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
    ris_.set_bits(int_tx);
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
    const uint64_t waiting = (lcr_h_.get() & lcr_h_fen) ? int_rt : int_rx;
    ris_.set((ris_.get() & ~uint64_t{int_rx | int_rt}) | (rx_ >= 0 ? waiting : 0));
    irq.set((ris_.get() & imsc_.get()) != 0);
}

} // namespace socsim::devices
