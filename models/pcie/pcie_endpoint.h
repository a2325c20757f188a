#pragma once
// The base of every PCI function behind a socsim host bridge: its configuration header, its
// BARs and its way upstream for DMA. A device (edu, ...) derives from it, declares its identity
// and its BARs in its constructor and issues DMA with `dma_read` / `dma_write`.
//
// Configuration space: a type-0 header kept as bytes with a write mask and a write-1-to-clear
// mask per byte, so every field behaves as the PCI spec says without per-field code:
//   0x00 vendor / 0x02 device           read-only
//   0x04 command                        writable: I/O space (0), memory space (1), bus master (2),
//                                       parity error response (6), SERR# (8), INTx disable (10)
//   0x06 status                         interrupt status (3) read-only; parity (8), signalled /
//                                       received target abort (11, 12), received master abort
//                                       (13), signalled system error (14), detected parity (15)
//                                       write-1-to-clear
//   0x08 revision, 0x09 class code      read-only
//   0x0c cache line size                writable; latency timer 0x0d reads 0 (as on PCIe)
//   0x0e header type                    0x00 (0x80 for a multifunction device)
//   0x10..0x24 BARs                     address bits at or above log2(size) writable, the type
//                                       bits read-only, so writing all-ones reads back the size
//                                       mask (64-bit BARs use two slots, the upper one all
//                                       writable above the size); unimplemented slots read 0
//   0x2c subsystem vendor / 0x2e id     read-only (QEMU gives every non-bridge function
//                                       0x1af4 / 0x1100; devices pass what they want)
//   0x34 capabilities pointer           0, unless the device defines capabilities with
//                                       `define_config` (and sets Status.capability-list)
//   0x3c interrupt line                 writable; 0x3d interrupt pin read-only
// A conventional PCI function has 256 bytes of configuration space (`identity::config_size`);
// the host bridge reads the rest of the 4 KiB ECAM slot as all-ones, as QEMU does.
//
// BARs are TLM target sockets of the derived device, declared with `declare_bar`; the host
// bridge binds to them and forwards accesses relative to the BAR's base, only while Command.MEM
// (or Command.IO for an I/O BAR) is set.
//
// DMA: `dma` is bound to the host bridge's upstream socket. The bridge stamps the requester id
// and stream id, checks bus-master enable and the inbound windows. A DMA that ends in an
// Unsupported Request (or any error response) sets Status.received-master-abort, as a PCI
// requester does when its request is not claimed.
//
// INTx: `intx` follows `set_intx` unless Command.INTx-disable is set; Status.interrupt always
// shows the device's level. The builder routes it through the host bridge node's interrupt-map
// (the host bridge factory lists each function's pin in built_model::pci_functions).

#include <array>
#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/core/irq_line.h"
#include "models/core/log.h"

namespace socsim::pcie {

// Standard configuration-space offsets and bits (PCI Local Bus spec, Linux pci_regs.h names).
namespace cfg {
constexpr unsigned vendor_id = 0x00, device_id = 0x02, command = 0x04, status = 0x06, revision = 0x08,
                   class_code = 0x09, cache_line = 0x0c, latency = 0x0d, header_type = 0x0e, bar0 = 0x10,
                   subsystem_vendor = 0x2c, subsystem_id = 0x2e, capabilities = 0x34, interrupt_line = 0x3c,
                   interrupt_pin = 0x3d;
constexpr uint16_t cmd_io = 1u << 0, cmd_memory = 1u << 1, cmd_bus_master = 1u << 2, cmd_parity = 1u << 6,
                   cmd_serr = 1u << 8, cmd_intx_disable = 1u << 10;
constexpr uint16_t status_interrupt = 1u << 3, status_received_master_abort = 1u << 13;
} // namespace cfg

class pcie_endpoint : public sc_core::sc_module {
public:
    struct identity {
        uint16_t vendor = 0xffff;
        uint16_t device = 0xffff;
        uint8_t revision = 0;
        uint32_t class_code = 0;  // base class << 16 | subclass << 8 | programming interface
        uint16_t subsystem_vendor = 0;
        uint16_t subsystem = 0;
        uint8_t interrupt_pin = 0;  // 0 none, 1..4 INTA..INTD
        bool multifunction = false;
        unsigned config_size = 256;  // 256 conventional PCI, 4096 PCI Express
    };

