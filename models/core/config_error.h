#pragma once
// A platform that cannot be built as described (overlapping regions, a bad property value, an
// unreadable file). The command line prints its message as one line and exits with status 125.

#include <stdexcept>
#include <string>

namespace socsim::core {

class config_error : public std::runtime_error {
public:
    explicit config_error(const std::string& what) : std::runtime_error(what) {}
};

} // namespace socsim::core
