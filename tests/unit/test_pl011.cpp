// PL011: the registers the U-Boot and Linux drivers touch, transmission, reception from an
// input source and the interrupts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>

#include "models/core/log.h"
#include "models/devices/pl011.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {
enum : uint64_t { DR = 0x00, RSR = 0x04, FR = 0x18, IBRD = 0x24, FBRD = 0x28, LCR_H = 0x2c, CR = 0x30,
                  IFLS = 0x34, IMSC = 0x38, RIS = 0x3c, MIS = 0x40, ICR = 0x44, DMACR = 0x48 };
}

TEST_CASE("PL011 reset values and identification registers") {
    std::ostringstream out;
    devices::pl011 uart("uart", out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        CHECK(cpu.read32(FR) == 0x90);  // TXFE | RXFE
        CHECK(cpu.read32(CR) == 0x300);
        CHECK(cpu.read32(IFLS) == 0x12);
        CHECK(cpu.read32(IMSC) == 0);
        CHECK(cpu.read32(RIS) == 0);
        const uint32_t ids[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
        for (unsigned i = 0; i < 8; ++i) CHECK(cpu.read32(0xfe0 + 4 * i) == ids[i]);
    });
}

TEST_CASE("PL011 transmits bytes written to DR, with 8-, 16- and 32-bit accesses") {
    std::ostringstream out;
    devices::pl011 uart("uart", out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(CR, 0x301);  // UARTEN | TXE | RXE
        cpu.write32(DR, 'o');
        CHECK(cpu.write(DR, 'k', 1) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.write(DR, '\n', 2) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.read32(FR) & 0x80);  // still empty: transmission is instantaneous
        CHECK_FALSE(cpu.read32(FR) & 0x20);
    });
    CHECK(out.str() == "ok\n");
}

TEST_CASE("PL011 transmits before UARTEN, as QEMU does, and says so once") {
    std::ostringstream out, log;
    core::set_log_stream(&log);
    devices::pl011 uart("uart", out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(CR, 0);
        cpu.write32(DR, 'a');
        cpu.write32(DR, 'b');
    });
    core::set_log_stream(nullptr);
    CHECK(out.str() == "ab");
    std::string text = log.str();
    CHECK(text.find("UARTEN") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("PL011 TX interrupt: raised on transmit, masked by IMSC, cleared by ICR") {
    std::ostringstream out;
    devices::pl011 uart("uart", out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(CR, 0x301);
        cpu.write32(DR, 'x');
        CHECK(cpu.read32(RIS) == 0x20);
        CHECK(cpu.read32(MIS) == 0);
        CHECK_FALSE(uart.irq.level());
        cpu.write32(IMSC, 0x20);
        CHECK(cpu.read32(MIS) == 0x20);
        CHECK(uart.irq.level());
        cpu.write32(ICR, 0x20);
        CHECK(cpu.read32(RIS) == 0);
        CHECK_FALSE(uart.irq.level());
        cpu.write32(RIS, 0x7ff);  // read-only: ignored
        CHECK(cpu.read32(RIS) == 0);
    });
}

TEST_CASE("PL011 line control, baud and DMA registers keep their writable bits") {
    std::ostringstream out;
    devices::pl011 uart("uart", out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(IBRD, 0xffffffff);
        CHECK(cpu.read32(IBRD) == 0xffff);
        cpu.write32(FBRD, 0xff);
        CHECK(cpu.read32(FBRD) == 0x3f);
        cpu.write32(LCR_H, 0x70);
        CHECK(cpu.read32(LCR_H) == 0x70);
        cpu.write32(DMACR, 0xff);
        CHECK(cpu.read32(DMACR) == 0x7);
        cpu.write32(RSR, 0xf);  // clears receive errors: there are none
        CHECK(cpu.read32(RSR) == 0);
        CHECK(cpu.read32(DR) == 0);  // no input source: nothing to read
        uint64_t v;
        CHECK(cpu.read(0x100, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no register there
    });
}

namespace {
// An input source handing out `text` one character per call, with `gaps` "nothing yet" answers
// before each character (a slow typist), then -1 for ever.
struct scripted_input {
    std::string text;
    int gaps = 0;
    size_t next = 0;
    int waited = 0;
    int calls = 0;
    int operator()() {
        ++calls;
        if (next >= text.size()) return -1;
        if (waited < gaps) {
            ++waited;
            return -1;
        }
        waited = 0;
        return static_cast<unsigned char>(text[next++]);
    }
};
} // namespace

TEST_CASE("PL011 receives each input character as the firmware polls, none lost") {
    std::ostringstream out;
    auto input = std::make_shared<scripted_input>();
    input->text = "pci\n\xff";
    input->gaps = 2;
    devices::pl011 uart("uart", out, [input] { return (*input)(); });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(CR, 0x301);
        std::string got;
        // U-Boot's pl01x getc: poll FR until RXFE clears, then read DR. Polls that find nothing
        // take nothing; a character waits in the FIFO however long the firmware takes.
        for (int polls = 0; polls < 100 && got.size() < 5; ++polls) {
            if (cpu.read32(FR) & 0x10) continue;
            CHECK(cpu.read32(FR) == 0x80);  // still there: polling FR twice takes nothing more
            got += static_cast<char>(cpu.read32(DR));
        }
        CHECK(got == "pci\n\xff");
        CHECK(cpu.read32(FR) == 0x90);  // input exhausted: the line is idle
        CHECK(cpu.read32(DR) == 0);
    });
}

