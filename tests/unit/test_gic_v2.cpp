// GICv2: Linux's distributor and CPU-interface bring-up, acknowledge and end of interrupt,
// priorities and preemption, SGIs, edge and level inputs, groups, split EOI, access rules and
// interrupt specifiers. The GIC sits on a router at QEMU virt's addresses.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "models/bus/router.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/core/log.h"
#include "models/irq/gic_v2.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

constexpr uint64_t DIST = 0x08000000, CPUIF = 0x08010000;
enum : uint64_t {
    GICD_CTLR = DIST + 0x000, GICD_TYPER = DIST + 0x004, GICD_IIDR = DIST + 0x008, GICD_IGROUPR = DIST + 0x080,
    GICD_ISENABLER = DIST + 0x100, GICD_ICENABLER = DIST + 0x180, GICD_ISPENDR = DIST + 0x200,
    GICD_ICPENDR = DIST + 0x280, GICD_ISACTIVER = DIST + 0x300, GICD_ICACTIVER = DIST + 0x380,
    GICD_IPRIORITYR = DIST + 0x400, GICD_ITARGETSR = DIST + 0x800, GICD_ICFGR = DIST + 0xc00,
    GICD_SGIR = DIST + 0xf00, GICD_CPENDSGIR = DIST + 0xf10, GICD_SPENDSGIR = DIST + 0xf20,
    GICD_PIDR4 = DIST + 0xfd0, GICD_PIDR0 = DIST + 0xfe0, GICD_CIDR0 = DIST + 0xff0,
};
enum : uint64_t {
    GICC_CTLR = CPUIF + 0x00, GICC_PMR = CPUIF + 0x04, GICC_BPR = CPUIF + 0x08, GICC_IAR = CPUIF + 0x0c,
    GICC_EOIR = CPUIF + 0x10, GICC_RPR = CPUIF + 0x14, GICC_HPPIR = CPUIF + 0x18, GICC_ABPR = CPUIF + 0x1c,
    GICC_AIAR = CPUIF + 0x20, GICC_AEOIR = CPUIF + 0x24, GICC_AHPPIR = CPUIF + 0x28, GICC_APR0 = CPUIF + 0xd0,
    GICC_IIDR = CPUIF + 0xfc, GICC_DIR = CPUIF + 0x1000,
};

// The GIC mapped like QEMU's virt (64 KiB each), reached by CPU-side initiators through a router.
struct bench {
    irq::gic_v2 gic;
    bus::router bus{"bus"};
    test::test_initiator cpu0{"cpu0"};
    explicit bench(irq::gic_v2::config cfg = {}) : gic("gic", cfg) {
        cpu0.socket.bind(bus.target_socket);
        bus.map(bus.bind_target(gic.distributor), {DIST, 0x10000}, "gicd");
        bus.map(bus.bind_target(gic.cpu_interface), {CPUIF, 0x10000}, "gicc");
    }
};

// drivers/irqchip/irq-gic.c: gic_dist_init (with gic_dist_config), on the boot core.
void linux_dist_init(test::test_initiator& cpu, unsigned irqs) {
    cpu.write32(GICD_CTLR, 0);
    for (unsigned i = 32; i < irqs; i += 16) cpu.write32(GICD_ICFGR + i / 4, 0);  // SPIs level
    for (unsigned i = 32; i < irqs; i += 4) cpu.write32(GICD_ITARGETSR + i, 0x01010101);
    for (unsigned i = 32; i < irqs; i += 4) cpu.write32(GICD_IPRIORITYR + i, 0xa0a0a0a0);
    for (unsigned i = 32; i < irqs; i += 32) {
        cpu.write32(GICD_ICACTIVER + i / 8, 0xffffffff);
        cpu.write32(GICD_ICENABLER + i / 8, 0xffffffff);
    }
    cpu.write32(GICD_CTLR, 1);
}

