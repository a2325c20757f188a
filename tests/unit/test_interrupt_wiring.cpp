// The builder's interrupt wiring (platforms/builder/interrupt_wiring.h), against a test-only
// interrupt controller: `interrupts` with an inherited interrupt parent, `interrupts-extended`,
// `interrupt-names`, PCI INTx through `interrupt-map`, the generic timer, the controller's
// outputs to the core, and each configuration error.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/cpu/arm64_cpu.h"
#include "models/devices/edu.h"
#include "models/devices/pl011.h"
#include "models/irq/interrupt_controller.h"
#include "platforms/builder/device_tree.h"
#include "platforms/builder/platform.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

// A controller with 3-cell specifiers <type number flags>: type 0 or 1, anything else is refused.
// It remembers who is connected to which input and the level of each input.
class fake_intc : public sc_core::sc_module, public irq::interrupt_controller {
public:
    explicit fake_intc(sc_core::sc_module_name name) : sc_module(name) {}

    unsigned interrupt_cells() const override { return 3; }
    void connect(const std::vector<uint32_t>& spec, core::irq_line& source, const std::string& who) override {
        if (spec[0] > 1) throw core::config_error("type " + std::to_string(spec[0]) + " does not exist");
        connections[who] = spec;
        source.on_change([this, spec](bool level) { levels[spec] = level; });
    }
    void set_cpu_index(irq::cpu_index_fn) override {}
    core::irq_line& cpu_irq(unsigned cpu) override { return irq_out.at(cpu); }
    core::irq_line& cpu_fiq(unsigned cpu) override { return fiq_out.at(cpu); }
    std::string describe(const std::vector<uint32_t>& spec) const override {
        return std::string(spec[0] ? "PPI " : "SPI ") + std::to_string(spec[1]);
    }

    std::map<std::string, std::vector<uint32_t>> connections;
    std::map<std::vector<uint32_t>, bool> levels;
    std::vector<core::irq_line> irq_out = std::vector<core::irq_line>(1), fiq_out = std::vector<core::irq_line>(1);
};

fake_intc* last_intc = nullptr;

void register_fake_intc() {
    static bool done = false;
    if (done) return;
    done = true;
    platform::add_model_entry({{"test,intc"}, "test-only interrupt controller", [](platform::model_context& ctx) {
                                   auto intc = std::make_unique<fake_intc>(ctx.instance.c_str());
                                   last_intc = intc.get();
                                   platform::built_model m;
                                   m.interrupt_controller = intc.get();
                                   m.module = std::move(intc);
                                   return m;
                               }});
}

