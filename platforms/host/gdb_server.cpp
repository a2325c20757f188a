#include "platforms/host/gdb_server.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/core/run_control.h"
#include "models/iommu/common/debug_view.h"

namespace socsim::host {
namespace {

using stop_event = cpu::arm64_cpu::stop_event;
using resume_mode = cpu::arm64_cpu::resume_mode;

constexpr size_t max_packet = 0x4000;  // what qSupported announces (PacketSize, hex)
constexpr int sigint = 2, sigtrap = 5;

const char hex_digits[] = "0123456789abcdef";

std::string to_hex(const uint8_t* bytes, size_t n) {
    std::string s;
    s.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        s += hex_digits[bytes[i] >> 4];
        s += hex_digits[bytes[i] & 15];
    }
    return s;
}
std::string to_hex(const std::string& text) {
    return to_hex(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool from_hex(const std::string& text, std::vector<uint8_t>& out) {
    if (text.size() % 2) return false;
    out.clear();
    for (size_t i = 0; i < text.size(); i += 2) {
        const int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<uint8_t>(hi * 16 + lo));
    }
    return true;
}

// A hexadecimal number ending at a separator or the end; false if empty or not hex.
bool parse_hex(const std::string& text, size_t& pos, uint64_t& value) {
    const size_t start = pos;
    value = 0;
    while (pos < text.size() && hex_value(text[pos]) >= 0 && pos - start < 16)
        value = value * 16 + static_cast<uint64_t>(hex_value(text[pos++]));
    return pos > start && (pos == text.size() || hex_value(text[pos]) < 0);
}

// "ADDR,LEN" at the start of `text` (after the command letter), `pos` left after LEN.
bool parse_addr_len(const std::string& text, size_t& pos, uint64_t& addr, uint64_t& len) {
    if (!parse_hex(text, pos, addr) || pos >= text.size() || text[pos] != ',') return false;
    ++pos;
    return parse_hex(text, pos, len);
}

// A number as the monitor commands take it: 0x-prefixed hex or decimal.
bool parse_number(const std::string& word, uint64_t& value) {
    if (word.empty()) return false;
    try {
        size_t used = 0;
        value = std::stoull(word, &used, 0);
        return used == word.size();
    } catch (const std::exception&) {
        return false;
    }
}

std::string byte_hex(unsigned v) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", v & 0xff);
    return b;
}

// GDB's aarch64 target description (its aarch64-core.xml and aarch64-fpu.xml features, with
// socsim's register numbers).
std::string target_xml() {
    std::ostringstream x;
    x << "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
      << "<architecture>aarch64</architecture>\n<feature name=\"org.gnu.gdb.aarch64.core\">\n";
    for (int i = 0; i <= 30; ++i) x << "<reg name=\"x" << i << "\" bitsize=\"64\" regnum=\"" << i << "\"/>\n";
    x << "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n"
      << "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n"
      << "<reg name=\"cpsr\" bitsize=\"32\" regnum=\"33\"/>\n</feature>\n"
      << "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
      << "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
      << "<vector id=\"v2i\" type=\"int64\" count=\"2\"/>\n<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
      << "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n<vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
      << "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n<vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
      << "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n<vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
      << "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/>\n<vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
      << "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
         "<field name=\"s\" type=\"v2i\"/></union>\n"
      << "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
         "<field name=\"s\" type=\"v4i\"/></union>\n"
      << "<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>\n"
      << "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
      << "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
      << "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
         "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/><field name=\"q\" type=\"vnq\"/></union>\n";
    for (int i = 0; i < 32; ++i)
        x << "<reg name=\"v" << i << "\" bitsize=\"128\" type=\"aarch64v\" regnum=\"" << 34 + i << "\"/>\n";
    x << "<reg name=\"fpsr\" bitsize=\"32\" regnum=\"66\"/>\n<reg name=\"fpcr\" bitsize=\"32\" regnum=\"67\"/>\n"
      << "</feature>\n</target>\n";
    return x.str();
}

std::vector<std::string> words_of(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

} // namespace

gdb_server::gdb_server(const std::string& address, platform_view view) : view_(std::move(view)) {
    std::string host = "127.0.0.1", port_text = address;
    if (const size_t colon = address.rfind(':'); colon != std::string::npos) {
        host = address.substr(0, colon);
        port_text = address.substr(colon + 1);
        if (host.empty()) host = "127.0.0.1";
    }
    uint64_t port = 0;
    if (!parse_number(port_text, port) || port > 65535)
        throw core::config_error("--gdb: '" + address + "' is not [HOST:]PORT");
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found)
        throw core::config_error("--gdb: unknown host '" + host + "'");
    sockaddr_in sa{};
    std::memcpy(&sa, found->ai_addr, sizeof sa);
    freeaddrinfo(found);
    sa.sin_port = htons(static_cast<uint16_t>(port));
    char ip[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
    host_ = ip;

    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw core::config_error(std::string("--gdb: cannot open a socket: ") + std::strerror(errno));
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(listen_fd_, 1) != 0) {
        const std::string why = std::strerror(errno);
        close(listen_fd_);
        listen_fd_ = -1;
        throw core::config_error("--gdb: cannot listen on " + host_ + ":" + std::to_string(port) + ": " + why);
    }
    socklen_t len = sizeof sa;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
}

