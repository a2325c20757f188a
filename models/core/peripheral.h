#pragma once
// The base of every memory-mapped device: one target socket whose accesses (relative to the
// device base) go to the device's register file. Debug accesses reach the registers without
// side effects. A device adds its registers in its constructor.

#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/register_file.h"

namespace socsim::core {

class peripheral : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<peripheral> socket;

    peripheral(sc_core::sc_module_name name, register_file::unmapped policy = register_file::unmapped::error)
        : sc_module(name), socket("socket"), regs_(this->name(), policy), log_(this->name()) {
        socket.register_b_transport(this, &peripheral::b_transport);
        socket.register_transport_dbg(this, &peripheral::transport_dbg);
    }

    register_file& registers() { return regs_; }

protected:
    // Latency added to every register access.
    void set_access_latency(sc_core::sc_time t) { latency_ = t; }

    register_file regs_;
    logger log_;

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
        regs_.access(p, false);
        delay += latency_;
    }
    unsigned transport_dbg(tlm::tlm_generic_payload& p) {
        regs_.access(p, true);
        return p.is_response_ok() ? p.get_data_length() : 0;
    }

    sc_core::sc_time latency_ = sc_core::SC_ZERO_TIME;
};

} // namespace socsim::core
