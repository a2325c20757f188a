#pragma once
// Arm Generic Interrupt Controller v2 (GIC-400 class): the distributor and one CPU interface per
// core, as Linux's irq-gic.c, U-Boot and bare-metal firmware program them. Facts and sources:
// docs/hardware/gic-v2.md.
//
// DT: compatible "arm,cortex-a15-gic" or "arm,gic-400"; `reg` = distributor (4 KiB used),
// CPU interface (8 KiB used: GICC_DIR is at 0x1000), and optionally the virtualization
// interface and virtual CPU interface (GICH, GICV), which are not modelled: they read as zero
// and ignore writes. Regions larger than that (QEMU's virt maps 64 KiB each) read as zero and
// ignore writes past the registers, like reserved offsets. `#interrupt-cells` = 3.
// Knobs: `socsim,num-irqs` = the number of interrupt IDs including the 32 SGIs/PPIs (default
// 256; a multiple of 32 from 32 to 992, or 1020); `socsim,priority-bits` = implemented priority
// bits (4..8, default 8 as QEMU's GICv2). The number of CPU interfaces is the number of `cpu`
// nodes under /cpus (1 to 8). Children compatible "arm,gic-v2m-frame" are MSI frames (gic_v2m).
//
// Interrupt specifier <type number flags>: type 0 = SPI (ID = number + 32), type 1 = PPI (ID =
// number + 16, number < 16; flags[15:8] = the cores whose PPI the source drives, 0 = all);
// flags[3:0] = trigger: 1 (edge rising) or 4 (level high); for PPIs also 2 (edge falling) and 8
// (level low), which Linux accepts for PPIs (the arch timer on Allwinner DTs) and which describe
// the signal before board inversion: the source's irq_line is taken as "asserted". Anything else
// is a config_error. The flags are checked and described, never programmed: GICD_ICFGR (reset:
// level) decides how the input is sampled, as on hardware. Several sources on one input are ORed.
//
// One security state: the model is a GICv2 without the Security Extensions (QEMU's virt with
// security off), so GICD_TYPER.SecurityExtn = 0 and every access sees the single register bank.
// Both groups exist: IGROUPR (reset 0: Group 0) selects them; GICD_CTLR bits 0/1 and GICC_CTLR
// bits 0/1 enable Group 0/1. Group 0 is signalled as FIQ when GICC_CTLR.FIQEn is set, else IRQ;
// Group 1 is always IRQ. GICC_IAR acknowledges both groups, except a Group 1 interrupt with
// GICC_CTLR.AckCtl = 0 reads 1022 and stays pending. GICC_AIAR/AEOIR/AHPPIR/ABPR are the Group 1
// aliases: AIAR acknowledges only Group 1 (1023 when the highest is Group 0). CBPR selects BPR for
// both groups' preemption. The bypass-disable bits are stored and have no effect (no legacy
// bypass signals). GICC_NSAPRn read as zero.
//
// Reset values: GICD_CTLR 0, GICD_IIDR 0x0200143b, GICD_TYPER ITLinesNumber = num-irqs/32 - 1,
// CPUNumber = cores - 1, SecurityExtn 0; everything disabled, inactive, not pending, priority 0,
// Group 0, SPIs level-sensitive; SGIs are always enabled (ISENABLER0[15:0] read as 1 and ignore
// writes, as on GIC-400) and edge (ICFGR0 = 0xaaaaaaaa, read-only); PPIs are level-sensitive
// and their ICFGR1 bits are read-only zero (GIC-400 fixes its PPIs' configuration). GICC_CTLR 0,
// GICC_PMR 0 (everything masked), GICC_BPR = the minimum (7 - priority bits, at least 0), GICC_ABPR
// = that + 1, GICC_IIDR 0x0202143b, peripheral IDs those of a GIC-400.
//
// With one core, GICD_ITARGETSR reads as zero and ignores writes and every SPI goes to core 0
// (the specification's rule for uniprocessor GICs, which QEMU follows). With several, the
// SGI/PPI bytes read the accessing core's own bit and SPI bytes are writable per core.
//
// Priorities: the top `priority-bits` bits of each byte are kept, the rest read as zero. Active
// priorities (GICC_APRn) hold one bit per group-priority level, levels being the top
// min(priority-bits, 7) bits (128 levels: APR0..3, 32 levels: APR0 only).
// Choices where sources are silent or differ: GICC_HPPIR reports the highest-priority pending
// interrupt the interface would take if its priority were not masked (PMR and running priority
// are not applied); EOI with no active priority is ignored with a warning; a pulse on a
// level-sensitive SPI (an MSI to a SPI left level-triggered) is lost with a warning, as the
// hardware samples the line (QEMU latches it); a GICC_DIR write deactivates the ID whatever
// EOImode is (the specification leaves DIR with EOImode 0 unpredictable).
//
// Register accesses: 32-bit everywhere; 8-bit also for IPRIORITYR, ITARGETSR, CPENDSGIR and
// SPENDSGIR; any other size or a misaligned access gets TLM_COMMAND_ERROR_RESPONSE. Writes to
// read-only registers are ignored. Reserved offsets and registers of IDs beyond num-irqs read as
// zero and ignore writes.

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/core/irq_line.h"
#include "models/core/log.h"
#include "models/core/peripheral.h"
#include "models/core/register_file.h"
#include "models/irq/cpu_index.h"
#include "models/irq/interrupt_controller.h"

