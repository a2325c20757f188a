#include "models/pcie/pcie_endpoint.h"

#include <cstdio>
#include <stdexcept>

#include "models/core/address_range.h"
#include "models/core/dma_extension.h"

namespace socsim::pcie {

pcie_endpoint::pcie_endpoint(sc_core::sc_module_name name, const identity& id)
    : sc_module(name), dma("dma"), log_(this->name()), id_(id) {
    if (id_.config_size != 256 && id_.config_size != 4096)
        throw std::logic_error(std::string(this->name()) + ": configuration space must be 256 or 4096 bytes");
    set_bytes(cfg::vendor_id, 2, id_.vendor);
    set_bytes(cfg::device_id, 2, id_.device);
    set_bytes(cfg::revision, 1, id_.revision);
    set_bytes(cfg::class_code, 3, id_.class_code);
    set_bytes(cfg::header_type, 1, id_.multifunction ? 0x80 : 0x00);
    set_bytes(cfg::subsystem_vendor, 2, id_.subsystem_vendor);
    set_bytes(cfg::subsystem_id, 2, id_.subsystem);
    set_bytes(cfg::interrupt_pin, 1, id_.interrupt_pin);

    set_mask(write_mask_, cfg::command, 2,
             cfg::cmd_io | cfg::cmd_memory | cfg::cmd_bus_master | cfg::cmd_parity | cfg::cmd_serr |
                 cfg::cmd_intx_disable);
    set_mask(w1c_mask_, cfg::status, 2, 0xf900);  // bits 8, 11..15
    set_mask(write_mask_, cfg::cache_line, 1, 0xff);
    set_mask(write_mask_, cfg::interrupt_line, 1, 0xff);
}

void pcie_endpoint::set_bytes(unsigned offset, unsigned len, uint64_t value) {
    for (unsigned i = 0; i < len; ++i) config_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

void pcie_endpoint::set_mask(std::array<uint8_t, 4096>& mask, unsigned offset, unsigned len, uint64_t value) {
    for (unsigned i = 0; i < len; ++i) mask[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

uint32_t pcie_endpoint::config_read(unsigned offset, unsigned len) const {
    uint32_t v = 0;
    for (unsigned i = 0; i < len; ++i) v |= uint32_t{config_[offset + i]} << (8 * i);
    return v;
}

void pcie_endpoint::config_write(unsigned offset, unsigned len, uint32_t value) {
    const uint16_t old_command = command();
    for (unsigned i = 0; i < len; ++i) {
        const unsigned at = offset + i;
        const uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
        config_[at] = static_cast<uint8_t>((config_[at] & ~write_mask_[at]) | (byte & write_mask_[at]));
        config_[at] &= static_cast<uint8_t>(~(byte & w1c_mask_[at]));
    }
    const uint16_t now = command();
    if ((old_command ^ now) & cfg::cmd_intx_disable) update_intx();
    if ((old_command ^ now) & (cfg::cmd_memory | cfg::cmd_io | cfg::cmd_bus_master))
        SOCSIM_LOG(log_, debug, "command " << core::hex(old_command) << " -> " << core::hex(now));
    config_written(offset, len);
}

void pcie_endpoint::declare_bar(unsigned index, bar_kind kind, uint64_t size, tlm::tlm_target_socket<>& target,
                                bool prefetchable) {
    const bool wide = kind == bar_kind::memory64;
    const uint64_t minimum = kind == bar_kind::io ? 4 : 16;
    if (index + (wide ? 1 : 0) >= bar_slots || kind == bar_kind::none || size < minimum || (size & (size - 1)) ||
        bars_[index].kind != bar_kind::none || (wide && bars_[index + 1].kind != bar_kind::none) ||
        (!wide && kind != bar_kind::io && size > (uint64_t{1} << 31)))
        throw std::logic_error(std::string(name()) + ": bad BAR " + std::to_string(index) + " declaration");
    bars_[index] = bar_info{kind, size, prefetchable, &target};
    const unsigned at = cfg::bar0 + 4 * index;
    uint32_t type_bits = 0;
    if (kind == bar_kind::io) type_bits = 0x1;
    if (wide) type_bits = 0x4;
    if (prefetchable && kind != bar_kind::io) type_bits |= 0x8;
    set_bytes(at, 4, type_bits);
    const uint64_t address_mask = ~(size - 1);
    const uint32_t low_flags = kind == bar_kind::io ? 0x3 : 0xf;
    set_mask(write_mask_, at, 4, static_cast<uint32_t>(address_mask) & ~low_flags);
    if (wide) {
        bars_[index + 1] = bar_info{};  // the upper half: no BAR of its own
        set_mask(write_mask_, at + 4, 4, static_cast<uint32_t>(address_mask >> 32));
    }
}

void pcie_endpoint::define_config(unsigned offset, unsigned len, uint64_t value, uint64_t writable) {
    if (len == 0 || len > 8 || offset + len > id_.config_size)
        throw std::logic_error(std::string(name()) + ": configuration field outside the configuration space");
    set_bytes(offset, len, value);
    set_mask(write_mask_, offset, len, writable);
}

uint64_t pcie_endpoint::bar_address(unsigned index) const {
    const bar_info& b = bars_.at(index);
    const unsigned at = cfg::bar0 + 4 * index;
    if (b.kind == bar_kind::none) return 0;
    if (b.kind == bar_kind::io) return config_read(at, 4) & ~uint64_t{0x3};
    uint64_t a = config_read(at, 4) & ~uint64_t{0xf};
    if (b.kind == bar_kind::memory64) a |= uint64_t{config_read(at + 4, 4)} << 32;
    return a;
}

bool pcie_endpoint::bar_claims(unsigned index, uint64_t bus_address, bool io_space) const {
    const bar_info& b = bars_.at(index);
    if (b.kind == bar_kind::none || (b.kind == bar_kind::io) != io_space) return false;
    if (io_space ? !io_enabled() : !memory_enabled()) return false;
    return core::address_range{bar_address(index), b.size}.contains(bus_address);
}

std::string pcie_endpoint::bdf() const {
    char text[16];
    std::snprintf(text, sizeof text, "%02x:%02x.%x", rid_ >> 8, (rid_ >> 3) & 0x1f, rid_ & 7);
    return text;
}

tlm::tlm_response_status pcie_endpoint::dma_access(tlm::tlm_command cmd, uint64_t bus_address, void* data,
                                                   unsigned len, sc_core::sc_time& delay) {
    tlm::tlm_generic_payload p;
    core::dma_extension ext;
    ext.initiator = name();
    p.set_command(cmd);
    p.set_address(bus_address);
    p.set_data_ptr(static_cast<unsigned char*>(data));
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    p.set_extension(&ext);
    dma->b_transport(p, delay);
    p.clear_extension(&ext);
    if (!p.is_response_ok()) config_[cfg::status + 1] |= cfg::status_received_master_abort >> 8;
    return p.get_response_status();
}

tlm::tlm_response_status pcie_endpoint::dma_read(uint64_t bus_address, void* data, unsigned len,
                                                 sc_core::sc_time& delay) {
    return dma_access(tlm::TLM_READ_COMMAND, bus_address, data, len, delay);
}

tlm::tlm_response_status pcie_endpoint::dma_write(uint64_t bus_address, const void* data, unsigned len,
                                                  sc_core::sc_time& delay) {
    // TLM data pointers are not const; a write never modifies the buffer.
    return dma_access(tlm::TLM_WRITE_COMMAND, bus_address, const_cast<void*>(data), len, delay);
}

void pcie_endpoint::set_intx(bool level) {
    intx_level_ = level;
    update_intx();
}

void pcie_endpoint::update_intx() {
    if (intx_level_)
        config_[cfg::status] |= cfg::status_interrupt;
    else
        config_[cfg::status] &= static_cast<uint8_t>(~cfg::status_interrupt);
    intx.set(intx_level_ && !(command() & cfg::cmd_intx_disable));
}

} // namespace socsim::pcie
