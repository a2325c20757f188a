// Apple DART through real sockets: a test initiator on the register socket (the CPU), another
// as the DMA master upstream (stamping stream ids), RAM at the M1 address behind a router
// downstream, where the tests build 16 KiB page tables with debug writes. One design per
// TEST_CASE; each variant (t8103, t6000, t8110) is built from its DT compatible.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/iommu/dart/dart.h"
#include "models/core/config_error.h"
#include "models/memory/ram.h"
#include "platforms/builder/device_tree.h"
#include "platforms/builder/platform.h"
#include "tests/unit/harness.h"

using namespace socsim;
using iommu::dart;

namespace {

constexpr uint64_t RAM_BASE = 0x800000000ull, RAM_SIZE = 0x01000000;  // 16 MiB at the M1 RAM base
constexpr uint64_t NOWHERE = 0x700000000ull;                          // nothing mapped there
constexpr uint64_t PAGE = 0x4000;

// t8020 / t6000 register offsets and bits (Linux apple-dart.c).
namespace t8020 {
constexpr uint64_t PARAMS1 = 0x0, PARAMS2 = 0x4, STREAM_COMMAND = 0x20, STREAM_SELECT = 0x34, ERROR = 0x40,
                   ERROR_ADDR_LO = 0x50, ERROR_ADDR_HI = 0x54, CONFIG = 0x60, REMAP = 0x80, STREAMS_ENABLE = 0xfc;
constexpr uint32_t INVALIDATE = 1u << 20, BUSY = 1u << 2, LOCK = 1u << 15;
constexpr uint32_t TCR_TRANSLATE = 1u << 7, TCR_BYPASS = (1u << 8) | (1u << 12);
constexpr uint32_t E_FLAG = 1u << 31, E_NO_TTBR = 1, E_NO_PMD = 2, E_NO_PTE = 4, E_WRITE = 8, E_READ = 16,
                   E_PTE_READ = 1u << 6, E_SUBPAGE = 1u << 7;
uint64_t tcr(unsigned sid) { return 0x100 + 4 * sid; }
uint64_t ttbr(unsigned sid, unsigned i) { return 0x200 + 16 * sid + 4 * i; }
uint32_t ttbr_value(uint64_t pa) { return static_cast<uint32_t>(pa >> 12) | (1u << 31); }
uint32_t error_stream(uint32_t e) { return (e >> 24) & 0xf; }
} // namespace t8020

// t8110 (Linux apple-dart.c).
namespace t8110 {
constexpr uint64_t PARAMS3 = 0x8, PARAMS4 = 0xc, TLB_CMD = 0x80, ERROR = 0x100, ERROR_MASK = 0x104,
                   ERROR_ADDR_LO = 0x170, ERROR_ADDR_HI = 0x174, ERROR_STREAMS = 0x1c0, PROTECT = 0x200,
                   UNPROTECT = 0x204, PROTECT_LOCK = 0x208, ENABLE = 0xc00, DISABLE = 0xc20;
constexpr uint32_t BUSY = 1u << 31, OP_FLUSH_ALL = 0 << 8, OP_FLUSH_SID = 1 << 8;
constexpr uint32_t TCR_TRANSLATE = 1, TCR_BYPASS = 6, TCR_FOUR_LEVEL = 8;
constexpr uint32_t E_FLAG = 1u << 31, E_SECONDARY = 1u << 19, E_NO_TTBR = 1, E_NO_PGD = 2, E_NO_PMD = 4,
                   E_NO_PTE = 8, E_WRITE = 16;  // READ 32 and AXI_DECODE 64 are not exercised here
uint64_t tcr(unsigned sid) { return 0x1000 + 4 * sid; }
uint64_t ttbr(unsigned sid) { return 0x1400 + 4 * sid; }
uint32_t ttbr_value(uint64_t pa) { return static_cast<uint32_t>(pa >> 12) | 1u; }
} // namespace t8110

dart::config make_config(const char* compatible) {
    dart::config c;
    c.variant = iommu::find_dart_variant(compatible);
    REQUIRE(c.variant);
    return c;
}

struct rig {
    bus::router bus{"bus"};
    memory::ram ram{"ram", RAM_SIZE};
    dart d;
    test::test_initiator cpu{"cpu"}, dma{"dma"}, mem{"mem"};
    uint64_t next_free = RAM_BASE + 0x00800000;  // tables from the upper half

    explicit rig(const dart::config& cfg) : d("dart", cfg) {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        d.downstream.bind(bus.target_socket);
        cpu.socket.bind(d.socket);
        dma.socket.bind(d.upstream);
        mem.socket.bind(bus.target_socket);
    }
    explicit rig(const char* compatible) : rig(make_config(compatible)) {}

    const iommu::dart_format& fmt() const { return d.format(); }
    void w64(uint64_t addr, uint64_t v) { REQUIRE(mem.debug_write(addr, &v, 8) == 8); }
    uint64_t r64(uint64_t addr) {
        uint64_t v = 0;
        REQUIRE(mem.debug_read(addr, &v, 8) == 8);
        return v;
    }
    uint64_t table() {
        const uint64_t t = next_free;
        next_free += PAGE;
        for (uint64_t i = 0; i < PAGE; i += 8) w64(t + i, 0);
        return t;
    }
    // Installs `leaf` for `iova` below `root` (first level 1, or 0 for a t8110 FOUR_LEVEL root),
    // creating tables; returns the leaf's address.
    uint64_t map(uint64_t root, uint64_t iova, uint64_t leaf, int first_level = 1) {
        static const unsigned shift[3] = {36, 25, 14};
        uint64_t t = root;
        for (int level = first_level;; ++level) {
            const uint64_t slot = t + ((iova >> shift[level]) & 0x7ff) * 8;
            if (level == 2) {
                w64(slot, leaf);
                return slot;
            }
            uint64_t dsc = r64(slot);
            if (!(dsc & 1)) {
                dsc = fmt().table_descriptor(table());
                w64(slot, dsc);
            }
            t = fmt().address(dsc);
        }
    }
    uint64_t page(uint64_t pa, bool read = true, bool write = true) { return fmt().leaf_descriptor(pa, read, write); }

    // Linux's t8020 invalidation: select, command, poll BUSY.
    unsigned invalidate_t8020(uint32_t mask) {
        cpu.write32(t8020::STREAM_SELECT, mask);
        cpu.write32(t8020::STREAM_COMMAND, t8020::INVALIDATE);
        unsigned polls = 0;
        while (cpu.read32(t8020::STREAM_COMMAND) & t8020::BUSY) REQUIRE(++polls < 100);
        return polls;
    }
    unsigned invalidate_t8110(uint32_t cmd) {
        cpu.write32(t8110::TLB_CMD, cmd);
        unsigned polls = 0;
        while (cpu.read32(t8110::TLB_CMD) & t8110::BUSY) REQUIRE(++polls < 100);
        return polls;
    }
    // A translating t8020 stream with TTBR0 at a fresh L1 table.
    uint64_t stream_t8020(unsigned sid) {
        const uint64_t l1 = table();
        cpu.write32(t8020::ttbr(sid, 0), t8020::ttbr_value(l1));
        cpu.write32(t8020::tcr(sid), t8020::TCR_TRANSLATE);
        invalidate_t8020(1u << sid);
        return l1;
    }
    uint64_t stream_t8110(unsigned sid, bool four_level = false) {
        const uint64_t root = table();
        cpu.write32(t8110::ttbr(sid), t8110::ttbr_value(root));
        cpu.write32(t8110::tcr(sid), t8110::TCR_TRANSLATE | (four_level ? t8110::TCR_FOUR_LEVEL : 0));
        invalidate_t8110(t8110::OP_FLUSH_SID | sid);
        return root;
    }

