// The platform DMA engine through real sockets: CPU -> registers; engine -> tap (stream ids,
// faults) -> router -> RAM. Copy and fill with status write-back, time, interrupts, and garbage:
// an unmapped ring, zero length, a bad opcode, a faulting source, an invalid ring. The status
// timeline (dma_engine.h): BUSY from the doorbell write, each descriptor's data, status and HEAD
// at their times, BUSY clearing exactly when HEAD reaches TAIL.
#include <catch2/catch.hpp>

#include <cstring>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/devices/dma_engine.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using devices::dma_engine;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

constexpr uint64_t regs = 0x1000, ram_base = 0x100000, ram_size = 0x100000;
constexpr uint64_t ring = ram_base, buf_a = ram_base + 0x10000, buf_b = ram_base + 0x20000;

struct bench {
    bus::router bus{"bus"};
    memory::ram ram;
    dma_engine engine;
    test::dma_tap tap{"tap"};
    test::test_initiator cpu{"cpu"};

    static dma_engine::config cfg() {
        dma_engine::config c;
        c.stream_id = 7;
        c.per_descriptor = sc_time(100, SC_NS);
        c.per_byte = sc_time(1, SC_NS);
        return c;
    }
    explicit bench(sc_time ram_latency = sc_core::SC_ZERO_TIME)
        : ram("ram", ram_size, ram_latency), engine("engine", cfg()) {
        cpu.socket.bind(bus.target_socket);
        engine.dma.socket.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        bus.map(bus.bind_target(engine.socket), {regs, 0x1000}, "/engine");
        bus.map(bus.bind_target(ram.socket), {ram_base, ram_size}, "/memory");
    }
    uint8_t* at(uint64_t a) { return ram.host_pointer() + (a - ram_base); }
    void descriptor(unsigned i, uint32_t control, uint64_t src, uint64_t dst, uint32_t len, uint64_t base = ring) {
        uint8_t* d = at(base + 32 * i);
        std::memset(d, 0, 32);
        std::memcpy(d, &control, 4);
        std::memcpy(d + 8, &src, 8);
        std::memcpy(d + 16, &dst, 8);
        std::memcpy(d + 24, &len, 4);
    }
    uint32_t status_of(unsigned i) {
        uint32_t s;
        std::memcpy(&s, at(ring + 32 * i + 4), 4);
        return s;
    }
    void setup(uint64_t base = ring, uint32_t size = 8) {
        cpu.write64(regs + 0x08, base);
        cpu.write32(regs + 0x10, size);
        cpu.write32(regs + 0x14, 1);
    }
    void kick(uint32_t tail) {
        cpu.write32(regs + 0x1c, tail);
        cpu.write32(regs + 0x20, 1);
    }
};

} // namespace

TEST_CASE("DMA engine: copy and fill from the ring, status written back, stream id on every access") {
    bench b;
    for (unsigned i = 0; i < 4096; ++i) b.at(buf_a)[i] = static_cast<uint8_t>(i * 7);
    b.descriptor(0, dma_engine::op_copy, buf_a + 100, buf_b + 3, 5000);  // crosses 4 KiB boundaries
    b.descriptor(1, dma_engine::op_fill | dma_engine::desc_irq, 0xa1b2c3d4, buf_b + 0x8000, 64);
    test::run_script([&] {
        CHECK(b.cpu.read32(regs + 0x00) == dma_engine::id_value);
        b.setup();
        b.cpu.write32(regs + 0x2c, dma_engine::int_done);
        b.kick(2);
        sc_core::wait(sc_time(1, SC_NS));
        CHECK((b.cpu.read32(regs + 0x24) & dma_engine::status_busy) != 0);
        // 100 ns + 5000 ns, then 100 ns + 64 ns.
        sc_core::wait(sc_time(5300, SC_NS));
        CHECK(b.cpu.read32(regs + 0x24) == 0);
        CHECK(b.cpu.read32(regs + 0x18) == 2);
        CHECK(b.cpu.read32(regs + 0x40) == 2);
        CHECK(b.status_of(0) == dma_engine::st_ok);
        CHECK(b.status_of(1) == dma_engine::st_ok);
        CHECK(std::memcmp(b.at(buf_b + 3), b.at(buf_a + 100), 5000) == 0);
        CHECK(b.at(buf_b + 3)[0] == static_cast<uint8_t>(100 * 7));
        CHECK(b.at(buf_b + 2)[0] == 0);
        CHECK(b.at(buf_b + 3 + 5000)[0] == 0);
        const uint8_t fill[8] = {0xd4, 0xc3, 0xb2, 0xa1, 0xd4, 0xc3, 0xb2, 0xa1};
        CHECK(std::memcmp(b.at(buf_b + 0x8000 + 56), fill, 8) == 0);
        CHECK(b.at(buf_b + 0x8000 + 64)[0] == 0);
        CHECK(b.cpu.read32(regs + 0x28) == dma_engine::int_done);
        CHECK(b.engine.irq.level());
        b.cpu.write32(regs + 0x28, dma_engine::int_done);
        CHECK_FALSE(b.engine.irq.level());
        for (const auto& a : b.tap.log) {
            CHECK(a.stream == 7);
            CHECK((a.addr & 0xfff) + a.len <= 4096);  // no burst crosses 4 KiB
        }
    });
}

