// The NVMe controller behind the host bridge, through real sockets, driven the way Linux's
// nvme-pci brings a controller up: BAR and bus mastering, admin queues, CC.EN, Identify, the I/O
// queue pair, reads and writes with PRP1 and PRP lists, and the statuses bad commands get.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/devices/nvme.h"
#include "models/memory/ram.h"
#include "models/pcie/pcie_host_bridge.h"
#include "tests/unit/harness.h"
#include "tests/unit/virt_pcie.h"

using namespace socsim;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {

constexpr uint64_t ecam_base = 0x3f000000, bar0 = 0x10000000;
constexpr uint64_t ram_base = 0x00000000, ram_size = 0x800000;
constexpr uint64_t config = ecam_base + (1u << 15);  // 00:01.0
// Guest memory layout of the tests.
constexpr uint64_t asq = 0x10000, acq = 0x11000, iosq = 0x12000, iocq = 0x13000, ident = 0x20000, data = 0x30000,
                   prp_list = 0x40000, msi_doorbell = 0x50000, fault_page = 0x60000;
constexpr unsigned admin_entries = 8, io_entries = 16;

struct completion {
    uint32_t dw0;
    uint16_t sqhd, sqid, cid;
    bool phase;
    uint16_t status;
};

// CPU -> router -> {ECAM, MMIO window, RAM}; nvme -> bridge -> tap -> router -> RAM.
struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", ram_size};
    pcie::pcie_host_bridge bridge;
    test::dma_tap tap{"tap"};
    devices::nvme* nvme;
    test::test_initiator cpu{"cpu"};
    unsigned sq_tail[2] = {0, 0}, cq_head[2] = {0, 0};
    bool phase[2] = {true, true};
    uint16_t next_cid = 1;

    static devices::nvme::config default_config() {
        devices::nvme::config c;
        c.disk_size = 1 << 20;  // 2048 blocks in memory
        return c;
    }

    explicit bench(devices::nvme::config ncfg = default_config()) : bridge("pcie", test::virt_bridge_config()) {
        nvme = &static_cast<devices::nvme&>(bridge.attach(0x08, std::make_unique<devices::nvme>("nvme", ncfg)));
        cpu.socket.bind(bus.target_socket);
        bridge.dma.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        bus.map(bus.bind_target(bridge.ecam), {ecam_base, 16 << 20}, "/pcie");
        bus.map(bus.bind_target(bridge.window(0)), {0x10000000, 0x2eff0000}, "/pcie window");
        bus.map(bus.bind_target(ram.socket), {ram_base, ram_size}, "/memory");
        tap.fault_base = fault_page;
        tap.fault_size = 0x1000;
    }
    uint8_t* ram_at(uint64_t addr) { return ram.host_pointer() + (addr - ram_base); }

    // nvme_pci_enable + nvme_pci_configure_admin_queue + nvme_enable_ctrl.
    void enable() {
        cpu.write32(config + 0x10, static_cast<uint32_t>(bar0));
        cpu.write32(config + 0x14, 0);
        cpu.write(config + 0x04, 0x0006, 2);
        cpu.write32(bar0 + 0x24, (admin_entries - 1) << 16 | (admin_entries - 1));
        cpu.write64(bar0 + 0x28, asq);
        cpu.write64(bar0 + 0x30, acq);
        cpu.write32(bar0 + 0x14, 6u << 16 | 4u << 20 | 1);
        REQUIRE((cpu.read32(bar0 + 0x1c) & 3) == 1);  // RDY, not CFS
    }
    uint32_t* sqe(unsigned qid) {
        const uint64_t base = qid == 0 ? asq : iosq;
        return reinterpret_cast<uint32_t*>(ram_at(base + 64 * sq_tail[qid]));
    }
    // Writes a command (its dwords 0..15, cid set here) and rings the tail doorbell.
    uint16_t submit(unsigned qid, std::array<uint32_t, 16> dw) {
        const uint16_t cid = next_cid++;
        dw[0] = (dw[0] & 0xffff) | uint32_t{cid} << 16;
        std::memcpy(sqe(qid), dw.data(), 64);
        sq_tail[qid] = (sq_tail[qid] + 1) % (qid == 0 ? admin_entries : io_entries);
        cpu.write32(bar0 + 0x1000 + 8 * qid, sq_tail[qid]);
        return cid;
    }
    // Polls the CQ for the next entry of the current phase, consumes it and rings the head doorbell.
    completion reap(unsigned qid) {
        const uint64_t base = qid == 0 ? acq : iocq;
        for (int i = 0; i < 1000; ++i) {
            const uint8_t* e = ram_at(base + 16 * cq_head[qid]);
            uint32_t dw[4];
            std::memcpy(dw, e, 16);
            if (((dw[3] >> 16) & 1) == phase[qid]) {
                completion c{dw[0], static_cast<uint16_t>(dw[2]), static_cast<uint16_t>(dw[2] >> 16),
                             static_cast<uint16_t>(dw[3]), true, static_cast<uint16_t>(dw[3] >> 17)};
                cq_head[qid] = (cq_head[qid] + 1) % (qid == 0 ? admin_entries : io_entries);
                if (cq_head[qid] == 0) phase[qid] = !phase[qid];
                cpu.write32(bar0 + 0x1004 + 8 * qid, cq_head[qid]);
                return c;
            }
            sc_core::wait(sc_time(1, SC_US));
        }
        FAIL("no completion on CQ " << qid);
        return {};
    }
    completion run(unsigned qid, const std::array<uint32_t, 16>& dw) {
        const uint16_t cid = submit(qid, dw);
        completion c = reap(qid);
        CHECK(c.cid == cid);
        CHECK(c.sqid == qid);
        return c;
    }
    static std::array<uint32_t, 16> cmd(uint8_t opcode, uint32_t nsid = 0, uint64_t prp1 = 0, uint64_t prp2 = 0) {
        std::array<uint32_t, 16> d{};
        d[0] = opcode;
        d[1] = nsid;
        d[6] = static_cast<uint32_t>(prp1), d[7] = static_cast<uint32_t>(prp1 >> 32);
        d[8] = static_cast<uint32_t>(prp2), d[9] = static_cast<uint32_t>(prp2 >> 32);
        return d;
    }
    static std::array<uint32_t, 16> rw(uint8_t opcode, uint64_t slba, unsigned blocks, uint64_t prp1, uint64_t prp2 = 0) {
        auto d = cmd(opcode, 1, prp1, prp2);
        d[10] = static_cast<uint32_t>(slba), d[11] = static_cast<uint32_t>(slba >> 32);
        d[12] = blocks - 1;
        return d;
    }
    // nvme_create_queue: CQ 1 (IEN, vector `vector`) then SQ 1 on it.
    void create_io_queues(unsigned vector = 0) {
        auto c = cmd(0x05, 0, iocq);
        c[10] = (io_entries - 1) << 16 | 1;
        c[11] = vector << 16 | 0x3;
        REQUIRE(run(0, c).status == 0);
        auto s = cmd(0x01, 0, iosq);
        s[10] = (io_entries - 1) << 16 | 1;
        s[11] = 1u << 16 | 0x1;
        REQUIRE(run(0, s).status == 0);
    }
};

