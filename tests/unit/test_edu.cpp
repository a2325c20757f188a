// QEMU's edu device behind the host bridge, through real sockets: its configuration header,
// every register, the factorial, interrupts, DMA both ways with its completion time, the DMA mask.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/core/trace_writer.h"
#include "models/devices/edu.h"
#include "models/memory/ram.h"
#include "models/pcie/pcie_host_bridge.h"
#include "tests/unit/harness.h"
#include "tests/unit/virt_pcie.h"

using namespace socsim;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

constexpr uint64_t ecam_base = 0x3f000000, bar0 = 0x10000000;
constexpr uint64_t ram_base = 0x00000000, ram_size = 0x400000;  // 4 MiB at 0: below the 28-bit mask
constexpr uint64_t config = ecam_base + (1u << 15);                // 00:01.0

// CPU -> router -> {ECAM, MMIO window, RAM}; edu -> bridge -> router -> RAM.
struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", ram_size};
    pcie::pcie_host_bridge bridge;
    devices::edu* edu;
    test::test_initiator cpu{"cpu"};


    explicit bench(devices::edu::config ecfg = {}) : bridge("pcie", test::virt_bridge_config()) {
        edu = &static_cast<devices::edu&>(bridge.attach(0x08, std::make_unique<devices::edu>("edu", ecfg)));
        cpu.socket.bind(bus.target_socket);
        bridge.dma.bind(bus.target_socket);
        bus.map(bus.bind_target(bridge.ecam), {ecam_base, 16 << 20}, "/pcie");
        bus.map(bus.bind_target(bridge.window(0)), {0x10000000, 0x2eff0000}, "/pcie window");
        bus.map(bus.bind_target(ram.socket), {ram_base, ram_size}, "/memory");
    }
    // What firmware does first: BAR0, then memory decode and bus mastering.
    void enable(uint16_t command = 0x0006) {
        cpu.write32(config + 0x10, static_cast<uint32_t>(bar0));
        cpu.write(config + 0x04, command, 2);
    }
    uint8_t* ram_at(uint64_t addr) { return ram.host_pointer() + (addr - ram_base); }
};

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

} // namespace

TEST_CASE("edu: the configuration header is QEMU's, byte for byte") {
    bench b;
    test::run_script([&] {
        // Values read from QEMU 7.2 (-M virt -device edu) at 00:01.0.
        CHECK(b.cpu.read32(config + 0x00) == 0x11e81234);
        CHECK(b.cpu.read32(config + 0x04) == 0x00100000);  // status: capability list
        CHECK(b.cpu.read32(config + 0x08) == 0x00ff0010);  // class 00ff00, revision 0x10
        CHECK(b.cpu.read32(config + 0x0c) == 0x00000000);
        CHECK(b.cpu.read32(config + 0x2c) == 0x11001af4);
        CHECK(b.cpu.read32(config + 0x34) == 0x00000040);
        CHECK(b.cpu.read32(config + 0x3c) == 0x00000100);  // pin A
        CHECK(b.cpu.read32(config + 0x40) == 0x00800005);  // MSI, 64-bit
        CHECK(b.cpu.read32(config + 0x100) == 0xffffffff);
        b.cpu.write32(config + 0x10, 0xffffffff);
        CHECK(b.cpu.read32(config + 0x10) == 0xfff00000);  // 1 MiB, 32-bit memory
        b.cpu.write32(config + 0x14, 0xffffffff);
        CHECK(b.cpu.read32(config + 0x14) == 0x00000000);  // one BAR only
    });
}

