#pragma once
// Checking one run's output against a case's `expect` (regress/suite.h). Every check runs in a
// fixed order (status, stdout, stderr, trace, PNG) and the first that fails is the verdict, with
// the first line that differs where there is one.

#include <optional>
#include <string>

#include "regress/suite.h"

namespace socsim::regress {

struct verdict {
    std::string reason;            // "stdout differs", "exit status 126 (firmware fault), expected 0", ...
    std::string first_difference;  // "line 3: expected '...', got '...'" where it applies
};

// `trace_path`: the run's JSON Lines trace, empty when none was written. Returns nothing when
// every expectation holds.
std::optional<verdict> check_run(const expectations& expect, int status, const std::string& out,
                                 const std::string& err, const std::string& trace_path);

// A stderr line without socsim's time stamp ("[1042 ns] smmu: ..." -> "smmu: ...").
std::string without_time_stamp(const std::string& line);

// What socsim's exit status means, for messages ("firmware fault", "--max-time reached", ...).
std::string status_meaning(int status);

} // namespace socsim::regress