// A CPU, RAM, the controller (`intc_compatible`), a PL011, an SMMUv3 with named interrupts, two
// masters under a simple-bus (one inheriting the root's interrupt-parent, one with
// interrupts-extended), a PCIe host with QEMU virt's interrupt-map and an edu at 00:01.0, and the
// generic timer. `edit` replaces text in it first (pairs of old, new).
std::string board(const std::string& intc_compatible = "test,intc",
                  const std::vector<std::pair<std::string, std::string>>& edits = {}) {
    std::string dts = R"(/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    interrupt-parent = <&intc>;
    memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x100000>; };
    cpus { #address-cells = <1>; #size-cells = <0>; cpu@0 { compatible = "arm,cortex-a57"; reg = <0>; }; };
    intc: interrupt-controller@8000000 {
        compatible = "INTC";
        #interrupt-cells = <3>;
        #address-cells = <2>;
        interrupt-controller;
        reg = <0x0 0x08000000 0x0 0x10000>;
    };
    uart0: pl011@9000000 { compatible = "arm,pl011"; reg = <0x0 0x09000000 0x0 0x1000>; interrupts = <0 1 4>; };
    smmu: iommu@9050000 {
        compatible = "arm,smmu-v3";
        reg = <0x0 0x09050000 0x0 0x20000>;
        interrupts = <0 74 1>, <0 77 1>;
        interrupt-names = "eventq", "gerror";
        #iommu-cells = <1>;
    };
    soc {
        compatible = "simple-bus";
        #address-cells = <2>;
        #size-cells = <2>;
        ranges;
        dma@9100000 { compatible = "socsim,dma-engine"; reg = <0x0 0x09100000 0x0 0x1000>; interrupts-extended = <&intc 0 20 4>; };
        scanout@9101000 { compatible = "socsim,scanout"; reg = <0x0 0x09101000 0x0 0x1000>; interrupts = <0 21 4>; };
    };
    pcie@10000000 {
        compatible = "pci-host-ecam-generic";
        device_type = "pci";
        #address-cells = <3>;
        #size-cells = <2>;
        #interrupt-cells = <1>;
        reg = <0x0 0x3f000000 0x0 0x200000>;
        bus-range = <0 1>;
        ranges = <0x02000000 0x0 0x10000000 0x0 0x10000000 0x0 0x10000000>;
        interrupt-map-mask = <0x1800 0x0 0x0 0x7>;
        interrupt-map = <0x0000 0x0 0x0 0x1 &intc 0x0 0x0 0x0 0x3 0x4>,
                        <0x0800 0x0 0x0 0x1 &intc 0x0 0x0 0x0 0x4 0x4>,
                        <0x0800 0x0 0x0 0x2 &intc 0x0 0x0 0x0 0x5 0x4>;
        edu@1 { compatible = "pci1234,11e8"; reg = <0x0800 0x0 0x0 0x0 0x0>; };
    };
    timer { compatible = "arm,armv8-timer"; interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>; };
};
)";
    dts.replace(dts.find("INTC"), 4, intc_compatible);
    for (const auto& [from, to] : edits) {
        size_t at = dts.find(from);
        REQUIRE(at != std::string::npos);
        dts.replace(at, from.size(), to);
    }
    return dts;
}

