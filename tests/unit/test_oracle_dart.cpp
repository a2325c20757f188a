// The isolation oracle (isolation_oracle.h) on the Apple DART, each variant (t8103: t8020
// registers, DART1 PTEs; t6000: t8020 registers, DART2 PTEs; t8110: t8110 registers, DART2 PTEs):
// three streams, each switching its TTBR (TTBR0 on t8020) between two two-level 16 KiB-page
// tables. Programming as Linux's apple-dart does: a TLB invalidation is STREAM_SELECT +
// STREAM_COMMAND.INVALIDATE (t8020) or TLB_CMD (t8110), polled until BUSY clears (per stream at
// best: neither has a per-page invalidation); disabling a stream is TCR = 0 (DMA blocked),
// enabling is TCR's TRANSLATE_ENABLE; a fault's ERROR is cleared by writing it back.
#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/iommu/dart/dart.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"
#include "tests/unit/isolation_oracle.h"
#include "tests/unit/isolation_oracle_checks.h"

using namespace socsim;

namespace {

constexpr uint64_t RAM_BASE = 0x800000000ull, RAM_SIZE = 0x01000000;
constexpr uint64_t DATA = RAM_BASE + 0x00100000;
constexpr uint64_t IOVA_BASE = 0x40000000, PAGE = 0x4000;
constexpr unsigned STREAMS = 3, PAGES = 16, DATA_PAGES = 24;

// t8020 registers (Linux apple-dart.c).
namespace t8020 {
constexpr uint64_t STREAM_COMMAND = 0x20, STREAM_SELECT = 0x34, ERROR = 0x40, STREAMS_ENABLE = 0xfc;
constexpr uint32_t INVALIDATE = 1u << 20, BUSY = 1u << 2, TCR_TRANSLATE = 1u << 7;
uint64_t tcr(unsigned sid) { return 0x100 + 4 * sid; }
uint64_t ttbr0(unsigned sid) { return 0x200 + 16 * sid; }
uint32_t ttbr_value(uint64_t pa) { return static_cast<uint32_t>(pa >> 12) | (1u << 31); }
} // namespace t8020

// t8110 registers (Linux apple-dart.c): one TTBR per stream, TLB commands by stream or for all.
namespace t8110 {
constexpr uint64_t TLB_CMD = 0x80, ERROR = 0x100, ENABLE_STREAMS = 0xc00;
constexpr uint32_t BUSY = 1u << 31, FLUSH_ALL = 0 << 8, FLUSH_STREAM = 1 << 8, TCR_TRANSLATE = 1;
uint64_t tcr(unsigned sid) { return 0x1000 + 4 * sid; }
uint64_t ttbr(unsigned sid) { return 0x1400 + 4 * sid; }
uint32_t ttbr_value(uint64_t pa) { return static_cast<uint32_t>(pa >> 12) | 1u; }
} // namespace t8110

iommu::dart::config make_config(const char* compatible, bool check_stale = true) {
    iommu::dart::config c;
    c.variant = iommu::find_dart_variant(compatible);
    REQUIRE(c.variant);
    c.check_stale = check_stale;
    return c;
}

class dart_driver : public test::oracle::iommu_driver {
public:
    dart_driver(const char* compatible, const iommu::dart::config& cfg)
        : compatible(compatible), t8110_layout(std::string(compatible) == "apple,t8110-dart"), dart("dart", cfg) {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        dart.downstream.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        cpu.socket.bind(dart.socket);
        dma_master.socket.bind(dart.upstream);
        mem.socket.bind(bus.target_socket);
        core::set_log_stream(&log);
    }
    ~dart_driver() override { core::set_log_stream(nullptr); }

    void bring_up() {
        const auto& fmt = dart.format();
        for (unsigned s = 0; s < STREAMS; ++s)
            for (unsigned t = 0; t < 2; ++t) {
                l1[s][t] = alloc_table();
                l2[s][t] = alloc_table();
                w64(l1[s][t] + ((IOVA_BASE >> 25) & 0x7ff) * 8, fmt.table_descriptor(l2[s][t]));
            }
        // Every stream enabled, as Linux writes it.
        if (t8110_layout)
            cpu.write32(t8110::ENABLE_STREAMS, 0xffffffff);
        else
            cpu.write32(t8020::STREAMS_ENABLE, 0xffff);
    }

