// SMMUv3 through real sockets: a test initiator on the register socket, another as the DMA
// master upstream (stamping stream ids), and RAM behind a router downstream, where the tests
// write stream tables, context descriptors, page tables and queues with debug writes.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <vector>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/core/trace_writer.h"
#include "models/iommu/smmuv3/smmuv3.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using namespace socsim::iommu::smmuv3_reg;
namespace ev = socsim::iommu::smmuv3_event;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000, RAM_SIZE = 0x01000000;  // 16 MiB
constexpr uint64_t NOWHERE = 0x10000000;                          // nothing mapped there

// Command encodings.
constexpr uint64_t CMD_CFGI_STE = 0x03, CMD_CFGI_STE_RANGE = 0x04, CMD_CFGI_CD = 0x05, CMD_CFGI_CD_ALL = 0x06,
                   CMD_TLBI_NH_ALL = 0x10, CMD_TLBI_NH_ASID = 0x11, CMD_TLBI_NH_VA = 0x12, CMD_TLBI_NH_VAA = 0x13,
                   CMD_TLBI_EL2_ALL = 0x20, CMD_TLBI_NSNH_ALL = 0x30, CMD_SYNC = 0x46;

// Leaf descriptor bits: valid page/block, AF, AP[1] (unprivileged access), nG.
constexpr uint64_t D_AF = 1ull << 10, D_AP1 = 1ull << 6, D_RO = 1ull << 7, D_NG = 1ull << 11;
constexpr uint64_t PAGE = 3 | D_AF | D_AP1 | D_NG;
constexpr uint64_t BLOCK = 1 | D_AF | D_AP1 | D_NG;

struct cd_options {
    unsigned t0sz = 16;
    unsigned tg0 = 0;      // 0 4K, 1 64K, 2 16K
    unsigned ips = 5;      // 48 bits
    uint16_t asid = 1;
    bool epd0 = false, epd1 = true;
    bool record = true, abort = true, affd = false, aa64 = true, valid = true;
    uint64_t extra = 0;    // more DW0 bits
    uint64_t ttb1 = 0;
    unsigned t1sz = 16, tg1 = 2;
};

// The design: SMMU, router, 16 MiB of RAM, and three initiators.
struct rig {
    bus::router bus{"bus"};
    memory::ram ram{"ram", RAM_SIZE};
    iommu::smmuv3 smmu;
    test::test_initiator cpu{"cpu"}, dma{"dma"}, mem{"mem"};
    uint64_t next_free = RAM_BASE + 0x00800000;  // tables come from the upper half
    uint64_t strtab = 0, cmdq = 0, eventq = 0;
    unsigned cmdq_log2 = 6, eventq_log2 = 5;
    uint32_t cmd_prod = 0, evt_cons = 0;

    static iommu::smmuv3::config defaults() { return {}; }
    explicit rig(const iommu::smmuv3::config& cfg = defaults()) : smmu("smmu", cfg) {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        smmu.downstream.bind(bus.target_socket);
        cpu.socket.bind(smmu.socket);
        dma.socket.bind(smmu.upstream);
        mem.socket.bind(bus.target_socket);
    }

    uint64_t alloc(uint64_t bytes, uint64_t align = 0x1000) {
        next_free = (next_free + align - 1) & ~(align - 1);
        uint64_t a = next_free;
        next_free += bytes;
        return a;
    }
    void w64(uint64_t addr, uint64_t v) { REQUIRE(mem.debug_write(addr, &v, 8) == 8); }
    uint64_t r64(uint64_t addr) {
        uint64_t v = 0;
        REQUIRE(mem.debug_read(addr, &v, 8) == 8);
        return v;
    }
    void w32(uint64_t addr, uint32_t v) { REQUIRE(mem.debug_write(addr, &v, 4) == 4); }
    uint32_t r32(uint64_t addr) {
        uint32_t v = 0;
        REQUIRE(mem.debug_read(addr, &v, 4) == 4);
        return v;
    }

    // Linux's reset order (docs/hardware/smmuv3.md, "Linux's probe checks and reset order"), with
    // a linear stream table of 2^log2 entries (or a 2-level one with SPLIT=8 when `split` is set).
    void enable(unsigned st_log2 = 8, bool two_level = false, bool smmuen = true) {
        cpu.write32(CR0, 0);
        CHECK(cpu.read32(CR0ACK) == 0);
        cpu.write32(CR1, 0xd75);
        cpu.write32(CR2, 0x6);  // PTM | RECINVSID
        if (two_level) {
            const uint64_t l1_bytes = 8ull << (st_log2 > 8 ? st_log2 - 8 : 0);
            strtab = alloc(l1_bytes, l1_bytes < 64 ? 64 : l1_bytes);
            cpu.write64(STRTAB_BASE, strtab);
            cpu.write32(STRTAB_BASE_CFG, (1u << 16) | (8u << 6) | st_log2);
        } else {
            strtab = alloc(64ull << st_log2, 64ull << st_log2);
            cpu.write64(STRTAB_BASE, strtab);
            cpu.write32(STRTAB_BASE_CFG, st_log2);
        }
        cmdq = alloc(16ull << cmdq_log2, 16ull << cmdq_log2);
        cpu.write64(CMDQ_BASE, cmdq | cmdq_log2);
        cpu.write32(CMDQ_PROD, 0);
        cpu.write32(CMDQ_CONS, 0);
        cpu.write32(CR0, 0x8);  // CMDQEN
        command(0x04, 31);      // CFGI_ALL
        command(CMD_SYNC);
        command(CMD_TLBI_NSNH_ALL);
        command(CMD_SYNC);
        eventq = alloc(32ull << eventq_log2, 32ull << eventq_log2);
        cpu.write64(EVENTQ_BASE, eventq | eventq_log2);
        cpu.write32(EVENTQ_PROD, 0);
        cpu.write32(EVENTQ_CONS, 0);
        cpu.write32(CR0, 0xc);
        cpu.write32(IRQ_CTRL, 0);
        cpu.write32(IRQ_CTRL, 0x5);
        CHECK(cpu.read32(IRQ_CTRLACK) == 0x5);
        if (smmuen) cpu.write32(CR0, 0xd);
        CHECK(cpu.read32(CR0ACK) == (smmuen ? 0xdu : 0xcu));
    }

    // Writes a command at PROD and publishes it; the SMMU runs it inside the PROD write.
    void command(uint64_t dw0, uint64_t dw1 = 0, bool expect_consumed = true) {
        const uint32_t index = cmd_prod & ((1u << cmdq_log2) - 1);
        w64(cmdq + index * 16, dw0);
        w64(cmdq + index * 16 + 8, dw1);
        cmd_prod = (cmd_prod + 1) & ((2u << cmdq_log2) - 1);
        cpu.write32(CMDQ_PROD, cmd_prod);
        if (expect_consumed) {
            INFO("command " << std::hex << dw0 << " " << dw1);
            REQUIRE((cpu.read32(CMDQ_CONS) & 0xfffff) == cmd_prod);
        }
    }
    void sync() { command(CMD_SYNC); }

    uint64_t ste_addr(uint32_t sid) { return strtab + uint64_t{sid} * 64; }
    void write_ste(uint64_t addr, uint64_t dw0, uint64_t dw1 = 0) {
        w64(addr, dw0);
        w64(addr + 8, dw1);
        for (unsigned i = 2; i < 8; ++i) w64(addr + 8 * i, 0);
    }
    // Stage-1 STE for `sid` (linear table) pointing at a CD.
    void ste_s1(uint32_t sid, uint64_t cd, uint64_t extra0 = 0, uint64_t dw1 = 0) {
        write_ste(ste_addr(sid), 1 | (5u << 1) | cd | extra0, dw1);
    }
    uint64_t make_cd(uint64_t ttb0, const cd_options& o = {}) {
        uint64_t cd = alloc(64, 64);
        uint64_t d0 = o.t0sz | (uint64_t{o.tg0} << 6) | (uint64_t{o.epd0} << 14) | (uint64_t{o.t1sz} << 16) |
                      (uint64_t{o.tg1} << 22) | (uint64_t{o.epd1} << 30) | (uint64_t{o.valid} << 31) |
                      (uint64_t{o.ips} << 32) | (uint64_t{o.affd} << 35) | (uint64_t{o.aa64} << 41) |
                      (uint64_t{o.record} << 45) | (uint64_t{o.abort} << 46) | (uint64_t{o.asid} << 48) | o.extra;
        w64(cd, d0);
        w64(cd + 8, ttb0);
        w64(cd + 16, o.ttb1);
        for (unsigned i = 3; i < 8; ++i) w64(cd + 8 * i, 0);
        return cd;
    }

    // 4 KiB-granule tables, 48-bit input: installs `desc` at `level` for `iova`, creating tables.
    uint64_t new_table(unsigned granule = 4096) {
        uint64_t t = alloc(granule, granule);
        for (uint64_t i = 0; i < granule; i += 8) w64(t + i, 0);
        return t;
    }
    uint64_t map(uint64_t root, uint64_t iova, uint64_t desc, int leaf_level = 3, unsigned gshift = 12,
                 int start_level = 0, unsigned input_bits = 48) {
        const unsigned stride = gshift - 3;
        uint64_t table = root;
        for (int level = start_level;; ++level) {
            const unsigned shift = gshift + (3 - level) * stride;
            const unsigned bits = level == start_level ? input_bits - shift : stride;
            const uint64_t slot = table + ((iova >> shift) & ((1ull << bits) - 1)) * 8;
            if (level == leaf_level) {
                w64(slot, desc);
                return slot;
            }
            uint64_t d = r64(slot);
            if (!(d & 1)) {
                d = new_table(1u << gshift) | 3;
                w64(slot, d);
            }
            table = d & 0x0000fffffffff000ull & ~((1ull << gshift) - 1);
        }
    }

