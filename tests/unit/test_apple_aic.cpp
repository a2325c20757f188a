// Apple AIC (v1, t8103): Linux's irq-apple-aic.c bring-up, hardware IRQs acknowledged through
// AIC_EVENT (auto-masked), IPIs, the order of events, FIQ sources, two cores, access rules and
// interrupt specifiers.
#include <catch2/catch.hpp>

#include <string>

#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/irq/apple_aic.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

enum : uint64_t {
    AIC_INFO = 0x0004, AIC_CONFIG = 0x0010, AIC_WHOAMI = 0x2000, AIC_EVENT = 0x2004, AIC_IPI_SEND = 0x2008,
    AIC_IPI_ACK = 0x200c, AIC_IPI_MASK_SET = 0x2024, AIC_IPI_MASK_CLR = 0x2028, AIC_TARGET_CPU = 0x3000,
    AIC_SW_SET = 0x4000, AIC_SW_CLR = 0x4080, AIC_MASK_SET = 0x4100, AIC_MASK_CLR = 0x4180, AIC_HW_STATE = 0x4200,
};
constexpr uint32_t IPI_OTHER = 1u << 0, IPI_SELF = 1u << 31;
constexpr uint32_t EVENT_IRQ = 1u << 16, EVENT_IPI = 4u << 16;

uint64_t mask_word(uint64_t base, unsigned irq) { return base + 4 * (irq / 32); }
uint32_t mask_bit(unsigned irq) { return 1u << (irq % 32); }

// aic_of_ic_init: read AIC_INFO, mask everything, clear software pending, target every IRQ at
// core 0; then aic_init_cpu on the boot core (without fast IPIs, as for "apple,aic").
void linux_init(test::test_initiator& cpu) {
    const unsigned nr = cpu.read32(AIC_INFO) & 0xffff;
    for (unsigned i = 0; i < (nr + 31) / 32; ++i) cpu.write32(AIC_MASK_SET + 4 * i, 0xffffffff);
    for (unsigned i = 0; i < (nr + 31) / 32; ++i) cpu.write32(AIC_SW_CLR + 4 * i, 0xffffffff);
    for (unsigned i = 0; i < nr; ++i) cpu.write32(AIC_TARGET_CPU + 4 * i, 1);
    CHECK(cpu.read32(AIC_WHOAMI) == 0);
    cpu.write32(AIC_IPI_ACK, IPI_SELF | IPI_OTHER);
    cpu.write32(AIC_IPI_MASK_SET, IPI_SELF);
    cpu.write32(AIC_IPI_MASK_CLR, IPI_OTHER);
}

} // namespace

TEST_CASE("AIC reset values: AIC_INFO gives the IRQ count, everything masked, nothing pending") {
    irq::apple_aic aic("aic", irq::apple_aic::config{});
    test::test_initiator cpu("cpu0");
    cpu.socket.bind(aic.socket);
    test::run_script([&] {
        CHECK(cpu.read32(AIC_INFO) == 896);
        CHECK(cpu.read32(AIC_WHOAMI) == 0);
        CHECK(cpu.read32(AIC_EVENT) == 0);
        CHECK(cpu.read32(AIC_MASK_SET) == 0xffffffff);
        CHECK(cpu.read32(AIC_MASK_SET + 4 * 27) == 0xffffffff);  // IRQs 864..895
        CHECK(cpu.read32(AIC_SW_SET) == 0);
        CHECK(cpu.read32(AIC_HW_STATE) == 0);
        CHECK(cpu.read32(AIC_TARGET_CPU + 4 * 605) == 0);
        CHECK(cpu.read32(AIC_IPI_MASK_SET) == (IPI_SELF | IPI_OTHER));
        cpu.write32(AIC_CONFIG, 0x5);
        CHECK(cpu.read32(AIC_CONFIG) == 0x5);
        cpu.write32(AIC_INFO, 0);  // read-only
        CHECK(cpu.read32(AIC_INFO) == 896);
        CHECK_FALSE(aic.cpu_irq(0).level());
        CHECK_FALSE(aic.cpu_fiq(0).level());
    });
}

