// DMA bandwidth through the edu path: edu -> PCIe host bridge (requester id -> stream id) ->
// SMMUv3 (stage-1 4-level walk, TLB, stale checker) -> bus -> RAM, 4 KiB per DMA both ways,
// against a plain memcpy of the same bytes in the same run. Prints
//   edu dma: N MiB/s through the SMMU (M DMAs of 4 KiB)
//   memcpy:  N MiB/s
//   edu dma / memcpy: R
// Usage: edu_dma [DMAs] (default 20000). Host time is measured around the DMA loop only.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "models/bus/router.h"
#include "models/core/dma_extension.h"
#include "models/devices/edu.h"
#include "models/iommu/smmuv3/smmuv3.h"
#include "models/memory/ram.h"
#include "models/pcie/pcie_host_bridge.h"

using namespace socsim;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000, RAM_SIZE = 0x01000000;
constexpr uint64_t SMMU_BASE = 0x09050000, ECAM_BASE = 0x3f000000, BAR0 = 0x10000000;
constexpr uint64_t CONFIG = ECAM_BASE + (1u << 15);  // 00:01.0, requester id 8 = stream id 8
constexpr uint64_t IOVA = 0x01000000;                // below the edu's 28-bit mask
constexpr unsigned STREAM = 8, BYTES = 4096;

// The CPU's side: register accesses and debug writes into RAM.
class cpu_port : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<cpu_port> socket;
    explicit cpu_port(sc_core::sc_module_name n) : sc_module(n), socket("socket") {}
    void write(uint64_t a, uint64_t v, unsigned len) { access(tlm::TLM_WRITE_COMMAND, a, &v, len); }
    uint64_t read(uint64_t a, unsigned len) {
        uint64_t v = 0;
        access(tlm::TLM_READ_COMMAND, a, &v, len);
        return v;
    }
    void poke64(uint64_t a, uint64_t v) {
        tlm::tlm_generic_payload p;
        p.set_write();
        p.set_address(a);
        p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        p.set_data_length(8);
        p.set_streaming_width(8);
        socket->transport_dbg(p);
    }

private:
    void access(tlm::tlm_command cmd, uint64_t a, uint64_t* v, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(a);
        p.set_data_ptr(reinterpret_cast<unsigned char*>(v));
        p.set_data_length(len);
        p.set_streaming_width(len);
        sc_core::sc_time t;
        socket->b_transport(p, t);
        if (!p.is_response_ok()) {
            std::fprintf(stderr, "edu_dma: access at 0x%llx failed\n", static_cast<unsigned long long>(a));
            std::exit(1);
        }
    }
};

