// The register helper, driven through a real socket on a small peripheral.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/core/peripheral.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

// A device with one register of each kind the helper offers.
struct sample_device : core::peripheral {
    uint64_t last_old = 0, last_new = 0;
    unsigned writes = 0;
    unsigned side_effect_reads = 0;

    explicit sample_device(sc_core::sc_module_name name) : peripheral(name) {
        regs_.add("PLAIN", 0x00, 4).reset_value(0x12345678);
        regs_.add("RO", 0x04, 4).reset_value(0xcafe).read_only();
        regs_.add("MIXED", 0x08, 4).reset_value(0xff00).read_only(0xff00);
        regs_.add("STATUS", 0x0c, 4).reset_value(0xf).write_one_to_clear(0xf);
        regs_.add("WIDE", 0x10, 8).reset_value(0x1111222233334444ull);
        regs_.add("CALLBACK", 0x18, 4).on_write([this](core::reg&, uint64_t old_value, uint64_t new_value) {
            last_old = old_value;
            last_new = new_value;
            ++writes;
        });
        regs_.add("COUNTER", 0x1c, 4).on_read([this](const core::reg&, bool debug) {
            if (!debug) ++side_effect_reads;
            return uint64_t{side_effect_reads};
        });
        regs_.add("BYTES", 0x20, 4).access_sizes({1, 2, 4});
        regs_.add("WO", 0x24, 4).write_only();
        regs_.add_array("ARRAY", 0x40, 4, 4, 8, [](core::reg& r) { r.reset_value(0x100 + r.index()); });
    }
};

// The same helper as a model uses it: registers as members bound at their declaration, handlers
// as named member functions.
struct typed_device : core::peripheral {
    explicit typed_device(sc_core::sc_module_name name) : peripheral(name) {}

    std::vector<std::string> calls;
    void control_written() { calls.push_back("control"); }
    void value_written(uint64_t now) { calls.push_back("value " + std::to_string(now)); }
    void mode_written(uint64_t old_value, uint64_t now) {
        calls.push_back("mode " + std::to_string(old_value) + "->" + std::to_string(now));
    }
    void slot_written(core::reg& r, uint64_t, uint64_t now) {
        calls.push_back(r.name() + " " + std::to_string(now));
    }
    uint64_t read_live(bool debug) const { return debug ? 1 : 2; }

    core::reg& control = regs_.add("CONTROL", 0x00, 4).on_write(this, &typed_device::control_written);
    core::reg& value = regs_.add("VALUE", 0x04, 4).read_only(0xf0).on_write(this, &typed_device::value_written);
    core::reg& mode = regs_.add("MODE", 0x08, 4).on_write(this, &typed_device::mode_written);
    core::reg& live = regs_.add("LIVE", 0x0c, 4).read_only().on_read(this, &typed_device::read_live);
    core::reg_array slots = regs_.add_array("SLOT", 0x10, 4, 3, 4, [this](core::reg& r) {
        r.on_write(this, &typed_device::slot_written);
    });
};

} // namespace

TEST_CASE("registers as members call their named handlers") {
    typed_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        cpu.write32(0x00, 1);
        cpu.write32(0x04, 0xff);  // bits 7:4 read-only: the handler sees the value after masks
        cpu.write32(0x08, 3);
        cpu.write32(0x08, 5);
        cpu.write32(0x18, 9);
        CHECK(dev.calls == std::vector<std::string>{"control", "value 15", "mode 0->3", "mode 3->5", "SLOT[2] 9"});
        CHECK(cpu.read32(0x0c) == 2);
        CHECK(dev.slots.size() == 3);
        CHECK(&dev.slots[1] == &dev.registers()["SLOT[1]"]);
        CHECK(dev.slots[1].offset() == 0x14);
        dev.mode.set_bits(0x30);
        dev.mode.clear_bits(0x1);
        CHECK(cpu.read32(0x08) == 0x34);
    });
}

TEST_CASE("registers read their reset values and keep plain writes") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        CHECK(cpu.read32(0x00) == 0x12345678);
        cpu.write32(0x00, 0xdeadbeef);
        CHECK(cpu.read32(0x00) == 0xdeadbeef);
        CHECK(dev.registers()["PLAIN"].get() == 0xdeadbeef);
    });
}

TEST_CASE("read-only bits and registers ignore writes") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        cpu.write32(0x04, 0);
        CHECK(cpu.read32(0x04) == 0xcafe);
        cpu.write32(0x08, 0x00ff);  // low byte writable, second byte read-only (set)
        CHECK(cpu.read32(0x08) == 0xffff);
        cpu.write32(0x08, 0);
        CHECK(cpu.read32(0x08) == 0xff00);
    });
}