namespace socsim::irq {

class gic_v2m;

class gic_v2 : public sc_core::sc_module, public interrupt_controller {
public:
    struct config {
        unsigned num_irqs = 256;       // interrupt IDs, SGIs and PPIs included
        unsigned num_cpus = 1;         // CPU interfaces, 1..8
        unsigned priority_bits = 8;    // 4..8
        unsigned unmodelled_regions = 0;  // GICH/GICV regions to provide (read zero), 0..2
    };

    static constexpr unsigned spurious = 1023;

    tlm_utils::simple_target_socket<gic_v2> distributor;
    tlm_utils::simple_target_socket<gic_v2> cpu_interface;

    // Throws core::config_error when the configuration is not one a GICv2 can have.
    gic_v2(sc_core::sc_module_name name, const config& cfg);
    ~gic_v2() override;

    // interrupt_controller
    unsigned interrupt_cells() const override { return 3; }
    void connect(const std::vector<uint32_t>& specifier, core::irq_line& source, const std::string& who) override;
    // A PPI goes to core `cpu`'s bank only (the specifier's core mask is not consulted: a
    // core-private source is wired to its own core).
    void connect_for_core(unsigned cpu, const std::vector<uint32_t>& specifier, core::irq_line& source,
                          const std::string& who) override;
    core::irq_line& cpu_irq(unsigned cpu) override;
    core::irq_line& cpu_fiq(unsigned cpu) override;
    std::string describe(const std::vector<uint32_t>& specifier) const override;

    // A rising edge on SPI `intid` (32..num_irqs-1) with nothing held: what an MSI frame does.
    // Latches the SPI pending when it is configured edge-triggered; lost (warning) when level.
    void pulse_spi(unsigned intid);

    // Takes ownership of an MSI frame built for this GIC's child node and attaches it to this
    // GIC (gic_v2m::attach: throws core::config_error when its SPIs are not all this GIC's).
    gic_v2m& adopt_msi_frame(std::unique_ptr<gic_v2m> frame);

    // The GICH/GICV stand-ins (config.unmodelled_regions of them): read zero, ignore writes.
    tlm::tlm_target_socket<>& unmodelled_region(unsigned i);

    // Which core each access comes from (default: all core 0).
    void set_cpu_index(cpu_index_fn fn) override { cpu_of_ = std::move(fn); }

    const config& configuration() const { return cfg_; }
    unsigned num_irqs() const { return cfg_.num_irqs; }