TEST_CASE("DMA engine: a faulting source stops the engine with the code, index and address, until ERROR_CLEAR") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    b.tap.fault_base = buf_a + 0x1000;  // the IOMMU faults the source's second page
    b.tap.fault_size = 0x1000;
    b.descriptor(0, dma_engine::op_copy, buf_a, buf_b, 0x2000);
    b.descriptor(1, dma_engine::op_fill, 0x11111111, buf_b, 16);
    test::run_script([&] {
        b.setup();
        b.cpu.write32(regs + 0x2c, dma_engine::int_error);
        b.kick(2);
        sc_core::wait(sc_time(20, sc_core::SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == dma_engine::status_error);
        CHECK(b.cpu.read32(regs + 0x30) == dma_engine::st_src_error);
        CHECK(b.cpu.read32(regs + 0x34) == 0);
        CHECK(b.cpu.read64(regs + 0x38) == buf_a + 0x1000);
        CHECK(b.status_of(0) == dma_engine::st_src_error);
        CHECK(b.status_of(1) == 0);  // not processed
        CHECK(b.cpu.read32(regs + 0x18) == 1);
        CHECK(b.engine.irq.level());
        b.cpu.write32(regs + 0x20, 1);  // ignored while stopped
        sc_core::wait(sc_time(1, sc_core::SC_US));
        CHECK(b.status_of(1) == 0);
        b.cpu.write32(regs + 0x44, 1);
        CHECK(b.cpu.read32(regs + 0x24) == 0);
        b.cpu.write32(regs + 0x20, 1);
        sc_core::wait(sc_time(1, sc_core::SC_US));
        CHECK(b.status_of(1) == dma_engine::st_ok);
        CHECK(b.cpu.read32(regs + 0x40) == 1);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("SRC_ERROR") != std::string::npos);
    CHECK(log.str().find("doorbell while stopped") != std::string::npos);
}

TEST_CASE("DMA engine: garbage descriptors: zero length, bad opcode, faulting destination") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    b.descriptor(0, 0, buf_a, buf_b, 16);                           // opcode 0
    b.descriptor(1, dma_engine::op_copy, buf_a, buf_b, 0);          // zero length
    b.descriptor(2, 0xff, buf_a, buf_b, 16);                        // opcode 0xff
    b.descriptor(3, dma_engine::op_copy, buf_a, 0xdead0000, 16);    // nothing at the destination
    test::run_script([&] {
        b.setup();
        const uint32_t expect[] = {dma_engine::st_bad_opcode, dma_engine::st_bad_length, dma_engine::st_bad_opcode,
                                   dma_engine::st_dst_error};
        for (unsigned i = 0; i < 4; ++i) {
            b.kick(4);
            sc_core::wait(sc_time(1, sc_core::SC_US));
            CHECK(b.status_of(i) == expect[i]);
            CHECK(b.cpu.read32(regs + 0x30) == expect[i]);
            CHECK(b.cpu.read32(regs + 0x34) == i);
            CHECK(b.cpu.read32(regs + 0x18) == i + 1);
            b.cpu.write32(regs + 0x44, 1);
        }
        CHECK(b.cpu.read64(regs + 0x38) == 0);  // cleared
        CHECK(b.cpu.read32(regs + 0x40) == 0);
    });
    core::set_log_stream(nullptr);
}

