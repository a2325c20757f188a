// socsim: the command line. `socsim run|info|models ...`; see `socsim --help`.

#include <cstdlib>
#include <iostream>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/log.h"
#include "models/core/run_control.h"
#include "models/cpu/arm64_cpu.h"
#include "platforms/cli/commands.h"
#include "regress/command.h"

namespace {

const char* usage =
    "usage: socsim <command> [options]\n"
    "\n"
    "A full-system simulator of IOMMU-equipped SoCs: AArch64 firmware runs on a platform\n"
    "described by a Device Tree, and every DMA is checked on its way to memory.\n"
    "\n"
    "commands:\n"
    "  run PLATFORM --firmware ELF   run firmware on a platform\n"
    "  info PLATFORM                 show a platform's memory map, models and interrupt lines\n"
    "  models                        list the Device Tree compatibles socsim has models for\n"
    "  regress SUITE.yaml...         run suites of cases in parallel and check their output\n"
    "\n"
    "PLATFORM is the name of a platform that comes with socsim (listed below) or a path to\n"
    "a .dts or .dtb file. `socsim <command> --help` shows a command's options.\n"
    "\n"
    "options:\n"
    "  -h, --help      this text\n"
    "  --version       version of socsim and of the libraries it runs on\n";

// SystemC's own reports go to our log (stderr), never to stdout, which is the firmware's.
void route_systemc_reports(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
    static socsim::core::logger log("systemc");
    if (actions & (sc_core::SC_DISPLAY | sc_core::SC_LOG)) {
        std::string text = std::string(report.get_msg_type()) + ": " + report.get_msg();
        switch (report.get_severity()) {
        case sc_core::SC_INFO: log.debug(text); break;
        case sc_core::SC_WARNING: log.warning(text); break;
        default: log.error(text); break;
        }
    }
    sc_core::sc_report_handler::default_handler(report, actions & ~(sc_core::SC_DISPLAY | sc_core::SC_LOG));
}

} // namespace

int sc_main(int argc, char* argv[]) {
    sc_core::sc_report_handler::set_handler(route_systemc_reports);

    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cerr << usage;
        return socsim::core::exit_config_error;
    }
    const std::string command = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "-h" || command == "--help" || command == "help") {
        std::cout << usage << "\nplatforms: " << socsim::cli::known_platforms() << "\n";
        return 0;
    }
    if (command == "--version") {
        std::cout << "socsim " << SOCSIM_VERSION << " (SystemC " << sc_core::sc_release() << ", "
                  << socsim::cpu::engine_version() << ")\n";
        return 0;
    }
    if (command == "run") return socsim::cli::run_command(rest);
    if (command == "info") return socsim::cli::info_command(rest);
    if (command == "models") return socsim::cli::models_command(rest);
    if (command == "regress") return socsim::regress::regress_command(rest);
    std::cerr << "socsim: unknown command '" << command << "' (use run, info, models or regress; see socsim --help)\n";
    return socsim::core::exit_config_error;
}

// SystemC's library provides main(); its banner must be off before any SystemC object exists.
namespace {
struct quiet_systemc_banner {
    quiet_systemc_banner() { setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1); }
} const quiet_banner;
} // namespace