    core::register_file& distributor_registers() { return dist_; }
    core::register_file& cpu_interface_registers() { return cpuif_; }

private:
    // State of one interrupt ID (for SGIs/PPIs: one per core).
    struct irq_state {
        bool enabled = false;
        bool latched = false;  // pending from an edge, ISPENDR or an MSI (not SGIs)
        bool active = false;
        bool group1 = false;
        bool edge = false;
        bool line = false;     // OR of the connected sources
        uint8_t priority = 0;
        uint8_t targets = 0;   // SPIs, with several cores
    };
    // One input: the sources driving it.
    struct input {
        std::vector<core::irq_line*> sources;
        bool level = false;
    };
    struct cpu_state {
        std::array<irq_state, 32> banked{};
        std::array<uint8_t, 16> sgi_sources{};  // per SGI: the cores it is pending from
        std::array<input, 16> ppi_inputs;
        uint32_t ctlr = 0;
        uint8_t pmr = 0;
        uint8_t bpr = 0, abpr = 0;
        std::bitset<256> active_priorities;  // by group priority value
        core::irq_line irq, fiq;
    };
    struct candidate {
        unsigned id = spurious;
        unsigned priority = 0x100;
        bool group1 = false;
    };

    void declare_distributor();
    void declare_cpu_interface();
    void dist_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned dist_transport_dbg(tlm::tlm_generic_payload& p);
    void cpu_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned cpu_transport_dbg(tlm::tlm_generic_payload& p);
    void serve(core::register_file& regs, tlm::tlm_generic_payload& p, bool debug);

    bool implemented(unsigned id) const { return id < cfg_.num_irqs && id < 1020; }
    irq_state& state(unsigned cpu, unsigned id) { return id < 32 ? cpus_[cpu].banked[id] : spis_[id]; }
    const irq_state& state(unsigned cpu, unsigned id) const { return id < 32 ? cpus_[cpu].banked[id] : spis_[id]; }
    bool pending(unsigned cpu, unsigned id) const;
    bool targets_cpu(unsigned cpu, unsigned id) const;
    uint8_t group_priority(const cpu_state& c, unsigned priority, bool group1) const;
    unsigned running_priority(const cpu_state& c) const;
    // The highest-priority pending, enabled, inactive interrupt for `cpu` among the groups
    // enabled in both the distributor and the CPU interface.
    candidate highest_pending(unsigned cpu) const;
    // The candidate if PMR and the running priority let it through, else none.
    candidate signalled(unsigned cpu) const;
    uint32_t acknowledge(unsigned cpu, bool alias, bool debug);
    void end_of_interrupt(unsigned cpu, uint32_t value, bool alias);
    void deactivate(unsigned cpu, unsigned id);
    uint32_t hppir(unsigned cpu, bool alias) const;
    void update();

    struct parsed_specifier {
        unsigned id;
        unsigned cpu_mask;  // PPIs
        unsigned trigger;
    };
    parsed_specifier parse(const std::vector<uint32_t>& specifier) const;
    // parse(), with `who` (the source) in front of the error message.
    parsed_specifier parse_for(const std::vector<uint32_t>& specifier, const std::string& who) const;
    void attach_source(input& in, core::irq_line& source, unsigned cpu, unsigned id);
    void input_changed(input& in, unsigned cpu, unsigned id);

    // Bits of a 32-bit per-interrupt register `index` (one bit per ID).
    uint32_t read_bits(unsigned index, bool (gic_v2::*bit)(unsigned cpu, unsigned id) const) const;
    bool bit_enabled(unsigned cpu, unsigned id) const;
    bool bit_pending(unsigned cpu, unsigned id) const { return pending(cpu, id); }
    bool bit_active(unsigned cpu, unsigned id) const { return state(cpu, id).active; }
    bool bit_group1(unsigned cpu, unsigned id) const { return state(cpu, id).group1; }
    template <typename F> void for_each_bit(unsigned index, uint32_t value, F f);
    void send_sgi(uint32_t value);

    config cfg_;
    uint8_t priority_mask_;  // the implemented priority bits
    unsigned min_bpr_;
    unsigned level_bits_;
    uint32_t gicd_ctlr_ = 0;
    std::vector<irq_state> spis_;   // indexed by ID; IDs below 32 unused
    std::vector<input> spi_inputs_;  // indexed by ID
    std::vector<cpu_state> cpus_;
    unsigned cpu_ = 0;  // the core of the access being served
    cpu_index_fn cpu_of_;
    core::register_file dist_, cpuif_;
    core::logger log_;
    std::vector<bool> warned_level_msi_;
    std::vector<std::unique_ptr<core::peripheral>> unmodelled_;
    std::vector<std::unique_ptr<gic_v2m>> frames_;
};

} // namespace socsim::irq
