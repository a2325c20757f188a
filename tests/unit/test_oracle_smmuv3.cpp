// The isolation oracle (isolation_oracle.h) on the SMMUv3: three streams, each with its own STE,
// CD and ASID, switching its CD's TTB0 between two 4-level 4 KiB-granule tables.
// Programming as Linux's arm-smmu-v3 does: TLBI_NH_VA / TLBI_NH_ASID / TLBI_NH_ALL then CMD_SYNC;
// a TTB0 change is a CD write followed by CFGI_CD and CMD_SYNC (a CD changed without CFGI may
// keep its old meaning architecturally, so the oracle does not try that); disabling is
// CR0.SMMUEN = 0 with GBPA.ABORT = 1 (DMA aborted).
#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/iommu/smmuv3/smmuv3.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"
#include "tests/unit/isolation_oracle.h"
#include "tests/unit/isolation_oracle_checks.h"

using namespace socsim;
using namespace socsim::iommu::smmuv3_reg;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000, RAM_SIZE = 0x01000000;
constexpr uint64_t DATA = RAM_BASE + 0x00100000;  // the pages devices may be given
constexpr uint64_t IOVA_BASE = 0x80000000;
constexpr unsigned STREAMS = 3, PAGES = 16, DATA_PAGES = 24;

constexpr uint64_t CMD_CFGI_CD = 0x05, CMD_CFGI_ALL = 0x04, CMD_TLBI_NH_ALL = 0x10, CMD_TLBI_NH_ASID = 0x11,
                   CMD_TLBI_NH_VA = 0x12, CMD_TLBI_NSNH_ALL = 0x30, CMD_SYNC = 0x46;
// Leaf page descriptor: valid page, AF, AP[1] (devices access unprivileged), nG; AP[2] = read-only.
constexpr uint64_t LEAF = 3 | (1ull << 10) | (1ull << 6) | (1ull << 11), READ_ONLY = 1ull << 7;

class smmuv3_driver : public test::oracle::iommu_driver {
public:
    explicit smmuv3_driver(const iommu::smmuv3::config& cfg = {}) : smmu("smmu", cfg) {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        smmu.downstream.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        cpu.socket.bind(smmu.socket);
        dma_master.socket.bind(smmu.upstream);
        mem.socket.bind(bus.target_socket);
        core::set_log_stream(&log);
    }
    ~smmuv3_driver() override { core::set_log_stream(nullptr); }

    // Linux's reset order: stream table, command queue, event queue, then SMMUEN; GBPA aborts.
    void bring_up() {
        strtab = alloc(64 * 16, 64 * 16);
        cpu.write64(STRTAB_BASE, strtab);
        cpu.write32(STRTAB_BASE_CFG, 4);  // linear, 16 streams
        cmdq = alloc(16 << cmdq_log2, 16 << cmdq_log2);
        cpu.write64(CMDQ_BASE, cmdq | cmdq_log2);
        cpu.write32(CR0, 0x8);  // CMDQEN
        command(CMD_CFGI_ALL, 31);
        command(CMD_TLBI_NSNH_ALL);
        command(CMD_SYNC);
        const uint64_t eventq = alloc(32 << 5, 32 << 5);
        cpu.write64(EVENTQ_BASE, eventq | 5);
        cpu.write32(GBPA, (1u << 31) | (1u << 20));  // Update, ABORT
        for (unsigned s = 0; s < STREAMS; ++s) {
            for (unsigned t = 0; t < 2; ++t) leaf_table[s][t] = build_table(root[s][t]);
            cd[s] = alloc(64, 64);
            // T0SZ 16, TG0 4K, EPD1, V, IPS 48 bits, AA64, R = 0 (faults not recorded), A = 1
            // (abort), ASID = stream + 1.
            const uint64_t dw0 = 16 | (1ull << 30) | (1ull << 31) | (5ull << 32) | (1ull << 41) | (1ull << 46) |
                                 (uint64_t{s + 1} << 48);
            w64(cd[s], dw0);
            w64(cd[s] + 8, root[s][0]);
            for (unsigned i = 2; i < 8; ++i) w64(cd[s] + 8 * i, 0);
            const uint64_t ste = strtab + 64 * s;
            w64(ste, 1 | (5u << 1) | cd[s]);  // V, Config = stage 1, S1ContextPtr
            for (unsigned i = 1; i < 8; ++i) w64(ste + 8 * i, 0);
        }
        command(CMD_CFGI_ALL, 31);
        command(CMD_SYNC);
        cpu.write32(CR0, 0xd);
        REQUIRE(cpu.read32(CR0ACK) == 0xd);
    }

