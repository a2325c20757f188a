// Checking a run against a case's expectations (regress/expectations.h): the first failing check
// is the verdict, with the first differing line.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "regress/expectations.h"

using namespace socsim::regress;

TEST_CASE("the exit status comes first and says what it means") {
    expectations e;
    auto v = check_run(e, 126, "", "", "");
    REQUIRE(v);
    CHECK(v->reason == "exit status 126 (firmware fault), expected 0 (success)");
    CHECK_FALSE(check_run(e, 0, "anything\n", "", ""));
}

TEST_CASE("exact stdout reports the first differing line") {
    expectations e;
    e.stdout_text = "a\nb\nc\n";
    CHECK_FALSE(check_run(e, 0, "a\nb\nc\n", "", ""));
    auto v = check_run(e, 0, "a\nB\nc\n", "", "");
    REQUIRE(v);
    CHECK(v->first_difference == "stdout line 2: expected 'b', got 'B'");
    v = check_run(e, 0, "a\nb\n", "", "");
    CHECK(v->first_difference == "stdout line 3: expected 'c', got nothing more");
    CHECK(check_run(e, 0, "a\nb\nc", "", "")->reason == "stdout differs (line ends or the final newline)");
}

TEST_CASE("stdout lines must appear in order, others between them") {
    expectations e;
    e.stdout_lines = {"one", "three"};
    CHECK_FALSE(check_run(e, 0, "one\ntwo\nthree\n", "", ""));
    auto v = check_run(e, 0, "three\none\n", "", "");
    REQUIRE(v);
    CHECK(v->first_difference == "stdout: 'three' (expected line 2 of 2, in order) is not there after 'one'");
}

TEST_CASE("stderr: none, exact diagnostics without time stamps, contains, regex, line count") {
    expectations none;
    none.stderr_none = true;
    CHECK(check_run(none, 0, "", "[5 ns] smmu: warning: x\n", "")->first_difference ==
          "stderr line 1: expected nothing, got '[5 ns] smmu: warning: x'");
    expectations exact;
    exact.stderr_diagnostics = std::vector<std::string>{"smmu: warning: x", "pcie: warning: y"};
    CHECK_FALSE(check_run(exact, 0, "", "[5 ns] smmu: warning: x\n[7 ns] pcie: warning: y\n", ""));
    CHECK(check_run(exact, 0, "", "[5 ns] smmu: warning: x\n", "")->first_difference ==
          "stderr line 2: expected 'pcie: warning: y', got nothing more");
    expectations regex;
    regex.stderr_regex = "F_TRANSLATION: stream 8[^\\n]*level 3";
    CHECK_FALSE(check_run(regex, 0, "", "smmu: F_TRANSLATION: stream 8 at level 3\n", ""));
    CHECK(check_run(regex, 0, "", "smmu: F_TRANSLATION: stream 9 at level 3\n", ""));
    expectations count;
    count.stderr_line_count = 2;
    CHECK(check_run(count, 0, "", "a\n", "")->reason == "stderr has 1 lines, expected 2");
    CHECK(without_time_stamp("[1042327176 ns] smmu: w") == "smmu: w");
    CHECK(without_time_stamp("smmu: [1 ns] w") == "smmu: [1 ns] w");
}

TEST_CASE("trace events match by field, numbers by value, counted when asked") {
    const std::string path = (std::filesystem::temp_directory_path() / ("socsim_regress_trace_" + std::to_string(getpid()) + ".jsonl")).string();
    std::ofstream(path) << "{\"t_ps\":1,\"kind\":\"iommu_fault\",\"stream\":8,\"iova\":\"0xffff000\",\"cmd\":\"write\"}\n"
                           "{\"t_ps\":2,\"kind\":\"iommu_fault\",\"stream\":8,\"iova\":\"0xffff000\",\"cmd\":\"read\"}\n"
                           "{\"t_ps\":3,\"kind\":\"exit\",\"status\":0}\n";
    expectations e;
    e.trace.push_back({{{"kind", "iommu_fault"}, {"stream", "0x8"}, {"iova", "268431360"}, {"cmd", "write"}}, std::nullopt, 1});
    e.trace.push_back({{{"kind", "iommu_fault"}}, 2u, 2});
    CHECK_FALSE(check_run(e, 0, "", "", path));
    e.trace.push_back({{{"kind", "iommu_fault"}, {"stream", "9"}}, std::nullopt, 3});
    auto v = check_run(e, 0, "", "", path);
    REQUIRE(v);
    CHECK(v->reason == "trace: 0 events match {kind: iommu_fault, stream: 9}, expected at least 1");
    std::filesystem::remove(path);
    CHECK(check_run(e, 0, "", "", path)->reason == "no trace was written (" + path + ")");
}
