#pragma once
// The system interconnect: an address map from the Device Tree. Initiators (CPU, IOMMUs, DMA
// masters) bind to `target_socket`; targets are bound with `bind_target` and given one or more
// address ranges with `map`. Targets see addresses relative to their range's base.
//
// An access that hits nothing gets TLM_ADDRESS_ERROR_RESPONSE and one log line naming the
// initiator and the address. Overlapping ranges are refused when mapped, naming both nodes.
// DMI is forwarded with the granted range translated back to system addresses and clipped to the
// mapping; invalidations from a target are translated and passed to every initiator.

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <vector>

#include "models/core/address_range.h"
#include "models/core/log.h"

namespace socsim::bus {

class router : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<router> target_socket;
    tlm_utils::multi_passthrough_initiator_socket<router> initiator_socket;

    struct mapping {
        core::address_range range;
        unsigned port;
        std::string name;  // the DT node, for messages and `socsim info`
    };

    explicit router(sc_core::sc_module_name name);

    // Binds a target socket to the next initiator port and returns the port number.
    unsigned bind_target(tlm::tlm_target_socket<>& target);
    // Maps `range` to `port`; throws core::config_error when it overlaps an existing mapping.
    void map(unsigned port, core::address_range range, const std::string& name);

    const std::vector<mapping>& mappings() const { return map_; }  // sorted by base
    const mapping* decode(uint64_t addr) const;

private:
    void b_transport(int from, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
    unsigned transport_dbg(int from, tlm::tlm_generic_payload& payload);
    bool get_direct_mem_ptr(int from, tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);
    void report_unmapped(const tlm::tlm_generic_payload& payload) const;

    std::vector<mapping> map_;
    unsigned ports_ = 0;
    core::logger log_;
};

} // namespace socsim::bus
