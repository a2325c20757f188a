#include "models/cpu/generic_timer.h"

#include "models/core/config_error.h"

namespace socsim::cpu {
namespace {
// Picoseconds of a sc_time (SystemC's resolution is 1 ps by default).
uint64_t ps(const sc_core::sc_time& t) { return t.value() / sc_core::sc_time(1, sc_core::SC_PS).value(); }
}

generic_timer::generic_timer(uint64_t frequency_hz) : hz_(frequency_hz) {
    if (hz_ == 0 || hz_ > 1'000'000'000'000ull)
        throw core::config_error("generic timer: counter frequency " + std::to_string(hz_) + " Hz is out of range");
}

uint64_t generic_timer::counter(const sc_core::sc_time& t) const {
    // floor(ps * hz / 1e12) without overflowing: split into whole seconds and the rest.
    const uint64_t p = ps(t);
    const uint64_t s = p / 1'000'000'000'000ull, rest = p % 1'000'000'000'000ull;
    return s * hz_ + static_cast<uint64_t>((static_cast<unsigned __int128>(rest) * hz_) / 1'000'000'000'000ull);
}

sc_core::sc_time generic_timer::time_of(uint64_t ticks) const {
    // The smallest ps with floor(ps * hz / 1e12) >= ticks: ceil(ticks * 1e12 / hz).
    const unsigned __int128 num = static_cast<unsigned __int128>(ticks) * 1'000'000'000'000ull + hz_ - 1;
    const unsigned __int128 p = num / hz_;
    const unsigned __int128 max_ps = ~0ull / sc_core::sc_time(1, sc_core::SC_PS).value();
    if (p > max_ps) return sc_core::sc_max_time();
    return sc_core::sc_time(static_cast<double>(static_cast<uint64_t>(p)), sc_core::SC_PS);
}

bool generic_timer::condition(const timer& tm, const sc_core::sc_time& t) const {
    return (tm.ctl & ctl_enable) && counter(t) >= tm.cval;
}

uint64_t generic_timer::read_ctl(which w, const sc_core::sc_time& t) const {
    const timer& tm = timers_[w];
    return (tm.ctl & (ctl_enable | ctl_imask)) | (condition(tm, t) ? ctl_istatus : 0);
}

uint64_t generic_timer::read_tval(which w, const sc_core::sc_time& t) const {
    // The low 32 bits of CVAL - counter, sign-extended as the register reads.
    const uint32_t v = static_cast<uint32_t>(timers_[w].cval - counter(t));
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))) & 0xffffffffull;
}

void generic_timer::write_ctl(which w, uint64_t value, const sc_core::sc_time& t) {
    timers_[w].ctl = value & (ctl_enable | ctl_imask);  // ISTATUS is read-only
    update(t);
}

void generic_timer::write_cval(which w, uint64_t value, const sc_core::sc_time& t) {
    timers_[w].cval = value;
    update(t);
}

void generic_timer::write_tval(which w, uint64_t value, const sc_core::sc_time& t) {
    // CVAL = counter + SignExtend(TVAL[31:0]).
    const int64_t delta = static_cast<int32_t>(static_cast<uint32_t>(value));
    timers_[w].cval = counter(t) + static_cast<uint64_t>(delta);
    update(t);
}

void generic_timer::update(const sc_core::sc_time& t) {
    for (timer& tm : timers_) tm.out.set(condition(tm, t) && !(tm.ctl & ctl_imask));
}

sc_core::sc_time generic_timer::next_deadline(const sc_core::sc_time& t) const {
    sc_core::sc_time best = sc_core::SC_ZERO_TIME;
    for (const timer& tm : timers_) {
        if (!(tm.ctl & ctl_enable) || (tm.ctl & ctl_imask) || condition(tm, t)) continue;
        const sc_core::sc_time at = time_of(tm.cval);
        if (best == sc_core::SC_ZERO_TIME || at < best) best = at;
    }
    return best;
}

} // namespace socsim::cpu
