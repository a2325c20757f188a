#include "regress/command.h"

#include <unistd.h>

#include <boost/program_options.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "regress/results.h"
#include "regress/runner.h"
#include "regress/suite.h"

namespace socsim::regress {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

constexpr int exit_failed = 1;
constexpr int exit_usage = 125;

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* synopsis =
    "usage: socsim regress SUITE.yaml... [options]\n"
    "       socsim regress --merge RESULTS.json... [--junit FILE] [--json FILE] [--stats FILE]\n"
    "\n"
    "Runs the cases of suite files (docs/regress.md), each as its own `socsim run` process, N at\n"
    "a time, and checks what each prints, traces and writes. Exit status: 0 when every selected\n"
    "case passed, 1 when one failed, 125 for a usage error or a suite file that cannot be used.\n"
    "\noptions";

// "K/N" with 1 <= K <= N.
std::pair<unsigned, unsigned> parse_shard(const std::string& s) {
    unsigned k = 0, n = 0;
    char tail = 0;
    if (std::sscanf(s.c_str(), "%u/%u%c", &k, &n, &tail) != 2 || n == 0 || k == 0 || k > n)
        throw usage_error("--shard takes K/N with 1 <= K <= N (this machine's part of N), not '" + s + "'");
    return {k, n};
}

void write_file(const std::string& path, const std::string& text, const std::string& what) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw usage_error("cannot write the " + what + " to '" + path + "'");
}

std::string read_text(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw usage_error("'" + path + "' is a directory, not a results file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error("cannot open '" + path + "'");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_outputs(const po::variables_map& vm, const std::vector<case_result>& results) {
    if (vm.count("junit")) write_file(vm["junit"].as<std::string>(), to_junit(results), "JUnit report");
    if (vm.count("json")) write_file(vm["json"].as<std::string>(), to_json(results), "JSON results");
    if (vm.count("stats")) {
        const std::string path = vm["stats"].as<std::string>();
        const bool csv = fs::path(path).extension() == ".csv";
        write_file(path, figures_table(results, csv), "figures");
    }
}

std::string seconds_text(double s) {
    std::ostringstream o;
    o.precision(s < 10 ? 2 : 1);
    o << std::fixed << s << " s";
    return o.str();
}

void print_failure(std::ostream& out, const case_result& r) {
    out << "FAIL " << r.name << ": " << r.reason << "\n";
    if (!r.first_difference.empty()) out << "  first difference: " << r.first_difference << "\n";
    if (!r.first_diagnostic.empty()) out << "  first diagnostic: " << r.first_diagnostic << "\n";
    out << "  reproduce: " << r.command << "\n";
    if (!r.output_dir.empty()) out << "  output: " << r.output_dir << "\n";
}

int summary(const std::vector<case_result>& results, double elapsed, unsigned jobs) {
    unsigned failed = 0;
    for (const case_result& r : results) failed += !r.passed;
    std::cout << "regress: " << results.size() << " cases, " << results.size() - failed << " passed, " << failed
              << " failed";
    if (elapsed >= 0) std::cout << ", " << seconds_text(elapsed) << " with -j " << jobs;
    std::cout << "\n";
    return failed ? exit_failed : 0;
}

int merge(const po::variables_map& vm, const std::vector<std::string>& files) {
    std::vector<case_result> all;
    std::set<std::string> seen;
    for (const std::string& f : files) {
        std::vector<case_result> part;
        try {
            part = from_json(read_text(f), f);
        } catch (const std::runtime_error& e) {
            throw usage_error(e.what());
        }
        for (case_result& r : part) {
            if (!seen.insert(r.suite + "\n" + r.name).second)
                throw usage_error(f + ": case '" + r.name + "' of " + r.suite + " is also in an earlier file (shards overlap)");
            all.push_back(std::move(r));
        }
    }
    // One order whatever the shards: by suite, then by line, then by name (matrix cases share a line).
    std::stable_sort(all.begin(), all.end(), [](const case_result& a, const case_result& b) {
        return std::tie(a.suite, a.line, a.name) < std::tie(b.suite, b.line, b.name);
    });
    for (const case_result& r : all)
        if (!r.passed) print_failure(std::cout, r);
    write_outputs(vm, all);
    return summary(all, -1, 0);
}

} // namespace

