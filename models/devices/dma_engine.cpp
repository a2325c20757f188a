#include "models/devices/dma_engine.h"

#include <algorithm>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::devices {
namespace {

uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t le64(const uint8_t* p) { return le32(p) | uint64_t(le32(p + 4)) << 32; }

const char* code_name(uint32_t code) {
    switch (code) {
    case dma_engine::st_src_error: return "SRC_ERROR (source read failed)";
    case dma_engine::st_dst_error: return "DST_ERROR (destination write failed)";
    case dma_engine::st_bad_opcode: return "BAD_OPCODE";
    case dma_engine::st_bad_length: return "BAD_LENGTH (zero)";
    case dma_engine::st_desc_read: return "DESC_READ (descriptor fetch failed)";
    case dma_engine::st_desc_write: return "DESC_WRITE (status write-back failed)";
    case dma_engine::st_bad_ring: return "BAD_RING (RING_SIZE or TAIL invalid)";
    default: return "?";
    }
}

} // namespace

dma_engine::dma_engine(sc_core::sc_module_name name, const config& cfg)
    : sc_module(name), socket("socket"), dma("dma", cfg.stream_id, this->name()), cfg_(cfg),
      regs_(this->name()), log_(this->name()) {
    socket.register_b_transport(this, &dma_engine::b_transport);
    socket.register_transport_dbg(this, &dma_engine::transport_dbg);
    SC_THREAD(engine_thread);
}

void dma_engine::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    access_time_ = sc_core::sc_time_stamp() + delay;
    regs_.access(p, false);
}

unsigned dma_engine::transport_dbg(tlm::tlm_generic_payload& p) {
    regs_.access(p, true);
    return p.is_response_ok() ? p.get_data_length() : 0;
}

void dma_engine::write_control(uint64_t old, uint64_t now) {
    if (!(old & 1) || (now & 1)) return;
    head_.set(0);
    target_ = 0;
    doorbells_.clear();
    if (!running_) clear_busy_if_idle();
}

void dma_engine::write_error_clear(uint64_t now) {
    if (!(now & 1)) return;
    status_.clear_bits(status_error);
    error_code_.set(0);
    error_index_.set(0);
    error_addr_.set(0);
}

void dma_engine::stop(uint32_t code, uint32_t index, uint64_t address) {
    status_.set_bits(status_error);
    error_code_.set(code);
    error_index_.set(index);
    error_addr_.set(address);
    interrupts_.raise(int_error);
    log_.warning("stopped: descriptor " + std::to_string(index) + ": " + code_name(code) + " at bus address " +
                 core::hex(address));
    if (!doorbells_.empty()) {
        log_.warning(std::to_string(doorbells_.size()) + " later doorbell(s) dropped: the engine stopped first");
        doorbells_.clear();
    }
    target_ = static_cast<uint32_t>(head_.get());
    core::trace_event("dma_engine_error", name())
        .hex_field("code", code)
        .field("index", static_cast<uint64_t>(index))
        .hex_field("addr", address)
        .emit();
}

void dma_engine::ring_doorbell() {
    if (!(control_.get() & 1)) {
        log_.warning("doorbell while CONTROL.ENABLE is 0: ignored");
        return;
    }
    if (status_.get() & status_error) {
        log_.warning("doorbell while stopped on error " + core::hex(error_code_.get()) +
                     " (write ERROR_CLEAR first): ignored");
        return;
    }
    const uint64_t size = ring_size_.get();
    if (size == 0 || size > max_ring || tail_.get() >= size) {
        stop(st_bad_ring, static_cast<uint32_t>(head_.get()), ring_base_.get());
        return;
    }
    // BUSY from the write on; the engine takes the doorbell at the write's time.
    status_.set_bits(status_busy);
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const sc_core::sc_time at = access_time_ > now ? access_time_ : now;
    doorbells_.push_back({at, static_cast<uint32_t>(tail_.get())});
    doorbell_.notify(at - now);
}

void dma_engine::take_due_doorbells() {
    while (!doorbells_.empty() && doorbells_.front().at <= sc_core::sc_time_stamp()) {
        target_ = doorbells_.front().tail;
        doorbells_.pop_front();
    }
}

bool dma_engine::has_work() const {
    if (!(control_.get() & 1) || (status_.get() & status_error)) return false;
    return head_.get() != target_;
}

void dma_engine::clear_busy_if_idle() {
    if (!doorbells_.empty() || has_work()) return;
    status_.clear_bits(status_busy);
}