std::string build_error(const std::string& dts) {
    register_fake_intc();
    test::temp_file f(dts, ".dts");
    try {
        platform::platform plat(platform::device_tree::from_file(f.path), {});
    } catch (const core::config_error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("every interrupt output reaches the controller input its DT specifier names") {
    register_fake_intc();
    test::temp_file f(board(), ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    REQUIRE(last_intc);
    const auto& c = last_intc->connections;
    using cells = std::vector<uint32_t>;
    CHECK(c.at("/pl011@9000000") == cells{0, 1, 4});
    CHECK(c.at("/iommu@9050000 eventq") == cells{0, 74, 1});
    CHECK(c.at("/iommu@9050000 gerror") == cells{0, 77, 1});
    CHECK(c.at("/soc/dma@9100000") == cells{0, 20, 4});      // interrupts-extended
    CHECK(c.at("/soc/scanout@9101000") == cells{0, 21, 4});  // interrupt-parent inherited from the root
    CHECK(c.at("/pcie@10000000 00:01.0 INTA") == cells{0, 4, 4});  // slot 1, INTA: SPI 3 + 1
    CHECK(c.at("/timer sec-phys (cpu)") == cells{1, 13, 4});
    CHECK(c.at("/timer phys (cpu)") == cells{1, 14, 4});
    CHECK(c.at("/timer virt (cpu)") == cells{1, 11, 4});
    CHECK(c.at("/timer hyp-phys (cpu)") == cells{1, 10, 4});
    CHECK(c.size() == 10);

    // The lines are live: a level set by the model arrives at the controller's input.
    auto* uart = dynamic_cast<devices::pl011*>(sc_core::sc_find_object("uart0"));
    auto* edu = dynamic_cast<devices::edu*>(sc_core::sc_find_object("pcie_edu"));
    REQUIRE(uart);
    REQUIRE(edu);
    uart->irq.set(true);
    edu->intx.set(true);
    plat.cpu()->timer_virt_irq.set(true);
    CHECK(last_intc->levels[{0, 1, 4}]);
    CHECK(last_intc->levels[{0, 4, 4}]);
    CHECK(last_intc->levels[{1, 11, 4}]);
    uart->irq.set(false);
    CHECK_FALSE(last_intc->levels[{0, 1, 4}]);

    std::ostringstream info;
    plat.describe(info);
    const std::string text = info.str();
    CHECK(text.find("/pl011@9000000            uart0  arm,pl011  irq SPI 1\n") != std::string::npos);
    CHECK(text.find("  uart0                -> intc SPI 1\n") != std::string::npos);
    CHECK(text.find("  smmu eventq          -> intc SPI 74\n") != std::string::npos);
    CHECK(text.find("  smmu priq            -> nothing (no interrupt in the DT for it: unconnected)\n") !=
          std::string::npos);
    CHECK(text.find("  pcie_edu INTA        -> intc SPI 4\n") != std::string::npos);
    CHECK(text.find("  cpu timer hyp-phys   -> intc PPI 10\n") != std::string::npos);
    CHECK(text.find("  intc IRQ, FIQ        -> cpu core 0 IRQ, FIQ inputs\n") != std::string::npos);
}

TEST_CASE("lines to a controller without a model stay unconnected, with one warning for the controller") {
    std::ostringstream log;
    core::set_log_stream(&log);
    test::temp_file f(board("acme,intc"), ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    CHECK(text.find("no model for /interrupt-controller@8000000 (compatible \"acme,intc\")") != std::string::npos);
    CHECK(text.find("interrupt controller /interrupt-controller@8000000 (acme,intc) has no model: the interrupt "
                    "lines of uart0, smmu, dma, scanout, pcie_edu, cpu to it stay unconnected\n") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
    std::ostringstream info;
    plat.describe(info);
    CHECK(info.str().find("  uart0                -> intc <0x0 0x1 0x4>  (intc not modelled: unconnected)\n") !=
          std::string::npos);
}

TEST_CASE("a disabled controller: its lines stay unconnected, with one warning") {
    std::ostringstream log;
    core::set_log_stream(&log);
    test::temp_file f(board("arm,cortex-a15-gic", {{"interrupt-controller;", "interrupt-controller; status = \"disabled\";"}}),
                      ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    CHECK(text.find("(arm,cortex-a15-gic) is disabled: the interrupt lines of uart0,") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    std::ostringstream info;
    plat.describe(info);
    // The GIC binding is still read for `info`: SPI/PPI, trigger.
    CHECK(info.str().find("  smmu eventq          -> intc SPI 74, edge rising  (intc not modelled: unconnected)\n") !=
          std::string::npos);
}

TEST_CASE("interrupt wiring errors: a specifier whose cell count is not the parent's #interrupt-cells") {
    CHECK_THAT(build_error(board("test,intc", {{"interrupts = <0 1 4>", "interrupts = <0 1>"}})),
               Catch::Contains("/pl011@9000000: 'interrupts' has 2 cells, not a multiple of #interrupt-cells (3) of its "
                               "interrupt parent /interrupt-controller@8000000"));
}

TEST_CASE("interrupt wiring errors: an interrupts-extended entry shorter than its controller's #interrupt-cells") {
    CHECK_THAT(build_error(board("test,intc", {{"<&intc 0 20 4>", "<&intc 0 20>"}})),
               Catch::Contains("/soc/dma@9100000: interrupts-extended: the entry for /interrupt-controller@8000000 has "
                               "fewer than its #interrupt-cells (3) cells"));
}

TEST_CASE("interrupt wiring errors: an interrupt-parent that is not an interrupt controller") {
    CHECK_THAT(build_error(board("test,intc", {{"interrupts = <0 1 4>", "interrupt-parent = <&smmu>; interrupts = <0 1 4>"}})),
               Catch::Contains("/pl011@9000000: interrupt-parent /iommu@9050000 is not an interrupt controller (it has "
                               "no #interrupt-cells)"));
}

TEST_CASE("interrupt wiring errors: a parent with #interrupt-cells but neither interrupt-controller nor interrupt-map") {
    CHECK_THAT(build_error(board("test,intc", {{"#interrupt-cells = <3>;\n        #address-cells = <2>;\n        interrupt-controller;",
                                                "#interrupt-cells = <3>;\n        #address-cells = <2>;"}})),
               Catch::Contains("/pl011@9000000: interrupt parent /interrupt-controller@8000000 is not an interrupt "
                               "controller (neither interrupt-controller nor interrupt-map)"));
}

TEST_CASE("interrupt wiring errors: no interrupt-map entry for a PCI function with an interrupt pin") {
    CHECK_THAT(build_error(board("test,intc", {{"<0x0800 0x0 0x0 0x1 &intc", "<0x1000 0x0 0x0 0x1 &intc"}})),
               Catch::Contains("/pcie@10000000: no interrupt-map entry for PCI function 00:01.0 INTA (unit address "
                               "<0x800 0x0 0x0>, specifier <0x1>, interrupt-map-mask <0x1800 0x0 0x0 0x7>)"));
}

TEST_CASE("interrupt wiring errors: interrupt-names and interrupts of different lengths") {
    CHECK_THAT(build_error(board("test,intc", {{"\"eventq\", \"gerror\"", "\"eventq\""}})),
               Catch::Contains("/iommu@9050000: 'interrupt-names' has 1 names for 2 interrupts"));
}

TEST_CASE("interrupt wiring errors: an interrupt name the model has no output for") {
    CHECK_THAT(build_error(board("test,intc", {{"\"eventq\", \"gerror\"", "\"eventq\", \"combined\""}})),
               Catch::Contains("/iommu@9050000: interrupt-names \"combined\": the model has no output of that name (it "
                               "has eventq, priq, cmdq-sync, gerror)"));
}

TEST_CASE("interrupt wiring errors: more interrupts than the model has outputs") {
    CHECK_THAT(build_error(board("test,intc", {{"interrupts = <0 1 4>", "interrupts = <0 1 4>, <0 2 4>"}})),
               Catch::Contains("/pl011@9000000: has 2 interrupts, but its model has 1 interrupt output"));
}

TEST_CASE("interrupt wiring errors: a specifier the controller model refuses names the line") {
    CHECK_THAT(build_error(board("test,intc", {{"interrupts = <0 1 4>", "interrupts = <7 1 4>"}})),
               Catch::Contains("/pl011@9000000: type 7 does not exist"));
}

TEST_CASE("the generic timer by interrupt-names (Apple's order, no secure timer), hyp-virt has no CPU output") {
    register_fake_intc();
    test::temp_file f(board("test,intc", {{"interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>;",
                                           "interrupt-names = \"phys\", \"virt\", \"hyp-phys\", \"hyp-virt\"; "
                                           "interrupts = <1 2 4>, <1 3 4>, <1 0 4>, <1 1 4>;"}}),
                      ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    REQUIRE(last_intc);
    using cells = std::vector<uint32_t>;
    const auto& c = last_intc->connections;
    CHECK(c.at("/timer phys (cpu)") == cells{1, 2, 4});
    CHECK(c.at("/timer virt (cpu)") == cells{1, 3, 4});
    CHECK(c.at("/timer hyp-phys (cpu)") == cells{1, 0, 4});
    CHECK(c.count("/timer hyp-virt (cpu)") == 0);
    plat.cpu()->timer_phys_irq.set(true);
    CHECK(last_intc->levels[{1, 2, 4}]);
    std::ostringstream info;
    plat.describe(info);
    CHECK(info.str().find("  cpu timer hyp-virt   -> intc PPI 1  (the CPU model has no EL2 virtual timer: unconnected)\n") !=
          std::string::npos);
}

TEST_CASE("a host bridge without interrupt-map leaves its functions' INTx unconnected, without an error") {
    register_fake_intc();
    std::string dts = board();
    const size_t from = dts.find("        interrupt-map-mask");
    const size_t to = dts.find("        edu@1");
    dts.erase(from, to - from);
    test::temp_file f(dts, ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    std::ostringstream info;
    plat.describe(info);
    CHECK(info.str().find("  pcie_edu INTA        -> nothing (no interrupt in the DT for it: unconnected)\n") !=
          std::string::npos);
}
