#include "platforms/cli/time_value.h"

#include <cmath>
#include <stdexcept>

namespace socsim::cli {

sc_core::sc_time parse_time(const std::string& text) {
    size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::string unit = text.substr(used);
    while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
    struct {
        const char* name;
        sc_core::sc_time_unit unit;
    } static const units[] = {{"s", sc_core::SC_SEC}, {"ms", sc_core::SC_MS}, {"us", sc_core::SC_US},
                              {"ns", sc_core::SC_NS}, {"ps", sc_core::SC_PS}};
    if (used == 0 || !std::isfinite(value) || value < 0)
        throw std::invalid_argument("'" + text + "' is not a time (use e.g. 10ms, 1s, 500us)");
    if (unit.empty() && value == 0) return sc_core::SC_ZERO_TIME;  // "0" needs no unit
    for (const auto& u : units)
        if (unit == u.name) return sc_core::sc_time(value, u.unit);
    throw std::invalid_argument("'" + text + "' has no time unit (use s, ms, us, ns or ps)");
}

} // namespace socsim::cli
