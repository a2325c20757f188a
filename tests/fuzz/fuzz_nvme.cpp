// Fuzz harness: the NVMe controller (models/devices/nvme) behind the PCIe host bridge, driven by
// a program of configuration-space, BAR0 and RAM accesses and time (bus_program.h): controller
// registers, doorbells, and the queues, commands and PRP lists in RAM that the controller reads.
// Seeds: Linux nvme-pci's bring-up (BAR, bus mastering, admin queues, CC.EN, Identify, an I/O
// queue pair), then writes and reads with PRP1, PRP2 and a PRP list, and bad commands.
#include <array>

#include "models/bus/router.h"
#include "models/devices/nvme.h"
#include "models/memory/ram.h"
#include "models/pcie/pcie_host_bridge.h"
#include "tests/fuzz/bus_program.h"

using namespace socsim;

namespace {

constexpr uint64_t ECAM = 0x3f000000, ECAM_SIZE = 1 << 20, WINDOW = 0x10000000, WINDOW_SIZE = 0x00100000,
                   RAM = 0, RAM_SIZE = 0x00800000;
const std::vector<fuzz::region> regions{{ECAM, ECAM_SIZE}, {WINDOW, WINDOW_SIZE}, {RAM, RAM_SIZE}};
enum : unsigned { ecam, bar, ram };
constexpr uint64_t CONFIG = 0x08 << 12;  // 00:01.0
constexpr uint64_t ASQ = 0x10000, ACQ = 0x11000, IOSQ = 0x12000, IOCQ = 0x13000, IDENT = 0x20000, DATA = 0x30000,
                   PRP_LIST = 0x40000;
constexpr unsigned ADMIN_ENTRIES = 8, IO_ENTRIES = 16;

pcie::pcie_host_bridge::config bridge_config() {
    pcie::pcie_host_bridge::config cfg;
    cfg.ecam_size = ECAM_SIZE;
    cfg.outbound = {{pcie::pcie_host_bridge::space::memory32, false, WINDOW, WINDOW, WINDOW_SIZE}};
    cfg.iommu_map = {{0x0, 0x0, 0x10000}};
    return cfg;
}

devices::nvme::config nvme_config() {
    devices::nvme::config cfg;
    cfg.disk_size = 1 << 20;  // 2048 blocks, in memory
    cfg.command_latency = sc_core::sc_time(1, sc_core::SC_US);
    cfg.touch_after_completion = sc_core::sc_time(2, sc_core::SC_US);  // the late-touch checker too
    return cfg;
}

struct bench {
    bus::router bus{"bus"};
    memory::ram mem{"ram", RAM_SIZE};
    pcie::pcie_host_bridge bridge{"pcie", bridge_config()};
    fuzz::initiator cpu{"cpu"};
    bench() {
        bridge.attach(0x08, std::make_unique<devices::nvme>("nvme", nvme_config()));
        cpu.socket.bind(bus.target_socket);
        bridge.dma.bind(bus.target_socket);
        bus.map(bus.bind_target(bridge.ecam), {ECAM, ECAM_SIZE}, "/pcie");
        bus.map(bus.bind_target(bridge.window(0)), {WINDOW, WINDOW_SIZE}, "/pcie window");
        bus.map(bus.bind_target(mem.socket), {RAM, RAM_SIZE}, "/memory");
    }
};

class seed_writer {
public:
    // nvme_pci_enable + nvme_pci_configure_admin_queue + nvme_enable_ctrl.
    void enable() {
        ops.write(ecam, CONFIG + 0x10, WINDOW).write(ecam, CONFIG + 0x14, 0).write(ecam, CONFIG + 0x04, 6, 2);
        ops.read(bar, 0x00, 8).read(bar, 0x08);
        ops.write(bar, 0x24, (ADMIN_ENTRIES - 1) << 16 | (ADMIN_ENTRIES - 1));
        ops.write(bar, 0x28, ASQ, 8).write(bar, 0x30, ACQ, 8);
        ops.write(bar, 0x14, 6u << 16 | 4u << 20 | 1).read(bar, 0x1c);
    }
    void submit(unsigned qid, std::array<uint32_t, 16> dw) {
        dw[0] = (dw[0] & 0xffff) | uint32_t{next_cid++} << 16;
        const uint64_t entry = (qid == 0 ? ASQ : IOSQ) + 64 * tail[qid];
        for (unsigned i = 0; i < 16; i += 2) ops.mem64(ram, entry + 4 * i, dw[i] | uint64_t{dw[i + 1]} << 32);
        tail[qid] = (tail[qid] + 1) % (qid == 0 ? ADMIN_ENTRIES : IO_ENTRIES);
        ops.write(bar, 0x1000 + 8 * qid, tail[qid]).wait(3000);
        // What the driver's completion handling reads and writes.
        ops.read(ram, (qid == 0 ? ACQ : IOCQ) + 16 * head[qid] + 12);
        head[qid] = (head[qid] + 1) % (qid == 0 ? ADMIN_ENTRIES : IO_ENTRIES);
        ops.write(bar, 0x1004 + 8 * qid, head[qid]);
    }
    static std::array<uint32_t, 16> cmd(uint8_t opcode, uint32_t nsid = 0, uint64_t prp1 = 0, uint64_t prp2 = 0) {
        std::array<uint32_t, 16> d{};
        d[0] = opcode;
        d[1] = nsid;
        d[6] = uint32_t(prp1), d[7] = uint32_t(prp1 >> 32), d[8] = uint32_t(prp2), d[9] = uint32_t(prp2 >> 32);
        return d;
    }
    static std::array<uint32_t, 16> rw(uint8_t opcode, uint64_t slba, unsigned blocks, uint64_t prp1, uint64_t prp2) {
        auto d = cmd(opcode, 1, prp1, prp2);
        d[10] = uint32_t(slba), d[11] = uint32_t(slba >> 32), d[12] = blocks - 1;
        return d;
    }
    void io_queues() {
        auto c = cmd(0x05, 0, IOCQ);
        c[10] = (IO_ENTRIES - 1) << 16 | 1, c[11] = 0x3;
        submit(0, c);
        auto s = cmd(0x01, 0, IOSQ);
        s[10] = (IO_ENTRIES - 1) << 16 | 1, s[11] = 1u << 16 | 0x1;
        submit(0, s);
    }

