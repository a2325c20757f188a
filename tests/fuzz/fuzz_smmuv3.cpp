// Fuzz harness: the SMMUv3 model (models/iommu/smmuv3) driven by a program of register writes,
// table and queue memory and DMA requests (iommu_program.h). Seeds: Linux arm-smmu-v3's bring-up
// (stream table, command queue, event queue, STEs, CDs, 4-level tables), then DMA that hits,
// misses, faults and uses a stale translation, with the invalidation commands firmware sends.
#include "models/bus/router.h"
#include "models/iommu/smmuv3/smmuv3.h"
#include "models/memory/ram.h"
#include "tests/fuzz/iommu_program.h"

using namespace socsim;
using namespace socsim::iommu::smmuv3_reg;

namespace {

const fuzz::iommu_layout layout{0x20000, 0x40000000, 0x01000000, 4};

// Small caches: a program of a few hundred operations reaches eviction, and a fresh model per
// input costs little.
iommu::smmuv3::config small_caches() {
    iommu::smmuv3::config cfg;
    cfg.tlb_entries = 16;
    cfg.tlb_ways = 2;
    cfg.config_cache_entries = 4;
    return cfg;
}

struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", layout.ram_size};
    iommu::smmuv3 smmu{"smmu", small_caches()};
    fuzz::initiator cpu{"cpu"}, mem{"mem"}, dma{"dma"};
    bench() {
        bus.map(bus.bind_target(ram.socket), {layout.ram_base, layout.ram_size}, "/memory");
        smmu.downstream.bind(bus.target_socket);
        cpu.socket.bind(smmu.socket);
        mem.socket.bind(bus.target_socket);
        dma.socket.bind(smmu.upstream);
    }
};

// Firmware's side, written as a program: the oracle test's driver (tests/unit/test_oracle_smmuv3).
class seed_writer {
public:
    static constexpr uint64_t IOVA = 0x80000000, DATA = 0x40100000;
    static constexpr unsigned cmdq_log2 = 6;

    seed_writer() : ops(layout) {}

    void bring_up(unsigned streams, bool two_level = false) {
        const uint64_t strtab = alloc(64 * 16, 64 * 16);
        if (two_level) {
            const uint64_t l2 = alloc(64 * 16, 64);
            ops.mem64(strtab, l2 | 5);  // L1 descriptor: SPAN 5 (16 STEs)
            ops.reg64(STRTAB_BASE, strtab).reg32(STRTAB_BASE_CFG, (1u << 16) | (4u << 6) | 8);
            ste_base = l2;
        } else {
            ops.reg64(STRTAB_BASE, strtab).reg32(STRTAB_BASE_CFG, 4);
            ste_base = strtab;
        }
        cmdq = alloc(16 << cmdq_log2, 16 << cmdq_log2);
        ops.reg64(CMDQ_BASE, cmdq | cmdq_log2).reg32(CR0, 0x8);
        command(0x04, 31);  // CFGI_ALL
        command(0x30);      // TLBI_NSNH_ALL
        command(0x46);      // CMD_SYNC
        const uint64_t eventq = alloc(32 << 5, 32 << 5);
        ops.reg64(EVENTQ_BASE, eventq | 5).reg32(IRQ_CTRL, 5).reg32(GBPA, (1u << 31) | (1u << 20));
        for (unsigned s = 0; s < streams; ++s) {
            uint64_t root = 0;
            leaf[s] = build_table(root);
            cd[s] = alloc(64, 64);
            const uint64_t dw0 = 16 | (1ull << 30) | (1ull << 31) | (5ull << 32) | (1ull << 41) | (1ull << 46) |
                                 (1ull << 43) | (uint64_t{s + 1} << 48);  // R = 1: faults recorded
            ops.mem64(cd[s], dw0).mem64(cd[s] + 8, root);
            ops.mem64(ste_base + 64 * s, 1 | (5u << 1) | cd[s]);
        }
        command(0x04, 31);
        command(0x46);
        ops.reg32(CR0, 0xd).read(CR0ACK);
    }
    void map(unsigned s, unsigned page, unsigned data_page, bool writable = true) {
        const uint64_t d = (DATA + data_page * 0x1000ull) | 3 | (1ull << 10) | (1ull << 6) | (1ull << 11) |
                           (writable ? 0 : 1ull << 7);
        ops.mem64(leaf[s] + page * 8, d);
    }
    void unmap(unsigned s, unsigned page) { ops.mem64(leaf[s] + page * 8, 0); }
    void tlbi_va(unsigned s, unsigned page) {
        command(0x12 | (uint64_t{s + 1} << 48), IOVA + page * 0x1000ull);
        command(0x46);
    }
    void tlbi_asid(unsigned s) {
        command(0x11 | (uint64_t{s + 1} << 48));
        command(0x46);
    }
    void dma(unsigned s, unsigned page, unsigned len, bool write) { ops.dma(s, IOVA + page * 0x1000ull, len, write); }
    void command(uint64_t dw0, uint64_t dw1 = 0) {
        const uint32_t index = prod & ((1u << cmdq_log2) - 1);
        ops.mem64(cmdq + index * 16, dw0).mem64(cmdq + index * 16 + 8, dw1);
        prod = (prod + 1) & ((2u << cmdq_log2) - 1);
        ops.reg32(CMDQ_PROD, prod).read(CMDQ_CONS);
    }

