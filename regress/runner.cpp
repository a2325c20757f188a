#include "regress/runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "regress/expectations.h"

extern char** environ;

namespace socsim::regress {
namespace {

namespace fs = std::filesystem;

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The first input file the case names that is not there, as a reason.
std::optional<std::string> missing_input(const test_case& c) {
    const std::pair<const char*, const std::string*> files[] = {
        {"firmware", &c.firmware}, {"bios image", &c.bios}, {"kernel", &c.kernel}, {"initrd", &c.initrd}};
    std::error_code ec;
    for (const auto& [what, path] : files) {
        if (path->empty()) continue;
        if (!fs::exists(*path, ec)) return std::string(what) + " " + *path + " is missing";
        if (fs::is_directory(*path, ec)) return std::string(what) + " " + *path + " is a directory";
    }
    if (c.platform.find('/') != std::string::npos && !fs::exists(c.platform, ec))
        return "platform file " + c.platform + " is missing";
    return std::nullopt;
}

struct process_end {
    int status = -1;         // exit status when it exited
    int signal = 0;          // the signal that ended it
    bool timed_out = false;  // killed at the host time limit
    std::string spawn_error;
};

// Runs argv with stdin from /dev/null and stdout/stderr into files, in its own process group,
// killing the group at the time limit.
process_end run_process(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path,
                        double timeout_seconds) {
    process_end end;
    posix_spawn_file_actions_t files;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, args[0], &files, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
    if (err != 0) {
        end.spawn_error = std::strerror(err);
        return end;
    }
    // Wait for the exit or the deadline: on a pidfd (Linux 5.3) the wake-up is exact; without
    // one, poll every 2 ms.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    int wstatus = 0;
    while (true) {
        const pid_t r = waitpid(pid, &wstatus, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            end.spawn_error = std::string("waitpid: ") + std::strerror(errno);
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            kill(-pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            end.timed_out = true;
            break;
        }
        if (pidfd >= 0) {
            pollfd p{pidfd, POLLIN, 0};
            poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 1000)));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    if (pidfd >= 0) close(pidfd);
    if (end.timed_out || !end.spawn_error.empty()) return end;
    if (WIFEXITED(wstatus)) end.status = WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) end.signal = WTERMSIG(wstatus);
    return end;
}

uint64_t to_u64(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); }

// Faults are the DMA pieces the IOMMUs refused (their own counters); checker reports are the
// DMA checker's warning lines (stale translations, uncleaned table memory, DMA-API debugging).
// Both come from what socsim prints anyway: a trace would slow a polling run severalfold.
void count_reports(const std::string& stderr_text, case_figures& f) {
    for (const iommu_figures& i : f.iommus) f.iommu_faults += static_cast<unsigned>(i.refused);
    std::istringstream in(stderr_text);
    for (std::string l; std::getline(in, l);)
        if (l.find("warning: stale translation used") != std::string::npos ||
            l.find("warning: walker read uncleaned table memory") != std::string::npos ||
            l.find("warning: dma-debug: ") != std::string::npos)
            f.checker_reports++;
}

// With --stats the runner adds socsim's --stats unless the case asks for it itself; the lines it
// adds are the runner's, not the case's: its stderr checks (and --twice, since they carry host
// time) see the rest.
bool runner_adds_stats(const test_case& c, const run_options& o) {
    return o.stats && std::find(c.args.begin(), c.args.end(), "--stats") == c.args.end();
}

std::string without_stats_lines(const std::string& err) {
    std::string out;
    std::istringstream in(err);
    for (std::string l; std::getline(in, l);)
        if (l.rfind("socsim: stats: ", 0) != 0) out += l + "\n";
    return out;
}

} // namespace

void parse_stats(const std::string& stderr_text, case_figures& f) {
    static const std::regex overall(R"(^socsim: stats: instructions ([0-9]+), simulated ([0-9.]+) s)");
    static const std::regex iommu(
        R"(^socsim: stats: ([^:]+): ([0-9]+) DMA pieces translated \(TLB ([0-9]+) hits, ([0-9]+) misses\), ([0-9]+) bypassed, ([0-9]+) refused; ([0-9]+) invalidation commands removed ([0-9]+) TLB entries; ([0-9]+) uses of stale)");
    std::istringstream in(stderr_text);
    std::smatch m;
    for (std::string l; std::getline(in, l);) {
        if (std::regex_search(l, m, overall)) {
            f.instructions = to_u64(m[1]);
            f.simulated_seconds = std::strtod(m[2].str().c_str(), nullptr);
        } else if (std::regex_search(l, m, iommu)) {
            f.iommus.push_back({m[1], to_u64(m[2]), to_u64(m[3]), to_u64(m[4]), to_u64(m[5]), to_u64(m[6]),
                                to_u64(m[7]), to_u64(m[8]), to_u64(m[9])});
        }
    }
}

