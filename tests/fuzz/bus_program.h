#pragma once
// The program the device harnesses share: the CPU reads and writes a few address regions (a
// device's registers, PCIe configuration space, BAR windows, RAM holding descriptors and queues),
// and time passes (the devices' processes run the DMA the program started). Each harness lists
// its regions; `bus_ops` writes seeds in the same layout.

#include <vector>

#include "tests/fuzz/rig.h"

namespace socsim::fuzz {

struct region {
    uint64_t base;
    uint64_t size;
};

enum class bus_op : uint8_t { access, wait, count };

// `cpu` reaches every region.
inline void run_bus_program(program& in, fresh_simulation& sim, initiator& cpu, const std::vector<region>& regions) {
    sim.run(sc_core::SC_ZERO_TIME);  // ends elaboration: sockets are complete
    while (!in.done()) {
        switch (static_cast<bus_op>(in.u8() % static_cast<uint8_t>(bus_op::count))) {
        case bus_op::access: {
            const bool write = in.u8() & 1;
            const region& r = regions[in.u8() % regions.size()];
            const unsigned len = 1u << (in.u8() % 4);  // 1, 2, 4 or 8 bytes, aligned
            const uint64_t addr = r.base + ((in.u32() % r.size) & ~uint64_t{len - 1});
            if (write)
                cpu.write(addr, in.u64(), len);
            else
                cpu.read(addr, len);
            break;
        }
        case bus_op::wait:
            sim.run(sc_core::sc_time(in.u16(), sc_core::SC_NS));
            break;
        case bus_op::count:
            break;
        }
    }
    sim.run(sc_core::sc_time(100, sc_core::SC_US));  // what the program started runs to its end
}

// libFuzzer's entry for a device harness: a fresh simulation, the harness's `Bench` (with its
// `cpu`), the program.
template <class Bench>
int run_bus_input(const uint8_t* data, size_t size, const std::vector<region>& regions) {
    fresh_simulation sim;
    Bench bench;
    program in(data, size);
    run_bus_program(in, sim, bench.cpu, regions);
    return 0;
}

class bus_ops {
public:
    // Region `r`, byte offset `off` in it.
    bus_ops& write(unsigned r, uint64_t off, uint64_t v, unsigned len = 4) { return access(true, r, off, len), w_.u64(v), *this; }
    bus_ops& read(unsigned r, uint64_t off, unsigned len = 4) { return access(false, r, off, len), *this; }
    bus_ops& wait(uint16_t ns) { return w_.u8(uint8_t(bus_op::wait)).u16(ns), *this; }
    // Memory words: `r` is a RAM region; 8-byte writes.
    bus_ops& mem64(unsigned r, uint64_t off, uint64_t v) { return write(r, off, v, 8); }
    std::vector<uint8_t> bytes() const { return w_.bytes(); }

private:
    void access(bool write, unsigned r, uint64_t off, unsigned len) {
        const uint8_t log2 = len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3;
        w_.u8(uint8_t(bus_op::access)).u8(write).u8(uint8_t(r)).u8(log2).u32(uint32_t(off));
    }
    program_writer w_;
};

} // namespace socsim::fuzz
