#pragma once
// A generic ECAM PCIe host bridge (root complex), as QEMU's GPEX on `virt`, with the inbound and
// outbound address windows a real root complex has.
//
// DT: compatible "pci-host-ecam-generic"; `reg` = the ECAM region; `bus-range` (default: as many
// buses as the ECAM holds); `ranges` = outbound windows (flags cell: 0x01000000 I/O,
// 0x02000000 32-bit memory, 0x03000000 64-bit memory, +0x40000000 prefetchable);
// `dma-ranges` = inbound windows (memory entries only; absent: every bus address passes
// unchanged, as on QEMU's virt); `iommu-map` / `iommu-map-mask` = requester id -> stream id,
// entries may name different IOMMUs. Endpoints are child nodes (standard PCI binding, `reg = <devfn << 8 0 0 0 0>`, bus 0 only)
// built by the registry and attached with `attach`. The model itself never reads the DT.
//
// What it does:
// - ECAM at `ecam`: offset = bus << 20 | dev << 15 | fn << 12 | register; 1-, 2- and 4-byte
//   naturally aligned accesses (others: a TLM error and one log line). A function that is absent
//   (no device, another bus: there are no PCI-PCI bridges, a non-zero function whose function 0
//   is absent, or a register beyond a conventional function's 256 bytes) reads all-ones and
//   ignores writes, as QEMU does.
// - 00:00.0 is the bridge's own header, no BARs: config::root_identity, by default QEMU's
//   gpex-root (vendor 0x1b36, device 0x0008, revision 0, class 0x060000, subsystem 0x1af4 /
//   0x1100); the builder sets vendor and device from `socsim,root-vendor-id` and
//   `socsim,root-device-id` when the node has them.
// - Outbound: one target socket per `ranges` window (`window(i)`). A CPU access at window offset o
//   is bus address bus_base + o of that space; it goes to the endpoint BAR that claims it (BAR
//   decode needs Command.MEM, or Command.IO for I/O). No claimant: Unsupported Request, i.e. a
//   TLM address error and one diagnostic.
// - Inbound (endpoint DMA on `upstream`): the bridge knows each endpoint by its port, so it
//   stamps the requester id (bus << 8 | devfn) itself. Checks, in order:
//     1. Command.bus-master of the requester clear: refused (TLM generic error), reported;
//     2. a bus address inside an outbound memory window is routed to the peer BAR that claims
//        it: there is no ACS, so peer-to-peer never goes upstream and the IOMMU never sees it.
//        It is reported as "pcie_p2p" (one warning line and a trace event of that kind) naming
//        the requester, the bus address, the BAR it hit (function, BAR number, its bus range)
//        and that the IOMMU never saw it. A request that runs off the end of that BAR, or that
//        no BAR claims, is an Unsupported Request (choice: the root complex does not send it
//        upstream either);
//     3. with `dma-ranges`, the request must lie in inbound windows: inside a window, bus
//        address b becomes cpu + (b - pci). A request that straddles two adjacent windows (one
//        ends where the next begins on the bus) is split and each part is translated by its own
//        window, as the separate TLPs a real endpoint sends would be. A request that starts in,
//        or runs into, a hole is an Unsupported Request (TLM address error at the endpoint) at
//        the first bus address in the hole, with one diagnostic naming that address, every
//        window and the nearest one. Choice: the whole request is checked before any part goes
//        out, so a refused DMA has no effect at all (nothing before the hole is written);
//     4. the stream id from `iommu-map` (of_map_id rules: id = rid & mask; an entry
//        (rid_base, iommu, sid_base, length) maps [rid_base, rid_base + length) to
//        sid_base + (id - rid_base)). Without `iommu-map` no stream id is stamped; an attached
//        function that no entry covers is a configuration error (the DT is incomplete).
//   Then the DMA goes out with core::dma_extension carrying the requester id and stream id, on
//   the DMA output of the iommu-map entry that matched: entries may name different IOMMUs, and
//   the builder gives each distinct IOMMU its own output (`dma_output(i)`, output 0 is `dma`).
//   Without iommu-map everything leaves on `dma`.
// - A derived root complex may program the inbound windows at run time (config
//   `inbound_programmable`, `set_inbound`): then no window at all refuses every DMA (iproc_pcie.h).
// - Inbound windows are kept sorted by bus address whatever their order in the configuration
//   (`configuration().inbound` is sorted). Two windows that overlap on the bus are a
//   configuration error (a bus address would have two translations); windows that reach the
//   same CPU addresses from different bus addresses are allowed (an alias, as a 32-bit window
//   onto memory that a 64-bit window also reaches).
// - Debug accesses (transport_dbg on `upstream`, a debugger looking through the device's eyes)
//   take the route a real DMA of that function would take: peer-to-peer to a BAR, the inbound
//   offsets (split across adjacent windows, stopping at a hole), the stream id and the output
//   of its iommu-map entry. They skip the bus-master check and report nothing; they return the
//   number of bytes done, up to the first hole.
// No latency is modelled in the bridge itself. The facts and their public sources:
// docs/hardware/pcie-host-bridge.md.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/core/dma_extension.h"
#include "models/core/log.h"
#include "models/pcie/pcie_endpoint.h"