    // Translated stream `sid` with a fresh table; returns the root table.
    uint64_t simple_stream(uint32_t sid, cd_options o = {}) {
        uint64_t root = new_table();
        ste_s1(sid, make_cd(root, o));
        return root;
    }

    // Next event record (or all zero when the queue is empty).
    struct record {
        uint64_t dw[4] = {};
        uint8_t type() const { return dw[0] & 0xff; }
        uint32_t sid() const { return static_cast<uint32_t>(dw[0] >> 32); }
        uint64_t input() const { return dw[2]; }
        bool rnw() const { return (dw[1] >> 35) & 1; }
        unsigned cls() const { return (dw[1] >> 40) & 3; }
        uint64_t fetch() const { return dw[3]; }
    };
    unsigned pending_events() {
        uint32_t prod = cpu.read32(EVENTQ_PROD) & ((2u << eventq_log2) - 1);
        uint32_t cons = cpu.read32(EVENTQ_CONS) & ((2u << eventq_log2) - 1);
        return (prod - cons) & ((2u << eventq_log2) - 1);
    }
    record pop_event() {
        record r;
        if (pending_events() == 0) return r;
        uint32_t index = evt_cons & ((1u << eventq_log2) - 1);
        for (unsigned i = 0; i < 4; ++i) r.dw[i] = r64(eventq + index * 32 + 8 * i);
        evt_cons = (evt_cons + 1) & ((2u << eventq_log2) - 1);
        cpu.write32(EVENTQ_CONS, (cpu.read32(EVENTQ_CONS) & 0x80000000u) | evt_cons);
        return r;
    }

    // DMA helpers.
    tlm::tlm_response_status dma_read(uint32_t sid, uint64_t iova, uint64_t& v, unsigned len = 8) {
        dma.set_stream(sid);
        return dma.read(iova, v, len);
    }
    tlm::tlm_response_status dma_write(uint32_t sid, uint64_t iova, uint64_t v, unsigned len = 8) {
        dma.set_stream(sid);
        return dma.write(iova, v, len);
    }
    uint64_t dma_read_ok(uint32_t sid, uint64_t iova) {
        uint64_t v = 0;
        INFO("DMA read at " << std::hex << iova << " stream " << std::dec << sid);
        REQUIRE(dma_read(sid, iova, v) == tlm::TLM_OK_RESPONSE);
        return v;
    }
};

struct log_capture {
    std::ostringstream text;
    log_capture() { core::set_log_stream(&text); }
    ~log_capture() { core::set_log_stream(nullptr); }
    bool has(const std::string& s) const { return text.str().find(s) != std::string::npos; }
};

} // namespace

// ---- registers ----

TEST_CASE("SMMUv3 ID registers pass the Linux arm-smmu-v3 probe checklist") {
    rig r;
    test::run_script([&] {
        const uint32_t idr0 = r.cpu.read32(IDR0);
        CHECK(((idr0 >> 21) & 3) == 2);   // TTENDIAN little-endian
        CHECK((idr0 & 2) != 0);           // S1P
        CHECK((idr0 & 1) == 0);           // no S2P
        CHECK(((idr0 >> 2) & 3) == 2);    // TTF AArch64
        CHECK(((idr0 >> 27) & 3) == 1);   // 2-level stream tables
        CHECK(((idr0 >> 24) & 3) == 1);   // STALL_MODEL: no stall
        CHECK((idr0 & (1u << 13)) == 0);  // no MSI: CMD_SYNC with CS=SEV, polling CONS
        CHECK((idr0 & (1u << 9)) == 0);   // no HYP
        CHECK(idr0 == 0x0948501a);
        const uint32_t idr1 = r.cpu.read32(IDR1);
        CHECK((idr1 >> 28) == 0);         // TABLES_PRESET, QUEUES_PRESET, REL clear
        CHECK(((idr1 >> 21) & 0x1f) >= 7);  // CMDQS
        CHECK((idr1 & 0x3f) == 16);       // SIDSIZE
        CHECK(((idr1 >> 6) & 0x1f) == 5); // SSIDSIZE
        CHECK(r.cpu.read32(IDR3) == 0x400);  // RIL
        const uint32_t idr5 = r.cpu.read32(IDR5);
        CHECK((idr5 & 0x70) == 0x70);     // 4K, 16K, 64K granules
        CHECK((idr5 & 7) == 5);           // OAS 48 bits
        CHECK(r.cpu.read32(AIDR) == 1);
        CHECK(r.cpu.read32(0xff0) == 0x0d);
        CHECK(r.cpu.read32(0xffc) == 0xb1);
        // Read-only: writes change nothing.
        r.cpu.write32(IDR0, 0);
        CHECK(r.cpu.read32(IDR0) == 0x0948501a);
        // Reset values.
        CHECK(r.cpu.read32(CR0) == 0);
        CHECK(r.cpu.read32(CR0ACK) == 0);
        CHECK(r.cpu.read32(GBPA) == 0x1000);
        CHECK(r.cpu.read32(GERROR) == 0);
        CHECK(r.cpu.read32(CMDQ_CONS) == 0);
        // Unimplemented offsets (PRIQ, MSI configuration) read as zero and ignore writes.
        r.cpu.write32(0xc0, 0x1234);
        CHECK(r.cpu.read32(0xc0) == 0);
        CHECK(r.cpu.read64(GERROR_IRQ_CFG0) == 0);
    });
}

TEST_CASE("SMMUv3 register access sizes: 64-bit registers take 4 and 8 bytes, others 4 only") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.cpu.write64(STRTAB_BASE, 0x40001000);
        CHECK(r.cpu.read64(STRTAB_BASE) == 0x40001000);
        CHECK(r.cpu.read32(STRTAB_BASE + 4) == 0);
        r.cpu.write32(STRTAB_BASE + 4, 0x1);  // high half
        CHECK(r.cpu.read64(STRTAB_BASE) == 0x140001000ull);
        uint64_t v;
        CHECK(r.cpu.read(CR0, v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.read(CR0, v, 8) != tlm::TLM_OK_RESPONSE);
        CHECK(r.cpu.read(CR0 + 2, v, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);
    });
    CHECK(log.has("refused"));
}

TEST_CASE("SMMUv3 CR0 is acknowledged in CR0ACK at once, reserved bits read as zero, CR1, CR2 keep their fields") {
    rig r;
    test::run_script([&] {
        r.cpu.write32(CR0, 0xffffffff);
        CHECK(r.cpu.read32(CR0) == 0xd);  // SMMUEN, EVENTQEN, CMDQEN; PRIQEN, ATSCHK, VMW are RES0
        CHECK(r.cpu.read32(CR0ACK) == 0xd);
        r.cpu.write32(CR0, 0x4);
        CHECK(r.cpu.read32(CR0ACK) == 0x4);
        r.cpu.write32(CR1, 0xffffffff);
        CHECK(r.cpu.read32(CR1) == 0xfff);
        r.cpu.write32(CR2, 0xffffffff);
        CHECK(r.cpu.read32(CR2) == 0x6);  // E2H is RES0 without HYP
        r.cpu.write32(IRQ_CTRL, 0xff);
        CHECK(r.cpu.read32(IRQ_CTRL) == 0x5);
        CHECK(r.cpu.read32(IRQ_CTRLACK) == 0x5);
        CHECK_FALSE(r.smmu.priq_irq.level());  // PRIQ_IRQEN is RES0: no PRI queue, the line stays low
    });
}

TEST_CASE("SMMUv3 GBPA: a write without Update is ignored, with Update it applies and Update reads 0") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.cpu.write32(GBPA, 1u << 20);  // ABORT, no Update
        CHECK(r.cpu.read32(GBPA) == 0x1000);
        r.cpu.write32(GBPA, (1u << 31) | (1u << 20));
        CHECK(r.cpu.read32(GBPA) == (1u << 20));
        r.cpu.write32(GBPA, (1u << 31) | 0x1000);
        CHECK(r.cpu.read32(GBPA) == 0x1000);
    });
    CHECK(log.has("without Update=1 ignored"));
}

TEST_CASE("SMMUv3 disabled: GBPA bypass lets DMA through untranslated, GBPA.ABORT aborts it without an event") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable(8, false, false);  // queues on, SMMUEN=0
        r.w64(RAM_BASE + 0x100, 0x1122334455667788ull);
        CHECK(r.dma_read_ok(5, RAM_BASE + 0x100) == 0x1122334455667788ull);
        REQUIRE(r.dma_write(5, RAM_BASE + 0x108, 42) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r64(RAM_BASE + 0x108) == 42);
        r.cpu.write32(GBPA, (1u << 31) | (1u << 20));
        uint64_t v;
        CHECK(r.dma_read(5, RAM_BASE + 0x100, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pending_events() == 0);
        CHECK(r.smmu.stats().bypassed == 2);
        CHECK(r.smmu.stats().terminated == 1);
    });
    CHECK(log.has("GBPA.ABORT: stream 5 read of 8 bytes at IOVA 0x40000100 by dma"));
}

