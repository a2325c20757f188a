// The iProc PAXB-like root complex through real sockets: configuration through CFG_IND_ADDR/DATA
// and CFG_ADDR/DATA, the register block's access rules, no inbound window at reset, inbound
// windows programmed in IARR/IMAP as Linux's pcie-iproc.c does, every rule the hardware enforces
// (each allowed and each refused case), DMA through the programmed windows and Unsupported
// Requests outside them, and where a Linux-like driver would put each dma-ranges entry.
#include <catch2/catch.hpp>

#include <cstring>
#include <sstream>
#include <vector>

#include "models/bus/router.h"
#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/pcie/iproc_pcie.h"
#include "tests/unit/harness.h"

using namespace socsim;
using rc_t = pcie::iproc_pcie;

namespace {

constexpr uint64_t regs_base = 0x09100000, mem32_cpu = 0x40000000;
constexpr uint64_t GiB = 1ull << 30, MiB = 1ull << 20;

// The upstream side: records where each DMA lands and answers with zeros.
class recording_target : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<recording_target> socket;
    std::vector<std::pair<uint64_t, unsigned>> accesses;  // cpu address, length

    explicit recording_target(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &recording_target::b_transport);
    }

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
        accesses.push_back({p.get_address(), p.get_data_length()});
        if (p.is_read()) std::memset(p.get_data_ptr(), 0, p.get_data_length());
        p.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

class bar_memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<bar_memory> socket;
    uint32_t word = 0;
    explicit bar_memory(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &bar_memory::b_transport);
    }

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
        if (p.is_read())
            std::memcpy(p.get_data_ptr(), &word, 4);
        else
            std::memcpy(&word, p.get_data_ptr(), 4);
        p.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

// A function with a 4 KiB BAR0 that can issue DMA.
class test_function : public pcie::pcie_endpoint {
public:
    bar_memory bar0{"bar0"};
    explicit test_function(sc_core::sc_module_name n) : pcie_endpoint(n, ids()) {
        declare_bar(0, bar_kind::memory32, 4096, bar0.socket);
    }
    tlm::tlm_response_status write(uint64_t bus, uint32_t value, unsigned len = 4) {
        sc_core::sc_time d;
        return dma_write(bus, &value, len, d);
    }

private:
    static identity ids() {
        identity id;
        id.vendor = 0x1234;
        id.device = 0x11e8;
        id.class_code = 0x00ff00;
        return id;
    }
};

rc_t::config stingray_like() {
    rc_t::config cfg;
    cfg.ecam_size = 256 * MiB;
    cfg.first_bus = 0;
    cfg.last_bus = 255;
    cfg.outbound = {{rc_t::space::memory32, false, mem32_cpu, 0x40000000, 0x40000000}};
    cfg.iommu_map = {{0, 0, 0x10000, 0}};
    return cfg;
}

struct bench {
    bus::router bus{"bus"};
    rc_t rc;
    recording_target upstream{"upstream"};
    test::test_initiator cpu{"cpu"};
    test_function* f1 = nullptr;

    bench() : rc("pcie", stingray_like()) {
        cpu.socket.bind(bus.target_socket);
        bus.map(bus.bind_target(rc.regs), {regs_base, rc_t::register_block}, "/pcie");
        bus.map(bus.bind_target(rc.window(0)), {mem32_cpu, 0x40000000}, "/pcie window");
        rc.dma.bind(upstream.socket);
        f1 = &static_cast<test_function&>(rc.attach(0x08, std::make_unique<test_function>("f1")));
    }
    // Configuration of bus/dev/fn through CFG_ADDR/CFG_DATA, as the driver's map_bus does.
    uint32_t ep_read(unsigned bus_no, unsigned dev, unsigned fn, unsigned reg) {
        cpu.write32(regs_base + rc_t::cfg_addr, bus_no << 20 | dev << 15 | fn << 12 | (reg & 0xffc) | 1);
        return cpu.read32(regs_base + rc_t::cfg_data);
    }
    void ep_write(unsigned bus_no, unsigned dev, unsigned fn, unsigned reg, uint32_t v) {
        cpu.write32(regs_base + rc_t::cfg_addr, bus_no << 20 | dev << 15 | fn << 12 | (reg & 0xffc) | 1);
        cpu.write32(regs_base + rc_t::cfg_data, v);
    }
    uint32_t rc_read(unsigned reg) {
        cpu.write32(regs_base + rc_t::cfg_ind_addr, reg & 0x1ffc);
        return cpu.read32(regs_base + rc_t::cfg_ind_data);
    }
    void reg_write(uint32_t offset, uint32_t v) { cpu.write32(regs_base + offset, v); }
    // One inbound region programmed as iproc_pcie_ib_write does: IARR low (address | size bit)
    // and high, then each IMAP window's low (AXI | VALID) and high.
    void program(unsigned region, unsigned size_bit, uint64_t pci, uint64_t axi) {
        const auto& r = rc_t::inbound_regions().at(region);
        const uint64_t size = r.sizes.at(size_bit) * r.size_unit;
        reg_write(r.iarr, static_cast<uint32_t>(pci) | 1u << size_bit);
        reg_write(r.iarr + 4, static_cast<uint32_t>(pci >> 32));
        for (unsigned k = 0; k < r.windows; ++k) {
            const uint64_t a = axi + k * (size / r.windows);
            reg_write(r.imap + k * r.imap_stride, static_cast<uint32_t>(a) | rc_t::imap_valid);
            reg_write(r.imap + k * r.imap_stride + r.imap_high, static_cast<uint32_t>(a >> 32));
        }
    }
    // Enables f1's bus mastering through configuration space.
    void enable_master() { ep_write(0, 1, 0, 0x04, 0x6); }
};

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

} // namespace