namespace socsim::pcie {

// "00:01.0": a bus number and devfn as lspci writes them.
std::string bdf_text(unsigned bus, unsigned devfn);
// "0x1000-0x1fff": a bus or CPU address range in messages and `socsim info`.
std::string range_text(uint64_t base, uint64_t size);

// The header of QEMU's GPEX root function (hw/pci-host/gpex.c: Red Hat 0x1b36, PCIE_HOST 0x0008,
// class host bridge; QEMU gives non-bridge functions subsystem 0x1af4 / 0x1100): what a host
// bridge's 00:00.0 reports unless its platform says otherwise.
pcie_endpoint::identity qemu_gpex_root_identity();

class pcie_host_bridge : public sc_core::sc_module {
public:
    enum class space { io, memory32, memory64 };
    struct outbound_window {
        space type = space::memory32;
        bool prefetchable = false;
        uint64_t cpu_base = 0;
        uint64_t bus_base = 0;
        uint64_t size = 0;
    };
    struct inbound_window {
        uint64_t bus_base = 0;
        uint64_t cpu_base = 0;
        uint64_t size = 0;
    };
    struct id_map_entry {
        uint32_t rid_base = 0;
        uint32_t out_base = 0;
        uint32_t length = 0;
        unsigned output = 0;  // the DMA output (one per IOMMU) this entry's requesters use
    };
    struct config {
        uint64_t ecam_size = 1u << 20;
        // The header of 00:00.0 (the platform's root-port identity).
        pcie_endpoint::identity root_identity = qemu_gpex_root_identity();
        unsigned first_bus = 0;
        unsigned last_bus = 0;
        std::vector<outbound_window> outbound;
        std::vector<inbound_window> inbound;  // empty: no dma-ranges, every bus address passes; sorted by
                                              // bus address once the bridge is built
        // Inbound windows that a driver programs at run time (set_inbound, from a derived model's
        // registers): then no window means every DMA is refused, not that every address passes.
        bool inbound_programmable = false;
        // Where the inbound windows come from, as diagnostics name it.
        std::string inbound_source = "dma-ranges";
        std::vector<id_map_entry> iommu_map;  // empty: no stream id
        uint32_t iommu_map_mask = 0xffff;
    };

    tlm_utils::simple_target_socket<pcie_host_bridge> ecam;
    tlm_utils::multi_passthrough_target_socket<pcie_host_bridge> upstream;  // endpoints' DMA
    tlm_utils::simple_initiator_socket<pcie_host_bridge> dma;               // output 0: to the IOMMU or bus

    // Throws core::config_error for an inconsistent configuration (bus range larger than the
    // ECAM, an iommu-map entry outside the mask, a zero-sized window, inbound windows that
    // overlap on the bus, an iommu-map output number that no entry before it leads up to).
    pcie_host_bridge(sc_core::sc_module_name name, config cfg);
    ~pcie_host_bridge() override;

    // The first two windows (indices into `windows`, in its order) that overlap on the bus.
    static std::optional<std::pair<size_t, size_t>> overlapping(const std::vector<inbound_window>& windows);

    // DMA outputs: 1 + the highest iommu_map output number (1 without iommu-map). Output 0 is `dma`.
    unsigned dma_outputs() const { return static_cast<unsigned>(1 + extra_dma_.size()); }
    tlm::tlm_initiator_socket<>& dma_output(unsigned i) { return i == 0 ? dma : *extra_dma_.at(i - 1); }

