#include "models/core/register_file.h"

#include <cstring>
#include <iterator>
#include <stdexcept>

#include "models/core/address_range.h"
#include "models/core/dma_extension.h"

namespace socsim::core {

reg::reg(std::string name, uint64_t offset, unsigned width, unsigned index)
    : name_(std::move(name)), offset_(offset), width_(width), index_(index) {
    if (width != 4 && width != 8) throw std::logic_error("register " + name_ + ": width must be 4 or 8");
    sizes_ = width == 8 ? (8 | 4) : 4;
}

reg& reg::access_sizes(std::initializer_list<unsigned> sizes) {
    sizes_ = 0;
    for (unsigned s : sizes) {
        if (s != 1 && s != 2 && s != 4 && s != 8)
            throw std::logic_error("register " + name_ + ": bad access size");
        sizes_ |= s;
    }
    return *this;
}

uint64_t reg::read(unsigned byte_offset, unsigned len, bool debug) const {
    if (write_only_) return 0;
    uint64_t v = on_read_ ? on_read_(*this, debug) & width_mask() : value_;
    v >>= 8 * byte_offset;
    return len == 8 ? v : v & ((1ull << (8 * len)) - 1);
}

void reg::write(unsigned byte_offset, unsigned len, uint64_t data, bool debug) {
    uint64_t lane = (len == 8 ? ~0ull : ((1ull << (8 * len)) - 1)) << (8 * byte_offset);
    uint64_t written = (data << (8 * byte_offset)) & lane;
    uint64_t old = value_;
    if (debug) {
        // A debugger may set any bit, read-only ones included, and triggers nothing.
        value_ = ((old & ~lane) | written) & width_mask();
        return;
    }
    uint64_t plain = lane & ~read_only_ & ~w1c_;
    uint64_t now = (old & ~plain) | (written & plain);
    now &= ~(written & w1c_ & ~read_only_);
    value_ = now & width_mask();
    if (on_write_) on_write_(*this, old, value_);
}

register_file::register_file(std::string owner, unmapped policy)
    : log_(std::move(owner)), policy_(policy) {}

reg& register_file::add(const std::string& name, uint64_t offset, unsigned width) {
    return insert(std::make_unique<reg>(name, offset, width, 0));
}

reg_array register_file::add_array(const std::string& name, uint64_t offset, unsigned width,
                                   unsigned count, uint64_t stride,
                                   const std::function<void(reg&)>& declare) {
    reg_array array;
    for (unsigned i = 0; i < count; ++i) {
        reg& r = insert(std::make_unique<reg>(name + "[" + std::to_string(i) + "]",
                                              offset + i * stride, width, i));
        if (declare) declare(r);
        array.regs_.push_back(&r);
    }
    return array;
}

reg& register_file::insert(std::unique_ptr<reg> r) {
    if (r->offset() % r->width() != 0)
        throw std::logic_error("register " + r->name() + " is not naturally aligned");
    // The registers already declared do not overlap one another, so only the neighbours of the
    // new one's offset can overlap it (a model declares hundreds: no scan of them all).
    const address_range mine{r->offset(), r->width()};
    auto overlapping = [&](const auto& entry) { return mine.overlaps({entry.first, entry.second->width()}); };
    const auto next = by_offset_.lower_bound(r->offset());
    const reg* other = nullptr;
    if (next != by_offset_.end() && overlapping(*next)) other = next->second.get();
    if (next != by_offset_.begin() && overlapping(*std::prev(next))) other = std::prev(next)->second.get();
    if (other) throw std::logic_error("register " + r->name() + " overlaps " + other->name());
    reg& ref = *r;
    if (!by_name_.emplace(ref.name(), &ref).second)
        throw std::logic_error("register " + ref.name() + " declared twice");
    by_offset_.emplace_hint(next, ref.offset(), std::move(r));
    return ref;
}

reg& register_file::operator[](const std::string& name) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) throw std::logic_error(log_.module() + ": no register " + name);
    return *it->second;
}

const reg& register_file::operator[](const std::string& name) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) throw std::logic_error(log_.module() + ": no register " + name);
    return *it->second;
}

reg* register_file::find(uint64_t offset) {
    auto it = by_offset_.upper_bound(offset);
    if (it == by_offset_.begin()) return nullptr;
    --it;
    reg* r = it->second.get();
    return offset - r->offset() < r->width() ? r : nullptr;
}

void register_file::reset() {
    for (auto& [off, r] : by_offset_) r->reset();
}

void register_file::access(tlm::tlm_generic_payload& p, bool debug) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    const bool is_read = p.is_read();
    auto refuse = [&](tlm::tlm_response_status status, const std::string& why) {
        log_.warning(std::string(is_read ? "read" : "write") + " of " + std::to_string(len) +
                     " bytes at offset " + hex(addr) + " by " + initiator_of(p) + " refused: " + why);
        p.set_response_status(status);
    };

    if (!is_read && !p.is_write()) {  // TLM_IGNORE_COMMAND: nothing to do
        p.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (p.get_byte_enable_ptr()) return refuse(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE, "byte enables are not supported");
    if (p.get_streaming_width() < len) return refuse(tlm::TLM_BURST_ERROR_RESPONSE, "streaming access");

    reg* r = find(addr);
    if (!r) {
        if (policy_ == unmapped::read_zero_write_ignore) {
            if (is_read) std::memset(p.get_data_ptr(), 0, len);
            SOCSIM_LOG(log_, debug, (is_read ? "read" : "write") << " at unimplemented offset " << hex(addr)
                                                                 << " (reads as zero, writes ignored)");
            p.set_response_status(tlm::TLM_OK_RESPONSE);
            return;
        }
        return refuse(tlm::TLM_ADDRESS_ERROR_RESPONSE, "no register there");
    }
    unsigned within = static_cast<unsigned>(addr - r->offset());
    if (debug) {
        // Debuggers may use any size that stays inside the register.
        if (len == 0 || within + len > r->width())
            return refuse(tlm::TLM_ADDRESS_ERROR_RESPONSE, "debug access crosses register " + r->name());
    } else {
        if (!r->accepts_size(len))
            return refuse(tlm::TLM_COMMAND_ERROR_RESPONSE,
                          "register " + r->name() + " does not accept " + std::to_string(len) + "-byte accesses");
        if (within % len != 0 || within + len > r->width())
            return refuse(tlm::TLM_COMMAND_ERROR_RESPONSE, "misaligned access to register " + r->name());
    }
    if (is_read) {
        uint64_t v = r->read(within, len, debug);
        std::memcpy(p.get_data_ptr(), &v, len);  // host and guest are little-endian
    } else {
        uint64_t v = 0;
        std::memcpy(&v, p.get_data_ptr(), len);
        r->write(within, len, v, debug);
    }
    p.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace socsim::core
