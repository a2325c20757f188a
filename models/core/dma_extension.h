#pragma once
// The sideband every bus transaction may carry: who issued it and with which attributes.
// DMA masters stamp the stream id from their DT `iommus` cell; the PCIe host bridge stamps the
// requester id and the stream id it derives from `iommu-map`. IOMMUs translate by stream id.
// The CPU stamps only its initiator name (it has no stream id).

#include <cstdint>
#include <string>
#include <tlm>

namespace socsim::core {

class dma_extension : public tlm::tlm_extension<dma_extension> {
public:
    static constexpr uint32_t no_id = 0xffffffffu;

    uint32_t stream_id = no_id;     // IOMMU stream / master index
    uint32_t requester_id = no_id;  // PCIe bus/device/function, when the DMA came from PCIe
    bool secure = false;
    bool privileged = false;
    std::string initiator;          // model instance name, for diagnostics

    bool has_stream_id() const { return stream_id != no_id; }
    bool has_requester_id() const { return requester_id != no_id; }

    tlm::tlm_extension_base* clone() const override { return new dma_extension(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const dma_extension&>(other);
    }
};

// The initiator's name for messages: the extension's name if any, else "unknown initiator".
std::string initiator_of(const tlm::tlm_generic_payload& payload);

} // namespace socsim::core