    fuzz::bus_ops ops;

private:
    unsigned tail[2] = {}, head[2] = {};
    uint16_t next_cid = 1;
};

std::vector<std::vector<uint8_t>> seeds() {
    std::vector<std::vector<uint8_t>> all;
    {  // Identify, I/O queues, write and read back: PRP1 only, PRP2, PRP list
        seed_writer w;
        w.enable();
        auto identify = seed_writer::cmd(0x06, 0, IDENT);
        identify[10] = 1;
        w.submit(0, identify);
        w.io_queues();
        w.submit(1, seed_writer::rw(0x01, 0, 8, DATA, 0));
        w.submit(1, seed_writer::rw(0x02, 0, 16, DATA, DATA + 0x1000));
        w.ops.mem64(ram, PRP_LIST, DATA + 0x1000).mem64(ram, PRP_LIST + 8, DATA + 0x2000);
        w.submit(1, seed_writer::rw(0x02, 8, 24, DATA, PRP_LIST));
        all.push_back(w.ops.bytes());
    }
    {  // bad commands: unknown opcode, past the end of the disk, a misaligned PRP, then a reset
        seed_writer w;
        w.enable();
        w.io_queues();
        w.submit(0, seed_writer::cmd(0xff));
        w.submit(1, seed_writer::rw(0x02, 4000, 8, DATA, 0));
        w.submit(1, seed_writer::rw(0x02, 0, 8, DATA + 3, 0));
        w.ops.write(bar, 0x14, 0).read(bar, 0x1c).write(bar, 0x14, 6u << 16 | 4u << 20 | 1);
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
    return fuzz::run_bus_input<bench>(data, size, regions);
}
