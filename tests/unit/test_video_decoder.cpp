// Both variants of the video decoder through real sockets: an SRLE bitstream decoded into a
// frame with a stride, reference runs (vp9-decoder) reading the reference frame, the video
// engine refusing them and having no REF_ADDR, format garbage, and a DMA error that stalls the
// decoder until RESUME or ABORT.
#include <catch2/catch.hpp>

#include <cstring>
#include <sstream>
#include <vector>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/devices/video_decoder.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using devices::video_decoder;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

constexpr uint64_t regs = 0x1000, ram_base = 0x100000, ram_size = 0x100000;
constexpr uint64_t bs = ram_base, dst = ram_base + 0x20000, ref = ram_base + 0x40000;

struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", ram_size};
    video_decoder dec;
    test::dma_tap tap{"tap"};
    test::test_initiator cpu{"cpu"};

    explicit bench(video_decoder::variant v) : dec("dec", cfg(v)) {
        cpu.socket.bind(bus.target_socket);
        dec.dma.socket.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        bus.map(bus.bind_target(dec.socket), {regs, 0x1000}, "/dec");
        bus.map(bus.bind_target(ram.socket), {ram_base, ram_size}, "/memory");
    }
    static video_decoder::config cfg(video_decoder::variant v) {
        video_decoder::config c;
        c.kind = v;
        c.stream_id = v == video_decoder::variant::vp9 ? 5 : 3;
        return c;
    }
    uint8_t* at(uint64_t a) { return ram.host_pointer() + (a - ram_base); }
    uint32_t word(uint64_t a) {
        uint32_t v;
        std::memcpy(&v, at(a), 4);
        return v;
    }
    // Header and records into RAM at `bs`; returns the length.
    uint32_t bitstream(uint32_t magic, uint16_t w, uint16_t h, const std::vector<std::pair<uint32_t, uint32_t>>& recs) {
        std::memcpy(at(bs), &magic, 4);
        std::memcpy(at(bs + 4), &w, 2);
        std::memcpy(at(bs + 6), &h, 2);
        uint64_t a = bs + 8;
        for (auto [count, pixel] : recs) {
            std::memcpy(at(a), &count, 4);
            std::memcpy(at(a + 4), &pixel, 4);
            a += 8;
        }
        return static_cast<uint32_t>(a - bs);
    }
    void start(uint32_t len, uint32_t stride) {
        cpu.write64(regs + 0x08, bs);
        cpu.write32(regs + 0x10, len);
        cpu.write32(regs + 0x14, stride);
        cpu.write64(regs + 0x18, dst);
        cpu.write32(regs + 0x04, video_decoder::ctl_start);
    }
};

} // namespace

TEST_CASE("video engine: decodes an SRLE bitstream into the frame, with its stride and stream id") {
    bench b(video_decoder::variant::video_engine);
    // 5 x 2: 3 red, 4 green, 3 blue.
    const uint32_t len = b.bitstream(video_decoder::magic, 5, 2, {{3, 0xff0000}, {4, 0x00ff00}, {3, 0x0000ff}});
    test::run_script([&] {
        CHECK(b.cpu.read32(regs + 0x00) == 0x56444543);
        b.cpu.write32(regs + 0x48, video_decoder::int_done);
        b.start(len + 16, 64);  // trailing bytes are ignored
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_busy);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_done);
        CHECK(b.cpu.read32(regs + 0x40) == 1);
        CHECK(b.cpu.read32(regs + 0x4c) == 5);
        CHECK(b.cpu.read32(regs + 0x50) == 2);
        CHECK(b.dec.irq.level());
        uint64_t v;
        CHECK(b.cpu.read(regs + 0x20, v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no REF_ADDR here
    });
    CHECK(b.word(dst + 0) == 0xff0000);
    CHECK(b.word(dst + 8) == 0xff0000);
    CHECK(b.word(dst + 12) == 0x00ff00);
    CHECK(b.word(dst + 16) == 0x00ff00);
    CHECK(b.word(dst + 20) == 0);  // past the line: the stride's gap is untouched
    CHECK(b.word(dst + 64) == 0x00ff00);
    CHECK(b.word(dst + 64 + 4) == 0x00ff00);
    CHECK(b.word(dst + 64 + 8) == 0x0000ff);
    CHECK(b.word(dst + 64 + 16) == 0x0000ff);
    for (const auto& a : b.tap.log) CHECK(a.stream == 3);
}

TEST_CASE("vp9 decoder: reference runs read the reference frame, the video engine refuses them") {
    bench b(video_decoder::variant::vp9);
    for (unsigned i = 0; i < 8; ++i) {
        uint32_t v = 0x100 + i;
        std::memcpy(b.at(ref + 32 * (i / 4) + 4 * (i % 4)), &v, 4);
    }
    // 4 x 2: 1 new pixel, 6 from the reference (across the line), 1 new.
    const uint32_t len = b.bitstream(video_decoder::magic, 4, 2, {{1, 0xabcdef}, {0x80000006, 0}, {1, 0x123456}});
    test::run_script([&] {
        CHECK(b.cpu.read32(regs + 0x00) == 0x56503944);
        b.cpu.write64(regs + 0x20, ref);
        b.start(len, 32);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_done);
    });
    CHECK(b.word(dst + 0) == 0xabcdef);
    CHECK(b.word(dst + 4) == 0x101);
    CHECK(b.word(dst + 12) == 0x103);
    CHECK(b.word(dst + 32) == 0x104);
    CHECK(b.word(dst + 32 + 8) == 0x106);
    CHECK(b.word(dst + 32 + 12) == 0x123456);
    bool read_ref = false;
    for (const auto& a : b.tap.log) read_ref |= !a.write && a.addr >= ref && a.addr < ref + 64;
    CHECK(read_ref);
}