gdb_server::~gdb_server() {
    core::set_debug_listener(nullptr);
    if (client_fd_ >= 0) close(client_fd_);
    if (listen_fd_ >= 0) close(listen_fd_);
}

std::string gdb_server::where() const { return host_ + ":" + std::to_string(port_); }

void gdb_server::wait_for_client() {
    while (client_fd_ < 0 && accept_client(true)) {
    }
}

void gdb_server::start(bool halt_at_start) {
    view_.cpu->attach_debugger(this, halt_at_start);
    core::set_debug_listener(this);
}

bool gdb_server::accept_client(bool wait) {
    if (listen_fd_ < 0) return false;
    if (!wait) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) return false;
    }
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return errno == EINTR || errno == ECONNABORTED;  // try again
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    client_fd_ = fd;
    inbuf_.clear();
    fresh_client_ = true;
    client_waiting_ = false;
    last_stop_ = "S05";
    return true;
}

void gdb_server::drop_client(const std::string& why) {
    if (client_fd_ < 0) return;
    close(client_fd_);
    client_fd_ = -1;
    client_waiting_ = false;
    inbuf_.clear();
    pending_console_.clear();
    dma_watch_ = false;
    core::watching_dma = false;
    if (!why.empty()) std::cerr << "socsim: gdb: " << why << std::endl;
    // Breakpoints, watchpoints and stepping end; the core keeps asking for the next client.
    view_.cpu->attach_debugger(nullptr, false);
    view_.cpu->attach_debugger(this, false);
}

void gdb_server::finish(int status) {
    if (client_fd_ >= 0 && client_waiting_) send_packet("W" + byte_hex(static_cast<unsigned>(status)));
    core::set_debug_listener(nullptr);
    if (client_fd_ >= 0) close(client_fd_);
    client_fd_ = -1;
}

// ---- bytes and packets ------------------------------------------------------------------------

bool gdb_server::read_byte(char& c) {
    if (inbuf_.empty()) {
        char buffer[4096];
        ssize_t n;
        do n = recv(client_fd_, buffer, sizeof buffer, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0) return false;
        inbuf_.assign(buffer, static_cast<size_t>(n));
    }
    c = inbuf_.front();
    inbuf_.erase(0, 1);
    return true;
}

gdb_server::read_result gdb_server::read_packet(std::string& payload) {
    for (;;) {
        char c;
        if (!read_byte(c)) return read_result::closed;
        if (c == '\x03') return read_result::interrupt;
        if (c != '$') continue;  // acks and noise between packets
        payload.clear();
        unsigned sum = 0;
        bool too_long = false;
        while (read_byte(c) && c != '#') {
            sum += static_cast<unsigned char>(c);
            if (payload.size() < max_packet) payload += c;
            else too_long = true;
        }
        if (c != '#') return read_result::closed;
        char h, l;
        if (!read_byte(h) || !read_byte(l)) return read_result::closed;
        const int hi = hex_value(h), lo = hex_value(l);
        if (too_long || hi < 0 || lo < 0 || static_cast<unsigned>(hi * 16 + lo) != (sum & 0xff)) {
            send_raw("-");  // refused: the client sends it again
            continue;
        }
        send_raw("+");
        return read_result::packet;
    }
}

