// The sim-control device: ID, PUTCHAR and EXIT ending the run.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/core/run_control.h"
#include "models/devices/sim_control.h"
#include "tests/unit/harness.h"

using namespace socsim;

TEST_CASE("sim-control prints characters and ends the run with the exit status") {
    std::ostringstream out;
    devices::sim_control ctl("ctl", out);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(ctl.socket);
    test::run_script([&] {
        CHECK(cpu.read32(0x0) == 0x534f4353);
        cpu.write32(0x8, 'h');
        cpu.write32(0x8, 'i');
        cpu.write32(0x4, 0x1234);  // only the low 8 bits count
    });
    CHECK(out.str() == "hi");
    CHECK(core::run_control::instance().outcome() == core::run_outcome::firmware_exit);
    CHECK(core::run_control::instance().status() == 0x34);
}
