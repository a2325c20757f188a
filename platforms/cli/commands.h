#pragma once
// The `socsim` subcommands. Each takes the arguments after its name and returns the process's
// exit status (see core/run_control.h for the statuses `run` documents).

#include <string>
#include <vector>

namespace socsim::cli {

int run_command(const std::vector<std::string>& args);
int info_command(const std::vector<std::string>& args);
int models_command(const std::vector<std::string>& args);

// Resolves a platform name ("virt") among the built and source platforms, or accepts a path.
// Throws core::config_error listing the known names.
std::string find_platform(const std::string& name_or_path);
// "virt, apple-t8103, ..." for help texts.
std::string known_platforms();

} // namespace socsim::cli
