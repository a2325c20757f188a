// RAM: sparse backing, bounds, DMI and debug transport.
#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "models/core/config_error.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

// Resident set size of this process in bytes (Linux).
uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * 4096;
}

} // namespace

TEST_CASE("RAM reads back what was written and starts as zeros") {
    memory::ram mem("ram", 1 << 20);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(mem.socket);
    test::run_script([&] {
        CHECK(cpu.read64(0x1000) == 0);
        cpu.write64(0x1000, 0x1122334455667788ull);
        CHECK(cpu.read64(0x1000) == 0x1122334455667788ull);
        CHECK(cpu.read32(0x1004) == 0x11223344u);
    });
}

TEST_CASE("an access past the end of RAM gets an address error") {
    memory::ram mem("ram", 0x1000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(mem.socket);
    test::run_script([&] {
        uint64_t v;
        CHECK(cpu.read(0xffc, v, 4) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.read(0xffc, v, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(cpu.write(0x1000, 1, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    });
}

TEST_CASE("RAM grants read-write DMI over the whole bank, on the same backing store") {
    memory::ram mem("ram", 1 << 20);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(mem.socket);
    test::run_script([&] {
        tlm::tlm_generic_payload p;
        tlm::tlm_dmi dmi;
        p.set_address(0x100);
        p.set_read();
        REQUIRE(cpu.socket->get_direct_mem_ptr(p, dmi));
        CHECK(dmi.is_read_write_allowed());
        CHECK(dmi.get_start_address() == 0);
        CHECK(dmi.get_end_address() == (1 << 20) - 1);
        dmi.get_dmi_ptr()[0x200] = 0x5a;
        CHECK(cpu.read32(0x200) == 0x5a);
    });
}

TEST_CASE("debug transport is clipped at the end of the bank") {
    memory::ram mem("ram", 0x1000);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(mem.socket);
    test::run_script([&] {
        std::vector<uint8_t> buf(64, 0xee);
        CHECK(cpu.debug_write(0xff0, buf.data(), 64) == 16);
        CHECK(cpu.debug_read(0x2000, buf.data(), 4) == 0);
        CHECK(cpu.read32(0xffc) == 0xeeeeeeee);
    });
}

TEST_CASE("48 GiB of RAM in three banks costs only the pages that are touched") {
    const uint64_t before = resident_bytes();
    memory::ram bank0("bank0", 16ull << 30), bank1("bank1", 16ull << 30), bank2("bank2", 16ull << 30);
    test::test_initiator port0("port0"), port1("port1"), port2("port2");
    port0.socket.bind(bank0.socket);
    port1.socket.bind(bank1.socket);
    port2.socket.bind(bank2.socket);
    test::run_script([&] {
        port0.write64(12344, 1);
        port1.write64((16ull << 30) - 8, 2);
        port2.write64(0, 3);
        port2.write64((16ull << 30) - 8, 4);
        CHECK(port1.read64((16ull << 30) - 8) == 2);
        CHECK(port2.read64((16ull << 30) - 8) == 4);
    });
    CHECK(resident_bytes() - before < (64ull << 20));
}

TEST_CASE("a RAM of size zero is a configuration error") {
    CHECK_THROWS_AS(memory::ram("empty", 0), core::config_error);
}
