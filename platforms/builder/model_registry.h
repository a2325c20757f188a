#pragma once
// The registry from DT `compatible` to model factory, and what a factory receives and returns.
// The factories themselves live in factories/, one file per area, each listing its entries
// (`<area>_factories()`); model_registry.cpp only joins those lists in a fixed order, so the
// builder (this folder) is the only place that knows every model. Models never read the Device
// Tree themselves: a factory reads the node's properties and hands the model plain parameters.

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/core/address_range.h"
#include "models/core/irq_line.h"
#include "platforms/builder/device_tree.h"

namespace socsim::cpu {
class arm64_cpu;
}
namespace socsim::pcie {
class pcie_endpoint;
}
namespace socsim::memory {
class coherence_tracker;
}
namespace socsim::iommu {
class dma_checker;
class debug_view;
class dma_announcements;
}
namespace socsim::irq {
class interrupt_controller;
}

namespace socsim::platform {

// What the platform offers factories besides the node: the host's side of the UARTs (the
// console, files, stdin: platforms/host/serial_backend.h) and the firmware's path.
class platform_io {
public:
    virtual ~platform_io() = default;
    // The console (stdout) or, when `path` is not empty, a file opened (once) for writing.
    virtual std::ostream& output(const std::string& path) = 0;
    // A source of received characters: `path` is a file or "-" for stdin. The function returns
    // the next byte, or -1 when none is available now (never blocks; -1 for ever after the end).
    virtual std::function<int()> input(const std::string& path) = 0;
    virtual const std::string& firmware_path() const = 0;
};

struct model_context {
    const device_tree& dt;
    int node;
    std::string instance;  // the sc_module name
    std::vector<core::address_range> regs;
    platform_io& io;
    // The platform's memory-coherence tracker (one per platform): the CPU reports cache cleans to
    // it, non-coherent walkers (sun50i) check their table reads against it.
    memory::coherence_tracker* coherence = nullptr;
};

// What a factory built and how the builder wires it:
// - `targets` are mapped at the node's `reg` ranges on the bus;
// - `dma` is the socket a DMA master issues its transactions on (stamped with its stream id).
//   The builder binds it to the IOMMU named by the node's `iommus` through that IOMMU's
//   `accept_dma`, else straight to the bus; a PCIe host bridge lists in `dma_outputs` one socket
//   per IOMMU its `iommu-map` names, and the builder binds each to its IOMMU;
// - `downstream` is an IOMMU's (or bridge's) own way to memory: always bound to the bus;
// - `windows` are further targets mapped at ranges other than `reg` (a PCIe bridge's outbound
//   windows from `ranges`);
// - `endpoint` is set by factories of PCI functions: such a model is attached by its host
//   bridge's factory, never mapped by the builder;
// - `details` are extra lines for `socsim info` (windows, functions, stream ids): the model's
//   own description where it gives one (dart::describe, pcie_host_bridge::describe_functions);
// - `checker` is an IOMMU's DMA checker: the builder hands its announcement table to every
//   socsim,dma-debug device (`accept_announcements`) under the phandle of the IOMMU's node;
// - `irq` / `irq_lines` are the model's interrupt outputs and `interrupt_controller` is set by
//   interrupt-controller models; `pci_functions` lists a host bridge's functions with their INTx
//   pins. The builder wires them all from the DT (interrupt_wiring.h).
struct built_model {
    std::unique_ptr<sc_core::sc_module> module;
    std::vector<tlm::tlm_target_socket<>*> targets;  // one per `reg` entry, or one for all
    core::irq_line* irq = nullptr;
    // Models with several interrupt outputs name them as in the DT `interrupt-names` (SMMUv3:
    // "eventq", "priq", "cmdq-sync", "gerror"); `irq` is then the first of them.
    std::vector<std::pair<std::string, core::irq_line*>> irq_lines;
    // Set by interrupt-controller models (GICv2, Apple AIC): the builder connects every line whose
    // interrupt parent is this node through it, and its cpu_irq/cpu_fiq outputs to the cores.
    irq::interrupt_controller* interrupt_controller = nullptr;
    // Set by PCIe host bridges: each attached function with an interrupt pin, routed through the
    // bridge node's `interrupt-map`.
    struct pci_function {
        unsigned bus = 0;
        unsigned devfn = 0;
        unsigned pin = 0;  // 1..4 INTA..INTD
        core::irq_line* intx = nullptr;
        std::string name;  // the function's sc_module name ("pcie_edu")
    };
    std::vector<pci_function> pci_functions;
    cpu::arm64_cpu* cpu = nullptr;  // set for processors
    tlm::tlm_initiator_socket<>* dma = nullptr;
    // Set by masters with one DMA output per IOMMU (a PCIe host bridge whose `iommu-map` names
    // several IOMMUs): each output and the phandle of the IOMMU it goes to; `dma` is the first.
    struct dma_output {
        tlm::tlm_initiator_socket<>* socket = nullptr;
        uint32_t iommu_phandle = 0;
        uint64_t last_stream = 0;  // the highest stream id the bridge's map gives this IOMMU
    };
    std::vector<dma_output> dma_outputs;
    tlm::tlm_initiator_socket<>* downstream = nullptr;
    std::function<void(tlm::tlm_initiator_socket<>& master)> accept_dma;  // set by IOMMUs
    // Set by IOMMUs: the stream ids a master may name in `iommus` are 0 .. stream_count-1 (a DART's
    // streams, an H6's masters, an SMMUv3's 2^SIDSIZE); `stream_what` names them in messages
    // ("stream id", "master index"). 0: no bound is checked.
    uint64_t stream_count = 0;
    std::string stream_what = "stream id";
    iommu::dma_checker* checker = nullptr;                                 // set by IOMMUs
    std::function<void(uint32_t iommu_phandle, iommu::dma_announcements& table)> accept_announcements;
    struct window {
        core::address_range range;
        tlm::tlm_target_socket<>* socket;
        std::string what;  // "mem32 window", for the memory map
    };
    std::vector<window> windows;
    pcie::pcie_endpoint* endpoint = nullptr;  // owned by `module`
    // PCI functions: the DMA mask its driver would set (the device's own), and where that figure
    // comes from, for `socsim info`'s IOVA ranges. 0: the model states none (taken as 64 bits).
    uint64_t dma_mask = 0;
    std::string dma_mask_source;
    std::vector<std::string> details;
    // Set by models whose counters a user wants at the end of a run (`socsim run --stats`): one
    // line of them, read after the simulation stops.
    std::function<std::string()> statistics;
    // Set by IOMMUs: what a debugger may ask them (monitor translate, monitor tlb).
    iommu::debug_view* iommu_debug = nullptr;
};

// What Linux's iommu-dma makes of an IOMMU, for `socsim info`'s IOVA ranges of the PCI functions
// behind it: the granule (its smallest page) and the input address range (the aperture).
struct iommu_geometry {
    uint64_t granule;
    unsigned input_bits;
    const char* why;  // how the figures come about, for the listing
};

struct model_entry {
    std::vector<std::string> compatibles;
    std::string description;
    // Empty for nodes that need no model (clock sources and the like).
    std::function<built_model(model_context&)> make;
    // Set by IOMMU entries whose geometry under Linux is known.
    std::optional<iommu_geometry> iommu_dma = std::nullopt;
};

const std::vector<model_entry>& model_registry();
// Adds an entry after the built-in ones: for tests, a test-only model under a test compatible.
void add_model_entry(model_entry entry);
// The entry for the first of `compatible` that has one, or null.
const model_entry* find_model(const std::vector<std::string>& compatible);

} // namespace socsim::platform
