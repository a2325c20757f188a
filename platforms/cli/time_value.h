#pragma once
// Simulated-time values on the command line: a number and a unit, e.g. "10ms", "1.5 s", "200us".

#include <string>
#include <systemc>

namespace socsim::cli {

// Throws std::invalid_argument with a message naming the value.
sc_core::sc_time parse_time(const std::string& text);

} // namespace socsim::cli