    std::string name() const override { return "smmuv3"; }
    unsigned streams() const override { return STREAMS; }
    unsigned contexts() const override { return STREAMS; }
    unsigned context_of(unsigned stream) const override { return stream; }
    unsigned pages() const override { return PAGES; }
    unsigned data_pages() const override { return DATA_PAGES; }
    uint64_t page_size() const override { return 0x1000; }
    uint64_t iova(unsigned page) const override { return IOVA_BASE + uint64_t{page} * 0x1000; }
    uint64_t data_address(unsigned page) const override { return DATA + uint64_t{page} * 0x1000; }
    std::vector<std::pair<bool, bool>> permissions() const override { return {{true, true}, {true, false}}; }

    void write_entry(unsigned ctx, unsigned table, unsigned page, const test::oracle::entry& e) override {
        uint64_t d = 0;
        if (e) d = data_address(e->data_page) | LEAF | (e->write ? 0 : READ_ONLY);
        w64(leaf_table[ctx][table] + page * 8, d);
    }
    void invalidate_page(unsigned ctx, unsigned page) override {
        command(CMD_TLBI_NH_VA | (uint64_t{ctx + 1} << 48), iova(page));
        command(CMD_SYNC);
    }
    void invalidate_context(unsigned ctx) override {
        command(CMD_TLBI_NH_ASID | (uint64_t{ctx + 1} << 48));
        command(CMD_SYNC);
    }
    void invalidate_all() override {
        command(CMD_TLBI_NH_ALL);
        command(CMD_SYNC);
    }
    void select_table(unsigned ctx, unsigned table) override {
        w64(cd[ctx] + 8, root[ctx][table]);
        command(CMD_CFGI_CD | (uint64_t{ctx} << 32), 1);
        command(CMD_SYNC);
    }
    void set_enabled(bool on) override {
        cpu.write32(CR0, on ? 0xd : 0xc);
        REQUIRE(cpu.read32(CR0ACK) == (on ? 0xdu : 0xcu));
    }
    tlm::tlm_response_status dma(unsigned stream, uint64_t iova, unsigned char* data, unsigned len,
                                 bool write) override {
        dma_master.set_stream(stream);
        return dma_master.access(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, iova, data, len);
    }
    uint64_t stale_uses() const override { return smmu.checker().stale_uses(); }

    bus::router bus{"bus"};
    memory::ram ram{"ram", RAM_SIZE};
    test::oracle::memory_tap tap{"tap"};
    iommu::smmuv3 smmu;
    test::test_initiator cpu{"cpu"}, dma_master{"dma"}, mem{"mem"};
    std::ostringstream log;

private:
    uint64_t alloc(uint64_t bytes, uint64_t align) {
        next_free = (next_free + align - 1) & ~(align - 1);
        const uint64_t a = next_free;
        next_free += bytes;
        for (uint64_t i = 0; i < bytes; i += 8) w64(a + i, 0);
        return a;
    }
    void w64(uint64_t addr, uint64_t v) { REQUIRE(mem.debug_write(addr, &v, 8) == 8); }
    // Levels 0..2 down to a level-3 table holding the IOVA pages; returns that table.
    uint64_t build_table(uint64_t& root_out) {
        uint64_t table = root_out = alloc(0x1000, 0x1000);
        for (int level = 0; level < 3; ++level) {
            const unsigned shift = 12 + 9 * (3 - level);
            const uint64_t next = alloc(0x1000, 0x1000);
            w64(table + ((IOVA_BASE >> shift) & 0x1ff) * 8, next | 3);
            table = next;
        }
        return table + ((IOVA_BASE >> 12) & 0x1ff) * 8;  // PAGES fit in one level-3 table
    }
    void command(uint64_t dw0, uint64_t dw1 = 0) {
        const uint32_t index = cmd_prod & ((1u << cmdq_log2) - 1);
        w64(cmdq + index * 16, dw0);
        w64(cmdq + index * 16 + 8, dw1);
        cmd_prod = (cmd_prod + 1) & ((2u << cmdq_log2) - 1);
        cpu.write32(CMDQ_PROD, cmd_prod);
        REQUIRE((cpu.read32(CMDQ_CONS) & 0xfffff) == cmd_prod);
    }

    uint64_t next_free = RAM_BASE + 0x00800000;
    uint64_t strtab = 0, cmdq = 0;
    static constexpr unsigned cmdq_log2 = 6;
    uint32_t cmd_prod = 0;
    uint64_t root[STREAMS][2] = {}, leaf_table[STREAMS][2] = {}, cd[STREAMS] = {};
};

} // namespace

TEST_CASE("SMMUv3 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    smmuv3_driver d;
    test::oracle::check_isolation(d, "smmuv3");
}

TEST_CASE("SMMUv3 isolation oracle catches escapes: with the stale check off, and a stray write") {
    iommu::smmuv3::config cfg;
    cfg.check_stale = false;
    smmuv3_driver d(cfg);
    test::oracle::check_catches_escapes(d, [&] { d.smmu.checker().set_enabled(true); }, 0x1000);
}