    tlm::tlm_response_status dma_read(uint32_t sid, uint64_t iova, uint64_t& v, unsigned len = 8) {
        dma.set_stream(sid);
        return dma.read(iova, v, len);
    }
    tlm::tlm_response_status dma_write(uint32_t sid, uint64_t iova, uint64_t v, unsigned len = 8) {
        dma.set_stream(sid);
        return dma.write(iova, v, len);
    }
    uint64_t dma_read_ok(uint32_t sid, uint64_t iova, unsigned len = 8) {
        uint64_t v = 0;
        INFO("DMA read at " << std::hex << iova << " stream " << std::dec << sid);
        REQUIRE(dma_read(sid, iova, v, len) == tlm::TLM_OK_RESPONSE);
        return v;
    }
    bool dma_fails(uint32_t sid, uint64_t iova, bool write = false, unsigned len = 8) {
        uint64_t v = 0;
        return (write ? dma_write(sid, iova, 0, len) : dma_read(sid, iova, v, len)) ==
               tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
};

struct log_capture {
    std::ostringstream text;
    log_capture() { core::set_log_stream(&text); }
    ~log_capture() { core::set_log_stream(nullptr); }
    bool has(const std::string& s) const { return text.str().find(s) != std::string::npos; }
    size_t count(const std::string& s) const {
        size_t n = 0;
        for (size_t at = text.str().find(s); at != std::string::npos; at = text.str().find(s, at + 1)) ++n;
        return n;
    }
};

} // namespace

// ---- variant table ----

TEST_CASE("DART variant table: compatibles, layouts, TTBR encodings") {
    const auto* a = iommu::find_dart_variant("apple,t8103-dart");
    const auto* b = iommu::find_dart_variant("apple,t6000-dart");
    const auto* c = iommu::find_dart_variant("apple,t8110-dart");
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    CHECK(iommu::find_dart_variant("apple,t8103-usb4-dart") == nullptr);
    CHECK(a->pte == iommu::dart_pte_format::dart1);
    CHECK(b->pte == iommu::dart_pte_format::dart2);
    CHECK(c->pte == iommu::dart_pte_format::dart2);
    CHECK(a->streams == 16);
    CHECK(c->streams == 256);
    CHECK(a->ttbr_count == 4);
    CHECK(c->ttbr_count == 1);
    CHECK(a->ttbr_offset(3, 2) == 0x238);
    CHECK(c->ttbr_offset(3, 0) == 0x140c);
    CHECK(a->ttbr_value(0x812344000ull) == 0x80812344u);
    CHECK(c->ttbr_value(0x812344000ull) == (0x00812344u | 1));  // (PA >> 14) << 2 == PA >> 12
    CHECK(c->ttbr_table(c->ttbr_value(0x10012344000ull)) == 0x10012344000ull);
}

TEST_CASE("DART PTE formats: DART1 and DART2 encodings (fact-sheet examples)") {
    iommu::dart_format d1(iommu::dart_pte_format::dart1), d2(iommu::dart_pte_format::dart2);
    // A worked t8103 PTE: PA 0x8_1234_4000 RW = 0x000F_FF08_1234_4003 (Linux adds SP_DIS, bit 1).
    CHECK(d1.leaf_descriptor(0x812344000ull, true, true, 0, 0xfff, true) == 0x000fff0812344003ull);
    // DART2 at 0x100_1234_4000: 0x000F_FF10_0123_4401 (bit 1 NO_CACHE not set here).
    CHECK(d2.leaf_descriptor(0x10012344000ull, true, true) == 0x000fff1001234401ull);
    CHECK(d1.address(0x000fff0812344003ull) == 0x812344000ull);
    CHECK(d2.address(0x000fff1001234401ull) == 0x10012344000ull);
    uint64_t state = 0;
    auto s = d1.decode(2, d1.leaf_descriptor(0x812344000ull, true, false), 0, state);
    CHECK(s.kind == iommu::walk_step::leaf);
    CHECK(s.perms == (iommu::perm_read | iommu::perm_user_read));
    s = d2.decode(2, d2.leaf_descriptor(0x812344000ull, false, true), 0, state);
    CHECK(s.perms == (iommu::perm_write | iommu::perm_user_write));
    // Table descriptors: bit 1 is ignored (U-Boot writes 0x3).
    s = d1.decode(1, 0x812344000ull | 3, 0, state);
    CHECK(s.kind == iommu::walk_step::table);
    CHECK(s.next == 0x812344000ull);
    s = d1.decode(1, 0x812344000ull, 0, state);
    CHECK(s.kind == iommu::walk_step::fault);
    CHECK(s.fault_code == iommu::dart_no_pmd);
    // Sub-page window in attrs: SP_START 0x100 (byte 0x400), SP_END 0x1ff (last byte 0x7ff).
    s = d1.decode(2, d1.leaf_descriptor(0x812344000ull, true, true, 0x100, 0x1ff), 0, state);
    auto sp = iommu::dart_subpage::from_attrs(s.attrs);
    CHECK(sp.enabled);
    CHECK(sp.first == 0x400);
    CHECK(sp.last == 0x7ff);
    CHECK(sp.allows(0x400, 0x400));
    CHECK_FALSE(sp.allows(0x3fc, 8));
    CHECK_FALSE(sp.allows(0x7fc, 8));
    s = d1.decode(2, d1.leaf_descriptor(0x812344000ull, true, true, 0x100, 0x1ff, true), 0, state);
    CHECK_FALSE(iommu::dart_subpage::from_attrs(s.attrs).enabled);
    // DART2 has no SP_DIS: bit 1 is NO_CACHE and leaves the check on.
    s = d2.decode(2, d2.leaf_descriptor(0x812344000ull, true, true, 0x100, 0x1ff) | 2, 0, state);
    CHECK(iommu::dart_subpage::from_attrs(s.attrs).enabled);
}

// ---- registers ----

TEST_CASE("DART t8103 registers: PARAMS, reset values, masks, access sizes, unmapped offsets") {
    rig r("apple,t8103-dart");
    log_capture log;
    using namespace t8020;
    test::run_script([&] {
        CHECK(r.cpu.read32(PARAMS1) == 0x0e000000u);  // page shift 14
        CHECK(r.cpu.read32(PARAMS2) == 0);            // no bypass by default
        r.cpu.write32(PARAMS1, 0);
        CHECK(r.cpu.read32(PARAMS1) == 0x0e000000u);
        CHECK(r.cpu.read32(STREAMS_ENABLE) == 0xffff);
        CHECK(r.cpu.read32(STREAM_COMMAND) == 0);
        CHECK(r.cpu.read32(STREAM_SELECT) == 0);
        CHECK(r.cpu.read32(ERROR) == 0);
        CHECK(r.cpu.read32(ERROR_ADDR_LO) == 0);
        CHECK(r.cpu.read32(ERROR_ADDR_HI) == 0);
        CHECK(r.cpu.read32(CONFIG) == 0);
        CHECK(r.cpu.read32(REMAP) == 0x03020100u);
        CHECK(r.cpu.read32(REMAP + 12) == 0x0f0e0d0cu);
        for (unsigned sid = 0; sid < 16; ++sid) {
            CHECK(r.cpu.read32(tcr(sid)) == 0);
            for (unsigned i = 0; i < 4; ++i) CHECK(r.cpu.read32(ttbr(sid, i)) == 0);
        }
        // TCR keeps TRANSLATE_ENABLE, BYPASS_DART, BYPASS_DAPF only; TTBR all 32 bits.
        r.cpu.write32(tcr(5), 0xffffffff);
        CHECK(r.cpu.read32(tcr(5)) == 0x1180);
        r.cpu.write32(ttbr(15, 3), 0xffffffff);
        CHECK(r.cpu.read32(ttbr(15, 3)) == 0xffffffff);
        CHECK(r.cpu.read32(ttbr(15, 2)) == 0);
        // STREAMS_ENABLE keeps 16 bits; STREAM_SELECT drops streams >= 16 with a warning.
        r.cpu.write32(STREAMS_ENABLE, 0xffffffff);
        CHECK(r.cpu.read32(STREAMS_ENABLE) == 0xffff);
        r.cpu.write32(STREAM_SELECT, 0x00030001);
        CHECK(r.cpu.read32(STREAM_SELECT) == 0x1);
        // Reads of ERROR_ADDR are read-only.
        r.cpu.write32(ERROR_ADDR_LO, 0x1234);
        CHECK(r.cpu.read32(ERROR_ADDR_LO) == 0);
        // Unmapped offsets (m1n1's UNK1, DAPF_LOCK) read as zero and ignore writes.
        r.cpu.write32(0xf8, 0x1234);
        CHECK(r.cpu.read32(0xf8) == 0);
        CHECK(r.cpu.read32(0x3ffc) == 0);
        // 32-bit accesses only.
        uint64_t v;
        CHECK(r.cpu.read(PARAMS1, v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.read(tcr(0), v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.write(tcr(0) + 2, 0x80, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.read32(tcr(0)) == 0);
    });
    CHECK(log.has("STREAM_SELECT 0x30001 names streams beyond 15"));
    CHECK(log.has("refused"));
}

TEST_CASE("DART t6000 registers: t8020 layout, PARAMS, 16 streams") {
    rig r("apple,t6000-dart");
    using namespace t8020;
    test::run_script([&] {
        CHECK(r.cpu.read32(PARAMS1) == 0x0e000000u);
        CHECK(r.cpu.read32(STREAMS_ENABLE) == 0xffff);
        r.cpu.write32(ttbr(2, 1), 0x80812344u);
        CHECK(r.cpu.read32(ttbr(2, 1)) == 0x80812344u);
        r.cpu.write32(tcr(15), TCR_TRANSLATE);
        CHECK(r.cpu.read32(tcr(15)) == TCR_TRANSLATE);
        // No t8110 registers here.
        CHECK(r.cpu.read32(0xc00) == 0);
        CHECK(r.cpu.read32(0x1000) == 0);
    });
}

TEST_CASE("DART t8110 registers: PARAMS3/4, TLB_CMD, ERROR_MASK, stream enable/disable words, TCR, TTBR") {
    rig r("apple,t8110-dart");
    using namespace t8110;
    test::run_script([&] {
        CHECK(r.cpu.read32(0x0) == 0x0e000000u);
        CHECK(r.cpu.read32(PARAMS3) == ((42u << 24) | (42u << 16) | (2u << 8)));
        CHECK((r.cpu.read32(PARAMS4) & 0x1ff) == 256);
        CHECK(r.cpu.read32(TLB_CMD) == 0);
        CHECK(r.cpu.read32(ERROR) == 0);
        CHECK(r.cpu.read32(ERROR_MASK) == 0);
        r.cpu.write32(ERROR_MASK, 0x30);
        CHECK(r.cpu.read32(ERROR_MASK) == 0x30);
        CHECK(r.cpu.read32(PROTECT) == 0);
        for (unsigned i = 0; i < 8; ++i) {
            CHECK(r.cpu.read32(ENABLE + 4 * i) == 0xffffffff);
            CHECK(r.cpu.read32(DISABLE + 4 * i) == 0);
            CHECK(r.cpu.read32(ERROR_STREAMS + 4 * i) == 0);
        }
        // m1n1 initialize(): DISABLE word 0 = 0xffff; then enable stream 3 as m1n1 iomap_at does.
        r.cpu.write32(DISABLE, 0xffff);
        CHECK(r.cpu.read32(ENABLE) == 0xffff0000u);
        CHECK(r.cpu.read32(DISABLE) == 0);
        r.cpu.write32(ENABLE, 1u << 3);
        CHECK(r.cpu.read32(ENABLE) == 0xffff0008u);
        r.cpu.write32(DISABLE + 28, 0x80000000u);
        CHECK(r.cpu.read32(ENABLE + 28) == 0x7fffffffu);
        // TCR: TRANSLATE, BYPASS_DART, BYPASS_DAPF, FOUR_LEVEL; TTBR: VALID and [29:2].
        r.cpu.write32(tcr(255), 0xffffffff);
        CHECK(r.cpu.read32(tcr(255)) == 0xf);
        r.cpu.write32(ttbr(255), 0xffffffff);
        CHECK(r.cpu.read32(ttbr(255)) == 0x3ffffffd);
        CHECK(r.cpu.read32(0x1800) == 0);  // past TTBR[255]
        // No t8020 registers at their offsets.
        CHECK(r.cpu.read32(0xfc) == 0);
        CHECK(r.cpu.read32(0x60) == 0);
    });
}

// ---- translation ----

TEST_CASE("DART t8103 DART1 two-level translation: reads, writes, TLB hits, page-crossing DMA") {
    rig r("apple,t8103-dart");
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(1);
        r.map(l1, 0xffffc000, r.page(RAM_BASE + 0x10000));
        r.map(l1, 0xffff8000, r.page(RAM_BASE + 0x40000));
        r.w64(RAM_BASE + 0x10010, 0xabcdef);
        CHECK(r.dma_read_ok(1, 0xffffc010) == 0xabcdef);
        REQUIRE(r.dma_write(1, 0xffffdff8, 77) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r64(RAM_BASE + 0x11ff8) == 77);
        CHECK(r.d.tlb().stats().misses == 1);
        CHECK(r.d.tlb().stats().hits == 1);
        // A DMA across the two pages goes to two physical pages.
        r.w64(RAM_BASE + 0x43ff8, 0x1111111100000000ull);
        r.w64(RAM_BASE + 0x10000, 0x2222222233333333ull);
        CHECK(r.dma_read_ok(1, 0xffffbffc) == 0x3333333311111111ull);
        CHECK(r.d.stats().translations == 4);
        // Another stream has its own context: no mapping there.
        CHECK(r.dma_fails(2, 0xffffc010));
    });
}

TEST_CASE("DART t8103 four TTBRs selected by IOVA bits 37:36, NO_TTBR for invalid TTBRs and beyond 2^38") {
    rig r("apple,t8103-dart");
    using namespace t8020;
    test::run_script([&] {
        uint64_t roots[4];
        for (unsigned i = 0; i < 4; ++i) {
            roots[i] = r.table();
            if (i != 2) r.cpu.write32(ttbr(0, i), ttbr_value(roots[i]));
        }
        r.cpu.write32(tcr(0), TCR_TRANSLATE);
        for (unsigned i = 0; i < 4; ++i) {
            const uint64_t iova = (uint64_t{i} << 36) | 0x4000;
            r.map(roots[i], iova, r.page(RAM_BASE + 0x100000 * (i + 1)));
            r.w64(RAM_BASE + 0x100000 * (i + 1), 0x100 + i);
        }
        CHECK(r.dma_read_ok(0, 0x4000) == 0x100);
        CHECK(r.dma_read_ok(0, 0x1000004000ull) == 0x101);
        CHECK(r.dma_read_ok(0, 0x3000004000ull) == 0x103);
        // TTBR[0][2] is not valid: NO_TTBR with the IOVA latched.
        CHECK(r.dma_fails(0, 0x2000004000ull));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | E_NO_TTBR));
        CHECK(r.cpu.read32(ERROR_ADDR_LO) == 0x4000);
        CHECK(r.cpu.read32(ERROR_ADDR_HI) == 0x20);
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        // Beyond the four 64 GiB regions.
        CHECK(r.dma_fails(0, 0x4000004000ull));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | E_NO_TTBR));
        CHECK(r.cpu.read32(ERROR_ADDR_HI) == 0x40);
    });
}