// gic_cpu_init and gic_cpu_if_up: banked SGI/PPI setup, PMR 0xf0, enable with the bypass bits kept.
void linux_cpu_init(test::test_initiator& cpu) {
    cpu.write32(GICD_ICACTIVER, 0xffffffff);
    cpu.write32(GICD_ICENABLER, 0xffff0000);
    cpu.write32(GICD_ISENABLER, 0x0000ffff);
    for (unsigned i = 0; i < 32; i += 4) cpu.write32(GICD_IPRIORITYR + i, 0xa0a0a0a0);
    cpu.write32(GICC_PMR, 0xf0);
    cpu.write32(GICC_CTLR, (cpu.read32(GICC_CTLR) & 0x1e0) | 1);
}

unsigned bit(unsigned id) { return 1u << (id % 32); }
uint64_t word(uint64_t base, unsigned id) { return base + 4 * (id / 32); }

} // namespace

TEST_CASE("GICv2 reset values and identification as a GIC-400") {
    bench b;
    test::run_script([&] {
        auto& cpu = b.cpu0;
        CHECK(cpu.read32(GICD_CTLR) == 0);
        CHECK(cpu.read32(GICD_TYPER) == 7);  // 256 IDs: ITLinesNumber 7, one CPU, no Security Extensions
        CHECK(cpu.read32(GICD_IIDR) == 0x0200143b);
        CHECK(cpu.read32(GICC_IIDR) == 0x0202143b);
        const uint32_t pidr4_7[4] = {0x04, 0, 0, 0}, pidr0_3[4] = {0x90, 0xb4, 0x2b, 0x00},
                       cidr[4] = {0x0d, 0xf0, 0x05, 0xb1};
        for (unsigned i = 0; i < 4; ++i) {
            CHECK(cpu.read32(GICD_PIDR4 + 4 * i) == pidr4_7[i]);
            CHECK(cpu.read32(GICD_PIDR0 + 4 * i) == pidr0_3[i]);
            CHECK(cpu.read32(GICD_CIDR0 + 4 * i) == cidr[i]);
        }
        CHECK(cpu.read32(GICD_ISENABLER) == 0x0000ffff);  // SGIs always enabled
        CHECK(cpu.read32(GICD_ICFGR) == 0xaaaaaaaa);      // SGIs edge
        CHECK(cpu.read32(GICD_ICFGR + 4) == 0);           // PPIs level
        CHECK(cpu.read32(GICD_ITARGETSR) == 0);           // uniprocessor: RAZ/WI
        CHECK(cpu.read32(GICC_CTLR) == 0);
        CHECK(cpu.read32(GICC_PMR) == 0);
        CHECK(cpu.read32(GICC_BPR) == 0);   // the minimum with 8 priority bits
        CHECK(cpu.read32(GICC_ABPR) == 1);
        CHECK(cpu.read32(GICC_RPR) == 0xff);
        CHECK(cpu.read32(GICC_IAR) == 1023);
        CHECK(cpu.read32(DIST + 0x00c) == 0);               // reserved: RAZ
        CHECK(cpu.read32(GICD_ISENABLER + 4 * 8) == 0);     // IDs 256..287 do not exist: RAZ/WI
        cpu.write32(GICD_TYPER, 0xffffffff);                // read-only: ignored
        CHECK(cpu.read32(GICD_TYPER) == 7);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK_FALSE(b.gic.cpu_fiq(0).level());
    });
}

