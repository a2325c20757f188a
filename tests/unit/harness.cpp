#include "tests/unit/harness.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstring>
#include <vector>

#include "models/core/run_control.h"

namespace socsim::test {

test_initiator::test_initiator(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
    ext_.initiator = this->name();
    socket.register_invalidate_direct_mem_ptr(this, &test_initiator::invalidate_direct_mem_ptr);
}

void test_initiator::set_stream(uint32_t stream_id, uint32_t requester_id) {
    ext_.stream_id = stream_id;
    ext_.requester_id = requester_id;
}

tlm::tlm_response_status test_initiator::access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(static_cast<unsigned char*>(data));
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    p.set_extension(&ext_);
    socket->b_transport(p, delay);
    p.clear_extension(&ext_);
    return p.get_response_status();
}

dma_tap::dma_tap(sc_core::sc_module_name name) : sc_module(name), upstream("upstream"), downstream("downstream") {
    upstream.register_b_transport(this, &dma_tap::b_transport);
}

void dma_tap::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const auto* ext = p.get_extension<core::dma_extension>();
    const uint64_t a = p.get_address();
    const unsigned len = p.get_data_length();
    log.push_back({ext ? ext->stream_id : core::dma_extension::no_id, a, len, p.is_write(),
                   sc_core::sc_time_stamp() + delay});
    if (fault_size && a < fault_base + fault_size && fault_base < a + len) {
        p.set_response_status(fault_response);
        return;
    }
    downstream->b_transport(p, delay);
}

tlm::tlm_response_status test_initiator::write(uint64_t addr, uint64_t value, unsigned len) {
    return access(tlm::TLM_WRITE_COMMAND, addr, &value, len);
}

tlm::tlm_response_status test_initiator::read(uint64_t addr, uint64_t& value, unsigned len) {
    value = 0;
    return access(tlm::TLM_READ_COMMAND, addr, &value, len);
}

uint32_t test_initiator::read32(uint64_t addr) {
    uint64_t v = 0;
    INFO("read32 at 0x" << std::hex << addr);
    REQUIRE(read(addr, v, 4) == tlm::TLM_OK_RESPONSE);
    return static_cast<uint32_t>(v);
}

uint64_t test_initiator::read64(uint64_t addr) {
    uint64_t v = 0;
    INFO("read64 at 0x" << std::hex << addr);
    REQUIRE(read(addr, v, 8) == tlm::TLM_OK_RESPONSE);
    return v;
}

void test_initiator::write32(uint64_t addr, uint32_t value) {
    INFO("write32 at 0x" << std::hex << addr);
    REQUIRE(write(addr, value, 4) == tlm::TLM_OK_RESPONSE);
}

void test_initiator::write64(uint64_t addr, uint64_t value) {
    INFO("write64 at 0x" << std::hex << addr);
    REQUIRE(write(addr, value, 8) == tlm::TLM_OK_RESPONSE);
}

unsigned test_initiator::debug_read(uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload p;
    p.set_read();
    p.set_address(addr);
    p.set_data_ptr(static_cast<unsigned char*>(data));
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_extension(&ext_);  // an IOMMU translates debug accesses by stream id too
    unsigned n = socket->transport_dbg(p);
    p.clear_extension(&ext_);
    return n;
}

unsigned test_initiator::debug_write(uint64_t addr, const void* data, unsigned len) {
    tlm::tlm_generic_payload p;
    p.set_write();
    p.set_address(addr);
    p.set_data_ptr(static_cast<unsigned char*>(const_cast<void*>(data)));
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_extension(&ext_);
    unsigned n = socket->transport_dbg(p);
    p.clear_extension(&ext_);
    return n;
}

void test_initiator::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    invalidated.emplace_back(start, end);
}

temp_file::temp_file(const void* bytes, size_t size, const std::string& suffix)
    : path(create(bytes, size, suffix)) {}

temp_file::~temp_file() { unlink(path.c_str()); }

std::string temp_file::create(const void* bytes, size_t size, const std::string& suffix) {
    std::string pattern = "/tmp/socsim-test-XXXXXX" + suffix;
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    int fd = mkstemps(name.data(), static_cast<int>(suffix.size()));
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, bytes, size) == static_cast<ssize_t>(size));
    close(fd);
    return name.data();
}

namespace {

class script_runner : public sc_core::sc_module {
public:
    script_runner(sc_core::sc_module_name name, std::function<void()> script)
        : sc_module(name), script_(std::move(script)) {
        SC_HAS_PROCESS(script_runner);
        SC_THREAD(run);
    }
    bool finished = false;

private:
    void run() {
        script_();
        finished = true;
        // The model under test may have ended the run already (sim-control EXIT).
        if (!core::run_control::instance().stopping()) sc_core::sc_stop();
    }
    std::function<void()> script_;
};

} // namespace

void run_script(const std::function<void()>& script, sc_core::sc_time limit) {
    static bool elaborated = false;
    REQUIRE_FALSE(elaborated);  // one design per process: give each TEST_CASE its own
    elaborated = true;
    // A failed REQUIRE inside the script throws out of the SystemC thread; catch it there and
    // rethrow it here, where Catch expects it.
    std::exception_ptr failure;
    script_runner runner("script", [&] {
        try {
            script();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    sc_core::sc_start(limit);
    if (failure) std::rethrow_exception(failure);
    INFO("the test script did not finish within " << limit.to_string() << " of simulated time");
    REQUIRE(runner.finished);
}

} // namespace socsim::test
