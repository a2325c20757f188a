#pragma once
// Which core an access to a banked interrupt-controller register comes from.
//
// A GIC CPU interface, the GIC's SGI/PPI registers and the AIC's "this CPU" registers answer
// differently per core at one address. socsim simulates one core, so by default every access is
// core 0; a platform with several cores gives the controller a function that names the core of
// an access (from the initiator recorded in the payload's core::dma_extension, for instance).

#include <functional>
#include <tlm>

namespace socsim::irq {

using cpu_index_fn = std::function<unsigned(const tlm::tlm_generic_payload&)>;

} // namespace socsim::irq