TEST_CASE("edu: identification, liveness, unimplemented offsets and access sizes") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable();
        CHECK(b.cpu.read32(bar0 + 0x00) == 0x010000ed);
        b.cpu.write32(bar0 + 0x00, 0);  // read-only
        CHECK(b.cpu.read32(bar0 + 0x00) == 0x010000ed);
        CHECK(b.cpu.read32(bar0 + 0x04) == 0x00000000);
        b.cpu.write32(bar0 + 0x04, 0x12345678);
        CHECK(b.cpu.read32(bar0 + 0x04) == 0xedcba987);
        // What QEMU does not decode reads all-ones, and writes there are ignored.
        CHECK(b.cpu.read32(bar0 + 0x0c) == 0xffffffff);
        CHECK(b.cpu.read32(bar0 + 0x60) == 0xffffffff);
        CHECK(b.cpu.read32(bar0 + 0x64) == 0xffffffff);
        CHECK(b.cpu.read32(bar0 + 0x40000) == 0xffffffff);  // the DMA buffer is not in BAR0
        b.cpu.write32(bar0 + 0x0c, 1);
        CHECK(b.cpu.read64(bar0 + 0x00) == ~0ull);  // 8 bytes below 0x80
        b.cpu.write64(bar0 + 0x04 - 4, 0);           // ignored
        CHECK(b.cpu.read32(bar0 + 0x00) == 0x010000ed);
        uint64_t v = 0;
        CHECK(b.cpu.read(bar0 + 0x00, v, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(b.cpu.read(bar0 + 0x02, v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(b.cpu.write(bar0 + 0x04, 1, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 3);
    CHECK(log.str().find("edu accepts naturally aligned 4- and 8-byte accesses") != std::string::npos);
}

TEST_CASE("edu: factorial with the busy bit, writes ignored while busy, and the interrupt on finish") {
    bench b;
    test::run_script([&] {
        b.enable();
        b.cpu.write32(bar0 + 0x08, 5);
        CHECK(b.cpu.read32(bar0 + 0x20) == 0x01);
        CHECK(b.cpu.read32(bar0 + 0x08) == 5);
        b.cpu.write32(bar0 + 0x08, 7);  // busy: ignored
        sc_core::wait(sc_time(99, SC_NS));
        CHECK(b.cpu.read32(bar0 + 0x20) == 0x01);
        sc_core::wait(sc_time(2, SC_NS));
        CHECK(b.cpu.read32(bar0 + 0x20) == 0x00);
        CHECK(b.cpu.read32(bar0 + 0x08) == 120);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0);  // no interrupt asked for
        // Bit 7: interrupt 0x001 on finish; bit 0 is read-only.
        b.cpu.write32(bar0 + 0x20, 0x81);
        CHECK(b.cpu.read32(bar0 + 0x20) == 0x80);
        b.cpu.write32(bar0 + 0x08, 13);
        sc_core::wait(sc_time(101, SC_NS));
        CHECK(b.cpu.read32(bar0 + 0x08) == 1932053504u);  // 13! mod 2^32
        CHECK(b.cpu.read32(bar0 + 0x24) == 0x001);
        CHECK(b.edu->intx.level());
        b.cpu.write32(bar0 + 0x20, 0x00);
        b.cpu.write32(bar0 + 0x64, 0x001);
        CHECK_FALSE(b.edu->intx.level());
        b.cpu.write32(bar0 + 0x08, 40);  // 34! and above: 0 in 32 bits, computed without looping
        sc_core::wait(sc_time(101, SC_NS));
        CHECK(b.cpu.read32(bar0 + 0x08) == 0);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0);
    });
}

TEST_CASE("edu: raise and acknowledge drive INTx and Status.interrupt, and INTx disable masks the line") {
    bench b;
    test::run_script([&] {
        b.enable();
        b.cpu.write32(bar0 + 0x60, 0x5);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0x5);
        CHECK(b.edu->intx.level());
        CHECK((b.cpu.read32(config + 0x04) >> 16 & 0x8) == 0x8);
        b.cpu.write32(bar0 + 0x64, 0x1);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0x4);
        CHECK(b.edu->intx.level());
        b.cpu.write(config + 0x04, 0x0406, 2);  // INTx disable
        CHECK_FALSE(b.edu->intx.level());
        CHECK((b.cpu.read32(config + 0x04) >> 16 & 0x8) == 0x8);  // still pending in Status
        b.cpu.write(config + 0x04, 0x0006, 2);
        CHECK(b.edu->intx.level());
        b.cpu.write32(bar0 + 0x64, 0x4);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0);
        CHECK_FALSE(b.edu->intx.level());
        CHECK((b.cpu.read32(config + 0x04) >> 16 & 0x8) == 0);
        b.cpu.write32(bar0 + 0x24, 0xff);  // read-only
        CHECK(b.cpu.read32(bar0 + 0x24) == 0);
    });
}

TEST_CASE("edu: DMA registers are 64-bit, in 4- or 8-byte accesses and a 4-byte write to the low half zero-extends") {
    bench b;
    test::run_script([&] {
        b.enable();
        b.cpu.write64(bar0 + 0x80, 0x123456780);
        CHECK(b.cpu.read64(bar0 + 0x80) == 0x123456780);
        CHECK(b.cpu.read32(bar0 + 0x80) == 0x23456780);
        CHECK(b.cpu.read32(bar0 + 0x84) == 0x1);  // high half (the CPU splits 8-byte MMIO accesses)
        b.cpu.write32(bar0 + 0x80, 0x1000);
        CHECK(b.cpu.read64(bar0 + 0x80) == 0x1000);
        // Split 64-bit write, low half first, as socsim's CPU issues it.
        b.cpu.write32(bar0 + 0x88, 0x9abcdef0);
        b.cpu.write32(bar0 + 0x8c, 0x5);
        CHECK(b.cpu.read64(bar0 + 0x88) == 0x59abcdef0);
        b.cpu.write64(bar0 + 0x90, 64);
        CHECK(b.cpu.read64(bar0 + 0x90) == 64);
        // A command without the start bit is ignored.
        b.cpu.write64(bar0 + 0x98, 0x6);
        CHECK(b.cpu.read64(bar0 + 0x98) == 0);
    });
}