size_t count_of(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

} // namespace

TEST_CASE("nvme: QEMU's configuration header, BAR0 and MSI-X capability, controller reset values") {
    bench b;
    test::run_script([&] {
        CHECK(b.cpu.read32(config + 0x00) == 0x00101b36);
        CHECK(b.cpu.read32(config + 0x04) == 0x00100000);  // capability list
        CHECK(b.cpu.read32(config + 0x08) == 0x01080202);  // class 010802, revision 2
        CHECK(b.cpu.read32(config + 0x2c) == 0x11001af4);
        CHECK(b.cpu.read32(config + 0x34) == 0x40);
        CHECK(b.cpu.read32(config + 0x3c) == 0x00000100);  // INTA
        CHECK(b.cpu.read32(config + 0x40) == 0x00408011);  // MSI-X, next 0x80, 65 vectors
        CHECK(b.cpu.read32(config + 0x44) == 0x2000);      // table in BAR0 at 0x2000
        CHECK(b.cpu.read32(config + 0x48) == 0x3000);      // PBA in BAR0 at 0x3000
        CHECK(b.cpu.read32(config + 0x80) == 0x00020010);  // PCI Express v2, endpoint
        b.cpu.write32(config + 0x10, 0xffffffff);
        b.cpu.write32(config + 0x14, 0xffffffff);
        CHECK(b.cpu.read32(config + 0x10) == 0xffffc004);  // 16 KiB, 64-bit memory
        CHECK(b.cpu.read32(config + 0x14) == 0xffffffff);
        b.cpu.write32(config + 0x10, static_cast<uint32_t>(bar0));
        b.cpu.write32(config + 0x14, 0);
        b.cpu.write(config + 0x04, 0x0002, 2);
        const uint64_t cap = b.cpu.read64(bar0 + 0x00);
        CHECK((cap & 0xffff) == 0x7ff);          // MQES
        CHECK(((cap >> 16) & 1) == 1);           // CQR
        CHECK(((cap >> 24) & 0xff) == 0x0f);     // TO
        CHECK(((cap >> 32) & 0xf) == 0);         // DSTRD
        CHECK(((cap >> 37) & 0xff) == 1);        // CSS: NVM
        CHECK(((cap >> 48) & 0xff) == 0);        // MPSMIN, MPSMAX: 4 KiB
        CHECK(b.cpu.read32(bar0 + 0x08) == 0x00010400);
        CHECK(b.cpu.read32(bar0 + 0x14) == 0);
        CHECK(b.cpu.read32(bar0 + 0x1c) == 0);
        b.cpu.write64(bar0 + 0x28, 0x12345fff);  // page-aligned
        CHECK(b.cpu.read64(bar0 + 0x28) == 0x12345000);
        b.cpu.write32(bar0 + 0x0c, 1);  // INTMS
        CHECK(b.cpu.read32(bar0 + 0x10) == 1);
        b.cpu.write32(bar0 + 0x10, 1);  // INTMC
        CHECK(b.cpu.read32(bar0 + 0x0c) == 0);
        CHECK(b.cpu.read32(bar0 + 0x2000 + 12) == 1);  // vector 0 masked
    });
}

