// 16550 / DesignWare APB UART: register layout from reg-shift and reg-io-width, the DLAB mux,
// transmission, reception from an input source, loopback, interrupts and the DW registers.
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>

#include "models/devices/uart_16550.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {
// Register indexes; byte offset = index << reg-shift.
enum : uint64_t { RBR = 0, IER = 1, IIR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7, USR = 0x1f, CPR = 0x3d,
                  UCV = 0x3e, CTR = 0x3f };

devices::uart_16550::config dw_config() {
    devices::uart_16550::config cfg;
    cfg.reg_shift = 2;
    cfg.reg_io_width = 4;
    cfg.designware = true;
    return cfg;
}

// Characters of `text`, one per call, then -1.
struct scripted_input {
    std::string text;
    size_t next = 0;
    int calls = 0;
    int operator()() {
        ++calls;
        return next < text.size() ? static_cast<unsigned char>(text[next++]) : -1;
    }
};
} // namespace

TEST_CASE("16550 DW layout: reset values at index << 2, 32-bit registers") {
    std::ostringstream out;
    devices::uart_16550 uart("uart", dw_config(), out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        CHECK(cpu.read32(IER << 2) == 0);
        CHECK(cpu.read32(IIR << 2) == 0x01);  // no interrupt pending, FIFOs off
        CHECK(cpu.read32(LCR << 2) == 0);
        CHECK(cpu.read32(MCR << 2) == 0);
        CHECK(cpu.read32(LSR << 2) == 0x60);  // THRE | TEMT
        CHECK(cpu.read32(MSR << 2) == 0xb0);  // CTS | DSR | DCD
        CHECK(cpu.read32(SCR << 2) == 0);
        CHECK(cpu.read32(USR << 2) == 0x06);  // TFNF | TFE, not busy
        CHECK(cpu.read32(CPR << 2) == 0);
        CHECK(cpu.read32(UCV << 2) == 0x3430312a);
        CHECK(cpu.read32(CTR << 2) == 0x44570110);
        uint64_t v;
        CHECK(cpu.read(0x20 << 2, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no register there
        CHECK(cpu.read(LSR << 2, v, 1) == tlm::TLM_OK_RESPONSE);        // byte reads are fine
        CHECK(v == 0x60);
    });
}

TEST_CASE("16550 with reg-io-width 1: byte accesses only, no DW registers") {
    std::ostringstream out;
    devices::uart_16550 uart("uart", devices::uart_16550::config{}, out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        uint64_t v = 0;
        CHECK(cpu.read(LSR << 2, v, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x60);
        CHECK(cpu.write(RBR << 2, 'x', 1) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.read(LSR << 2, v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // byte accesses only
        CHECK(cpu.read(USR << 2, v, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // not a DesignWare UART
        CHECK(cpu.write(IER << 2, 0xff, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.read(IER << 2, v, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x0f);  // PTIME (bit 7) is DW only
    });
    CHECK(out.str() == "x");
}

TEST_CASE("16550 rejects a reg-shift other than 2 and an unsupported io width") {
    std::ostringstream out;
    devices::uart_16550::config cfg;
    cfg.reg_shift = 0;
    CHECK_THROWS_AS(devices::uart_16550("bad_shift", cfg, out), std::invalid_argument);
    cfg.reg_shift = 2;
    cfg.reg_io_width = 2;
    CHECK_THROWS_AS(devices::uart_16550("bad_width", cfg, out), std::invalid_argument);
}

TEST_CASE("16550 transmits THR writes, and DLAB switches offsets 0 and 1 to the divisor latch") {
    std::ostringstream out;
    devices::uart_16550 uart("uart", dw_config(), out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        // U-Boot's ns16550 init: LCR = DLAB | 8N1, divisor, LCR = 8N1.
        cpu.write32(IER << 2, 0x0);
        cpu.write32(LCR << 2, 0x83);
        cpu.write32(RBR << 2, 0x0d);  // DLL, not a character
        cpu.write32(IER << 2, 0x01);  // DLM, not IER
        CHECK(cpu.read32(RBR << 2) == 0x0d);
        CHECK(cpu.read32(IER << 2) == 0x01);
        cpu.write32(LCR << 2, 0x03);
        CHECK(cpu.read32(LCR << 2) == 0x03);
        CHECK(cpu.read32(IER << 2) == 0);  // IER was never written
        for (char c : std::string("ok\n")) cpu.write32(RBR << 2, static_cast<uint8_t>(c));
        CHECK(cpu.read32(LSR << 2) == 0x60);  // transmission is instantaneous
        cpu.write32(LCR << 2, 0x83);
        CHECK(cpu.read32(RBR << 2) == 0x0d);  // the divisor survived
        CHECK(cpu.read32(IER << 2) == 0x01);
        cpu.write32(SCR << 2, 0xa5);
        CHECK(cpu.read32(SCR << 2) == 0xa5);
        cpu.write32(MCR << 2, 0xff);
        CHECK(cpu.read32(MCR << 2) == 0x7f);  // DW: AFCE and SIRE exist, bit 7 does not
        cpu.write32(LSR << 2, 0);             // read-only: ignored
        CHECK(cpu.read32(LSR << 2) == 0x60);
    });
    CHECK(out.str() == "ok\n");
}

TEST_CASE("16550 FCR: FIFO enable shows in IIR bits 7 and 6") {
    std::ostringstream out;
    devices::uart_16550 uart("uart", dw_config(), out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(IIR << 2, 0x07);  // FCR: enable, reset both FIFOs
        CHECK(cpu.read32(IIR << 2) == 0xc1);
        cpu.write32(IIR << 2, 0x00);
        CHECK(cpu.read32(IIR << 2) == 0x01);
    });
}

TEST_CASE("16550 receives from the input source only when the firmware polls") {
    std::ostringstream out;
    auto input = std::make_shared<scripted_input>();
    input->text = "hi";
    devices::uart_16550 uart("uart", dw_config(), out, [input] { return (*input)(); });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        uint32_t lsr = 0;
        CHECK(cpu.debug_read(LSR << 2, &lsr, 4) == 4);
        CHECK(lsr == 0x60);
        CHECK(input->calls == 0);  // a debug read takes nothing
        CHECK(cpu.read32(LSR << 2) == 0x61);
        CHECK(cpu.read32(LSR << 2) == 0x61);  // polling again takes nothing more
        CHECK(input->calls == 1);
        CHECK(cpu.read32(USR << 2) == 0x0e);  // RFNE
        CHECK(cpu.read32(RBR << 2) == 'h');
        CHECK(cpu.read32(RBR << 2) == 'i');  // an RBR read on an empty receiver asks the source
        CHECK(cpu.read32(LSR << 2) == 0x60);
        CHECK(cpu.read32(RBR << 2) == 0);
    });
}

TEST_CASE("16550 interrupts: RX data and THR empty, by priority, acknowledged as on the 16550") {
    std::ostringstream out;
    auto input = std::make_shared<scripted_input>();
    input->text = "a";
    devices::uart_16550 uart("uart", dw_config(), out, [input] { return (*input)(); });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        CHECK_FALSE(uart.irq.level());
        cpu.write32(IER << 2, 0x02);  // ETBEI: THR is empty, so the interrupt is pending at once
        CHECK(uart.irq.level());
        CHECK(cpu.read32(IIR << 2) == 0x02);
        CHECK_FALSE(uart.irq.level());        // the IIR read acknowledged it
        CHECK(cpu.read32(IIR << 2) == 0x01);
        cpu.write32(RBR << 2, 'x');           // sent at once: THR empty again
        CHECK(uart.irq.level());
        cpu.write32(IER << 2, 0x03);          // ERBFI too
        CHECK(cpu.read32(LSR << 2) == 0x61);  // a character is taken
        CHECK(cpu.read32(IIR << 2) == 0x04);  // RX data outranks THR empty
        CHECK(cpu.read32(IIR << 2) == 0x04);  // and is not acknowledged by reading IIR
        CHECK(cpu.read32(RBR << 2) == 'a');
        CHECK(cpu.read32(IIR << 2) == 0x02);  // the THR-empty interrupt was still pending
        CHECK_FALSE(uart.irq.level());
        cpu.write32(RBR << 2, 'y');
        CHECK(uart.irq.level());
        cpu.write32(IER << 2, 0x00);          // masked
        CHECK_FALSE(uart.irq.level());
        CHECK(cpu.read32(IIR << 2) == 0x01);
    });
    CHECK(out.str() == "xy");
}

TEST_CASE("16550 RX interrupt: a character arriving while ERBFI is set raises INTR with no polling") {
    std::ostringstream out;
    // Nothing for the first 200 us of simulated time, then "a" and "b".
    auto input = std::make_shared<scripted_input>();
    input->text = "ab";
    devices::uart_16550 uart("uart", dw_config(), out, [input]() -> int {
        return sc_core::sc_time_stamp() >= sc_core::sc_time(200, sc_core::SC_US) ? (*input)() : -1;
    });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        sc_core::wait(300, sc_core::SC_US);
        CHECK_FALSE(uart.irq.level());
        CHECK(input->calls == 0);  // ERBFI clear: nothing taken unasked
        cpu.write32(IER << 2, 0x01);  // ERBFI
        sc_core::wait(10, sc_core::SC_US);
        CHECK(uart.irq.level());
        CHECK(cpu.read32(IIR << 2) == 0x04);  // received data available
        CHECK(cpu.read32(RBR << 2) == 'a');
        CHECK_FALSE(uart.irq.level());
        // FIFOs on with an 8-byte trigger: one waiting byte is a character timeout (id 0xc).
        cpu.write32(IIR << 2, 0x81);
        sc_core::wait(100, sc_core::SC_US);
        CHECK(uart.irq.level());
        CHECK(cpu.read32(IIR << 2) == 0xcc);
        cpu.write32(IER << 2, 0x00);  // masked: the line drops, the byte still waits
        CHECK_FALSE(uart.irq.level());
        CHECK(cpu.read32(LSR << 2) == 0x61);
        CHECK(cpu.read32(RBR << 2) == 'b');
    });
}

TEST_CASE("16550 loopback: bytes come back to the receiver and MSR follows MCR") {
    std::ostringstream out;
    devices::uart_16550 uart("uart", dw_config(), out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(MCR << 2, 0x10);  // LOOP
        CHECK(cpu.read32(MSR << 2) == 0x00);
        cpu.write32(MCR << 2, 0x1f);  // LOOP | OUT2 | OUT1 | RTS | DTR
        CHECK(cpu.read32(MSR << 2) == 0xf0);
        cpu.write32(RBR << 2, 'L');
        CHECK(cpu.read32(LSR << 2) == 0x61);
        CHECK(cpu.read32(RBR << 2) == 'L');
        cpu.write32(MCR << 2, 0x03);
        CHECK(cpu.read32(MSR << 2) == 0xb0);
        cpu.write32(RBR << 2, 'o');
    });
    CHECK(out.str() == "o");  // the looped-back byte never reached the line
}
