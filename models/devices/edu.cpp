#include "models/devices/edu.h"

#include <cstring>

#include "models/core/address_range.h"
#include "models/core/dma_extension.h"
#include "models/core/trace_writer.h"

namespace socsim::devices {
namespace {

constexpr unsigned msi_cap = 0x40;

pcie::pcie_endpoint::identity edu_identity() {
    pcie::pcie_endpoint::identity id;
    id.vendor = 0x1234;
    id.device = 0x11e8;
    id.revision = 0x10;
    id.class_code = 0x00ff00;
    id.subsystem_vendor = 0x1af4;
    id.subsystem = 0x1100;
    id.interrupt_pin = 1;
    return id;
}

uint32_t factorial(uint32_t n) {
    // 34! and above have at least 32 factors of two: the 32-bit product is 0.
    if (n >= 34) return 0;
    uint32_t r = 1;
    while (n > 0) r *= n--;
    return r;
}

} // namespace

edu::edu(sc_core::sc_module_name name, const config& cfg)
    : pcie_endpoint(name, edu_identity()), mmio("mmio"), cfg_(cfg), regs_(this->name()) {
    mmio.register_b_transport(this, &edu::mmio_transport);
    mmio.register_transport_dbg(this, &edu::mmio_debug);
    declare_bar(0, bar_kind::memory32, bar0_size, mmio);
    // MSI capability as QEMU's msi_init(dev, 0, 1 vector, 64-bit, no masking) lays it out.
    define_config(pcie::cfg::status, 2, 0x0010);
    define_config(pcie::cfg::capabilities, 1, msi_cap);
    define_config(msi_cap + 0, 1, 0x05);                   // capability id: MSI; next: none
    define_config(msi_cap + 2, 2, 0x0080, 0x0071);         // 64-bit; enable, multiple message enable
    define_config(msi_cap + 4, 4, 0, 0xfffffffc);          // message address low
    define_config(msi_cap + 8, 4, 0, 0xffffffff);          // message address high
    define_config(msi_cap + 12, 2, 0, 0xffff);             // message data
    SC_METHOD(factorial_done);
    sensitive << factorial_event_;
    dont_initialize();
    SC_THREAD(dma_thread);
    SC_THREAD(msi_thread);
}

void edu::write_factorial(uint64_t old, uint64_t) {
    if (status_.get() & status_computing) {
        factorial_.set(old);  // busy: QEMU ignores the write
        return;
    }
    status_.set_bits(status_computing);
    factorial_event_.notify(cfg_.factorial_delay);
}

// DMA_SRC, DMA_DST, DMA_CNT: fixed while a transfer runs; a 4-byte write to the low half
// zero-extends into the whole register, as on QEMU.
void edu::write_dma_field(core::reg& r, uint64_t old, uint64_t now) {
    if (dma_running())
        r.set(old);
    else if (low_half_write_)
        r.set(now & 0xffffffff);
}

void edu::write_dma_cmd(uint64_t old, uint64_t now) {
    // Only a write with the start bit, while idle, takes effect (QEMU edu_mmio_write).
    if ((old & dma_run) || !(now & dma_run)) {
        dma_cmd_.set(old);
        return;
    }
    if (low_half_write_) dma_cmd_.set(now & 0xffffffff);
    dma_event_.notify(cfg_.dma_delay);
}

bool edu::dma_running() const { return dma_cmd_.get() & dma_run; }

void edu::mmio_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    const uint64_t offset = p.get_address();
    const unsigned len = p.get_data_length();
    const bool is_read = p.is_read();
    if ((len != 4 && len != 8) || offset % len != 0 || p.get_byte_enable_ptr() || p.get_streaming_width() < len) {
        log_.warning(std::string(is_read ? "read" : "write") + " of " + std::to_string(len) + " bytes at BAR0 +" +
                     core::hex(offset) + " by " + core::initiator_of(p) +
                     " refused: edu accepts naturally aligned 4- and 8-byte accesses");
        p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    core::reg* r = regs_.find(offset);
    if (!r || (len == 8 && offset < 0x80)) {
        // QEMU's edu: everything it does not decode reads all-ones and ignores writes.
        if (is_read) std::memset(p.get_data_ptr(), 0xff, len);
        SOCSIM_LOG(log_, debug, (is_read ? "read" : "write") << " of " << len << " bytes at BAR0 +" << core::hex(offset)
                                                             << ": nothing there (all-ones, ignored)");
        p.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    low_half_write_ = p.is_write() && len == 4 && r->width() == 8 && offset == r->offset();
    regs_.access(p, false);
    low_half_write_ = false;
}

unsigned edu::mmio_debug(tlm::tlm_generic_payload& p) {
    regs_.access(p, true);
    return p.is_response_ok() ? p.get_data_length() : 0;
}

void edu::raise(uint32_t bits) {
    intr_status_.set_bits(bits);
    if (!intr_status_.get()) return;
    if (msi_enabled()) {
        ++msi_pending_;
        msi_event_.notify(sc_core::SC_ZERO_TIME);
    } else {
        set_intx(true);
    }
}

void edu::lower(uint32_t bits) {
    intr_status_.clear_bits(bits);
    if (!intr_status_.get() && !msi_enabled()) set_intx(false);
}

bool edu::msi_enabled() const { return config_read(msi_cap + 2, 2) & 1; }

void edu::msi_thread() {
    for (;;) {
        wait(msi_event_);
        while (msi_pending_ > 0) {
            --msi_pending_;
            send_msi();
        }
    }
}

void edu::send_msi() {
    const uint64_t address = uint64_t{config_read(msi_cap + 8, 4)} << 32 | config_read(msi_cap + 4, 4);
    const uint32_t data = config_read(msi_cap + 12, 2);
    const uint8_t bytes[4] = {static_cast<uint8_t>(data), static_cast<uint8_t>(data >> 8), 0, 0};
    core::trace_event("edu_msi", name()).hex_field("address", address).hex_field("data", data).emit();
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    auto status = dma_write(address, bytes, sizeof bytes, delay);
    if (status != tlm::TLM_OK_RESPONSE)
        log_.warning("MSI write of data " + core::hex(data) + " to bus address " + core::hex(address) +
                     " failed upstream (" +
                     (status == tlm::TLM_ADDRESS_ERROR_RESPONSE ? "Unsupported Request or address error" : "refused") +
                     "): the interrupt is lost");
    if (delay > sc_core::SC_ZERO_TIME) wait(delay);
}

void edu::factorial_done() {
    factorial_.set(factorial(static_cast<uint32_t>(factorial_.get())));
    status_.clear_bits(status_computing);
    if (status_.get() & status_irq_factorial) raise(irq_factorial);
}

uint64_t edu::clamp(uint64_t address) const {
    const uint64_t clamped = address & cfg_.dma_mask;
    if (clamped != address)
        log_.warning("DMA address " + core::hex(address) + " is outside the DMA mask " + core::hex(cfg_.dma_mask) +
                     ": clamped to " + core::hex(clamped) + " (as QEMU's edu does)");
    return clamped;
}

void edu::dma_thread() {
    for (;;) {
        wait(dma_event_);
        run_dma();
    }
}

void edu::run_dma() {
    const uint64_t command = dma_cmd_.get();
    const bool to_ram = command & dma_to_ram;
    const uint64_t src = dma_src_.get(), dst = dma_dst_.get(), count = dma_cnt_.get();
    const uint64_t local = to_ram ? src : dst;  // the buffer side
    const core::address_range buffer_range{buffer_base, buffer_size};
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    core::trace_event("edu_dma", name())
        .field("dir", to_ram ? "to_ram" : "from_ram")
        .hex_field("src_addr", src)  // "src" is the model
        .hex_field("dst_addr", dst)
        .field("count", count)
        .emit();
    if (count != 0 && !buffer_range.contains(local, count)) {
        log_.warning("DMA " + std::string(to_ram ? "source" : "destination") + " range " + core::hex(local) +
                     " + " + core::hex(count) + " is outside the device buffer " + core::hex(buffer_base) + ".." +
                     core::hex(buffer_range.last()) + ": nothing transferred");
    } else if (count != 0) {
        uint8_t* data = buffer_.data() + (local - buffer_base);
        const unsigned len = static_cast<unsigned>(count);
        const uint64_t bus = clamp(to_ram ? dst : src);
        auto status = to_ram ? dma_write(bus, data, len, delay) : dma_read(bus, data, len, delay);
        if (status != tlm::TLM_OK_RESPONSE)
            log_.warning(std::string("DMA ") + (to_ram ? "write to" : "read from") + " bus address " + core::hex(bus) +
                         " (" + std::to_string(len) + " bytes) failed upstream (" +
                         (status == tlm::TLM_ADDRESS_ERROR_RESPONSE ? "Unsupported Request or address error"
                                                                    : "refused") +
                         "); the command completes anyway");
    }
    if (delay > sc_core::SC_ZERO_TIME) wait(delay);
    dma_cmd_.clear_bits(dma_run);
    if (command & dma_irq) raise(irq_dma);
}

void edu::config_written(unsigned offset, unsigned len) {
    const unsigned control = msi_cap + 2;
    if (offset > control || control >= offset + len) return;
    const bool on = msi_enabled();
    if (on && !msi_on_) {
        set_intx(false);  // MSI replaces INTx: the pin is deasserted
        SOCSIM_LOG(log_, info, "MSI enabled: interrupts are messages to " +
                                   core::hex(uint64_t{config_read(msi_cap + 8, 4)} << 32 | config_read(msi_cap + 4, 4)));
    }
    msi_on_ = on;
}

} // namespace socsim::devices
