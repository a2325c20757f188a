// Fuzz harness: socsim's platform DMA engine (models/devices/dma_engine), driven by a program of
// register and RAM accesses and time (bus_program.h): ring base and size, control, tail and
// doorbell, interrupt and error registers, and the descriptors in RAM the engine fetches. Seeds:
// a ring of copy and fill descriptors, then errors (a bad opcode, a zero length, a source outside
// RAM, an invalid ring) and their recovery.
#include "models/bus/router.h"
#include "models/devices/dma_engine.h"
#include "models/memory/ram.h"
#include "tests/fuzz/bus_program.h"

using namespace socsim;

namespace {

constexpr uint64_t REGS = 0x09000000, REGS_SIZE = 0x1000, RAM = 0x40000000, RAM_SIZE = 0x00800000;
const std::vector<fuzz::region> regions{{REGS, REGS_SIZE}, {RAM, RAM_SIZE}};
enum : unsigned { regs, ram };
constexpr uint64_t RING = 0x10000, SRC = 0x20000, DST = 0x30000;

struct bench {
    bus::router bus{"bus"};
    memory::ram mem{"ram", RAM_SIZE};
    devices::dma_engine engine{"dma", devices::dma_engine::config{7}};
    fuzz::initiator cpu{"cpu"};
    bench() {
        cpu.socket.bind(bus.target_socket);
        engine.dma.socket.bind(bus.target_socket);
        bus.map(bus.bind_target(engine.socket), {REGS, REGS_SIZE}, "/dma");
        bus.map(bus.bind_target(mem.socket), {RAM, RAM_SIZE}, "/memory");
    }
};

void descriptor(fuzz::bus_ops& ops, unsigned index, uint32_t control, uint64_t src, uint64_t dst, uint32_t length) {
    const uint64_t d = RING + 32 * index;
    ops.mem64(ram, d, control).mem64(ram, d + 8, src).mem64(ram, d + 16, dst).mem64(ram, d + 24, length);
}

void start(fuzz::bus_ops& ops, unsigned size, unsigned tail) {
    ops.write(regs, 0x08, RAM + RING, 8).write(regs, 0x10, size).write(regs, 0x2c, 3).write(regs, 0x14, 1);
    ops.write(regs, 0x1c, tail).write(regs, 0x20, 1).wait(20000).read(regs, 0x24).read(regs, 0x18).read(regs, 0x28);
}

std::vector<std::vector<uint8_t>> seeds() {
    std::vector<std::vector<uint8_t>> all;
    {  // copy and fill, interrupts, the ring wrapping
        fuzz::bus_ops ops;
        ops.read(regs, 0x00);
        ops.mem64(ram, SRC, 0x0123456789abcdefull);
        descriptor(ops, 0, 1 | (1u << 31), RAM + SRC, RAM + DST, 0x1800);
        descriptor(ops, 1, 2, 0xa5a5a5a5, RAM + DST + 0x2000, 64);
        descriptor(ops, 2, 1, RAM + SRC, RAM + DST + 0x3000, 8);
        start(ops, 4, 3);
        ops.write(regs, 0x28, 1).read(regs, 0x40);
        descriptor(ops, 3, 1, RAM + SRC, RAM + DST, 16);
        descriptor(ops, 0, 2, 0, RAM + DST, 16);
        ops.write(regs, 0x1c, 1).write(regs, 0x20, 1).wait(20000).read(regs, 0x18);
        all.push_back(ops.bytes());
    }
    {  // errors and recovery
        fuzz::bus_ops ops;
        descriptor(ops, 0, 9, 0, RAM + DST, 16);                    // bad opcode
        descriptor(ops, 1, 1, RAM + SRC, RAM + DST, 0);             // zero length
        descriptor(ops, 2, 1, 0x1000, RAM + DST, 64);               // source outside RAM
        descriptor(ops, 3, 1, RAM + SRC, RAM + RAM_SIZE - 8, 64);   // destination runs off RAM
        start(ops, 8, 4);
        for (int i = 0; i < 3; ++i)
            ops.read(regs, 0x30).read(regs, 0x34).read(regs, 0x38, 8).write(regs, 0x44, 1).write(regs, 0x20, 1).wait(5000);
        ops.write(regs, 0x10, 0).write(regs, 0x20, 1).wait(1000).read(regs, 0x30);  // invalid ring
        ops.write(regs, 0x14, 0).read(regs, 0x18);
        all.push_back(ops.bytes());
    }
    return all;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::initialize(seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return fuzz::run_bus_input<bench>(data, size, regions);
}