TEST_CASE("GICv2 Linux bring-up, then a level SPI: acknowledge, active and pending, EOI") {
    bench b;
    core::irq_line uart;
    b.gic.connect({0, 1, 4}, uart, "/pl011@9000000");  // SPI 1 = ID 33, as QEMU's virt UART
    test::run_script([&] {
        auto& cpu = b.cpu0;
        linux_dist_init(cpu, 256);
        linux_cpu_init(cpu);
        CHECK(cpu.read32(GICD_ISENABLER) == 0x0000ffff);
        CHECK(cpu.read32(GICD_IPRIORITYR + 32) == 0xa0a0a0a0);
        CHECK(cpu.read32(GICC_CTLR) == 1);
        cpu.write32(word(GICD_ISENABLER, 33), bit(33));  // request_irq: unmask
        CHECK(cpu.read32(word(GICD_ISENABLER, 33)) == bit(33));

        uart.set(true);
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(word(GICD_ISPENDR, 33)) == bit(33));
        CHECK(cpu.read32(GICC_HPPIR) == 33);
        CHECK(cpu.read32(GICC_IAR) == 33);
        CHECK_FALSE(b.gic.cpu_irq(0).level());  // active: not signalled again
        CHECK(cpu.read32(GICC_RPR) == 0xa0);
        CHECK(cpu.read32(word(GICD_ISACTIVER, 33)) == bit(33));
        CHECK(cpu.read32(word(GICD_ISPENDR, 33)) == bit(33));  // the line is still high
        CHECK(cpu.read32(GICC_IAR) == 1023);

        cpu.write32(GICC_EOIR, 33);  // the handler did not clear the device: pending again
        CHECK(cpu.read32(GICC_RPR) == 0xff);
        CHECK(cpu.read32(word(GICD_ISACTIVER, 33)) == 0);
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_IAR) == 33);
        uart.set(false);  // the handler clears the device, then EOI
        cpu.write32(GICC_EOIR, 33);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(word(GICD_ISPENDR, 33)) == 0);
        CHECK(cpu.read32(GICC_IAR) == 1023);

        cpu.write32(word(GICD_ICENABLER, 33), bit(33));  // disabled: held pending, not signalled
        uart.set(true);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_IAR) == 1023);
        cpu.write32(GICD_CTLR, 0);
        cpu.write32(word(GICD_ISENABLER, 33), bit(33));
        CHECK_FALSE(b.gic.cpu_irq(0).level());  // distributor disabled
        cpu.write32(GICD_CTLR, 1);
        CHECK(b.gic.cpu_irq(0).level());
    });
}

TEST_CASE("GICv2 priorities: PMR masks, a higher priority preempts, the binary point groups priorities") {
    bench b;
    core::irq_line low, high, same;
    b.gic.connect({0, 40, 4}, low, "low");    // ID 72
    b.gic.connect({0, 41, 4}, high, "high");  // ID 73
    b.gic.connect({0, 42, 4}, same, "same");  // ID 74
    test::run_script([&] {
        auto& cpu = b.cpu0;
        linux_dist_init(cpu, 256);
        linux_cpu_init(cpu);
        cpu.write(GICD_IPRIORITYR + 72, 0x80, 1);  // byte accesses, as Linux's irq_set_priority
        cpu.write(GICD_IPRIORITYR + 73, 0x40, 1);
        cpu.write(GICD_IPRIORITYR + 74, 0x80, 1);
        CHECK(cpu.read32(GICD_IPRIORITYR + 72) == 0xa0804080);
        cpu.write32(word(GICD_ISENABLER, 72), bit(72) | bit(73) | bit(74));

        low.set(true);
        CHECK(cpu.read32(GICC_IAR) == 72);
        CHECK(cpu.read32(GICC_RPR) == 0x80);
        same.set(true);  // same priority: no preemption
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_HPPIR) == 74);
        high.set(true);  // higher priority: preempts
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_IAR) == 73);
        CHECK(cpu.read32(GICC_RPR) == 0x40);
        // Active priorities: one bit per group-priority level (priority >> 1 with 8 bits).
        CHECK(cpu.read32(GICC_APR0 + 4) == 1);  // level 32 = priority 0x40
        CHECK(cpu.read32(GICC_APR0 + 8) == 1);  // level 64 = priority 0x80
        high.set(false);
        cpu.write32(GICC_EOIR, 73);
        CHECK(cpu.read32(GICC_RPR) == 0x80);
        low.set(false);
        cpu.write32(GICC_EOIR, 72);
        CHECK(cpu.read32(GICC_RPR) == 0xff);
        CHECK(cpu.read32(GICC_IAR) == 74);
        same.set(false);
        cpu.write32(GICC_EOIR, 74);

        cpu.write32(GICC_PMR, 0x80);  // priority 0x80 is not above the mask
        low.set(true);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_IAR) == 1023);
        CHECK(cpu.read32(GICC_HPPIR) == 72);  // pending all the same
        cpu.write32(GICC_PMR, 0x90);
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_IAR) == 72);

        cpu.write32(GICC_BPR, 7);  // no group priority bits: nothing preempts
        CHECK(cpu.read32(GICC_BPR) == 7);
        cpu.write32(GICC_EOIR, 72);
        CHECK(cpu.read32(GICC_IAR) == 72);
        CHECK(cpu.read32(GICC_RPR) == 0);
        high.set(true);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        cpu.write32(GICC_EOIR, 72);
        CHECK(cpu.read32(GICC_IAR) == 73);
    });
}