TEST_CASE("DART t6000 DART2 PTEs: PA >> 4 in the descriptor, NO_READ/NO_WRITE bits 3 and 2") {
    rig r("apple,t6000-dart");
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(3);
        const uint64_t ro = r.map(l1, 0x8000, r.fmt().leaf_descriptor(RAM_BASE + 0x20000, true, false));
        r.map(l1, 0xc000, r.fmt().leaf_descriptor(RAM_BASE + 0x24000, false, true));
        CHECK((r.r64(ro) & 0xf) == 0x5);  // VALID | NO_WRITE (bit 2)
        r.w64(RAM_BASE + 0x20008, 0x5555);
        CHECK(r.dma_read_ok(3, 0x8008) == 0x5555);
        CHECK(r.dma_fails(3, 0x8008, true));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (3u << 24) | E_WRITE));
        r.cpu.write32(ERROR, 0xffffffff);  // m1n1's way of clearing
        CHECK(r.cpu.read32(ERROR) == 0);
        REQUIRE(r.dma_write(3, 0xc010, 9) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r64(RAM_BASE + 0x24010) == 9);
        CHECK(r.dma_fails(3, 0xc010));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (3u << 24) | E_READ));
    });
}

TEST_CASE("DART t8110 two-level walks, FOUR_LEVEL three-level walks, NO_TTBR/NO_PGD/NO_PMD/NO_PTE codes") {
    rig r("apple,t8110-dart");
    log_capture log;
    using namespace t8110;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8110(7);
        r.map(l1, 0xf00004000ull, r.page(RAM_BASE + 0x30000));
        r.w64(RAM_BASE + 0x30000, 0x77);
        CHECK(r.dma_read_ok(7, 0xf00004000ull) == 0x77);
        // Without FOUR_LEVEL the space is 36 bits.
        CHECK(r.dma_fails(7, 0x1000004000ull));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (7u << 20) | E_NO_TTBR));
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        r.cpu.write32(ERROR_STREAMS, 0xffffffff);
        // FOUR_LEVEL on stream 200: L0 -> L1 -> L2, 42-bit space.
        const uint64_t l0 = r.stream_t8110(200, true);
        r.map(l0, 0x2340000c000ull, r.page(RAM_BASE + 0x34000), 0);
        r.w64(RAM_BASE + 0x34008, 0x88);
        CHECK(r.dma_read_ok(200, 0x2340000c008ull) == 0x88);
        auto expect = [&](uint64_t iova, uint32_t code) {
            CHECK(r.dma_fails(200, iova));
            CHECK(r.cpu.read32(ERROR) == (E_FLAG | (200u << 20) | code));
            CHECK(r.cpu.read32(ERROR_ADDR_LO) == static_cast<uint32_t>(iova));
            CHECK(r.cpu.read32(ERROR_ADDR_HI) == static_cast<uint32_t>(iova >> 32));
            CHECK(r.cpu.read32(ERROR_STREAMS + 4 * 6) == (1u << 8));
            r.cpu.write32(ERROR, r.cpu.read32(ERROR));
            r.cpu.write32(ERROR_STREAMS + 4 * 6, 0xffffffff);
            CHECK_FALSE(r.d.irq.level());
        };
        expect(0x1000004000ull, E_NO_PGD);   // L0 entry 1 empty
        expect(0x23500000000ull, E_NO_PMD);  // same L0 entry, other L1 entry
        expect(0x23400010000ull, E_NO_PTE);  // same L2 table, other PTE
        expect(0x40000000000ull, E_NO_TTBR); // beyond VA_WIDTH 42
        r.cpu.write32(ttbr(9), 0);
        r.cpu.write32(tcr(9), TCR_TRANSLATE);
        CHECK(r.dma_fails(9, 0x4000));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (9u << 20) | E_NO_TTBR));
    });
    CHECK(log.has("NO_PGD: stream 200 read of 8 bytes at IOVA 0x1000004000 by dma: no valid L0 entry"));
    CHECK(log.has("TTBR[9] is not valid"));
}