std::string suite_label(const std::string& path) {
    const fs::path p(path);
    const std::string folder = p.parent_path().filename().string();
    return (folder.empty() ? "" : folder + "/") + p.stem().string();
}

std::string shell_quote(const std::vector<std::string>& argv) {
    static const std::regex plain(R"([A-Za-z0-9_@%+=:,./-]+)");
    std::string out;
    for (const std::string& a : argv) {
        if (!out.empty()) out += ' ';
        out += std::regex_match(a, plain) ? a : "'" + replace_all(a, "'", "'\\''") + "'";
    }
    return out;
}

std::string trace_path(const test_case& c, const run_options& o, const std::string& case_dir) {
    if (o.trace_dir.empty()) return case_dir + "/trace.jsonl";
    const std::string folder = fs::path(c.suite).parent_path().filename().string();
    return (fs::absolute(o.trace_dir) /
            std::regex_replace(folder + "." + c.name + ".jsonl", std::regex("[^A-Za-z0-9_.,=+\\[\\]-]"), "_"))
        .string();
}

std::vector<std::string> case_command(const test_case& c, const run_options& o, const std::string& case_dir,
                                      bool with_trace) {
    auto fill = [&](const std::string& s) { return replace_all(s, case_dir_placeholder, case_dir); };
    std::vector<std::string> argv{o.socsim, "run", fill(c.platform)};
    if (!c.firmware.empty()) argv.insert(argv.end(), {"--firmware", fill(c.firmware)});
    if (!c.bios.empty()) argv.insert(argv.end(), {"--bios", fill(c.bios)});
    if (!c.kernel.empty()) argv.insert(argv.end(), {"--kernel", fill(c.kernel)});
    if (!c.initrd.empty()) argv.insert(argv.end(), {"--initrd", fill(c.initrd)});
    if (!c.append.empty()) argv.insert(argv.end(), {"--append", fill(c.append)});
    if (!c.max_time.empty()) argv.insert(argv.end(), {"--max-time", c.max_time});
    for (const std::string& kv : c.config) argv.insert(argv.end(), {"-c", fill(kv)});
    if (c.input) argv.insert(argv.end(), {"-c", "serial0.input=" + case_dir + "/input.txt"});
    for (const std::string& a : c.args) argv.push_back(fill(a));
    if (with_trace) argv.insert(argv.end(), {"--trace", trace_path(c, o, case_dir)});
    if (runner_adds_stats(c, o)) argv.push_back("--stats");
    return argv;
}

