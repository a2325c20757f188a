#pragma once
// The GDB remote serial protocol over TCP, for `socsim run --gdb [HOST:]PORT` (docs/gdb.md).
//
// One client at a time debugs the boot core. The server is the core's debugger
// (arm64_cpu::debugger): everything happens on the simulation's thread, so while the core is
// halted the whole simulation waits in this server's socket read and simulated time stands still.
// While the core runs, the server is asked once per slice whether to halt (a Ctrl-C from the
// client, or a new client connecting: one poll() with no wait, at most every 10 ms of host
// time).
//
// It is also the simulation's debug listener (core/debug_hooks.h): a diagnostic of the classes
// chosen with `monitor stop-on` halts the core, and the diagnostic's line goes to GDB's console
// with the stop; `monitor dma-watch` halts on device DMA into a physical range.
//
// Packets: qSupported, qXfer:features:read (target.xml: the aarch64 core and fpu features),
// g/G/p/P, m/M/X, Z0..Z4/z0..z4, s, c, vCont (c, s), ?, Ctrl-C, k, D, qRcmd (monitor), H, T,
// qC, qfThreadInfo/qsThreadInfo, qAttached; anything else gets the empty reply ("unsupported").
// A packet with a bad checksum is refused ('-') and read again; bytes outside packets are
// ignored. A client that disconnects, even mid-packet, is dropped with one line on stderr and the
// run goes on (a later client may connect).

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "models/core/debug_hooks.h"
#include "models/cpu/arm64_cpu.h"

namespace socsim::iommu {
class debug_view;
}

namespace socsim::host {

class gdb_server : public cpu::arm64_cpu::debugger, public core::debug_listener {
public:
    // What the monitor commands show, given by whoever built the platform.
    struct iommu_entry {
        std::string name;        // the model instance, as `monitor translate` takes it
        std::string compatible;
        iommu::debug_view* view = nullptr;
        std::vector<std::string> masters;  // "pcie_edu stream 0x8", one per master wired to it
    };
    struct platform_view {
        cpu::arm64_cpu* cpu = nullptr;
        std::function<void(std::ostream&)> memory_map;
        std::vector<iommu_entry> iommus;
    };

    // Listens on `address`: "PORT" (loopback) or "HOST:PORT"; port 0 picks a free port. Throws
    // core::config_error naming the address and the reason (a busy port).
    gdb_server(const std::string& address, platform_view view);
    ~gdb_server() override;

    // "127.0.0.1:1234", the port actually bound.
    std::string where() const;
    // Blocks until a client connects (--gdb-wait).
    void wait_for_client();
    // Attaches to the core and listens for diagnostics.
    void start(bool halt_at_start);
    // The run ended: a client waiting for a stop hears the exit status (W), then the
    // connection closes.
    void finish(int status);

    // arm64_cpu::debugger
    cpu::arm64_cpu::resume_mode halted(cpu::arm64_cpu& cpu, const cpu::arm64_cpu::stop_event& stop) override;
    bool halt_wanted() override;
    // core::debug_listener
    void diagnostic(core::diagnostic_class what, const char* kind, const std::string& line) override;
    void dma(const core::dma_access& access) override;

private:
    enum class read_result { packet, interrupt, closed };
    enum class after_command { stay, resume_run, resume_step };

    bool accept_client(bool wait);
    void drop_client(const std::string& why);
    read_result read_packet(std::string& payload);
    bool read_byte(char& c);
    void send_packet(const std::string& payload);
    void send_raw(const std::string& bytes);
    void console(const std::string& text);  // an 'O' packet
    after_command handle(const std::string& packet);
    std::string stop_reply(const cpu::arm64_cpu::stop_event& stop) const;
    std::string read_registers() const;
    std::string monitor(const std::string& command);
    std::string features(const std::string& annex, uint64_t offset, uint64_t length) const;
    bool set_point(char type, uint64_t addr, uint64_t kind, bool on);
    std::string resume(const std::string& packet, after_command& then);

    platform_view view_;
    int listen_fd_ = -1;
    int client_fd_ = -1;
    uint16_t port_ = 0;
    std::string host_;
    std::string inbuf_;
    bool fresh_client_ = false;      // connected, not yet halted for
    bool client_waiting_ = false;    // the client resumed the core and waits for a stop reply
    std::string last_stop_ = "S05";
    std::vector<std::string> pending_console_;  // diagnostic lines for the next stop
    bool stop_on_fault_ = true, stop_on_stale_ = true;
    bool dma_watch_ = false;
    uint64_t dma_watch_base_ = 0, dma_watch_len_ = 0;
    bool kill_requested_ = false;
    int64_t last_poll_ms_ = 0;  // host time of the last look at the sockets
};

} // namespace socsim::host
