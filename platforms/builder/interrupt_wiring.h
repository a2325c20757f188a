#pragma once
// The builder's interrupt wiring: every model's interrupt outputs to the interrupt controller the
// Device Tree names, and the controller's outputs to the cores. The one place in the builder that
// reads interrupt specifiers.
//
// What it follows (the Devicetree Specification, chapter 2.4, and Linux's of_irq_parse_raw):
// - a node's interrupt parent is its `interrupt-parent` phandle, else its parent node in the tree,
//   repeated until a node with `#interrupt-cells` is reached;
// - `interrupts-extended` (<&controller cells...> per line) is used instead of `interrupts` when
//   present; each `interrupts` entry has the parent's `#interrupt-cells` cells;
// - a parent with `interrupt-controller` is the controller; a parent with `interrupt-map` is a
//   nexus: (child unit address from the node's `reg`, specifier) & `interrupt-map-mask` selects an
//   entry, which names the next parent and its specifier (the parent's unit address has that
//   parent's `#address-cells` cells, 0 when absent);
// - `interrupt-names` name the entries: a model that names its outputs (built_model::irq_lines)
//   gets them by name, otherwise by index (`irq` is index 0);
// - PCI INTx: each function of a host bridge (built_model::pci_functions) with an interrupt pin is
//   looked up in the bridge node's `interrupt-map` with the unit address <bus << 16 | devfn << 8,
//   0, 0> and the pin (1..4), as Linux's of_irq_parse_pci does for a function on the root bus. The
//   swizzle (pin + device number) is the map's business: the map of QEMU's virt encodes it. Only
//   the root bus is modelled, so no swizzle through PCI-PCI bridges is applied here. A bridge
//   node with no `interrupt-map` describes no INTx routing: the pins stay unconnected;
// - `arm,armv8-timer` / `arm,armv7-timer` nodes: their entries are, in order or by
//   `interrupt-names`, "sec-phys", "phys", "virt", "hyp-phys" (and "hyp-virt", which the CPU model
//   does not have: left unconnected, noted in the log), wired to each core's timer outputs;
// - the root interrupt controller (one whose own `interrupts`, if any, such as a GIC's maintenance
//   interrupt, name itself) drives the cores: cpu_irq(i) / cpu_fiq(i) to core i's set_irq /
//   set_fiq, cores in DT order (socsim builds one core today). Two roots are an error.
//
// Configuration errors (core::config_error, one line naming the node and the rule): a specifier
// whose cell count does not match the parent's `#interrupt-cells`; an interrupt parent that is not
// an interrupt controller (neither `interrupt-controller` nor `interrupt-map`); a PCI function with
// a pin that no `interrupt-map` entry covers; an `interrupt-names` count that differs from the
// number of entries; a name the model has no output for; more entries than the model has outputs.
// A controller node with no model (disabled, or no model for its compatible) leaves the lines to
// it unconnected, with one warning per controller node.

#include <string>
#include <vector>

#include "platforms/builder/device_tree.h"
#include "platforms/builder/model_registry.h"

namespace socsim::platform {

// A built model as the wiring sees it.
struct wiring_model {
    std::string path;  // its node
    std::string name;  // its instance name
    built_model* model;
};

// One core, in DT order.
struct wiring_core {
    std::string name;
    cpu::arm64_cpu* cpu;
};

// One interrupt output as wired, for `socsim info`.
struct interrupt_route {
    std::string owner;       // the instance the line belongs to ("uart0", "pcie", "cpu")
    std::string source;      // the line: "uart0", "smmu eventq", "pcie_edu INTA", "cpu timer phys"
    std::string controller;  // the controller's instance name, or its node's label or name
    std::string input;       // what the specifier names there ("SPI 1, level high")
    bool connected = false;  // false: the controller has no model, the line goes nowhere
    std::string note;        // why a line the DT describes is not connected, when it is not that
};

// Wires every interrupt of `models` and `cores` as the tree says; returns the routes in the order
// of `models` (a model's lines in DT order, then its PCI functions' INTx), then the timers and the
// root controller's outputs to the cores. Throws core::config_error.
std::vector<interrupt_route> wire_interrupts(const device_tree& dt, const std::vector<wiring_model>& models,
                                             const std::vector<wiring_core>& cores);

} // namespace socsim::platform
