// The isolation oracle (isolation_oracle.h) on the Allwinner H6 IOMMU (and the H616 variant, seven
// masters, all bypassed at reset until the driver clears BYPASS): the masters share one
// table (one translation context), switching the TTB between two directories, each with its own
// page tables; the IOVA pages straddle a 1 MiB directory slot, so DTE prefetch and the PTW cache
// are in play, and every master prefetches PTEs. Programming as Linux's sun50i-iommu does:
// a page's invalidation is TLB_IVLD for the page then PC_IVLD for its slot; a whole flush is
// TLB_FLUSH_ENABLE; each polled until its bit clears. Disabling is ENABLE = 0, which on the H6
// means bypass (the IOVA is the physical address), so the IOVA pages are also the data pages.
// Permissions come from domains (the PTE's ACI): 0 read/write, 1 read-only, 2 write-only.
// A fault stalls the master: the fault handler clears INT_STA and pulses the masters' RESET bits.
#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/iommu/sun50i/sun50i_iommu.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"
#include "tests/unit/isolation_oracle.h"
#include "tests/unit/isolation_oracle_checks.h"

using namespace socsim;
using namespace socsim::iommu::sun50i_reg;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000, RAM_SIZE = 0x01000000;
constexpr uint64_t DATA = RAM_BASE + 0x00400000 - 8 * 0x1000;  // 8 pages below a 1 MiB slot boundary
constexpr unsigned PAGES = 16, DATA_PAGES = 24;
constexpr uint32_t DTE_VALID = 1, PTE_VALID = 2;

class sun50i_driver : public test::oracle::iommu_driver {
public:
    explicit sun50i_driver(const iommu::sun50i_iommu::config& cfg = {}) : mmu("iommu", cfg) {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        mmu.downstream.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        cpu.socket.bind(mmu.socket);
        dma_master.socket.bind(mmu.upstream);
        mem.socket.bind(bus.target_socket);
        core::set_log_stream(&log);
    }
    ~sun50i_driver() override { core::set_log_stream(nullptr); }

    // Two directories, each with a page table for the two slots the IOVA pages use; Linux's
    // enable sequence with read-only (1) and write-only (2) domains for every master.
    void bring_up() {
        for (unsigned t = 0; t < 2; ++t) {
            dt[t] = RAM_BASE + 0x00800000 + t * 0x4000;
            for (unsigned i = 0; i < 0x4000; i += 4) w32(dt[t] + i, 0);
            for (unsigned s = 0; s < 2; ++s) {
                const uint64_t pt = RAM_BASE + 0x00810000 + (t * 2 + s) * 0x400;
                for (unsigned i = 0; i < 0x400; i += 4) w32(pt + i, 0);
                w32(dt[t] + ((DATA >> 20) + s) * 4, static_cast<uint32_t>(pt) | DTE_VALID);
            }
        }
        uint32_t no_reads = 0;  // bit 2m: master m may not read
        for (unsigned m = 0; m < masters(); ++m) no_reads |= 1u << (2 * m);
        cpu.write32(TTB, static_cast<uint32_t>(dt[0]));
        cpu.write32(TLB_PREFETCH, masters_mask());
        cpu.write32(BYPASS, 0);
        cpu.write32(DM_AUT_CTRL0, (no_reads << 1) << 16);  // domain 1: no master may write
        cpu.write32(DM_AUT_CTRL0 + 4, no_reads);           // domain 2: no master may read
        flush();
        cpu.write32(ENABLE, 1);
    }

    std::string name() const override { return mmu.variant().compatible; }
    unsigned streams() const override { return masters(); }
    unsigned contexts() const override { return 1; }
    unsigned context_of(unsigned) const override { return 0; }
    unsigned pages() const override { return PAGES; }
    unsigned data_pages() const override { return DATA_PAGES; }
    uint64_t page_size() const override { return 0x1000; }
    uint64_t iova(unsigned page) const override { return DATA + uint64_t{page} * 0x1000; }
    uint64_t data_address(unsigned page) const override { return DATA + uint64_t{page} * 0x1000; }
    std::vector<std::pair<bool, bool>> permissions() const override {
        return {{true, true}, {true, false}, {false, true}};
    }
    bool bypass_when_disabled() const override { return true; }