void dma_engine::settle(sc_core::sc_time& delay) {
    if (delay > sc_core::SC_ZERO_TIME) wait(delay);
    delay = sc_core::SC_ZERO_TIME;
}

void dma_engine::engine_thread() {
    for (;;) {
        take_due_doorbells();
        if (has_work()) {
            const uint64_t size = ring_size_.get();
            const uint32_t head = static_cast<uint32_t>(head_.get());
            if (size == 0 || size > max_ring || head >= size) {  // RING_SIZE changed under a running engine
                stop(st_bad_ring, head, ring_base_.get());
                continue;
            }
            // The previous status write-back still holds the port.
            const sc_core::sc_time now = sc_core::sc_time_stamp();
            if (port_free_at_ > now) {
                wait(port_free_at_ - now);
                continue;  // CONTROL may have changed meanwhile
            }
            sc_core::sc_time after = sc_core::SC_ZERO_TIME;
            running_ = true;
            process(head, after);
            running_ = false;
            port_free_at_ = sc_core::sc_time_stamp() + after;
            // At the completion time: a doorbell due by now extends the run, else BUSY clears.
            take_due_doorbells();
            clear_busy_if_idle();
            continue;
        }
        clear_busy_if_idle();
        if (doorbells_.empty())
            wait(doorbell_);
        else
            wait(doorbells_.front().at - sc_core::sc_time_stamp());
    }
}

bool dma_engine::process(uint32_t index, sc_core::sc_time& after) {
    const uint64_t size = ring_size_.get();
    const uint64_t at = ring_base_.get() + uint64_t{index} * descriptor_size;
    uint8_t d[descriptor_size];
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    auto fetched = dma.read(at, d, sizeof d, delay);
    settle(delay);
    if (!fetched.ok()) {
        stop(st_desc_read, index, fetched.failed_address);
        return false;
    }
    const uint32_t control = le32(d), length = le32(d + 0x18);
    const uint64_t src = le64(d + 0x08), dst = le64(d + 0x10);
    delay += cfg_.per_descriptor;
    fail_address_ = 0;
    const uint32_t code = execute(control, src, dst, length, delay);
    settle(delay);  // the completion time (or the failure's)
    const uint8_t st[4] = {uint8_t(code), uint8_t(code >> 8), uint8_t(code >> 16), uint8_t(code >> 24)};
    auto written = dma.write(at + 4, st, 4, after);
    const bool enabled = control_.get() & 1;  // disabled meanwhile: HEAD stays reset
    if (enabled) head_.set((index + 1) % size);
    core::trace_event("dma_engine_descriptor", name())
        .field("index", static_cast<uint64_t>(index))
        .hex_field("op", control & 0xff)
        .hex_field("src_addr", src)  // "src" is the model
        .hex_field("dst_addr", dst)
        .field("length", static_cast<uint64_t>(length))
        .hex_field("status", code)
        .emit();
    if (!written.ok()) {
        stop(st_desc_write, index, written.failed_address);
        return false;
    }
    if (code != st_ok) {
        stop(code, index, fail_address_);
        return false;
    }
    completed_.set(completed_.get() + 1);
    if (control & desc_irq) {
        interrupts_.raise(int_done);
    }
    return enabled;
}

uint32_t dma_engine::execute(uint32_t control, uint64_t src, uint64_t dst, uint32_t length, sc_core::sc_time& delay) {
    const uint32_t op = control & 0xff;
    if (op != op_copy && op != op_fill) return st_bad_opcode;
    if (length == 0) return st_bad_length;
    if (op == op_fill)
        for (unsigned i = 0; i < sizeof bounce_; ++i) bounce_[i] = static_cast<uint8_t>(src >> (8 * (i % 4)));
    for (uint64_t done = 0; done < length;) {
        const unsigned piece = static_cast<unsigned>(std::min<uint64_t>(length - done, sizeof bounce_));
        if (op == op_copy) {
            settle(delay);
            auto r = dma.read(src + done, bounce_, piece, delay);
            if (!r.ok()) {
                fail_address_ = r.failed_address;
                return st_src_error;
            }
        }
        settle(delay);
        auto w = dma.write(dst + done, bounce_, piece, delay);
        if (!w.ok()) {
            fail_address_ = w.failed_address;
            return st_dst_error;
        }
        done += piece;
        delay += cfg_.per_byte * piece;
    }
    return st_ok;
}

} // namespace socsim::devices