TEST_CASE("GICv2 SGI to self: SGIR filters, SPENDSGIR/CPENDSGIR, the source core in IAR") {
    bench b;
    test::run_script([&] {
        auto& cpu = b.cpu0;
        linux_dist_init(cpu, 256);
        linux_cpu_init(cpu);
        cpu.write32(GICD_SGIR, (2u << 24) | 5);  // "to this core"
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(word(GICD_ISPENDR, 5)) == bit(5));
        CHECK(cpu.read32(GICD_SPENDSGIR + 4) == 0x00000100);  // SGI 5, from core 0
        CHECK(cpu.read32(GICC_IAR) == 5);
        CHECK(cpu.read32(word(GICD_ISACTIVER, 5)) == bit(5));
        cpu.write32(GICC_EOIR, 5);
        CHECK(cpu.read32(word(GICD_ISACTIVER, 5)) == 0);

        cpu.write32(GICD_SGIR, (0u << 24) | (1u << 16) | 7);  // target list: core 0
        uint64_t v = 0;
        CHECK(cpu.read(GICD_CPENDSGIR + 7, v, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 1);
        CHECK(cpu.write(GICD_CPENDSGIR + 7, 1, 1) == tlm::TLM_OK_RESPONSE);  // cancel it
        CHECK(cpu.read32(GICD_SPENDSGIR + 4) == 0);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        cpu.write32(GICD_SGIR, (1u << 24) | 2);  // "all but this core": nobody here
        CHECK(cpu.read32(GICC_IAR) == 1023);
        cpu.write32(GICD_ICENABLER, 0x0000ffff);  // SGIs cannot be disabled
        CHECK(cpu.read32(GICD_ISENABLER) == 0x0000ffff);
        cpu.write(GICD_SPENDSGIR + 2, 1, 1);  // SGI 2 pending by hand
        CHECK(cpu.read32(GICC_IAR) == 2);
        cpu.write32(GICC_EOIR, 2);
    });
}

TEST_CASE("GICv2 with two cores: banked SGI/PPI registers, SGI sources, SPI targets") {
    irq::gic_v2::config cfg;
    cfg.num_cpus = 2;
    bench b(cfg);
    test::test_initiator cpu1("cpu1");
    cpu1.socket.bind(b.bus.target_socket);
    b.gic.set_cpu_index([](const tlm::tlm_generic_payload& p) {
        std::string who = core::initiator_of(p);
        return static_cast<unsigned>(who.back() - '0');
    });
    core::irq_line timer0, timer1, dev;
    b.gic.connect({1, 14, 0x104}, timer0, "cpu0 timer");  // PPI 14 = ID 30 of core 0
    b.gic.connect({1, 14, 0x204}, timer1, "cpu1 timer");  // and of core 1
    b.gic.connect({0, 8, 4}, dev, "dev");                 // ID 40
    test::run_script([&] {
        auto& cpu0 = b.cpu0;
        CHECK(cpu0.read32(GICD_TYPER) == 0x27);  // CPUNumber = 1
        linux_dist_init(cpu0, 256);
        linux_cpu_init(cpu0);
        linux_cpu_init(cpu1);
        CHECK(cpu0.read32(GICD_ITARGETSR) == 0x01010101);
        CHECK(cpu1.read32(GICD_ITARGETSR + 28) == 0x02020202);
        cpu0.write32(GICD_ISENABLER, bit(30));
        CHECK(cpu0.read32(GICD_ISENABLER) == (0x0000ffffu | bit(30)));
        CHECK(cpu1.read32(GICD_ISENABLER) == 0x0000ffff);  // banked

        timer1.set(true);
        CHECK_FALSE(b.gic.cpu_irq(1).level());  // core 1's PPI 14 is still disabled
        timer0.set(true);
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(cpu0.read32(GICC_IAR) == 30);
        timer0.set(false);
        cpu0.write32(GICC_EOIR, 30);
        cpu1.write32(GICD_ISENABLER, bit(30));
        CHECK(b.gic.cpu_irq(1).level());
        CHECK(cpu1.read32(GICC_IAR) == 30);
        timer1.set(false);
        cpu1.write32(GICC_EOIR, 30);

        cpu1.write32(GICD_SGIR, (1u << 16) | 3);  // core 1 -> core 0, SGI 3
        CHECK(b.gic.cpu_irq(0).level());
        CHECK_FALSE(b.gic.cpu_irq(1).level());
        CHECK(cpu0.read32(GICD_SPENDSGIR) == 0x02000000);  // SGI 3 from core 1
        CHECK(cpu0.read32(GICC_IAR) == ((1u << 10) | 3));
        cpu0.write32(GICC_EOIR, (1u << 10) | 3);
        cpu0.write32(GICD_SGIR, (1u << 24) | 4);  // all but self: core 1, from core 0
        CHECK(cpu1.read32(GICC_IAR) == 4);
        cpu1.write32(GICC_EOIR, 4);

        cpu0.write32(word(GICD_ISENABLER, 40), bit(40));
        cpu0.write(GICD_ITARGETSR + 40, 0x02, 1);  // ID 40 to core 1 only
        CHECK(cpu0.read32(GICD_ITARGETSR + 40) == 0x01010102);
        dev.set(true);
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK(b.gic.cpu_irq(1).level());
        CHECK(cpu0.read32(GICC_IAR) == 1023);
        CHECK(cpu1.read32(GICC_IAR) == 40);
        dev.set(false);
        cpu1.write32(GICC_EOIR, 40);
    });
}