    std::string name() const override { return compatible; }
    unsigned streams() const override { return STREAMS; }
    unsigned contexts() const override { return STREAMS; }
    unsigned context_of(unsigned stream) const override { return stream; }
    unsigned pages() const override { return PAGES; }
    unsigned data_pages() const override { return DATA_PAGES; }
    uint64_t page_size() const override { return PAGE; }
    uint64_t iova(unsigned page) const override { return IOVA_BASE + uint64_t{page} * PAGE; }
    uint64_t data_address(unsigned page) const override { return DATA + uint64_t{page} * PAGE; }
    std::vector<std::pair<bool, bool>> permissions() const override {
        return {{true, true}, {true, false}, {false, true}};
    }

    void write_entry(unsigned ctx, unsigned table, unsigned page, const test::oracle::entry& e) override {
        const uint64_t d = e ? dart.format().leaf_descriptor(data_address(e->data_page), e->read, e->write) : 0;
        w64(l2[ctx][table] + ((iova(page) >> 14) & 0x7ff) * 8, d);
    }
    // Neither layout invalidates a single page: the stream's whole TLB goes.
    void invalidate_page(unsigned ctx, unsigned) override { invalidate_context(ctx); }
    void invalidate_context(unsigned ctx) override {
        if (t8110_layout)
            tlb_command(t8110::FLUSH_STREAM | ctx);
        else
            invalidate_streams(1u << ctx);
    }
    void invalidate_all() override {
        if (t8110_layout)
            tlb_command(t8110::FLUSH_ALL);
        else
            invalidate_streams(0xffff);
    }
    void select_table(unsigned ctx, unsigned table) override {
        if (t8110_layout)
            cpu.write32(t8110::ttbr(ctx), t8110::ttbr_value(l1[ctx][table]));
        else
            cpu.write32(t8020::ttbr0(ctx), t8020::ttbr_value(l1[ctx][table]));
    }
    void set_enabled(bool on) override {
        for (unsigned s = 0; s < STREAMS; ++s) {
            if (t8110_layout)
                cpu.write32(t8110::tcr(s), on ? t8110::TCR_TRANSLATE : 0);
            else
                cpu.write32(t8020::tcr(s), on ? t8020::TCR_TRANSLATE : 0);
        }
    }
    tlm::tlm_response_status dma(unsigned stream, uint64_t iova, unsigned char* data, unsigned len,
                                 bool write) override {
        dma_master.set_stream(stream);
        return dma_master.access(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, iova, data, len);
    }
    void recover() override {
        const uint64_t error = t8110_layout ? t8110::ERROR : t8020::ERROR;
        cpu.write32(error, cpu.read32(error));
    }
    uint64_t stale_uses() const override { return dart.checker().stale_uses(); }

    std::string compatible;
    bool t8110_layout;
    bus::router bus{"bus"};
    memory::ram ram{"ram", RAM_SIZE};
    test::oracle::memory_tap tap{"tap"};
    iommu::dart dart;
    test::test_initiator cpu{"cpu"}, dma_master{"dma"}, mem{"mem"};
    std::ostringstream log;

private:
    uint64_t alloc_table() {
        const uint64_t t = next_free;
        next_free += PAGE;
        for (uint64_t i = 0; i < PAGE; i += 8) w64(t + i, 0);
        return t;
    }
    void w64(uint64_t addr, uint64_t v) { REQUIRE(mem.debug_write(addr, &v, 8) == 8); }
    void invalidate_streams(uint32_t streams) {
        cpu.write32(t8020::STREAM_SELECT, streams);
        cpu.write32(t8020::STREAM_COMMAND, t8020::INVALIDATE);
        unsigned polls = 0;
        while (cpu.read32(t8020::STREAM_COMMAND) & t8020::BUSY) REQUIRE(++polls < 100);
    }
    void tlb_command(uint32_t command) {
        cpu.write32(t8110::TLB_CMD, command);
        unsigned polls = 0;
        while (cpu.read32(t8110::TLB_CMD) & t8110::BUSY) REQUIRE(++polls < 100);
    }

    uint64_t next_free = RAM_BASE + 0x00800000;
    uint64_t l1[STREAMS][2] = {}, l2[STREAMS][2] = {};
};

void check_isolation(const char* compatible) {
    dart_driver d(compatible, make_config(compatible));
    test::oracle::check_isolation(d, d.name());
}

} // namespace

TEST_CASE("DART t8103 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    check_isolation("apple,t8103-dart");
}

TEST_CASE("DART t6000 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    check_isolation("apple,t6000-dart");
}

TEST_CASE("DART t8110 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    check_isolation("apple,t8110-dart");
}

TEST_CASE("DART isolation oracle catches escapes: with the stale check off, and a stray write") {
    dart_driver d("apple,t8103-dart", make_config("apple,t8103-dart", false));
    test::oracle::check_catches_escapes(d, [&] { d.dart.checker().set_enabled(true); }, PAGE);
}