TEST_CASE("PL011 RX interrupt follows a waiting character and is not cleared by ICR") {
    std::ostringstream out;
    auto input = std::make_shared<scripted_input>();
    input->text = "a";
    devices::pl011 uart("uart", out, [input] { return (*input)(); });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(IMSC, 0x10);
        CHECK(cpu.read32(RIS) == 0);  // nothing asked for yet
        CHECK((cpu.read32(FR) & 0x10) == 0);
        CHECK(cpu.read32(RIS) == 0x10);
        CHECK(uart.irq.level());
        cpu.write32(ICR, 0x10);
        CHECK(cpu.read32(RIS) == 0x10);
        CHECK(cpu.read32(DR) == 'a');
        CHECK(cpu.read32(RIS) == 0);
        CHECK_FALSE(uart.irq.level());
    });
}

TEST_CASE("PL011 RX interrupt: a character arriving from the input raises UARTINTR with no polling") {
    std::ostringstream out;
    // Nothing for the first 200 us of simulated time, then "x".
    auto input = [] { return sc_core::sc_time_stamp() >= sc_core::sc_time(200, sc_core::SC_US) ? int('x') : -1; };
    bool taken = false;
    devices::pl011 uart("uart", out, [&] { return taken ? -1 : input(); });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        sc_core::wait(300, sc_core::SC_US);
        CHECK_FALSE(uart.irq.level());  // RX interrupts masked: nothing is taken unasked
        cpu.write32(IMSC, 0x10);        // RXIM: the model now watches its input
        sc_core::wait(50, sc_core::SC_US);
        CHECK(uart.irq.level());  // the character arrived at the first look
        CHECK(cpu.read32(RIS) == 0x10);
        CHECK(cpu.read32(MIS) == 0x10);
        CHECK(cpu.read32(DR) == 'x');
        taken = true;
        CHECK_FALSE(uart.irq.level());
        CHECK(cpu.read32(RIS) == 0);
        sc_core::wait(1, sc_core::SC_MS);
        CHECK_FALSE(uart.irq.level());  // the source has nothing more
    });
}

TEST_CASE("PL011 RX interrupt with the FIFOs on is the receive timeout (RTRIS), masked by RTIM") {
    std::ostringstream out;
    auto input = std::make_shared<scripted_input>();
    input->text = "yz";
    input->gaps = 3;  // the source has a character only at every fourth look
    devices::pl011 uart("uart", out, [input] { return (*input)(); });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        cpu.write32(LCR_H, 0x70);  // 8 bits, FIFOs enabled
        cpu.write32(IMSC, 0x40);   // RTIM only
        CHECK_FALSE(uart.irq.level());
        sc_core::wait(400, sc_core::SC_US);  // four looks, 87 us apart
        CHECK(uart.irq.level());
        CHECK(cpu.read32(RIS) == 0x40);
        cpu.write32(ICR, 0x40);  // follows the FIFO: not cleared while the character waits
        CHECK(cpu.read32(MIS) == 0x40);
        CHECK(cpu.read32(DR) == 'y');
        CHECK_FALSE(uart.irq.level());
        sc_core::wait(400, sc_core::SC_US);
        CHECK(uart.irq.level());
        CHECK(cpu.read32(DR) == 'z');
        cpu.write32(IMSC, 0);
        CHECK_FALSE(uart.irq.level());
    });
}

TEST_CASE("PL011 debug reads of FR and DR take no input") {
    std::ostringstream out;
    auto input = std::make_shared<scripted_input>();
    input->text = "z";
    devices::pl011 uart("uart", out, [input] { return (*input)(); });
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        uint32_t fr = 0;
        CHECK(cpu.debug_read(FR, &fr, 4) == 4);
        CHECK(fr == 0x90);
        CHECK(input->calls == 0);
        CHECK(cpu.read32(DR) == 'z');  // a real DR read asks the source itself
        CHECK(input->calls == 1);
    });
}

TEST_CASE("PL011 with an input prompt offers the next line only after the prompt is printed") {
    std::ostringstream out;
    auto input = std::make_shared<scripted_input>();
    input->text = "\nmd\np";
    devices::pl011 uart("uart", out, [input] { return (*input)(); }, "=> ");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(uart.socket);
    test::run_script([&] {
        CHECK(cpu.read32(DR) == '\n');  // the first line at once
        CHECK(cpu.read32(FR) & 0x10);   // then nothing, however often the firmware polls
        CHECK(cpu.read32(FR) & 0x10);
        for (char c : std::string("\n=>")) cpu.write32(DR, static_cast<uint8_t>(c));
        CHECK(cpu.read32(FR) & 0x10);  // "=>" is not the whole prompt
        cpu.write32(DR, ' ');
        CHECK(cpu.read32(DR) == 'm');
        CHECK(cpu.read32(DR) == 'd');  // within a line, characters flow
        CHECK(cpu.read32(DR) == '\n');
        // A command polling the receiver while it prints (U-Boot's ctrlc()) gets nothing.
        for (char c : std::string("40000000: 00000000\n")) cpu.write32(DR, static_cast<uint8_t>(c));
        CHECK(cpu.read32(FR) & 0x10);
        for (char c : std::string("=> ")) cpu.write32(DR, static_cast<uint8_t>(c));
        CHECK(cpu.read32(DR) == 'p');
    });
}