TEST_CASE("SMMUv3 guarded registers keep their value while their queue or the SMMU is enabled") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        const uint64_t cmdq_base = r.cpu.read64(CMDQ_BASE);
        r.cpu.write64(CMDQ_BASE, 0x40000000 | 6);
        CHECK(r.cpu.read64(CMDQ_BASE) == cmdq_base);
        const uint32_t cons = r.cpu.read32(CMDQ_CONS);
        r.cpu.write32(CMDQ_CONS, 0);
        CHECK(r.cpu.read32(CMDQ_CONS) == cons);
        const uint64_t strtab = r.cpu.read64(STRTAB_BASE);
        r.cpu.write64(STRTAB_BASE, 0x40000000);
        CHECK(r.cpu.read64(STRTAB_BASE) == strtab);
        r.cpu.write32(STRTAB_BASE_CFG, 3);
        CHECK(r.cpu.read32(STRTAB_BASE_CFG) == 8);
        const uint64_t eq = r.cpu.read64(EVENTQ_BASE);
        r.cpu.write64(EVENTQ_BASE, 0x40000000);
        CHECK(r.cpu.read64(EVENTQ_BASE) == eq);
        r.cpu.write32(EVENTQ_PROD, 3);
        CHECK(r.cpu.read32(EVENTQ_PROD) == 0);
        // Disabled again, they take writes.
        r.cpu.write32(CR0, 0);
        r.cpu.write64(STRTAB_BASE, 0x40000000);
        CHECK(r.cpu.read64(STRTAB_BASE) == 0x40000000);
    });
    CHECK(log.has("write to CMDQ_BASE ignored: the command queue is enabled"));
    CHECK(log.has("write to STRTAB_BASE ignored: the SMMU is enabled"));
    CHECK(log.has("write to EVENTQ_PROD ignored"));
}

TEST_CASE("SMMUv3 warns about misaligned queue and stream-table bases and uses them with low bits zero") {
    rig r;
    log_capture log;
    test::run_script([&] {
        const uint64_t q = r.alloc(0x2000, 0x1000) + 0x100;  // 64 entries need 1 KiB alignment
        r.cpu.write64(CMDQ_BASE, q | 6);
        r.cpu.write32(CR0, 0x8);
        // The command at the aligned base runs.
        r.w64(q - 0x100, CMD_SYNC);
        r.w64(q - 0x100 + 8, 0);
        r.cpu.write32(CMDQ_PROD, 1);
        CHECK(r.cpu.read32(CMDQ_CONS) == 1);
        CHECK(r.cpu.read32(GERROR) == 0);
    });
    CHECK(log.has("CMDQ_BASE base 0x"));
    CHECK(log.has("is not aligned to 1 KiB"));
}

// ---- stream table, STE, CD ----

TEST_CASE("SMMUv3 stage-1 translation through a linear stream table and a 4-level 4 KiB walk") {
    rig r;
    test::run_script([&] {
        r.enable();
        uint64_t root = r.simple_stream(3);
        r.map(root, 0x12345000, (RAM_BASE + 0x5000) | PAGE);
        r.w64(RAM_BASE + 0x5010, 0xabcdef);
        CHECK(r.dma_read_ok(3, 0x12345010) == 0xabcdef);
        REQUIRE(r.dma_write(3, 0x12345ff8, 77) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r64(RAM_BASE + 0x5ff8) == 77);
        CHECK(r.smmu.tlb().stats().misses == 1);
        CHECK(r.smmu.tlb().stats().hits == 1);
        CHECK(r.smmu.stats().translations == 2);
        CHECK(r.pending_events() == 0);
        CHECK(r.cpu.read32(GERROR) == 0);
    });
}