    // Target socket of outbound window `i` (map it at outbound[i].cpu_base, size).
    tlm::tlm_target_socket<>& window(unsigned i) { return *windows_.at(i); }
    const config& configuration() const { return cfg_; }

    // Attaches a function at `devfn` on the root bus (the bridge owns it from now on). Throws
    // core::config_error when the slot is taken or iommu-map does not cover it.
    pcie_endpoint& attach(uint8_t devfn, std::unique_ptr<pcie_endpoint> function);

    // Requester id -> stream id per iommu-map; nullopt without iommu-map or when no entry matches.
    std::optional<uint32_t> stream_id(uint16_t requester_id) const;
    // The DMA output a requester's DMA leaves on (0 without iommu-map).
    unsigned dma_output_of(uint16_t requester_id) const;
    uint16_t requester_id(uint8_t devfn) const { return static_cast<uint16_t>(cfg_.first_bus << 8 | devfn); }
    // The attached functions by devfn, 00:00.0 (the bridge's own header) included.
    std::map<uint8_t, pcie_endpoint*> functions() const;

    // For `socsim info`, a line each: the outbound windows; the inbound windows (or that without
    // dma-ranges every bus address passes); each function (ids, BARs, requester id -> stream id).
    std::vector<std::string> describe_outbound() const;
    std::vector<std::string> describe_inbound() const;
    std::vector<std::string> describe_functions() const;

protected:
    // For a root complex whose registers program the inbound windows: replaces them (sorted by
    // bus address here). The caller guarantees they do not overlap on the bus.
    void set_inbound(std::vector<inbound_window> windows);

private:
    using window_socket = tlm_utils::simple_target_socket_tagged<pcie_host_bridge>;
    struct slot {
        pcie_endpoint* function = nullptr;
        int bar_port[pcie_endpoint::bar_slots] = {-1, -1, -1, -1, -1, -1};
    };
    struct claim {
        const slot* owner = nullptr;
        unsigned bar = 0;
        uint64_t offset = 0;  // within the BAR
    };
    // An inbound request cut at window boundaries: the parts in windows, and where it first
    // leaves them (nullopt: wholly inside).
    struct inbound_route {
        struct part {
            uint64_t bus = 0, cpu = 0, length = 0;
        };
        std::vector<part> parts;
        std::optional<uint64_t> hole;
    };
    using dma_socket = tlm_utils::simple_initiator_socket<pcie_host_bridge>;

    void ecam_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned ecam_debug(tlm::tlm_generic_payload& p);
    bool ecam_access(tlm::tlm_generic_payload& p, bool debug);
    void window_transport(int id, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned window_debug(int id, tlm::tlm_generic_payload& p);
    void upstream_transport(int port, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned upstream_debug(int port, tlm::tlm_generic_payload& p);

    const slot* function_at(unsigned bus, uint8_t devfn) const;
    std::optional<claim> decode_bar(uint64_t bus_address, bool io_space) const;
    void forward_to_bar(const claim& c, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    std::optional<claim> peer_claim(uint64_t bus_address, const outbound_window*& window) const;
    inbound_route route_inbound(uint64_t bus_address, uint64_t length) const;
    std::string hole_text(uint64_t hole) const;
    void report_p2p(const slot& requester, const claim& c, const tlm::tlm_generic_payload& p);
    // Stamps requester id and stream id (adding the extension when the payload has none); returns
    // the extension it added, to be removed with `unstamp`.
    core::dma_extension* stamp(tlm::tlm_generic_payload& p, const slot& s, uint16_t rid,
                               core::dma_extension& local) const;
    void unsupported_request(tlm::tlm_generic_payload& p, const std::string& who, const std::string& why,
                             tlm::tlm_response_status status = tlm::TLM_ADDRESS_ERROR_RESPONSE);

    config cfg_;
    std::vector<std::unique_ptr<window_socket>> windows_;
    std::vector<std::unique_ptr<dma_socket>> extra_dma_;  // outputs 1..n-1
    tlm_utils::multi_passthrough_initiator_socket_optional<pcie_host_bridge> bar_port_;
    std::vector<std::unique_ptr<pcie_endpoint>> owned_;
    std::map<uint8_t, slot> slots_;             // by devfn
    std::vector<uint8_t> upstream_devfn_;       // upstream port -> devfn
    unsigned bar_ports_ = 0;
    core::logger log_;
};

} // namespace socsim::pcie