TEST_CASE("nvme: Linux's bring-up, write and read back with PRP1 and a PRP list, flush, disable") {
    bench b;
    test::run_script([&] {
        b.enable();
        // Identify controller (CNS 1).
        auto id = bench::cmd(0x06, 0, ident);
        id[10] = 1;
        const sc_time before = sc_core::sc_time_stamp();
        completion c = b.run(0, id);
        CHECK(sc_core::sc_time_stamp() - before >= sc_time(10, SC_US));
        CHECK(c.status == 0);
        CHECK(c.sqhd == 1);
        CHECK(b.ram_at(ident)[0] == 0x36);
        CHECK(b.ram_at(ident)[1] == 0x1b);
        CHECK(std::string(reinterpret_cast<char*>(b.ram_at(ident + 24)), 14) == "QEMU NVMe Ctrl");
        CHECK(b.ram_at(ident + 77)[0] == 7);   // MDTS
        CHECK(b.ram_at(ident + 512)[0] == 0x66);
        CHECK(b.ram_at(ident + 513)[0] == 0x44);
        CHECK(b.ram_at(ident + 516)[0] == 1);  // NN
        // Identify namespace 1 (CNS 0) and the active namespace list (CNS 2).
        id = bench::cmd(0x06, 1, ident);
        id[10] = 0;
        CHECK(b.run(0, id).status == 0);
        uint64_t nsze;
        std::memcpy(&nsze, b.ram_at(ident), 8);
        CHECK(nsze == 2048);
        CHECK(b.ram_at(ident + 128 + 2)[0] == 9);
        id = bench::cmd(0x06, 0, ident);
        id[10] = 2;
        CHECK(b.run(0, id).status == 0);
        CHECK(b.ram_at(ident)[0] == 1);
        CHECK(b.ram_at(ident + 4)[0] == 0);
        // The NVM command set's controller data (CNS 6, CSI 0), which Linux reads: all zero.
        id = bench::cmd(0x06, 0, ident);
        id[10] = 6;
        CHECK(b.run(0, id).status == 0);
        CHECK(b.ram_at(ident)[0] == 0);
        id[11] = 2u << 24;  // another command set: Invalid Field
        CHECK(b.run(0, id).status != 0);
        // Set Features: Number of Queues -> 64 of each granted (0-based 63).
        auto nq = bench::cmd(0x09);
        nq[10] = 0x07;
        nq[11] = 0x00030003;
        c = b.run(0, nq);
        CHECK(c.status == 0);
        CHECK(c.dw0 == 0x003f003f);
        b.create_io_queues();
        // Write one block (PRP1 only) and read it back elsewhere.
        for (unsigned i = 0; i < 512; ++i) b.ram_at(data)[i] = static_cast<uint8_t>(i * 7);
        b.tap.log.clear();
        CHECK(b.run(1, bench::rw(0x01, 5, 1, data)).status == 0);
        // SQ entry fetch, data read, CQ entry write: all DMAs through the bridge.
        REQUIRE(b.tap.log.size() == 3);
        CHECK(b.tap.log[0].addr == iosq);
        CHECK(b.tap.log[1].addr == data);
        CHECK_FALSE(b.tap.log[1].write);
        CHECK(b.tap.log[2].addr == iocq);
        CHECK(b.tap.log[2].write);
        b.tap.log.clear();
        CHECK(b.run(1, bench::rw(0x02, 5, 1, data + 0x1000)).status == 0);
        CHECK(std::memcmp(b.ram_at(data), b.ram_at(data + 0x1000), 512) == 0);
        // Without socsim,touch-after-completion-ns nothing follows the completion entry.
        sc_core::wait(sc_time(100, SC_US));
        CHECK(b.tap.log.size() == 3);
        uint8_t block[512];
        b.nvme->read_blocks(5, 1, block);
        CHECK(std::memcmp(block, b.ram_at(data), 512) == 0);
        // A 3-page transfer starting mid-page: PRP1 with an offset, a PRP list of three entries.
        const uint64_t src = data + 0x2000 + 0x200;
        for (unsigned i = 0; i < 3 * 4096; ++i) b.ram_at(src)[i] = static_cast<uint8_t>(i ^ (i >> 9));
        uint64_t entries[3] = {data + 0x3000, data + 0x4000, data + 0x5000};
        std::memcpy(b.ram_at(prp_list), entries, sizeof entries);
        CHECK(b.run(1, bench::rw(0x01, 100, 24, src, prp_list)).status == 0);
        // Read it back to three separate pages with a page-aligned PRP1 and a 2-entry list.
        uint64_t back[2] = {data + 0x8000, data + 0xa000};
        std::memcpy(b.ram_at(prp_list + 0x800), back, sizeof back);
        CHECK(b.run(1, bench::rw(0x02, 100, 24, data + 0x7000, prp_list + 0x800)).status == 0);
        CHECK(std::memcmp(b.ram_at(data + 0x7000), b.ram_at(src), 4096) == 0);
        CHECK(std::memcmp(b.ram_at(data + 0x8000), b.ram_at(src + 4096), 4096) == 0);
        CHECK(std::memcmp(b.ram_at(data + 0xa000), b.ram_at(src + 8192), 4096) == 0);
        // Flush.
        CHECK(b.run(1, bench::cmd(0x00, 1)).status == 0);
        CHECK_FALSE(b.nvme->intx.level());  // every completion consumed
        // Shutdown (CC.SHN normal), then disable.
        b.cpu.write32(bar0 + 0x14, 6u << 16 | 4u << 20 | 1u << 14 | 1);
        CHECK(((b.cpu.read32(bar0 + 0x1c) >> 2) & 3) == 2);
        b.cpu.write32(bar0 + 0x14, 6u << 16 | 4u << 20);
        CHECK(b.cpu.read32(bar0 + 0x1c) == 0);
        // The queues are gone: a doorbell now is ignored.
        b.cpu.write32(bar0 + 0x1008, 3);
        sc_core::wait(sc_time(50, SC_US));
        CHECK(b.ram_at(iocq + 16 * b.cq_head[1])[14] == 0);
    });
}