TEST_CASE("AIC Linux bring-up, then a hardware IRQ: the event read masks it, EOI unmasks it") {
    irq::apple_aic aic("aic", irq::apple_aic::config{});
    test::test_initiator cpu("cpu0");
    cpu.socket.bind(aic.socket);
    core::irq_line uart;
    aic.connect({0, 605, 4}, uart, "/soc/serial@235200000");
    test::run_script([&] {
        linux_init(cpu);
        CHECK(cpu.read32(AIC_TARGET_CPU + 4 * 605) == 1);
        uart.set(true);
        CHECK(cpu.read32(mask_word(AIC_HW_STATE, 605)) == mask_bit(605));
        CHECK_FALSE(aic.cpu_irq(0).level());  // masked
        cpu.write32(mask_word(AIC_MASK_CLR, 605), mask_bit(605));  // aic_irq_unmask
        CHECK(aic.cpu_irq(0).level());

        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IRQ | 605));  // aic_handle_irq
        CHECK_FALSE(aic.cpu_irq(0).level());
        CHECK(cpu.read32(mask_word(AIC_MASK_SET, 605)) & mask_bit(605));  // masked by the hardware
        CHECK(cpu.read32(AIC_EVENT) == 0);                                  // the handler's loop ends
        cpu.write32(mask_word(AIC_MASK_CLR, 605), mask_bit(605));  // aic_irq_eoi: line still high
        CHECK(aic.cpu_irq(0).level());
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IRQ | 605));
        uart.set(false);
        cpu.write32(mask_word(AIC_MASK_CLR, 605), mask_bit(605));
        CHECK_FALSE(aic.cpu_irq(0).level());
        CHECK(cpu.read32(AIC_EVENT) == 0);

        cpu.write32(mask_word(AIC_SW_SET, 605), mask_bit(605));  // software trigger, ORed with the line
        CHECK(cpu.read32(mask_word(AIC_SW_SET, 605)) == mask_bit(605));
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IRQ | 605));
        cpu.write32(mask_word(AIC_SW_CLR, 605), mask_bit(605));
        cpu.write32(mask_word(AIC_MASK_CLR, 605), mask_bit(605));
        CHECK(cpu.read32(AIC_EVENT) == 0);
        cpu.write32(AIC_TARGET_CPU + 4 * 605, 0);  // routed nowhere: never delivered
        uart.set(true);
        CHECK_FALSE(aic.cpu_irq(0).level());
        CHECK(cpu.read32(AIC_EVENT) == 0);
    });
}