// ---- errors ----

TEST_CASE("DART t8103 errors: NO_PMD, NO_PTE, READ/WRITE faults, first latched, later counted, W1C, irq") {
    rig r("apple,t8103-dart");
    log_capture log;
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(4);
        r.map(l1, 0x10000, r.page(RAM_BASE + 0x10000, true, false));
        r.map(l1, 0x14000, r.page(RAM_BASE + 0x14000, false, true));
        CHECK_FALSE(r.d.irq.level());
        CHECK(r.dma_fails(4, 0x2000000));  // L1 entry 1 empty
        CHECK(r.d.irq.level());
        const uint32_t e = r.cpu.read32(ERROR);
        CHECK(e == (E_FLAG | (4u << 24) | E_NO_PMD));
        CHECK(error_stream(e) == 4);
        CHECK(r.cpu.read32(ERROR_ADDR_LO) == 0x2000000);
        // Later faults while FLAG is set are counted, the latched one stays.
        CHECK(r.dma_fails(4, 0x18000));
        CHECK(r.dma_fails(4, 0x10000, true));
        CHECK(r.cpu.read32(ERROR) == e);
        CHECK(r.cpu.read32(ERROR_ADDR_LO) == 0x2000000);
        CHECK(r.d.stats().errors_latched == 1);
        CHECK(r.d.stats().errors_lost == 2);
        // Linux: write the value read back.
        r.cpu.write32(ERROR, e);
        CHECK(r.cpu.read32(ERROR) == 0);
        CHECK_FALSE(r.d.irq.level());
        auto expect = [&](uint64_t iova, bool write, uint32_t code) {
            CHECK(r.dma_fails(4, iova, write));
            CHECK(r.cpu.read32(ERROR) == (E_FLAG | (4u << 24) | code));
            CHECK(r.cpu.read32(ERROR_ADDR_LO) == iova);
            CHECK(r.d.irq.level());
            r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        };
        expect(0x18000, false, E_NO_PTE);
        expect(0x10008, true, E_WRITE);
        expect(0x14008, false, E_READ);
        // Writing 0 clears nothing.
        CHECK(r.dma_fails(4, 0x18000));
        r.cpu.write32(ERROR, 0);
        CHECK(r.cpu.read32(ERROR) != 0);
    });
    CHECK(log.has("NO_PMD: stream 4 read of 8 bytes at IOVA 0x2000000 by dma: no valid L1 entry"));
    CHECK(log.has("WRITE_FAULT: stream 4 write"));
}

TEST_CASE("DART t8110 errors: SECONDARY, ERROR_STREAMS keeps the line up, ERROR_MASK suppresses codes") {
    rig r("apple,t8110-dart");
    using namespace t8110;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8110(33);
        r.map(l1, 0x10000, r.page(RAM_BASE + 0x10000, true, false));
        CHECK(r.dma_fails(33, 0x10000, true));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (33u << 20) | E_WRITE));
        CHECK(r.dma_fails(33, 0x20000));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | E_SECONDARY | (33u << 20) | E_WRITE));
        CHECK(r.cpu.read32(ERROR_STREAMS + 4) == 2);
        // Clearing ERROR alone leaves the line up (L-errs: t602x needs ERROR_STREAMS cleared).
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        CHECK(r.d.irq.level());
        r.cpu.write32(ERROR_STREAMS + 4, 0xffffffff);
        CHECK_FALSE(r.d.irq.level());
        // Masked codes are not latched.
        r.cpu.write32(ERROR_MASK, E_NO_PTE);
        CHECK(r.dma_fails(33, 0x20000));
        CHECK(r.cpu.read32(ERROR) == 0);
        CHECK_FALSE(r.d.irq.level());
        CHECK(r.d.stats().errors_masked == 1);
        // U-Boot's t8110 "flush" writes 0x100 to ERROR: W1C of bit 8, nothing else.
        r.cpu.write32(ERROR, 0x100);
        CHECK(r.cpu.read32(ERROR) == 0);
    });
}

TEST_CASE("DART sub-page protection: DART1 window, SUBPAGE_PROT code, SP_DIS turns the check off") {
    rig r("apple,t8103-dart");
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(0);
        // A 4 KiB buffer at offset 0x1000 of the page: SP_START 0x400, SP_END 0x7ff (4-byte units).
        r.map(l1, 0x8000, r.fmt().leaf_descriptor(RAM_BASE + 0x50000, true, true, 0x400, 0x7ff));
        r.map(l1, 0xc000, r.fmt().leaf_descriptor(RAM_BASE + 0x54000, true, true, 0x400, 0x7ff, true));
        r.w64(RAM_BASE + 0x51000, 0x42);
        CHECK(r.dma_read_ok(0, 0x9000) == 0x42);
        REQUIRE(r.dma_write(0, 0x9ff8, 1) == tlm::TLM_OK_RESPONSE);  // last 8 bytes inside
        CHECK(r.dma_fails(0, 0xa000, true));                          // first byte past the buffer
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | E_SUBPAGE));
        CHECK(r.cpu.read32(ERROR_ADDR_LO) == 0xa000);
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        CHECK(r.dma_fails(0, 0x8ffc));  // straddles the start
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | E_SUBPAGE));
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        CHECK(r.r64(RAM_BASE + 0x52000) == 0);  // the write past the window did not land
        // SP_DIS: the whole page is reachable.
        r.w64(RAM_BASE + 0x57ff8, 0x99);
        CHECK(r.dma_read_ok(0, 0xfff8) == 0x99);
    });
}

TEST_CASE("DART t8110 sub-page violations report READ/WRITE_FAULT (no known sub-page code)") {
    rig r("apple,t8110-dart");
    log_capture log;
    using namespace t8110;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8110(1);
        r.map(l1, 0x8000, r.fmt().leaf_descriptor(RAM_BASE + 0x50000, true, true, 0, 0x3ff));
        CHECK(r.dma_read_ok(1, 0x8ff8) == 0);
        CHECK(r.dma_fails(1, 0x9000, true));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (1u << 20) | E_WRITE));
    });
    CHECK(log.has("outside its sub-page window 0x0-0xfff"));
}

// ---- TLB commands and the busy bit ----

