// The capture master through real sockets: the three test patterns written line by line with
// its stride and stream id, bad configurations, and a faulting write that stalls the master
// until RESUME (the frame is written again) or ABORT.
#include <catch2/catch.hpp>

#include <cstring>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/devices/capture.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using devices::capture;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

constexpr uint64_t regs = 0x1000, ram_base = 0x100000, ram_size = 0x100000, dst = ram_base + 0x10000;

struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", ram_size};
    capture csi;
    test::dma_tap tap{"tap"};
    test::test_initiator cpu{"cpu"};

    bench() : csi("csi", cfg()) {
        cpu.socket.bind(bus.target_socket);
        csi.dma.socket.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        bus.map(bus.bind_target(csi.socket), {regs, 0x1000}, "/csi");
        bus.map(bus.bind_target(ram.socket), {ram_base, ram_size}, "/memory");
    }
    static capture::config cfg() {
        capture::config c;
        c.stream_id = 4;
        return c;
    }
    uint32_t word(uint64_t a) {
        uint32_t v;
        std::memcpy(&v, ram.host_pointer() + (a - ram_base), 4);
        return v;
    }
    void setup(uint32_t w, uint32_t h, uint32_t stride, uint32_t pattern, uint32_t color = 0) {
        cpu.write64(regs + 0x08, dst);
        cpu.write32(regs + 0x10, w);
        cpu.write32(regs + 0x14, h);
        cpu.write32(regs + 0x18, stride);
        cpu.write32(regs + 0x1c, pattern);
        cpu.write32(regs + 0x20, color);
    }
};

} // namespace

TEST_CASE("capture: colour bars, solid and gradient frames, stream id 4, interrupts") {
    bench b;
    test::run_script([&] {
        CHECK(b.cpu.read32(regs + 0x00) == capture::id_value);
        b.cpu.write32(regs + 0x38, capture::int_done);
        b.setup(16, 2, 128, capture::pattern_bars);
        b.cpu.write32(regs + 0x04, capture::ctl_capture);
        CHECK(b.cpu.read32(regs + 0x24) == capture::st_busy);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == capture::st_done);
        CHECK(b.csi.irq.level());
        CHECK(b.word(dst + 0) == 0xffffff);
        CHECK(b.word(dst + 4 * 2) == 0xffff00);
        CHECK(b.word(dst + 4 * 15) == 0);
        CHECK(b.word(dst + 128 + 4 * 10) == 0xff0000);
        CHECK(b.word(dst + 4 * 16) == 0);  // the stride's gap is untouched
        b.setup(3, 1, 12, capture::pattern_solid, 0x00c0ffee);
        b.cpu.write32(regs + 0x04, capture::ctl_capture);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.word(dst + 8) == 0x00c0ffee);
        b.setup(3, 3, 12, capture::pattern_gradient);
        b.cpu.write32(regs + 0x04, capture::ctl_capture);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == 3);
        CHECK(b.word(dst + 0) == 2);                  // frame number 2 in blue
        CHECK(b.word(dst + 12 + 4) == 0x7f7f02);      // (1, 1): 255 / 2 = 127
        CHECK(b.word(dst + 24 + 8) == 0xffff02);
    });
    CHECK(capture::pattern_pixel(capture::pattern_bars, 0, 799, 0, 800, 600, 0) == 0);
    CHECK(capture::pattern_pixel(capture::pattern_gradient, 0, 0, 0, 1, 1, 300) == 300 % 256);
    for (const auto& a : b.tap.log) {
        CHECK(a.stream == 4);
        CHECK(a.write);
    }
}

TEST_CASE("capture: bad geometry or pattern is refused without DMA") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        const uint32_t bad[][4] = {{0, 2, 64, 0}, {2, 0, 64, 0}, {4097, 1, 65536, 0}, {16, 1, 60, 0}, {2, 2, 64, 3}};
        for (const auto& k : bad) {
            b.setup(k[0], k[1], k[2], k[3]);
            b.cpu.write32(regs + 0x04, capture::ctl_capture);
            sc_core::wait(sc_time(1, SC_US));
            CHECK(b.cpu.read32(regs + 0x24) == capture::st_bad_config);
        }
        CHECK(b.tap.log.empty());
        CHECK(b.cpu.read32(regs + 0x34) == capture::int_error);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("capture refused") != std::string::npos);
}

TEST_CASE("capture: a faulting write stalls the master, RESUME rewrites the frame, ABORT gives up") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    b.tap.fault_base = dst + 2 * 64;  // line 2
    b.tap.fault_size = 4;
    test::run_script([&] {
        b.setup(4, 4, 64, capture::pattern_solid, 0x55);
        b.cpu.write32(regs + 0x04, capture::ctl_capture);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == (capture::st_busy | capture::st_dma_error));
        CHECK(b.cpu.read64(regs + 0x28) == dst + 128);
        CHECK(b.word(dst + 64) == 0x55);
        CHECK(b.word(dst + 192) == 0);  // nothing after the faulting line
        sc_core::wait(sc_time(100, SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == (capture::st_busy | capture::st_dma_error));  // still stalled
        b.tap.fault_size = 0;
        b.cpu.write32(regs + 0x04, capture::ctl_resume);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == capture::st_done);
        CHECK(b.word(dst + 192 + 12) == 0x55);
        CHECK(b.cpu.read32(regs + 0x30) == 1);
        b.tap.fault_size = 4;
        b.cpu.write32(regs + 0x04, capture::ctl_capture);
        sc_core::wait(sc_time(1, SC_US));
        b.cpu.write32(regs + 0x04, capture::ctl_abort);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == capture::st_aborted);
        CHECK(b.cpu.read32(regs + 0x30) == 1);
    });
    core::set_log_stream(nullptr);
}

TEST_CASE("capture: RESUME and ABORT clear DMA_ERROR at the register write, before the frame moves") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    b.tap.fault_base = dst;  // line 0 faults
    b.tap.fault_size = 4;
    test::run_script([&] {
        b.setup(4, 4, 64, capture::pattern_solid, 0x66);
        b.cpu.write32(regs + 0x04, capture::ctl_capture);
        sc_core::wait(sc_time(1, SC_US));
        REQUIRE(b.cpu.read32(regs + 0x24) == (capture::st_busy | capture::st_dma_error));
        b.cpu.write32(regs + 0x04, capture::ctl_resume);
        CHECK(b.cpu.read32(regs + 0x24) == capture::st_busy);  // no simulated time in between
        b.cpu.write32(regs + 0x04, capture::ctl_abort);        // not stalled any more: ignored
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == (capture::st_busy | capture::st_dma_error));  // faulted again
        b.cpu.write32(regs + 0x04, capture::ctl_abort);
        CHECK(b.cpu.read32(regs + 0x24) == capture::st_busy);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == capture::st_aborted);
        CHECK(b.cpu.read32(regs + 0x30) == 0);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("ABORT while not stalled: ignored") != std::string::npos);
}
