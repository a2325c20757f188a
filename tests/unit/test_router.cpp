// The router: decoding, relative addressing, unmapped accesses, overlap refusal, DMI translation.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/bus/router.h"
#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;

TEST_CASE("the router forwards to the mapped target with relative addresses") {
    bus::router bus("bus");
    memory::ram a("a", 0x1000), b("b", 0x2000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(bus.target_socket);
    bus.map(bus.bind_target(a.socket), {0x10000, 0x1000}, "/a");
    bus.map(bus.bind_target(b.socket), {0x20000, 0x2000}, "/b");
    test::run_script([&] {
        cpu.write32(0x10004, 0xaaaa);
        cpu.write32(0x21ffc, 0xbbbb);
        uint32_t v = 0;
        std::memcpy(&v, a.host_pointer() + 4, 4);
        CHECK(v == 0xaaaa);
        std::memcpy(&v, b.host_pointer() + 0x1ffc, 4);
        CHECK(v == 0xbbbb);
        CHECK(cpu.read32(0x10004) == 0xaaaa);
    });
}

TEST_CASE("an access to nothing gets an address error and one log line naming initiator and address") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bus::router bus("bus");
    memory::ram a("a", 0x1000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(bus.target_socket);
    bus.map(bus.bind_target(a.socket), {0x10000, 0x1000}, "/a");
    test::run_script([&] {
        uint64_t v;
        CHECK(cpu.read(0x30000, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(cpu.read(0x10ffe, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // runs off the end
    });
    core::set_log_stream(nullptr);
    std::string text = log.str();
    CHECK(text.find("access to nothing: read of 4 bytes at 0x30000 by cpu") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("overlapping regions are refused, naming both nodes") {
    bus::router bus("bus");
    memory::ram a("a", 0x1000), b("b", 0x1000);
    unsigned pa = bus.bind_target(a.socket), pb = bus.bind_target(b.socket);
    bus.map(pa, {0x10000, 0x1000}, "/memory@10000");
    try {
        bus.map(pb, {0x10800, 0x1000}, "/uart@10800");
        FAIL("overlap accepted");
    } catch (const core::config_error& e) {
        std::string what = e.what();
        CHECK(what.find("/uart@10800") != std::string::npos);
        CHECK(what.find("/memory@10000") != std::string::npos);
    }
    CHECK_NOTHROW(bus.map(pb, {0x11000, 0x1000}, "/uart@11000"));  // adjacent is fine
    CHECK_THROWS_AS(bus.map(pb, {0x20000, 0}, "/empty"), core::config_error);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(bus.target_socket);
    test::run_script([] {});
}

TEST_CASE("DMI through the router is translated to system addresses and clipped to the mapping") {
    bus::router bus("bus");
    memory::ram a("a", 0x4000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(bus.target_socket);
    // Only the first 0x2000 bytes of the RAM are mapped.
    bus.map(bus.bind_target(a.socket), {0x40000000, 0x2000}, "/a");
    test::run_script([&] {
        tlm::tlm_generic_payload p;
        tlm::tlm_dmi dmi;
        p.set_address(0x40000010);
        p.set_read();
        REQUIRE(cpu.socket->get_direct_mem_ptr(p, dmi));
        CHECK(dmi.get_start_address() == 0x40000000);
        CHECK(dmi.get_end_address() == 0x40001fff);
        CHECK(dmi.get_dmi_ptr() == a.host_pointer());
        tlm::tlm_dmi none;
        p.set_address(0x50000000);
        CHECK_FALSE(cpu.socket->get_direct_mem_ptr(p, none));
    });
}

TEST_CASE("debug transport through the router stops at the end of the mapping") {
    bus::router bus("bus");
    memory::ram a("a", 0x2000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(bus.target_socket);
    bus.map(bus.bind_target(a.socket), {0x1000, 0x1000}, "/a");
    test::run_script([&] {
        uint8_t buf[32] = {};
        CHECK(cpu.debug_read(0x1ff0, buf, 32) == 16);
        CHECK(cpu.debug_read(0x5000, buf, 4) == 0);
    });
}