TEST_CASE("edu: DMA RAM -> buffer -> RAM moves the data and completes after the configured delay") {
    devices::edu::config cfg;
    cfg.dma_delay = sc_time(2000, SC_NS);
    bench b(cfg);
    test::run_script([&] {
        b.enable();
        for (unsigned i = 0; i < 256; ++i) b.ram_at(0x100000)[i] = static_cast<uint8_t>(i * 7 + 1);
        // RAM -> device buffer at 0x40100, interrupt when done.
        b.cpu.write64(bar0 + 0x80, 0x100000);
        b.cpu.write64(bar0 + 0x88, 0x40100);
        b.cpu.write64(bar0 + 0x90, 256);
        const sc_time start = sc_core::sc_time_stamp();
        b.cpu.write64(bar0 + 0x98, 0x1 | 0x4);
        CHECK(b.cpu.read64(bar0 + 0x98) == 0x5);
        b.cpu.write64(bar0 + 0x80, 0xdead000);  // ignored while running
        CHECK(b.cpu.read64(bar0 + 0x80) == 0x100000);
        b.cpu.write64(bar0 + 0x98, 0x3);  // ignored while running
        sc_core::wait(sc_time(1999, SC_NS));
        CHECK((b.cpu.read64(bar0 + 0x98) & 1) == 1);
        CHECK(b.edu->buffer()[0x100] == 0);
        sc_core::wait(sc_time(2, SC_NS));
        CHECK(sc_core::sc_time_stamp() - start == sc_time(2001, SC_NS));
        CHECK(b.cpu.read64(bar0 + 0x98) == 0x4);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0x100);
        CHECK(b.edu->intx.level());
        CHECK(std::memcmp(b.edu->buffer().data() + 0x100, b.ram_at(0x100000), 256) == 0);
        b.cpu.write32(bar0 + 0x64, 0x100);

        // Device buffer -> RAM, no interrupt.
        b.cpu.write64(bar0 + 0x80, 0x40100);
        b.cpu.write64(bar0 + 0x88, 0x200000);
        b.cpu.write64(bar0 + 0x98, 0x1 | 0x2);
        sc_core::wait(sc_time(2001, SC_NS));
        CHECK(b.cpu.read64(bar0 + 0x98) == 0x2);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0);
        CHECK(std::memcmp(b.ram_at(0x200000), b.ram_at(0x100000), 256) == 0);
    });
}

TEST_CASE("edu: a DMA address outside the 28-bit mask is clamped, as QEMU does, with one diagnostic") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable();
        std::memset(b.ram_at(0x300000), 0x5a, 64);
        b.cpu.write64(bar0 + 0x80, 0x40300000);  // 0x4030_0000 & 0x0fff_ffff = 0x30_0000
        b.cpu.write64(bar0 + 0x88, 0x40000);
        b.cpu.write64(bar0 + 0x90, 64);
        b.cpu.write64(bar0 + 0x98, 0x1);
        sc_core::wait(sc_time(1001, SC_NS));
        CHECK(b.cpu.read64(bar0 + 0x98) == 0);
        CHECK(b.edu->buffer()[0] == 0x5a);
        CHECK(b.edu->buffer()[63] == 0x5a);
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 1);
    CHECK(log.str().find("DMA address 0x40300000 is outside the DMA mask 0xfffffff: clamped to 0x300000") !=
          std::string::npos);
}

TEST_CASE("edu: a buffer range outside 0x40000..0x40fff is reported, nothing moves, the command still completes") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable();
        std::memset(b.ram_at(0x100000), 0x11, 16);
        b.cpu.write64(bar0 + 0x80, 0x100000);
        b.cpu.write64(bar0 + 0x88, 0x40ff8);  // 16 bytes from 0x40ff8 run past the buffer
        b.cpu.write64(bar0 + 0x90, 16);
        b.cpu.write64(bar0 + 0x98, 0x1 | 0x4);
        sc_core::wait(sc_time(1001, SC_NS));
        CHECK(b.cpu.read64(bar0 + 0x98) == 0x4);
        CHECK(b.cpu.read32(bar0 + 0x24) == 0x100);
        CHECK(b.edu->buffer()[0xff8] == 0);
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 1);
    CHECK(log.str().find("DMA destination range 0x40ff8 + 0x10 is outside the device buffer 0x40000..0x40fff") !=
          std::string::npos);
}

