// The generic timer on its own: the counter against simulated time, CTL/CVAL/TVAL as software
// sees them, the interrupt outputs and the deadline the CPU sizes its slices by. No SystemC
// simulation runs: every call takes the time it happens at.
#include <catch2/catch.hpp>

#include <vector>

#include "models/core/config_error.h"
#include "models/cpu/generic_timer.h"

using socsim::cpu::generic_timer;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::SC_US;

namespace {
sc_time ps(uint64_t v) { return sc_time(static_cast<double>(v), SC_PS); }
sc_time ns(uint64_t v) { return sc_time(static_cast<double>(v), SC_NS); }

constexpr auto phys = generic_timer::physical;
constexpr auto virt = generic_timer::virtual_;
constexpr uint64_t enable = generic_timer::ctl_enable, imask = generic_timer::ctl_imask,
                   istatus = generic_timer::ctl_istatus;

// Every level change of a timer's output, with the time of the call that made it.
struct edges {
    std::vector<bool> levels;
    void attach(generic_timer& t, generic_timer::which w) {
        t.output(w).on_change([this](bool level) { levels.push_back(level); });
    }
};
} // namespace

TEST_CASE("the counter at 62.5 MHz ticks every 16 ns from time zero") {
    generic_timer t(62'500'000);
    CHECK(t.frequency_hz() == 62'500'000);
    CHECK(t.counter(sc_core::SC_ZERO_TIME) == 0);
    CHECK(t.counter(ps(15'999)) == 0);
    CHECK(t.counter(ns(16)) == 1);
    CHECK(t.counter(ps(31'999)) == 1);
    CHECK(t.counter(ns(32)) == 2);
    CHECK(t.counter(sc_time(1, SC_US)) == 62);  // 62.5 rounds down
    CHECK(t.counter(sc_time(1, sc_core::SC_MS)) == 62'500);
    CHECK(t.counter(sc_time(1, sc_core::SC_SEC)) == 62'500'000);
    // Past one second: whole seconds and the rest are counted separately (no overflow).
    CHECK(t.counter(sc_time(3600, sc_core::SC_SEC) + ns(16)) == 3600ull * 62'500'000 + 1);
}

TEST_CASE("the counter at 24 MHz: ticks are 41666.67 ps apart, rounded down") {
    generic_timer t(24'000'000);
    CHECK(t.counter(ps(41'666)) == 0);
    CHECK(t.counter(ps(41'667)) == 1);
    CHECK(t.counter(ps(124'999)) == 2);
    CHECK(t.counter(ns(125)) == 3);  // 3 ticks are exactly 125 ns
    CHECK(t.counter(sc_time(1, SC_US)) == 24);
    CHECK(t.counter(sc_time(10, sc_core::SC_SEC)) == 240'000'000);
    CHECK(t.counter(sc_time(1000, sc_core::SC_SEC)) == 24'000'000'000ull);
}

TEST_CASE("time_of is the first time the counter reaches a value (rounded up to the picosecond)") {
    generic_timer fast(62'500'000), slow(24'000'000);
    CHECK(fast.time_of(0) == sc_core::SC_ZERO_TIME);
    CHECK(fast.time_of(1) == ns(16));
    CHECK(fast.time_of(625) == sc_time(10, SC_US));
    CHECK(fast.time_of(62'500'000) == sc_time(1, sc_core::SC_SEC));
    CHECK(slow.time_of(1) == ps(41'667));  // ceil(41666.67)
    CHECK(slow.time_of(2) == ps(83'334));  // ceil(83333.33)
    CHECK(slow.time_of(3) == ns(125));
    for (generic_timer* t : {&fast, &slow})
        for (uint64_t ticks : {1ull, 2ull, 7ull, 1000ull, 123'457ull, 24'000'001ull, 62'500'003ull}) {
            INFO("frequency " << t->frequency_hz() << ", ticks " << ticks);
            CHECK(t->counter(t->time_of(ticks)) == ticks);
            CHECK(t->counter(t->time_of(ticks) - ps(1)) == ticks - 1);
        }
    // A compare value no simulated time reaches: the end of time, not a wrapped small value.
    CHECK(fast.time_of(~0ull) == sc_core::sc_max_time());
}

TEST_CASE("an out-of-range counter frequency is a configuration error") {
    CHECK_THROWS_AS(generic_timer(0), socsim::core::config_error);
    CHECK_THROWS_AS(generic_timer(1'000'000'000'001ull), socsim::core::config_error);
    CHECK_NOTHROW(generic_timer(1'000'000'000'000ull));
    CHECK_NOTHROW(generic_timer(1));
}

TEST_CASE("CTL: reset disabled, ISTATUS is counter >= CVAL with ENABLE, read-only, IMASK kept") {
    generic_timer t(62'500'000);
    const sc_time at_100 = t.time_of(100);
    CHECK(t.read_ctl(virt, sc_core::SC_ZERO_TIME) == 0);
    CHECK(t.read_cval(virt) == 0);
    // Disabled: the condition is not met even though counter >= CVAL (0).
    CHECK(t.read_ctl(virt, at_100) == 0);

    t.write_cval(virt, 100, sc_core::SC_ZERO_TIME);
    t.write_ctl(virt, enable, sc_core::SC_ZERO_TIME);
    CHECK(t.read_ctl(virt, sc_core::SC_ZERO_TIME) == enable);
    CHECK(t.read_ctl(virt, at_100 - ps(1)) == enable);
    CHECK(t.read_ctl(virt, at_100) == (enable | istatus));
    // Writing ISTATUS does nothing; IMASK is kept and does not hide ISTATUS.
    t.write_ctl(virt, enable | imask | istatus, sc_core::SC_ZERO_TIME);
    CHECK(t.read_ctl(virt, sc_core::SC_ZERO_TIME) == (enable | imask));
    CHECK(t.read_ctl(virt, at_100) == (enable | imask | istatus));
    // Bits above IMASK are RES0.
    t.write_ctl(virt, 0xfffffff8 | enable, sc_core::SC_ZERO_TIME);
    CHECK(t.read_ctl(virt, at_100) == (enable | istatus));
    // Disabling clears ISTATUS.
    t.write_ctl(virt, 0, at_100);
    CHECK(t.read_ctl(virt, at_100) == 0);
    // The two timers are independent.
    CHECK(t.read_ctl(phys, at_100) == 0);
    CHECK(t.read_cval(phys) == 0);
}

TEST_CASE("TVAL: a write sets CVAL = counter + signed 32-bit value, a read is CVAL - counter, 32 bits") {
    generic_timer t(62'500'000);
    const sc_time at_1000 = t.time_of(1000);
    t.write_tval(phys, 100, at_1000);
    CHECK(t.read_cval(phys) == 1100);
    CHECK(t.read_tval(phys, at_1000) == 100);
    CHECK(t.read_tval(phys, t.time_of(1099)) == 1);
    CHECK(t.read_tval(phys, t.time_of(1100)) == 0);
    // Past CVAL the value counts down through zero: -50 as a 32-bit register, upper half 0.
    CHECK(t.read_tval(phys, t.time_of(1150)) == 0xffffffceull);
    // Bits [63:32] of a write are ignored.
    t.write_tval(phys, 0xffffffff00000010ull, at_1000);
    CHECK(t.read_cval(phys) == 1016);
    // A negative value: the deadline is already behind.
    t.write_tval(phys, static_cast<uint32_t>(-5), at_1000);
    CHECK(t.read_cval(phys) == 995);
    CHECK(t.read_tval(phys, at_1000) == 0xfffffffbull);
    t.write_ctl(phys, enable, at_1000);
    CHECK(t.read_ctl(phys, at_1000) == (enable | istatus));
}

TEST_CASE("a negative TVAL written to an enabled timer raises its output at once") {
    generic_timer t(62'500'000);
    edges e;
    e.attach(t, virt);
    const sc_time at_1000 = t.time_of(1000);
    t.write_ctl(virt, enable, at_1000);  // CVAL 0: the condition is met already
    CHECK(e.levels == std::vector<bool>{true});
    t.write_tval(virt, 10, at_1000);  // CVAL = 1010: not met
    CHECK(e.levels == std::vector<bool>{true, false});
    t.write_tval(virt, static_cast<uint32_t>(-1), at_1000);
    CHECK(e.levels == std::vector<bool>{true, false, true});
    CHECK(t.output(virt).level());
}

TEST_CASE("the output rises at the deadline (update), and not while masked") {
    generic_timer t(62'500'000);
    edges p, v;
    p.attach(t, phys);
    v.attach(t, virt);
    t.write_tval(virt, 625, sc_core::SC_ZERO_TIME);  // 10 us
    t.write_ctl(virt, enable, sc_core::SC_ZERO_TIME);
    const sc_time deadline = sc_time(10, SC_US);
    CHECK(t.time_of(t.read_cval(virt)) == deadline);
    t.update(deadline - ps(1));
    CHECK_FALSE(t.output(virt).level());
    CHECK(v.levels.empty());
    t.update(deadline);
    CHECK(t.output(virt).level());
    CHECK(v.levels == std::vector<bool>{true});
    CHECK(p.levels.empty());  // the other timer's output did not move

    // Masked: the condition is met (ISTATUS) but the output stays low; unmasking raises it.
    // (Every call from here on is at the deadline: time does not go back.)
    t.write_ctl(phys, enable | imask, deadline);  // CVAL 0: met at once
    CHECK(t.read_ctl(phys, deadline) & istatus);
    t.update(deadline);
    CHECK(p.levels.empty());
    t.write_ctl(phys, enable, deadline);
    CHECK(p.levels == std::vector<bool>{true});
    // Masking again lowers it; so does disabling the virtual timer.
    t.write_ctl(phys, enable | imask, deadline);
    CHECK(p.levels == std::vector<bool>{true, false});
    t.write_ctl(virt, 0, deadline);
    CHECK(v.levels == std::vector<bool>{true, false});
}

TEST_CASE("next_deadline: the earliest enabled, unmasked, not yet expired timer") {
    generic_timer t(62'500'000);
    CHECK(t.next_deadline(sc_core::SC_ZERO_TIME) == sc_core::SC_ZERO_TIME);  // nothing armed
    t.write_cval(phys, 500, sc_core::SC_ZERO_TIME);
    t.write_cval(virt, 300, sc_core::SC_ZERO_TIME);
    CHECK(t.next_deadline(sc_core::SC_ZERO_TIME) == sc_core::SC_ZERO_TIME);  // both disabled
    t.write_ctl(phys, enable, sc_core::SC_ZERO_TIME);
    CHECK(t.next_deadline(sc_core::SC_ZERO_TIME) == ns(500 * 16));
    t.write_ctl(virt, enable, sc_core::SC_ZERO_TIME);
    CHECK(t.next_deadline(sc_core::SC_ZERO_TIME) == ns(300 * 16));
    // Once the virtual timer has expired, the physical one is next.
    CHECK(t.next_deadline(ns(300 * 16)) == ns(500 * 16));
    CHECK(t.next_deadline(ns(300 * 16) - ps(1)) == ns(300 * 16));
    // A masked timer never changes its output: it is no deadline.
    t.write_ctl(virt, enable | imask, sc_core::SC_ZERO_TIME);
    CHECK(t.next_deadline(sc_core::SC_ZERO_TIME) == ns(500 * 16));
    // Both expired: none.
    t.write_ctl(virt, enable, sc_core::SC_ZERO_TIME);
    CHECK(t.next_deadline(ns(500 * 16)) == sc_core::SC_ZERO_TIME);
}

TEST_CASE("a CVAL written in the past raises the output at once") {
    generic_timer t(24'000'000);
    edges v;
    v.attach(t, virt);
    const sc_time now = sc_time(1, SC_US);  // counter 24
    t.write_cval(virt, 1'000'000, now);
    t.write_ctl(virt, enable, now);
    CHECK(v.levels.empty());
    CHECK(t.next_deadline(now) == t.time_of(1'000'000));
    t.write_cval(virt, 20, now);
    CHECK(v.levels == std::vector<bool>{true});
    CHECK(t.read_ctl(virt, now) == (enable | istatus));
    CHECK(t.next_deadline(now) == sc_core::SC_ZERO_TIME);
    // Moving CVAL to the future again lowers it.
    t.write_cval(virt, 25, now);
    CHECK(v.levels == std::vector<bool>{true, false});
    CHECK(t.next_deadline(now) == t.time_of(25));
}
