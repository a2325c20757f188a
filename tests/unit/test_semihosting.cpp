// Semihosting calls, with guest memory reached through a real socket into RAM.
#include <catch2/catch.hpp>

#include <cstring>
#include <sstream>

#include "models/cpu/semihosting.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

// Guest memory as the test bench's initiator sees it.
struct socket_memory : cpu::semihosting::guest_memory {
    test::test_initiator& port;
    explicit socket_memory(test::test_initiator& p) : port(p) {}
    bool read(uint64_t addr, void* dst, uint64_t len) override {
        return port.debug_read(addr, dst, static_cast<unsigned>(len)) == len;
    }
    bool write(uint64_t addr, const void* src, uint64_t len) override {
        return port.debug_write(addr, src, static_cast<unsigned>(len)) == len;
    }
};

// A bench: 64 KiB of RAM at 0, the handler, captured console streams.
struct bench {
    memory::ram mem{"ram", 0x10000};
    test::test_initiator port{"port"};
    socket_memory memory{port};
    std::ostringstream out, err;
    std::istringstream in{"typed line\nrest"};
    cpu::semihosting sh{memory, {&out, &err, &in}, "hello.elf"};
    int exit_status = -1;
    uint64_t now = 0;

    bench() {
        port.socket.bind(mem.socket);
        sh.set_exit_handler([this](int s) { exit_status = s; });
        sh.set_time_source([this] { return now; });
    }
    void put(uint64_t addr, const std::string& s) { port.debug_write(addr, s.c_str(), static_cast<unsigned>(s.size() + 1)); }
    void put_fields(uint64_t addr, std::initializer_list<uint64_t> fields) {
        uint64_t a = addr;
        for (uint64_t f : fields) {
            port.debug_write(a, &f, 8);
            a += 8;
        }
    }
    uint64_t open(const std::string& name, uint64_t mode) {
        put(0x100, name);
        put_fields(0x200, {0x100, mode, name.size()});
        return sh.call(0x01, 0x200);
    }
};

constexpr uint64_t failed = ~0ull;

} // namespace

TEST_CASE("semihosting: WRITEC, WRITE0 and WRITE to the console") {
    bench b;
    test::run_script([&] {
        b.put(0x100, "A");
        CHECK(b.sh.call(0x03, 0x100) == 0);
        b.put(0x100, "zero-terminated\n");
        CHECK(b.sh.call(0x04, 0x100) == 0);
        uint64_t out = b.open(":tt", 4);
        uint64_t err = b.open(":tt", 8);
        REQUIRE(out != failed);
        REQUIRE(err != failed);
        b.put(0x300, "to stdout");
        b.put_fields(0x400, {out, 0x300, 9});
        CHECK(b.sh.call(0x05, 0x400) == 0);  // bytes not written
        b.put_fields(0x400, {err, 0x300, 2});
        CHECK(b.sh.call(0x05, 0x400) == 0);
    });
    CHECK(b.out.str() == "Azero-terminated\nto stdout");
    CHECK(b.err.str() == "to");
}

TEST_CASE("semihosting: READ returns a line of stdin and reports the bytes not read") {
    bench b;
    test::run_script([&] {
        uint64_t in = b.open(":tt", 0);
        b.put_fields(0x400, {in, 0x500, 64});
        CHECK(b.sh.call(0x06, 0x400) == 64 - 11);
        char buf[12] = {};
        b.port.debug_read(0x500, buf, 11);
        CHECK(std::string(buf) == "typed line\n");
        CHECK(b.sh.call(0x09, (b.put_fields(0x600, {in}), 0x600)) == 1);  // ISTTY
    });
}

TEST_CASE("semihosting: the feature file reports EXIT_EXTENDED and STDOUT_STDERR") {
    bench b;
    test::run_script([&] {
        uint64_t h = b.open(":semihosting-features", 0);
        REQUIRE(h != failed);
        b.put_fields(0x400, {h});
        CHECK(b.sh.call(0x0c, 0x400) == 5);  // FLEN
        b.put_fields(0x400, {h, 0x500, 5});
        CHECK(b.sh.call(0x06, 0x400) == 0);
        unsigned char buf[5];
        b.port.debug_read(0x500, buf, 5);
        CHECK(std::memcmp(buf, "SHFB\x03", 5) == 0);
        CHECK(b.open(":semihosting-features", 4) == failed);  // read-only
    });
}

TEST_CASE("semihosting: host files cannot be opened") {
    bench b;
    test::run_script([&] {
        CHECK(b.open("/etc/passwd", 0) == failed);
        CHECK(b.sh.call(0x13, 0) == ENOENT);  // ERRNO
    });
}

TEST_CASE("semihosting: EXIT with ApplicationExit passes the subcode, other reasons give 1") {
    bench b;
    test::run_script([&] {
        b.put_fields(0x400, {0x20026, 7});
        b.sh.call(0x18, 0x400);
        CHECK(b.exit_status == 7);
        b.put_fields(0x400, {0x20023, 7});  // RunTimeErrorUnknown
        b.sh.call(0x20, 0x400);
        CHECK(b.exit_status == 1);
    });
}

TEST_CASE("semihosting: time calls follow simulated time") {
    bench b;
    test::run_script([&] {
        b.now = 2'500'000'000;  // 2.5 s
        CHECK(b.sh.call(0x10, 0) == 250);  // CLOCK in centiseconds
        CHECK(b.sh.call(0x11, 0) == 2);    // TIME in seconds
        CHECK(b.sh.call(0x31, 0) == 1'000'000'000);
        CHECK(b.sh.call(0x30, 0x400) == 0);  // ELAPSED writes a 64-bit tick count
        uint64_t ticks = 0;
        b.port.debug_read(0x400, &ticks, 8);
        CHECK(ticks == 2'500'000'000);
    });
}

TEST_CASE("semihosting: GET_CMDLINE, HEAPINFO, unknown calls and bad pointers") {
    bench b;
    test::run_script([&] {
        b.put_fields(0x400, {0x500, 64});
        CHECK(b.sh.call(0x15, 0x400) == 0);
        char buf[16] = {};
        b.port.debug_read(0x500, buf, 10);
        CHECK(std::string(buf) == "hello.elf");
        b.put_fields(0x400, {0x500, 4});
        CHECK(b.sh.call(0x15, 0x400) == failed);  // buffer too small
        b.put_fields(0x400, {0x600});
        CHECK(b.sh.call(0x16, 0x400) == 0);
        CHECK(b.sh.call(0x99, 0) == failed);
        CHECK(b.sh.call(0x05, 0x7ffffff0) == failed);  // parameter block outside memory
        CHECK(b.sh.call(0x04, 0x7ffffff0) == failed);
    });
}
