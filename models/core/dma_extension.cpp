#include "models/core/dma_extension.h"

namespace socsim::core {

std::string initiator_of(const tlm::tlm_generic_payload& payload) {
    dma_extension* ext = nullptr;
    payload.get_extension(ext);
    return ext && !ext->initiator.empty() ? ext->initiator : std::string("unknown initiator");
}

} // namespace socsim::core
