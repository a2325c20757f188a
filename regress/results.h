#pragma once
// What `socsim regress` writes about a run: JUnit XML (what CI systems read), JSON (complete, and
// what `--merge` reads back), and the figures of each case (`--stats`, CSV or JSON) for sweeps.

#include <string>
#include <vector>

#include "regress/runner.h"

namespace socsim::regress {

// JUnit XML: one <testsuite> per suite file, one <testcase> per case (classname = the suite's
// label, folder/stem), a <failure> with the reason, the first difference, the first
// diagnostic and the command to reproduce it.
std::string to_junit(const std::vector<case_result>& results);

// JSON: {"cases": [{name, suite, line, tags, passed, reason, first_difference, first_diagnostic,
// command, host_seconds, exit_status, figures?}...]}. Output text is left out: it is in the
// scratch directory of a failed case.
std::string to_json(const std::vector<case_result>& results);

// Reads to_json's output back (for --merge). Throws std::runtime_error naming the file.
std::vector<case_result> from_json(const std::string& text, const std::string& file);

// One row per case with figures: name, passed, host and simulated seconds, instructions, faults,
// checker reports, then per IOMMU its counters (columns named iommu.counter). `csv` false: JSON.
std::string figures_table(const std::vector<case_result>& results, bool csv);

} // namespace socsim::regress
