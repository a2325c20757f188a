#pragma once
// Apple Interrupt Controller, first version (M1 / t8103), with the registers Linux's
// irq-apple-aic.c uses. Facts and sources: docs/hardware/apple-aic.md.
//
// DT: compatible "apple,aic" (the t8103 node also lists "apple,t8103-aic"); `reg` = the register
// block (the layout below needs 0x5000 + 0x80 per core). `#interrupt-cells` = 3. Knob:
// `socsim,num-irqs` = hardware IRQs (1..1024, default 896 as t8103; AIC_INFO reports it). The
// number of cores is the number of `cpu` nodes under /cpus (1 to 16; t8103 has 8).
//
// Interrupt specifier <type number flags>: type 0 = AIC_IRQ (hardware IRQ `number`, flags 4 level
// high or 1 edge rising), type 1 = AIC_FIQ (`number` 0 HV physical timer, 1 HV virtual timer,
// 2 guest physical timer, 3 guest virtual timer, 4/5 the PMU (efficiency / performance cores);
// flags 4 only). Anything else (the 4-cell form with a die, another type) is a config_error.
//
// Hardware IRQs are level-triggered in the AIC: HW_STATE follows the ORed sources. The AIC has
// no edge detector; for a source declared edge (1), a rising edge is held as if the line stayed
// high until that IRQ is acknowledged by an AIC_EVENT read (the model's choice: it keeps a
// pulse, e.g. an MSI, from being lost).
// FIQs: the AIC does not latch or route them. On hardware the core's timers and PMU raise FIQ
// directly and Linux reads their state from the core's own registers (CNTx_CTL), never from the
// AIC. The model only ORs the FIQ sources connected to a core into cpu_fiq(core). With the
// generic connect() every FIQ source drives core 0 (socsim simulates one core); connect_fiq()
// names the core.
//
// Delivery and acknowledge: an IRQ is deliverable to core c when it is pending (HW_STATE or
// SW_SET), not masked, and TARGET_CPU[irq] has bit c. cpu_irq(c) is raised while any IRQ is
// deliverable to c or an unmasked IPI is pending on c. Reading AIC_EVENT as core c returns the
// lowest-numbered deliverable IRQ as (type 1 << 16) | irq and masks it (MASK_SET bit), else an
// unmasked pending IPI as (type 4 << 16) | 1 (other) or | 2 (self) and masks that IPI, else 0.
// Hardware IRQs come before IPIs, and "other" before "self" (sources silent: the model's order).
// AIC_IPI_SEND bit n sends the "other" IPI to core n, bit 31 the "self" IPI to the sender;
// AIC_IPI_ACK clears, AIC_IPI_MASK_SET / _CLR mask and unmask the accessing core's IPIs
// (bit 0 other, bit 31 self); their reads return the pending bits (ACK) and the mask (MASK_*).
//
// Reset values: AIC_INFO = num-irqs; AIC_CONFIG 0 (stored, no effect); every IRQ masked, no
// software pending, TARGET_CPU 0 (delivered nowhere until programmed, as Linux does at init:
// the model does not guess what iBoot leaves); IPIs not pending and masked.
// Registers are 32-bit: other sizes or misaligned accesses, and offsets with no register, get a
// TLM error. Writes to read-only registers are ignored.

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/core/irq_line.h"
#include "models/core/log.h"
#include "models/core/register_file.h"
#include "models/irq/cpu_index.h"
#include "models/irq/interrupt_controller.h"

namespace socsim::irq {

class apple_aic : public sc_core::sc_module, public interrupt_controller {
public:
    struct config {
        unsigned num_irqs = 896;
        unsigned num_cpus = 1;
    };

    // AIC_EVENT types.
    static constexpr uint32_t event_irq = 1, event_ipi = 4;
    static constexpr uint32_t ipi_other = 1u << 0, ipi_self = 1u << 31;
    static constexpr unsigned num_fiqs = 6;

    tlm_utils::simple_target_socket<apple_aic> socket;

    // Throws core::config_error for a configuration the AIC cannot have.
    apple_aic(sc_core::sc_module_name name, const config& cfg);

    // interrupt_controller
    unsigned interrupt_cells() const override { return 3; }
    void connect(const std::vector<uint32_t>& specifier, core::irq_line& source, const std::string& who) override;
    core::irq_line& cpu_irq(unsigned cpu) override;
    core::irq_line& cpu_fiq(unsigned cpu) override;
    std::string describe(const std::vector<uint32_t>& specifier) const override;

    // Connects a FIQ source (AIC_FIQ number `fiq`, < num_fiqs) to core `cpu`'s FIQ output.
    void connect_fiq(unsigned cpu, unsigned fiq, core::irq_line& source);
    // A FIQ source (a core's timer) goes to core `cpu`; hardware IRQs as connect().
    void connect_for_core(unsigned cpu, const std::vector<uint32_t>& specifier, core::irq_line& source,
                          const std::string& who) override;

    // Which core each access comes from (default: all core 0).
    void set_cpu_index(cpu_index_fn fn) override { cpu_of_ = std::move(fn); }

    const config& configuration() const { return cfg_; }
    core::register_file& registers() { return regs_; }

private:
    struct hw_irq {
        std::vector<core::irq_line*> sources;
        bool line = false;     // OR of the sources
        bool edge = false;     // declared edge: a rising edge is held until acknowledged
        bool held = false;
        bool sw = false;
        bool masked = true;
        uint32_t targets = 0;
    };
    struct cpu_state {
        uint32_t ipi_pending = 0, ipi_mask = ipi_other | ipi_self;
        std::vector<core::irq_line*> fiq_sources;
        core::irq_line irq, fiq;
    };

    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& p);
    void serve(tlm::tlm_generic_payload& p, bool debug);
    void declare_registers();

    bool hw_state(const hw_irq& h) const { return h.line || h.held; }
    bool deliverable(unsigned cpu, const hw_irq& h) const {
        return (hw_state(h) || h.sw) && !h.masked && ((h.targets >> cpu) & 1);
    }
    uint32_t read_event(unsigned cpu, bool debug);
    void send_ipi(uint32_t value);
    void update();
    void irq_source_changed(unsigned irq);
    void fiq_source_changed(unsigned cpu);
    // Words of 32 IRQ bits, for SW_SET/SW_CLR/MASK_SET/MASK_CLR/HW_STATE.
    uint32_t word(unsigned index, bool (apple_aic::*bit)(unsigned irq) const) const;
    bool bit_sw(unsigned irq) const { return irqs_[irq].sw; }
    bool bit_masked(unsigned irq) const { return irqs_[irq].masked; }
    bool bit_hw(unsigned irq) const { return hw_state(irqs_[irq]); }

    struct parsed_specifier {
        bool fiq;
        unsigned number;
        unsigned trigger;
    };
    parsed_specifier parse(const std::vector<uint32_t>& specifier) const;
    // parse(), with `who` (the source) in front of the error message.
    parsed_specifier parse_for(const std::vector<uint32_t>& specifier, const std::string& who) const;

    config cfg_;
    std::vector<hw_irq> irqs_;
    std::vector<cpu_state> cpus_;
    unsigned cpu_ = 0;
    cpu_index_fn cpu_of_;
    core::register_file regs_;
    core::logger log_;
};

} // namespace socsim::irq
