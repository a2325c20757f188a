// ROM: contents from debug writes, reads, refused bus writes, read-only DMI.
#include <catch2/catch.hpp>

#include <cstring>
#include <sstream>
#include <string>

#include "models/core/log.h"
#include "models/memory/rom.h"
#include "tests/unit/harness.h"

using namespace socsim;

TEST_CASE("ROM reads what the loader put there, zeros elsewhere") {
    memory::rom flash("flash", 64ull << 20);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(flash.socket);
    test::run_script([&] {
        const uint8_t image[8] = {0x1f, 0x20, 0x03, 0xd5, 0xaa, 0xbb, 0xcc, 0xdd};
        CHECK(cpu.debug_write(0, image, 8) == 8);
        CHECK(cpu.read32(0) == 0xd503201fu);
        CHECK(cpu.read64(0) == 0xddccbbaad503201full);
        CHECK(cpu.read32(0x3fffffc) == 0);  // never loaded
    });
}

TEST_CASE("ROM refuses bus writes with a command error and a log line, and keeps its contents") {
    std::ostringstream log;
    core::set_log_stream(&log);
    memory::rom flash("flash", 0x10000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(flash.socket);
    test::run_script([&] {
        const uint32_t word = 0x12345678;
        cpu.debug_write(0x100, &word, 4);
        CHECK(cpu.write(0x100, 0x98, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // a CFI query command
        CHECK(cpu.read32(0x100) == 0x12345678u);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("read-only memory") != std::string::npos);
}

TEST_CASE("ROM accesses past its end get an address error, debug accesses are clipped") {
    memory::rom flash("flash", 0x1000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(flash.socket);
    test::run_script([&] {
        uint64_t v;
        CHECK(cpu.read(0xffc, v, 4) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.read(0xffc, v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        uint8_t buf[16] = {};
        CHECK(cpu.debug_write(0xff8, buf, 16) == 8);
        CHECK(cpu.debug_read(0x1000, buf, 4) == 0);
    });
}

TEST_CASE("ROM grants read-only DMI over the whole bank, on the loaded contents") {
    memory::rom flash("flash", 0x10000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(flash.socket);
    test::run_script([&] {
        const uint32_t word = 0xd65f03c0;  // ret
        cpu.debug_write(0x40, &word, 4);
        tlm::tlm_generic_payload p;
        tlm::tlm_dmi dmi;
        p.set_address(0x40);
        p.set_read();
        REQUIRE(cpu.socket->get_direct_mem_ptr(p, dmi));
        CHECK(dmi.is_read_allowed());
        CHECK_FALSE(dmi.is_write_allowed());
        CHECK(dmi.get_start_address() == 0);
        CHECK(dmi.get_end_address() == 0xffff);
        uint32_t seen;
        std::memcpy(&seen, dmi.get_dmi_ptr() + 0x40, 4);
        CHECK(seen == word);
    });
}