TEST_CASE("DART t8103 busy bit: BUSY reads 1 on the first poll, the invalidation completes when it reads 0") {
    rig r("apple,t8103-dart");
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(2);
        const uint64_t pte = r.map(l1, 0x4000, r.page(RAM_BASE + 0x10000));
        r.w64(RAM_BASE + 0x10000, 1);
        r.w64(RAM_BASE + 0x14000, 2);
        CHECK(r.dma_read_ok(2, 0x4000) == 1);
        CHECK(r.d.tlb().occupancy() == 1);
        r.w64(pte, r.page(RAM_BASE + 0x14000));
        r.cpu.write32(STREAM_SELECT, 1u << 2);
        r.cpu.write32(STREAM_COMMAND, INVALIDATE);
        CHECK(r.d.invalidation_pending());
        CHECK(r.d.tlb().occupancy() == 1);  // not done yet
        CHECK(r.cpu.read32(STREAM_COMMAND) == BUSY);
        CHECK(r.cpu.read32(STREAM_COMMAND) == 0);
        CHECK_FALSE(r.d.invalidation_pending());
        CHECK(r.d.tlb().occupancy() == 0);
        CHECK(r.dma_read_ok(2, 0x4000) == 2);
        CHECK(r.d.checker().stale_uses() == 0);
        // Streams not selected keep their entries.
        const uint64_t l1b = r.stream_t8020(3);
        r.map(l1b, 0x4000, r.page(RAM_BASE + 0x10000));
        CHECK(r.dma_read_ok(3, 0x4000) == 1);
        CHECK(r.d.tlb().occupancy() == 2);
        CHECK(r.invalidate_t8020(1u << 2) == 1);
        CHECK(r.d.tlb().occupancy() == 1);
        CHECK(r.invalidate_t8020(0xffff) == 1);
        CHECK(r.d.tlb().occupancy() == 0);
        // A write without INVALIDATE does nothing; debug reads do not count as polls.
        r.cpu.write32(STREAM_COMMAND, 0);
        CHECK_FALSE(r.d.invalidation_pending());
        r.cpu.write32(STREAM_COMMAND, INVALIDATE);
        uint32_t v = 0;
        REQUIRE(r.cpu.debug_read(STREAM_COMMAND, &v, 4) == 4);
        CHECK(v == BUSY);
        CHECK(r.cpu.read32(STREAM_COMMAND) == BUSY);
        CHECK(r.cpu.read32(STREAM_COMMAND) == 0);
    });
}

TEST_CASE("DART busy bit: a driver that does not poll BUSY is caught (DMA while busy, stale translation)") {
    rig r("apple,t8103-dart");
    log_capture log;
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(2);
        const uint64_t pte = r.map(l1, 0x4000, r.page(RAM_BASE + 0x10000));
        CHECK(r.dma_read_ok(2, 0x4000) == 0);
        r.w64(pte, 0);  // unmap
        r.cpu.write32(STREAM_SELECT, 1u << 2);
        r.cpu.write32(STREAM_COMMAND, INVALIDATE);  // ...and no poll
        CHECK(r.dma_read_ok(2, 0x4000) == 0);      // the old translation is still used
        CHECK(r.d.stats().dma_while_busy == 1);
        CHECK(r.d.checker().stale_uses() == 1);
        // Once the simulated invalidation time has passed, it has completed.
        sc_core::wait(sc_core::sc_time(2, sc_core::SC_US));
        CHECK(r.dma_fails(2, 0x4000));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (2u << 24) | E_NO_PTE));
        // A second command while the first is busy: the first completes, with a warning.
        r.cpu.write32(STREAM_COMMAND, INVALIDATE);
        r.cpu.write32(STREAM_COMMAND, INVALIDATE);
        CHECK(r.d.stats().tlb_commands == 4);
    });
    CHECK(log.has("while its TLB invalidation is in progress (the driver did not wait for BUSY to clear)"));
    CHECK(log.has("stale translation used: stream 2 read at IOVA 0x4000"));
    CHECK(log.has("issued while the previous TLB command is still busy"));
}

TEST_CASE("DART t8110 TLB_CMD: flush one stream, flush all, BUSY bit 31, bad OP and stream ignored") {
    rig r("apple,t8110-dart");
    log_capture log;
    using namespace t8110;
    test::run_script([&] {
        const uint64_t a = r.stream_t8110(5), b = r.stream_t8110(6);
        r.map(a, 0x4000, r.page(RAM_BASE + 0x10000));
        r.map(b, 0x4000, r.page(RAM_BASE + 0x10000));
        r.dma_read_ok(5, 0x4000);
        r.dma_read_ok(6, 0x4000);
        CHECK(r.d.tlb().occupancy() == 2);
        r.cpu.write32(TLB_CMD, OP_FLUSH_SID | 5);
        CHECK(r.cpu.read32(TLB_CMD) == (BUSY | OP_FLUSH_SID | 5));
        CHECK(r.cpu.read32(TLB_CMD) == (OP_FLUSH_SID | 5));
        CHECK(r.d.tlb().occupancy() == 1);
        CHECK(r.invalidate_t8110(OP_FLUSH_ALL) == 1);
        CHECK(r.d.tlb().occupancy() == 0);
        r.dma_read_ok(6, 0x4000);
        r.cpu.write32(TLB_CMD, 2 << 8);  // TLB read: not modelled
        CHECK_FALSE(r.d.invalidation_pending());
        r.cpu.write32(TLB_CMD, OP_FLUSH_SID | 255);  // stream 255 exists
        CHECK(r.invalidate_t8110(OP_FLUSH_SID | 6) == 1);
        CHECK(r.d.tlb().occupancy() == 0);
        // m1n1 C polls 0x700 for BUSY: it reads 0.
        CHECK(r.cpu.read32(0x700) == 0);
    });
    CHECK(log.has("OP 2 (TLB read/write, flush unlock) is not modelled"));
}

// ---- lock ----

TEST_CASE("DART t8103 CONFIG.LOCK: TTBR and TCR writes ignored and reported once, tables and TLB commands still work") {
    rig r("apple,t8103-dart");
    log_capture log;
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(0);
        r.map(l1, 0x4000, r.page(RAM_BASE + 0x10000));
        r.w64(RAM_BASE + 0x10000, 0x1234);
        r.cpu.write32(CONFIG, r.cpu.read32(CONFIG) | LOCK);  // m1n1 dart_lock_adt: set32
        CHECK(r.d.locked());
        const uint32_t ttbr0 = r.cpu.read32(ttbr(0, 0));
        r.cpu.write32(ttbr(0, 0), 0);
        r.cpu.write32(ttbr(0, 0), 0x80000001u);
        r.cpu.write32(tcr(0), 0);
        r.cpu.write32(ttbr(1, 0), ttbr_value(RAM_BASE));
        CHECK(r.cpu.read32(ttbr(0, 0)) == ttbr0);
        CHECK(r.cpu.read32(tcr(0)) == TCR_TRANSLATE);
        CHECK(r.cpu.read32(ttbr(1, 0)) == 0);
        CHECK(r.d.stats().locked_writes == 4);
        // The lock cannot be cleared by software.
        r.cpu.write32(CONFIG, 0);
        CHECK(r.cpu.read32(CONFIG) == LOCK);
        // The firmware's table keeps working, can be edited in memory, and invalidation works.
        CHECK(r.dma_read_ok(0, 0x4000) == 0x1234);
        r.map(l1, 0x8000, r.page(RAM_BASE + 0x10000));
        CHECK(r.invalidate_t8020(1) == 1);
        CHECK(r.dma_read_ok(0, 0x8000) == 0x1234);
        // STREAMS_ENABLE is not locked.
        r.cpu.write32(STREAMS_ENABLE, 0xfffe);
        CHECK(r.cpu.read32(STREAMS_ENABLE) == 0xfffe);
    });
    CHECK(log.count("write of 0x0 to TTBR[0][0] ignored: the DART is locked (CONFIG.LOCK is set)") == 1);
    CHECK(log.count("to TTBR[0][0] ignored") == 1);
    CHECK(log.count("to TCR[0] ignored") == 1);
    CHECK(log.count("to TTBR[1][0] ignored") == 1);
    CHECK(log.has("cannot clear LOCK"));
}

TEST_CASE("DART t8110 PROTECT, UNPROTECT and PROTECT_LOCK") {
    rig r("apple,t8110-dart");
    log_capture log;
    using namespace t8110;
    test::run_script([&] {
        r.cpu.write32(PROTECT, 0x3);
        CHECK(r.cpu.read32(PROTECT) == 0x3);
        CHECK(r.d.locked());
        r.cpu.write32(ttbr(0), ttbr_value(RAM_BASE));
        CHECK(r.cpu.read32(ttbr(0)) == 0);
        r.cpu.write32(UNPROTECT, 0x1);
        CHECK(r.cpu.read32(PROTECT) == 0x2);
        CHECK(r.cpu.read32(UNPROTECT) == 0);
        CHECK_FALSE(r.d.locked());
        r.cpu.write32(ttbr(0), ttbr_value(RAM_BASE));
        CHECK(r.cpu.read32(ttbr(0)) == ttbr_value(RAM_BASE));
        // PROTECT_LOCK makes a protection bit sticky.
        r.cpu.write32(PROTECT_LOCK, 0x1);
        r.cpu.write32(PROTECT, 0x1);
        r.cpu.write32(UNPROTECT, 0x3);
        CHECK(r.cpu.read32(PROTECT) == 0x1);
        CHECK(r.cpu.read32(PROTECT_LOCK) == 0x1);
        r.cpu.write32(PROTECT_LOCK, 0);
        CHECK(r.cpu.read32(PROTECT_LOCK) == 0x1);
        r.cpu.write32(tcr(0), TCR_TRANSLATE);
        CHECK(r.cpu.read32(tcr(0)) == 0);
    });
    CHECK(log.has("to TTBR[0] ignored: the DART is locked (PROTECT[0] is set)"));
    CHECK(log.has("are in PROTECT_LOCK and stay set"));
}

