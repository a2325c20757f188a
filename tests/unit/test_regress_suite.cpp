// socsim regress suite files (regress/suite.h): every key and type checked with the file and
// line, the matrix expanded, variables substituted, paths made relative to the suite.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "regress/suite.h"

using namespace socsim::regress;
namespace fs = std::filesystem;

namespace {

// Writes `text` to a fresh suite file in a directory of its own and returns its path.
std::string suite_file(const std::string& text) {
    static int n = 0;
    const fs::path dir = fs::temp_directory_path() / ("socsim_regress_suite_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    fs::create_directories(dir);
    const fs::path file = dir / "s.yaml";
    std::ofstream(file) << text;
    return file.string();
}

std::string error_of(const std::string& text, const std::map<std::string, std::string>& vars = {}) {
    try {
        load_suite(suite_file(text), vars);
    } catch (const suite_error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("a case names its platform, firmware, options and expectations") {
    const std::string path = suite_file(
        "vars:\n"
        "  fw: /opt/fw\n"
        "cases:\n"
        "  - name: smmu_dma\n"
        "    platform: virt\n"
        "    firmware: ${fw}/${platform}/smmu_dma.elf\n"
        "    config: smmu.tlb-entries=16\n"
        "    args: [--quantum, 1us]\n"
        "    input: \"ls\\n\"\n"
        "    max-time: 5ms\n"
        "    timeout: 30\n"
        "    tags: [smmu, dma]\n"
        "    expect:\n"
        "      status: 0\n"
        "      stdout-lines: [a, b]\n"
        "      stderr: none\n"
        "      trace:\n"
        "        - {kind: iommu_fault, stream: 8, count: 2}\n");
    const auto cases = load_suite(path, {});
    REQUIRE(cases.size() == 1);
    const test_case& c = cases[0];
    CHECK(c.name == "smmu_dma");
    CHECK(c.line == 4);
    CHECK(c.platform == "virt");
    CHECK(c.firmware == "/opt/fw/virt/smmu_dma.elf");
    CHECK(c.config == std::vector<std::string>{"smmu.tlb-entries=16"});
    CHECK(c.args == std::vector<std::string>{"--quantum", "1us"});
    CHECK(*c.input == "ls\n");
    CHECK(c.max_time == "5ms");
    CHECK(c.timeout_seconds == 30);
    CHECK(c.tags == std::vector<std::string>{"smmu", "dma"});
    CHECK(c.expect.stdout_lines == std::vector<std::string>{"a", "b"});
    CHECK(c.expect.stderr_none);
    REQUIRE(c.expect.trace.size() == 1);
    CHECK(c.expect.trace[0].fields.at("stream") == "8");
    CHECK(*c.expect.trace[0].count == 2);
}

TEST_CASE("relative paths are the suite's, --var overrides the file's variables") {
    const std::string path = suite_file(
        "vars: {fw: here}\n"
        "cases:\n"
        "  - {name: a, platform: boards/my.dts, firmware: '${fw}/a.elf'}\n");
    const std::string dir = fs::path(path).parent_path().string();
    auto cases = load_suite(path, {});
    CHECK(cases[0].platform == dir + "/boards/my.dts");
    CHECK(cases[0].firmware == dir + "/here/a.elf");
    cases = load_suite(path, {{"fw", "/abs"}});
    CHECK(cases[0].firmware == "/abs/a.elf");
}

TEST_CASE("a matrix expands over platforms and -c values, in order, each named by its values") {
    const auto cases = load_suite(suite_file(
        "defaults: {firmware: /fw/x.elf}\n"
        "cases:\n"
        "  - name: sweep\n"
        "    matrix:\n"
        "      platform: [virt, pcie-windows]\n"
        "      config:\n"
        "        smmu.tlb-entries: [16, 64]\n"), {});
    REQUIRE(cases.size() == 4);
    CHECK(cases[0].name == "sweep[virt,smmu.tlb-entries=16]");
    CHECK(cases[1].name == "sweep[virt,smmu.tlb-entries=64]");
    CHECK(cases[3].name == "sweep[pcie-windows,smmu.tlb-entries=64]");
    CHECK(cases[3].platform == "pcie-windows");
    CHECK(cases[3].config == std::vector<std::string>{"smmu.tlb-entries=64"});
}

TEST_CASE("suite errors name the file and the line") {
    const std::string unknown = error_of("cases:\n  - name: a\n    platform: virt\n    firmware: x.elf\n    stdot: 1\n");
    CHECK_THAT(unknown, Catch::Matches(".*s\\.yaml:5: unknown key 'stdot' in a case \\(known: .*"));
    const std::string bad_type =
        error_of("cases:\n  - name: a\n    platform: virt\n    firmware: x.elf\n    timeout: soon\n");
    CHECK_THAT(bad_type, Catch::Matches(".*s\\.yaml:5: 'timeout' must be a number of host seconds .*not 'soon'"));
    const std::string no_firmware = error_of("cases:\n  - name: a\n    platform: virt\n");
    CHECK_THAT(no_firmware, Catch::Matches(".*s\\.yaml:2: case 'a' names no firmware: give 'firmware' \\(ELF\\), 'bios' or 'kernel'"));
    CHECK_THAT(error_of("cases:\n  - name: a\n    platform: virt\n    firmware: ${nope}/x\n"),
               Catch::Matches(".*s\\.yaml:4: unknown variable \\$\\{nope\\}.*"));
    CHECK_THAT(error_of("cases: [\n"), Catch::Matches(".*s\\.yaml:[0-9]+: not valid YAML: .*"));
    CHECK_THAT(error_of("cases:\n  - {name: a, platform: virt, firmware: x}\n  - {name: a, platform: virt, firmware: y}\n"),
               Catch::Matches(".*s\\.yaml:3: a second case named 'a'"));
    CHECK_THAT(error_of("cases:\n  - {name: a, platform: virt, firmware: x, expect: {stdout-regex: '(('}}\n"),
               Catch::Matches(".*s\\.yaml:2: bad regular expression '\\(\\(': .*"));
    CHECK_THAT(error_of("cases:\n  - {name: a, platform: virt, firmware: x, expect: {status: 300}}\n"),
               Catch::Matches(".*s\\.yaml:2: 'status' must be a whole number from 0 to 255, not '300'"));
    CHECK_THAT(error_of("cases:\n  - {name: 'a b', platform: virt, firmware: x}\n"),
               Catch::Matches(".*s\\.yaml:2: a case name is letters, digits .*not 'a b'"));
    CHECK_THAT(error_of("cases:\n  - {name: a, platform: virt, firmware: x, config: [nodot]}\n"),
               Catch::Matches(".*s\\.yaml:2: a config value is node\\.property=value, not 'nodot'"));
    CHECK_THAT(error_of("{cases: []}\n", {}), Catch::Matches("no error"));
}

TEST_CASE("a missing or unreadable suite file is one line") {
    CHECK_THROWS_WITH(load_suite("/nonexistent/suite.yaml", {}), "/nonexistent/suite.yaml: cannot open the suite file");
    CHECK_THROWS_WITH(load_suite(fs::temp_directory_path().string(), {}),
                      fs::temp_directory_path().string() + ": is a directory, not a suite file");
}
