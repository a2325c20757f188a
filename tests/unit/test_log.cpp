// Logging: the line format, levels per module, the time always in nanoseconds.
#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>

#include "models/core/log.h"

using namespace socsim;

TEST_CASE("log: simulated time is written in nanoseconds, a fraction only when there is one") {
    using sc_core::sc_time;
    CHECK(core::format_ns(sc_core::SC_ZERO_TIME) == "0 ns");
    CHECK(core::format_ns(sc_time(17, sc_core::SC_MS)) == "17000000 ns");
    CHECK(core::format_ns(sc_time(5501967250, sc_core::SC_PS)) == "5501967.25 ns");
    CHECK(core::format_ns(sc_time(1, sc_core::SC_PS)) == "0.001 ns");
}

TEST_CASE("log: a line is [time] module: level tag message, filtered per module") {
    std::ostringstream out;
    core::set_log_stream(&out);
    core::set_log_levels("warning,chatty=debug");
    core::logger quiet("quiet"), chatty("chatty");
    quiet.info("not shown");
    quiet.warning("shown");
    chatty.debug("also shown");
    CHECK(out.str() == "[0 ns] quiet: warning: shown\n[0 ns] chatty: also shown\n");
    CHECK_THROWS_AS(core::set_log_levels("loud"), std::invalid_argument);
    core::set_log_levels("warning");
    core::set_log_stream(nullptr);
}