TEST_CASE("configuration: CFG_IND_ADDR/DATA reach the root complex, CFG_ADDR/DATA the endpoints") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        CHECK(b.rc_read(0x00) == 0x00081b36);  // 00:00.0, the root complex's own header
        CHECK(b.rc_read(0x08) == 0x06000000);
        CHECK(b.rc_read(0x1ffc) == 0xffffffff);  // past its configuration space
        CHECK(b.ep_read(0, 1, 0, 0x00) == 0x11e81234);
        CHECK(b.ep_read(0, 1, 0, 0x08) == 0x00ff0000);
        CHECK(b.ep_read(0, 2, 0, 0x00) == 0xffffffff);  // absent device
        CHECK(b.ep_read(1, 0, 0, 0x00) == 0xffffffff);  // absent bus
        // Writes reach the function: BAR sizing and the command register.
        b.ep_write(0, 1, 0, 0x10, 0xffffffff);
        CHECK(b.ep_read(0, 1, 0, 0x10) == 0xfffff000);
        b.ep_write(0, 1, 0, 0x10, 0x40001000);
        b.ep_write(0, 1, 0, 0x04, 0x2);
        CHECK(b.ep_read(0, 1, 0, 0x04) == 0x00000002);
        // The BAR is now reachable through the outbound window.
        b.cpu.write32(mem32_cpu + 0x1000, 0xfeedf00d);
        CHECK(b.f1->bar0.word == 0xfeedf00d);
        // The address registers read back; the link is up; no config read is retried.
        CHECK(b.cpu.read32(regs_base + rc_t::cfg_addr) == (1u << 15 | 0x04 | 1));
        CHECK(b.cpu.read32(regs_base + rc_t::link_status) == rc_t::link_up);
        CHECK(b.cpu.read32(regs_base + rc_t::cfg_rd_status) == 0);
        CHECK(log.str().empty());
        // 32-bit registers: a 2-byte access, or an offset with no register, is refused.
        uint64_t v = 0;
        CHECK(b.cpu.read(regs_base + rc_t::cfg_data, v, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(b.cpu.read(regs_base + 0xd20, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // OARR0: not modelled
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 2);
}

TEST_CASE("inbound: no window decodes at reset, so every DMA is an Unsupported Request") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable_master();
        CHECK(b.rc.configuration().inbound.empty());
        CHECK(b.f1->write(0x80000000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.upstream.accesses.empty());
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("bus address 0x80000000 refused: Unsupported Request: the address is in no inbound window "
                         "(IARR/IMAP); there is no inbound window at all") != std::string::npos);
}

TEST_CASE("inbound: the 2017 example programmed as Linux does, DMA lands in RAM and the holes are Unsupported Requests") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        b.enable_master();
        b.program(2, 5, 0x80000000, 0x80000000);  // IARR2, 2 GiB @ 2G
        b.program(3, 5, 32 * GiB, 32 * GiB);      // IARR3, 32 GiB @ 32G (8 x 4 GiB)
        b.program(4, 3, 512 * GiB, 512 * GiB);    // IARR4, 256 GiB @ 512G (8 x 32 GiB)
        CHECK(log.str().empty());
        const auto& in = b.rc.configuration().inbound;
        REQUIRE(in.size() == 3);  // contiguous slices are one window each
        CHECK(in[0].bus_base == 0x80000000);
        CHECK(in[0].size == 2 * GiB);
        CHECK(in[1].bus_base == 32 * GiB);
        CHECK(in[1].size == 32 * GiB);
        CHECK(in[2].bus_base == 512 * GiB);
        CHECK(in[2].size == 256 * GiB);
        // RAM in each bank.
        CHECK(b.f1->write(0x80001000, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.f1->write(34 * GiB, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.f1->write(576 * GiB + 0x10, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.f1->write(640 * GiB, 1) == tlm::TLM_OK_RESPONSE);
        REQUIRE(b.upstream.accesses.size() == 4);
        CHECK(b.upstream.accesses[2].first == 576 * GiB + 0x10);
        // The holes: below 2G, 4G..32G, 64G..512G, 768G and up.
        CHECK(b.f1->write(0x1000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.f1->write(4 * GiB, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.f1->write(100 * GiB, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.f1->write(768 * GiB, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.f1->write(768 * GiB - 2, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // runs into the hole
        CHECK(b.upstream.accesses.size() == 4);
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 5);
    CHECK(log.str().find("bus address 0xc000000000 refused: Unsupported Request: the address is in no inbound window "
                         "(IARR/IMAP); inbound windows (IARR/IMAP, by bus address): bus 0x80000000-0xffffffff -> cpu "
                         "0x80000000-0xffffffff, bus 0x800000000-0xfffffffff -> cpu 0x800000000-0xfffffffff, bus "
                         "0x8000000000-0xbfffffffff -> cpu 0x8000000000-0xbfffffffff; the nearest is bus "
                         "0x8000000000-0xbfffffffff") != std::string::npos);
    CHECK(log.str().find("runs into a hole at bus address 0xc000000000 after 2 bytes") != std::string::npos);
}

TEST_CASE("inbound rules: every size of every memory region decodes when both sides are aligned to it") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    test::run_script([&] {
        const auto& regions = rc_t::inbound_regions();
        for (unsigned region = 0; region < regions.size(); ++region) {
            const auto& r = regions[region];
            for (unsigned bit = 0; bit < r.sizes.size(); ++bit) {
                const uint64_t size = r.sizes[bit] * r.size_unit;
                const uint64_t pci = 2 * size, axi = 3 * size;  // aligned, not identity
                b.program(region, bit, pci, axi);
                INFO(r.name << " size " << size);
                const auto& in = b.rc.configuration().inbound;
                REQUIRE(in.size() == 1);
                CHECK(in[0].bus_base == pci);
                CHECK(in[0].cpu_base == axi);
                CHECK(in[0].size == size);
                // Off again: no size bit.
                b.reg_write(r.iarr, 0);
                CHECK(b.rc.configuration().inbound.empty());
            }
        }
        // An IMAP window maps its slice on its own: slices need not be contiguous on the AXI side,
        // and an invalid one is a hole inside the region.
        b.program(3, 3, 64 * GiB, 64 * GiB);  // IARR3, 8 GiB in 8 x 1 GiB
        const auto& r3 = regions[3];
        b.reg_write(r3.imap + 2 * r3.imap_stride, 0);                         // window 2 invalid
        b.reg_write(r3.imap + 5 * r3.imap_stride, 0x80000000 | rc_t::imap_valid);  // window 5 -> 2G + ...
        b.reg_write(r3.imap + 5 * r3.imap_stride + r3.imap_high, 0);
        const auto& in = b.rc.configuration().inbound;
        REQUIRE(in.size() == 4);  // [0,1], [3,4], [5], [6,7]
        CHECK(in[0].size == 2 * GiB);
        CHECK(in[2].bus_base == 69 * GiB);
        CHECK(in[2].cpu_base == 0x80000000);
        b.enable_master();
        CHECK(b.f1->write(69 * GiB + 0x40, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.accesses.back().first == 0x80000040);
        CHECK(b.f1->write(66 * GiB, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // the invalid window
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 1);  // the DMA into the invalid window
}

TEST_CASE("inbound rules: what the hardware cannot express stays off, with one line naming register, value and rule") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b;
    const auto& r2 = rc_t::inbound_regions()[2];
    const auto& r4 = rc_t::inbound_regions()[4];
    test::run_script([&] {
        b.enable_master();
        // Two size bits at once.
        b.reg_write(r2.iarr, 0x80000000 | 0x30);
        b.reg_write(r2.imap, 0x80000000 | rc_t::imap_valid);
        CHECK(b.rc.configuration().inbound.empty());
        // One size bit, PCI address not aligned to it (2 GiB at 1 GiB), judged with the high word.
        b.reg_write(r2.iarr, 0x40000000 | 1u << 5);
        b.reg_write(r2.iarr + 4, 0);
        CHECK(b.rc.configuration().inbound.empty());
        // Aligned: decodes.
        b.reg_write(r2.iarr, 0x80000000 | 1u << 5);
        REQUIRE(b.rc.configuration().inbound.size() == 1);
        // A 256 GiB IARR4 whose window 0 AXI address is not aligned to its 32 GiB slice: that
        // window stays off, the others decode.
        b.program(4, 3, 512 * GiB, 512 * GiB);
        b.reg_write(r4.imap, 0x80000000 | rc_t::imap_valid);  // AXI 512G + 2G
        b.reg_write(r4.imap + r4.imap_high, 0x80);
        const auto& in = b.rc.configuration().inbound;
        REQUIRE(in.size() == 2);
        CHECK(in[1].bus_base == 544 * GiB);
        CHECK(b.f1->write(512 * GiB, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        // A 512 GiB IARR4 at 256G: not aligned to 512 GiB.
        b.reg_write(r4.iarr, 1u << 4);
        b.reg_write(r4.iarr + 4, 0x40);
        CHECK(b.rc.configuration().inbound.size() == 1);  // IARR2 only
        // An IARR4 that overlaps IARR2 on the bus: IARR2 keeps it.
        b.program(4, 0, 0, 0);  // 32 GiB at 0, slices of 4 GiB: slice 0 overlaps 2G..4G
        // IARR2 (2G..4G) and IARR4's slices 1..7 (4G..32G, identity) touch on both sides: one window.
        REQUIRE(b.rc.configuration().inbound.size() == 1);
        CHECK(b.rc.configuration().inbound[0].bus_base == 0x80000000);
        CHECK(b.rc.configuration().inbound[0].size == 30 * GiB);
        CHECK(b.f1->write(0x80000000, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.accesses.back().first == 0x80000000);
    });
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    INFO(text);
    CHECK(text.find("inbound programming refused: write of 0x80000030 to IARR2_LO leaves IARR2_LO = 0x80000030, "
                    "IARR2_HI = 0x0: more than one size bit set (bits 0x30); IARR2 takes exactly one of its 9 sizes, "
                    "so the region does not decode") != std::string::npos);
    CHECK(text.find("write of 0x0 to IARR2_HI leaves IARR2_LO = 0x40000020, IARR2_HI = 0x0: PCI address "
                    "0x40000000 is not aligned to the 2 GiB region size") != std::string::npos);
    CHECK(text.find("write of 0x80 to IMAP4_HI[0] leaves IMAP4 window 0 (_LO = 0x80000001, _HI = 0x80): AXI "
                    "address 0x8080000000 is not aligned to the 32 GiB window size (256 GiB IARR4 / 8)") !=
          std::string::npos);
    CHECK(text.find("to IARR4_HI leaves IARR4_LO = 0x10, IARR4_HI = 0x40: PCI address 0x4000000000 is not aligned to "
                    "the 512 GiB region size") != std::string::npos);
    CHECK(text.find("IMAP4 window 0 (_LO = 0x1, _HI = 0x0): bus 0x0-0xffffffff overlaps IARR2's bus "
                    "0x80000000-0xffffffff; the lower-numbered region decodes, this window does not") !=
          std::string::npos);
}

TEST_CASE("placement: where a Linux-like driver programs each dma-ranges entry, and its refusals") {
    std::vector<bool> used(rc_t::inbound_regions().size());
    auto p = rc_t::place(0x80000000, 0x80000000, 2 * GiB, used);
    CHECK(p.region == 2);
    CHECK(p.size_bit == 5);
    used[2] = true;
    p = rc_t::place(32 * GiB, 32 * GiB, 32 * GiB, used);
    CHECK(p.region == 3);  // IARR3 before IARR4, which also has 32 GiB
    used[3] = true;
    p = rc_t::place(512 * GiB, 512 * GiB, 256 * GiB, used);
    CHECK(p.region == 4);
    CHECK(p.size_bit == 3);
    // 8 MiB fits IARR1; 32 KiB only the I/O region IARR0, which dma-ranges never uses.
    CHECK(rc_t::place(0, 0, 8 * MiB, {}).region == 1);
    CHECK(rc_t::place(0, 0, 32 * 1024, {}).error == "no free inbound region (IARR) has a size of exactly 32 KiB");
    // A size no region has, and one whose addresses are not aligned to it.
    CHECK(rc_t::place(0, 0, 3 * GiB, {}).error == "no free inbound region (IARR) has a size of exactly 3 GiB");
    CHECK(rc_t::place(34 * GiB, 34 * GiB, 2 * GiB, {}).region == 2);
    CHECK(rc_t::place(33 * GiB, 34 * GiB, 2 * GiB, {}).error ==
          "axi 0x880000000 or pci 0x840000000 not aligned to its 2 GiB size (IARR2)");
    // The 512 GB limit: nothing larger exists.
    CHECK(rc_t::place(0, 0, 1024 * GiB, {}).region == -1);
}

TEST_CASE("construction: inbound windows cannot be configured, only programmed") {
    auto cfg = stingray_like();
    cfg.inbound = {{0x80000000, 0x80000000, 2 * GiB}};
    CHECK_THROWS_AS(rc_t("pcie", cfg), core::config_error);
}