void gdb_server::send_raw(const std::string& bytes) {
    size_t done = 0;
    while (client_fd_ >= 0 && done < bytes.size()) {
        const ssize_t n = send(client_fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the next read sees the closed connection
        done += static_cast<size_t>(n);
    }
}

void gdb_server::send_packet(const std::string& payload) {
    std::string framed = "$";
    unsigned sum = 0;
    for (char c : payload) {
        if (c == '$' || c == '#' || c == '}' || c == '*') {  // escaped: '}' then c ^ 0x20
            framed += '}';
            sum += '}';
            c = static_cast<char>(c ^ 0x20);
        }
        framed += c;
        sum += static_cast<unsigned char>(c);
    }
    framed += '#' + byte_hex(sum);
    // The client acknowledges with '+'; a '-' asks for the packet again (a few times at most).
    for (int attempt = 0; attempt < 3 && client_fd_ >= 0; ++attempt) {
        send_raw(framed);
        char c;
        do {
            if (!read_byte(c)) return;
        } while (c != '+' && c != '-');
        if (c == '+') return;
    }
}

void gdb_server::console(const std::string& text) { send_packet("O" + to_hex(text)); }

// ---- the core halted ----------------------------------------------------------------------------

bool gdb_server::halt_wanted() {
    if (fresh_client_) return true;
    // Asked once per slice (a few thousand times per second): look at the sockets every 10 ms
    // of host time at most. The coarse clock is read without a system call.
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    const int64_t now_ms = static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
    if (now_ms - last_poll_ms_ < 10) return false;
    last_poll_ms_ = now_ms;
    if (client_fd_ < 0) return accept_client(false);
    // Running: the only thing the client sends is an interrupt (Ctrl-C), which may already
    // have arrived with the packet that resumed the core.
    if (const size_t at = inbuf_.find('\x03'); at != std::string::npos) {
        inbuf_.erase(0, at + 1);
        return true;
    }
    inbuf_.clear();
    for (;;) {
        pollfd p{client_fd_, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) return false;
        char c;
        if (!read_byte(c)) {
            drop_client("the debugger disconnected; the run goes on");
            return false;
        }
        if (c == '\x03') return true;
    }
}

std::string gdb_server::stop_reply(const stop_event& stop) const {
    const int signal = stop.why == stop_event::reason::interrupted ? sigint : sigtrap;
    std::string reply = "T" + byte_hex(static_cast<unsigned>(signal));
    if (stop.why == stop_event::reason::watchpoint) {
        char addr[24];
        std::snprintf(addr, sizeof addr, "%llx", static_cast<unsigned long long>(stop.data_address));
        reply += std::string(stop.data_write ? "watch:" : "rwatch:") + addr + ";";
    }
    return reply + "thread:1;";
}

resume_mode gdb_server::halted(cpu::arm64_cpu&, const stop_event& stop) {
    if (client_fd_ < 0) return resume_mode::run;
    // A client that just connected (at the start, or into a running core) sees a plain SIGTRAP.
    const bool attaching = fresh_client_ || stop.why == stop_event::reason::attached;
    fresh_client_ = false;
    const std::string reply = attaching ? "S05" : stop_reply(stop);
    if (client_waiting_) {
        // Only while it waits for the stop does GDB print console output.
        for (const std::string& line : pending_console_) console(line + "\n");
        if (!stop.text.empty() && pending_console_.empty()) console(stop.text + "\n");
        send_packet(reply);
        client_waiting_ = false;
    }
    pending_console_.clear();
    last_stop_ = reply;
    for (;;) {
        std::string packet;
        const read_result r = read_packet(packet);
        if (r == read_result::closed) {
            drop_client("the debugger disconnected; the run goes on");
            return resume_mode::run;
        }
        if (r == read_result::interrupt) continue;  // already halted
        const after_command then = handle(packet);
        if (client_fd_ < 0 || kill_requested_) return resume_mode::run;  // detached, or killed
        if (then == after_command::resume_run) return resume_mode::run;
        if (then == after_command::resume_step) return resume_mode::step;
    }
}

// ---- commands -----------------------------------------------------------------------------------

std::string gdb_server::read_registers() const {
    std::string out;
    std::vector<uint8_t> bytes;
    for (unsigned r = 0; r < cpu::arm64_cpu::register_count; ++r)
        if (view_.cpu->read_register(r, bytes)) out += to_hex(bytes.data(), bytes.size());
    return out;
}

bool gdb_server::set_point(char type, uint64_t addr, uint64_t kind, bool on) {
    switch (type) {
    case '0':
    case '1': view_.cpu->set_breakpoint(addr, on); return true;
    case '2':
    case '3':
    case '4': view_.cpu->set_watchpoint(addr, kind, type - '0', on); return true;
    default: return false;
    }
}

std::string gdb_server::resume(const std::string& packet, after_command& then) {
    // c [addr], s [addr], C sig[;addr], S sig[;addr], vCont;ACTION[:thread]...: the first action
    // applies (one core).
    char action = packet[0];
    std::string rest = packet.substr(1);
    if (packet.rfind("vCont;", 0) == 0) {
        action = packet.size() > 6 ? packet[6] : 'c';
        rest.clear();
    }
    if (action == 'C' || action == 'S') {
        const size_t semi = rest.find(';');
        rest = semi == std::string::npos ? "" : rest.substr(semi + 1);
        action = action == 'C' ? 'c' : 's';
    }
    if (action != 'c' && action != 's') return "E01";
    if (!rest.empty()) {
        size_t pos = 0;
        uint64_t addr = 0;
        if (!parse_hex(rest, pos, addr)) return "E01";
        std::vector<uint8_t> pc(8);
        std::memcpy(pc.data(), &addr, 8);
        view_.cpu->write_register(32, pc);
    }
    then = action == 's' ? after_command::resume_step : after_command::resume_run;
    client_waiting_ = true;
    return "";
}

gdb_server::after_command gdb_server::handle(const std::string& packet) {
    after_command then = after_command::stay;
    std::string reply;
    const char cmd = packet.empty() ? '\0' : packet[0];
    size_t pos = 1;
    uint64_t addr = 0, len = 0;
    std::vector<uint8_t> bytes;
    switch (cmd) {
    case '?': reply = last_stop_; break;
    case 'g': reply = read_registers(); break;
    case 'G': {
        if (!from_hex(packet.substr(1), bytes)) {
            reply = "E01";
            break;
        }
        size_t at = 0;
        std::vector<uint8_t> reg;
        for (unsigned r = 0; r < cpu::arm64_cpu::register_count; ++r) {
            if (!view_.cpu->read_register(r, reg) || at + reg.size() > bytes.size()) break;
            reg.assign(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(at + reg.size()));
            view_.cpu->write_register(r, reg);
            at += reg.size();
        }
        reply = "OK";
        break;
    }
    case 'p':
        if (parse_hex(packet, pos, addr) && view_.cpu->read_register(static_cast<unsigned>(addr), bytes))
            reply = to_hex(bytes.data(), bytes.size());
        else
            reply = "E01";
        break;
    case 'P': {
        const size_t eq = packet.find('=');
        if (eq != std::string::npos && parse_hex(packet.substr(0, eq), pos, addr) &&
            from_hex(packet.substr(eq + 1), bytes) && view_.cpu->write_register(static_cast<unsigned>(addr), bytes))
            reply = "OK";
        else
            reply = "E01";
        break;
    }
    case 'm':
        if (!parse_addr_len(packet, pos, addr, len) || pos != packet.size()) {
            reply = "E01";
            break;
        }
        bytes.resize(std::min<uint64_t>(len, max_packet / 2 - 16));
        bytes.resize(view_.cpu->debug_read(addr, bytes.data(), bytes.size()));
        reply = bytes.empty() && len ? "E14" : to_hex(bytes.data(), bytes.size());
        break;
    case 'M': {
        const size_t colon = packet.find(':');
        if (colon == std::string::npos || !parse_addr_len(packet.substr(0, colon), pos, addr, len) ||
            !from_hex(packet.substr(colon + 1), bytes) || bytes.size() != len) {
            reply = "E01";
            break;
        }
        reply = view_.cpu->debug_write(addr, bytes.data(), bytes.size()) == bytes.size() ? "OK" : "E14";
        break;
    }
    case 'X': {
        const size_t colon = packet.find(':');
        if (colon == std::string::npos || !parse_addr_len(packet.substr(0, colon), pos, addr, len)) {
            reply = "E01";
            break;
        }
        bytes.clear();
        for (size_t i = colon + 1; i < packet.size(); ++i)  // binary, '}' escapes the next byte
            bytes.push_back(packet[i] == '}' && i + 1 < packet.size() ? static_cast<uint8_t>(packet[++i] ^ 0x20)
                                                                        : static_cast<uint8_t>(packet[i]));
        if (bytes.size() != len) reply = "E01";
        else reply = view_.cpu->debug_write(addr, bytes.data(), bytes.size()) == bytes.size() ? "OK" : "E14";
        break;
    }
    case 'Z':
    case 'z': {
        pos = 3;
        if (packet.size() < 3 || packet[2] != ',' || !parse_addr_len(packet, pos, addr, len)) {
            reply = "E01";
            break;
        }
        reply = set_point(packet[1], addr, len, cmd == 'Z') ? "OK" : "";
        break;
    }
    case 'c':
    case 's':
    case 'C':
    case 'S': reply = resume(packet, then); break;
    case 'k':
        // No reply: GDB closes the connection.
        kill_requested_ = true;
        core::run_control::instance().request_exit(core::run_outcome::firmware_exit, 0, "the debugger ended the run");
        std::cerr << "socsim: gdb: the debugger ended the run" << std::endl;
        return after_command::resume_run;
    case 'D':
        send_packet("OK");
        drop_client("the debugger detached; the run goes on");
        return after_command::resume_run;
    case 'H':
    case 'T': reply = "OK"; break;
    case 'v':
        if (packet == "vCont?") reply = "vCont;c;C;s;S";
        else if (packet.rfind("vCont;", 0) == 0) reply = resume(packet, then);
        else if (packet.rfind("vKill", 0) == 0) {
            send_packet("OK");
            return handle("k");
        }
        break;  // vMustReplyEmpty and the rest: unsupported
    case 'q':
        if (packet.rfind("qSupported", 0) == 0) {
            char text[96];
            std::snprintf(text, sizeof text, "PacketSize=%zx;qXfer:features:read+;vContSupported+", max_packet);
            reply = text;
        } else if (packet.rfind("qXfer:features:read:", 0) == 0) {
            // qXfer:features:read:ANNEX:OFFSET,LENGTH
            const std::string args = packet.substr(21);
            const size_t colon = args.find(':');
            size_t p = colon == std::string::npos ? 0 : colon + 1;
            uint64_t offset = 0, length = 0;
            if (colon == std::string::npos || !parse_addr_len(args, p, offset, length)) reply = "E01";
            else reply = features(args.substr(0, colon), offset, length);
        } else if (packet == "qC") {
            reply = "QC1";
        } else if (packet == "qfThreadInfo") {
            reply = "m1";
        } else if (packet == "qsThreadInfo") {
            reply = "l";
        } else if (packet.rfind("qAttached", 0) == 0) {
            reply = "1";
        } else if (packet.rfind("qRcmd,", 0) == 0) {
            std::vector<uint8_t> text;
            if (!from_hex(packet.substr(6), text)) {
                reply = "E01";
                break;
            }
            const std::string out = monitor(std::string(text.begin(), text.end()));
            // Long output in several console packets.
            for (size_t at = 0; at < out.size(); at += 1024) console(out.substr(at, 1024));
            reply = "OK";
        }
        break;
    default: break;  // unsupported: the empty reply
    }
    if (then == after_command::stay || !reply.empty()) send_packet(reply);
    return then;
}

std::string gdb_server::features(const std::string& annex, uint64_t offset, uint64_t length) const {
    if (annex != "target.xml") return "E00";
    const std::string xml = target_xml();
    if (offset >= xml.size()) return "l";
    const std::string part = xml.substr(offset, std::min<uint64_t>(length, max_packet / 2));
    return (offset + part.size() < xml.size() ? "m" : "l") + part;
}

// ---- diagnostics and DMA --------------------------------------------------------------------------

void gdb_server::diagnostic(core::diagnostic_class what, const char* kind, const std::string& line) {
    if (client_fd_ < 0 || fresh_client_) return;
    if (what == core::diagnostic_class::fault ? !stop_on_fault_ : !stop_on_stale_) return;
    const std::string text = std::string("socsim: stopped on ") + kind + ": " + line;
    pending_console_.push_back(text);
    stop_event e;
    e.why = stop_event::reason::diagnostic;
    e.text = text;
    view_.cpu->request_halt(e);
}

void gdb_server::dma(const core::dma_access& a) {
    if (client_fd_ < 0 || !dma_watch_) return;
    if (a.physical >= dma_watch_base_ + dma_watch_len_ || dma_watch_base_ >= a.physical + a.length) return;
    std::ostringstream text;
    text << "socsim: dma-watch: " << a.initiator;
    if (a.has_stream) text << " stream " << core::hex(a.stream);
    text << (a.write ? " write" : " read") << " of " << a.length << " bytes at IOVA " << core::hex(a.iova)
         << " -> physical " << core::hex(a.physical) << " at " << core::format_ns(sc_core::sc_time_stamp());
    pending_console_.push_back(text.str());
    stop_event e;
    e.why = stop_event::reason::dma_watch;
    e.text = text.str();
    view_.cpu->request_halt(e);
}

std::string gdb_server::monitor(const std::string& command) {
    const std::vector<std::string> w = words_of(command);
    std::ostringstream out;
    auto find_iommu = [&](const std::string& name) -> const iommu_entry* {
        for (const iommu_entry& i : view_.iommus)
            if (i.name == name) return &i;
        out << "no IOMMU '" << name << "' (see monitor iommu)\n";
        return nullptr;
    };
    if (w.empty() || w[0] == "help") {
        out << "socsim monitor commands (docs/gdb.md):\n"
               "  stop-on fault|stale|all|none   which diagnostics halt the core (now: "
            << (stop_on_fault_ ? stop_on_stale_ ? "all" : "fault" : stop_on_stale_ ? "stale" : "none")
            << ")\n"
               "  iommu                          the IOMMUs and the masters behind them\n"
               "  translate IOMMU STREAM IOVA    walk IOMMU's tables for IOVA (no TLB change)\n"
               "  tlb IOMMU                      IOMMU's cached translations, stale ones marked\n"
               "  dma-watch ADDR LEN | off       halt when device DMA touches [ADDR, ADDR+LEN)\n"
               "  info mtree                     the memory map\n"
               "  time                           simulated time and instructions\n";
    } else if (w[0] == "stop-on" && w.size() == 2 &&
               (w[1] == "fault" || w[1] == "stale" || w[1] == "all" || w[1] == "none")) {
        stop_on_fault_ = w[1] == "fault" || w[1] == "all";
        stop_on_stale_ = w[1] == "stale" || w[1] == "all";
        out << "stop on " << w[1] << "\n";
    } else if (w[0] == "iommu" && w.size() == 1) {
        if (view_.iommus.empty()) out << "no IOMMU on this platform\n";
        for (const iommu_entry& i : view_.iommus) {
            out << i.name << "  " << i.compatible << "\n";
            for (const std::string& m : i.masters) out << "  " << m << "\n";
        }
    } else if (w[0] == "translate" && w.size() == 4) {
        uint64_t stream = 0, iova = 0;
        if (const iommu_entry* i = find_iommu(w[1])) {
            if (!parse_number(w[2], stream) || stream > 0xffffffffu || !parse_number(w[3], iova))
                out << "usage: translate IOMMU STREAM IOVA (numbers: decimal or 0x hex)\n";
            else {
                out << i->name << " stream " << core::hex(stream) << " iova " << core::hex(iova) << ":\n";
                iommu::print_translation(out, i->view->debug_translate(static_cast<uint32_t>(stream), iova), iova);
            }
        }
    } else if (w[0] == "tlb" && w.size() == 2) {
        if (const iommu_entry* i = find_iommu(w[1])) i->view->debug_tlb(out);
    } else if (w[0] == "dma-watch" && w.size() == 2 && w[1] == "off") {
        dma_watch_ = false;
        core::watching_dma = false;
        out << "dma-watch off\n";
    } else if (w[0] == "dma-watch" && w.size() == 3) {
        uint64_t base = 0, length = 0;
        if (!parse_number(w[1], base) || !parse_number(w[2], length) || length == 0) {
            out << "usage: dma-watch ADDR LEN (a physical range; LEN > 0) | dma-watch off\n";
        } else {
            dma_watch_ = true;
            dma_watch_base_ = base;
            dma_watch_len_ = length;
            core::watching_dma = true;
            out << "dma-watch " << core::hex(base) << ".." << core::hex(base + length - 1) << "\n";
        }
    } else if (w[0] == "info" && w.size() == 2 && w[1] == "mtree") {
        view_.memory_map(out);
    } else if (w[0] == "time" && w.size() == 1) {
        out << "simulated time " << core::format_ns(view_.cpu->now()) << ", " << view_.cpu->instructions()
            << " instructions\n";
    } else {
        out << "unknown monitor command '" << command << "' (monitor help lists them)\n";
    }
    return out.str();
}

} // namespace socsim::host