TEST_CASE("DMA engine: an unmapped ring, an invalid ring size or tail, and a disabled engine") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.setup(0x40000000);  // nothing there
        b.kick(1);
        sc_core::wait(sc_time(1, sc_core::SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == dma_engine::status_error);
        CHECK(b.cpu.read32(regs + 0x30) == dma_engine::st_desc_read);
        CHECK(b.cpu.read64(regs + 0x38) == 0x40000000);
        CHECK(b.cpu.read32(regs + 0x18) == 0);  // HEAD stays on a failed fetch
        b.cpu.write32(regs + 0x44, 1);
        b.cpu.write32(regs + 0x10, 0);  // RING_SIZE 0
        b.cpu.write32(regs + 0x20, 1);
        CHECK(b.cpu.read32(regs + 0x30) == dma_engine::st_bad_ring);
        b.cpu.write32(regs + 0x44, 1);
        b.cpu.write32(regs + 0x10, 4);
        b.kick(9);  // TAIL beyond the ring
        CHECK(b.cpu.read32(regs + 0x30) == dma_engine::st_bad_ring);
        b.cpu.write32(regs + 0x44, 1);
        b.cpu.write32(regs + 0x14, 0);  // disabled: the doorbell is ignored
        b.kick(1);
        sc_core::wait(sc_time(1, sc_core::SC_US));
        CHECK(b.cpu.read32(regs + 0x24) == 0);
        CHECK(b.cpu.read32(regs + 0x08) == 0x40000000);
        b.cpu.write64(regs + 0x08, 0x1234567f);  // low 5 bits read 0
        CHECK(b.cpu.read64(regs + 0x08) == 0x12345660);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("DESC_READ") != std::string::npos);
    CHECK(log.str().find("CONTROL.ENABLE is 0") != std::string::npos);
}

namespace {

// Waits until simulated time `t`, then one delta cycle, so that everything the engine does at
// `t` has happened.
void until(sc_time t) {
    if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
    sc_core::wait(sc_core::SC_ZERO_TIME);
}

// Just before `t`: one picosecond earlier.
sc_time before(sc_time t) { return t - sc_time(1, sc_core::SC_PS); }

} // namespace