TEST_CASE("nvme: bad commands complete with the spec's status and a log line") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable();
        CHECK(b.run(0, bench::cmd(0x7f)).status == 0x001);  // admin: Invalid Command Opcode
        auto cq = bench::cmd(0x05, 0, iocq);
        cq[10] = 0x0800u << 16 | 1;  // 2049 entries > MQES
        cq[11] = 0x3;
        CHECK(b.run(0, cq).status == 0x102);  // Invalid Queue Size
        auto sq = bench::cmd(0x01, 0, iosq);
        sq[10] = (io_entries - 1) << 16 | 1;
        sq[11] = 2u << 16 | 1;
        CHECK(b.run(0, sq).status == 0x100);  // Completion Queue Invalid
        b.create_io_queues();
        CHECK(b.run(1, bench::rw(0x02, 2047, 2, data)).status == 0x080);  // LBA Out of Range
        CHECK(b.run(1, bench::rw(0x02, 0, 1, data + 2)).status == 0x013);  // PRP1 not dword aligned
        CHECK(b.run(1, bench::rw(0x02, 0, 16, data, data + 0x1100)).status == 0x013);  // PRP2 offset
        CHECK(b.run(1, bench::rw(0x02, 0, 1, fault_page)).status == 0x004);  // Data Transfer Error
        CHECK(b.run(1, bench::rw(0x02, 0, 24, data, fault_page)).status == 0x004);  // PRP list read fails
        const uint64_t loop = prp_list + 0xff8;  // a list page of one entry chaining to itself
        std::memcpy(b.ram_at(loop), &loop, 8);
        CHECK(b.run(1, bench::rw(0x02, 0, 24, data, loop)).status == 0x002);  // Invalid Field
        CHECK(b.run(1, bench::cmd(0x55, 1)).status == 0x001);  // I/O: Invalid Command Opcode
        CHECK(b.run(1, bench::rw(0x02, 0, 1, data) /* nsid 1 */).status == 0);
        auto ns2 = bench::rw(0x02, 0, 1, data);
        ns2[1] = 2;
        CHECK(b.run(1, ns2).status == 0x00b);  // Invalid Namespace or Format
        // Doorbells: a queue that does not exist, then a tail beyond SQ 1's size: both ignored
        // and reported through a held Asynchronous Event Request.
        const uint16_t aer = b.submit(0, bench::cmd(0x0c));
        sc_core::wait(sc_time(20, SC_US));
        b.cpu.write32(bar0 + 0x1000 + 8 * 9, 1);    // SQ 9
        completion e = b.reap(0);
        CHECK(e.cid == aer);
        CHECK(e.status == 0);
        CHECK(e.dw0 == 0x00010000);  // error status, invalid doorbell register, log page 1
        b.submit(0, bench::cmd(0x0c));
        sc_core::wait(sc_time(20, SC_US));
        b.cpu.write32(bar0 + 0x1000 + 8, io_entries);  // tail == size
        e = b.reap(0);
        CHECK(e.dw0 == 0x00010100);  // invalid doorbell write value
        b.cpu.write32(bar0 + 0x1ff8, 1);  // beyond every doorbell: queued, no AER held
        // The I/O queue still works.
        CHECK(b.run(1, bench::rw(0x01, 0, 1, data)).status == 0);
        CHECK((b.cpu.read32(bar0 + 0x1c) & 2) == 0);  // not fatal
    });
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    CHECK(count_of(text, "Invalid Command Opcode") == 2);
    CHECK(count_of(text, "LBA Out of Range") == 1);
    CHECK(count_of(text, "Invalid PRP Offset") == 2);
    CHECK(count_of(text, "Data Transfer Error") == 2);
    CHECK(count_of(text, "Invalid Queue Size") == 1);
    CHECK(count_of(text, "does not advance") == 1);
    CHECK(count_of(text, "invalid doorbell register") == 2);
    CHECK(count_of(text, "invalid doorbell write value") == 1);
}