    fuzz::iommu_ops ops;

private:
    uint64_t alloc(uint64_t bytes, uint64_t align) {
        next = (next + align - 1) & ~(align - 1);
        const uint64_t a = next;
        next += bytes;
        return a;  // RAM starts zeroed in every run
    }
    uint64_t build_table(uint64_t& root) {
        uint64_t table = root = alloc(0x1000, 0x1000);
        for (int level = 0; level < 3; ++level) {
            const uint64_t next_table = alloc(0x1000, 0x1000);
            ops.mem64(table + ((IOVA >> (12 + 9 * (3 - level))) & 0x1ff) * 8, next_table | 3);
            table = next_table;
        }
        return table + ((IOVA >> 12) & 0x1ff) * 8;
    }
    uint64_t next = 0x40800000;
    uint64_t cmdq = 0, ste_base = 0;
    uint32_t prod = 0;
    uint64_t leaf[4] = {}, cd[4] = {};
};

std::vector<std::vector<uint8_t>> seeds() {
    std::vector<std::vector<uint8_t>> all;
    {  // map, DMA both ways, unmap without invalidation (stale), invalidate, fault
        seed_writer w;
        w.bring_up(2);
        w.map(0, 0, 0);
        w.map(0, 1, 1, false);
        w.map(1, 0, 2);
        w.dma(0, 0, 0x1000, true);
        w.dma(0, 1, 64, false);
        w.dma(0, 1, 64, true);  // permission fault
        w.dma(1, 0, 0x2000, false);  // crosses into an unmapped page
        w.unmap(0, 0);
        w.dma(0, 0, 16, false);  // stale
        w.tlbi_va(0, 0);
        w.dma(0, 0, 16, false);  // translation fault
        w.tlbi_asid(1);
        w.ops.dma_raw_stream(0x12345, seed_writer::IOVA, 8, false);  // bad stream id
        w.ops.read(EVENTQ_PROD).read(GERROR);
        all.push_back(w.ops.bytes());
    }
    {  // two-level stream table, bypass and abort configurations, a bad command
        seed_writer w;
        w.bring_up(3, true);
        w.map(2, 3, 4);
        w.dma(2, 3, 128, true);
        w.ops.reg32(CR0, 0xc).read(CR0ACK).reg32(GBPA, 1u << 31);
        w.dma(2, 3, 128, true);  // SMMU off: GBPA bypass
        w.ops.reg32(CR0, 0xd);
        w.command(0xff);  // illegal opcode: CERROR_ILL, GERROR.CMDQ_ERR
        w.ops.read(GERROR).read(CMDQ_CONS).reg32(GERRORN, 1);
        w.command(0x46);
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
    return fuzz::run_iommu_input<bench>(in, layout);
}
