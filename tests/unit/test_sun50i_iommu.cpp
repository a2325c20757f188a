// sun50i (Allwinner H6) IOMMU through real sockets: a test initiator on the register socket, one
// DMA master per master index upstream, RAM behind a router downstream, where the tests write the
// directory (DT) and page tables (PT) with debug writes.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <sstream>
#include <vector>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/iommu/sun50i/sun50i_iommu.h"
#include "models/memory/coherence_tracker.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using namespace socsim::iommu::sun50i_reg;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000, RAM_SIZE = 0x01000000;  // 16 MiB
constexpr uint64_t DT = RAM_BASE + 0x00800000;                      // 16 KiB aligned
constexpr uint64_t PT_AREA = RAM_BASE + 0x00810000;
constexpr uint32_t DTE_VALID = 1, PTE_VALID = 2;

struct rig {
    bus::router bus{"bus"};
    memory::ram ram{"ram", RAM_SIZE};
    memory::coherence_tracker tracker;
    iommu::sun50i_iommu mmu;
    test::test_initiator cpu{"cpu"}, mem{"mem"};
    std::vector<std::unique_ptr<test::test_initiator>> dma;
    uint64_t next_pt = PT_AREA;
    std::ostringstream log;

    static iommu::sun50i_iommu::config defaults() { return {}; }
    explicit rig(iommu::sun50i_iommu::config cfg = defaults(), bool with_tracker = false)
        : mmu("iommu", with_coherence(cfg, with_tracker)) {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        mmu.downstream.bind(bus.target_socket);
        cpu.socket.bind(mmu.socket);
        mem.socket.bind(bus.target_socket);
        for (unsigned m = 0; m < mmu.masters(); ++m) {
            dma.push_back(std::make_unique<test::test_initiator>(("dma" + std::to_string(m)).c_str()));
            dma.back()->set_stream(m);
            dma.back()->socket.bind(mmu.upstream);
        }
        core::set_log_stream(&log);
    }
    ~rig() { core::set_log_stream(nullptr); }
    iommu::sun50i_iommu::config with_coherence(iommu::sun50i_iommu::config c, bool on) {
        if (on) c.coherence = &tracker;
        return c;
    }

    void w32(uint64_t addr, uint32_t v) { REQUIRE(mem.debug_write(addr, &v, 4) == 4); }
    uint32_t r32(uint64_t addr) {
        uint32_t v = 0;
        REQUIRE(mem.debug_read(addr, &v, 4) == 4);
        return v;
    }
    uint64_t pt_for(uint32_t iova) {
        const uint64_t dte_addr = DT + (iova >> 20) * 4;
        uint32_t dte = r32(dte_addr);
        if ((dte & 3) != 1) {
            dte = static_cast<uint32_t>(next_pt) | DTE_VALID;
            next_pt += 0x400;
            w32(dte_addr, dte);
        }
        return dte & 0xfffffc00u;
    }
    // Maps one 4 KiB page (ACI = domain).
    void map(uint32_t iova, uint64_t pa, unsigned aci = 0) {
        w32(pt_for(iova) + ((iova >> 12) & 0xff) * 4, static_cast<uint32_t>(pa) | (aci << 4) | PTE_VALID);
    }
    void unmap(uint32_t iova) { w32(pt_for(iova) + ((iova >> 12) & 0xff) * 4, 0); }
    // Linux's enable sequence (docs/hardware/sun50i-iommu.md, "What Linux does": Enable), with the
    // corrected DM_AUT_CTRL1.
    void enable() {
        cpu.write32(TTB, static_cast<uint32_t>(DT));
        cpu.write32(TLB_PREFETCH, 0x3f);
        cpu.write32(BYPASS, 0);
        cpu.write32(INT_ENABLE, 0x3003f);
        cpu.write32(DM_AUT_CTRL0, 0x0fff0000);
        cpu.write32(DM_AUT_CTRL0 + 4, 0x05550aaa);
        flush_all();
        cpu.write32(AUTO_GATING, 1);
        cpu.write32(ENABLE, 1);
    }
    void wait_clear(uint64_t reg) {
        for (int i = 0; i < 100 && cpu.read32(reg) != 0; ++i) sc_core::wait(100, sc_core::SC_NS);
        REQUIRE(cpu.read32(reg) == 0);
    }
    void flush_all() {
        cpu.write32(TLB_FLUSH_ENABLE, 0x3003f);
        wait_clear(TLB_FLUSH_ENABLE);
    }
    void zap_tlb(uint32_t iova) {
        cpu.write32(TLB_IVLD_ADDR, iova);
        cpu.write32(TLB_IVLD_ADDR_MASK, 0xfffff000u);
        cpu.write32(TLB_IVLD_ENABLE, 1);
        wait_clear(TLB_IVLD_ENABLE);
    }
    void zap_ptw(uint32_t iova) {
        cpu.write32(PC_IVLD_ADDR, iova);
        cpu.write32(PC_IVLD_ENABLE, 1);
        wait_clear(PC_IVLD_ENABLE);
    }
    // Linux's sun50i_iommu_zap_range.
    void zap_range(uint32_t iova, uint32_t size) {
        zap_tlb(iova);
        zap_tlb(iova + 0x1000);
        if (size > 0x1000) {
            zap_tlb(iova + size);
            zap_tlb(iova + size + 0x1000);
        }
        zap_ptw(iova);
        zap_ptw(iova + 0x100000);
        if (size > 0x100000) {
            zap_ptw(iova + size);
            zap_ptw(iova + size + 0x100000);
        }
    }
    tlm::tlm_response_status dma_read(unsigned m, uint64_t iova, uint32_t& v) {
        uint64_t x = 0;
        auto s = dma[m]->read(iova, x, 4);
        v = static_cast<uint32_t>(x);
        return s;
    }
    tlm::tlm_response_status dma_write(unsigned m, uint64_t iova, uint32_t v) { return dma[m]->write(iova, v, 4); }
    // Linux's interrupt handler recovery: clear the status, pulse the reset of the masters.
    void recover() {
        const uint32_t sta = cpu.read32(INT_STA);
        const uint32_t mask = (sta | cpu.read32(L1PG_INT) | cpu.read32(L2PG_INT)) & 0x3f;
        cpu.write32(INT_CLR, sta);
        cpu.write32(RESET, ~mask);
        cpu.write32(RESET, 0xffffffffu);
    }
};

} // namespace