TEST_CASE("AIC IPIs: send, the event read masks, ACK and MASK_CLR, lower IRQs and IRQs before IPIs") {
    irq::apple_aic aic("aic", irq::apple_aic::config{});
    test::test_initiator cpu("cpu0");
    cpu.socket.bind(aic.socket);
    core::irq_line a, b, pulse;
    aic.connect({0, 781, 4}, a, "dart");
    aic.connect({0, 777, 4}, b, "usb");
    aic.connect({0, 10, 1}, pulse, "edge source");
    test::run_script([&] {
        linux_init(cpu);
        cpu.write32(AIC_IPI_SEND, 1u << 0);  // aic_ipi_send_single(0): "other" to core 0
        CHECK(aic.cpu_irq(0).level());
        CHECK(cpu.read32(AIC_IPI_ACK) == IPI_OTHER);
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IPI | 1));
        CHECK_FALSE(aic.cpu_irq(0).level());  // masked on delivery
        cpu.write32(AIC_IPI_ACK, IPI_OTHER);    // aic_handle_ipi
        cpu.write32(AIC_IPI_MASK_CLR, IPI_OTHER);
        CHECK(cpu.read32(AIC_EVENT) == 0);
        cpu.write32(AIC_IPI_SEND, IPI_SELF);  // masked by aic_init_cpu: pending, not delivered
        CHECK_FALSE(aic.cpu_irq(0).level());
        cpu.write32(AIC_IPI_MASK_CLR, IPI_SELF);
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IPI | 2));
        cpu.write32(AIC_IPI_ACK, IPI_SELF);

        for (unsigned irq : {781u, 777u, 10u}) cpu.write32(mask_word(AIC_MASK_CLR, irq), mask_bit(irq));
        a.set(true);
        b.set(true);
        cpu.write32(AIC_IPI_SEND, 1u << 0);
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IRQ | 777));  // the lower number first
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IRQ | 781));
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IPI | 1));  // then the IPI
        CHECK(cpu.read32(AIC_EVENT) == 0);
        cpu.write32(AIC_IPI_ACK, IPI_OTHER);

        pulse.set(true);
        pulse.set(false);  // an edge source: held until acknowledged
        CHECK(cpu.read32(mask_word(AIC_HW_STATE, 10)) == mask_bit(10));
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IRQ | 10));
        CHECK(cpu.read32(mask_word(AIC_HW_STATE, 10)) == 0);
        cpu.write32(mask_word(AIC_MASK_CLR, 10), mask_bit(10));
        CHECK(cpu.read32(AIC_EVENT) == 0);
        unsigned char data[4] = {};
        a.set(false);
        b.set(false);
        cpu.write32(mask_word(AIC_MASK_CLR, 777), mask_bit(777));
        b.set(true);
        CHECK(cpu.debug_read(AIC_EVENT, data, 4) == 4);  // a debugger's read masks nothing
        CHECK(cpu.read32(AIC_EVENT) == (EVENT_IRQ | 777));
    });
}

TEST_CASE("AIC FIQs: the timers' lines are ORed into the core's FIQ output, never latched") {
    irq::apple_aic aic("aic", irq::apple_aic::config{});
    core::irq_line hv_phys, hv_virt, guest_phys, guest_virt;
    // The t8103 DT's timer node: <AIC_FIQ 0..3 IRQ_TYPE_LEVEL_HIGH>.
    aic.connect({1, 0, 4}, hv_phys, "/timer");
    aic.connect({1, 1, 4}, hv_virt, "/timer");
    aic.connect({1, 2, 4}, guest_phys, "/timer");
    aic.connect({1, 3, 4}, guest_virt, "/timer");
    CHECK(aic.describe({1, 1, 4}) == "FIQ 1 (HV virtual timer), level high, core 0");
    CHECK_FALSE(aic.cpu_fiq(0).level());
    guest_virt.set(true);
    CHECK(aic.cpu_fiq(0).level());
    CHECK_FALSE(aic.cpu_irq(0).level());
    hv_phys.set(true);
    guest_virt.set(false);
    CHECK(aic.cpu_fiq(0).level());
    hv_phys.set(false);
    CHECK_FALSE(aic.cpu_fiq(0).level());
}