int regress_command(const std::vector<std::string>& args) {
    po::options_description opts(synopsis);
    // clang-format off
    opts.add_options()
        ("help,h", "this text")
        ("jobs,j", po::value<unsigned>(), "cases run at once (default: the host's cores)")
        ("filter", po::value<std::string>(), "only cases whose name matches this regular expression")
        ("case", po::value<std::vector<std::string>>()->composing(), "only the case of exactly this name (repeatable)")
        ("tag", po::value<std::vector<std::string>>()->composing(), "only cases with this tag (repeatable: any of them)")
        ("shard", po::value<std::string>(), "K/N: run part K of N (a stable partition of the selected cases)")
        ("list", "print the selected cases (name, tags, file:line) and run nothing")
        ("junit", po::value<std::string>(), "write a JUnit XML report to FILE")
        ("json", po::value<std::string>(), "write the results as JSON to FILE (what --merge reads)")
        ("stats", po::value<std::string>(), "measure each case (socsim --stats and its trace) and write the "
                                             "figures to FILE: CSV if it ends in .csv, else JSON")
        ("var", po::value<std::vector<std::string>>()->composing(), "NAME=VALUE: set a suite variable (${NAME})")
        ("socsim", po::value<std::string>(), "the socsim to run (default: this one)")
        ("work-dir", po::value<std::string>(), "scratch directories of the cases (default: regress-work); "
                                               "a failed case's output stays there")
        ("keep", "keep the scratch directories of passed cases too")
        ("trace-dir", po::value<std::string>(), "trace every case into DIR/<suite folder>.<case>.jsonl")
        ("twice", "run every case twice: status, stdout, stderr and trace must be the same bytes "
                  "(a case with `once: reason` runs once)")
        ("merge", "merge --json results of shards (the arguments are results files)");
    // clang-format on
    po::options_description hidden;
    hidden.add_options()("input", po::value<std::vector<std::string>>(), "");
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description positional;
    positional.add("input", -1);

    try {
        po::variables_map vm;
        try {
            po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
            po::notify(vm);
        } catch (const po::error& e) {
            throw usage_error(std::string(e.what()) + " (see socsim regress --help)");
        }
        if (vm.count("help")) {
            std::cout << opts << "\n";
            return 0;
        }
        const std::vector<std::string> inputs =
            vm.count("input") ? vm["input"].as<std::vector<std::string>>() : std::vector<std::string>{};
        if (inputs.empty())
            throw usage_error(vm.count("merge") ? "--merge needs the results files (socsim regress --json ...) to merge"
                                                : "no suite file (socsim regress SUITE.yaml...; see --help)");
        if (vm.count("merge")) return merge(vm, inputs);

        std::optional<std::pair<unsigned, unsigned>> shard;
        if (vm.count("shard")) shard = parse_shard(vm["shard"].as<std::string>());
        std::map<std::string, std::string> vars;
        if (vm.count("var"))
            for (const std::string& kv : vm["var"].as<std::vector<std::string>>()) {
                const size_t eq = kv.find('=');
                if (eq == 0 || eq == std::string::npos) throw usage_error("--var takes NAME=VALUE, not '" + kv + "'");
                // A relative path that exists here is meant from here, not from the suite's folder.
                std::string value = kv.substr(eq + 1);
                std::error_code ec;
                if (!value.empty() && value[0] != '/' && fs::exists(value, ec)) value = fs::absolute(value).lexically_normal().string();
                vars[kv.substr(0, eq)] = value;
            }
        std::vector<test_case> cases;
        for (const std::string& suite : inputs) {
            std::vector<test_case> more = load_suite(suite, vars);
            cases.insert(cases.end(), more.begin(), more.end());
        }

        // Selection: filter and tags, then the shard (the same partition on every machine).
        std::optional<std::regex> filter;
        if (vm.count("filter")) {
            try {
                filter.emplace(vm["filter"].as<std::string>(), std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
                throw usage_error("--filter '" + vm["filter"].as<std::string>() + "' is not a regular expression: " + e.what());
            }
        }
        std::set<std::string> tags;
        if (vm.count("tag"))
            for (const std::string& t : vm["tag"].as<std::vector<std::string>>()) tags.insert(t);
        std::set<std::string> names;
        if (vm.count("case"))
            for (const std::string& n : vm["case"].as<std::vector<std::string>>()) names.insert(n);
        for (const std::string& n : names)
            if (std::none_of(cases.begin(), cases.end(), [&](const test_case& c) { return c.name == n; }))
                throw usage_error("--case '" + n + "': no case of that name in the suites");
        std::vector<test_case> selected;
        for (test_case& c : cases) {
            if (!names.empty() && !names.count(c.name)) continue;
            if (filter && !std::regex_search(c.name, *filter)) continue;
            if (!tags.empty() && std::none_of(c.tags.begin(), c.tags.end(), [&](const std::string& t) { return tags.count(t); }))
                continue;
            selected.push_back(std::move(c));
        }
        if (shard) {
            const auto [k, n] = *shard;
            std::vector<test_case> mine;
            for (size_t i = 0; i < selected.size(); i++)
                if (i % n == k - 1) mine.push_back(std::move(selected[i]));
            selected = std::move(mine);
        }

        if (vm.count("list")) {
            for (const test_case& c : selected) {
                std::string t;
                for (const std::string& tag : c.tags) t += (t.empty() ? "" : ",") + tag;
                std::cout << c.name << "  [" << t << "]  " << c.suite << ":" << c.line << "\n";
            }
            return 0;
        }

        run_options o;
        std::error_code ec;
        o.socsim = vm.count("socsim") ? vm["socsim"].as<std::string>() : fs::read_symlink("/proc/self/exe", ec).string();
        if (o.socsim.empty()) throw usage_error("cannot find this program's path: give --socsim");
        o.work_dir = vm.count("work-dir") ? vm["work-dir"].as<std::string>() : "regress-work";
        o.stats = vm.count("stats") > 0;
        o.keep = vm.count("keep") > 0;
        o.twice = vm.count("twice") > 0;
        if (vm.count("trace-dir")) {
            o.trace_dir = vm["trace-dir"].as<std::string>();
            std::error_code dir_ec;
            fs::create_directories(o.trace_dir, dir_ec);
            if (!fs::is_directory(o.trace_dir, dir_ec)) throw usage_error("--trace-dir '" + o.trace_dir + "' is not a folder that can be made");
        }
        unsigned jobs = vm.count("jobs") ? vm["jobs"].as<unsigned>() : std::thread::hardware_concurrency();
        if (jobs == 0) jobs = 1;

        // A terminal gets one live progress line; anything else a plain line per case.
        const bool live = isatty(STDOUT_FILENO);
        const auto start = std::chrono::steady_clock::now();
        size_t done = 0, failed = 0;
        auto progress = [&](const case_result& r) {
            done++;
            failed += !r.passed;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (live) std::cout << "\r\033[K";
            if (!r.passed)
                print_failure(std::cout, r);
            else if (!live)
                std::cout << "PASS " << r.name << " (" << seconds_text(r.host_seconds) << ")\n";
            if (live)
                std::cout << "[" << done << "/" << selected.size() << "] " << failed << " failed, " << seconds_text(elapsed)
                          << std::flush;
            else
                std::cout << std::flush;
        };
        const std::vector<case_result> results = run_all(selected, o, jobs, progress);
        if (live) std::cout << "\r\033[K";
        write_outputs(vm, results);
        return summary(results, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), jobs);
    } catch (const usage_error& e) {
        std::cerr << "socsim regress: " << e.what() << "\n";
        return exit_usage;
    } catch (const suite_error& e) {
        std::cerr << e.what() << "\n";
        return exit_usage;
    }
}

} // namespace socsim::regress