TEST_CASE("sun50i H6 registers have their reset values") {
    rig r;
    test::run_script([&] {
        const std::pair<uint64_t, uint32_t> expected[] = {
            {VERSION, 0x10},      {RESET, 0x8003003f},   {ENABLE, 0},         {BYPASS, 0},
            {AUTO_GATING, 1},     {WBUF_CTRL, 0x3f},     {OOO_CTRL, 0x3f},    {BDY_PRT_CTRL, 0x3f},
            {TTB, 0},             {TLB_ENABLE, 0x3003f}, {TLB_PREFETCH, 0},   {TLB_FLUSH_ENABLE, 0},
            {TLB_IVLD_ADDR, 0},   {TLB_IVLD_ADDR_MASK, 0}, {TLB_IVLD_ENABLE, 0}, {PC_IVLD_ADDR, 0},
            {PC_IVLD_ENABLE, 0},  {DM_AUT_CTRL0, 0},     {DM_AUT_CTRL0 + 28, 0}, {DM_AUT_OVWT, 0},
            {INT_ENABLE, 0},      {INT_CLR, 0},          {INT_STA, 0},        {INT_ERR_ADDR0, 0},
            {INT_ERR_ADDR0 + 20, 0}, {INT_ERR_ADDR_L1, 0}, {INT_ERR_ADDR_L2, 0}, {INT_ERR_DATA0, 0},
            {INT_ERR_DATA_L1, 0}, {INT_ERR_DATA_L2, 0},  {L1PG_INT, 0},       {L2PG_INT, 0},
            {VA, 0},              {VA_DATA, 0},          {VA_CONFIG, 0},      {PMU_ENABLE, 0},
            {PMU_CLR, 0},         {PMU_COUNTERS0, 0},    {PMU_MACRO, 0},      {PMU_PTW, 0},
            {PMU_TL0, 0},
        };
        for (auto [off, value] : expected) {
            INFO("offset " << std::hex << off);
            CHECK(r.cpu.read32(off) == value);
        }
        CHECK_FALSE(r.mmu.irq.level());
    });
}

