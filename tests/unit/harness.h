#pragma once
// Test benches drive models through real sockets. A test builds its design (the model under
// test plus a `test_initiator` bound to it), then calls `run_script` with the steps to perform;
// the script runs in an SC_THREAD, so it may wait and take simulated time.
//
//   devices::pl011 uart("uart", out);
//   test::test_initiator cpu("cpu");
//   cpu.socket.bind(uart.socket);
//   test::run_script([&] { REQUIRE(cpu.read32(0x18) == 0x90); });

#include <cstdint>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/core/dma_extension.h"

namespace socsim::test {

class test_initiator : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<test_initiator> socket;

    explicit test_initiator(sc_core::sc_module_name name);

    // Stamps the stream id (and requester id) on every access from now on.
    void set_stream(uint32_t stream_id, uint32_t requester_id = core::dma_extension::no_id);

    // One access; returns the response status. `delay` accumulates the annotated time.
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len);
    tlm::tlm_response_status write(uint64_t addr, uint64_t value, unsigned len = 4);
    tlm::tlm_response_status read(uint64_t addr, uint64_t& value, unsigned len = 4);
    // Reads and writes that must succeed (a failing response fails the test).
    uint32_t read32(uint64_t addr);
    uint64_t read64(uint64_t addr);
    void write32(uint64_t addr, uint32_t value);
    void write64(uint64_t addr, uint64_t value);
    unsigned debug_read(uint64_t addr, void* data, unsigned len);
    unsigned debug_write(uint64_t addr, const void* data, unsigned len);

    sc_core::sc_time delay;  // annotated time of all accesses so far
    std::vector<std::pair<uint64_t, uint64_t>> invalidated;

private:
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
    core::dma_extension ext_;
};

// Stands between a DMA master and memory like a trivial IOMMU: records every transaction (stream
// id, address, length, direction, and when: the time stamp plus the annotated delay) and answers those that touch `fault` with `fault_response`
// (what an IOMMU fault, stall or abort looks like to the master); forwards the rest unchanged.
class dma_tap : public sc_core::sc_module {
public:
    struct access {
        uint32_t stream;
        uint64_t addr;
        unsigned len;
        bool write;
        sc_core::sc_time at;
    };
    tlm_utils::simple_target_socket<dma_tap> upstream;
    tlm_utils::simple_initiator_socket<dma_tap> downstream;

    explicit dma_tap(sc_core::sc_module_name name);

    std::vector<access> log;
    uint64_t fault_base = 0, fault_size = 0;  // nothing faults by default
    tlm::tlm_response_status fault_response = tlm::TLM_ADDRESS_ERROR_RESPONSE;

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
};

// A file in /tmp holding `bytes`, removed when the object goes out of scope; `suffix` matters to
// readers that go by the name (".dts" is compiled with dtc).
class temp_file {
public:
    temp_file(const void* bytes, size_t size, const std::string& suffix = "");
    explicit temp_file(const std::string& text, const std::string& suffix = "")
        : temp_file(text.data(), text.size(), suffix) {}
    explicit temp_file(const std::vector<uint8_t>& bytes, const std::string& suffix = "")
        : temp_file(bytes.data(), bytes.size(), suffix) {}
    ~temp_file();
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    const std::string path;

private:
    static std::string create(const void* bytes, size_t size, const std::string& suffix);
};

// Runs `script` in a thread after elaboration and stops the simulation when it returns (or when
// `limit` of simulated time passes, which fails the test). Call once per process.
void run_script(const std::function<void()>& script,
                sc_core::sc_time limit = sc_core::sc_time(1, sc_core::SC_SEC));

} // namespace socsim::test
