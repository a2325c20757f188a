// Fuzz harness: the PCIe host bridge (models/pcie/pcie_host_bridge) with two edu endpoints
// (models/devices/edu), driven by a program of configuration-space, BAR-window and RAM accesses
// and time (bus_program.h): enumeration, BAR sizing and placement, command bits, the edu's
// registers, its DMA through the inbound windows (with a hole between them), to a peer's BAR
// (peer-to-peer), past the DMA mask, and MSI. Seeds: what a driver does, then DMA that goes
// through, into the hole, and to the peer.
#include "models/bus/router.h"
#include "models/devices/edu.h"
#include "models/memory/ram.h"
#include "models/pcie/pcie_host_bridge.h"
#include "tests/fuzz/bus_program.h"

using namespace socsim;

namespace {

constexpr uint64_t ECAM = 0x3f000000, ECAM_SIZE = 1 << 20, WINDOW = 0x10000000, WINDOW_SIZE = 0x01000000,
                   RAM = 0, RAM_SIZE = 0x01000000;
const std::vector<fuzz::region> regions{{ECAM, ECAM_SIZE}, {WINDOW, WINDOW_SIZE}, {RAM, RAM_SIZE}};
enum : unsigned { ecam, window, ram };

pcie::pcie_host_bridge::config bridge_config() {
    pcie::pcie_host_bridge::config cfg;
    cfg.ecam_size = ECAM_SIZE;
    cfg.outbound = {{pcie::pcie_host_bridge::space::memory32, false, WINDOW, WINDOW, WINDOW_SIZE}};
    // Two inbound windows with a hole between them (as dma-ranges on the M1 and the iProc).
    cfg.inbound = {{0x000000, 0x000000, 0x400000}, {0x800000, 0x800000, 0x400000}};
    cfg.iommu_map = {{0x0, 0x0, 0x10000}};
    return cfg;
}

struct bench {
    bus::router bus{"bus"};
    memory::ram mem{"ram", RAM_SIZE};
    pcie::pcie_host_bridge bridge{"pcie", bridge_config()};
    fuzz::initiator cpu{"cpu"};
    bench() {
        bridge.attach(0x08, std::make_unique<devices::edu>("edu0", devices::edu::config{}));
        bridge.attach(0x10, std::make_unique<devices::edu>("edu1", devices::edu::config{}));
        cpu.socket.bind(bus.target_socket);
        bridge.dma.bind(bus.target_socket);
        bus.map(bus.bind_target(bridge.ecam), {ECAM, ECAM_SIZE}, "/pcie");
        bus.map(bus.bind_target(bridge.window(0)), {WINDOW, WINDOW_SIZE}, "/pcie window");
        bus.map(bus.bind_target(mem.socket), {RAM, RAM_SIZE}, "/memory");
    }
};

uint64_t config_space(uint8_t devfn, uint64_t reg) { return (uint64_t{devfn} << 12) + reg; }

// Enumeration and BAR placement as Linux does it, MSI set up, then edu DMA `src` -> `dst`.
fuzz::bus_ops bring_up() {
    fuzz::bus_ops ops;
    for (uint8_t devfn : {0x00, 0x08, 0x10, 0x18}) ops.read(ecam, config_space(devfn, 0));
    unsigned n = 0;
    for (uint8_t devfn : {0x08, 0x10}) {
        ops.write(ecam, config_space(devfn, 0x10), 0xffffffff).read(ecam, config_space(devfn, 0x10));
        ops.write(ecam, config_space(devfn, 0x10), WINDOW + 0x100000 * n++);
        ops.write(ecam, config_space(devfn, 0x04), 0x0006, 2);
        // MSI: address, data, enable.
        ops.write(ecam, config_space(devfn, 0x44), 0x00f00000).write(ecam, config_space(devfn, 0x48), 0);
        ops.write(ecam, config_space(devfn, 0x4c), 0x40 + n, 2).write(ecam, config_space(devfn, 0x42), 1, 2);
    }
    return ops;
}

void edu_dma(fuzz::bus_ops& ops, uint64_t src, uint64_t dst, uint64_t count, bool to_ram) {
    ops.write(window, 0x80, src, 8).write(window, 0x88, dst, 8).write(window, 0x90, count, 8);
    ops.write(window, 0x98, 0x1 | (to_ram ? 0x2 : 0) | 0x4, 8).wait(5000).read(window, 0x98, 8).read(window, 0x24);
    ops.write(window, 0x64, 0x100);
}

std::vector<std::vector<uint8_t>> seeds() {
    std::vector<std::vector<uint8_t>> all;
    {  // registers, factorial, DMA both ways inside the windows
        auto ops = bring_up();
        ops.read(window, 0x00).write(window, 0x04, 0x12345678).read(window, 0x04);
        ops.write(window, 0x20, 0x80).write(window, 0x08, 5).wait(1000).read(window, 0x08).read(window, 0x24);
        ops.mem64(ram, 0x1000, 0x1122334455667788ull);
        edu_dma(ops, 0x1000, 0x40000, 256, false);
        edu_dma(ops, 0x40000, 0x900000, 256, true);  // the second inbound window
        all.push_back(ops.bytes());
    }
    {  // into the hole, across a window's end, to the peer's BAR, past the DMA mask
        auto ops = bring_up();
        edu_dma(ops, 0x40000, 0x500000, 64, true);
        edu_dma(ops, 0x40000, 0x3fff00, 0x200, true);
        edu_dma(ops, 0x40000, WINDOW + 0x100000, 16, true);
        edu_dma(ops, 0x20000000, 0x40000, 16, false);
        edu_dma(ops, 0x40ff0, 0x1000, 0x100, true);  // runs off the device buffer
        ops.write(ecam, config_space(0x08, 0x04), 0x0002, 2);  // bus mastering off
        edu_dma(ops, 0x40000, 0x1000, 16, true);
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