TEST_CASE("nvme: MSI-X messages per vector, masking with the pending bit, INTx masked by INTMS") {
    bench b;
    test::run_script([&] {
        b.enable();
        // INTx: an unconsumed admin completion holds the line; INTMS masks it.
        b.submit(0, bench::cmd(0x7f));
        sc_core::wait(sc_time(20, SC_US));
        CHECK(b.nvme->intx.level());
        b.cpu.write32(bar0 + 0x0c, 1);
        CHECK_FALSE(b.nvme->intx.level());
        b.cpu.write32(bar0 + 0x10, 1);
        CHECK(b.nvme->intx.level());
        b.reap(0);
        CHECK_FALSE(b.nvme->intx.level());
        // MSI-X: vector 0 for the admin queue, vector 1 for I/O CQ 1.
        b.cpu.write(config + 0x42, 0x8000, 2);
        for (unsigned v = 0; v < 2; ++v) {
            b.cpu.write32(bar0 + 0x2000 + 16 * v + 0, static_cast<uint32_t>(msi_doorbell + 4 * v));
            b.cpu.write32(bar0 + 0x2000 + 16 * v + 4, 0);
            b.cpu.write32(bar0 + 0x2000 + 16 * v + 8, 0x40 + v);
            b.cpu.write32(bar0 + 0x2000 + 16 * v + 12, 0);
        }
        b.create_io_queues(1);
        CHECK(b.ram_at(msi_doorbell)[0] == 0x40);
        b.run(1, bench::cmd(0x00, 1));
        sc_core::wait(sc_time(10, SC_NS));  // the message follows the completion entry
        CHECK(b.ram_at(msi_doorbell + 4)[0] == 0x41);
        CHECK_FALSE(b.nvme->intx.level());
        // Masked vector 1: the pending bit is set, the message goes out on unmask.
        b.ram_at(msi_doorbell + 4)[0] = 0;
        b.cpu.write32(bar0 + 0x2000 + 16 + 12, 1);
        b.run(1, bench::cmd(0x00, 1));
        sc_core::wait(sc_time(10, SC_NS));
        CHECK(b.ram_at(msi_doorbell + 4)[0] == 0);
        CHECK(b.cpu.read32(bar0 + 0x3000) == 0x2);
        b.cpu.write32(bar0 + 0x2000 + 16 + 12, 0);
        sc_core::wait(sc_time(1, SC_US));
        CHECK(b.ram_at(msi_doorbell + 4)[0] == 0x41);
        CHECK(b.cpu.read32(bar0 + 0x3000) == 0);
        // Create a CQ with a vector beyond the table.
        auto cq = bench::cmd(0x05, 0, iocq + 0x1000);
        cq[10] = 1u << 16 | 2;
        cq[11] = 65u << 16 | 3;
        CHECK(b.run(0, cq).status == 0x108);
    });
}