TEST_CASE("GICv2 edge and level inputs: an edge latches, a level follows the line, ISPENDR latches") {
    bench b;
    core::irq_line edge_src, level_src;
    b.gic.connect({0, 2, 1}, edge_src, "edge");    // ID 34
    b.gic.connect({0, 3, 4}, level_src, "level");  // ID 35
    test::run_script([&] {
        auto& cpu = b.cpu0;
        linux_dist_init(cpu, 256);
        linux_cpu_init(cpu);
        cpu.write32(GICD_ICFGR + 4 * (34 / 16), 2u << (2 * (34 % 16)));  // irq_set_type: edge
        CHECK(cpu.read32(GICD_ICFGR + 8) == 0x20);
        cpu.write32(word(GICD_ISENABLER, 34), bit(34) | bit(35));

        edge_src.set(true);
        edge_src.set(false);  // a pulse
        CHECK(cpu.read32(word(GICD_ISPENDR, 34)) == bit(34));
        CHECK(cpu.read32(GICC_IAR) == 34);
        CHECK(cpu.read32(word(GICD_ISPENDR, 34)) == 0);  // acknowledged: pending cleared
        edge_src.set(true);
        edge_src.set(false);  // again while active: active and pending
        CHECK(cpu.read32(word(GICD_ISPENDR, 34)) == bit(34));
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        cpu.write32(GICC_EOIR, 34);
        CHECK(cpu.read32(GICC_IAR) == 34);
        cpu.write32(GICC_EOIR, 34);

        level_src.set(true);
        level_src.set(false);  // a level input forgets a pulse
        CHECK(cpu.read32(word(GICD_ISPENDR, 35)) == 0);
        CHECK(cpu.read32(GICC_IAR) == 1023);
        cpu.write32(word(GICD_ISPENDR, 35), bit(35));  // software pending holds until acknowledged
        CHECK(cpu.read32(word(GICD_ISPENDR, 35)) == bit(35));
        cpu.write32(word(GICD_ICPENDR, 35), bit(35));
        CHECK(cpu.read32(word(GICD_ISPENDR, 35)) == 0);
        cpu.write32(word(GICD_ISPENDR, 35), bit(35));
        CHECK(cpu.read32(GICC_IAR) == 35);
        CHECK(cpu.read32(word(GICD_ISPENDR, 35)) == 0);
        cpu.write32(GICC_EOIR, 35);
        level_src.set(true);  // ICPENDR cannot clear a level input that is still high
        cpu.write32(word(GICD_ICPENDR, 35), bit(35));
        CHECK(cpu.read32(word(GICD_ISPENDR, 35)) == bit(35));
        cpu.write32(word(GICD_ISACTIVER, 35), bit(35));  // ISACTIVER: active by hand
        CHECK(cpu.read32(word(GICD_ISACTIVER, 35)) == bit(35));
        CHECK(cpu.read32(GICC_IAR) == 1023);
        cpu.write32(word(GICD_ICACTIVER, 35), bit(35));
        CHECK(cpu.read32(GICC_IAR) == 35);
    });
}

