#pragma once
// Arm semihosting (the A64 `HLT #0xF000` interface): the calls picolibc's semihosting crt0 and
// stdio make, so unmodified picolibc programs print and exit, under socsim as under QEMU.
//
// The operation number is in w0, the parameter (a value or a pointer to a block of 64-bit
// fields) in x1; the result goes back in x0. Choices where the specification leaves room:
// - only the console (":tt") and the feature file (":semihosting-features") can be opened;
//   ":tt" in "r" modes gives stdin, "w" stdout, "a" stderr; any other name fails with ENOENT,
//   so firmware never touches host files. The feature file reports EXIT_EXTENDED and separate
//   stdout/stderr, as QEMU's does (picolibc reads it at start-up);
// - CLOCK, ELAPSED and TIME derive from simulated time (deterministic runs): TIME counts
//   simulated seconds from 0;
// - HEAPINFO reports zeros ("not known"): picolibc takes its heap from its linker script;
// - GET_CMDLINE returns the firmware's path, as QEMU does for -kernel without arguments;
// - EXIT and EXIT_EXTENDED end the run with the subcode when the reason is
//   ADP_Stopped_ApplicationExit, else with status 1 (as QEMU).

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <ostream>
#include <string>

#include "models/core/log.h"

namespace socsim::cpu {

class semihosting {
public:
    // How the handler reaches guest memory (the CPU reads its own view; tests use a socket).
    struct guest_memory {
        virtual ~guest_memory() = default;
        virtual bool read(uint64_t addr, void* dst, uint64_t len) = 0;
        virtual bool write(uint64_t addr, const void* src, uint64_t len) = 0;
    };

    struct console {
        std::ostream* out;
        std::ostream* err;
        std::istream* in;  // may be null: reads then see end of file
    };

    semihosting(guest_memory& memory, console io, std::string command_line);

    // Simulated time in nanoseconds, for CLOCK, ELAPSED and TIME.
    void set_time_source(std::function<uint64_t()> now_ns) { now_ns_ = std::move(now_ns); }
    // Called on EXIT / EXIT_EXTENDED with the exit status.
    void set_exit_handler(std::function<void(int status)> on_exit) { on_exit_ = std::move(on_exit); }

    // Performs one call; returns the value for x0.
    uint64_t call(uint32_t op, uint64_t param);

    static constexpr uint32_t hlt_instruction = 0xd45e0000;  // HLT #0xF000

private:
    bool read_fields(uint64_t addr, uint64_t* fields, unsigned count);
    std::ostream* output_for(uint64_t handle);
    uint64_t fail(int error) { errno_ = error; return ~0ull; }

    uint64_t op_open(uint64_t param);
    uint64_t op_write(uint64_t param);
    uint64_t op_read(uint64_t param);
    uint64_t op_exit(uint32_t op, uint64_t param);

    guest_memory& memory_;
    console io_;
    std::string command_line_;
    std::function<uint64_t()> now_ns_ = [] { return uint64_t{0}; };
    std::function<void(int)> on_exit_ = [](int) {};
    enum class stream { in, out, err, features };
    struct handle {
        stream kind;
        uint64_t position = 0;  // in the feature file
    };
    std::map<uint64_t, handle> handles_;
    uint64_t next_handle_ = 1;
    int errno_ = 0;
    core::logger log_{"semihosting"};
};

} // namespace socsim::cpu
