#include "models/cpu/semihosting.h"

#include <cerrno>
#include <vector>

#include "models/core/address_range.h"

namespace socsim::cpu {
namespace {

enum op : uint32_t {
    sys_open = 0x01, sys_close = 0x02, sys_writec = 0x03, sys_write0 = 0x04, sys_write = 0x05,
    sys_read = 0x06, sys_readc = 0x07, sys_iserror = 0x08, sys_istty = 0x09, sys_seek = 0x0a,
    sys_flen = 0x0c, sys_clock = 0x10, sys_time = 0x11, sys_errno = 0x13, sys_get_cmdline = 0x15,
    sys_heapinfo = 0x16, sys_exit = 0x18, sys_exit_extended = 0x20, sys_elapsed = 0x30,
    sys_tickfreq = 0x31,
};

constexpr uint64_t adp_stopped_application_exit = 0x20026;
// ":semihosting-features": magic "SHFB", then feature byte 0: bit 0 EXIT_EXTENDED, bit 1
// STDOUT_STDERR.
const char feature_file[] = {'S', 'H', 'F', 'B', 0x03};
constexpr uint64_t max_transfer = 1u << 20;  // one call moves at most 1 MiB (guards garbage lengths)

} // namespace

semihosting::semihosting(guest_memory& memory, console io, std::string command_line)
    : memory_(memory), io_(io), command_line_(std::move(command_line)) {}

bool semihosting::read_fields(uint64_t addr, uint64_t* fields, unsigned count) {
    return memory_.read(addr, fields, count * sizeof(uint64_t));
}

std::ostream* semihosting::output_for(uint64_t handle) {
    auto it = handles_.find(handle);
    if (it == handles_.end()) return nullptr;
    return it->second.kind == stream::out ? io_.out : it->second.kind == stream::err ? io_.err : nullptr;
}

uint64_t semihosting::call(uint32_t op, uint64_t param) {
    uint64_t f[4];
    switch (op) {
    case sys_open: return op_open(param);
    case sys_close:
        if (!read_fields(param, f, 1)) return fail(EFAULT);
        return handles_.erase(f[0]) ? 0 : fail(EBADF);
    case sys_writec: {
        char c;
        if (!memory_.read(param, &c, 1)) return fail(EFAULT);
        io_.out->put(c);
        io_.out->flush();
        return 0;
    }
    case sys_write0: {
        std::string text;
        char c;
        for (uint64_t a = param; text.size() < max_transfer; ++a) {
            if (!memory_.read(a, &c, 1)) return fail(EFAULT);
            if (c == 0) break;
            text += c;
        }
        *io_.out << text;
        io_.out->flush();
        return 0;
    }
    case sys_write: return op_write(param);
    case sys_read: return op_read(param);
    case sys_readc: {
        int c = io_.in ? io_.in->get() : EOF;
        return c == EOF ? ~0ull : static_cast<uint64_t>(c);
    }
    case sys_iserror: {
        if (!read_fields(param, f, 1)) return fail(EFAULT);
        return static_cast<int64_t>(f[0]) < 0 ? 1 : 0;
    }
    case sys_istty: {
        if (!read_fields(param, f, 1)) return fail(EFAULT);
        auto it = handles_.find(f[0]);
        if (it == handles_.end()) return fail(EBADF);
        return it->second.kind == stream::features ? 0 : 1;
    }
    case sys_seek: {
        if (!read_fields(param, f, 2)) return fail(EFAULT);
        auto it = handles_.find(f[0]);
        if (it == handles_.end()) return fail(EBADF);
        if (it->second.kind != stream::features) return fail(ESPIPE);  // the console cannot seek
        if (f[1] > sizeof feature_file) return fail(EINVAL);
        it->second.position = f[1];
        return 0;
    }
    case sys_flen: {
        if (!read_fields(param, f, 1)) return fail(EFAULT);
        auto it = handles_.find(f[0]);
        if (it == handles_.end()) return fail(EBADF);
        return it->second.kind == stream::features ? sizeof feature_file : 0;
    }
    case sys_clock: return now_ns_() / 10'000'000;  // centiseconds
    case sys_time: return now_ns_() / 1'000'000'000;
    case sys_errno: return static_cast<uint64_t>(errno_);
    case sys_get_cmdline: {
        if (!read_fields(param, f, 2)) return fail(EFAULT);
        std::string line = command_line_;
        if (line.size() + 1 > f[1]) return fail(E2BIG);
        if (!memory_.write(f[0], line.c_str(), line.size() + 1)) return fail(EFAULT);
        uint64_t len = line.size();
        if (!memory_.write(param + 8, &len, 8)) return fail(EFAULT);
        return 0;
    }
    case sys_heapinfo: {
        if (!read_fields(param, f, 1)) return fail(EFAULT);
        uint64_t zeros[4] = {0, 0, 0, 0};
        return memory_.write(f[0], zeros, sizeof zeros) ? 0 : fail(EFAULT);
    }
    case sys_exit:
    case sys_exit_extended: return op_exit(op, param);
    case sys_elapsed: {
        uint64_t ticks = now_ns_();
        return memory_.write(param, &ticks, 8) ? 0 : fail(EFAULT);
    }
    case sys_tickfreq: return 1'000'000'000;  // ELAPSED counts nanoseconds
    default:
        log_.warning("unsupported semihosting call " + core::hex(op) + " (returns -1)");
        return fail(ENOSYS);
    }
}

uint64_t semihosting::op_open(uint64_t param) {
    uint64_t f[3];  // name, mode, name length
    if (!read_fields(param, f, 3)) return fail(EFAULT);
    if (f[2] > 4096) return fail(ENAMETOOLONG);
    std::string name(f[2], '\0');
    if (!memory_.read(f[0], name.data(), f[2])) return fail(EFAULT);
    handle h;
    if (name == ":semihosting-features") {
        if (f[1] >= 4) return fail(EACCES);  // read-only
        h.kind = stream::features;
    } else if (name == ":tt") {
        // Modes 0-3 are "r", 4-7 "w", 8-11 "a" (fopen's table).
        h.kind = f[1] < 4 ? stream::in : f[1] < 8 ? stream::out : stream::err;
    } else {
        log_.warning("firmware tried to open host file '" + name + "': only the console (:tt) is available");
        return fail(ENOENT);
    }
    uint64_t id = next_handle_++;
    handles_[id] = h;
    return id;
}

uint64_t semihosting::op_write(uint64_t param) {
    uint64_t f[3];  // handle, buffer, length
    if (!read_fields(param, f, 3)) return fail(EFAULT);
    std::ostream* out = output_for(f[0]);
    if (!out) return (errno_ = EBADF, f[2]);
    uint64_t len = std::min(f[2], max_transfer);
    std::vector<char> buf(len);
    if (!memory_.read(f[1], buf.data(), len)) return (errno_ = EFAULT, f[2]);
    out->write(buf.data(), static_cast<std::streamsize>(len));
    out->flush();
    return f[2] - len;  // bytes not written
}

uint64_t semihosting::op_read(uint64_t param) {
    uint64_t f[3];  // handle, buffer, length
    if (!read_fields(param, f, 3)) return fail(EFAULT);
    auto it = handles_.find(f[0]);
    if (it == handles_.end() || (it->second.kind != stream::in && it->second.kind != stream::features))
        return (errno_ = EBADF, f[2]);
    uint64_t len = std::min(f[2], max_transfer);
    std::vector<char> buf(len);
    uint64_t got = 0;
    if (it->second.kind == stream::features) {
        while (got < len && it->second.position < sizeof feature_file) buf[got++] = feature_file[it->second.position++];
    } else if (io_.in) {
        // Console reads return one line at a time, like a terminal.
        while (got < len) {
            int c = io_.in->get();
            if (c == EOF) break;
            buf[got++] = static_cast<char>(c);
            if (c == '\n') break;
        }
    }
    if (got && !memory_.write(f[1], buf.data(), got)) return (errno_ = EFAULT, f[2]);
    return f[2] - got;  // bytes not read
}

uint64_t semihosting::op_exit(uint32_t op, uint64_t param) {
    // A64: x1 points to {reason, subcode}.
    uint64_t f[2];
    if (!read_fields(param, f, 2)) {
        log_.warning("exit call with an unreadable parameter block at " + core::hex(param) + " (status 1)");
        on_exit_(1);
        return 0;
    }
    int status = f[0] == adp_stopped_application_exit ? static_cast<int>(f[1] & 0xff) : 1;
    SOCSIM_LOG(log_, debug, (op == sys_exit ? "EXIT" : "EXIT_EXTENDED") << " reason " << core::hex(f[0])
                                                                         << " subcode " << f[1]);
    on_exit_(status);
    return 0;
}

} // namespace socsim::cpu