class harness : public sc_core::sc_module {
public:
    harness(sc_core::sc_module_name n, unsigned dmas)
        : sc_module(n), dmas_(dmas), bus_("bus"), ram_("ram", RAM_SIZE), smmu_("smmu", iommu::smmuv3::config{}),
          bridge_("pcie", bridge_config()), cpu_("cpu") {
        devices::edu::config ecfg;
        ecfg.dma_delay = sc_core::sc_time(1, sc_core::SC_NS);  // measure the path, not the modelled wait
        bridge_.attach(0x08, std::make_unique<devices::edu>("edu", ecfg));
        cpu_.socket.bind(bus_.target_socket);
        bridge_.dma.bind(smmu_.upstream);
        smmu_.downstream.bind(bus_.target_socket);
        bus_.map(bus_.bind_target(smmu_.socket), {SMMU_BASE, 0x20000}, "/smmu");
        bus_.map(bus_.bind_target(bridge_.ecam), {ECAM_BASE, 16 << 20}, "/pcie");
        bus_.map(bus_.bind_target(bridge_.window(0)), {0x10000000, 0x2eff0000}, "/pcie window");
        bus_.map(bus_.bind_target(ram_.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        SC_HAS_PROCESS(harness);
        SC_THREAD(run);
    }

private:
    static pcie::pcie_host_bridge::config bridge_config() {
        pcie::pcie_host_bridge::config cfg;
        cfg.ecam_size = 16 << 20;
        cfg.last_bus = 15;
        cfg.outbound = {{pcie::pcie_host_bridge::space::memory32, false, 0x10000000, 0x10000000, 0x2eff0000}};
        cfg.iommu_map = {{0x0, 0x0, 0x10000}};
        return cfg;
    }

    // Stream 8 -> CD (4 KiB granule, 48-bit input) -> IOVA..IOVA+64 KiB mapped to RAM_BASE+1 MiB.
    void setup_smmu() {
        using namespace iommu::smmuv3_reg;
        const uint64_t tables = RAM_BASE + 0x00800000;
        const uint64_t strtab = tables, cmdq = tables + 0x1000, eventq = tables + 0x2000, cd = tables + 0x3000;
        const uint64_t l0 = tables + 0x4000, l1 = tables + 0x5000, l2 = tables + 0x6000, l3 = tables + 0x7000;
        cpu_.poke64(strtab + 64 * STREAM, 1 | (5u << 1) | cd);
        cpu_.poke64(cd, 16 | (1ull << 30) | (1ull << 31) | (5ull << 32) | (1ull << 41) | (1ull << 45) | (1ull << 46) |
                            (1ull << 48));
        cpu_.poke64(cd + 8, l0);
        cpu_.poke64(l0, l1 | 3);
        cpu_.poke64(l1, l2 | 3);
        cpu_.poke64(l2 + ((IOVA >> 21) & 511) * 8, l3 | 3);
        for (unsigned p = 0; p < 16; ++p)  // AF, inner shareable, AP[1] (unprivileged DMA)
            cpu_.poke64(l3 + (((IOVA >> 12) & 511) + p) * 8, (RAM_BASE + 0x100000 + p * 4096) | 3 | (1 << 10) | (3 << 8) | (1 << 6));
        cpu_.write(SMMU_BASE + CR2, 0x6, 4);
        cpu_.write(SMMU_BASE + STRTAB_BASE, strtab, 8);
        cpu_.write(SMMU_BASE + STRTAB_BASE_CFG, 4, 4);
        cpu_.write(SMMU_BASE + CMDQ_BASE, cmdq | 6, 8);
        cpu_.write(SMMU_BASE + EVENTQ_BASE, eventq | 5, 8);
        cpu_.write(SMMU_BASE + CR0, 0xc, 4);
        cpu_.poke64(cmdq, 0x04);  // CFGI_ALL
        cpu_.poke64(cmdq + 8, 31);
        cpu_.poke64(cmdq + 16, 0x46);  // CMD_SYNC
        cpu_.poke64(cmdq + 24, 0);
        cpu_.write(SMMU_BASE + CMDQ_PROD, 2, 4);
        cpu_.write(SMMU_BASE + CR0, 0xd, 4);
    }

    void run() {
        setup_smmu();
        cpu_.write(CONFIG + 0x10, BAR0, 4);
        cpu_.write(CONFIG + 0x04, 0x0006, 2);  // memory decode, bus master
        std::memset(ram_.host_pointer() + 0x100000, 0x5a, BYTES);
        const auto start = std::chrono::steady_clock::now();
        for (unsigned i = 0; i < dmas_; ++i) {
            const bool to_ram = i & 1;  // alternate RAM -> edu buffer and back
            cpu_.write(BAR0 + 0x80, to_ram ? 0x40000 : IOVA, 8);
            cpu_.write(BAR0 + 0x88, to_ram ? IOVA + BYTES : 0x40000, 8);
            cpu_.write(BAR0 + 0x90, BYTES, 8);
            cpu_.write(BAR0 + 0x98, to_ram ? 3 : 1, 8);
            do wait(sc_core::sc_time(1, sc_core::SC_NS));
            while (cpu_.read(BAR0 + 0x98, 8) & 1);
        }
        const double dma_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (std::memcmp(ram_.host_pointer() + 0x100000, ram_.host_pointer() + 0x101000, BYTES) != 0) {
            std::fprintf(stderr, "edu_dma: data did not make the round trip\n");
            std::exit(1);
        }
        // The same bytes in 4 KiB copies, as a plain memcpy would move them.
        std::vector<uint8_t> a(BYTES, 1), b(BYTES);
        const auto m0 = std::chrono::steady_clock::now();
        for (unsigned i = 0; i < dmas_; ++i) {
            std::memcpy(i & 1 ? a.data() : b.data(), i & 1 ? b.data() : a.data(), BYTES);
            asm volatile("" ::"r"(a.data()), "r"(b.data()) : "memory");
        }
        const double copy_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - m0).count();
        const double mib = double(dmas_) * BYTES / (1 << 20);
        std::printf("edu dma: %.1f MiB/s through the SMMU (%u DMAs of 4 KiB)\n", mib / dma_s, dmas_);
        std::printf("memcpy: %.1f MiB/s\n", mib / copy_s);
        std::printf("edu dma / memcpy: %.4f\n", copy_s / dma_s);
        sc_core::sc_stop();
    }

    unsigned dmas_;
    bus::router bus_;
    memory::ram ram_;
    iommu::smmuv3 smmu_;
    pcie::pcie_host_bridge bridge_;
    cpu_port cpu_;
};

} // namespace

int sc_main(int argc, char* argv[]) {
    unsigned dmas = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 0)) : 20000;
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    harness h("edu_dma", dmas ? dmas : 1);
    sc_core::sc_start();
    return 0;
}

namespace {
struct quiet_systemc_banner {
    quiet_systemc_banner() { setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1); }
} const quiet_banner;
} // namespace
