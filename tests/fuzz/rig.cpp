#include "tests/fuzz/rig.h"

#include <pthread.h>
#include <sanitizer/lsan_interface.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "models/core/log.h"

namespace socsim::fuzz {

fresh_simulation::fresh_simulation() {
    // SystemC keeps its one simulation in these two globals (sc_simcontext.cpp); a new context is
    // a new, unelaborated simulation. Nothing of the previous input's remains.
    sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
    sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

fresh_simulation::~fresh_simulation() {
    delete sc_core::sc_curr_simcontext;
    sc_core::sc_curr_simcontext = nullptr;
    sc_core::sc_default_global_context = nullptr;
}

void fresh_simulation::run(sc_core::sc_time t) { sc_core::sc_start(t); }

initiator::initiator(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
    ext_.initiator = this->name();
    socket.register_invalidate_direct_mem_ptr(this, &initiator::invalidate_direct_mem_ptr);
}

void initiator::set_stream(uint32_t stream_id) { ext_.stream_id = stream_id; }

tlm::tlm_response_status initiator::access(bool write, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload p;
    p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
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

tlm::tlm_response_status initiator::write(uint64_t addr, uint64_t value, unsigned len) {
    uint8_t bytes[8];
    std::memcpy(bytes, &value, sizeof bytes);
    return access(true, addr, bytes, len);
}

uint64_t initiator::read(uint64_t addr, unsigned len) {
    uint64_t value = 0;
    access(false, addr, &value, len);
    return value;
}

namespace {

std::ostream discard(nullptr);  // a stream without a buffer: every write is dropped

void abort_on_systemc_reports(const sc_core::sc_report& report, const sc_core::sc_actions&) {
    // Info messages are SystemC's own chatter (the banner, "simulation stopped"); anything worse
    // means a model misused SystemC.
    if (report.get_severity() == sc_core::SC_INFO) return;
    // sc_start(0) with nothing to do: how a harness ends elaboration, or a program waits 0 ns.
    if (std::strstr(report.get_msg_type(), "no activity or clock movement")) return;
    std::fprintf(stderr, "fuzz: SystemC %s: %s: %s\n",
                 report.get_severity() == sc_core::SC_WARNING ? "warning" : "error", report.get_msg_type(),
                 report.get_msg());
    std::abort();
}

} // namespace

// Once SystemC has switched to a thread's coroutine stack and back, LeakSanitizer no longer scans
// the main thread's stack: it then reports what only that stack points to (libFuzzer's own
// driver state, a model's objects in the harness's frame) as leaked. Declaring the stack a root
// region has it scanned again.
// The `fuzz` preset builds without the sanitizers: there is no LeakSanitizer to tell.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SOCSIM_FUZZ_HAS_LSAN 1
#endif
#endif
void scan_main_stack_for_leaks() {
#ifdef SOCSIM_FUZZ_HAS_LSAN
    pthread_attr_t attr;
    void* base = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    pthread_attr_getstack(&attr, &base, &size);
    pthread_attr_destroy(&attr);
    __lsan_register_root_region(base, size);
#endif
}

void initialize(const std::function<std::vector<std::vector<uint8_t>>()>& seeds) {
    scan_main_stack_for_leaks();
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    core::set_log_stream(&discard);
    sc_core::sc_report_handler::set_handler(abort_on_systemc_reports);
    if (const char* dir = std::getenv("SOCSIM_FUZZ_WRITE_SEEDS")) {
        unsigned n = 0;
        for (const auto& seed : seeds()) {
            const std::string path = std::string(dir) + "/seed-" + std::to_string(n++);
            std::ofstream out(path, std::ios::binary);
            out.write(reinterpret_cast<const char*>(seed.data()), static_cast<std::streamsize>(seed.size()));
            if (!out) {
                std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
                std::exit(1);
            }
        }
        std::fprintf(stderr, "fuzz: wrote %u seeds to %s\n", n, dir);
        std::exit(0);
    }
}

} // namespace socsim::fuzz

// libsystemc.so refers to sc_main (its own main calls it), but a harness's main is libFuzzer's.
int sc_main(int, char*[]) {
    std::fprintf(stderr, "fuzz: sc_main is not used by the fuzz harnesses\n");
    return 1;
}