TEST_CASE("GICv2 groups: Group 1 reads 1022 without AckCtl, the aliases take Group 1, FIQEn sends Group 0 as FIQ") {
    bench b;
    core::irq_line g1, g0;
    b.gic.connect({0, 1, 4}, g1, "g1");  // ID 33
    b.gic.connect({0, 2, 4}, g0, "g0");  // ID 34
    test::run_script([&] {
        auto& cpu = b.cpu0;
        linux_dist_init(cpu, 256);
        linux_cpu_init(cpu);
        cpu.write32(word(GICD_IGROUPR, 33), bit(33));
        CHECK(cpu.read32(word(GICD_IGROUPR, 33)) == bit(33));
        cpu.write32(word(GICD_ISENABLER, 33), bit(33) | bit(34));
        g1.set(true);
        CHECK_FALSE(b.gic.cpu_irq(0).level());  // Group 1 disabled in the distributor
        cpu.write32(GICD_CTLR, 3);
        CHECK_FALSE(b.gic.cpu_irq(0).level());  // and in the CPU interface
        cpu.write32(GICC_CTLR, 3);
        CHECK(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_HPPIR) == 1022);
        CHECK(cpu.read32(GICC_IAR) == 1022);  // AckCtl = 0: not acknowledged
        CHECK(cpu.read32(GICC_AHPPIR) == 33);
        CHECK(cpu.read32(GICC_AIAR) == 33);
        g1.set(false);
        cpu.write32(GICC_AEOIR, 33);
        CHECK(cpu.read32(word(GICD_ISACTIVER, 33)) == 0);
        cpu.write32(GICC_CTLR, 3 | (1u << 2));  // AckCtl
        g1.set(true);
        CHECK(cpu.read32(GICC_IAR) == 33);
        g1.set(false);
        cpu.write32(GICC_EOIR, 33);

        cpu.write32(GICC_CTLR, 3 | (1u << 3));  // FIQEn: Group 0 as FIQ
        g0.set(true);
        CHECK(b.gic.cpu_fiq(0).level());
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        CHECK(cpu.read32(GICC_AIAR) == 1023);  // the alias does not take Group 0
        CHECK(cpu.read32(GICC_IAR) == 34);
        CHECK_FALSE(b.gic.cpu_fiq(0).level());
        g0.set(false);
        cpu.write32(GICC_EOIR, 34);
    });
}

TEST_CASE("GICv2 EOImode 1: EOIR drops the priority, DIR deactivates") {
    bench b;
    core::irq_line src;
    b.gic.connect({0, 1, 4}, src, "dev");  // ID 33
    test::run_script([&] {
        auto& cpu = b.cpu0;
        linux_dist_init(cpu, 256);
        linux_cpu_init(cpu);
        cpu.write32(GICC_CTLR, 1 | (1u << 9));  // as Linux at EL2: split priority drop and deactivation
        cpu.write32(word(GICD_ISENABLER, 33), bit(33));
        src.set(true);
        CHECK(cpu.read32(GICC_IAR) == 33);
        cpu.write32(GICC_EOIR, 33);
        CHECK(cpu.read32(GICC_RPR) == 0xff);
        CHECK(cpu.read32(word(GICD_ISACTIVER, 33)) == bit(33));  // still active
        CHECK_FALSE(b.gic.cpu_irq(0).level());
        cpu.write32(GICC_DIR, 33);
        CHECK(cpu.read32(word(GICD_ISACTIVER, 33)) == 0);
        CHECK(b.gic.cpu_irq(0).level());  // the line is still high

        std::ostringstream log;
        core::set_log_stream(&log);
        cpu.write32(GICC_CTLR, 1);
        CHECK(cpu.read32(GICC_IAR) == 33);
        cpu.write32(GICC_EOIR, 33);
        cpu.write32(GICC_EOIR, 33);  // nothing active any more: ignored with a warning
        cpu.write32(GICC_EOIR, 1023);  // spurious: nothing to do
        core::set_log_stream(nullptr);
        CHECK(log.str().find("no active interrupt") != std::string::npos);
    });
}