TEST_CASE("write-one-to-clear bits clear only where ones are written") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        cpu.write32(0x0c, 0x5);
        CHECK(cpu.read32(0x0c) == 0xa);
        cpu.write32(0x0c, 0x0);
        CHECK(cpu.read32(0x0c) == 0xa);
        cpu.write32(0x0c, 0xf);
        CHECK(cpu.read32(0x0c) == 0x0);
    });
}

TEST_CASE("a 64-bit register accepts 64-bit accesses and two 32-bit halves") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        CHECK(cpu.read64(0x10) == 0x1111222233334444ull);
        CHECK(cpu.read32(0x10) == 0x33334444u);
        CHECK(cpu.read32(0x14) == 0x11112222u);
        cpu.write32(0x10, 0xaaaaaaaa);  // low half first, as Unicorn splits an 8-byte store
        cpu.write32(0x14, 0xbbbbbbbb);
        CHECK(cpu.read64(0x10) == 0xbbbbbbbbaaaaaaaaull);
        cpu.write64(0x10, 0x0123456789abcdefull);
        CHECK(cpu.read64(0x10) == 0x0123456789abcdefull);
    });
}

TEST_CASE("write callbacks see the old and the new value once per write") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        cpu.write32(0x18, 7);
        cpu.write32(0x18, 9);
        CHECK(dev.writes == 2);
        CHECK(dev.last_old == 7);
        CHECK(dev.last_new == 9);
    });
}

TEST_CASE("debug accesses have no side effects") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        uint32_t v = 0;
        CHECK(cpu.debug_read(0x1c, &v, 4) == 4);
        CHECK(cpu.debug_read(0x1c, &v, 4) == 4);
        CHECK(dev.side_effect_reads == 0);
        CHECK(cpu.read32(0x1c) == 1);
        uint32_t forced = 0x1;
        CHECK(cpu.debug_write(0x04, &forced, 4) == 4);  // a debugger may change read-only bits
        CHECK(dev.registers()["RO"].get() == 1);
        CHECK(cpu.debug_write(0x18, &forced, 4) == 4);
        CHECK(dev.writes == 0);
    });
}

TEST_CASE("sizes and alignments the register does not accept get an error response") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        uint64_t v = 0;
        CHECK(cpu.read(0x00, v, 1) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // 32-bit only
        CHECK(cpu.read(0x00, v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // crosses into RO
        CHECK(cpu.read(0x12, v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // misaligned half
        CHECK(cpu.read(0x21, v, 1) == tlm::TLM_OK_RESPONSE);             // byte access allowed here
        CHECK(cpu.read(0x21, v, 2) == tlm::TLM_COMMAND_ERROR_RESPONSE);  // misaligned halfword
        CHECK(cpu.read(0x30, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no register
        CHECK(cpu.write(0x30, 0, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(dev.registers()["PLAIN"].get() == 0x12345678);
    });
}

TEST_CASE("byte writes merge into the register") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        CHECK(cpu.write(0x22, 0xab, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(cpu.read32(0x20) == 0x00ab0000);
    });
}

TEST_CASE("write-only registers read as zero and arrays know their index") {
    sample_device dev("dev");
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        cpu.write32(0x24, 0x55);
        CHECK(cpu.read32(0x24) == 0);
        CHECK(dev.registers()["WO"].get() == 0x55);
        CHECK(cpu.read32(0x40) == 0x100);
        CHECK(cpu.read32(0x58) == 0x103);
        CHECK(dev.registers()["ARRAY[3]"].index() == 3);
        CHECK(dev.registers().find(0x5a) == &dev.registers()["ARRAY[3]"]);
    });
}

TEST_CASE("declaring overlapping or misaligned registers is a model bug") {
    core::register_file regs("regs");
    regs.add("A", 0x0, 8);
    CHECK_THROWS_AS(regs.add("B", 0x4, 4), std::logic_error);
    CHECK_THROWS_AS(regs.add("C", 0x6, 4), std::logic_error);
    CHECK_THROWS_WITH(regs.add("A", 0x10, 4), "register A declared twice");
    // The refused declaration left nothing behind: its offset is free, the first A is kept.
    CHECK(regs.find(0x10) == nullptr);
    CHECK(regs["A"].offset() == 0x0);
    // A wide register declared after a narrow one that lies inside it; neighbours that only touch.
    regs.add("D", 0x34, 4);
    CHECK_THROWS_WITH(regs.add("E", 0x30, 8), "register E overlaps D");
    CHECK_NOTHROW(regs.add("F", 0x30, 4));
    CHECK_NOTHROW(regs.add("G", 0x38, 8));
    CHECK_THROWS_WITH(regs.add("H", 0x3c, 4), "register H overlaps G");
}
