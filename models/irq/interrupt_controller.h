#pragma once
// What the platform builder needs from an interrupt controller model: turn the cells of a DT
// interrupt specifier (`interrupts`, `interrupts-extended`, an `interrupt-map` parent specifier)
// into one of the controller's inputs, and connect a model's interrupt output to it.
//
// Every controller (GICv2, Apple AIC) implements this; the builder never looks inside one.
// A specifier the controller cannot accept (wrong cell count, an interrupt number it does not
// have, a trigger type that does not exist) is a configuration error naming the cells and why.

#include <cstdint>
#include <string>
#include <vector>

#include "models/core/irq_line.h"
#include "models/irq/cpu_index.h"

namespace socsim::irq {

// A specifier as the DTS writes it, "<0 1 4>", for messages.
inline std::string specifier_text(const std::vector<uint32_t>& spec) {
    std::string text = "<";
    for (size_t i = 0; i < spec.size(); ++i) text += (i ? " " : "") + std::to_string(spec[i]);
    return text + ">";
}

class interrupt_controller {
public:
    virtual ~interrupt_controller() = default;

    // `#interrupt-cells` of the controller's DT node, as the model understands it.
    virtual unsigned interrupt_cells() const = 0;

    // Connects `source` to the input that `specifier` names. Throws core::config_error with a
    // one-line reason if the specifier is not one this controller has. `who` names the source
    // for messages ("/soc/serial@5000000").
    virtual void connect(const std::vector<uint32_t>& specifier, core::irq_line& source, const std::string& who) = 0;

    // Connects a per-core source (core `cpu`'s generic-timer output) to the input of that core
    // only, where the controller banks inputs per core (GIC PPIs, AIC FIQs). A controller without
    // banked inputs connects it as connect() does.
    virtual void connect_for_core(unsigned cpu, const std::vector<uint32_t>& specifier, core::irq_line& source,
                                  const std::string& who) {
        (void)cpu;
        connect(specifier, source, who);
    }

    // Names the core an access to a banked register comes from (cpu_index.h). Default: core 0.
    virtual void set_cpu_index(cpu_index_fn fn) = 0;

    // The controller's outputs to core `cpu` (0-based, in the order of the DT's cpu nodes): the
    // builder connects them to the core's set_irq / set_fiq. A controller without FIQ output
    // returns a line that never rises.
    virtual core::irq_line& cpu_irq(unsigned cpu) = 0;
    virtual core::irq_line& cpu_fiq(unsigned cpu) = 0;

    // A short description of the input a specifier names ("SPI 1, level high"), for `socsim info`.
    virtual std::string describe(const std::vector<uint32_t>& specifier) const = 0;
};

} // namespace socsim::irq