TEST_CASE("edu: with bus mastering off the bridge refuses the DMA and the edu reports it and completes") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable(0x0002);  // memory decode only
        std::memset(b.ram_at(0x100000), 0x22, 16);
        b.cpu.write64(bar0 + 0x80, 0x40000);
        b.cpu.write64(bar0 + 0x88, 0x100000);
        b.cpu.write64(bar0 + 0x90, 16);
        b.cpu.write64(bar0 + 0x98, 0x1 | 0x2);
        sc_core::wait(sc_time(1001, SC_NS));
        CHECK(b.cpu.read64(bar0 + 0x98) == 0x2);
        CHECK(b.ram_at(0x100000)[0] == 0x22);  // untouched
        CHECK((b.cpu.read32(config + 0x04) >> 16 & 0x2000) == 0x2000);  // received master abort
    });
    core::set_log_stream(nullptr);
    std::string text = log.str();
    CHECK(lines(text) == 2);
    CHECK(text.find("DMA from 00:01.0 (edu) write of 16 bytes at bus address 0x100000 refused: bus master enable is "
                    "clear") != std::string::npos);
    CHECK(text.find("edu: warning: DMA write to bus address 0x100000 (16 bytes) failed upstream") != std::string::npos);
}

TEST_CASE("edu: with MSI enabled each raise is a write of the message data to the message address, upstream") {
    // The trace stays for unit.trace_schema (no scenario makes edu_msi events).
    const std::string trace = "test_edu_msi.jsonl";
    core::trace_writer::instance().open(trace);
    bench b;
    test::run_script([&] {
        b.enable();
        b.cpu.write32(bar0 + 0x60, 0x1);
        CHECK(b.edu->intx.level());
        b.cpu.write32(config + 0x44, 0x2000);  // message address 0x2000 (in RAM on this bench)
        b.cpu.write32(config + 0x48, 0x0);
        b.cpu.write(config + 0x4c, 0x5a17, 2);  // message data
        b.cpu.write(config + 0x42, 0x0001, 2);  // MSI enable
        CHECK_FALSE(b.edu->intx.level());       // MSI replaces INTx
        sc_core::wait(sc_time(1, SC_NS));
        CHECK(*reinterpret_cast<uint32_t*>(b.ram_at(0x2000)) == 0);  // enabling sends nothing

        b.cpu.write32(bar0 + 0x60, 0x100);
        sc_core::wait(sc_time(1, SC_NS));
        CHECK(*reinterpret_cast<uint32_t*>(b.ram_at(0x2000)) == 0x5a17);  // 4 bytes, little-endian
        CHECK_FALSE(b.edu->intx.level());
        CHECK(b.cpu.read32(bar0 + 0x24) == 0x101);

        // Acknowledging sends nothing; each raise sends one message, the factorial's too.
        std::memset(b.ram_at(0x2000), 0, 4);
        b.cpu.write32(bar0 + 0x64, 0x101);
        sc_core::wait(sc_time(1, SC_NS));
        CHECK(*reinterpret_cast<uint32_t*>(b.ram_at(0x2000)) == 0);
        b.cpu.write32(bar0 + 0x20, 0x80);  // raise 0x001 when the factorial is done
        b.cpu.write32(bar0 + 0x08, 5);
        sc_core::wait(sc_time(101, SC_NS));
        CHECK(b.cpu.read32(bar0 + 0x08) == 120);
        CHECK(*reinterpret_cast<uint32_t*>(b.ram_at(0x2000)) == 0x5a17);

        // MSI off again: INTx for the next raise.
        b.cpu.write(config + 0x42, 0x0000, 2);
        b.cpu.write32(bar0 + 0x60, 0x2);
        CHECK(b.edu->intx.level());
    });
    CHECK(core::trace_writer::instance().close());
    std::ifstream in(trace);
    const std::string events((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(events.find(R"("kind":"edu_msi","src":"edu","address":"0x2000","data":"0x5a17")") != std::string::npos);
}

TEST_CASE("edu: an MSI with bus mastering off is refused by the bridge and reported") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable(0x0002);  // memory decode only
        b.cpu.write32(config + 0x44, 0x2000);
        b.cpu.write(config + 0x4c, 0x1, 2);
        b.cpu.write(config + 0x42, 0x0001, 2);
        b.cpu.write32(bar0 + 0x60, 0x1);
        sc_core::wait(sc_time(1, SC_NS));
        CHECK(*reinterpret_cast<uint32_t*>(b.ram_at(0x2000)) == 0);
        CHECK_FALSE(b.edu->intx.level());
    });
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    CHECK(text.find("edu: warning: MSI write of data 0x1 to bus address 0x2000 failed upstream") != std::string::npos);
}
