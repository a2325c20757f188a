// The isolation oracle (isolation_oracle.h) on the Apple DART (t8020 register layout: t8103 with
// DART1 PTEs, t6000 with DART2 PTEs): three streams, each switching its TTBR0 between two
// two-level 16 KiB-page tables. Programming as Linux's apple-dart does: a TLB invalidation is
// STREAM_SELECT + STREAM_COMMAND.INVALIDATE, polled until BUSY clears (per stream: the t8020 has
// no per-page invalidation); disabling a stream is TCR = 0 (DMA blocked), enabling is
// TCR.TRANSLATE_ENABLE; a fault's ERROR is cleared by writing it back.
#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/iommu/dart/dart.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"
#include "tests/unit/isolation_oracle.h"

using namespace socsim;

namespace {

constexpr uint64_t RAM_BASE = 0x800000000ull, RAM_SIZE = 0x01000000;
constexpr uint64_t DATA = RAM_BASE + 0x00100000;
constexpr uint64_t IOVA_BASE = 0x40000000, PAGE = 0x4000;
constexpr unsigned STREAMS = 3, PAGES = 16, DATA_PAGES = 24;

// t8020 registers (Linux apple-dart.c).
constexpr uint64_t STREAM_COMMAND = 0x20, STREAM_SELECT = 0x34, ERROR = 0x40;
constexpr uint32_t INVALIDATE = 1u << 20, BUSY = 1u << 2, TCR_TRANSLATE = 1u << 7;
uint64_t tcr(unsigned sid) { return 0x100 + 4 * sid; }
uint64_t ttbr0(unsigned sid) { return 0x200 + 16 * sid; }

iommu::dart::config make_config(const char* compatible, bool check_stale = true) {
    iommu::dart::config c;
    c.variant = iommu::find_dart_variant(compatible);
    REQUIRE(c.variant);
    c.check_stale = check_stale;
    return c;
}

class dart_driver : public test::oracle::iommu_driver {
public:
    dart_driver(const char* compatible, const iommu::dart::config& cfg) : compatible(compatible), dart("dart", cfg) {
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
        cpu.write32(0xfc, 0xffff);  // STREAMS_ENABLE, as Linux writes it
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
    void invalidate_page(unsigned ctx, unsigned) override { invalidate(1u << ctx); }
    void invalidate_context(unsigned ctx) override { invalidate(1u << ctx); }
    void invalidate_all() override { invalidate(0xffff); }
    void select_table(unsigned ctx, unsigned table) override {
        cpu.write32(ttbr0(ctx), static_cast<uint32_t>(l1[ctx][table] >> 12) | (1u << 31));
    }
    void set_enabled(bool on) override {
        for (unsigned s = 0; s < STREAMS; ++s) cpu.write32(tcr(s), on ? TCR_TRANSLATE : 0);
    }
    tlm::tlm_response_status dma(unsigned stream, uint64_t iova, unsigned char* data, unsigned len,
                                 bool write) override {
        dma_master.set_stream(stream);
        return dma_master.access(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, iova, data, len);
    }
    void recover() override { cpu.write32(ERROR, cpu.read32(ERROR)); }
    uint64_t stale_uses() const override { return dart.checker().stale_uses(); }

    std::string compatible;
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
    void invalidate(uint32_t streams) {
        cpu.write32(STREAM_SELECT, streams);
        cpu.write32(STREAM_COMMAND, INVALIDATE);
        unsigned polls = 0;
        while (cpu.read32(STREAM_COMMAND) & BUSY) REQUIRE(++polls < 100);
    }

    uint64_t next_free = RAM_BASE + 0x00800000;
    uint64_t l1[STREAMS][2] = {}, l2[STREAMS][2] = {};
};

void check_isolation(const char* compatible) {
    dart_driver d(compatible, make_config(compatible));
    test::oracle::figures f;
    test::run_script(
        [&] {
            d.bring_up();
            f = test::oracle::run(d, d.tap, test::oracle::run_options::from_environment(500));
        },
        sc_core::sc_time(1e6, sc_core::SC_SEC));
    std::cout << "isolation oracle, " << d.name() << ": " << f.summary() << "\n";
    INFO(f.first_failure);
    CHECK(f.dmas > 1000);
    CHECK(f.stale_reported > 0);
    CHECK(f.escapes == 0);
    CHECK(f.violations == 0);
}

} // namespace

TEST_CASE("DART t8103 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    check_isolation("apple,t8103-dart");
}

TEST_CASE("DART t6000 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    check_isolation("apple,t6000-dart");
}

TEST_CASE("DART isolation oracle catches escapes: with the stale check off, and a stray write") {
    dart_driver d("apple,t8103-dart", make_config("apple,t8103-dart", false));
    test::oracle::figures unchecked, stray;
    test::run_script(
        [&] {
            d.bring_up();
            test::oracle::run_options o;
            o.sequences = 40;
            unchecked = test::oracle::run(d, d.tap, o);
            d.dart.checker().set_enabled(true);
            d.tap.rogue_offset = PAGE;  // the next DMA write also lands on the next page
            o.sequences = 4;
            stray = test::oracle::run(d, d.tap, o);
        },
        sc_core::sc_time(1e6, sc_core::SC_SEC));
    INFO(unchecked.first_failure);
    CHECK(unchecked.escapes > 0);
    CHECK(unchecked.first_failure.find("silent escape") != std::string::npos);
    INFO(stray.first_failure);
    CHECK(stray.escapes == 1);
}
