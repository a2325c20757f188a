#pragma once
// `socsim regress`: the command line of the regression runner (docs/regress.md).

#include <string>
#include <vector>

namespace socsim::regress {

// Returns the process's exit status: 0 all selected cases passed, 1 one failed, 125 usage.
int regress_command(const std::vector<std::string>& args);

} // namespace socsim::regress
