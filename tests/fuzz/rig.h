#pragma once
// What every fuzz harness shares (docs/fuzzing.md).
//
// An input is a program: a sequence of operations (a register write, a word of table memory, a
// DMA request, time passing...) that a harness decodes from the fuzzer's bytes and drives into the
// model under test. `program` reads the bytes front to back, little-endian, and `program_writer`
// writes the same layout, so that each harness can also write its seed inputs (what firmware
// does to bring the model up) in the format it reads. libFuzzer's FuzzedDataProvider is not used
// because it takes integers from the end of the input, which makes seeds hard to write.
//
// Each input runs in a fresh SystemC simulation (`fresh_simulation`): a new simulation context,
// new models, the same starting state for every input, so a finding reproduces from its input
// alone. Anything SystemC reports as a warning or an error, and any exception that leaves the
// model, is a finding (the harness aborts, and libFuzzer keeps the input).

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "models/core/dma_extension.h"

namespace socsim::fuzz {

class program {
public:
    program(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
    bool done() const { return p_ >= end_; }
    uint8_t u8() { return static_cast<uint8_t>(take(1)); }
    uint16_t u16() { return static_cast<uint16_t>(take(2)); }
    uint32_t u32() { return static_cast<uint32_t>(take(4)); }
    uint64_t u64() { return take(8); }
    // The rest of the input (for harnesses whose input is a file: an ELF, a DTB).
    std::vector<uint8_t> rest() {
        std::vector<uint8_t> r(p_, end_);
        p_ = end_;
        return r;
    }

private:
    // Missing bytes read as zero: a truncated program still runs.
    uint64_t take(unsigned n) {
        uint64_t v = 0;
        for (unsigned i = 0; i < n && p_ < end_; ++i) v |= uint64_t{*p_++} << (8 * i);
        return v;
    }
    const uint8_t* p_;
    const uint8_t* end_;
};

class program_writer {
public:
    program_writer& u8(uint8_t v) { return put(v, 1); }
    program_writer& u16(uint16_t v) { return put(v, 2); }
    program_writer& u32(uint32_t v) { return put(v, 4); }
    program_writer& u64(uint64_t v) { return put(v, 8); }
    const std::vector<uint8_t>& bytes() const { return bytes_; }

private:
    program_writer& put(uint64_t v, unsigned n) {
        for (unsigned i = 0; i < n; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
    std::vector<uint8_t> bytes_;
};

// A new SystemC simulation context for one input; the old one (and everything elaborated in it)
// is gone. Declare it before the models so that they are destroyed first.
class fresh_simulation {
public:
    fresh_simulation();
    ~fresh_simulation();
    fresh_simulation(const fresh_simulation&) = delete;
    fresh_simulation& operator=(const fresh_simulation&) = delete;
    // Lets simulated time pass (processes run); the first call ends elaboration.
    void run(sc_core::sc_time t);
};

// A bus master: the CPU or a DMA-capable device, with an optional stream id on its accesses.
class initiator : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<initiator> socket;
    explicit initiator(sc_core::sc_module_name name);
    void set_stream(uint32_t stream_id);
    tlm::tlm_response_status access(bool write, uint64_t addr, void* data, unsigned len);
    tlm::tlm_response_status write(uint64_t addr, uint64_t value, unsigned len);
    uint64_t read(uint64_t addr, unsigned len);
    sc_core::sc_time delay;  // annotated time of all accesses so far (local time)

private:
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) {}
    core::dma_extension ext_;
};

// Call once from LLVMFuzzerInitialize: logs go nowhere, SystemC reports abort, and with
// SOCSIM_FUZZ_WRITE_SEEDS=DIR set, `seeds()` is written to DIR (one file per seed) and the
// process exits.
void initialize(const std::function<std::vector<std::vector<uint8_t>>()>& seeds);

} // namespace socsim::fuzz