TEST_CASE("DMA engine timeline: BUSY from the doorbell, each descriptor's data, status and HEAD at its time, "
          "BUSY clears with HEAD reaching TAIL") {
    const sc_time lat(10, SC_NS);  // every RAM access
    bench b(lat);
    for (unsigned i = 0; i < 64; ++i) b.at(buf_a)[i] = static_cast<uint8_t>(i + 1);
    b.descriptor(0, dma_engine::op_copy, buf_a, buf_b, 64);
    b.descriptor(1, dma_engine::op_fill, 0x55aa55aa, buf_b + 0x100, 32);
    test::run_script([&] {
        b.setup();
        until(sc_time(1000, SC_NS));
        b.cpu.write32(regs + 0x1c, 2);
        // The doorbell write is annotated 50 ns ahead of SystemC time (as a CPU running ahead
        // does): the engine starts at t0 = 1050 ns, BUSY reads 1 at once.
        b.cpu.delay = sc_time(50, SC_NS);
        b.cpu.write32(regs + 0x20, 1);
        const sc_time t0(1050, SC_NS);
        CHECK((b.cpu.read32(regs + 0x24) & dma_engine::status_busy) != 0);
        CHECK(b.cpu.read32(regs + 0x18) == 0);
        b.cpu.delay = sc_core::SC_ZERO_TIME;
        until(before(t0));
        CHECK(b.tap.log.empty());  // nothing before the doorbell's time
        CHECK((b.cpu.read32(regs + 0x24) & dma_engine::status_busy) != 0);

        // Descriptor 0: fetch at t0 (+10), 100 ns, read at t0 + 110 (+10), write at t0 + 120
        // (+10), 64 bytes at 1 ns: completes at c0 = t0 + 194 ns.
        const sc_time c0 = t0 + sc_time(194, SC_NS);
        until(before(c0));
        CHECK(std::memcmp(b.at(buf_b), b.at(buf_a), 64) == 0);  // data before status
        CHECK(b.status_of(0) == 0);
        CHECK(b.cpu.read32(regs + 0x18) == 0);
        CHECK(b.cpu.read32(regs + 0x40) == 0);
        CHECK(b.cpu.read32(regs + 0x24) == dma_engine::status_busy);
        until(c0);
        CHECK(b.status_of(0) == dma_engine::st_ok);
        CHECK(b.cpu.read32(regs + 0x18) == 1);
        CHECK(b.cpu.read32(regs + 0x40) == 1);
        CHECK(b.cpu.read32(regs + 0x24) == dma_engine::status_busy);  // HEAD != TAIL

        // Descriptor 1 starts when the write-back's 10 ns have passed: fetch (+10), 100 ns,
        // write (+10), 32 bytes: completes at c1 = c0 + 10 + 152 ns.
        const sc_time c1 = c0 + sc_time(162, SC_NS);
        until(before(c1));
        CHECK(b.cpu.read32(regs + 0x18) == 1);
        CHECK(b.cpu.read32(regs + 0x24) == dma_engine::status_busy);
        CHECK(b.status_of(1) == 0);
        until(c1);
        CHECK(b.cpu.read32(regs + 0x18) == 2);
        CHECK(b.cpu.read32(regs + 0x24) == 0);  // BUSY clears exactly as HEAD reaches TAIL
        CHECK(b.status_of(1) == dma_engine::st_ok);
        CHECK(b.cpu.read32(regs + 0x40) == 2);
    });
}

TEST_CASE("DMA engine timeline: a doorbell rung while running extends the run, BUSY never drops in between") {
    bench b;
    for (unsigned i = 0; i < 4; ++i) b.descriptor(i, dma_engine::op_fill, 0x01010101 * (i + 1), buf_b + 0x100 * i, 100);
    test::run_script([&] {
        b.setup();
        b.kick(2);  // at 0: descriptors 0 and 1, 200 ns each (no bus latency)
        until(sc_time(250, SC_NS));
        CHECK(b.cpu.read32(regs + 0x18) == 1);
        b.kick(4);  // at 250 ns, while descriptor 1 runs
        for (unsigned ns = 251; ns < 900; ++ns) {
            until(sc_time(ns, SC_NS));
            const uint32_t head = b.cpu.read32(regs + 0x18);
            const uint32_t busy = b.cpu.read32(regs + 0x24) & dma_engine::status_busy;
            INFO("at " << ns << " ns: HEAD " << head);
            CHECK(head == ns / 200);
            CHECK(busy == (head != 4 ? 1u : 0u));
        }
        CHECK(b.status_of(3) == dma_engine::st_ok);
    });
}

TEST_CASE("DMA engine timeline: a failure clears BUSY at the failure's time, with HEAD past the descriptor") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    b.tap.fault_base = buf_a;
    b.tap.fault_size = 0x1000;
    b.descriptor(0, dma_engine::op_fill, 0x12345678, buf_b, 50);
    b.descriptor(1, dma_engine::op_copy, buf_a, buf_b, 50);  // its source faults
    test::run_script([&] {
        b.setup();
        b.kick(2);
        // Descriptor 0: 100 + 50 ns. Descriptor 1 from 150 ns: its source read fails at 250 ns.
        until(before(sc_time(250, SC_NS)));
        CHECK(b.cpu.read32(regs + 0x18) == 1);
        CHECK(b.cpu.read32(regs + 0x24) == dma_engine::status_busy);
        until(sc_time(250, SC_NS));
        CHECK(b.cpu.read32(regs + 0x24) == dma_engine::status_error);
        CHECK(b.cpu.read32(regs + 0x18) == 2);
        CHECK(b.status_of(1) == dma_engine::st_src_error);
    });
    core::set_log_stream(nullptr);
}