TEST_CASE("nvme: a disk image is created sparse, written through, and kept unchanged with discard-writes") {
    const std::string path = "/tmp/socsim_test_nvme_" + std::to_string(::getpid()) + ".img";
    ::unlink(path.c_str());
    devices::nvme::config c;
    c.disk_image = path;
    c.disk_size = 64 << 10;
    c.command_latency = sc_time(100, SC_NS);
    bench b(c);
    test::run_script([&] {
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK(st.st_size == 64 << 10);
        CHECK(b.nvme->namespace_blocks() == 128);
        b.enable();
        b.create_io_queues();
        std::memset(b.ram_at(data), 0xa5, 512);
        CHECK(b.run(1, bench::rw(0x01, 3, 1, data)).status == 0);
        CHECK(b.run(1, bench::rw(0x01, 128, 1, data)).status == 0x080);
        CHECK(b.run(1, bench::cmd(0x00, 1)).status == 0);
        std::ifstream f(path, std::ios::binary);
        std::vector<char> bytes(64 << 10);
        f.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        CHECK(static_cast<uint8_t>(bytes[3 * 512]) == 0xa5);
        CHECK(static_cast<uint8_t>(bytes[4 * 512]) == 0);
    });
    ::unlink(path.c_str());
}

TEST_CASE("nvme: socsim,discard-writes keeps the image unchanged and reads back the guest's writes") {
    std::vector<uint8_t> image(8 << 10, 0x11);
    test::temp_file file(image, ".img");
    devices::nvme::config c;
    c.disk_image = file.path;
    c.discard_writes = true;
    bench b(c);
    test::run_script([&] {
        CHECK(b.nvme->namespace_blocks() == 16);
        b.enable();
        b.create_io_queues();
        CHECK(b.run(1, bench::rw(0x02, 0, 2, data)).status == 0);
        CHECK(b.ram_at(data)[1023] == 0x11);
        std::memset(b.ram_at(data), 0x3c, 512);
        CHECK(b.run(1, bench::rw(0x01, 1, 1, data)).status == 0);
        CHECK(b.run(1, bench::rw(0x02, 0, 2, data + 0x1000)).status == 0);
        CHECK(b.ram_at(data + 0x1000)[0] == 0x11);
        CHECK(b.ram_at(data + 0x1000)[512] == 0x3c);
        CHECK(b.run(1, bench::cmd(0x00, 1)).status == 0);
    });
    std::ifstream f(file.path, std::ios::binary);
    std::vector<char> bytes(image.size());
    f.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    CHECK(std::all_of(bytes.begin(), bytes.end(), [](char ch) { return ch == 0x11; }));
}

