#pragma once
// Registers declared as data. A model lists its registers once (name, offset, width, reset value,
// read-only and write-1-to-clear masks, accepted access sizes, callbacks) and hands every TLM
// access at its base to `register_file::access`, which checks size and alignment, merges partial
// writes, applies the masks and calls back.
//
//   regs_.add("CR", 0x30, 4).reset_value(0x300).read_only(0xffff0000)
//       .on_write([this](reg&, uint64_t old, uint64_t now) { control_changed(old, now); });
//
// A model keeps each register it uses as a member bound at its declaration, with a named handler
// (as VCML's `reg<u32> cr; cr.on_write(&pl011::write_cr)`), so a misspelt register is a compile
// error rather than a failed look-up when that line first runs:
//
//   core::reg& cr_ = regs_.add("CR", 0x30, 4).reset_value(0x300).on_write(this, &uart::write_cr);
//   core::reg_array imap_ = regs_.add_array("IMAP", 0xc00, 4, 8, 4);  // imap_[k]
//
// Look-up by name (`regs_["CR"]`) stays for tests and debugging.
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
#include <unordered_map>
#include <vector>

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
    // Named handlers: a member function of `model`, called with nothing, with the value now in
    // the register (after masks), or with the old and the new value; a read handler gets `debug`
    // and returns what the access reads.
    template <class M, class C>
    reg& on_write(M* model, void (C::*fn)()) {
        return on_write([model, fn](reg&, uint64_t, uint64_t) { (model->*fn)(); });
    }
    template <class M, class C>
    reg& on_write(M* model, void (C::*fn)(uint64_t now)) {
        return on_write([model, fn](reg&, uint64_t, uint64_t now) { (model->*fn)(now); });
    }
    template <class M, class C>
    reg& on_write(M* model, void (C::*fn)(uint64_t old_value, uint64_t new_value)) {
        return on_write([model, fn](reg&, uint64_t old_value, uint64_t now) { (model->*fn)(old_value, now); });
    }
    template <class M, class C>  // one handler for several registers
    reg& on_write(M* model, void (C::*fn)(reg& r, uint64_t old_value, uint64_t new_value)) {
        return on_write([model, fn](reg& r, uint64_t old_value, uint64_t now) { (model->*fn)(r, old_value, now); });
    }
    template <class M, class C>
    reg& on_read(M* model, uint64_t (C::*fn)(bool debug)) {
        return on_read([model, fn](const reg&, bool debug) { return (model->*fn)(debug); });
    }
    template <class M, class C>
    reg& on_read(M* model, uint64_t (C::*fn)(bool debug) const) {
        return on_read([model, fn](const reg&, bool debug) { return (model->*fn)(debug); });
    }

    // Model side: no callbacks, no masks.
    uint64_t get() const { return value_; }
    void set(uint64_t v) { value_ = v & width_mask(); }
    void reset() { value_ = reset_; }
    void set_bits(uint64_t mask) { set(value_ | mask); }
    void clear_bits(uint64_t mask) { set(value_ & ~mask); }

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

// The registers of one add_array: element i is "NAME[i]".
class reg_array {
public:
    reg& operator[](size_t i) const { return *regs_.at(i); }
    size_t size() const { return regs_.size(); }

private:
    friend class register_file;
    std::vector<reg*> regs_;
};

class register_file {
public:
    // What an access to an offset with no register gets.
    enum class unmapped { error, read_zero_write_ignore };

    explicit register_file(std::string owner, unmapped policy = unmapped::error);

    // Declares a register; throws std::logic_error when it overlaps another (a model bug).
    reg& add(const std::string& name, uint64_t offset, unsigned width);
    // Declares `count` registers "NAME[i]" at offset + i * stride (their index() is i), and
    // calls `declare` (if given) on each to set masks and callbacks.
    reg_array add_array(const std::string& name, uint64_t offset, unsigned width, unsigned count,
                        uint64_t stride, const std::function<void(reg&)>& declare = {});

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
    // Hashed: a model declares up to hundreds of registers named alike (the t8110 DART over 500,
    // "TTBR[12]"), and an ordered map compared their names a dozen times per insertion. Only
    // looked up, never walked, so its order does not matter.
    std::unordered_map<std::string, reg*> by_name_;
};

} // namespace socsim::core