    enum class bar_kind { none, memory32, memory64, io };
    struct bar_info {
        bar_kind kind = bar_kind::none;
        uint64_t size = 0;
        bool prefetchable = false;
        tlm::tlm_target_socket<>* target = nullptr;
    };
    static constexpr unsigned bar_slots = 6;

    tlm_utils::simple_initiator_socket<pcie_endpoint> dma;
    core::irq_line intx;

    pcie_endpoint(sc_core::sc_module_name name, const identity& id);

    // Configuration accesses, as the host bridge issues them: `offset` < config_size(),
    // naturally aligned, `len` 1, 2 or 4.
    uint32_t config_read(unsigned offset, unsigned len) const;
    void config_write(unsigned offset, unsigned len, uint32_t value);
    unsigned config_size() const { return id_.config_size; }

    uint16_t vendor() const { return id_.vendor; }
    uint16_t device() const { return id_.device; }
    uint32_t class_code() const { return id_.class_code; }
    uint16_t command() const { return read16(cfg::command); }
    uint16_t status() const { return read16(cfg::status); }
    bool memory_enabled() const { return command() & cfg::cmd_memory; }
    bool io_enabled() const { return command() & cfg::cmd_io; }
    bool bus_master_enabled() const { return command() & cfg::cmd_bus_master; }

    const bar_info& bar(unsigned index) const { return bars_.at(index); }
    // The bus address the BAR is programmed with (both halves of a 64-bit BAR).
    uint64_t bar_address(unsigned index) const;
    // True when BAR `index` is implemented, its decode is enabled by the command register and
    // it claims `bus_address` (of the BAR's kind of space).
    bool bar_claims(unsigned index, uint64_t bus_address, bool io_space) const;

    // The device's requester id as the bridge assigned it (bus << 8 | devfn), for messages.
    void set_requester_id(uint16_t rid) { rid_ = rid; }
    uint16_t requester_id() const { return rid_; }
    std::string bdf() const;  // "00:01.0"

protected:
    // Declares BAR `index` (a 64-bit BAR also uses index + 1). `size` is a power of two (at least
    // 16 bytes for memory, 4 for I/O). The target receives accesses relative to the BAR base.
    void declare_bar(unsigned index, bar_kind kind, uint64_t size, tlm::tlm_target_socket<>& target,
                     bool prefetchable = false);

    // DMA upstream through the host bridge at bus address `bus_address`. `delay` accumulates the
    // annotated latency. Returns the response status (an error sets Status bit 13).
    tlm::tlm_response_status dma_read(uint64_t bus_address, void* data, unsigned len, sc_core::sc_time& delay);
    tlm::tlm_response_status dma_write(uint64_t bus_address, const void* data, unsigned len,
                                       sc_core::sc_time& delay);

    // The device's interrupt level (INTx).
    void set_intx(bool level);

    // Device-specific configuration fields (capabilities): `len` bytes at `offset` with a reset
    // value and the bits software may write.
    void define_config(unsigned offset, unsigned len, uint64_t value, uint64_t writable = 0);
    // Called after every configuration write, for devices that react to their own fields.
    virtual void config_written(unsigned offset, unsigned len) { (void)offset, (void)len; }

    core::logger log_;

private:
    tlm::tlm_response_status dma_access(tlm::tlm_command cmd, uint64_t bus_address, void* data, unsigned len,
                                        sc_core::sc_time& delay);
    uint16_t read16(unsigned offset) const { return static_cast<uint16_t>(config_read(offset, 2)); }
    void set_bytes(unsigned offset, unsigned len, uint64_t value);
    void set_mask(std::array<uint8_t, 4096>& mask, unsigned offset, unsigned len, uint64_t value);
    void update_intx();

    identity id_;
    std::array<uint8_t, 4096> config_{};
    std::array<uint8_t, 4096> write_mask_{};
    std::array<uint8_t, 4096> w1c_mask_{};
    std::array<bar_info, bar_slots> bars_{};
    bool intx_level_ = false;
    uint16_t rid_ = 0;
};

} // namespace socsim::pcie
