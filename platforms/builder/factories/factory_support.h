#pragma once
// Helpers every factory uses to read its node: errors that name the platform and node, bounded
// simulator knobs, times, cells, a master's `iommus`. Factories live in this folder, one file per
// area or model (core_factories.cpp, pcie_factories.cpp, smmuv3_factories.cpp, ...);
// model_registry.cpp lists them.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <systemc>
#include <vector>

#include "models/iommu/common/dma_checker.h"
#include "models/iommu/common/tlb.h"
#include "platforms/builder/model_registry.h"

namespace socsim::platform {

// The two ways a factory refuses a node, both a core::config_error (device_tree::fail):
// "platform '<source>': <node path>: <what>", and the shorter "<node path>: <what>" that the
// older value checks (knob(), the SMMUv3's, the CPU's, the ROM's) give and users' scripts match.
// New checks use bad_node.
[[noreturn]] void bad_node(const model_context& ctx, int node, const std::string& what);
[[noreturn]] void bad_value(const model_context& ctx, int node, const std::string& what);

// A simulator knob that must be a whole number in [lo, hi] (`fallback` when absent).
unsigned knob(const model_context& ctx, const char* prop, unsigned fallback, unsigned lo, unsigned hi);

// A time knob in nanoseconds (`fallback` when absent).
sc_core::sc_time time_ns(const model_context& ctx, const char* prop, sc_core::sc_time fallback);

// `#address-cells`-like property of `node`, or `fallback`.
unsigned cell_count(const device_tree& dt, int node, const char* prop, unsigned fallback);

// `n` cells from `at` as one number (a 3-cell PCI address keeps its low 64 bits).
uint64_t cells_value(const std::vector<uint32_t>& c, size_t at, unsigned n);

// A node name (before '@') or label made into a C identifier, for sc_module names.
std::string clean_name(const std::string& s);
// The same with the unit address kept ("sim_control_90f0000"), for a name two nodes share.
std::string clean_name_keeping_unit(const std::string& s);
// `name`, or the first of name_2, name_3, ... that `taken` says is free: every model needs a
// name of its own (SystemC would rename a second object of the same name, with a warning).
std::string numbered_if_taken(const std::string& name, const std::function<bool(const std::string&)>& taken);

// A platform DMA master's IOMMU: `iommus = <&iommu stream>`, or `socsim,iommus` (same format) for
// a master the OS-visible tree does not reference (the H6's CSI), whose DMA goes through that
// IOMMU all the same. `stream` is the cell after the phandle (the stream id, or the H6's master
// index); none when the property has only the phandle. nullopt: the node has neither property.
struct iommu_reference {
    uint32_t phandle = 0;
    std::optional<uint32_t> stream;
};
std::optional<iommu_reference> read_iommus(const device_tree& dt, int node);

// "0x1000-0x1fff".
std::string hex_range(uint64_t base, uint64_t size);

// What the builder wires of every IOMMU model: its registers (`socket`), an interrupt, its own way
// to memory (`downstream`), the masters' way in (`upstream`), stream ids 0..stream_count-1, its
// DMA checker and debugger's view. The factory adds the rest (other interrupts, statistics,
// details) through the model's pointer, which stays valid: `module` owns the model.
template <class Iommu>
built_model iommu_model(std::unique_ptr<Iommu> unit, core::irq_line& irq, uint64_t stream_count) {
    Iommu* u = unit.get();
    built_model m;
    m.targets = {&u->socket};
    m.irq = &irq;
    m.downstream = &u->downstream;
    m.accept_dma = [u](tlm::tlm_initiator_socket<>& master) { master.bind(u->upstream); };
    m.stream_count = stream_count;
    m.checker = &u->checker();
    m.iommu_debug = u;
    m.module = std::move(unit);
    return m;
}

// The `--stats` line of an IOMMU: DMA pieces translated through tables, TLB hits and misses,
// invalidation commands (and the TLB entries they removed), pieces bypassed and refused, and the
// DMA checker's uses of stale translations.
struct iommu_counts {
    uint64_t translated = 0, bypassed = 0, refused = 0, invalidation_commands = 0;
};
std::string iommu_statistics(const iommu_counts& c, const iommu::tlb_stats& tlb, const iommu::dma_checker& checker);

// The lists of each area, concatenated by model_registry().
std::vector<model_entry> core_factories();
std::vector<model_entry> pcie_factories();
std::vector<model_entry> smmuv3_factories();
std::vector<model_entry> dart_factories();
std::vector<model_entry> sun50i_factories();
std::vector<model_entry> device_factories();
std::vector<model_entry> irq_factories();

} // namespace socsim::platform
