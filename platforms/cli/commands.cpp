#include "platforms/cli/commands.h"

#include <boost/program_options.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <dirent.h>
#include <iomanip>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/core/run_control.h"
#include "models/core/trace_writer.h"
#include "models/cpu/arm64_cpu.h"
#include "platforms/builder/model_registry.h"
#include "platforms/builder/platform.h"
#include "platforms/cli/time_value.h"
#include "platforms/host/gdb_server.h"

namespace po = boost::program_options;

namespace socsim::cli {
namespace {

// Where platform names are looked up: $SOCSIM_PLATFORM_PATH (colon-separated), the build's
// compiled DTBs, then the source DTS files.
std::vector<std::string> platform_dirs() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("SOCSIM_PLATFORM_PATH")) {
        std::stringstream ss(env);
        std::string dir;
        while (std::getline(ss, dir, ':'))
            if (!dir.empty()) dirs.push_back(dir);
    }
    dirs.push_back(SOCSIM_PLATFORM_BUILD_DIR);
    dirs.push_back(SOCSIM_PLATFORM_SOURCE_DIR);
    return dirs;
}

bool is_file(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool has_suffix(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Parses one subcommand's options; usage errors become config_error (status 125).
po::variables_map parse(const std::vector<std::string>& args, const po::options_description& visible,
                        const po::positional_options_description& positional, const std::string& command) {
    po::options_description all;
    all.add(visible);
    all.add_options()("platform", po::value<std::string>());
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw core::config_error(std::string(e.what()) + " (see socsim " + command + " --help)");
    }
    return vm;
}

// After the platform is built every module's logger exists: a --log-level naming another module
// would silently do nothing.
void check_log_modules() {
    const auto unknown = core::unknown_log_modules();
    if (unknown.empty()) return;
    std::string known;
    for (const auto& m : core::log_modules()) known += (known.empty() ? "" : ", ") + m;
    throw core::config_error("--log-level: no module '" + unknown.front() + "' on this platform (modules: " + known + ")");
}

void set_log_levels_or_fail(const po::variables_map& vm) {
    if (!vm.count("log-level")) return;
    try {
        core::set_log_levels(vm["log-level"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw core::config_error(std::string("--log-level: ") + e.what());
    }
}

sc_core::sc_time time_option(const po::variables_map& vm, const char* name) {
    try {
        return parse_time(vm[name].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw core::config_error(std::string("--") + name + ": " + e.what());
    }
}

int report(const core::config_error& e) {
    // After warnings (dtc's, unmodelled nodes) the error that stopped the run must not read as
    // one more of them: it is the last line, and says it is the error.
    const bool after_warnings = core::log_count(core::log_level::warning) > 0;
    std::cerr << (after_warnings ? "socsim: error: " : "socsim: ") << e.what() << std::endl;
    return core::exit_config_error;
}

std::string require_platform(const po::variables_map& vm, const std::string& command) {
    if (!vm.count("platform"))
        throw core::config_error("missing PLATFORM (a name: " + known_platforms() + "; or a .dts/.dtb path; see socsim " +
                                 command + " --help)");
    return find_platform(vm["platform"].as<std::string>());
}

} // namespace

std::string known_platforms() {
    std::set<std::string> names;
    for (const std::string& dir : platform_dirs()) {
        DIR* d = opendir(dir.c_str());
        if (!d) continue;
        while (dirent* e = readdir(d)) {
            std::string f = e->d_name;
            if (has_suffix(f, ".dts") || has_suffix(f, ".dtb")) names.insert(f.substr(0, f.size() - 4));
        }
        closedir(d);
    }
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none found" : out;
}

std::string find_platform(const std::string& name) {
    bool looks_like_path = name.find('/') != std::string::npos || has_suffix(name, ".dts") || has_suffix(name, ".dtb");
    if (looks_like_path) {
        if (!is_file(name)) throw core::config_error("platform '" + name + "': no such file");
        return name;
    }
    for (const std::string& dir : platform_dirs())
        for (const char* ext : {".dtb", ".dts"})
            if (is_file(dir + "/" + name + ext)) return dir + "/" + name + ext;
    if (is_file(name)) return name;
    throw core::config_error("no platform '" + name + "' (known: " + known_platforms() +
                             "; or give a path to a .dts or .dtb file)");
}

int run_command(const std::vector<std::string>& args) {
    po::options_description opts(
        "usage: socsim run PLATFORM [--firmware ELF | --bios IMAGE | --kernel IMAGE] [options]\n\n"
        "Runs firmware on PLATFORM. The exit status is the firmware's exit code (0-255;\n"
        "PSCI SYSTEM_OFF: 0); 123: PSCI SYSTEM_RESET, 124: --max-time reached,\n"
        "125: usage or configuration error, or output lost (trace or console not written),\n"
        "126: firmware fault.\n\n"
        "options");
    opts.add_options()
        ("help,h", "this text")
        ("firmware,f", po::value<std::string>(), "AArch64 ELF to run (default: /chosen socsim,firmware)")
        ("bios", po::value<std::string>(),
         "raw firmware image (e.g. U-Boot's u-boot.bin) for the boot flash at 0x0; runs from 0x0 "
         "with x0 = the DTB, placed at the base of RAM")
        ("kernel", po::value<std::string>(),
         "arm64 Linux Image, booted as the arm64 boot protocol says (2 MiB above the base of RAM, "
         "x0 = the DTB)")
        ("initrd", po::value<std::string>(), "initramfs for --kernel (top of RAM, named in /chosen)")
        ("append", po::value<std::string>(), "kernel command line for --kernel (/chosen bootargs)")
        ("max-time", po::value<std::string>()->default_value("10s"),
         "stop after this much simulated time, 0 for no limit (e.g. 500ms)")
        ("quantum", po::value<std::string>()->default_value("100us"), "CPU synchronisation quantum (e.g. 1us)")
        ("trace", po::value<std::string>(), "write a JSON Lines trace of events to FILE")
        ("log-level", po::value<std::string>(),
         "error|warning|info|debug|trace, or per module: warning,bus=debug (default warning)")
        ("config,c", po::value<std::vector<std::string>>()->composing(),
         "set a Device Tree property: node.property=value (node: path, label, alias or name; "
         "a name that is neither standard nor on the node means socsim,name; numbers become "
         "cells, \"quoted\" values strings)")
        ("strict", "a node whose compatible has no model (or with reg but no compatible) is an error, not a warning")
        ("stats", "print instructions, simulated and host time and MIPS, and each IOMMU's counters, at the end (stderr)")
        ("gdb", po::value<std::string>(),
         "serve GDB's remote protocol on [HOST:]PORT (default host 127.0.0.1; port 0: any free port, "
         "named on stderr); see docs/gdb.md")
        ("gdb-wait", "with --gdb: wait for the debugger and halt before the first instruction");
    po::positional_options_description positional;
    positional.add("platform", 1);
    try {
        po::variables_map vm = parse(args, opts, positional, "run");
        if (vm.count("help")) {
            std::cout << opts << "\nplatforms: " << known_platforms() << "\n";
            return 0;
        }
        set_log_levels_or_fail(vm);
        const std::string platform_file = require_platform(vm, "run");
        const sc_core::sc_time max_time = time_option(vm, "max-time");
        const sc_core::sc_time quantum = time_option(vm, "quantum");
        if (quantum == sc_core::SC_ZERO_TIME) throw core::config_error("--quantum must be greater than 0");

        platform::platform_options options;
        options.strict = vm.count("strict") > 0;
        if (vm.count("config")) options.overrides = vm["config"].as<std::vector<std::string>>();
        if (vm.count("firmware")) options.firmware = vm["firmware"].as<std::string>();
        if (vm.count("bios")) options.bios = vm["bios"].as<std::string>();
        if (vm.count("kernel")) options.kernel = vm["kernel"].as<std::string>();
        if (vm.count("initrd")) options.initrd = vm["initrd"].as<std::string>();
        if (vm.count("append")) options.append = vm["append"].as<std::string>();
        if (vm.count("trace")) {
            try {
                core::trace_writer::instance().open(vm["trace"].as<std::string>());
            } catch (const std::runtime_error& e) {
                throw core::config_error(std::string("--trace: ") + e.what());
            }
        }

        if (vm.count("gdb")) cpu::arm64_cpu::use_small_code_cache();
        const auto host_start = std::chrono::steady_clock::now();
        platform::platform plat(platform::device_tree::from_file(platform_file), options);
        check_log_modules();
        plat.prepare_boot();
        tlm_utils::tlm_quantumkeeper::set_global_quantum(quantum);
        core::run_control::instance().set_time_limit(max_time);

        std::unique_ptr<host::gdb_server> gdb;
        if (vm.count("gdb-wait") && !vm.count("gdb")) throw core::config_error("--gdb-wait needs --gdb [HOST:]PORT");
        if (vm.count("gdb")) {
            host::gdb_server::platform_view view;
            view.cpu = plat.cpu();
            view.memory_map = [&plat](std::ostream& os) { plat.describe_memory_map(os); };
            for (const auto& i : plat.iommus()) view.iommus.push_back({i.name, i.compatible, i.view, i.masters});
            gdb = std::make_unique<host::gdb_server>(vm["gdb"].as<std::string>(), std::move(view));
            std::cerr << "socsim: gdb: listening on " << gdb->where()
                      << (vm.count("gdb-wait") ? "; waiting for the debugger" : "") << std::endl;
            if (vm.count("gdb-wait")) gdb->wait_for_client();
            gdb->start(vm.count("gdb-wait") > 0);
        }

        if (max_time == sc_core::SC_ZERO_TIME)
            sc_core::sc_start();
        else
            sc_core::sc_start(max_time);
        std::cout.flush();

        auto& control = core::run_control::instance();
        int status = control.status();
        if (control.outcome() == core::run_outcome::running) {
            std::cerr << "socsim: --max-time " << max_time.to_string() << " reached; the firmware did not exit (pc "
                      << core::hex(plat.cpu()->pc()) << ")" << std::endl;
            status = core::exit_time_limit;
        }
        if (gdb) gdb->finish(status);
        if (vm.count("stats")) {
            double host = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
            uint64_t insns = 0;  // every core's
            for (unsigned i = 0; i < plat.cores().size(); ++i) insns += plat.cores().core(i).instructions();
            // Simulated time to the nanosecond (one instruction at 1 GHz), host time to the ms.
            std::cerr << std::fixed << std::setprecision(9) << "socsim: stats: instructions " << insns
                      << ", simulated " << sc_core::sc_time_stamp().to_seconds() << " s, host "
                      << std::setprecision(3) << host << " s, "
                      << std::setprecision(1) << (host > 0 ? insns / host / 1e6 : 0) << " MIPS" << std::endl;
            plat.print_statistics(std::cerr);
        }
        // What socsim writes must arrive whole: a console or trace lost to a full disk is an
        // error, not a run that passed.
        auto& trace = core::trace_writer::instance();
        if (!trace.close()) {
            std::cerr << "socsim: the trace file '" << trace.path() << "' could not be written completely" << std::endl;
            status = core::exit_config_error;
        }
        if (!std::cout) {
            std::cerr << "socsim: the console output could not be written completely (stdout)" << std::endl;
            status = core::exit_config_error;
        }
        return status;
    } catch (const core::config_error& e) {
        return report(e);
    }
}

int info_command(const std::vector<std::string>& args) {
    po::options_description opts(
        "usage: socsim info PLATFORM [options]\n\n"
        "Shows PLATFORM's memory map (with sizes), its models and their interrupt lines.\n\n"
        "options");
    opts.add_options()
        ("help,h", "this text")
        ("config,c", po::value<std::vector<std::string>>()->composing(), "set a Device Tree property (as for run)")
        ("log-level", po::value<std::string>(), "log level (as for run)")
        ("strict", "a node whose compatible has no model (or with reg but no compatible) is an error");
    po::positional_options_description positional;
    positional.add("platform", 1);
    try {
        po::variables_map vm = parse(args, opts, positional, "info");
        if (vm.count("help")) {
            std::cout << opts << "\nplatforms: " << known_platforms() << "\n";
            return 0;
        }
        set_log_levels_or_fail(vm);
        platform::platform_options options;
        options.strict = vm.count("strict") > 0;
        if (vm.count("config")) options.overrides = vm["config"].as<std::vector<std::string>>();
        platform::platform plat(platform::device_tree::from_file(require_platform(vm, "info")), options);
        check_log_modules();
        plat.describe(std::cout);
        return 0;
    } catch (const core::config_error& e) {
        return report(e);
    }
}

int models_command(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << "usage: socsim models\n\nLists the Device Tree compatible strings socsim has models for.\n";
        return 0;
    }
    if (!args.empty()) {
        std::cerr << "socsim: models takes no arguments (see socsim models --help)\n";
        return core::exit_config_error;
    }
    for (const auto& entry : platform::model_registry())
        for (const auto& c : entry.compatibles)
            std::cout << std::left << std::setw(28) << c << entry.description << "\n";
    return 0;
}

} // namespace socsim::cli
