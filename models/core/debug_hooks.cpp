#include "models/core/debug_hooks.h"

#include <cstring>

namespace socsim::core {
namespace {
debug_listener* listener_ = nullptr;
}

bool watching_dma = false;

void set_debug_listener(debug_listener* listener) {
    listener_ = listener;
    if (!listener) watching_dma = false;
}

debug_listener* current_debug_listener() { return listener_; }

bool diagnostic_kind(const char* kind, diagnostic_class& what) {
    // The kinds README's trace table lists as DMA mistakes.
    for (const char* k : {"iommu_fault", "pcie_refused", "pcie_p2p"})
        if (std::strcmp(kind, k) == 0) {
            what = diagnostic_class::fault;
            return true;
        }
    if (std::strcmp(kind, "dma_check") == 0) {
        what = diagnostic_class::stale;
        return true;
    }
    return false;
}

} // namespace socsim::core
