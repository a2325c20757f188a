// The Catch2 main for every unit test: SystemC quiet, its warnings and errors turned into test
// failures (a model that makes SystemC complain is broken).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <systemc>

namespace {

void fail_on_systemc_reports(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
    if (report.get_severity() >= sc_core::SC_WARNING)
        FAIL_CHECK("SystemC " << (report.get_severity() == sc_core::SC_WARNING ? "warning" : "error") << ": "
                              << report.get_msg_type() << ": " << report.get_msg());
    sc_core::sc_report_handler::default_handler(report, actions & ~(sc_core::SC_DISPLAY | sc_core::SC_LOG));
}

} // namespace

int sc_main(int argc, char* argv[]) {
    sc_core::sc_report_handler::set_handler(fail_on_systemc_reports);
    return Catch::Session().run(argc, argv);
}

namespace {
struct quiet_systemc_banner {
    quiet_systemc_banner() { setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1); }
} const quiet_banner;
} // namespace