TEST_CASE("sun50i H616 variant: VERSION 0x12, 7 masters, all bypassed at reset") {
    iommu::sun50i_iommu::config cfg;
    cfg.variant = iommu::find_sun50i_variant("allwinner,sun50i-h616-iommu");
    REQUIRE(cfg.variant);
    rig r(cfg);
    test::run_script([&] {
        CHECK(r.mmu.masters() == 7);
        CHECK(r.cpu.read32(VERSION) == 0x12);
        CHECK(r.cpu.read32(BYPASS) == 0x7f);
        CHECK(r.cpu.read32(RESET) == 0x8003007f);
        CHECK(r.cpu.read32(TLB_ENABLE) == 0x3007f);
        // Enabled but bypassed: master 6 (G2D) DMA passes untranslated.
        r.cpu.write32(ENABLE, 1);
        r.w32(RAM_BASE + 0x100, 0x1234);
        uint32_t v = 0;
        CHECK(r.dma_read(6, RAM_BASE + 0x100, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x1234);
        // Its error registers exist at 0x128 / 0x168.
        r.cpu.write32(BYPASS, 0);
        r.cpu.write32(TTB, static_cast<uint32_t>(DT));
        CHECK(r.dma_read(6, 0x00300000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(L1PG_INT) == 0x40);
        CHECK(r.cpu.read32(INT_ERR_ADDR_L1) == 0x00300000);
    });
    CHECK(iommu::find_sun50i_variant("allwinner,sun50i-h6-iommu")->bypass_reset == 0);
    CHECK(iommu::find_sun50i_variant("allwinner,sun20i-d1-iommu") == nullptr);
}

TEST_CASE("sun50i register fields are masked, INT_CLR is write-only, reserved offsets are RAZ/WI, bad sizes are refused") {
    rig r;
    test::run_script([&] {
        const std::pair<uint64_t, uint32_t> masks[] = {
            {ENABLE, 1},          {BYPASS, 0x3f},         {AUTO_GATING, 1},       {WBUF_CTRL, 0x3f},
            {TTB, 0xffffc000u},   {TLB_ENABLE, 0x3003f},  {TLB_PREFETCH, 0x3f},   {TLB_IVLD_ADDR, 0xfffff000u},
            {TLB_IVLD_ADDR_MASK, 0xfffff000u}, {PC_IVLD_ADDR, 0xfff00000u}, {DM_AUT_CTRL0, 0x0fff0000},
            {DM_AUT_CTRL0 + 4, 0x0fff0fff}, {DM_AUT_OVWT, 0x80000fff}, {INT_ENABLE, 0x3003f},
            {VA, 0xffffffffu},    {VA_DATA, 0xffffffffu}, {PMU_ENABLE, 1},
        };
        for (auto [off, mask] : masks) {
            INFO("offset " << std::hex << off);
            r.cpu.write32(off, 0xffffffffu);
            CHECK(r.cpu.read32(off) == mask);
            r.cpu.write32(off, 0);
        }
        // Read-only registers ignore writes.
        for (uint64_t off : {VERSION, INT_STA, INT_ERR_ADDR_L1, INT_ERR_DATA0, L1PG_INT, L2PG_INT}) {
            const uint32_t before = r.cpu.read32(off);
            r.cpu.write32(off, 0x5a5a5a5a);
            CHECK(r.cpu.read32(off) == before);
        }
        r.cpu.write32(INT_CLR, 0xffffffffu);
        CHECK(r.cpu.read32(INT_CLR) == 0);
        // V12+ range invalidation and anything undocumented: reads zero, writes ignored.
        for (uint64_t off : {0x084ull, 0x088ull, 0x08cull, 0x09cull, 0x0a4ull, 0x0acull, 0x400ull, 0xfffcull}) {
            r.cpu.write32(off, 0xffffffffu);
            CHECK(r.cpu.read32(off) == 0);
        }
        // 1-, 2- and 8-byte accesses and misaligned ones are refused with a log line.
        uint64_t v = 0;
        CHECK(r.cpu.read(ENABLE, v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.write(TTB, 0x40000000, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.read(TTB, v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.read(TTB + 2, v, 4) != tlm::TLM_OK_RESPONSE);
        CHECK(r.log.str().find("does not accept 1-byte accesses") != std::string::npos);
    });
}

TEST_CASE("sun50i translates through the DTE and PTE, bypass and ENABLE=0 pass through") {
    rig r;
    test::run_script([&] {
        r.map(0x10003000, RAM_BASE + 0x5000);
        r.w32(RAM_BASE + 0x5010, 0xcafef00d);
        uint32_t v = 0;
        // Disabled: untranslated (IOVA = PA).
        r.w32(RAM_BASE + 0x10, 0x11);
        CHECK(r.dma_read(3, RAM_BASE + 0x10, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x11);
        r.enable();
        CHECK(r.dma_read(3, 0x10003010, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xcafef00d);
        CHECK(r.dma_write(0, 0x10003ffc, 0x77) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r32(RAM_BASE + 0x5ffc) == 0x77);
        CHECK(r.mmu.stats().translations == 2);
        // The DTE and PTE formats: DTE[31:10] table, PTE[31:12] page; reserved bits ignored.
        r.w32(DT + (0x10003000u >> 20) * 4, r.r32(DT + (0x10003000u >> 20) * 4) | 0x3fc);
        r.w32(r.pt_for(0x10004000) + 4 * 4, static_cast<uint32_t>(RAM_BASE + 0x6000) | 0xf0d | PTE_VALID);
        r.w32(RAM_BASE + 0x6000, 0x66);
        r.flush_all();
        CHECK(r.dma_read(3, 0x10004000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x66);
        // Bypass per master.
        r.cpu.write32(BYPASS, 1u << 3);
        CHECK(r.dma_read(3, RAM_BASE + 0x10, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x11);
        CHECK(r.dma_read(0, 0x10003010, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xcafef00d);
        // A DMA that crosses a page is translated page by page.
        r.cpu.write32(BYPASS, 0);
        r.map(0x10005000, RAM_BASE + 0x9000);
        r.zap_range(0x10005000, 0x1000);
        uint64_t both = 0x1122334455667788ull;
        CHECK(r.dma[0]->access(tlm::TLM_WRITE_COMMAND, 0x10004ffc, &both, 8) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r32(RAM_BASE + 0x6ffc) == 0x55667788);
        CHECK(r.r32(RAM_BASE + 0x9000) == 0x11223344);
        // Debug transactions translate without side effects.
        uint32_t d = 0;
        CHECK(r.dma[3]->debug_read(0x10003010, &d, 4) == 4);
        CHECK(d == 0xcafef00d);
        CHECK(r.dma[3]->debug_read(0x20000000, &d, 4) == 0);
        CHECK(r.cpu.read32(INT_STA) == 0);
        // A DMA without a master index, or with one beyond the masters, is refused.
        CHECK(r.mem.debug_read(0, &d, 4) == 0);
        test::test_initiator& six = *r.dma[5];
        six.set_stream(9);
        CHECK(r.dma_read(5, 0x10003010, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.log.str().find("BAD_MASTER") != std::string::npos);
    });
}

TEST_CASE("sun50i L1 invalid fault latches registers, raises the interrupt and stalls the master until its reset pulse") {
    rig r;
    test::run_script([&] {
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(3, 0x20000123, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_STA) == L1_INVALID);
        CHECK(r.cpu.read32(L1PG_INT) == 1u << 3);
        CHECK(r.cpu.read32(INT_ERR_ADDR_L1) == 0x20000123);
        CHECK(r.cpu.read32(INT_ERR_DATA_L1) == 0);
        CHECK(r.mmu.irq.level());
        CHECK(r.log.str().find("L1_PAGETABLE_INVALID: stream 3 read of 4 bytes at IOVA 0x20000123") != std::string::npos);
        // Stalled: even a mapped address is refused, and memory is not touched.
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.zap_range(0x10000000, 0x1000);
        CHECK(r.dma_write(3, 0x10000000, 0x99) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.r32(RAM_BASE + 0x1000) == 0);
        CHECK(r.log.str().find("is stalled by its earlier fault") != std::string::npos);
        // Other masters go on.
        CHECK(r.dma_write(0, 0x10000000, 0x42) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.stalled_masters() == 1u << 3);
        // Clearing the interrupt alone does not release the stall.
        r.cpu.write32(INT_CLR, L1_INVALID);
        CHECK_FALSE(r.mmu.irq.level());
        CHECK(r.cpu.read32(L1PG_INT) == 0);
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        // While the reset bit is held at 0, the lane refuses too.
        r.cpu.write32(RESET, ~(1u << 3));
        CHECK(r.mmu.stalled_masters() == 0);
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        r.cpu.write32(RESET, 0xffffffffu);
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x42);
        // The interrupt line follows INT_ENABLE.
        CHECK(r.dma_read(4, 0x30000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.mmu.irq.level());
        r.cpu.write32(INT_ENABLE, 0x3f);
        CHECK_FALSE(r.mmu.irq.level());
        CHECK(r.cpu.read32(INT_STA) == L1_INVALID);
    });
}

TEST_CASE("sun50i L2 invalid fault: first fault kept, Linux's handler recovers the master") {
    rig r;
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(5, 0x10001008, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.dma_write(0, 0x10002000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_STA) == L2_INVALID);
        CHECK(r.cpu.read32(L2PG_INT) == ((1u << 5) | 1u));
        CHECK(r.cpu.read32(INT_ERR_ADDR_L2) == 0x10001008);  // the first
        CHECK(r.cpu.read32(INT_ERR_DATA_L2) == 0);
        CHECK(r.cpu.read32(L1PG_INT) == 0);
        CHECK(r.mmu.stalled_masters() == 0x21);
        r.recover();
        CHECK(r.mmu.stalled_masters() == 0);
        CHECK(r.cpu.read32(INT_STA) == 0);
        CHECK(r.cpu.read32(L2PG_INT) == 0);
        CHECK_FALSE(r.mmu.irq.level());
        CHECK(r.dma_read(5, 0x10000008, v) == tlm::TLM_OK_RESPONSE);
        // J22 1/5: writing the status as the release value keeps the other masters in reset.
        CHECK(r.dma_read(5, 0x10001000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        r.cpu.write32(RESET, ~(1u << 5));
        r.cpu.write32(RESET, RESET_ALL | MACRO_TLB | PTW_CACHE | (1u << 5));  // the old bug, master bits only
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.log.str().find("MASTER_RESET") != std::string::npos);
    });
}

TEST_CASE("sun50i permission domains: Linux's DM_AUT_CTRL1 overwrite leaves read-only writable, the combined value protects") {
    rig r;
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000, 2);  // ACI 2: read only
        r.map(0x10001000, RAM_BASE + 0x2000, 3);  // ACI 3: write only
        r.map(0x10002000, RAM_BASE + 0x3000, 1);  // ACI 1: none
        r.map(0x10003000, RAM_BASE + 0x4000, 4);  // ACI 4: read and write
        r.enable();                               // CTRL1 = 0x05550aaa
        uint32_t v = 0;
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.dma_write(3, 0x10000000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_STA) == 1u << 3);
        CHECK(r.cpu.read32(INT_ERR_ADDR0 + 12) == 0x10000000);
        CHECK(((r.cpu.read32(INT_ERR_DATA0 + 12) >> 4) & 0xf) == 2);  // Linux reads the ACI here
        CHECK(r.r32(RAM_BASE + 0x1000) == 0);
        CHECK(r.log.str().find("PERMISSION: stream 3 write") != std::string::npos);
        r.recover();
        CHECK(r.dma_write(0, 0x10001000, 5) == tlm::TLM_OK_RESPONSE);
        CHECK(r.dma_read(0, 0x10001000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        r.recover();
        CHECK(r.dma_read(1, 0x10002000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        r.recover();
        CHECK(r.dma_write(1, 0x10003000, 6) == tlm::TLM_OK_RESPONSE);
        // The mainline sequence: 0x00000aaa then 0x05550000 -> writes through ACI 2 go through.
        r.cpu.write32(DM_AUT_CTRL0 + 4, 0x00000aaa);
        r.cpu.write32(DM_AUT_CTRL0 + 4, 0x05550000);
        CHECK(r.dma_write(3, 0x10000000, 7) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r32(RAM_BASE + 0x1000) == 7);
        // Per master: domain 4 read-prohibited for master 2 only.
        r.cpu.write32(DM_AUT_CTRL0 + 8, 1u << 4);
        CHECK(r.dma_read(1, 0x10003000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.dma_read(2, 0x10003000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        r.recover();
        // DM_AUT_OVWT overrides every domain, domain 0 included.
        r.map(0x10004000, RAM_BASE + 0x5000, 0);
        r.cpu.write32(DM_AUT_OVWT, (1u << 31) | (1u << 1));  // master 0 write prohibited
        CHECK(r.dma_write(0, 0x10004000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.dma_write(1, 0x10004000, 1) == tlm::TLM_OK_RESPONSE);
        r.recover();
        r.cpu.write32(DM_AUT_OVWT, 0);
        CHECK(r.dma_write(0, 0x10004000, 1) == tlm::TLM_OK_RESPONSE);
    });
}

TEST_CASE("sun50i flush and invalidations complete after the operation latency and must be polled") {
    rig r;
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.micro_tlb(0).occupancy() == 1);
        r.cpu.write32(TLB_FLUSH_ENABLE, 1u);  // micro TLB 0 only
        CHECK(r.cpu.read32(TLB_FLUSH_ENABLE) == 1);
        CHECK(r.mmu.micro_tlb(0).occupancy() == 0);
        CHECK(r.mmu.macro_tlb().occupancy() >= 1);
        sc_core::wait(499, sc_core::SC_NS);
        CHECK(r.cpu.read32(TLB_FLUSH_ENABLE) == 1);
        sc_core::wait(1, sc_core::SC_NS);
        CHECK(r.cpu.read32(TLB_FLUSH_ENABLE) == 0);
        r.cpu.write32(TLB_FLUSH_ENABLE, 0x30000);
        CHECK(r.mmu.macro_tlb().occupancy() == 0);
        CHECK(r.mmu.ptw_cache().occupancy() == 0);
        for (uint64_t reg : {TLB_IVLD_ENABLE, PC_IVLD_ENABLE, PMU_CLR}) {
            r.cpu.write32(reg, 1);
            CHECK(r.cpu.read32(reg) == 1);
            r.wait_clear(reg);
        }
        // A disabled cache is emptied and no longer filled.
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        r.cpu.write32(TLB_ENABLE, 0x3003e);
        CHECK(r.mmu.micro_tlb(0).occupancy() == 0);
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.micro_tlb(0).occupancy() == 0);
    });
}

TEST_CASE("sun50i TLB invalidation by address and mask, PTW invalidation by 1 MiB slot") {
    rig r;
    test::run_script([&] {
        for (uint32_t p = 0; p < 8; ++p) r.map(0x10000000 + p * 0x1000, RAM_BASE + 0x10000 + p * 0x1000);
        r.enable();
        r.cpu.write32(TLB_PREFETCH, 0);
        uint32_t v = 0;
        for (uint32_t p = 0; p < 8; ++p) CHECK(r.dma_read(1, 0x10000000 + p * 0x1000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.macro_tlb().occupancy() == 8);
        // Single page.
        r.zap_tlb(0x10003000);
        CHECK(r.mmu.macro_tlb().occupancy() == 7);
        CHECK(r.mmu.micro_tlb(1).occupancy() == 7);
        // A 16 KiB mask: pages 4..7.
        r.cpu.write32(TLB_IVLD_ADDR, 0x10004000);
        r.cpu.write32(TLB_IVLD_ADDR_MASK, 0xffffc000u);
        r.cpu.write32(TLB_IVLD_ENABLE, 1);
        CHECK(r.mmu.macro_tlb().occupancy() == 3);
        // A non-contiguous mask (bit 13 ignored): pages 0 and 2 of the remaining {0, 1, 2}.
        r.cpu.write32(TLB_IVLD_ADDR, 0x10000000);
        r.cpu.write32(TLB_IVLD_ADDR_MASK, 0xffffd000u);
        r.cpu.write32(TLB_IVLD_ENABLE, 1);
        CHECK(r.mmu.macro_tlb().occupancy() == 1);
        CHECK(r.mmu.macro_tlb().peek(0, 0x10001000));
        // PTW: slot 0x100 and its prefetched neighbour 0x101 are cached; invalidate 0x101 only.
        CHECK(r.mmu.ptw_cache().occupancy() == 2);
        r.zap_ptw(0x10100000);
        CHECK(r.mmu.ptw_cache().occupancy() == 1);
        CHECK(r.mmu.ptw_cache().peek(0, 0x100fffff));
        CHECK(r.mmu.stats().invalidations >= 4);
    });
}

TEST_CASE("sun50i prefetch caches invalid neighbours: skipping Linux's neighbour invalidation gives stale faults") {
    rig r;
    test::run_script([&] {
        // v = the last page of slot 0x100 mapped; v + 4 KiB is not yet; slot 0x101 has no PT.
        const uint32_t v = 0x100fe000;
        r.map(v, RAM_BASE + 0x1000);
        r.enable();
        uint32_t x = 0;
        CHECK(r.dma_read(3, v, x) == tlm::TLM_OK_RESPONSE);
        // The walk of v loaded the PTE of v + 4 KiB (invalid) and the DTE of v + 1 MiB (invalid).
        const iommu::tlb_entry* pte = r.mmu.macro_tlb().peek(0, v + 0x1000);
        REQUIRE(pte);
        CHECK(pte->perms == 0);
        REQUIRE(r.mmu.ptw_cache().peek(0, 0x10100000));
        CHECK((r.mmu.ptw_cache().peek(0, 0x10100000)->output & 3) == 0);
        // Map v + 4 KiB and v + 1 MiB, then invalidate only the mapped pages themselves.
        r.map(v + 0x1000, RAM_BASE + 0x2000);
        r.map(v + 0x100000, RAM_BASE + 0x3000);
        r.zap_tlb(v + 0x1000);  // the PTE prefetched as invalid is gone
        CHECK(r.dma_read(3, v + 0x1000, x) == tlm::TLM_OK_RESPONSE);
        // But the DTE of slot 0x101 is still cached invalid: a stale L1 fault.
        r.zap_tlb(v + 0x100000);
        CHECK(r.dma_read(4, v + 0x100000, x) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_STA) == L1_INVALID);
        CHECK(r.log.str().find("stale fault") != std::string::npos);
        CHECK(r.log.str().find("loaded by prefetch") != std::string::npos);
        CHECK(r.mmu.stats().stale_faults == 1);
        r.recover();
        // Linux's handler zaps the page and the 1 MiB neighbour; the PTW zap of the slot fixes it.
        r.zap_range(v + 0x100000, 0x1000);
        CHECK(r.dma_read(4, v + 0x100000, x) == tlm::TLM_OK_RESPONSE);

        // PTE prefetch after a fault: a DMA to an unmapped page caches the next page invalid;
        // mapping both pages and zapping only the first leaves the second stale.
        const uint32_t w = 0x10200000;
        r.map(w + 0x5000, RAM_BASE + 0x4000);  // creates the PT of slot 0x102; pages 0..4 unmapped
        r.zap_range(w + 0x5000, 0x1000);
        CHECK(r.dma_read(2, w, x) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // caches w and w + 4 KiB
        r.recover();
        r.map(w, RAM_BASE + 0x6000);
        r.map(w + 0x1000, RAM_BASE + 0x7000);
        r.zap_tlb(w);  // the start only, without the neighbour
        r.zap_ptw(w);
        CHECK(r.dma_read(2, w + 0x1000, x) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_STA) == L2_INVALID);
        CHECK(r.mmu.stats().stale_faults == 2);
        r.recover();
        r.zap_range(w, 0x2000);  // Linux: also w + 4 KiB
        CHECK(r.dma_read(2, w + 0x1000, x) == tlm::TLM_OK_RESPONSE);
        CHECK(r.dma_read(2, w, x) == tlm::TLM_OK_RESPONSE);
        // Without TLB_PREFETCH for a master, its walks load no PTE neighbour.
        r.cpu.write32(TLB_PREFETCH, 0);
        r.map(0x10300000, RAM_BASE + 0x8000);
        r.zap_range(0x10300000, 0x1000);
        CHECK(r.dma_read(1, 0x10300000, x) == tlm::TLM_OK_RESPONSE);
        CHECK_FALSE(r.mmu.macro_tlb().peek(0, 0x10301000));
    });
}

TEST_CASE("sun50i garbage: TTB outside RAM, a PT outside RAM and an IOVA above 32 bits are diagnosed") {
    rig r;
    test::run_script([&] {
        r.enable();
        r.cpu.write32(ENABLE, 0);
        r.cpu.write32(TTB, 0x10000000);  // nothing there
        r.cpu.write32(ENABLE, 1);
        uint32_t v = 0;
        CHECK(r.dma_read(0, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_STA) == L1_INVALID);
        CHECK(r.cpu.read32(INT_ERR_DATA_L1) == 0);
        CHECK(r.log.str().find("failed on the bus") != std::string::npos);
        r.recover();
        r.cpu.write32(ENABLE, 0);
        r.cpu.write32(TTB, static_cast<uint32_t>(DT));
        r.cpu.write32(ENABLE, 1);
        r.w32(DT + 0x200 * 4, 0x20000000 | DTE_VALID);  // PT in nothing
        CHECK(r.dma_read(0, 0x20000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_STA) == L2_INVALID);
        r.recover();
        // DTE types 0b10 and 0b11 are invalid too. (The walk of slot 0x200 prefetched slot 0x201's
        // DTE, then 0: without the PTW invalidation the fault would report that cached 0.)
        r.w32(DT + 0x201 * 4, static_cast<uint32_t>(PT_AREA) | 3);
        r.zap_ptw(0x20100000);
        CHECK(r.dma_read(0, 0x20100000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(INT_ERR_DATA_L1) == (static_cast<uint32_t>(PT_AREA) | 3));
        r.recover();
        uint64_t wide = 0;
        CHECK(r.dma[0]->read(0x100000000ull, wide, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.log.str().find("IOVA_RANGE") != std::string::npos);
        CHECK(r.cpu.read32(INT_STA) == 0);
        // TTB changed while enabled: taken, with a warning.
        r.cpu.write32(TTB, static_cast<uint32_t>(DT) + 0x4000);
        CHECK(r.log.str().find("while translation is enabled") != std::string::npos);
    });
}

TEST_CASE("sun50i the DMA checker reports a stale translation after a table change without invalidation") {
    rig r;
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        r.map(0x10000000, RAM_BASE + 0x2000);  // remapped, not invalidated
        r.w32(RAM_BASE + 0x1000, 0xaaaa);
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xaaaa);  // the hardware uses the stale translation
        REQUIRE(r.mmu.checker().reports().size() == 1);
        CHECK(r.mmu.checker().reports()[0].new_output == RAM_BASE + 0x2000);
        // A changed permission domain counts as a changed translation.
        r.zap_tlb(0x10000000);
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        r.map(0x10000000, RAM_BASE + 0x2000, 2);
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.checker().reports().size() == 2);
    });
}

// ---- why the last invalidation missed a stale entry (docs/hardware/sun50i-iommu.md, "Stale translations") ----

namespace {

// Master 0 (DE) caches IOVA 0x10000000 -> RAM + 0x1000 (micro TLB 0, macro TLB, the DTE in the PTW
// cache), the page is remapped to RAM + 0x2000, `invalidate` runs, and master 0 reads again.
// Returns the one stale report.
iommu::stale_report stale_after(rig& r, const std::function<void()>& invalidate) {
    r.map(0x10000000, RAM_BASE + 0x1000);
    r.enable();
    uint32_t v = 0;
    REQUIRE(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
    r.map(0x10000000, RAM_BASE + 0x2000);
    invalidate();
    REQUIRE(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
    REQUIRE(r.mmu.checker().reports().size() == 1);
    return r.mmu.checker().reports()[0];
}

bool logged(const rig& r, const std::string& s) { return r.log.str().find(s) != std::string::npos; }

} // namespace

TEST_CASE("sun50i stale after flushing another master's micro TLB: the report names both micro TLBs") {
    rig r;
    test::run_script([&] {
        const auto rep = stale_after(r, [&] {
            r.cpu.write32(TLB_FLUSH_ENABLE, 1u << 3);  // micro TLB 3 (VE) instead of 0 (DE)
            r.wait_clear(TLB_FLUSH_ENABLE);
        });
        CHECK(rep.why_not_covered.kind == "other_cache");
        INFO(r.log.str());
        CHECK(logged(r, "which did not cover it: TLB_FLUSH_ENABLE 0x8 invalidated the micro TLB 3 (VE), not the "
                        "micro TLB 0 (DE), which holds the entry\n"));
    });
}

TEST_CASE("sun50i stale after flushing micro TLB 0 only: the macro TLB still holds the entry") {
    rig r;
    test::run_script([&] {
        const auto rep = stale_after(r, [&] {
            r.cpu.write32(TLB_FLUSH_ENABLE, 1u << 0);
            r.wait_clear(TLB_FLUSH_ENABLE);
        });
        CHECK(rep.why_not_covered.kind == "other_cache");
        INFO(r.log.str());
        CHECK(logged(r, "which did not cover it: TLB_FLUSH_ENABLE 0x1 invalidated the micro TLB 0 (DE), not the "
                        "macro TLB, which holds the entry\n"));
    });
}

TEST_CASE("sun50i stale after PC_IVLD: it drops a DTE from the PTW cache, not the translation") {
    rig r;
    test::run_script([&] {
        const auto rep = stale_after(r, [&] { r.zap_ptw(0x10000000); });
        CHECK(rep.why_not_covered.kind == "other_cache");
        INFO(r.log.str());
        CHECK(logged(r, "which did not cover it: PC_IVLD ADDR 0x10000000 invalidated the PTW cache, not the micro "
                        "TLB 0 (DE), which holds the entry\n"));
    });
}

TEST_CASE("sun50i stale after TLB_IVLD of another page: the report gives the address and mask and the entry's page") {
    rig r;
    test::run_script([&] {
        const auto rep = stale_after(r, [&] { r.zap_tlb(0x10005000); });
        CHECK(rep.why_not_covered.kind == "address_range");
        INFO(r.log.str());
        CHECK(logged(r, "which did not cover it: TLB_IVLD ADDR 0x10005000 MASK 0xfffff000 covered IOVA "
                        "0x10005000-0x10005fff, the entry maps 0x10000000-0x10000fff\n"));
    });
}

TEST_CASE("sun50i stale after a flush that would have covered it: the entry was cached after the flush") {
    rig r;
    test::run_script([&] {
        // The last invalidation is enable()'s full flush, before the first DMA.
        const auto rep = stale_after(r, [] {});
        CHECK(rep.why_not_covered.kind == "cached_after");
        INFO(r.log.str());
        CHECK(logged(r, "which did not cover it: TLB_FLUSH_ENABLE 0x3003f covers the entry, so the entry was "
                        "cached after it\n"));
    });
}

TEST_CASE("sun50i a TTB switch without flush keeps the old table's translations and the checker reports them") {
    rig r;
    test::run_script([&] {
        constexpr uint64_t DT_B = RAM_BASE + 0x00c00000;  // a second directory, 16 KiB aligned
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.map(0x10001000, RAM_BASE + 0x3000);
        // Domain B: 0x10000000 elsewhere, 0x10001000 to the same page as in A.
        r.w32(DT_B + (0x10000000u >> 20) * 4, static_cast<uint32_t>(r.next_pt) | DTE_VALID);
        r.w32(r.next_pt, static_cast<uint32_t>(RAM_BASE + 0x2000) | PTE_VALID);
        r.w32(r.next_pt + 4, static_cast<uint32_t>(RAM_BASE + 0x3000) | PTE_VALID);
        r.enable();
        r.w32(RAM_BASE + 0x1000, 0xaaaa);
        r.w32(RAM_BASE + 0x2000, 0xbbbb);
        uint32_t v = 0;
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.dma_read(3, 0x10001000, v) == tlm::TLM_OK_RESPONSE);
        // The switch as a driver might do it: disable, TTB, enable, no flush.
        r.cpu.write32(ENABLE, 0);
        r.cpu.write32(TTB, static_cast<uint32_t>(DT_B));
        r.cpu.write32(ENABLE, 1);
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xaaaa);  // the old domain's page: nothing was dropped
        REQUIRE(r.mmu.checker().reports().size() == 1);
        const auto& rep = r.mmu.checker().reports()[0];
        CHECK(rep.root_moved);
        CHECK(rep.stream == 3);
        CHECK(rep.old_output == RAM_BASE + 0x1000);
        CHECK(rep.new_output == RAM_BASE + 0x2000);
        CHECK(rep.changed_addr == DT + (0x10000000u >> 20) * 4);
        CHECK(rep.new_root_addr == DT_B + (0x10000000u >> 20) * 4);
        CHECK(rep.message.find("cached from another table") != std::string::npos);
        CHECK(r.log.str().find("stale translation used: stream 3 read at IOVA 0x10000000") != std::string::npos);
        // Same translation in both tables: not a finding, and the entry follows the new table.
        CHECK(r.dma_read(3, 0x10001000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.checker().reports().size() == 1);
        // With the flush, the new table is walked.
        r.flush_all();
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xbbbb);
        CHECK(r.mmu.checker().reports().size() == 1);
    });
}

// Found by the isolation oracle (test_oracle_sun50i.cpp): a walk through a DTE from the PTW
// cache filled the TLB from the old table and its first use went unchecked.
TEST_CASE("sun50i a TTB switch without flush: a walk from the cached old DTE is reported before its first use") {
    rig r;
    test::run_script([&] {
        constexpr uint64_t DT_B = RAM_BASE + 0x00c00000;
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.map(0x10005000, RAM_BASE + 0x5000);
        r.w32(DT_B + (0x10000000u >> 20) * 4, static_cast<uint32_t>(r.next_pt) | DTE_VALID);
        r.w32(r.next_pt + 5 * 4, static_cast<uint32_t>(RAM_BASE + 0x6000) | PTE_VALID);
        r.enable();
        r.w32(RAM_BASE + 0x5000, 0x5555);
        r.w32(RAM_BASE + 0x6000, 0x6666);
        uint32_t v = 0;
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);  // caches slot 0x100's DTE
        r.cpu.write32(TTB, static_cast<uint32_t>(DT_B));                // no flush
        CHECK(r.dma_read(3, 0x10005000, v) == tlm::TLM_OK_RESPONSE);  // a TLB miss, walked from the old DTE
        CHECK(v == 0x5555);
        REQUIRE(r.mmu.checker().reports().size() == 1);
        const auto& rep = r.mmu.checker().reports()[0];
        CHECK(rep.root_moved);
        CHECK(rep.iova == 0x10005000);
        CHECK(rep.old_output == RAM_BASE + 0x5000);
        CHECK(rep.new_output == RAM_BASE + 0x6000);
        CHECK(rep.new_root_addr == DT_B + (0x10000000u >> 20) * 4);
        r.flush_all();
        CHECK(r.dma_read(3, 0x10005000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x6666);
        CHECK(r.mmu.checker().reports().size() == 1);
    });
}

TEST_CASE("sun50i with check-stale off nothing is reported") {
    iommu::sun50i_iommu::config cfg;
    cfg.check_stale = false;
    rig r(cfg);
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        r.map(0x10000000, RAM_BASE + 0x2000);
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.checker().reports().empty());
    });
}

TEST_CASE("sun50i walker read uncleaned table memory is reported once per line until cleaned") {
    rig r({}, true);
    test::run_script([&] {
        using op = memory::coherence_tracker::maintenance;
        auto clean = [&](uint64_t addr, op kind = op::cvac) {
            uint8_t line[64];
            REQUIRE(r.mem.debug_read(addr & ~63ull, line, 64) == 64);
            r.tracker.maintain(kind, addr, line, sc_core::sc_time_stamp());
        };
        r.map(0x10000000, RAM_BASE + 0x1000);
        const uint64_t dte_addr = DT + 0x100 * 4;
        const uint64_t pte_addr = (r.r32(dte_addr) & 0xfffffc00u);
        clean(dte_addr);  // the DTE is cleaned, the PTE is not
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);  // the walker still uses RAM
        const auto& reps = r.mmu.checker().coherence_reports();
        REQUIRE(reps.size() == 1);
        CHECK(reps[0].stream == 3);
        CHECK(reps[0].table_addr == pte_addr);
        CHECK(std::string(reps[0].entry) == "PTE");
        CHECK(reps[0].memory_value == ((RAM_BASE + 0x1000) | PTE_VALID));
        CHECK(reps[0].seen_value == 0);
        CHECK(r.log.str().find("walker read uncleaned table memory: master 3 (VE) at IOVA 0x10000000") != std::string::npos);
        // Once per line: another page in the same PT line is not reported again.
        r.map(0x10001000, RAM_BASE + 0x2000);
        r.zap_range(0x10001000, 0x1000);
        r.cpu.write32(TLB_FLUSH_ENABLE, 0x3003f);
        CHECK(r.dma_read(3, 0x10001000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(reps.size() == 1);
        // Cleaned: a walk is silent. Written again without a clean: reported again.
        clean(pte_addr);
        r.flush_all();
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(reps.size() == 1);
        r.unmap(0x10000000);
        r.flush_all();
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // RAM says invalid
        REQUIRE(reps.size() == 2);
        CHECK(reps[1].memory_value == 0);
        CHECK(reps[1].seen_value == ((RAM_BASE + 0x1000) | PTE_VALID));
        r.recover();
        // A clean to the PoU only does not count.
        r.map(0x10000000, RAM_BASE + 0x1000);
        clean(pte_addr, op::cvau);
        r.flush_all();
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(reps.size() == 2);  // already reported for this line since its last clean
        clean(pte_addr, op::civac);
        r.w32(pte_addr + 8, static_cast<uint32_t>(RAM_BASE + 0x3000) | PTE_VALID);  // page 2, no clean
        clean(pte_addr + 8, op::cvau);
        r.flush_all();
        CHECK(r.dma_read(3, 0x10002000, v) == tlm::TLM_OK_RESPONSE);
        REQUIRE(reps.size() == 3);
        CHECK(reps[2].why.find("only to the PoU") != std::string::npos);
        // DMA writes land in memory: a device writing table memory is not a CPU write.
        const uint32_t pte3 = static_cast<uint32_t>(RAM_BASE + 0x4000) | PTE_VALID;
        r.cpu.write32(BYPASS, 1u << 1);
        CHECK(r.dma_write(1, pte_addr + 12, pte3) == tlm::TLM_OK_RESPONSE);
        r.flush_all();
        CHECK(r.dma_read(3, 0x10003000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(reps.size() == 3);
    });
}

TEST_CASE("sun50i with check-coherence off no walker read is judged") {
    iommu::sun50i_iommu::config cfg;
    cfg.check_coherence = false;
    rig r(cfg, true);
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(3, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.mmu.checker().coherence_reports().empty());
        CHECK(r.tracker.stats().checks == 0);
    });
}

TEST_CASE("sun50i debug VA access reads, writes and prefetches through the tables, faults flag bit31") {
    rig r;
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.w32(RAM_BASE + 0x1010, 0x1234);
        r.enable();
        r.cpu.write32(VA, 0x10000010);
        r.cpu.write32(VA_CONFIG, (1u << 31) | 1u);
        CHECK(r.cpu.read32(VA_CONFIG) == ((1u << 31) | 1u));
        sc_core::wait(500, sc_core::SC_NS);
        CHECK(r.cpu.read32(VA_CONFIG) == 1u << 31);  // START self-clears, the mode stays
        CHECK(r.cpu.read32(VA_DATA) == 0x1234);
        r.cpu.write32(VA_DATA, 0x5678);
        r.cpu.write32(VA_CONFIG, (1u << 31) | (1u << 8) | 1u);
        CHECK(r.r32(RAM_BASE + 0x1010) == 0x5678);
        // Prefetch mode loads the macro TLB.
        r.cpu.write32(TLB_FLUSH_ENABLE, 0x3003f);
        r.cpu.write32(VA_CONFIG, 1u);
        CHECK(r.mmu.macro_tlb().peek(0, 0x10000000));
        // A fault: bit31 of L2PG_INT, no master stalls.
        r.cpu.write32(VA, 0x10005000);
        r.cpu.write32(VA_CONFIG, (1u << 31) | 1u);
        CHECK(r.cpu.read32(L2PG_INT) == DEBUG_MASTER);
        CHECK(r.cpu.read32(INT_STA) == L2_INVALID);
        CHECK(r.cpu.read32(INT_ERR_ADDR_L2) == 0x10005000);
        CHECK(r.mmu.stalled_masters() == 0);
        CHECK(r.mmu.irq.level());
    });
}

TEST_CASE("sun50i PMU counts micro TLB, macro TLB and PTW cache accesses and hits, PMU_CLR clears") {
    rig r;
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.enable();
        r.cpu.write32(PMU_ENABLE, 1);
        uint32_t v = 0;
        for (int i = 0; i < 3; ++i) CHECK(r.dma_read(2, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.cpu.read32(PMU_COUNTERS0 + 0x20) == 3);      // micro 2 accesses
        CHECK(r.cpu.read32(PMU_COUNTERS0 + 0x20 + 8) == 2);  // hits
        CHECK(r.cpu.read32(PMU_MACRO) == 1);
        CHECK(r.cpu.read32(PMU_MACRO + 8) == 0);
        CHECK(r.cpu.read32(PMU_PTW) == 1);
        CHECK(r.cpu.read32(PMU_COUNTERS0 + 0x24) == 0);  // HIGH words
        r.cpu.write32(PMU_CLR, 1);
        CHECK(r.cpu.read32(PMU_COUNTERS0 + 0x20) == 0);
        r.cpu.write32(PMU_ENABLE, 0);
        CHECK(r.dma_read(2, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.cpu.read32(PMU_COUNTERS0 + 0x20) == 0);
    });
}

TEST_CASE("sun50i RESET bit31 is a whole-IOMMU soft reset, macro and PTW reset bits empty their caches") {
    rig r;
    test::run_script([&] {
        r.map(0x10000000, RAM_BASE + 0x1000);
        r.enable();
        uint32_t v = 0;
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.dma_read(1, 0x30000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        r.cpu.write32(RESET, 0xffffffffu & ~MACRO_TLB);
        CHECK(r.mmu.macro_tlb().occupancy() == 0);
        CHECK(r.dma_read(0, 0x10000000, v) == tlm::TLM_OK_RESPONSE);  // micro TLB still has it
        CHECK(r.mmu.macro_tlb().occupancy() == 0);                     // held in reset: not filled
        r.cpu.write32(RESET, 0xffffffffu & ~PTW_CACHE);
        CHECK(r.mmu.ptw_cache().occupancy() == 0);
        r.cpu.write32(RESET, 0x7fffffffu);
        CHECK(r.cpu.read32(ENABLE) == 0);
        CHECK(r.cpu.read32(TTB) == 0);
        CHECK(r.cpu.read32(INT_STA) == 0);
        CHECK_FALSE(r.mmu.irq.level());
        CHECK(r.mmu.stalled_masters() == 0);
        CHECK(r.mmu.micro_tlb(0).occupancy() == 0);
        CHECK(r.dma_read(0, RAM_BASE, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // held in reset
        r.cpu.write32(RESET, 0xffffffffu);
        CHECK(r.dma_read(0, RAM_BASE, v) == tlm::TLM_OK_RESPONSE);  // off: untranslated
    });
}