TEST_CASE("GICv2 access rules: bytes where the architecture allows them, TLM errors elsewhere") {
    irq::gic_v2::config cfg;
    cfg.priority_bits = 5;  // as a GIC-400's Secure view: 32 levels
    bench b(cfg);
    test::run_script([&] {
        auto& cpu = b.cpu0;
        uint64_t v = 0;
        CHECK(cpu.write(GICD_IPRIORITYR + 33, 0xff, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.read(GICD_IPRIORITYR + 33, v, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xf8);  // five bits implemented
        CHECK(cpu.read32(GICD_IPRIORITYR + 32) == 0x0000f800);
        CHECK(cpu.read32(GICC_BPR) == 2);  // minimum binary point with five bits
        cpu.write32(GICC_BPR, 0);
        CHECK(cpu.read32(GICC_BPR) == 2);
        cpu.write32(GICC_PMR, 0xff);
        CHECK(cpu.read32(GICC_PMR) == 0xf8);
        CHECK(cpu.write(GICD_ITARGETSR + 33, 1, 1) == tlm::TLM_OK_RESPONSE);

        CHECK(cpu.write(GICD_CTLR, 1, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // halfword
        CHECK(cpu.read(GICD_ISENABLER + 1, v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // byte: not here
        CHECK(cpu.read(GICD_IPRIORITYR + 34, v, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(cpu.read(GICD_IPRIORITYR + 2, v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // misaligned
        CHECK(cpu.read(GICD_CTLR, v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(cpu.read(GICC_IAR, v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(cpu.read(GICC_CTLR, v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(cpu.read32(CPUIF + 0x2000) == 0);  // past the registers in QEMU's 64 KiB window
        unsigned char data[4] = {};
        CHECK(cpu.debug_read(GICC_IAR, data, 4) == 4);  // a debugger's read acknowledges nothing
    });
}

TEST_CASE("GICv2 interrupt specifiers: SPIs and PPIs, and the ones a GIC cannot have") {
    irq::gic_v2 gic("gic", irq::gic_v2::config{});
    core::irq_line line;
    CHECK(gic.interrupt_cells() == 3);
    CHECK(gic.describe({0, 1, 4}) == "SPI 1 (ID 33), level high");
    CHECK(gic.describe({0, 74, 1}) == "SPI 74 (ID 106), edge rising");
    CHECK(gic.describe({1, 14, 0xf08}) == "PPI 14 (ID 30), level low, cores 0x1");
    CHECK_NOTHROW(gic.connect({1, 13, 0xf08}, line, "timer"));
    CHECK_NOTHROW(gic.connect({0, 223, 4}, line, "last"));
    auto refused = [&](std::vector<uint32_t> spec, const std::string& why) {
        INFO(why);
        try {
            gic.connect(spec, line, "/soc/dev");
            FAIL("accepted");
        } catch (const core::config_error& e) {
            std::string text = e.what();
            CHECK(text.find("/soc/dev") != std::string::npos);
            CHECK(text.find(why) != std::string::npos);
        }
    };
    refused({0, 224, 4}, "SPI 224 does not exist");
    refused({0, 1, 2}, "trigger type 2");
    refused({0, 1, 8}, "trigger type 8");
    refused({0, 1, 0}, "trigger type 0");
    refused({1, 16, 4}, "PPI 16 does not exist");
    refused({1, 14, 0x204}, "names no core");
    refused({2, 1, 4}, "type 2");
    refused({0, 1}, "2 cells");
    CHECK(gic.describe({0, 1}).find("invalid") == 0);
    CHECK_THROWS_AS(gic.cpu_irq(1), core::config_error);
}

TEST_CASE("GICv2 configurations a GICv2 cannot have are configuration errors") {
    irq::gic_v2::config cfg;
    cfg.num_irqs = 100;
    CHECK_THROWS_AS(irq::gic_v2("gic", cfg), core::config_error);
}
