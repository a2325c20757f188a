#include "models/devices/dma_port.h"

#include <algorithm>

namespace socsim::devices {

dma_port::dma_port(sc_core::sc_module_name name, uint32_t stream_id, const std::string& initiator)
    : sc_module(name), socket("socket") {
    ext_.stream_id = stream_id;
    ext_.initiator = initiator;
}

dma_port::result dma_port::read(uint64_t address, void* data, uint64_t len, sc_core::sc_time& delay) {
    return transfer(tlm::TLM_READ_COMMAND, address, static_cast<uint8_t*>(data), len, delay);
}

dma_port::result dma_port::write(uint64_t address, const void* data, uint64_t len, sc_core::sc_time& delay) {
    // TLM data pointers are not const; a write never modifies the buffer.
    return transfer(tlm::TLM_WRITE_COMMAND, address, const_cast<uint8_t*>(static_cast<const uint8_t*>(data)), len,
                    delay);
}

dma_port::result dma_port::transfer(tlm::tlm_command cmd, uint64_t address, uint8_t* data, uint64_t len,
                                    sc_core::sc_time& delay) {
    result r;
    tlm::tlm_generic_payload p;
    p.set_extension(&ext_);
    uint64_t done = 0;
    while (done < len) {
        const uint64_t at = address + done;
        const uint64_t room = burst_boundary - (at & (burst_boundary - 1));
        const unsigned piece = static_cast<unsigned>(std::min(len - done, room));
        p.set_command(cmd);
        p.set_address(at);
        p.set_data_ptr(data + done);
        p.set_data_length(piece);
        p.set_streaming_width(piece);
        p.set_byte_enable_ptr(nullptr);
        p.set_dmi_allowed(false);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(p, delay);
        ++transactions_;
        if (!p.is_response_ok()) {
            r.status = p.get_response_status();
            r.failed_address = at;
            break;
        }
        done += piece;
    }
    p.clear_extension(&ext_);
    return r;
}

} // namespace socsim::devices