TEST_CASE("video engine: format garbage ends the job with a code and writes nothing") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(video_decoder::variant::video_engine);
    test::run_script([&] {
        struct c {
            uint32_t magic;
            uint16_t w, h;
            std::vector<std::pair<uint32_t, uint32_t>> recs;
            uint32_t extra_len;
            uint32_t stride;
            uint32_t code;
        };
        const std::vector<c> cases = {
            {0x12345678, 2, 2, {{4, 1}}, 0, 64, video_decoder::err_magic},
            {video_decoder::magic, 0, 2, {{4, 1}}, 0, 64, video_decoder::err_dimensions},
            {video_decoder::magic, 5000, 1, {{4, 1}}, 0, 65536, video_decoder::err_dimensions},
            {video_decoder::magic, 20, 1, {{20, 1}}, 0, 64, video_decoder::err_dimensions},  // stride < 80
            {video_decoder::magic, 2, 2, {{0, 1}}, 0, 64, video_decoder::err_zero_run},
            {video_decoder::magic, 2, 2, {{5, 1}}, 0, 64, video_decoder::err_overrun},
            {video_decoder::magic, 2, 2, {{3, 1}}, 0, 64, video_decoder::err_truncated},
            {video_decoder::magic, 2, 2, {{0x80000004, 0}}, 0, 64, video_decoder::err_no_reference},
        };
        for (const c& k : cases) {
            const uint32_t len = b.bitstream(k.magic, k.w, k.h, k.recs);
            b.start(len + k.extra_len, k.stride);
            sc_core::wait(sc_time(1, SC_US));
            CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_format_error);
            CHECK(b.cpu.read32(regs + 0x34) == k.code);
        }
        b.start(4, 64);  // shorter than the header
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x34) == video_decoder::err_truncated);
        b.start(video_decoder::max_bitstream + 1, 64);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x34) == video_decoder::err_too_long);
        CHECK(b.cpu.read32(regs + 0x40) == 0);
        for (const auto& a : b.tap.log) CHECK_FALSE(a.write);
    });
    core::set_log_stream(nullptr);
}

TEST_CASE("video engine: a faulting frame write stalls until RESUME, then ABORT ends a second stall") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(video_decoder::variant::video_engine);
    b.tap.fault_base = dst + 64;  // line 1 faults (the IOMMU stalls or aborts it)
    b.tap.fault_size = 64;
    const uint32_t len = b.bitstream(video_decoder::magic, 4, 2, {{8, 0x777777}});
    test::run_script([&] {
        b.cpu.write32(regs + 0x48, video_decoder::int_error);
        b.cpu.write32(regs + 0x04, video_decoder::ctl_resume);  // not stalled: ignored
        b.start(len, 64);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == (video_decoder::st_busy | video_decoder::st_dma_error));
        CHECK(b.cpu.read32(regs + 0x34) == video_decoder::err_frame_write);
        CHECK(b.cpu.read64(regs + 0x38) == dst + 64);
        CHECK(b.dec.irq.level());
        b.cpu.write32(regs + 0x04, video_decoder::ctl_start);  // ignored while stalled
        sc_core::wait(sc_time(10, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == (video_decoder::st_busy | video_decoder::st_dma_error));
        b.tap.fault_size = 0;  // firmware fixed the mapping
        b.cpu.write32(regs + 0x44, video_decoder::int_error);
        b.cpu.write32(regs + 0x04, video_decoder::ctl_resume);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_done);
        CHECK(b.cpu.read32(regs + 0x40) == 1);
        CHECK(b.word(dst + 64 + 12) == 0x777777);
        b.tap.fault_size = 64;
        b.start(len, 64);
        sc_core::wait(sc_time(1, SC_US));
        CHECK((b.cpu.read32(regs + 0x30) & video_decoder::st_dma_error) != 0);
        b.cpu.write32(regs + 0x04, video_decoder::ctl_abort);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_aborted);
        CHECK(b.cpu.read32(regs + 0x40) == 1);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("stalled: frame write failed") != std::string::npos);
    CHECK(log.str().find("START while a job is running or stalled") != std::string::npos);
    CHECK(log.str().find("RESUME while not stalled") != std::string::npos);
}

TEST_CASE("video engine: RESUME and ABORT clear DMA_ERROR at the register write, before the job moves") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(video_decoder::variant::video_engine);
    b.tap.fault_base = dst;  // the first frame line faults
    b.tap.fault_size = 64;
    const uint32_t len = b.bitstream(video_decoder::magic, 4, 2, {{8, 0x123456}});
    test::run_script([&] {
        b.start(len, 64);
        sc_core::wait(sc_time(1, SC_US));
        REQUIRE(b.cpu.read32(regs + 0x30) == (video_decoder::st_busy | video_decoder::st_dma_error));
        // Still faulting: the resumed job stalls again, but the poll right after RESUME (no
        // simulated time in between) must read BUSY alone, not the stall it answered.
        b.cpu.write32(regs + 0x04, video_decoder::ctl_resume);
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_busy);
        b.cpu.write32(regs + 0x04, video_decoder::ctl_resume);  // not stalled any more: ignored
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == (video_decoder::st_busy | video_decoder::st_dma_error));
        b.cpu.write32(regs + 0x04, video_decoder::ctl_abort);
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_busy);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.cpu.read32(regs + 0x30) == video_decoder::st_aborted);
        CHECK(b.cpu.read32(regs + 0x40) == 0);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("RESUME while not stalled: ignored") != std::string::npos);
}
