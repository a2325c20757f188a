#include "models/core/run_control.h"

#include <cstdio>
#include <systemc>


namespace socsim::core {

run_control& run_control::instance() {
    static run_control control;
    return control;
}

void run_control::request_exit(run_outcome outcome, int status, const std::string& reason) {
    if (stopping()) return;
    outcome_ = outcome;
    status_ = status;
    reason_ = reason;
    sc_core::sc_stop();
}

} // namespace socsim::core
