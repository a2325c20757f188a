#pragma once
// The two verdicts every IOMMU's oracle test gives (test_oracle_*.cpp), on a driver with
// `bring_up()` and a `tap` (isolation_oracle.h):
// - check_isolation: SOCSIM_ORACLE_SEQUENCES sequences (default 500), no escape and no other
//   violation, and enough DMAs and reported stale uses that the run checked something;
// - check_catches_escapes: with the model's stale check off the oracle finds silent escapes, and
//   with it back on, one stray write the tap adds on the next page is exactly one escape.

#include <catch2/catch.hpp>

#include <functional>
#include <iostream>
#include <string>

#include "tests/unit/harness.h"
#include "tests/unit/isolation_oracle.h"

namespace socsim::test::oracle {

template <class Driver>
void check_isolation(Driver& d, const std::string& name) {
    figures f;
    test::run_script(
        [&] {
            d.bring_up();
            f = run(d, d.tap, run_options::from_environment(500));
        },
        sc_core::sc_time(1e6, sc_core::SC_SEC));
    std::cout << "isolation oracle, " << name << ": " << f.summary() << "\n";
    INFO(f.first_failure);
    CHECK(f.dmas > 1000);
    CHECK(f.stale_reported > 0);
    CHECK(f.escapes == 0);
    CHECK(f.violations == 0);
}

// `d` was built with its stale check off; `enable_check` turns it on; `page` is the model's
// page size (where the stray write lands).
template <class Driver>
void check_catches_escapes(Driver& d, const std::function<void()>& enable_check, uint64_t page) {
    figures unchecked, stray;
    test::run_script(
        [&] {
            d.bring_up();
            run_options o;
            o.sequences = 40;
            unchecked = run(d, d.tap, o);
            enable_check();
            d.tap.rogue_offset = page;  // the next DMA write also lands on the next page
            o.sequences = 4;
            stray = run(d, d.tap, o);
        },
        sc_core::sc_time(1e6, sc_core::SC_SEC));
    INFO(unchecked.first_failure);
    CHECK(unchecked.escapes > 0);
    CHECK(unchecked.first_failure.find("silent escape") != std::string::npos);
    INFO(stray.first_failure);
    CHECK(stray.escapes == 1);
}

} // namespace socsim::test::oracle