TEST_CASE("SMMUv3 2-level stream table: Span, SPLIT and out-of-range stream ids") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable(16, true);  // 2^16 streams, SPLIT=8: 256 L1 descriptors
        // Stream 0x0305: L1 index 3, L2 index 5. L2 table with Span=4 (8 STEs).
        const uint64_t l2 = r.alloc(8 * 64, 64);
        r.w64(r.strtab + 3 * 8, l2 | 4);
        const uint64_t root = r.new_table();
        const uint64_t cd = r.make_cd(root);
        r.write_ste(l2 + 5 * 64, 1 | (5u << 1) | cd);
        r.map(root, 0x1000, (RAM_BASE + 0x3000) | PAGE);
        r.w64(RAM_BASE + 0x3000, 99);
        CHECK(r.dma_read_ok(0x0305, 0x1000) == 99);
        uint64_t v;
        // L2 index 9 is beyond Span=4 (8 STEs).
        CHECK(r.dma_read(0x0309, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::C_BAD_STREAMID);
        CHECK(e.sid() == 0x0309);
        // L1 descriptor with Span=0 is invalid.
        CHECK(r.dma_read(0x0405, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STREAMID);
        // Span larger than SPLIT+1 is reserved.
        r.w64(r.strtab + 5 * 8, l2 | 10);
        CHECK(r.dma_read(0x0505, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STREAMID);
        // A stream id not below 2^SIDSIZE.
        CHECK(r.dma_read(0x10000, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        e = r.pop_event();
        CHECK(e.type() == ev::C_BAD_STREAMID);
        CHECK(e.sid() == 0x10000);
        // With CR2.RECINVSID=0 the bad stream id is not recorded (but still aborted and logged).
        r.cpu.write32(CR0, 0xc);
        r.cpu.write32(CR2, 0x4);
        r.cpu.write32(CR0, 0xd);
        CHECK(r.dma_read(0x0309, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pending_events() == 0);
    });
    CHECK(log.has("CR2.RECINVSID=0"));
    CHECK(log.has("Span=0"));
}

TEST_CASE("SMMUv3 linear stream table: a stream id beyond LOG2SIZE is C_BAD_STREAMID") {
    rig r;
    test::run_script([&] {
        r.enable(4);  // 16 streams
        uint64_t v;
        CHECK(r.dma_read(16, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::C_BAD_STREAMID);
        CHECK(e.sid() == 16);
    });
}

TEST_CASE("SMMUv3 STE: abort (no event), bypass, V=0 and stage-2 configs (C_BAD_STE), S1STALLD") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        r.w64(RAM_BASE + 0x40, 0x55);
        uint64_t v;
        r.write_ste(r.ste_addr(1), 1 | (0u << 1));  // Config abort
        CHECK(r.dma_read(1, RAM_BASE + 0x40, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pending_events() == 0);
        r.write_ste(r.ste_addr(2), 1 | (2u << 1));  // reserved: behaves as abort
        CHECK(r.dma_read(2, RAM_BASE + 0x40, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pending_events() == 0);
        r.write_ste(r.ste_addr(3), 1 | (4u << 1));  // bypass
        CHECK(r.dma_read_ok(3, RAM_BASE + 0x40) == 0x55);
        r.write_ste(r.ste_addr(4), 0);  // V=0
        CHECK(r.dma_read(4, RAM_BASE + 0x40, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::C_BAD_STE);
        CHECK(e.sid() == 4);
        r.write_ste(r.ste_addr(5), 1 | (6u << 1));  // stage 2 only
        CHECK(r.dma_read(5, RAM_BASE + 0x40, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STE);
        r.write_ste(r.ste_addr(6), 1 | (7u << 1));  // nested
        CHECK(r.dma_read(6, RAM_BASE + 0x40, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STE);
        const uint64_t cd = r.make_cd(r.new_table());
        r.ste_s1(7, cd, 0, 1ull << 27);  // S1STALLD with no stall model
        CHECK(r.dma_read(7, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STE);
        r.ste_s1(8, cd, 6ull << 59);  // S1CDMax=6 > SSIDSIZE=5
        CHECK(r.dma_read(8, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STE);
        r.write_ste(r.ste_addr(9), 1 | (5u << 1) | 0x0001000000000000ull);  // S1ContextPtr beyond OAS
        CHECK(r.dma_read(9, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STE);
    });
    CHECK(log.has("has Config=abort"));
    CHECK(log.has("C_BAD_STE: stream 4 read of 8 bytes at IOVA 0x40000040 by dma: STE at"));
}

TEST_CASE("SMMUv3 STE with substreams: S1DSS terminate (F_STREAM_DISABLED), bypass, CD 0 through a 2-level CD table") {
    rig r;
    test::run_script([&] {
        r.enable();
        r.w64(RAM_BASE + 0x80, 0x66);
        uint64_t v;
        const uint64_t root = r.new_table();
        r.map(root, 0x2000, (RAM_BASE) | PAGE);
        const uint64_t cd = r.make_cd(root);
        r.ste_s1(1, cd, 2ull << 59, 0);  // S1CDMax=2, S1DSS=terminate
        CHECK(r.dma_read(1, 0x2080, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::F_STREAM_DISABLED);
        CHECK(e.sid() == 1);
        r.ste_s1(2, cd, 2ull << 59, 1);  // S1DSS=bypass
        CHECK(r.dma_read_ok(2, RAM_BASE + 0x80) == 0x66);
        r.ste_s1(3, cd, 2ull << 59, 2);  // S1DSS=substream 0, linear CD table
        CHECK(r.dma_read_ok(3, 0x2080) == 0x66);
        // 2-level CD table (S1Fmt=1): L1CD 0 -> leaf table whose entry 0 is the CD.
        const uint64_t leaf = r.alloc(64 * 64, 4096);
        for (unsigned i = 0; i < 8; ++i) r.w64(leaf + 8 * i, r.r64(cd + 8 * i));
        const uint64_t l1 = r.alloc(64, 64);
        r.w64(l1, leaf | 1);
        r.ste_s1(4, l1, (5ull << 59) | (1u << 4), 2);
        CHECK(r.dma_read_ok(4, 0x2080) == 0x66);
        // An invalid L1CD: C_BAD_SUBSTREAMID.
        const uint64_t l1_bad = r.alloc(64, 64);
        r.w64(l1_bad, 0);
        r.ste_s1(5, l1_bad, (5ull << 59) | (1u << 4), 2);
        CHECK(r.dma_read(5, 0x2080, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_SUBSTREAMID);
        r.ste_s1(6, cd, 2ull << 59, 3);  // S1DSS reserved
        CHECK(r.dma_read(6, 0x2080, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::C_BAD_STE);
    });
}

TEST_CASE("SMMUv3 CD checks: V, AA64, ENDI, HA/HD, S, TG0, T0SZ, TTB beyond IPS give C_BAD_CD") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.new_table();
        struct bad_cd {
            const char* what;
            cd_options o;
            uint64_t ttb;
        };
        std::vector<bad_cd> cases;
        cd_options o;
        o.valid = false;
        cases.push_back({"V=0", o, root});
        o = {};
        o.aa64 = false;
        cases.push_back({"AA64=0", o, root});
        o = {};
        o.extra = 1ull << 15;
        cases.push_back({"ENDI=1", o, root});
        o = {};
        o.extra = 1ull << 43;
        cases.push_back({"HA=1", o, root});
        o = {};
        o.extra = 1ull << 44;
        cases.push_back({"S=1", o, root});
        o = {};
        o.tg0 = 3;
        cases.push_back({"TG0 reserved", o, root});
        o = {};
        o.t0sz = 8;
        cases.push_back({"T0SZ too small", o, root});
        o = {};
        o.t0sz = 40;
        cases.push_back({"T0SZ too large", o, root});
        o = {};
        o.ips = 0;  // 32 bits, and the table is at 0x4xxxxxxx: inside. Use a TTB above 4 GiB.
        cases.push_back({"TTB0 beyond IPS", o, 0x100000000ull});
        o = {};
        o.epd1 = false;
        o.tg1 = 0;  // reserved TG1 encoding
        cases.push_back({"TG1 reserved", o, root});
        uint32_t sid = 10;
        for (const auto& c : cases) {
            INFO(c.what);
            r.ste_s1(sid, r.make_cd(c.ttb, c.o));
            uint64_t v;
            CHECK(r.dma_read(sid, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
            auto e = r.pop_event();
            CHECK(e.type() == ev::C_BAD_CD);
            CHECK(e.sid() == sid);
            ++sid;
        }
        CHECK(r.smmu.cached_configs() == 0);  // invalid configurations are not cached
    });
}

TEST_CASE("SMMUv3 structure fetches that fail on the bus: F_STE_FETCH, F_CD_FETCH") {
    rig r;
    test::run_script([&] {
        r.enable();
        uint64_t v;
        r.write_ste(r.ste_addr(1), 1 | (5u << 1) | NOWHERE);  // CD outside RAM
        CHECK(r.dma_read(1, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::F_CD_FETCH);
        CHECK(e.fetch() == NOWHERE);
        // Stream table outside RAM.
        r.cpu.write32(CR0, 0xc);
        r.cpu.write64(STRTAB_BASE, NOWHERE);
        r.cpu.write32(CR0, 0xd);
        CHECK(r.dma_read(2, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        e = r.pop_event();
        CHECK(e.type() == ev::F_STE_FETCH);
        CHECK(e.fetch() == NOWHERE + 2 * 64);
    });
}

// ---- walks and descriptor checks ----

TEST_CASE("SMMUv3 block descriptors: 1 GiB at level 1 and 2 MiB at level 2 (4 KiB granule)") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        r.map(root, 0x80000000ull, RAM_BASE | BLOCK, 1);          // 1 GiB block
        r.map(root, 0x7fe00000ull, (RAM_BASE + 0x200000) | BLOCK, 2);  // 2 MiB block
        r.w64(RAM_BASE + 0x123458, 0x1111);
        r.w64(RAM_BASE + 0x200000 + 0x1ff000, 0x2222);
        CHECK(r.dma_read_ok(1, 0x80123458ull) == 0x1111);
        CHECK(r.dma_read_ok(1, 0x7ffff000ull) == 0x2222);
        bool saw_1g = false, saw_2m = false;
        r.smmu.tlb().for_each([&](const iommu::tlb_entry& e) {
            saw_1g |= e.size_shift == 30 && e.iova == 0x80000000ull;
            saw_2m |= e.size_shift == 21 && e.iova == 0x7fe00000ull;
        });
        CHECK(saw_1g);
        CHECK(saw_2m);
    });
}

TEST_CASE("SMMUv3 walks with 16 KiB and 64 KiB granules, pages and blocks") {
    rig r;
    test::run_script([&] {
        r.enable();
        // 16 KiB, 48-bit input: 4 levels, level 0 has 2 entries.
        cd_options o16;
        o16.tg0 = 2;
        const uint64_t root16 = r.new_table(16384);
        r.ste_s1(1, r.make_cd(root16, o16));
        r.map(root16, 0x0000800000004000ull, (RAM_BASE + 0x10000) | PAGE, 3, 14, 0, 48);
        r.map(root16, 0x02000000ull, RAM_BASE | BLOCK, 2, 14, 0, 48);  // 32 MiB block
        r.w64(RAM_BASE + 0x10008, 0x16);
        r.w64(RAM_BASE + 0x8, 0x32);
        CHECK(r.dma_read_ok(1, 0x0000800000004008ull) == 0x16);
        CHECK(r.dma_read_ok(1, 0x02000008ull) == 0x32);
        // 64 KiB, 48-bit input: starts at level 1.
        cd_options o64;
        o64.tg0 = 1;
        const uint64_t root64 = r.new_table(65536);
        r.ste_s1(2, r.make_cd(root64, o64));
        r.map(root64, 0x123450000ull, (RAM_BASE + 0x20000) | PAGE, 3, 16, 1, 48);
        r.map(root64, 0x20000000ull, RAM_BASE | BLOCK, 2, 16, 1, 48);  // 512 MiB block
        r.w64(RAM_BASE + 0x2fff8, 0x64);
        CHECK(r.dma_read_ok(2, 0x12345fff8ull) == 0x64);
        CHECK(r.dma_read_ok(2, 0x20000008ull) == 0x32);
        // A level-1 block with 64 KiB granule needs 52-bit addresses: translation fault.
        r.map(root64, 0x40000000000ull, RAM_BASE | BLOCK, 1, 16, 1, 48);
        uint64_t v;
        CHECK(r.dma_read(2, 0x40000000000ull, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
    });
}

TEST_CASE("SMMUv3 T0SZ=39 walks start at level 2 (4 KiB) and IOVAs beyond the input size fault") {
    rig r;
    test::run_script([&] {
        r.enable();
        cd_options o;
        o.t0sz = 39;  // 25-bit input
        const uint64_t root = r.new_table();
        r.ste_s1(1, r.make_cd(root, o));
        r.map(root, 0x1ff000, (RAM_BASE + 0x4000) | PAGE, 3, 12, 2, 25);
        r.w64(RAM_BASE + 0x4000, 0x25);
        CHECK(r.dma_read_ok(1, 0x1ff000) == 0x25);
        uint64_t v;
        CHECK(r.dma_read(1, 0x2000000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::F_TRANSLATION);
        CHECK(e.input() == 0x2000000);
    });
}

TEST_CASE("SMMUv3 descriptor checks: invalid, reserved level-3 encoding, level-0 block -> F_TRANSLATION") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        uint64_t v;
        // Nothing mapped.
        CHECK(r.dma_write(1, 0x5000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::F_TRANSLATION);
        CHECK(e.sid() == 1);
        CHECK(e.input() == 0x5000);
        CHECK_FALSE(e.rnw());
        CHECK(e.cls() == 2);  // CLASS=IN
        // 0b01 at level 3 is reserved.
        r.map(root, 0x6000, RAM_BASE | 1 | D_AF | D_AP1);
        CHECK(r.dma_read(1, 0x6000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        e = r.pop_event();
        CHECK(e.type() == ev::F_TRANSLATION);
        CHECK(e.rnw());
        // A block at level 0 (4 KiB granule) is not allowed.
        r.w64(root + 1 * 8, RAM_BASE | BLOCK);  // covers 0x80_0000_0000
        CHECK(r.dma_read(1, 0x8000000000ull, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
    });
}

TEST_CASE("SMMUv3 address-size checks on table and leaf descriptors (F_ADDR_SIZE), with IPS below OAS") {
    rig r;
    test::run_script([&] {
        r.enable();
        uint64_t v;
        const uint64_t root = r.simple_stream(1);
        // Leaf output with bit 50 set (RES0 in a 48-bit descriptor).
        r.map(root, 0x3000, (RAM_BASE | (1ull << 50)) | PAGE);
        CHECK(r.dma_read(1, 0x3000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_ADDR_SIZE);
        // A table descriptor pointing beyond 48 bits.
        r.w64(root + 2 * 8, (1ull << 49) | 3);  // level-0 entry 2
        CHECK(r.dma_read(1, 0x10000000000ull, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_ADDR_SIZE);
        // IPS=32 bits: an output address above 4 GiB faults.
        cd_options o;
        o.ips = 0;
        const uint64_t root2 = r.new_table();
        r.ste_s1(2, r.make_cd(root2, o));
        r.map(root2, 0x4000, 0x100000000ull | PAGE);
        CHECK(r.dma_read(2, 0x4000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_ADDR_SIZE);
        // IPS=7 is reserved and means OAS (48 bits): an output at 4 GiB is fine for the SMMU (and
        // then nothing answers on the bus).
        o.ips = 7;
        const uint64_t root3 = r.new_table();
        r.ste_s1(3, r.make_cd(root3, o));
        r.map(root3, 0x4000, 0x100000000ull | PAGE);
        CHECK(r.dma_read(3, 0x4000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pending_events() == 0);
    });
}

TEST_CASE("SMMUv3 access flag: AF=0 gives F_ACCESS unless CD.AFFD=1") {
    rig r;
    test::run_script([&] {
        r.enable();
        uint64_t v;
        const uint64_t root = r.simple_stream(1);
        r.map(root, 0x3000, RAM_BASE | (PAGE & ~D_AF));
        CHECK(r.dma_read(1, 0x3000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_ACCESS);
        cd_options o;
        o.affd = true;
        const uint64_t root2 = r.new_table();
        r.ste_s1(2, r.make_cd(root2, o));
        r.map(root2, 0x3000, RAM_BASE | (PAGE & ~D_AF));
        CHECK(r.dma_read(2, 0x3000, v) == tlm::TLM_OK_RESPONSE);
    });
}

TEST_CASE("SMMUv3 permissions: AP[2] read-only, APTable, AP[1] and privilege, STE.PRIVCFG") {
    rig r;
    test::run_script([&] {
        r.enable();
        uint64_t v;
        const uint64_t root = r.simple_stream(1);
        r.map(root, 0x3000, RAM_BASE | PAGE | D_RO);
        CHECK(r.dma_read(1, 0x3000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(r.dma_write(1, 0x3000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::F_PERMISSION);
        CHECK_FALSE(e.rnw());
        CHECK(e.input() == 0x3000);
        // APTable[1] (read-only below) on the level-0 table descriptor for another region.
        r.map(root, 0x8000000000ull, RAM_BASE | PAGE);
        r.w64(root + 8, r.r64(root + 8) | (1ull << 62));
        CHECK(r.dma_write(1, 0x8000000000ull, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_PERMISSION);
        // AP[1]=0: privileged only. The DMA is unprivileged by default.
        r.map(root, 0x4000, RAM_BASE | (PAGE & ~D_AP1));
        CHECK(r.dma_read(1, 0x4000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_PERMISSION);
        // PRIVCFG=privileged in the STE makes it pass.
        r.ste_s1(2, r.make_cd(root), 0, 3ull << 48);
        CHECK(r.dma_read(2, 0x4000, v) == tlm::TLM_OK_RESPONSE);
    });
}

TEST_CASE("SMMUv3 CD.R=0 suppresses the record, CD.A=0 terminates as RAZ/WI") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        cd_options o;
        o.record = false;
        r.ste_s1(1, r.make_cd(r.new_table(), o));
        uint64_t v;
        CHECK(r.dma_read(1, 0x3000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pending_events() == 0);
        o = {};
        o.abort = false;
        r.ste_s1(2, r.make_cd(r.new_table(), o));
        v = 0x1234;
        CHECK(r.dma_read(2, 0x3000, v) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0);
        CHECK(r.dma_write(2, 0x3000, 5) == tlm::TLM_OK_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
    });
    CHECK(log.has("not recorded: CD.R=0"));
    CHECK(log.has("terminated as RAZ/WI"));
}

TEST_CASE("SMMUv3 EPD0/EPD1, TTB1 walks and top-byte ignore") {
    rig r;
    test::run_script([&] {
        r.enable();
        uint64_t v;
        // TTB1 region (upper VA), 4 KiB granule (TG1=2), 48-bit.
        cd_options o;
        o.epd1 = false;
        o.tg1 = 2;
        const uint64_t root0 = r.new_table(), root1 = r.new_table();
        o.ttb1 = root1;
        r.ste_s1(1, r.make_cd(root0, o));
        r.map(root1, 0xffff000000001000ull, (RAM_BASE + 0x7000) | PAGE);
        r.w64(RAM_BASE + 0x7000, 0x71);
        CHECK(r.dma_read_ok(1, 0xffff000000001000ull) == 0x71);
        // Top bits that do not match bit 55: outside both ranges.
        CHECK(r.dma_read(1, 0x0f00000000001000ull, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
        // EPD1=1 (default options): upper addresses fault without a walk.
        r.ste_s1(2, r.make_cd(root0));
        CHECK(r.dma_read(2, 0xffff000000001000ull, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
        // EPD0=1: lower addresses fault.
        cd_options o0;
        o0.epd0 = true;
        r.ste_s1(3, r.make_cd(root0, o0));
        CHECK(r.dma_read(3, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
        // TBI0: the top byte is ignored.
        cd_options ot;
        ot.extra = 1ull << 38;
        const uint64_t root4 = r.new_table();
        r.ste_s1(4, r.make_cd(root4, ot));
        r.map(root4, 0x5000, (RAM_BASE + 0x7000) | PAGE);
        CHECK(r.dma_read_ok(4, 0xab00000000005000ull) == 0x71);
    });
}

TEST_CASE("SMMUv3 a table pointer outside RAM is F_WALK_EABT with the fetch address") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        r.w64(root, NOWHERE | 3);  // level-0 entry 0 -> a level-1 table nowhere
        uint64_t v;
        CHECK(r.dma_read(1, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        auto e = r.pop_event();
        CHECK(e.type() == ev::F_WALK_EABT);
        CHECK(e.fetch() == NOWHERE);
        CHECK(e.cls() == 1);  // CLASS=TT
        // A TTB outside RAM too.
        r.ste_s1(2, r.make_cd(NOWHERE));
        CHECK(r.dma_read(2, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().type() == ev::F_WALK_EABT);
    });
    CHECK(log.has("access to nothing"));
    CHECK(log.has("F_WALK_EABT"));
}

TEST_CASE("SMMUv3 a table loop ends within the level bound and is named in the diagnostic") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        r.w64(root, root | 3 | D_AF | D_AP1);  // the level-0 table is its own level-1, -2 and -3 table
        uint64_t v;
        CHECK(r.dma_read(1, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // L3 entry 1 is 0
        CHECK(r.pop_event().type() == ev::F_TRANSLATION);
        // The self-reference also answers as an L3 page for IOVA 0: 0b11 at level 3 is a page.
        CHECK(r.dma_read(1, 0x0, v) == tlm::TLM_OK_RESPONSE);
    });
    CHECK(log.has("table loop"));
}

TEST_CASE("SMMUv3 a DMA crossing a page boundary is translated page by page") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        r.map(root, 0x10000, (RAM_BASE + 0x9000) | PAGE);
        r.map(root, 0x11000, (RAM_BASE + 0x3000) | PAGE);
        uint8_t buf[16];
        for (unsigned i = 0; i < 16; ++i) buf[i] = static_cast<uint8_t>(i + 1);
        r.dma.set_stream(1);
        REQUIRE(r.dma.access(tlm::TLM_WRITE_COMMAND, 0x10ff8, buf, 16) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r64(RAM_BASE + 0x9ff8) == 0x0807060504030201ull);
        CHECK(r.r64(RAM_BASE + 0x3000) == 0x100f0e0d0c0b0a09ull);
        // The second page unmapped: the DMA fails and names the second page.
        r.w64(r.map(root, 0x11000, 0), 0);
        r.command(CMD_TLBI_NH_ALL);
        r.sync();
        CHECK(r.dma.access(tlm::TLM_READ_COMMAND, 0x10ff8, buf, 16) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pop_event().input() == 0x11000);
    });
}

TEST_CASE("SMMUv3 DMA without a stream id is aborted by default") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        uint64_t v;
        r.dma.set_stream(core::dma_extension::no_id);
        CHECK(r.dma.read(RAM_BASE, v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.pending_events() == 0);
    });
    CHECK(log.has("the DMA carries no stream id"));
}

TEST_CASE("SMMUv3 DMA without a stream id bypasses when configured to") {
    iommu::smmuv3::config cfg;
    cfg.bypass_untagged = true;
    rig r(cfg);
    test::run_script([&] {
        r.enable();
        r.w64(RAM_BASE + 8, 0x77);
        uint64_t v = 0;
        r.dma.set_stream(core::dma_extension::no_id);
        CHECK(r.dma.read(RAM_BASE + 8, v, 8) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x77);
    });
}

TEST_CASE("SMMUv3 debug transport upstream translates without side effects, and no DMI is granted") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        r.w64(RAM_BASE + 0x5008, 0xdb9);
        r.dma.set_stream(1);
        uint64_t v = 0;
        CHECK(r.dma.debug_read(0x3008, &v, 8) == 8);
        CHECK(v == 0xdb9);
        CHECK(r.dma.debug_read(0x9000, &v, 8) == 0);  // unmapped: nothing, and no event
        CHECK(r.pending_events() == 0);
        CHECK(r.smmu.tlb().occupancy() == 0);
        tlm::tlm_generic_payload p;
        tlm::tlm_dmi dmi;
        p.set_address(0x3000);
        CHECK_FALSE(r.dma.socket->get_direct_mem_ptr(p, dmi));
    });
}

// ---- commands ----

TEST_CASE("SMMUv3 config cache: an STE changed without CFGI keeps its old config, CFGI_STE refreshes it") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        r.w64(RAM_BASE + 0x5000, 0x51);
        r.w64(RAM_BASE + 0x3000, 0x31);
        CHECK(r.dma_read_ok(1, 0x3000) == 0x51);
        r.write_ste(r.ste_addr(1), 1 | (4u << 1));  // now bypass, but not invalidated
        CHECK(r.dma_read_ok(1, 0x3000) == 0x51);
        r.command(CMD_CFGI_STE | (1ull << 32), 1);
        r.sync();
        CHECK(r.dma_read_ok(1, RAM_BASE + 0x3000) == 0x31);
        // CFGI_STE_RANGE covering 2^(1+1)=4 streams from 0: stream 2's change is seen.
        const uint64_t root2 = r.simple_stream(2);
        r.map(root2, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        CHECK(r.dma_read_ok(2, 0x3000) == 0x51);
        r.write_ste(r.ste_addr(2), 1 | (4u << 1));
        r.command(CMD_CFGI_STE_RANGE | (8ull << 32), 1);  // streams 8..11: not 2
        CHECK(r.dma_read_ok(2, 0x3000) == 0x51);
        r.command(CMD_CFGI_STE_RANGE | (3ull << 32), 1);  // streams 0..3
        CHECK(r.dma_read_ok(2, RAM_BASE + 0x3000) == 0x31);
    });
}

TEST_CASE("SMMUv3 CFGI_CD, CFGI_CD_ALL and CFGI_ALL drop cached context descriptors") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.new_table();
        r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        r.w64(RAM_BASE + 0x5000, 0x51);
        uint64_t cds[3];
        for (uint32_t sid = 1; sid <= 3; ++sid) {
            cds[sid - 1] = r.make_cd(root);
            r.ste_s1(sid, cds[sid - 1]);
            CHECK(r.dma_read_ok(sid, 0x3000) == 0x51);
        }
        for (auto cd : cds) r.w64(cd, r.r64(cd) | (1ull << 14));  // EPD0: walks disabled
        uint64_t v;
        CHECK(r.dma_read(1, 0x3000, v) == tlm::TLM_OK_RESPONSE);  // still the old CD
        r.command(CMD_CFGI_CD | (1ull << 32), 1);
        CHECK(r.dma_read(1, 0x3000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.dma_read(2, 0x3000, v) == tlm::TLM_OK_RESPONSE);
        r.command(CMD_CFGI_CD_ALL | (2ull << 32));
        CHECK(r.dma_read(2, 0x3000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.dma_read(3, 0x3000, v) == tlm::TLM_OK_RESPONSE);
        r.command(CMD_CFGI_STE_RANGE, 31);  // CFGI_ALL
        CHECK(r.dma_read(3, 0x3000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    });
}

TEST_CASE("SMMUv3 TLBI_NH_ALL, TLBI_NH_ASID (non-global only), TLBI_NSNH_ALL") {
    rig r;
    test::run_script([&] {
        r.enable();
        cd_options a, b;
        a.asid = 5;
        b.asid = 6;
        const uint64_t ra = r.new_table(), rb = r.new_table();
        r.ste_s1(1, r.make_cd(ra, a));
        r.ste_s1(2, r.make_cd(rb, b));
        r.map(ra, 0x1000, RAM_BASE | PAGE);
        r.map(ra, 0x2000, RAM_BASE | (PAGE & ~D_NG));  // global
        r.map(rb, 0x1000, RAM_BASE | PAGE);
        r.dma_read_ok(1, 0x1000);
        r.dma_read_ok(1, 0x2000);
        r.dma_read_ok(2, 0x1000);
        CHECK(r.smmu.tlb().occupancy() == 3);
        r.command(CMD_TLBI_NH_ASID | (5ull << 48));
        CHECK(r.smmu.tlb().occupancy() == 2);  // ASID 6 and the global entry stay
        CHECK(r.smmu.tlb().peek(6, 0x1000) != nullptr);
        CHECK(r.smmu.tlb().peek(5, 0x2000) != nullptr);
        r.command(CMD_TLBI_NH_ALL);
        CHECK(r.smmu.tlb().occupancy() == 0);
        r.dma_read_ok(2, 0x1000);
        r.command(CMD_TLBI_NSNH_ALL);
        CHECK(r.smmu.tlb().occupancy() == 0);
    });
}

TEST_CASE("SMMUv3 TLBI_NH_VA and TLBI_NH_VAA, single address and ranges (NUM, SCALE, TG)") {
    rig r;
    test::run_script([&] {
        r.enable();
        cd_options a, b;
        a.asid = 5;
        b.asid = 6;
        const uint64_t ra = r.new_table(), rb = r.new_table();
        r.ste_s1(1, r.make_cd(ra, a));
        r.ste_s1(2, r.make_cd(rb, b));
        for (uint64_t page = 0; page < 8; ++page) {
            r.map(ra, 0x100000 + page * 0x1000, RAM_BASE | PAGE);
            r.map(rb, 0x100000 + page * 0x1000, RAM_BASE | PAGE);
            r.dma_read_ok(1, 0x100000 + page * 0x1000);
            r.dma_read_ok(2, 0x100000 + page * 0x1000);
        }
        CHECK(r.smmu.tlb().occupancy() == 16);
        // Single address (TG=0): only ASID 5's entry covering it (any offset inside the page).
        r.command(CMD_TLBI_NH_VA | (5ull << 48), 0x100000 + 0x1000);
        CHECK(r.smmu.tlb().occupancy() == 15);
        CHECK(r.smmu.tlb().peek(5, 0x101000) == nullptr);
        CHECK(r.smmu.tlb().peek(6, 0x101000) != nullptr);
        // Range: TG=1 (4 KiB), NUM=1, SCALE=1: (1+1)*2^1 = 4 pages from 0x104000, ASID 5.
        r.command(CMD_TLBI_NH_VA | (5ull << 48) | (1ull << 12) | (1ull << 20), 0x104000 | (1ull << 10));
        CHECK(r.smmu.tlb().occupancy() == 11);
        CHECK(r.smmu.tlb().peek(5, 0x107000) == nullptr);
        CHECK(r.smmu.tlb().peek(5, 0x103000) != nullptr);
        // VAA: every ASID, TG=1 with TTL=3 (single page at level 3).
        r.command(CMD_TLBI_NH_VAA, 0x100000 | (1ull << 10) | (3ull << 8));
        CHECK(r.smmu.tlb().peek(5, 0x100000) == nullptr);
        CHECK(r.smmu.tlb().peek(6, 0x100000) == nullptr);
        CHECK(r.smmu.tlb().occupancy() == 9);
        // A range that reaches past the end of the address space is clipped, not wrapped.
        r.command(CMD_TLBI_NH_VAA | (31ull << 12) | (31ull << 20), 0xfffffffffffff000ull | (3ull << 10));
        CHECK(r.smmu.tlb().occupancy() == 9);
    });
}

TEST_CASE("SMMUv3 CMD_SYNC: CS=NONE and CS=SEV complete, CS=SIG_IRQ pulses the cmdq-sync line") {
    rig r;
    unsigned rises = 0;
    r.smmu.cmdq_sync_irq.on_change([&](bool level) { rises += level ? 1 : 0; });
    test::run_script([&] {
        r.enable();
        r.command(CMD_SYNC);                // CS=NONE
        r.command(CMD_SYNC | (2ull << 12)); // CS=SEV
        CHECK(rises == 0);
        r.command(CMD_SYNC | (1ull << 12) | (0x1234ull << 32), RAM_BASE + 0x100);  // CS=SIG_IRQ
        CHECK(rises == 1);
        CHECK_FALSE(r.smmu.cmdq_sync_irq.level());
        CHECK(r.cpu.read32(GERROR) == 0);
    });
}

TEST_CASE("SMMUv3 bad commands: CERROR_ILL in CONS.ERR, GERROR.CMDQ_ERR, the queue stops until GERRORN acks") {
    // The trace stays for unit.trace_schema (no scenario makes these events).
    const std::string trace = "test_smmuv3_cmd_error.jsonl";
    core::trace_writer::instance().open(trace);
    rig r;
    unsigned gerror_rises = 0;
    r.smmu.gerror_irq.on_change([&](bool level) { gerror_rises += level ? 1 : 0; });
    log_capture log;
    test::run_script([&] {
        r.enable();
        struct bad {
            const char* what;
            uint64_t dw0, dw1;
        };
        const bad cases[] = {
            {"unknown opcode", 0x7f, 0},
            {"TLBI_EL2_ALL without HYP", CMD_TLBI_EL2_ALL, 0},
            {"TLBI_S12_VMALL without S2", 0x28, 0},
            {"ATC_INV without ATS", 0x40, 0},
            {"PRI_RESP without PRI", 0x41, 0},
            {"RESUME without stall", 0x44, 0},
            {"STALL_TERM without stall", 0x45, 0},
            {"CMD_SYNC CS=3", CMD_SYNC | (3ull << 12), 0},
            {"reserved bits in CFGI_STE", CMD_CFGI_STE | (1ull << 20), 0},
            {"reserved bits in TLBI_NH_ALL DW1", CMD_TLBI_NH_ALL, 1},
            {"SSec=1", CMD_CFGI_STE | (1ull << 10), 0},
            {"range TLBI with NUM=SCALE=TTL=0", CMD_TLBI_NH_VA, 1ull << 10},
            {"range TLBI with TG=16K and TTL=1", CMD_TLBI_NH_VA | (1ull << 12), (2ull << 10) | (1ull << 8)},
            {"NUM with TG=0", CMD_TLBI_NH_VAA | (1ull << 12), 0},
        };
        uint32_t gerrorn = 0;
        for (const auto& c : cases) {
            INFO(c.what);
            const uint32_t before = r.cmd_prod;
            r.command(c.dw0, c.dw1, false);
            r.command(CMD_SYNC, 0, false);  // queued behind the bad one
            const uint32_t cons = r.cpu.read32(CMDQ_CONS);
            CHECK((cons & 0xfffff) == before);      // RD on the bad command
            CHECK(((cons >> 24) & 0x7f) == 1);       // CERROR_ILL
            const uint32_t gerror = r.cpu.read32(GERROR);
            CHECK(((gerror ^ gerrorn) & 1) == 1);    // CMDQ_ERR active
            CHECK(r.smmu.gerror_irq.level());
            // Linux's recovery: overwrite the bad command with a CMD_SYNC, then acknowledge.
            const uint32_t index = before & ((1u << r.cmdq_log2) - 1);
            r.w64(r.cmdq + index * 16, CMD_SYNC);
            r.w64(r.cmdq + index * 16 + 8, 0);
            gerrorn = gerror;
            r.cpu.write32(GERRORN, gerrorn);
            CHECK_FALSE(r.smmu.gerror_irq.level());
            CHECK((r.cpu.read32(CMDQ_CONS) & 0xfffff) == r.cmd_prod);  // both ran after the ack
        }
        CHECK(gerror_rises == sizeof cases / sizeof cases[0]);
    });
    CHECK(core::trace_writer::instance().close());
    std::ifstream in(trace);
    const std::string events((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(events.find(R"("kind":"smmu_cmd_error","src":"smmu","error":"CERROR_ILL","index":)") != std::string::npos);
    CHECK(events.find(R"("kind":"smmu_gerror","src":"smmu","gerror":"0x1","bit":"0x1")") != std::string::npos);
    CHECK(log.has("CERROR_ILL: command"));
    CHECK(log.has("TLBI_EL2_ALL needs SMMU_IDR0.HYP=1"));
}

TEST_CASE("SMMUv3 a command queue outside RAM gives CERROR_ABT") {
    rig r;
    test::run_script([&] {
        r.enable();
        r.cpu.write32(CR0, 0x5);  // CMDQ off to move it
        r.cpu.write64(CMDQ_BASE, NOWHERE | 6);
        r.cpu.write32(CMDQ_PROD, 0);
        r.cpu.write32(CMDQ_CONS, 0);
        r.cpu.write32(CR0, 0xd);
        r.cpu.write32(CMDQ_PROD, 1);
        const uint32_t cons = r.cpu.read32(CMDQ_CONS);
        CHECK((cons & 0xfffff) == 0);
        CHECK(((cons >> 24) & 0x7f) == 2);  // CERROR_ABT
        CHECK((r.cpu.read32(GERROR) & 1) == 1);
    });
}

TEST_CASE("SMMUv3 command queue wrap: the wrap bit flips each lap") {
    rig r;
    test::run_script([&] {
        r.cmdq_log2 = 2;  // 4 entries
        r.enable();
        for (unsigned i = 0; i < 9; ++i) r.sync();
        CHECK(r.cpu.read32(CMDQ_CONS) == ((4 + 9) & 7));  // 4 commands in enable(), 13 in all
        CHECK(r.smmu.stats().commands == 13);
    });
}

// ---- event queue ----

TEST_CASE("SMMUv3 event queue: wrap bits, overflow flag and its acknowledgement, the eventq line") {
    rig r;
    test::run_script([&] {
        r.eventq_log2 = 1;  // 2 records
        r.enable();
        CHECK_FALSE(r.smmu.eventq_irq.level());
        r.simple_stream(1);
        uint64_t v;
        r.dma_read(1, 0x1000, v);
        CHECK(r.smmu.eventq_irq.level());
        r.dma_read(1, 0x2000, v);
        CHECK(r.pending_events() == 2);  // full
        r.dma_read(1, 0x3000, v);        // lost: overflow
        CHECK((r.cpu.read32(EVENTQ_PROD) & 0x80000000u) != 0);
        r.dma_read(1, 0x4000, v);        // lost too; OVFLG stays
        CHECK((r.cpu.read32(EVENTQ_PROD) & 0x80000000u) != 0);
        CHECK(r.smmu.stats().events_lost == 2);
        CHECK(r.pop_event().input() == 0x1000);
        CHECK(r.pop_event().input() == 0x2000);
        CHECK_FALSE(r.smmu.eventq_irq.level());
        // Acknowledge the overflow, then records flow again and the index wraps (wrap bit set).
        r.cpu.write32(EVENTQ_CONS, 0x80000000u | r.evt_cons);
        r.dma_read(1, 0x5000, v);
        CHECK((r.cpu.read32(EVENTQ_PROD) & 0x7) == 3);  // index 1, wrap bit (bit 1) set
        CHECK(r.pop_event().input() == 0x5000);
        // A new overflow toggles OVFLG back.
        r.dma_read(1, 0x6000, v);
        r.dma_read(1, 0x7000, v);
        r.dma_read(1, 0x8000, v);
        CHECK((r.cpu.read32(EVENTQ_PROD) & 0x80000000u) == 0);
    });
}

TEST_CASE("SMMUv3 events are dropped, not overflowed, while the event queue is disabled") {
    rig r;
    test::run_script([&] {
        r.enable();
        r.cpu.write32(CR0, 0x9);  // EVENTQEN off
        r.simple_stream(1);
        uint64_t v;
        CHECK(r.dma_read(1, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.cpu.read32(EVENTQ_PROD) == 0);
        CHECK(r.smmu.stats().events_dropped == 1);
    });
}

TEST_CASE("SMMUv3 an event queue outside RAM toggles GERROR.EVENTQ_ABT_ERR and raises the gerror line") {
    rig r;
    test::run_script([&] {
        r.enable();
        r.cpu.write32(CR0, 0x9);
        r.cpu.write64(EVENTQ_BASE, NOWHERE | 5);
        r.cpu.write32(CR0, 0xd);
        r.simple_stream(1);
        uint64_t v;
        CHECK(r.dma_read(1, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK((r.cpu.read32(GERROR) & 0x4) != 0);
        CHECK(r.smmu.gerror_irq.level());
        r.cpu.write32(GERRORN, r.cpu.read32(GERROR));
        CHECK_FALSE(r.smmu.gerror_irq.level());
        r.cpu.write32(IRQ_CTRL, 0);  // interrupts off: lines low whatever happens
        CHECK(r.dma_read(1, 0x1000, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK_FALSE(r.smmu.gerror_irq.level());
    });
}

// ---- the DMA checker ----

TEST_CASE("SMMUv3 stale translation: the device still reaches the old page and the checker reports it") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(7);
        const uint64_t pte = r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        r.w64(RAM_BASE + 0x5000, 0x55);
        r.w64(RAM_BASE + 0x6000, 0x66);
        CHECK(r.dma_read_ok(7, 0x3000) == 0x55);
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_NS));
        r.w64(pte, (RAM_BASE + 0x6000) | PAGE);  // remapped without TLBI
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_NS));
        CHECK(r.dma_read_ok(7, 0x3000) == 0x55);  // hardware may keep using the cached one
        CHECK(r.dma_read_ok(7, 0x3008) == 0);
        REQUIRE(r.smmu.checker().reports().size() == 1);  // reported once
        CHECK(r.smmu.checker().stale_uses() == 2);        // counted every time
        const auto& rep = r.smmu.checker().reports()[0];
        CHECK(rep.stream == 7);
        CHECK(rep.iova == 0x3000);
        CHECK(rep.old_output == RAM_BASE + 0x5000);
        CHECK(rep.new_mapped);
        CHECK(rep.new_output == RAM_BASE + 0x6000);
        CHECK(rep.changed_addr == pte);
        CHECK(rep.written_after == sc_core::SC_ZERO_TIME);
        CHECK(rep.detected_at == sc_core::sc_time(20, sc_core::SC_NS));
        // TLBI + CMD_SYNC: the new page, no new report.
        r.command(CMD_TLBI_NH_VA | (1ull << 48), 0x3000);
        r.sync();
        CHECK(r.dma_read_ok(7, 0x3000) == 0x66);
        CHECK(r.smmu.checker().reports().size() == 1);
        // Unmapped without TLBI: reported as "no mapping".
        r.w64(pte, 0);
        CHECK(r.dma_read_ok(7, 0x3000) == 0x66);
        REQUIRE(r.smmu.checker().reports().size() == 2);
        CHECK_FALSE(r.smmu.checker().reports()[1].new_mapped);
        CHECK(r.smmu.checker().reports()[1].any_invalidation);
    });
    CHECK(log.has("stale translation used: stream 7 read at IOVA 0x3000 went to 0x40005000"));
    CHECK(log.has("the tables now say 0x40006000"));
    CHECK(log.has("the tables now have no mapping"));
}

TEST_CASE("SMMUv3 a table change that keeps this access's translation is not reported") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(7);
        r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        const uint64_t other = r.map(root, 0x4000, 0);
        r.dma_read_ok(7, 0x3000);
        r.w64(other, (RAM_BASE + 0x8000) | PAGE);  // a neighbour mapped: same L3 table
        const uint64_t pte = r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE | (1ull << 2));  // attr index
        (void)pte;
        r.dma_read_ok(7, 0x3000);
        CHECK(r.smmu.checker().reports().empty());
        CHECK(r.smmu.checker().checks() == 1);
    });
}

// Found by the isolation oracle (test_oracle_smmuv3.cpp): the checker re-read the old table's
// entries, which had not changed, and let the old translation through unreported.
TEST_CASE("SMMUv3 a CD's TTB0 changed and CFGI'd without TLBI: the old table's cached translation is reported stale") {
    rig r;
    test::run_script([&] {
        r.enable();
        const uint64_t a = r.new_table();
        const uint64_t cd = r.make_cd(a);  // ASID 1
        r.ste_s1(7, cd);
        r.map(a, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        const uint64_t b = r.new_table();
        r.map(b, 0x3000, (RAM_BASE + 0x6000) | PAGE);
        r.w64(RAM_BASE + 0x5000, 0x55);
        r.w64(RAM_BASE + 0x6000, 0x66);
        CHECK(r.dma_read_ok(7, 0x3000) == 0x55);
        r.w64(cd + 8, b);  // TTB0
        r.command(CMD_CFGI_CD | (7ull << 32), 1);
        r.sync();
        CHECK(r.dma_read_ok(7, 0x3000) == 0x55);  // ASID 1's TLB entry is still used
        REQUIRE(r.smmu.checker().reports().size() == 1);
        const auto& rep = r.smmu.checker().reports()[0];
        CHECK(rep.root_moved);
        CHECK(rep.old_output == RAM_BASE + 0x5000);
        CHECK(rep.new_output == RAM_BASE + 0x6000);
        CHECK(rep.new_root_addr == b);  // level 0 entry 0
        r.command(CMD_TLBI_NH_ASID | (1ull << 48));
        r.sync();
        CHECK(r.dma_read_ok(7, 0x3000) == 0x66);
        CHECK(r.smmu.checker().reports().size() == 1);
    });
}

// ---- why the last invalidation missed a stale entry (docs/hardware/smmuv3.md, "Stale translations") ----

namespace {

// Stream 7 (ASID 1) caches IOVA 0x3000 -> page 0x5000 from a leaf with `leaf` bits, the page is
// remapped to 0x6000, `invalidate` issues the commands under test (then CMD_SYNC), and the next
// DMA uses the stale entry. Returns the one report it makes.
iommu::stale_report stale_after(rig& r, uint64_t leaf, const std::function<void()>& invalidate) {
    r.enable();
    const uint64_t root = r.simple_stream(7);
    const uint64_t pte = r.map(root, 0x3000, (RAM_BASE + 0x5000) | leaf);
    r.dma_read_ok(7, 0x3000);
    r.w64(pte, (RAM_BASE + 0x6000) | leaf);
    invalidate();
    r.sync();
    r.dma_read_ok(7, 0x3000);
    REQUIRE(r.smmu.checker().reports().size() == 1);
    return r.smmu.checker().reports()[0];
}

} // namespace

TEST_CASE("SMMUv3 stale after TLBI_NH_ASID: a global entry (nG=0) is not an ASID's, so it stays") {
    rig r;
    log_capture log;
    const std::string trace = "test_smmuv3_stale_reason.jsonl";
    core::trace_writer::instance().open(trace);
    test::run_script([&] {
        const auto rep = stale_after(r, PAGE & ~D_NG, [&] { r.command(CMD_TLBI_NH_ASID | (1ull << 48)); });
        CHECK(rep.last_invalidation_command == "TLBI_NH_ASID ASID 1");
        CHECK(rep.why_not_covered.kind == "global_entry");
        // TLBI_NH_VA covers global entries: the new page is used from then on.
        r.command(CMD_TLBI_NH_VA | (1ull << 48), 0x3000);
        r.sync();
        CHECK(r.dma_read_ok(7, 0x3000) == 0);
        CHECK(r.smmu.checker().reports().size() == 1);
    });
    CHECK(core::trace_writer::instance().close());
    CHECK(log.has("which did not cover it: TLBI_NH_ASID ASID 1 leaves global entries, "
                  "and the entry is global (nG=0)\n"));
    std::ifstream in(trace);
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(all.find("\"last_invalidation\":\"TLBI_NH_ASID ASID 1\"") != std::string::npos);
    CHECK(all.find("\"not_covered_because\":\"global_entry\"") != std::string::npos);
    CHECK(all.find("\"not_covered_detail\":\"TLBI_NH_ASID ASID 1 leaves global entries, and the entry is global "
                   "(nG=0)\"") != std::string::npos);
}

TEST_CASE("SMMUv3 stale after TLBI_NH_ASID of another ASID: the report names both ASIDs") {
    rig r;
    log_capture log;
    test::run_script([&] {
        const auto rep = stale_after(r, PAGE, [&] { r.command(CMD_TLBI_NH_ASID | (2ull << 48)); });
        CHECK(rep.why_not_covered.kind == "asid_mismatch");
    });
    CHECK(log.has("which did not cover it: TLBI_NH_ASID ASID 2 invalidated ASID 2, the entry is ASID 1\n"));
}

TEST_CASE("SMMUv3 stale after TLBI_NH_VA of another address: the report gives both addresses") {
    rig r;
    log_capture log;
    test::run_script([&] {
        const auto rep = stale_after(r, PAGE, [&] {
            r.command(CMD_TLBI_NH_VA | (1ull << 48), 0x5000);  // one address (TG=0)
        });
        CHECK(rep.why_not_covered.kind == "address_range");
    });
    CHECK(log.has("which did not cover it: TLBI_NH_VA ASID 1 covered IOVA 0x5000, the entry maps 0x3000-0x3fff\n"));
}

TEST_CASE("SMMUv3 stale after a range TLBI_NH_VAA that ends below the entry") {
    rig r;
    log_capture log;
    test::run_script([&] {
        const auto rep = stale_after(r, PAGE, [&] {
            // TG=1 (4 KiB), SCALE=0, NUM=1: two pages from 0x1000, i.e. 0x1000-0x2fff.
            r.command(CMD_TLBI_NH_VAA | (1ull << 12), 0x1000 | (1ull << 10));
        });
        CHECK(rep.last_invalidation_command == "TLBI_NH_VAA");
        CHECK(rep.why_not_covered.kind == "address_range");
    });
    CHECK(log.has("which did not cover it: TLBI_NH_VAA covered IOVA 0x1000-0x2fff, the entry maps 0x3000-0x3fff\n"));
}

TEST_CASE("SMMUv3 stale after CFGI_STE of another stream: configuration only, and the stream it named") {
    rig r;
    log_capture log;
    test::run_script([&] {
        const auto rep = stale_after(r, PAGE, [&] { r.command(CMD_CFGI_STE | (3ull << 32), 1); });
        CHECK(rep.why_not_covered.kind == "configuration_only");
    });
    CHECK(log.has("which did not cover it: CFGI_STE StreamID 3 invalidates cached configuration (STEs and CDs) "
                  "only, never cached translations; it named stream 3, the access came from stream 7\n"));
}

TEST_CASE("SMMUv3 stale after a TLBI that matched the entry: it was cached after that TLBI") {
    rig r;
    log_capture log;
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(7);
        const uint64_t pte = r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        r.command(CMD_TLBI_NH_ASID | (1ull << 48));  // Linux's invalidation after the map...
        r.sync();
        r.dma_read_ok(7, 0x3000);                    // ...then the DMA fills the TLB
        r.w64(pte, 0);                               // unmapped without a TLBI
        r.dma_read_ok(7, 0x3000);
        REQUIRE(r.smmu.checker().reports().size() == 1);
        CHECK(r.smmu.checker().reports()[0].why_not_covered.kind == "cached_after");
    });
    CHECK(log.has("which did not cover it: TLBI_NH_ASID ASID 1 covers the entry, so the entry was cached after it\n"));
}

TEST_CASE("SMMUv3 socsim,check-stale=0 turns the checker off") {
    iommu::smmuv3::config cfg;
    cfg.check_stale = false;
    rig r(cfg);
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(7);
        const uint64_t pte = r.map(root, 0x3000, (RAM_BASE + 0x5000) | PAGE);
        r.dma_read_ok(7, 0x3000);
        r.w64(pte, 0);
        r.dma_read_ok(7, 0x3000);
        CHECK(r.smmu.checker().reports().empty());
        CHECK(r.smmu.checker().checks() == 0);
    });
}

TEST_CASE("SMMUv3 TLB geometry comes from the config, and LRU eviction forces a new walk") {
    iommu::smmuv3::config cfg;
    cfg.tlb_entries = 4;
    cfg.tlb_ways = 4;
    rig r(cfg);
    test::run_script([&] {
        r.enable();
        const uint64_t root = r.simple_stream(1);
        for (uint64_t i = 0; i < 5; ++i) r.map(root, 0x10000 + i * 0x1000, RAM_BASE | PAGE);
        for (uint64_t i = 0; i < 5; ++i) r.dma_read_ok(1, 0x10000 + i * 0x1000);
        CHECK(r.smmu.tlb().capacity() == 4);
        CHECK(r.smmu.tlb().occupancy() == 4);
        CHECK(r.smmu.tlb().stats().evictions == 1);
        CHECK(r.smmu.tlb().peek(1, 0x10000) == nullptr);  // the least recently used went
        r.dma_read_ok(1, 0x10000);
        CHECK(r.smmu.tlb().stats().misses == 6);
    });
}
