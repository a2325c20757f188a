#pragma once
// Where a debugger (platforms/host/gdb_server) listens to the simulation. Two things pass here:
//
// - Diagnostics: every DMA mistake socsim reports is a trace event of one of a few kinds
//   (iommu_fault, dma_check, pcie_refused, pcie_p2p). trace_event::emit hands those to the
//   listener, built as the trace line, whether or not a trace file is open; so a debugger sees
//   exactly what the trace records and no model needs its own call.
// - DMA accesses: the IOMMUs' shared forwarding (iommu/common/dma_forwarding.h) reports each
//   forwarded piece (initiator, stream, IOVA, physical address, direction) while a watch is set.
//
// With no debugger, each check is one test of a null pointer.

#include <cstdint>
#include <string>

namespace socsim::core {

// What a diagnostic is about: a refused or faulting access, or a DMA that used memory the
// software had changed or not announced (stale translations, uncleaned tables, DMA-API debug).
enum class diagnostic_class { fault, stale };

struct dma_access {
    std::string initiator;
    bool has_stream = false;
    uint32_t stream = 0;
    uint64_t iova = 0;
    uint64_t physical = 0;
    uint64_t length = 0;
    bool write = false;
};

class debug_listener {
public:
    virtual ~debug_listener() = default;
    // `kind` is the trace event's kind, `line` its JSON Lines text.
    virtual void diagnostic(diagnostic_class what, const char* kind, const std::string& line) = 0;
    // Only while watching_dma() is true.
    virtual void dma(const dma_access& access) = 0;
};

// At most one listener; null removes it.
void set_debug_listener(debug_listener* listener);
debug_listener* current_debug_listener();

// The class of a trace event kind that is a diagnostic; false for every other kind.
bool diagnostic_kind(const char* kind, diagnostic_class& what);

// Set by the listener while it has a DMA watch; read on every forwarded DMA.
extern bool watching_dma;

} // namespace socsim::core
