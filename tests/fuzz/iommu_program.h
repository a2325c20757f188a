#pragma once
// The program the three IOMMU harnesses share: the CPU writes and reads the IOMMU's registers and
// writes table memory (stream tables, descriptors, page tables, command queues), devices make DMA
// requests with a stream id, time passes. Each IOMMU harness builds its model between a `cpu`,
// a `dma` master and RAM, and writes its seeds (what firmware does to bring it up, then DMA) with
// `iommu_ops`.

#include <utility>
#include <vector>

#include "tests/fuzz/rig.h"

namespace socsim::fuzz {

struct iommu_layout {
    uint64_t reg_size;   // bytes of the register block (offsets wrap into it)
    uint64_t ram_base;   // table memory: RAM the CPU writes and the IOMMU walks
    uint64_t ram_size;
    unsigned streams;    // stream ids the program usually picks from (0..streams-1)
};

enum class iommu_op : uint8_t { reg_write32, reg_write64, reg_read, mem_write, dma, wait, count };

// Decodes and runs the program. `cpu` reaches the registers (offset 0 = the block), `mem` reaches
// RAM, `dma` is the device side of the IOMMU.
inline void run_iommu_program(program& in, fresh_simulation& sim, initiator& cpu, initiator& mem, initiator& dma,
                              const iommu_layout& l) {
    std::vector<uint8_t> buffer;
    sim.run(sc_core::SC_ZERO_TIME);  // ends elaboration: sockets are complete
    while (!in.done()) {
        switch (static_cast<iommu_op>(in.u8() % static_cast<uint8_t>(iommu_op::count))) {
        case iommu_op::reg_write32: {
            const uint64_t off = (in.u32() % l.reg_size) & ~uint64_t{3};
            cpu.write(off, in.u32(), 4);
            break;
        }
        case iommu_op::reg_write64: {
            const uint64_t off = (in.u32() % l.reg_size) & ~uint64_t{7};
            cpu.write(off, in.u64(), 8);
            break;
        }
        case iommu_op::reg_read: {
            const uint64_t off = in.u32() % l.reg_size;
            const unsigned len = 1u << (in.u8() % 4);  // 1, 2, 4 or 8 bytes, any alignment
            cpu.read(off & ~uint64_t{len - 1}, len);
            break;
        }
        case iommu_op::mem_write: {
            const uint64_t addr = l.ram_base + ((in.u32() % l.ram_size) & ~uint64_t{7});
            mem.write(addr, in.u64(), 8);
            break;
        }
        case iommu_op::dma: {
            // A stream id below 0xf0 picks one of the usual streams; others are taken whole, so
            // ids the IOMMU does not know are tried too.
            const uint8_t pick = in.u8();
            const uint32_t stream = pick < 0xf0 ? pick % l.streams : in.u32();
            const uint64_t iova = in.u64();
            const unsigned len = 1 + in.u16() % 0x2000;
            const bool write = in.u8() & 1;
            buffer.assign(len, 0x5a);
            dma.set_stream(stream);
            dma.access(write, iova, buffer.data(), len);
            break;
        }
        case iommu_op::wait:
            sim.run(sc_core::sc_time(in.u16(), sc_core::SC_NS));
            break;
        case iommu_op::count:
            break;
        }
    }
}

// libFuzzer's entry for an IOMMU harness: a fresh simulation, the harness's `Bench` built from
// `args` (with its `cpu`, `mem` and `dma`), the rest of the program.
template <class Bench, class... Args>
int run_iommu_input(program& in, const iommu_layout& l, Args&&... args) {
    fresh_simulation sim;
    Bench bench(std::forward<Args>(args)...);
    run_iommu_program(in, sim, bench.cpu, bench.mem, bench.dma, l);
    return 0;
}

// Writes programs in the layout run_iommu_program reads (offsets relative to the layout), after
// the harness's own leading bytes if it has any (the variant a DART or H6 program runs on).
class iommu_ops {
public:
    explicit iommu_ops(const iommu_layout& l, std::vector<uint8_t> leading = {}) : l_(l) {
        for (uint8_t b : leading) w_.u8(b);
    }
    iommu_ops& reg32(uint64_t off, uint32_t v) { return op(iommu_op::reg_write32).u32(uint32_t(off)), w_.u32(v), *this; }
    iommu_ops& reg64(uint64_t off, uint64_t v) { return op(iommu_op::reg_write64).u32(uint32_t(off)), w_.u64(v), *this; }
    iommu_ops& read(uint64_t off, unsigned len = 4) {
        const uint8_t log2 = len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3;
        return op(iommu_op::reg_read).u32(uint32_t(off)), w_.u8(log2), *this;
    }
    iommu_ops& mem64(uint64_t addr, uint64_t v) {
        return op(iommu_op::mem_write).u32(uint32_t(addr - l_.ram_base)), w_.u64(v), *this;
    }
    iommu_ops& mem32(uint64_t addr, uint32_t v) {  // the other half of its 8-byte word stays 0
        return (addr & 7) ? mem64(addr & ~uint64_t{7}, uint64_t{v} << 32) : mem64(addr, v);
    }
    iommu_ops& dma(unsigned stream, uint64_t iova, unsigned len, bool write) {
        op(iommu_op::dma).u8(uint8_t(stream)).u64(iova).u16(uint16_t(len - 1)).u8(write);
        return *this;
    }
    iommu_ops& dma_raw_stream(uint32_t stream, uint64_t iova, unsigned len, bool write) {
        op(iommu_op::dma).u8(0xff).u32(stream).u64(iova).u16(uint16_t(len - 1)).u8(write);
        return *this;
    }
    iommu_ops& wait(uint16_t ns) { return op(iommu_op::wait).u16(ns), *this; }
    std::vector<uint8_t> bytes() const { return w_.bytes(); }

private:
    program_writer& op(iommu_op o) { return w_.u8(static_cast<uint8_t>(o)); }
    iommu_layout l_;
    program_writer w_;
};

} // namespace socsim::fuzz
