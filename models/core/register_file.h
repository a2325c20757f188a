#pragma once
// Registers declared as data. A model lists its registers once (name, offset, width, reset value,
// read-only and write-1-to-clear masks, accepted access sizes, callbacks) and hands every TLM
// access at its base to `register_file::access`, which checks size and alignment, merges partial
// writes, applies the masks and calls back.
//
//   regs_.add("CR", 0x30, 4).reset_value(0x300).read_only(0xffff0000)
//       .on_write([this](reg&, uint64_t old, uint64_t now) { control_changed(old, now); });
//
// A 64-bit register also accepts two 32-bit halves (Unicorn splits every 8-byte MMIO access in
// two, low half first); such a write is not atomic: the write callback runs once per half.
// Debug accesses never run callbacks with side effects: read callbacks get `debug = true` and
// must not change state; debug writes store the value without calling `on_write`.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tlm>

#include "models/core/log.h"

namespace socsim::core {

class reg {
public:
    using read_fn = std::function<uint64_t(const reg&, bool debug)>;
    using write_fn = std::function<void(reg&, uint64_t old_value, uint64_t new_value)>;

    reg(std::string name, uint64_t offset, unsigned width, unsigned index);

    // Declaration (fluent).
    reg& reset_value(uint64_t v) { reset_ = v & width_mask(); value_ = reset_; return *this; }
    reg& read_only(uint64_t mask = ~0ull) { read_only_ = mask & width_mask(); return *this; }
    reg& write_one_to_clear(uint64_t mask) { w1c_ = mask & width_mask(); return *this; }
    reg& write_only() { write_only_ = true; return *this; }  // reads return 0
    // Accepted access sizes in bytes, as a bit set of 1, 2, 4, 8 (default: the width, plus 4
    // for 64-bit registers).
    reg& access_sizes(std::initializer_list<unsigned> sizes);
    reg& on_read(read_fn fn) { on_read_ = std::move(fn); return *this; }
    reg& on_write(write_fn fn) { on_write_ = std::move(fn); return *this; }

    // Model side: no callbacks, no masks.
    uint64_t get() const { return value_; }
    void set(uint64_t v) { value_ = v & width_mask(); }
    void reset() { value_ = reset_; }

    const std::string& name() const { return name_; }
    uint64_t offset() const { return offset_; }
    unsigned width() const { return width_; }
    unsigned index() const { return index_; }  // position in a register array, else 0
    bool accepts_size(unsigned bytes) const { return bytes <= 8 && (sizes_ & bytes) != 0; }
    uint64_t width_mask() const { return width_ == 8 ? ~0ull : ((1ull << (8 * width_)) - 1); }

    // Access of `len` bytes at byte `byte_offset` within the register (already validated).
    uint64_t read(unsigned byte_offset, unsigned len, bool debug) const;
    void write(unsigned byte_offset, unsigned len, uint64_t data, bool debug);

private:
    std::string name_;
    uint64_t offset_;
    unsigned width_;
    unsigned index_;
    uint64_t reset_ = 0;
    uint64_t value_ = 0;
    uint64_t read_only_ = 0;
    uint64_t w1c_ = 0;
    bool write_only_ = false;
    unsigned sizes_ = 0;
    read_fn on_read_;
    write_fn on_write_;
};

class register_file {
public:
    // What an access to an offset with no register gets.
    enum class unmapped { error, read_zero_write_ignore };

    explicit register_file(std::string owner, unmapped policy = unmapped::error);

    // Declares a register; throws std::logic_error when it overlaps another (a model bug).
    reg& add(const std::string& name, uint64_t offset, unsigned width);
    // Declares `count` registers "NAME[i]" at offset + i * stride (their index() is i), and
    // calls `declare` on each to set masks and callbacks.
    void add_array(const std::string& name, uint64_t offset, unsigned width, unsigned count,
                   uint64_t stride, const std::function<void(reg&)>& declare);

    reg& operator[](const std::string& name);
    const reg& operator[](const std::string& name) const;
    reg* find(uint64_t offset);  // the register containing this byte offset
    void reset();

    // Serves a TLM access whose address is relative to the device base. Sets the response
    // status; a bad size, alignment or offset gets an error response and one log line.
    void access(tlm::tlm_generic_payload& payload, bool debug = false);

    const logger& log() const { return log_; }

private:
    reg& insert(std::unique_ptr<reg> r);

    logger log_;
    unmapped policy_;
    std::map<uint64_t, std::unique_ptr<reg>> by_offset_;
    std::map<std::string, reg*> by_name_;
};

} // namespace socsim::core
