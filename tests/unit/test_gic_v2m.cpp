// GICv2m MSI frame: the registers Linux's irq-gic-v2m.c reads, an MSI write from a PCIe
// device's DMA raising its SPI on the GIC as an edge, and the writes the hardware drops.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "models/bus/router.h"
#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/irq/gic_v2.h"
#include "models/irq/gic_v2m.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

// QEMU virt: distributor, CPU interface and the MSI frame.
constexpr uint64_t DIST = 0x08000000, CPUIF = 0x08010000, V2M = 0x08020000;
enum : uint64_t { MSI_TYPER = V2M + 0x008, MSI_SETSPI_NS = V2M + 0x040, MSI_IIDR = V2M + 0xfcc };
enum : uint64_t {
    GICD_CTLR = DIST, GICD_ISENABLER = DIST + 0x100, GICD_ISPENDR = DIST + 0x200, GICD_ICFGR = DIST + 0xc00,
    GICC_CTLR = CPUIF, GICC_PMR = CPUIF + 0x04, GICC_IAR = CPUIF + 0x0c, GICC_EOIR = CPUIF + 0x10,
};

struct bench {
    irq::gic_v2 gic{"gic", irq::gic_v2::config{}};
    irq::gic_v2m* frame;
    bus::router bus{"bus"};
    test::test_initiator cpu{"cpu0"};
    test::test_initiator pcie{"pcie_edu"};  // a device's DMA, as the host bridge forwards it
    bench() {
        frame = &gic.adopt_msi_frame(std::make_unique<irq::gic_v2m>("v2m", irq::gic_v2m::config{}));
        cpu.socket.bind(bus.target_socket);
        pcie.socket.bind(bus.target_socket);
        pcie.set_stream(8, 8);
        bus.map(bus.bind_target(gic.distributor), {DIST, 0x10000}, "gicd");
        bus.map(bus.bind_target(gic.cpu_interface), {CPUIF, 0x10000}, "gicc");
        bus.map(bus.bind_target(frame->socket), {V2M, 0x1000}, "v2m");
    }
    // Enough of Linux's bring-up: distributor and CPU interface on, the frame's SPIs set up as
    // irq-gic-v2m.c's domain does (edge-triggered), then enabled.
    void linux_setup() {
        cpu.write32(GICD_CTLR, 1);
        cpu.write32(GICC_PMR, 0xf0);
        cpu.write32(GICC_CTLR, 1);
        for (unsigned id = 80; id < 144; id += 16) cpu.write32(GICD_ICFGR + id / 4, 0xaaaaaaaa);
        for (unsigned id = 64; id < 144; id += 32) cpu.write32(GICD_ISENABLER + id / 8, 0xffffffff);
    }
};

} // namespace

TEST_CASE("GICv2m: MSI_TYPER and MSI_IIDR as QEMU virt's frame (SPIs 80..143)") {
    bench b;
    test::run_script([&] {
        CHECK(b.cpu.read32(MSI_TYPER) == ((80u << 16) | 64));
        CHECK(b.cpu.read32(MSI_IIDR) == 0x05100000);
        CHECK(b.cpu.read32(V2M + 0xfe8) == 0);  // optional ID registers: zero
        b.cpu.write32(MSI_TYPER, 0);             // read-only
        CHECK(b.cpu.read32(MSI_TYPER) == ((80u << 16) | 64));
        CHECK(b.cpu.read32(MSI_SETSPI_NS) == 0);  // write-only
    });
}

TEST_CASE("GICv2m: an MSI write from a device's DMA raises its SPI as an edge") {
    bench b;
    test::run_script([&] {
        b.linux_setup();
        b.pcie.write32(MSI_SETSPI_NS, 81);
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(b.cpu.read32(GICD_ISPENDR + 8) == (1u << (81 - 64)));  // latched: pending with no line held
        CHECK(b.cpu.read32(GICC_IAR) == 81);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        b.pcie.write32(MSI_SETSPI_NS, 81);  // a second MSI while the first is handled
        b.cpu.write32(GICC_EOIR, 81);
        CHECK(b.cpu.read32(GICC_IAR) == 81);
        b.cpu.write32(GICC_EOIR, 81);
        CHECK(b.pcie.write(MSI_SETSPI_NS, 143, 2) == tlm::TLM_OK_RESPONSE);  // 16-bit MSI data
        CHECK(b.cpu.read32(GICC_IAR) == 143);
        b.cpu.write32(GICC_EOIR, 143);
        CHECK(b.cpu.read32(GICC_IAR) == 1023);
    });
}

TEST_CASE("GICv2m: writes the hardware drops: outside the frame's SPIs, or to a level-triggered SPI") {
    bench b;
    std::ostringstream log;
    core::set_log_stream(&log);
    test::run_script([&] {
        b.linux_setup();
        b.pcie.write32(MSI_SETSPI_NS, 79);   // below the frame's range
        b.pcie.write32(MSI_SETSPI_NS, 144);  // above it
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK(b.cpu.read32(GICC_IAR) == 1023);
        b.cpu.write32(GICD_ICFGR + 4 * (90 / 16), 0);  // IDs 80..95 left level-triggered
        b.pcie.write32(MSI_SETSPI_NS, 90);
        CHECK(b.cpu.read32(GICC_IAR) == 1023);
        uint64_t v = 0;
        CHECK(b.cpu.read(MSI_TYPER, v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(b.cpu.read(MSI_TYPER, v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(b.pcie.write(MSI_SETSPI_NS, 81, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
    });
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    CHECK(text.find("ID 79 is outside this frame's SPIs (80..143)") != std::string::npos);
    CHECK(text.find("ID 144 is outside") != std::string::npos);
    CHECK(text.find("level-sensitive") != std::string::npos);
}

TEST_CASE("GICv2m: a frame whose SPIs are not its GIC's is a configuration error") {
    irq::gic_v2::config small;
    small.num_irqs = 128;  // IDs up to 127: QEMU's frame needs up to 143
    irq::gic_v2 gic("gic", small);
    CHECK_THROWS_AS(gic.adopt_msi_frame(std::make_unique<irq::gic_v2m>("v2m", irq::gic_v2m::config{})),
                    core::config_error);
    irq::gic_v2m::config fits{96, 32};
    CHECK(gic.adopt_msi_frame(std::make_unique<irq::gic_v2m>("v2m_fits", fits)).configuration().num_spis == 32);
    irq::gic_v2m::config bad{16, 8};  // IDs below 32 are not SPIs
    CHECK_THROWS_AS(irq::gic_v2m("v2m_bad", bad), core::config_error);
}
