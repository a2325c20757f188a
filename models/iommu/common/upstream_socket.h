#pragma once
// The socket every IOMMU model takes DMA on. Any number of masters bind to it (each DMA carries
// its stream id in core::dma_extension), including none: a platform may describe an IOMMU whose
// masters it does not model, and SystemC's default policy would refuse to elaborate that.

#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

namespace socsim::iommu {

template <class Module>
using upstream_socket = tlm_utils::multi_passthrough_target_socket<Module, 32, tlm::tlm_base_protocol_types, 0,
                                                                   sc_core::SC_ZERO_OR_MORE_BOUND>;

} // namespace socsim::iommu
