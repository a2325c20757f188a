#pragma once
// The Arm generic timer of one core, as software sees it through system registers: the counter
// (CNTPCT_EL0 = CNTVCT_EL0, CNTVOFF_EL2 being 0) and two timers, EL1 physical (CNTP_*) and
// virtual (CNTV_*), each with CTL (ENABLE bit 0, IMASK bit 1, ISTATUS bit 2 read-only), CVAL
// (64-bit compare value) and TVAL (a signed 32-bit view: CVAL - counter). A timer's condition
// is met when ENABLE is set and counter >= CVAL; ISTATUS shows it; the interrupt output is
// ISTATUS and not IMASK (Arm ARM D11.2.4, "Operation of the timers").
//
// Unicorn has these registers but compiles QEMU's compare logic out, so the CPU model serves
// every access here from its MRS/MSR hooks. The counter runs at `frequency_hz` from simulated
// time zero; the value is floor(time x frequency), so reads are exact to the picosecond.
// The model drives the outputs; the CPU ends its time slice at next_deadline() so that an
// output rises at the first block boundary at or after the deadline.
//
// The hypervisor and secure physical timers (CNTHP_*, CNTPS_*) are not modelled: socsim runs
// software at EL1 and below, and their outputs never rise.

#include <cstdint>
#include <systemc>

#include "models/core/irq_line.h"

namespace socsim::cpu {

class generic_timer {
public:
    enum which { physical = 0, virtual_ = 1 };
    static constexpr uint32_t ctl_enable = 1, ctl_imask = 2, ctl_istatus = 4;

    explicit generic_timer(uint64_t frequency_hz);

    uint64_t frequency_hz() const { return hz_; }
    // The counter value at simulated time `t`.
    uint64_t counter(const sc_core::sc_time& t) const;
    // The first simulated time at which the counter reaches `ticks`.
    sc_core::sc_time time_of(uint64_t ticks) const;

    // Register accesses at time `t`. The outputs are updated on every write.
    uint64_t read_ctl(which w, const sc_core::sc_time& t) const;
    uint64_t read_cval(which w) const { return timers_[w].cval; }
    uint64_t read_tval(which w, const sc_core::sc_time& t) const;
    void write_ctl(which w, uint64_t value, const sc_core::sc_time& t);
    void write_cval(which w, uint64_t value, const sc_core::sc_time& t);
    void write_tval(which w, uint64_t value, const sc_core::sc_time& t);

    // Re-evaluates the outputs at time `t` (the CPU calls it at each slice boundary).
    void update(const sc_core::sc_time& t);
    // The earliest time after which an output may change without a register write: the
    // deadline of an enabled timer whose condition is not met yet; SC_ZERO_TIME if none.
    sc_core::sc_time next_deadline(const sc_core::sc_time& t) const;

    core::irq_line& output(which w) { return timers_[w].out; }

private:
    struct timer {
        uint64_t ctl = 0;  // ENABLE and IMASK as written (resets to 0: disabled)
        uint64_t cval = 0;
        core::irq_line out;
    };
    bool condition(const timer& tm, const sc_core::sc_time& t) const;

    uint64_t hz_;
    timer timers_[2];
};

} // namespace socsim::cpu
