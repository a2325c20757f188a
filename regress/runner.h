#pragma once
// Running the cases of `socsim regress`: each case is one `socsim run` process (SystemC
// elaborates once per process), with its own scratch directory for the trace, the UART input and
// anything the platform writes; its host time is bounded (the process group is killed), and
// whatever goes wrong (firmware missing, a crash, a hang, wrong output) fails that case with the
// reason, never the runner. `run_all` runs N at a time.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "regress/suite.h"

namespace socsim::regress {

// One IOMMU's counters, from `socsim run --stats`.
struct iommu_figures {
    std::string name;
    uint64_t translated = 0, tlb_hits = 0, tlb_misses = 0, bypassed = 0, refused = 0;
    uint64_t invalidation_commands = 0, entries_invalidated = 0, stale_uses = 0;
};

// What a run measured (with --stats), from socsim's own --stats lines and diagnostics.
struct case_figures {
    uint64_t instructions = 0;
    double simulated_seconds = 0;
    std::vector<iommu_figures> iommus;
    unsigned iommu_faults = 0;     // DMA pieces the IOMMUs refused, summed
    unsigned checker_reports = 0;  // stale translations, uncleaned table reads, dma-debug findings
};

struct case_result {
    std::string name, suite;
    int line = 0;
    std::vector<std::string> tags;
    bool passed = false;
    std::string reason;            // why it failed; empty when it passed
    std::string first_difference;  // the first line that differs from what was expected, if any
    std::string first_diagnostic;  // socsim's first line on stderr, if any
    std::string command;           // the command line, quoted for a shell, to reproduce it
    std::string output_dir;        // the case's scratch directory (stdout.txt, stderr.txt, trace)
    double host_seconds = 0;
    int exit_status = -1;          // -1: no exit status (not started, killed, crashed)
    std::string stdout_text, stderr_text;
    std::optional<case_figures> figures;
};

struct run_options {
    std::string socsim;         // the executable to run
    std::string work_dir;       // scratch directories go below it, one per case
    bool stats = false;         // measure figures (adds --stats; its lines are not the case's stderr)
    bool keep = false;          // keep the scratch directories of passed cases too
    std::string trace_dir;      // every case traces into <trace_dir>/<suite folder>.<case>.jsonl
    bool twice = false;         // run each case again: the same status, stdout, stderr and trace
};

// The argument vector of a case (argv[0] is options.socsim), with the scratch directory filled in.
std::vector<std::string> case_command(const test_case& c, const run_options& options, const std::string& case_dir,
                                      bool with_trace);

// How reports name a suite file: its folder and stem ("tests/system/virt/cases.yaml" ->
// "virt/cases"), so suites of the same file name in different folders stay apart.
std::string suite_label(const std::string& path);

// A shell-safe rendering of a command line.
std::string shell_quote(const std::vector<std::string>& argv);

case_result run_case(const test_case& c, const run_options& options);

// Runs every case, `jobs` at a time; `done` is called (under a lock) as each finishes. The
// results come back in the order of `cases`.
std::vector<case_result> run_all(const std::vector<test_case>& cases, const run_options& options, unsigned jobs,
                                 const std::function<void(const case_result&)>& done);

// Parses the "socsim: stats:" lines socsim prints on stderr; fills instructions, simulated time
// and IOMMUs. Lines it does not know are ignored.
void parse_stats(const std::string& stderr_text, case_figures& figures);

} // namespace socsim::regress