// ---- boot state ----

TEST_CASE("DART t8103 preset TTBR and preset lock: iBoot's display DART state at time 0") {
    dart::config cfg = make_config("apple,t8103-dart");
    const uint64_t l1 = RAM_BASE + 0x00c00000;
    cfg.presets = {{0, l1}, {4, l1}};
    cfg.preset_locked = true;
    rig r(cfg);
    using namespace t8020;
    test::run_script([&] {
        CHECK(r.cpu.read32(ttbr(0, 0)) == ttbr_value(l1));
        CHECK(r.cpu.read32(ttbr(4, 0)) == ttbr_value(l1));
        CHECK(r.cpu.read32(ttbr(0, 1)) == 0);
        CHECK(r.cpu.read32(tcr(0)) == TCR_TRANSLATE);
        CHECK(r.cpu.read32(tcr(4)) == TCR_TRANSLATE);
        CHECK(r.cpu.read32(tcr(1)) == 0);
        CHECK(r.cpu.read32(CONFIG) == LOCK);
        CHECK(r.cpu.read32(STREAMS_ENABLE) == 0xffff);
        // RAM there is zero: an empty table, so DMA faults with NO_PMD until firmware maps.
        CHECK(r.dma_fails(4, 0x4000));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (4u << 24) | E_NO_PMD));
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        // The firmware adopts the table (reads the TTBR), maps a framebuffer page, invalidates.
        const uint64_t table = uint64_t{r.cpu.read32(ttbr(0, 0)) & 0x7fffffff} << 12;
        CHECK(table == l1);
        r.map(table, 0x4000, r.page(RAM_BASE + 0x100000));
        r.w64(RAM_BASE + 0x100000, 0xf00d);
        r.invalidate_t8020(0x11);
        CHECK(r.dma_read_ok(0, 0x4000) == 0xf00d);
        CHECK(r.dma_read_ok(4, 0x4000) == 0xf00d);
        // A TTBR write to the locked DART is ignored.
        r.cpu.write32(ttbr(0, 0), 0);
        CHECK(r.cpu.read32(ttbr(0, 0)) == ttbr_value(l1));
    });
}

TEST_CASE("DART t8110 preset TTBR and preset lock set PROTECT and PROTECT_LOCK") {
    dart::config cfg = make_config("apple,t8110-dart");
    cfg.presets = {{100, RAM_BASE + 0x00c00000}};
    cfg.preset_locked = true;
    rig r(cfg);
    using namespace t8110;
    test::run_script([&] {
        CHECK(r.cpu.read32(ttbr(100)) == ttbr_value(RAM_BASE + 0x00c00000));
        CHECK(r.cpu.read32(tcr(100)) == TCR_TRANSLATE);
        CHECK(r.cpu.read32(PROTECT) == 1);
        CHECK(r.cpu.read32(PROTECT_LOCK) == 1);
        r.cpu.write32(UNPROTECT, 1);
        CHECK(r.d.locked());
    });
}

TEST_CASE("DART presets the variant cannot express are configuration errors") {
    dart::config cfg = make_config("apple,t8103-dart");
    cfg.presets = {{16, RAM_BASE}};
    CHECK_THROWS_WITH(dart("a", cfg), Catch::Contains("streams 0..15"));
    cfg.presets = {{0, RAM_BASE + 0x1000}};
    CHECK_THROWS_WITH(dart("b", cfg), Catch::Contains("not 16 KiB aligned"));
    cfg.presets = {{0, uint64_t{1} << 44}};
    CHECK_THROWS_WITH(dart("c", cfg), Catch::Contains("does not fit the TTBR"));
    dart::config none;
    CHECK_THROWS_WITH(dart("d", none), Catch::Contains("no variant"));
}

// ---- U-Boot, bypass, stream enable ----

TEST_CASE("DART t8103 U-Boot's sequence never writes STREAMS_ENABLE and its DMA works (reset value all enabled)") {
    rig r("apple,t8103-dart");
    using namespace t8020;
    test::run_script([&] {
        // U-Boot's apple_dart.c sequence: TCR = 0, TTBR = 0, flush; PARAMS2[0] = 0, so tables; TTBR0; flush;
        // the enable loop runs nsid/32 = 0 times; TCR = TRANSLATE_ENABLE.
        CHECK((r.cpu.read32(PARAMS2) & 1) == 0);
        for (unsigned sid = 0; sid < 16; ++sid) r.cpu.write32(tcr(sid), 0);
        for (unsigned sid = 0; sid < 16; ++sid)
            for (unsigned i = 0; i < 4; ++i) r.cpu.write32(ttbr(sid, i), 0);
        r.invalidate_t8020(0xffff);
        const uint64_t l1 = r.table();
        const uint64_t l2 = r.table();
        r.w64(l1 + 127 * 8, (l2 >> 0) | 3);  // DART_L1_TABLE: L1 entry for IOVA 0xfe000000..
        for (unsigned sid = 0; sid < 16; ++sid) r.cpu.write32(ttbr(sid, 0), ttbr_value(l1));
        r.invalidate_t8020(0xffff);
        for (unsigned sid = 0; sid < 16; ++sid) r.cpu.write32(tcr(sid), TCR_TRANSLATE);
        // map(): top-down, just below 0xffffc000; END(~0), START(0), no SP_DIS.
        r.w64(l2 + ((0xffff8000ull >> 14) & 0x7ff) * 8, (RAM_BASE + 0x60000) | 1 | (0xfffull << 40));
        r.invalidate_t8020(0xffff);
        r.w64(RAM_BASE + 0x60100, 0xb007);
        CHECK(r.dma_read_ok(1, 0xffff8100) == 0xb007);
        CHECK(r.cpu.read32(STREAMS_ENABLE) == 0xffff);
        // Clearing a stream's enable bit blocks it (nothing latched: ERROR cannot say why).
        r.cpu.write32(STREAMS_ENABLE, 0xfffd);
        CHECK(r.dma_fails(1, 0xffff8100));
        CHECK(r.cpu.read32(ERROR) == 0);
        // remove() at handoff: TCR = 0 blocks every stream (NO_TTBR, "translation disabled").
        r.cpu.write32(tcr(2), 0);
        CHECK(r.dma_fails(2, 0xffff8100));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (2u << 24) | E_NO_TTBR));
    });
}

TEST_CASE("DART bypass: TCR BYPASS passes DMA 1:1 when PARAMS2 says supported") {
    dart::config cfg = make_config("apple,t8103-dart");
    cfg.bypass_supported = true;
    rig r(cfg);
    using namespace t8020;
    test::run_script([&] {
        CHECK(r.cpu.read32(PARAMS2) == 1);
        r.cpu.write32(tcr(6), TCR_BYPASS);  // Linux identity domain: 0x1100
        r.w64(RAM_BASE + 0x100, 0xbeef);
        CHECK(r.dma_read_ok(6, RAM_BASE + 0x100) == 0xbeef);
        REQUIRE(r.dma_write(6, RAM_BASE + 0x108, 5) == tlm::TLM_OK_RESPONSE);
        CHECK(r.r64(RAM_BASE + 0x108) == 5);
        CHECK(r.d.stats().bypassed == 2);
        // BYPASS_DART wins over TRANSLATE_ENABLE (m1n1 calls the pair "INVALID").
        r.cpu.write32(tcr(6), TCR_BYPASS | TCR_TRANSLATE);
        CHECK(r.dma_read_ok(6, RAM_BASE + 0x100) == 0xbeef);
    });
}

TEST_CASE("DART bypass without PARAMS2 support blocks the stream with NO_TTBR") {
    rig r("apple,t8110-dart");
    log_capture log;
    using namespace t8110;
    test::run_script([&] {
        r.cpu.write32(tcr(6), TCR_BYPASS);
        CHECK(r.dma_fails(6, RAM_BASE));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (6u << 20) | E_NO_TTBR));
    });
    CHECK(log.has("does not support it (PARAMS2[0] = 0)"));
}

// ---- DMA checker ----

