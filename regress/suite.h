#pragma once
// Suite files of `socsim regress` (docs/regress.md has the schema): YAML that names cases, each a
// `socsim run` command line and what it must produce. Loading checks every key and type and
// fails with one line "FILE:LINE: what is wrong"; a case list comes out with its matrix expanded
// and its variables substituted, in file order.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace socsim::regress {

// A suite file that cannot be used: the message starts with "FILE:LINE: ".
struct suite_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One expected trace event: every field must be present with this value (numbers compare by
// value, so 8 matches "0x8"); `count`, when given, is how many events must match exactly,
// otherwise at least one must.
struct trace_expectation {
    std::map<std::string, std::string> fields;
    std::optional<unsigned> count;
    int line = 0;
};

struct pixel_expectation {
    unsigned x = 0, y = 0;
    uint32_t rgb = 0;  // 0xRRGGBB
};

// A PNG the run writes (a scanout's frame): its size, an FNV-1a checksum of the RGB bytes as the
// project's png_probe prints it, chosen pixels.
struct png_expectation {
    std::string file;
    std::optional<unsigned> width, height;
    std::optional<uint32_t> fnv1a;
    std::vector<pixel_expectation> pixels;
};

struct expectations {
    int status = 0;
    std::optional<std::string> stdout_text;        // exactly this
    std::vector<std::string> stdout_lines;         // these lines, in this order (others between)
    std::optional<std::string> stdout_regex;       // matches somewhere (ECMAScript, multiline)
    bool stderr_none = false;                      // nothing on stderr at all
    std::optional<std::vector<std::string>> stderr_diagnostics;  // exactly these lines, time stamps aside
    std::vector<std::string> stderr_contains;      // each a substring of some line
    std::optional<std::string> stderr_regex;
    std::optional<unsigned> stderr_line_count;
    std::vector<trace_expectation> trace;
    std::optional<png_expectation> png;
};

struct test_case {
    std::string name;          // with the matrix values, e.g. "smmu_dma[virt,smmu.tlb-entries=16]"
    std::string suite;         // the file it came from
    int line = 0;              // where the case starts in it
    std::string platform;      // built-in name or a path to a .dts/.dtb
    std::string firmware, bios, kernel, initrd, append;
    std::vector<std::string> config;  // -c values, node.property=value
    std::vector<std::string> args;    // any further `socsim run` options
    std::optional<std::string> input; // text for the console UART (serial0.input)
    std::string max_time;             // --max-time (simulated), empty: socsim's default
    double timeout_seconds = 120;     // host time before the run is killed
    std::vector<std::string> tags;
    std::string once;                 // why the case's output cannot repeat (--twice runs it once)
    expectations expect;
    // Values the matrix chose, in order ("platform" and each -c property), for reports.
    std::vector<std::pair<std::string, std::string>> matrix_values;
};

// Loads one suite file. `vars` are --var NAME=VALUE from the command line: they override the
// file's `vars`. In every string, ${NAME} is a variable; ${suite_dir} (the file's directory),
// ${name} and ${platform} (the case's, before the matrix adds its values to the name) and
// ${case_dir} (a scratch directory per run, filled in by the runner) are always defined. Relative paths of platform files, firmware and PNGs are relative to the
// suite file's directory.
std::vector<test_case> load_suite(const std::string& path, const std::map<std::string, std::string>& vars);

// The placeholder for the scratch directory left in paths until a case runs.
inline constexpr const char* case_dir_placeholder = "${case_dir}";

} // namespace socsim::regress
