// Fuzz harness: the Allwinner H6 IOMMU model (models/iommu/sun50i), each variant, driven by a
// program of register writes, table memory and DMA requests (iommu_program.h). The input's first
// byte picks the variant (H6, H616). Seeds: Linux sun50i-iommu's sequence (directory and page
// tables, TTB, prefetch, bypass off, domain permissions, flush polled until clear, enable), then
// DMA that hits, misses, faults and uses a stale translation, page invalidations, and the fault
// handler (INT_CLR, master reset).
#include "models/bus/router.h"
#include "models/iommu/sun50i/sun50i_iommu.h"
#include "models/memory/ram.h"
#include "tests/fuzz/iommu_program.h"

using namespace socsim;
using namespace socsim::iommu::sun50i_reg;

namespace {

const fuzz::iommu_layout layout{0x400, 0x40000000, 0x01000000, 8};

iommu::sun50i_iommu::config small_caches(const iommu::sun50i_variant& v) {
    iommu::sun50i_iommu::config cfg;
    cfg.variant = &v;
    cfg.tlb_entries = 16;  // a few hundred operations reach eviction
    cfg.tlb_ways = 2;
    cfg.micro_tlb_entries = 4;
    cfg.micro_tlb_ways = 2;
    cfg.ptw_cache_entries = 4;
    cfg.ptw_cache_ways = 2;
    return cfg;
}

struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", layout.ram_size};
    iommu::sun50i_iommu mmu;
    fuzz::initiator cpu{"cpu"}, mem{"mem"}, dma{"dma"};
    explicit bench(const iommu::sun50i_variant& v) : mmu("iommu", small_caches(v)) {
        bus.map(bus.bind_target(ram.socket), {layout.ram_base, layout.ram_size}, "/memory");
        mmu.downstream.bind(bus.target_socket);
        cpu.socket.bind(mmu.socket);
        mem.socket.bind(bus.target_socket);
        dma.socket.bind(mmu.upstream);
    }
};

class seed_writer {
public:
    static constexpr uint64_t DT = 0x40800000, PT = 0x40810000;
    static constexpr uint64_t DATA = 0x40400000 - 8 * 0x1000;  // straddles a 1 MiB directory slot

    seed_writer(unsigned variant, unsigned masters) : ops(layout, {static_cast<uint8_t>(variant)}), masters_(masters) {}
    void bring_up() {
        for (unsigned s = 0; s < 2; ++s) ops.mem32(DT + ((DATA >> 20) + s) * 4, static_cast<uint32_t>(PT + s * 0x400) | 1);
        uint32_t no_reads = 0;
        for (unsigned m = 0; m < masters_; ++m) no_reads |= 1u << (2 * m);
        ops.reg32(TTB, static_cast<uint32_t>(DT)).reg32(TLB_PREFETCH, mask()).reg32(BYPASS, 0);
        ops.reg32(DM_AUT_CTRL0, (no_reads << 1) << 16).reg32(DM_AUT_CTRL0 + 4, no_reads);
        ops.reg32(INT_ENABLE, 0xffffffff);
        flush();
        ops.reg32(ENABLE, 1);
    }
    // ACI 0 read/write, 1 read-only, 2 write-only (the domains bring_up sets).
    void map(unsigned page, unsigned data_page, unsigned aci) {
        ops.mem32(pte(page), static_cast<uint32_t>(DATA + data_page * 0x1000ull) | (aci << 4) | 2);
    }
    void unmap(unsigned page) { ops.mem32(pte(page), 0); }
    void invalidate(unsigned page) {
        const uint32_t a = static_cast<uint32_t>(DATA + page * 0x1000ull);
        ops.reg32(TLB_IVLD_ADDR, a).reg32(TLB_IVLD_ADDR_MASK, 0xfffff000u).reg32(TLB_IVLD_ENABLE, 1).wait(1000);
        ops.read(TLB_IVLD_ENABLE).reg32(PC_IVLD_ADDR, a).reg32(PC_IVLD_ENABLE, 1).wait(1000).read(PC_IVLD_ENABLE);
    }
    void flush() { ops.reg32(TLB_FLUSH_ENABLE, MACRO_TLB | PTW_CACHE | mask()).wait(1000).read(TLB_FLUSH_ENABLE); }
    void recover() {
        ops.read(INT_STA).read(L1PG_INT).read(L2PG_INT).read(INT_ERR_ADDR0);
        ops.reg32(INT_CLR, 0xffffffff).reg32(RESET, 0).reg32(RESET, 0xffffffff);
    }
    void dma(unsigned master, unsigned page, unsigned len, bool write) {
        ops.dma(master, DATA + page * 0x1000ull, len, write);
    }
    fuzz::iommu_ops ops;

private:
    uint32_t mask() const { return (1u << masters_) - 1; }
    uint64_t pte(unsigned page) const {
        const uint64_t iova = DATA + page * 0x1000ull;
        return PT + ((iova >> 20) - (DATA >> 20)) * 0x400 + ((iova >> 12) & 0xff) * 4;
    }
    unsigned masters_;
};

std::vector<std::vector<uint8_t>> seeds() {
    std::vector<std::vector<uint8_t>> all;
    const auto& variants = iommu::sun50i_variants();
    for (unsigned v = 0; v < variants.size(); ++v) {
        seed_writer w(v, variants[v].masters);
        w.bring_up();
        w.map(0, 0, 0);
        w.map(7, 1, 1);
        w.map(8, 2, 2);  // the next directory slot
        w.dma(0, 0, 0x1000, true);
        w.dma(1, 7, 0x2000, false);  // crosses the slot boundary
        w.dma(2, 7, 64, true);       // read-only: fault, the master stalls
        w.recover();
        w.unmap(0);
        w.dma(0, 0, 16, false);  // stale
        w.invalidate(0);
        w.dma(0, 0, 16, false);  // fault
        w.recover();
        w.ops.reg32(ENABLE, 0);
        w.dma(3, 5, 32, true);  // bypass
        w.ops.reg32(PMU_ENABLE, 1).read(PMU_COUNTERS0).read(PMU_MACRO);
        all.push_back(w.ops.bytes());
    }
    return all;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::initialize(seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::program in(data, size);
    const auto& variants = iommu::sun50i_variants();
    return fuzz::run_iommu_input<bench>(in, layout, variants[in.u8() % variants.size()]);
}