TEST_CASE("AIC with two cores: WHOAMI, TARGET_CPU routing, IPIs to the other core, per-core IPI views") {
    irq::apple_aic::config cfg;
    cfg.num_cpus = 2;
    irq::apple_aic aic("aic", cfg);
    struct two_port : sc_core::sc_module {
        // A trivial interconnect: both cores reach the one AIC socket.
        tlm_utils::simple_target_socket<two_port> in0, in1;
        tlm_utils::simple_initiator_socket<two_port> out;
        explicit two_port(sc_core::sc_module_name n) : sc_module(n), in0("in0"), in1("in1"), out("out") {
            in0.register_b_transport(this, &two_port::forward);
            in1.register_b_transport(this, &two_port::forward);
        }
        void forward(tlm::tlm_generic_payload& p, sc_core::sc_time& d) { out->b_transport(p, d); }
    } fabric("fabric");
    test::test_initiator cpu0("cpu0"), cpu1("cpu1");
    cpu0.socket.bind(fabric.in0);
    cpu1.socket.bind(fabric.in1);
    fabric.out.bind(aic.socket);
    aic.set_cpu_index([](const tlm::tlm_generic_payload& p) {
        std::string who = core::initiator_of(p);
        return static_cast<unsigned>(who.back() - '0');
    });
    core::irq_line dev;
    aic.connect({0, 100, 4}, dev, "dev");
    test::run_script([&] {
        linux_init(cpu0);
        CHECK(cpu1.read32(AIC_WHOAMI) == 1);
        cpu1.write32(AIC_IPI_ACK, IPI_SELF | IPI_OTHER);
        cpu1.write32(AIC_IPI_MASK_SET, IPI_SELF);
        cpu1.write32(AIC_IPI_MASK_CLR, IPI_OTHER);

        cpu0.write32(AIC_IPI_SEND, 1u << 1);  // to core 1
        CHECK_FALSE(aic.cpu_irq(0).level());
        CHECK(aic.cpu_irq(1).level());
        CHECK(cpu0.read32(AIC_EVENT) == 0);
        CHECK(cpu0.read32(0x5000 + 0x80 + 0x0c) == IPI_OTHER);  // core 1's IPI_CLR view: pending
        CHECK(cpu1.read32(AIC_EVENT) == (EVENT_IPI | 1));
        cpu1.write32(AIC_IPI_ACK, IPI_OTHER);
        cpu1.write32(AIC_IPI_MASK_CLR, IPI_OTHER);
        cpu0.write32(0x5000 + 0x80 + 0x08, IPI_OTHER);  // AIC_CPU_IPI_SET(1)
        CHECK(aic.cpu_irq(1).level());
        cpu0.write32(0x5000 + 0x80 + 0x0c, IPI_OTHER);  // AIC_CPU_IPI_CLR(1)
        CHECK_FALSE(aic.cpu_irq(1).level());

        cpu0.write32(AIC_TARGET_CPU + 4 * 100, 1u << 1);  // aic_irq_set_affinity(core 1)
        cpu0.write32(mask_word(AIC_MASK_CLR, 100), mask_bit(100));
        dev.set(true);
        CHECK_FALSE(aic.cpu_irq(0).level());
        CHECK(aic.cpu_irq(1).level());
        CHECK(cpu0.read32(AIC_EVENT) == 0);
        CHECK(cpu1.read32(AIC_EVENT) == (EVENT_IRQ | 100));
    });
}

TEST_CASE("AIC access rules and interrupt specifiers") {
    irq::apple_aic aic("aic", irq::apple_aic::config{});
    test::test_initiator cpu("cpu0");
    cpu.socket.bind(aic.socket);
    core::irq_line line;
    CHECK(aic.interrupt_cells() == 3);
    CHECK(aic.describe({0, 605, 4}) == "IRQ 605, level high");
    auto refused = [&](std::vector<uint32_t> spec, const std::string& why) {
        INFO(why);
        try {
            aic.connect(spec, line, "/soc/dev");
            FAIL("accepted");
        } catch (const core::config_error& e) {
            std::string text = e.what();
            CHECK(text.find("/soc/dev") != std::string::npos);
            CHECK(text.find(why) != std::string::npos);
        }
    };
    refused({0, 896, 4}, "IRQ 896 does not exist");
    refused({0, 1, 8}, "flags 8");
    refused({1, 6, 4}, "FIQ 6 does not exist");
    refused({1, 0, 1}, "flags 1");
    refused({2, 0, 4}, "type 2");
    refused({0, 0, 605, 4}, "4 cells");
    irq::apple_aic::config bad;
    bad.num_irqs = 2000;
    CHECK_THROWS_AS(irq::apple_aic("aic_bad", bad), core::config_error);
    test::run_script([&] {
        uint64_t v = 0;
        CHECK(cpu.read(AIC_EVENT, v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(cpu.read(AIC_EVENT, v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(cpu.read(AIC_INFO + 2, v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // misaligned
        CHECK(cpu.read(0x1000, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);        // nothing there
        CHECK(cpu.read(AIC_TARGET_CPU + 4 * 896, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // past the IRQs
        cpu.write32(AIC_HW_STATE, 0xffffffff);  // read-only
        CHECK(cpu.read32(AIC_HW_STATE) == 0);
    });
}