TEST_CASE("nvme: a bad enable and an admin queue the bus refuses set CSTS.CFS, a reset recovers") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.cpu.write32(config + 0x10, static_cast<uint32_t>(bar0));
        b.cpu.write32(config + 0x14, 0);
        b.cpu.write(config + 0x04, 0x0006, 2);
        // 8 KiB pages (CC.MPS 1) are beyond CAP.MPSMAX: the enable is refused.
        b.cpu.write32(bar0 + 0x24, 0x00070007);
        b.cpu.write64(bar0 + 0x28, asq);
        b.cpu.write64(bar0 + 0x30, acq);
        b.cpu.write32(bar0 + 0x14, 6u << 16 | 4u << 20 | 1u << 7 | 1);
        CHECK(b.cpu.read32(bar0 + 0x1c) == 0x2);  // CFS, not RDY
        b.cpu.write32(bar0 + 0x14, 0);
        CHECK(b.cpu.read32(bar0 + 0x1c) == 0);
        // An admin SQ in a page the bus refuses: the first fetch is fatal, nothing hangs.
        b.cpu.write64(bar0 + 0x28, fault_page);
        b.cpu.write32(bar0 + 0x14, 6u << 16 | 4u << 20 | 1);
        CHECK(b.cpu.read32(bar0 + 0x1c) == 0x1);
        b.cpu.write32(bar0 + 0x1000, 1);
        sc_core::wait(sc_time(20, SC_US));
        CHECK(b.cpu.read32(bar0 + 0x1c) == 0x3);  // RDY and CFS
        b.cpu.write32(bar0 + 0x1000, 2);           // further doorbells change nothing
        sc_core::wait(sc_time(20, SC_US));
        // Reset, then a proper bring-up works; a disable while a command runs drops it.
        b.cpu.write32(bar0 + 0x14, 0);
        b.cpu.write64(bar0 + 0x28, asq);
        b.enable();
        CHECK(b.run(0, bench::cmd(0x08)).dw0 == 1);  // Abort: not found
        b.submit(0, bench::cmd(0x7f));
        sc_core::wait(sc_time(5, SC_US));
        b.cpu.write32(bar0 + 0x14, 0);
        sc_core::wait(sc_time(20, SC_US));
        CHECK(b.ram_at(acq + 16)[14] == 0);  // no completion written for the dropped command
        CHECK_FALSE(b.nvme->intx.level());
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("CC.MPS 1 is not 4 KiB") != std::string::npos);
    CHECK(log.str().find("fetching SQ 0 entry 0") != std::string::npos);
}