case_result run_case(const test_case& c, const run_options& o) {
    case_result r;
    r.name = c.name;
    r.suite = c.suite;
    r.line = c.line;
    r.tags = c.tags;
    // A matrix value may be a path: the directory name keeps only safe characters.
    const std::string case_dir =
        (fs::absolute(o.work_dir) / suite_label(c.suite) /
         std::regex_replace(c.name, std::regex("[^A-Za-z0-9_.,=+\\[\\]-]"), "_"))
            .string();
    const bool with_trace = !c.expect.trace.empty() || !o.trace_dir.empty();
    const std::vector<std::string> argv = case_command(c, o, case_dir, with_trace);
    r.command = shell_quote(argv);
    const auto start = std::chrono::steady_clock::now();
    auto finish = [&](std::string reason) {
        r.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        r.reason = std::move(reason);
        r.passed = r.reason.empty();
        std::error_code ec;
        if (r.passed && !o.keep) fs::remove_all(case_dir, ec);
        return r;
    };

    if (auto missing = missing_input(c)) return finish(*missing);
    std::error_code ec;
    fs::remove_all(case_dir, ec);
    if (!fs::create_directories(case_dir, ec) && ec) return finish("cannot create " + case_dir + ": " + ec.message());
    r.output_dir = case_dir;
    if (c.input) {
        std::ofstream in(case_dir + "/input.txt", std::ios::binary);
        in << *c.input;
        if (!in) return finish("cannot write " + case_dir + "/input.txt");
    }

    const process_end end = run_process(argv, case_dir + "/stdout.txt", case_dir + "/stderr.txt", c.timeout_seconds);
    r.stdout_text = read_file(case_dir + "/stdout.txt");
    r.stderr_text = read_file(case_dir + "/stderr.txt");
    std::string err = r.stderr_text;
    if (o.stats) {
        r.figures.emplace();
        parse_stats(r.stderr_text, *r.figures);
        count_reports(r.stderr_text, *r.figures);
        if (runner_adds_stats(c, o)) err = without_stats_lines(err);
    }
    {
        std::istringstream lines(err);
        std::getline(lines, r.first_diagnostic);
    }
    if (!end.spawn_error.empty()) return finish("cannot start " + o.socsim + ": " + end.spawn_error);
    if (end.timed_out) {
        std::ostringstream s;
        s << "host time limit of " << c.timeout_seconds << " s reached: socsim was killed (a hang?)";
        return finish(s.str());
    }
    if (end.signal != 0)
        return finish("socsim crashed: signal " + std::to_string(end.signal) + " (" + strsignal(end.signal) + ")");
    r.exit_status = end.status;

    expectations expect = c.expect;
    if (expect.png) expect.png->file = replace_all(expect.png->file, case_dir_placeholder, case_dir);
    const std::string trace = with_trace ? trace_path(c, o, case_dir) : "";
    if (auto v = check_run(expect, end.status, r.stdout_text, err, trace)) {
        r.first_difference = v->first_difference;
        return finish(v->reason);
    }
    if (o.twice && c.once.empty()) {
        // Determinism: the same command again, its trace beside the first, must give the same bytes.
        std::vector<std::string> again = argv;
        for (std::string& a : again)
            if (a == trace) a = case_dir + "/trace.again.jsonl";
        const process_end end2 = run_process(again, case_dir + "/stdout.again.txt", case_dir + "/stderr.again.txt",
                                             c.timeout_seconds);
        if (end2.timed_out || end2.signal || !end2.spawn_error.empty())
            return finish("not deterministic: the second run did not exit (" +
                          (end2.timed_out ? std::string("host time limit") : end2.signal ? std::string(strsignal(end2.signal)) : end2.spawn_error) + ")");
        if (end2.status != end.status)
            return finish("not deterministic: the second run exited with " + std::to_string(end2.status) + ", the first with " +
                          std::to_string(end.status));
        const std::pair<const char*, std::pair<std::string, std::string>> outputs[] = {
            {"stdout", {case_dir + "/stdout.txt", case_dir + "/stdout.again.txt"}},
            {"stderr", {case_dir + "/stderr.txt", case_dir + "/stderr.again.txt"}},
            {"trace", {trace, case_dir + "/trace.again.jsonl"}}};
        for (const auto& [what, files] : outputs) {
            if (std::string(what) == "trace" && trace.empty()) continue;
            std::string first = read_file(files.first), second = read_file(files.second);
            if (runner_adds_stats(c, o) && std::string(what) == "stderr") {
                first = without_stats_lines(first);
                second = without_stats_lines(second);
            }
            if (first != second)
                return finish(std::string("not deterministic: the second run's ") + what + " differs (" + files.first +
                              " and " + files.second + ")");
        }
    }
    return finish("");
}

std::vector<case_result> run_all(const std::vector<test_case>& cases, const run_options& o, unsigned jobs,
                                 const std::function<void(const case_result&)>& done) {
    std::vector<case_result> results(cases.size());
    std::atomic<size_t> next{0};
    std::mutex lock;
    auto worker = [&] {
        for (size_t i; (i = next++) < cases.size();) {
            results[i] = run_case(cases[i], o);
            std::lock_guard<std::mutex> g(lock);
            done(results[i]);
        }
    };
    std::vector<std::thread> threads;
    for (unsigned j = 0; j < std::max(1u, jobs); j++) threads.emplace_back(worker);
    for (std::thread& t : threads) t.join();
    return results;
}

} // namespace socsim::regress