TEST_CASE("DART stale TLB: unmap without invalidation is reported, with invalidation NO_PTE") {
    rig r("apple,t8103-dart");
    log_capture log;
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(1);
        const uint64_t pte = r.map(l1, 0x4000, r.page(RAM_BASE + 0x10000));
        r.w64(RAM_BASE + 0x10000, 0x51);
        CHECK(r.dma_read_ok(1, 0x4000) == 0x51);
        r.w64(pte, 0);
        CHECK(r.dma_read_ok(1, 0x4000) == 0x51);  // hardware still uses the cached translation
        CHECK(r.dma_read_ok(1, 0x4008) == 0);
        CHECK(r.d.checker().stale_uses() == 2);
        REQUIRE(r.d.checker().reports().size() == 1);
        CHECK(r.d.checker().reports()[0].changed_addr == pte);
        r.invalidate_t8020(1u << 1);
        CHECK(r.dma_fails(1, 0x4000));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (1u << 24) | E_NO_PTE));
    });
    CHECK(log.has("stale translation used: stream 1 read at IOVA 0x4000 went to 0x800010000"));
}

// Found by the isolation oracle (test_oracle_dart.cpp): the checker re-read the old table's
// entries, which had not changed, and let the old translation through unreported.
TEST_CASE("DART a TTBR switch without invalidation: the old table's cached translation is reported stale") {
    rig r("apple,t8103-dart");
    using namespace t8020;
    test::run_script([&] {
        const uint64_t a = r.stream_t8020(1);
        r.map(a, 0x4000, r.page(RAM_BASE + 0x10000));
        const uint64_t b = r.table();
        r.map(b, 0x4000, r.page(RAM_BASE + 0x14000));
        r.w64(RAM_BASE + 0x10000, 0xa);
        r.w64(RAM_BASE + 0x14000, 0xb);
        CHECK(r.dma_read_ok(1, 0x4000) == 0xa);
        r.cpu.write32(ttbr(1, 0), ttbr_value(b));  // switched, TLB not invalidated
        CHECK(r.dma_read_ok(1, 0x4000) == 0xa);    // the hardware still uses the cached translation
        REQUIRE(r.d.checker().reports().size() == 1);
        const auto& rep = r.d.checker().reports()[0];
        CHECK(rep.root_moved);
        CHECK(rep.old_output == RAM_BASE + 0x10000);
        CHECK(rep.new_output == RAM_BASE + 0x14000);
        CHECK(rep.new_root_addr == b + ((0x4000 >> 25) & 0x7ff) * 8);
        r.invalidate_t8020(1u << 1);
        CHECK(r.dma_read_ok(1, 0x4000) == 0xb);
        CHECK(r.d.checker().reports().size() == 1);
    });
}

// ---- why the last invalidation missed a stale entry (docs/hardware/dart.md, "Stale translations") ----
// Each: stream 1 caches IOVA 0x4000, its page is remapped, an invalidation that does not cover
// the entry is issued, and the next DMA reports the stale translation with the reason.

TEST_CASE("DART t8103 stale after STREAM_COMMAND for other streams: the report names the streams flushed") {
    rig r("apple,t8103-dart");
    log_capture log;
    test::run_script([&] {
        const uint64_t pte = r.map(r.stream_t8020(1), 0x4000, r.page(RAM_BASE + 0x10000));
        r.dma_read_ok(1, 0x4000);
        r.w64(pte, r.page(RAM_BASE + 0x14000));
        r.invalidate_t8020((1u << 2) | (1u << 3));  // Linux's sequence, with the wrong stream mask
        r.dma_read_ok(1, 0x4000);
        REQUIRE(r.d.checker().reports().size() == 1);
        CHECK(r.d.checker().reports()[0].why_not_covered.kind == "stream_mismatch");
        CHECK(r.d.checker().reports()[0].last_invalidation_command == "STREAM_COMMAND INVALIDATE, STREAM_SELECT 0xc");
    });
    CHECK(log.has("which did not cover it: STREAM_COMMAND INVALIDATE, STREAM_SELECT 0xc invalidated stream 2, 3, "
                  "the entry is stream 1\n"));
}

TEST_CASE("DART t8110 stale after TLB_CMD flush of another stream: the report names it") {
    rig r("apple,t8110-dart");
    log_capture log;
    test::run_script([&] {
        const uint64_t pte = r.map(r.stream_t8110(1), 0x4000, r.page(RAM_BASE + 0x10000));
        r.dma_read_ok(1, 0x4000);
        r.w64(pte, 0);
        r.invalidate_t8110(t8110::OP_FLUSH_SID | 5);
        r.dma_read_ok(1, 0x4000);
        REQUIRE(r.d.checker().reports().size() == 1);
        CHECK(r.d.checker().reports()[0].why_not_covered.kind == "stream_mismatch");
    });
    CHECK(log.has("which did not cover it: TLB_CMD flush stream 5 invalidated stream 5, the entry is stream 1\n"));
}

TEST_CASE("DART t8103 stale after STREAM_COMMAND with STREAM_SELECT 0: it selected nothing") {
    rig r("apple,t8103-dart");
    log_capture log;
    test::run_script([&] {
        const uint64_t pte = r.map(r.stream_t8020(1), 0x4000, r.page(RAM_BASE + 0x10000));
        r.dma_read_ok(1, 0x4000);
        r.w64(pte, 0);
        r.invalidate_t8020(0);
        r.dma_read_ok(1, 0x4000);
        REQUIRE(r.d.checker().reports().size() == 1);
        CHECK(r.d.checker().reports()[0].why_not_covered.kind == "nothing_selected");
    });
    CHECK(log.has("which did not cover it: STREAM_COMMAND INVALIDATE, STREAM_SELECT 0x0 selected nothing to "
                  "invalidate\n"));
}

TEST_CASE("DART t8103 stale while the invalidation that covers it is still in progress (BUSY not polled)") {
    rig r("apple,t8103-dart");
    log_capture log;
    using namespace t8020;
    test::run_script([&] {
        const uint64_t pte = r.map(r.stream_t8020(1), 0x4000, r.page(RAM_BASE + 0x10000));
        r.dma_read_ok(1, 0x4000);
        r.w64(pte, 0);
        r.cpu.write32(STREAM_SELECT, 1u << 1);
        r.cpu.write32(STREAM_COMMAND, INVALIDATE);  // no poll: the command is still running
        r.dma_read_ok(1, 0x4000);
        REQUIRE(r.d.checker().reports().size() == 1);
        const auto& rep = r.d.checker().reports()[0];
        CHECK(rep.pending_invalidation_command == "STREAM_COMMAND INVALIDATE, STREAM_SELECT 0x2");
        CHECK(rep.why_not_covered.kind == "cached_after");  // the last completed one: stream_t8020's
    });
    CHECK(log.has("which did not cover it: STREAM_COMMAND INVALIDATE, STREAM_SELECT 0x2 covers the entry, so the "
                  "entry was cached after it; STREAM_COMMAND INVALIDATE, STREAM_SELECT 0x2 would cover it, but it "
                  "is still in progress\n"));
}

TEST_CASE("DART t8103 a command in progress for another stream is not named as the one that will cover it") {
    rig r("apple,t8103-dart");
    using namespace t8020;
    test::run_script([&] {
        const uint64_t pte = r.map(r.stream_t8020(1), 0x4000, r.page(RAM_BASE + 0x10000));
        r.dma_read_ok(1, 0x4000);
        r.w64(pte, 0);
        r.cpu.write32(STREAM_SELECT, 1u << 2);
        r.cpu.write32(STREAM_COMMAND, INVALIDATE);
        r.dma_read_ok(1, 0x4000);
        REQUIRE(r.d.checker().reports().size() == 1);
        CHECK(r.d.checker().reports()[0].pending_invalidation_command.empty());
    });
}

TEST_CASE("DART t8103 stale after an invalidation of its own stream: it was cached after that invalidation") {
    rig r("apple,t8103-dart");
    log_capture log;
    test::run_script([&] {
        const uint64_t pte = r.map(r.stream_t8020(1), 0x4000, r.page(RAM_BASE + 0x10000));
        r.invalidate_t8020(1u << 1);  // after the map, as Linux does
        r.dma_read_ok(1, 0x4000);
        r.w64(pte, 0);                // unmapped, and no invalidation
        r.dma_read_ok(1, 0x4000);
        REQUIRE(r.d.checker().reports().size() == 1);
        CHECK(r.d.checker().reports()[0].why_not_covered.kind == "cached_after");
    });
    CHECK(log.has("which did not cover it: STREAM_COMMAND INVALIDATE, STREAM_SELECT 0x2 covers the entry, so the "
                  "entry was cached after it\n"));
}

TEST_CASE("DART socsim,check-stale=0 turns the checker off") {
    dart::config cfg = make_config("apple,t8103-dart");
    cfg.check_stale = false;
    rig r(cfg);
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(1);
        const uint64_t pte = r.map(l1, 0x4000, r.page(RAM_BASE + 0x10000));
        r.dma_read_ok(1, 0x4000);
        r.w64(pte, 0);
        r.dma_read_ok(1, 0x4000);
        CHECK(r.d.checker().stale_uses() == 0);
        CHECK(r.d.checker().checks() == 0);
    });
}

