#include "models/devices/uart_16550.h"

#include <stdexcept>
#include <string>

namespace socsim::devices {
namespace {

// LSR bits
constexpr uint8_t lsr_dr = 1u << 0, lsr_thre = 1u << 5, lsr_temt = 1u << 6;
// IER bits
constexpr uint8_t ier_erbfi = 1u << 0, ier_etbei = 1u << 1;
// IIR interrupt ids (bits [3:0]), highest priority first among those modelled
constexpr uint8_t iir_none = 0x1, iir_rx_timeout = 0xc, iir_rx_data = 0x4, iir_thre = 0x2;
// MCR bits
constexpr uint8_t mcr_dtr = 1u << 0, mcr_rts = 1u << 1, mcr_out1 = 1u << 2, mcr_out2 = 1u << 3;
// MSR status bits
constexpr uint8_t msr_cts = 1u << 4, msr_dsr = 1u << 5, msr_ri = 1u << 6, msr_dcd = 1u << 7;
// DW USR bits
constexpr uint8_t usr_tfnf = 1u << 1, usr_tfe = 1u << 2, usr_rfne = 1u << 3;

} // namespace

uart_16550::uart_16550(sc_core::sc_module_name name, const config& cfg, std::ostream& out, input_fn in)
    : peripheral(name), out_(out), in_(std::move(in)),
      ier_mask_(cfg.designware ? 0x8f : 0x0f), mcr_mask_(cfg.designware ? 0x7f : 0x1f) {
    if (cfg.reg_shift != 2)
        throw std::invalid_argument("16550 UART: reg-shift " + std::to_string(cfg.reg_shift) +
                                    " is not supported (only 2: registers 4 bytes apart)");
    if (cfg.reg_io_width != 1 && cfg.reg_io_width != 4)
        throw std::invalid_argument("16550 UART: reg-io-width " + std::to_string(cfg.reg_io_width) + " is not 1 or 4");

    // Each register is a 32-bit slot (the register file's smallest width); reg-io-width says
    // which access sizes the bus accepts in it.
    const bool wide = cfg.reg_io_width == 4;
    auto add = [&](const char* reg_name, unsigned index) -> core::reg& {
        core::reg& r = regs_.add(reg_name, uint64_t{index} << cfg.reg_shift, 4);
        if (wide)
            r.access_sizes({1, 2, 4});
        else
            r.access_sizes({1});
        return r;
    };

    add("RBR_THR_DLL", 0)
        .on_read([this](const core::reg&, bool debug) -> uint64_t {
            if (dlab()) return dll_;
            if (debug) return rx_ < 0 ? 0 : uint64_t(rx_);
            poll_input();
            if (rx_ < 0) return 0;  // empty receiver: the 16550 returns the last byte; 0 here
            uint64_t c = static_cast<uint8_t>(rx_);
            rx_ = -1;
            update_interrupt();
            rx_watch_.notify(sc_core::SC_ZERO_TIME);  // empty again: watch for the next one
            return c;
        })
        .on_write([this](core::reg& r, uint64_t, uint64_t now) {
            r.set(0);
            if (dlab())
                dll_ = static_cast<uint8_t>(now);
            else
                transmit(static_cast<uint8_t>(now));
        });
    add("IER_DLM", 1)
        .on_read([this](const core::reg&, bool) -> uint64_t { return dlab() ? dlm_ : ier_; })
        .on_write([this](core::reg& r, uint64_t, uint64_t now) {
            r.set(0);
            if (dlab()) {
                dlm_ = static_cast<uint8_t>(now);
                return;
            }
            uint8_t old = ier_;
            ier_ = static_cast<uint8_t>(now) & ier_mask_;
            // Enabling ETBEI while THR is empty (always, here) raises the THR-empty interrupt.
            if ((ier_ & ier_etbei) && !(old & ier_etbei)) thre_pending_ = true;
            update_interrupt();
            rx_watch_.notify(sc_core::SC_ZERO_TIME);
        });
    add("IIR_FCR", 2)
        .on_read([this](const core::reg&, bool debug) -> uint64_t {
            uint8_t id = interrupt_id();
            if (!debug && id == iir_thre) {
                thre_pending_ = false;  // reading IIR acknowledges the THR-empty interrupt
                update_interrupt();
            }
            return id | (fifo_enabled_ ? 0xc0 : 0x00);
        })
        .on_write([this](core::reg& r, uint64_t, uint64_t now) {
            r.set(0);
            fifo_enabled_ = (now & 1) != 0;
            rx_trigger_ = static_cast<uint8_t>((now >> 6) & 3);
            if (now & 2) {  // RX FIFO reset drops a waiting character
                rx_ = -1;
                rx_watch_.notify(sc_core::SC_ZERO_TIME);
            }
            update_interrupt();
        });
    add("LCR", 3).read_only(~uint64_t{0xff}).on_read([this](const core::reg&, bool) -> uint64_t { return lcr_; })
        .on_write([this](core::reg&, uint64_t, uint64_t now) { lcr_ = static_cast<uint8_t>(now); });
    add("MCR", 4).on_read([this](const core::reg&, bool) -> uint64_t { return mcr_; })
        .on_write([this](core::reg& r, uint64_t, uint64_t now) {
            r.set(0);
            mcr_ = static_cast<uint8_t>(now) & mcr_mask_;
            rx_watch_.notify(sc_core::SC_ZERO_TIME);  // leaving loopback: the input may be watched
        });
    add("LSR", 5).read_only().on_read([this](const core::reg&, bool debug) -> uint64_t {
        if (!debug) poll_input();
        return lsr_thre | lsr_temt | (rx_ >= 0 ? lsr_dr : 0);
    });
    add("MSR", 6).read_only().on_read([this](const core::reg&, bool) -> uint64_t {
        if (!loopback()) return msr_cts | msr_dsr | msr_dcd;
        return ((mcr_ & mcr_rts) ? msr_cts : 0) | ((mcr_ & mcr_dtr) ? msr_dsr : 0) |
               ((mcr_ & mcr_out1) ? msr_ri : 0) | ((mcr_ & mcr_out2) ? msr_dcd : 0);
    });
    add("SCR", 7).on_read([this](const core::reg&, bool) -> uint64_t { return scr_; })
        .on_write([this](core::reg& r, uint64_t, uint64_t now) {
            r.set(0);
            scr_ = static_cast<uint8_t>(now);
        });

    if (cfg.designware) {
        add("USR", 0x1f).read_only().on_read([this](const core::reg&, bool debug) -> uint64_t {
            if (!debug) poll_input();
            return usr_tfnf | usr_tfe | (rx_ >= 0 ? usr_rfne : 0);
        });
        add("CPR", 0x3d).read_only();
        add("UCV", 0x3e).read_only().reset_value(0x3430312a);  // "401*": version 4.01
        add("CTR", 0x3f).read_only().reset_value(0x44570110);
    }

    SC_METHOD(watch_receiver);
    sensitive << rx_watch_;
    dont_initialize();
}

void uart_16550::watch_receiver() {
    // Back to waiting for rx_watch_ unless the firmware wants RX interrupts and nothing waits.
    if (!in_ || loopback() || rx_ >= 0 || !(ier_ & ier_erbfi)) return;
    poll_input();
    if (rx_ < 0) next_trigger(sc_core::sc_time(rx_poll_interval_us, sc_core::SC_US));
}

void uart_16550::transmit(uint8_t byte) {
    if (loopback()) {
        rx_ = byte;  // a one-character receiver: a second byte overwrites (overrun, not flagged)
    } else {
        out_.put(static_cast<char>(byte));
        if (byte == '\n') out_.flush();
    }
    thre_pending_ = true;
    update_interrupt();
}

void uart_16550::poll_input() {
    if (rx_ >= 0 || !in_ || loopback()) return;
    rx_ = in_();
    if (rx_ > 0xff) rx_ = -1;
    update_interrupt();
}

uint8_t uart_16550::interrupt_id() const {
    if ((ier_ & ier_erbfi) && rx_ >= 0) return fifo_enabled_ && rx_trigger_ != 0 ? iir_rx_timeout : iir_rx_data;
    if ((ier_ & ier_etbei) && thre_pending_) return iir_thre;
    return iir_none;
}

void uart_16550::update_interrupt() { irq.set(interrupt_id() != iir_none); }

} // namespace socsim::devices
