#pragma once
// The DMA side of socsim's platform DMA masters (dma_engine, scanout, video_decoder, capture):
// one initiator socket whose every transaction carries the master's stream id (from its DT
// `iommus` / `socsim,iommus` cell) and the master's name in a core::dma_extension.
//
// A transfer is split into bursts that never cross a 4 KiB boundary of the bus address (as AXI
// requires of every burst), so an IOMMU sees at most one page per transaction. The transfer stops
// at the first burst that gets an error response (an IOMMU fault, a stall or abort, nothing at
// the address) and reports that burst's address.

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/core/dma_extension.h"

namespace socsim::devices {

class dma_port : public sc_core::sc_module {
public:
    static constexpr uint64_t burst_boundary = 4096;

    struct result {
        tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
        uint64_t failed_address = 0;  // first byte of the burst that failed
        bool ok() const { return status == tlm::TLM_OK_RESPONSE; }
    };

    tlm_utils::simple_initiator_socket<dma_port> socket;

    // `stream_id`: core::dma_extension::no_id for a master with no IOMMU.
    dma_port(sc_core::sc_module_name name, uint32_t stream_id, const std::string& initiator);

    result read(uint64_t address, void* data, uint64_t len, sc_core::sc_time& delay);
    result write(uint64_t address, const void* data, uint64_t len, sc_core::sc_time& delay);

    uint32_t stream_id() const { return ext_.stream_id; }
    uint64_t transactions() const { return transactions_; }

private:
    result transfer(tlm::tlm_command cmd, uint64_t address, uint8_t* data, uint64_t len, sc_core::sc_time& delay);

    core::dma_extension ext_;
    uint64_t transactions_ = 0;
};

} // namespace socsim::devices