TEST_CASE("nvme: socsim,touch-after-completion-ns reads PRP1 again that long after a Read or Write completes, unless a reset comes first") {
    const sc_time after = sc_time(50, SC_US);
    devices::nvme::config c = bench::default_config();
    c.touch_after_completion = after;
    bench b(c);
    test::run_script([&] {
        b.enable();
        b.create_io_queues();  // admin commands are never touched
        // A one-block Read whose PRP1 has an offset: SQ entry, data, completion entry, and
        // exactly `after` later an 8-byte read at PRP1 on the same path.
        b.tap.log.clear();
        CHECK(b.run(1, bench::rw(0x02, 0, 1, data + 0x100)).status == 0);
        sc_core::wait(after + sc_time(10, SC_US));
        REQUIRE(b.tap.log.size() == 4);
        const auto& entry = b.tap.log[2];
        const auto& touch = b.tap.log[3];
        CHECK(entry.addr == iocq);
        CHECK(entry.write);
        CHECK(touch.addr == data + 0x100);
        CHECK(touch.len == 8);
        CHECK_FALSE(touch.write);
        CHECK(touch.stream == entry.stream);
        CHECK(touch.at - entry.at == after);
        // A Write (PRP1 and PRP2) and a Read that fails, queued together: the Write's touch reads
        // its PRP1 only, the failed Read gets none, and the second command completes one command
        // latency after the first rather than waiting for the touch.
        b.tap.log.clear();
        b.submit(1, bench::rw(0x01, 8, 16, data + 0x2000, data + 0x3000));
        b.submit(1, bench::rw(0x02, 2047, 2, data + 0x5000));  // LBA Out of Range
        CHECK(b.reap(1).status == 0);
        CHECK(b.reap(1).status == 0x080);
        sc_core::wait(after + sc_time(10, SC_US));
        REQUIRE(b.tap.log.size() == 7);  // fetch, 2 data reads, entry; fetch, entry; touch
        CHECK(b.tap.log[3].addr == iocq + 16);
        CHECK(b.tap.log[5].addr == iocq + 32);
        CHECK(b.tap.log[5].at - b.tap.log[3].at < after);
        CHECK(b.tap.log[6].addr == data + 0x2000);
        CHECK_FALSE(b.tap.log[6].write);
        CHECK(b.tap.log[6].at - b.tap.log[3].at == after);
        // A controller reset before the touch is due drops it.
        b.tap.log.clear();
        CHECK(b.run(1, bench::rw(0x02, 0, 1, data)).status == 0);
        sc_core::wait(after / 2);
        b.cpu.write32(bar0 + 0x14, 0);  // CC.EN = 0
        sc_core::wait(after);
        CHECK(b.tap.log.size() == 3);
    });
}