    void write_entry(unsigned, unsigned table, unsigned page, const test::oracle::entry& e) override {
        uint32_t pte = 0;
        if (e) {
            const unsigned aci = e->read && e->write ? 0 : e->read ? 1 : 2;
            pte = static_cast<uint32_t>(data_address(e->data_page)) | (aci << 4) | PTE_VALID;
        }
        w32(pte_address(table, iova(page)), pte);
    }
    void invalidate_page(unsigned, unsigned page) override {
        const uint32_t a = static_cast<uint32_t>(iova(page));
        cpu.write32(TLB_IVLD_ADDR, a);
        cpu.write32(TLB_IVLD_ADDR_MASK, 0xfffff000u);
        cpu.write32(TLB_IVLD_ENABLE, 1);
        wait_clear(TLB_IVLD_ENABLE);
        cpu.write32(PC_IVLD_ADDR, a);
        cpu.write32(PC_IVLD_ENABLE, 1);
        wait_clear(PC_IVLD_ENABLE);
    }
    void invalidate_context(unsigned) override { flush(); }
    void invalidate_all() override { flush(); }
    void select_table(unsigned, unsigned table) override { cpu.write32(TTB, static_cast<uint32_t>(dt[table])); }
    void set_enabled(bool on) override { cpu.write32(ENABLE, on ? 1 : 0); }
    tlm::tlm_response_status dma(unsigned stream, uint64_t iova, unsigned char* data, unsigned len,
                                 bool write) override {
        dma_master.set_stream(stream);
        return dma_master.access(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, iova, data, len);
    }
    // Linux's interrupt handler: clear the status, pulse the reset of the faulting masters.
    void recover() override {
        const uint32_t sta = cpu.read32(INT_STA);
        const uint32_t faulted = (sta | cpu.read32(L1PG_INT) | cpu.read32(L2PG_INT)) & masters_mask();
        cpu.write32(INT_CLR, sta);
        cpu.write32(RESET, ~faulted);
        cpu.write32(RESET, 0xffffffffu);
    }
    uint64_t stale_uses() const override { return mmu.checker().stale_uses(); }

    bus::router bus{"bus"};
    memory::ram ram{"ram", RAM_SIZE};
    test::oracle::memory_tap tap{"tap"};
    iommu::sun50i_iommu mmu;
    test::test_initiator cpu{"cpu"}, dma_master{"dma"}, mem{"mem"};
    std::ostringstream log;

private:
    unsigned masters() const { return mmu.masters(); }
    uint32_t masters_mask() const { return (1u << masters()) - 1; }
    void w32(uint64_t addr, uint32_t v) { REQUIRE(mem.debug_write(addr, &v, 4) == 4); }
    uint32_t r32(uint64_t addr) {
        uint32_t v = 0;
        REQUIRE(mem.debug_read(addr, &v, 4) == 4);
        return v;
    }
    uint64_t pte_address(unsigned table, uint64_t iova) {
        const uint32_t dte = r32(dt[table] + (iova >> 20) * 4);
        return (dte & 0xfffffc00u) + ((iova >> 12) & 0xff) * 4;
    }
    void wait_clear(uint64_t reg) {
        for (int i = 0; i < 100 && cpu.read32(reg) != 0; ++i) sc_core::wait(100, sc_core::SC_NS);
        REQUIRE(cpu.read32(reg) == 0);
    }
    void flush() {
        cpu.write32(TLB_FLUSH_ENABLE, MACRO_TLB | PTW_CACHE | masters_mask());
        wait_clear(TLB_FLUSH_ENABLE);
    }

    uint64_t dt[2] = {};
};

void check_isolation(const iommu::sun50i_iommu::config& cfg) {
    sun50i_driver d(cfg);
    test::oracle::check_isolation(d, d.name());
}

} // namespace

TEST_CASE("sun50i H6 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    check_isolation({});
}

TEST_CASE("sun50i H616 isolation oracle: every DMA reaches only what the mappings in force or a reported stale translation allow") {
    iommu::sun50i_iommu::config cfg;
    cfg.variant = iommu::find_sun50i_variant("allwinner,sun50i-h616-iommu");
    REQUIRE(cfg.variant);
    check_isolation(cfg);
}

TEST_CASE("sun50i H6 isolation oracle catches escapes: with the stale check off, and a stray write") {
    iommu::sun50i_iommu::config cfg;
    cfg.check_stale = false;
    sun50i_driver d(cfg);
    test::oracle::check_catches_escapes(d, [&] { d.mmu.checker().set_enabled(true); }, 0x1000);
}