TEST_CASE("DART TLB geometry and eviction: a bounded TLB walks again") {
    dart::config cfg = make_config("apple,t8103-dart");
    cfg.tlb_entries = 4;
    cfg.tlb_ways = 2;
    rig r(cfg);
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(0);
        for (unsigned i = 0; i < 16; ++i) r.map(l1, i * PAGE, r.page(RAM_BASE + i * PAGE));
        for (unsigned i = 0; i < 16; ++i) r.dma_read_ok(0, i * PAGE);
        CHECK(r.d.tlb().capacity() == 4);
        CHECK(r.d.tlb().occupancy() == 4);
        CHECK(r.d.tlb().stats().evictions >= 12);
        for (unsigned i = 0; i < 16; ++i) r.dma_read_ok(0, i * PAGE);
        CHECK(r.d.tlb().stats().misses >= 28);
    });
}

// ---- guest garbage ----

TEST_CASE("DART garbage: TTBR outside RAM, table loop, no stream id, stream out of range, bad sizes") {
    rig r("apple,t8103-dart");
    log_capture log;
    using namespace t8020;
    test::run_script([&] {
        // A TTBR pointing where nothing is: PTE_READ_FAULT with the fetch address in the log.
        r.cpu.write32(ttbr(0, 0), ttbr_value(NOWHERE));
        r.cpu.write32(tcr(0), TCR_TRANSLATE);
        CHECK(r.dma_fails(0, 0x4000));
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | E_PTE_READ));
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        // An L1 entry pointing at the L1 table itself: the walk ends at level 2 with a loop noted.
        const uint64_t l1 = r.table();
        r.cpu.write32(ttbr(1, 0), ttbr_value(l1));
        r.cpu.write32(tcr(1), TCR_TRANSLATE);
        r.w64(l1, l1 | 1);
        CHECK(r.dma_fails(1, 0x4000));  // entry 1 of the L1-as-L2 is empty: NO_PTE
        CHECK(r.cpu.read32(ERROR) == (E_FLAG | (1u << 24) | E_NO_PTE));
        r.cpu.write32(ERROR, r.cpu.read32(ERROR));
        // No stream id, or one beyond 15: refused, nothing latched.
        uint64_t v = 0;
        r.dma.set_stream(core::dma_extension::no_id);
        CHECK(r.dma.read(0x4000, v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(r.dma_fails(16, 0x4000));
        CHECK(r.dma_fails(0xffff, 0x4000));
        CHECK(r.cpu.read32(ERROR) == 0);
        CHECK_FALSE(r.d.irq.level());
        // Register garbage: 8-byte access to a TTBR, misaligned access.
        CHECK(r.cpu.write(ttbr(2, 0), 0x1234, 8) != tlm::TLM_OK_RESPONSE);
        CHECK(r.cpu.write(ttbr(2, 0) + 1, 0x12, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(r.cpu.read32(ttbr(2, 0)) == 0);
        // An IGNORE command upstream is fine.
        tlm::tlm_generic_payload p;
        p.set_command(tlm::TLM_IGNORE_COMMAND);
        p.set_address(0);
        p.set_data_length(0);
        sc_core::sc_time t;
        r.dma.socket->b_transport(p, t);
        CHECK(p.is_response_ok());
    });
    CHECK(log.has("PTE_READ_FAULT: stream 0 read of 8 bytes at IOVA 0x4000 by dma: L1 table entry read at 0x700000000 failed on the bus"));
    CHECK(log.has("table loop"));
    CHECK(log.has("no stream id: no stream id read"));
    CHECK(log.has("stream 16 does not exist on this t8020 DART"));
}

TEST_CASE("DART debug transport upstream translates without side effects, and no DMI is granted") {
    rig r("apple,t8103-dart");
    using namespace t8020;
    test::run_script([&] {
        const uint64_t l1 = r.stream_t8020(1);
        r.map(l1, 0x4000, r.page(RAM_BASE + 0x10000));
        r.w64(RAM_BASE + 0x10008, 0x600d);
        r.dma.set_stream(1);
        uint64_t v = 0;
        CHECK(r.dma.debug_read(0x4008, &v, 8) == 8);
        CHECK(v == 0x600d);
        CHECK(r.d.tlb().occupancy() == 0);
        CHECK(r.dma.debug_read(0x8000, &v, 8) == 0);  // unmapped: nothing, no error latched
        CHECK(r.cpu.read32(ERROR) == 0);
        tlm::tlm_generic_payload p;
        p.set_read();
        p.set_address(0x4000);
        tlm::tlm_dmi dmi;
        CHECK_FALSE(r.dma.socket->get_direct_mem_ptr(p, dmi));
    });
}

// ---- the factory (DT -> model) ----

namespace {

// `with_cpu`: a complete platform; without, the build stops at the first factory error (or at
// "no CPU" after all models are built), so several boards can be tried in one process.
std::string dart_board(const std::string& dart_props, bool with_cpu = true) {
    return R"(/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    memory@800000000 { device_type = "memory"; reg = <0x8 0x0 0x0 0x1000000>; };
    )" + std::string(with_cpu ? R"(cpus { #address-cells = <1>; #size-cells = <0>; cpu@0 { compatible = "arm,cortex-a57"; reg = <0>; }; };)" : "") + R"(
    dart_disp: iommu@231304000 {
        compatible = "apple,t8103-dart";
        reg = <0x2 0x31304000 0x0 0x4000>;
        #iommu-cells = <1>;
        )" + dart_props + R"(
    };
    dart_m2: iommu@382f00000 {
        compatible = "apple,t8110-dart";
        reg = <0x3 0x82f00000 0x0 0x4000>;
        #iommu-cells = <1>;
        socsim,tlb-entries = <64>;
        socsim,tlb-ways = <8>;
        socsim,check-stale = <0>;
    };
};
)";
}

} // namespace

TEST_CASE("DART factory: variants by compatible, knobs, presets and the socsim info details") {
    test::temp_file f(dart_board("socsim,preset-ttbr = <0 0x8 0x00c00000 4 0x8 0x00c04000>; socsim,preset-locked;"),
                      ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    std::ostringstream info;
    plat.describe(info);
    const std::string text = info.str();
    INFO(text);
    CHECK(text.find("variant t8020: DART1 PTEs, 16 KiB pages, 16 streams (0-15), 4 TTBRs per stream, bypass not "
                    "supported") != std::string::npos);
    CHECK(text.find("TLB 256 entries, 4 ways (64 sets), keyed by stream; check-stale on") != std::string::npos);
    CHECK(text.find("locked at boot (CONFIG.LOCK): TTBR and TCR writes are ignored") != std::string::npos);
    CHECK(text.find("preset TTBR: stream 0 -> table 0x800c00000, translation enabled") != std::string::npos);
    CHECK(text.find("preset TTBR: stream 4 -> table 0x800c04000") != std::string::npos);
    CHECK(text.find("variant t8110: DART2 PTEs, 16 KiB pages, 256 streams (0-255), 1 TTBR per stream") !=
          std::string::npos);
    CHECK(text.find("TLB 64 entries, 8 ways (8 sets), keyed by stream; check-stale off") != std::string::npos);
    CHECK(text.find("unlocked at boot") != std::string::npos);
}

TEST_CASE("DART factory rejects bad presets and knobs, naming the node") {
    auto build = [](const std::string& props) {
        test::temp_file f(dart_board(props, false), ".dts");
        platform::platform plat(platform::device_tree::from_file(f.path), {});
    };
    CHECK_THROWS_WITH(build("socsim,preset-ttbr = <0 0x8>;"), Catch::Contains("list of <stream table_hi table_lo>"));
    CHECK_THROWS_WITH(build("socsim,preset-ttbr = <16 0x8 0x0>;"),
                      Catch::Contains("/iommu@231304000: ") && Catch::Contains("preset TTBR for stream 16"));
    CHECK_THROWS_WITH(build("socsim,preset-ttbr = <0 0x8 0x1000>;"), Catch::Contains("not 16 KiB aligned"));
    CHECK_THROWS_WITH(build("socsim,tlb-entries = <6>; socsim,tlb-ways = <4>;"), Catch::Contains("must divide"));
    CHECK_THROWS_WITH(build("socsim,check-stale = <2>;"), Catch::Contains("socsim,check-stale = 2 is outside 0..1"));
    CHECK_THROWS_WITH(build("socsim,check-stale = <1>;"), Catch::Contains("no CPU"));  // the DARTs were fine
}
