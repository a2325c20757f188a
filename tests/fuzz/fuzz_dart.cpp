// Fuzz harness: the Apple DART model (models/iommu/dart), each variant, driven by a program of
// register writes, table memory and DMA requests (iommu_program.h). The input's first byte picks
// the variant (t8103, t6000, t8110). Seeds: Linux apple-dart's sequence (tables, TTBR, TCR,
// streams enabled, TLB invalidation polled until BUSY clears), then DMA that hits, misses, faults
// and uses a stale translation, and a fault's ERROR written back.
#include "models/bus/router.h"
#include "models/iommu/dart/dart.h"
#include "models/memory/ram.h"
#include "tests/fuzz/iommu_program.h"

using namespace socsim;

namespace {

const fuzz::iommu_layout layout{0x4000, 0x800000000ull, 0x01000000, 16};
const char* const variants[] = {"apple,t8103-dart", "apple,t6000-dart", "apple,t8110-dart"};

iommu::dart::config small_caches(const char* compatible) {
    iommu::dart::config cfg;
    cfg.variant = iommu::find_dart_variant(compatible);
    cfg.tlb_entries = 16;  // a few hundred operations reach eviction
    cfg.tlb_ways = 2;
    return cfg;
}

struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", layout.ram_size};
    iommu::dart dart;
    fuzz::initiator cpu{"cpu"}, mem{"mem"}, dma{"dma"};
    explicit bench(const char* compatible) : dart("dart", small_caches(compatible)) {
        bus.map(bus.bind_target(ram.socket), {layout.ram_base, layout.ram_size}, "/memory");
        dart.downstream.bind(bus.target_socket);
        cpu.socket.bind(dart.socket);
        mem.socket.bind(bus.target_socket);
        dma.socket.bind(dart.upstream);
    }
};

// Register offsets and values as Linux apple-dart.c writes them.
class seed_writer {
public:
    static constexpr uint64_t IOVA = 0x40000000, DATA = 0x800100000ull, PAGE = 0x4000;

    explicit seed_writer(unsigned variant)
        : ops(layout, {static_cast<uint8_t>(variant)}), t8110(variant == 2),
          format(iommu::find_dart_variant(variants[variant])->pte) {}
    void bring_up(unsigned streams) {
        ops.reg32(t8110 ? 0xc00 : 0xfc, 0xffffffff);  // every stream enabled
        for (unsigned s = 0; s < streams; ++s) {
            const uint64_t l1 = alloc(), l2 = alloc();
            leaf[s] = l2;
            ops.mem64(l1 + ((IOVA >> 25) & 0x7ff) * 8, format.table_descriptor(l2));
            if (t8110) {
                ops.reg32(0x1400 + 4 * s, static_cast<uint32_t>(l1 >> 12) | 1u);
                ops.reg32(0x1000 + 4 * s, 1);
            } else {
                ops.reg32(0x200 + 16 * s, static_cast<uint32_t>(l1 >> 12) | (1u << 31));
                ops.reg32(0x100 + 4 * s, 1u << 7);
            }
        }
    }
    void map(unsigned s, unsigned page, unsigned data_page, bool read, bool write) {
        const uint64_t iova = IOVA + page * PAGE;
        ops.mem64(leaf[s] + ((iova >> 14) & 0x7ff) * 8, format.leaf_descriptor(DATA + data_page * PAGE, read, write));
    }
    void unmap(unsigned s, unsigned page) { ops.mem64(leaf[s] + (((IOVA + page * PAGE) >> 14) & 0x7ff) * 8, 0); }
    void invalidate(unsigned s) {
        if (t8110) {
            ops.reg32(0x80, (1u << 8) | s).read(0x80);
        } else {
            ops.reg32(0x34, 1u << s).reg32(0x20, 1u << 20).read(0x20);
        }
    }
    void dma(unsigned s, unsigned page, unsigned len, bool write) { ops.dma(s, IOVA + page * PAGE, len, write); }
    void clear_error() {
        const uint64_t error = t8110 ? 0x100 : 0x40;
        ops.read(error).reg32(error, 0xffffffff);
    }
    fuzz::iommu_ops ops;

private:
    uint64_t alloc() {
        const uint64_t a = next;
        next += PAGE;
        return a;
    }
    bool t8110;
    iommu::dart_format format;
    uint64_t next = 0x800800000ull;
    uint64_t leaf[16] = {};
};

std::vector<std::vector<uint8_t>> seeds() {
    std::vector<std::vector<uint8_t>> all;
    for (unsigned v = 0; v < 3; ++v) {
        seed_writer w(v);
        w.bring_up(3);
        w.map(0, 0, 0, true, true);
        w.map(0, 1, 1, true, false);
        w.map(1, 0, 2, false, true);
        w.dma(0, 0, 0x4000, true);
        w.dma(0, 1, 64, true);  // write to a read-only page: fault
        w.clear_error();
        w.dma(1, 0, 0x8000, true);  // runs into an unmapped page
        w.clear_error();
        w.unmap(0, 0);
        w.dma(0, 0, 16, false);  // stale
        w.invalidate(0);
        w.dma(0, 0, 16, false);  // fault
        w.clear_error();
        w.dma(5, 0, 16, false);  // a stream without a table
        w.ops.dma_raw_stream(0xffffffff, seed_writer::IOVA, 8, false);
        w.ops.wait(2000);
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
    return fuzz::run_iommu_input<bench>(in, layout, variants[in.u8() % 3]);
}
