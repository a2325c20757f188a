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
    // SystemC counts time in 64-bit picoseconds: about 213 days at most.
    static const double ps_per_unit[] = {1e12, 1e9, 1e6, 1e3, 1};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; ++i)
        if (unit == units[i].name) {
            if (value * ps_per_unit[i] >= 1.8e19)
                throw std::invalid_argument("'" + text + "' is longer than socsim can simulate (about 213 days)");
            return sc_core::sc_time(value, units[i].unit);
        }
    throw std::invalid_argument("'" + text + "' has no time unit (use s, ms, us, ns or ps)");
}

} // namespace socsim::cli
