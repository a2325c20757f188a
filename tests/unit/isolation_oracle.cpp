#include "tests/unit/isolation_oracle.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "models/core/dma_extension.h"

namespace socsim::test::oracle {

std::string describe(const entry& e) {
    if (!e) return "unmapped";
    return "data page " + std::to_string(e->data_page) + " (" + (e->read ? "r" : "-") + (e->write ? "w" : "-") + ")";
}

// ---- memory_tap ----

memory_tap::memory_tap(sc_core::sc_module_name name) : sc_module(name), upstream("upstream"), downstream("downstream") {
    upstream.register_b_transport(this, &memory_tap::b_transport);
    upstream.register_transport_dbg(this, &memory_tap::transport_dbg);
    // No get_direct_mem_ptr: the socket then grants no DMI, and the IOMMU sends every access here.
}

void memory_tap::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const auto* ext = p.get_extension<core::dma_extension>();
    const bool dma = ext && ext->has_stream_id();
    log.push_back({p.get_address(), p.get_data_length(), p.is_write(), dma, dma ? ext->stream_id : 0});
    downstream->b_transport(p, delay);
    if (dma && p.is_write() && p.is_response_ok() && rogue_offset) {
        // The injected bug: the same bytes also land elsewhere.
        const uint64_t addr = p.get_address();
        p.set_address(addr + static_cast<uint64_t>(rogue_offset));
        log.push_back({p.get_address(), p.get_data_length(), true, true, ext->stream_id});
        downstream->b_transport(p, delay);
        p.set_address(addr);
        rogue_offset = 0;
    }
    p.set_dmi_allowed(false);
}

unsigned memory_tap::transport_dbg(tlm::tlm_generic_payload& p) { return downstream->transport_dbg(p); }

// ---- options and figures ----

namespace {

uint64_t env_number(const char* name, uint64_t fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    return std::strtoull(v, nullptr, 0);
}

} // namespace

run_options run_options::from_environment(uint64_t default_sequences) {
    run_options o;
    o.sequences = env_number("SOCSIM_ORACLE_SEQUENCES", default_sequences);
    o.seed = env_number("SOCSIM_ORACLE_SEED", o.seed);
    o.first_sequence = env_number("SOCSIM_ORACLE_FIRST", o.first_sequence);
    o.steps = static_cast<unsigned>(env_number("SOCSIM_ORACLE_STEPS", o.steps));
    return o;
}

std::string figures::summary() const {
    std::ostringstream s;
    s << sequences << " sequences, " << steps << " steps, " << dmas << " DMAs checked (" << reached
      << " reached memory, " << refused << " refused, " << stale_reported << " used a translation reported stale, "
      << clean_checks << " on clean pages checked exactly), " << escapes << " escapes, " << violations
      << " other violations";
    return s.str();
}

// ---- the reference model and the sequences ----

namespace {

class campaign {
public:
    campaign(iommu_driver& d, memory_tap& tap, const run_options& o, figures& f) : d_(d), tap_(tap), o_(o), f_(f) {
        tables_.assign(d.contexts(), std::vector<std::vector<entry>>(d.tables(), std::vector<entry>(d.pages())));
        active_.assign(d.contexts(), 0);
        state_.assign(d.contexts(), std::vector<page_state>(d.pages()));
    }

    // One sequence; false once it found an escape (the rest of the sequence is skipped).
    bool sequence(uint64_t index) {
        seed_ = o_.seed * 0x9e3779b97f4a7c15ull + index;
        sequence_ = index;
        rng_.seed(seed_);
        history_.clear();
        step_ = 0;
        reset();
        // How disciplined this sequence's "firmware" is: the chance that a change is followed at
        // once by an invalidation covering it (1: a correct driver, 0: one that never invalidates).
        static const double disciplines[] = {1.0, 0.75, 0.5, 0.0};
        discipline_ = disciplines[index % 4];
        note("sequence " + std::to_string(index) + " (seed " + std::to_string(seed_) + "), discipline " +
             std::to_string(discipline_));
        for (step_ = 0; step_ < o_.steps; ++step_) {
            ++f_.steps;
            if (!one_step()) return false;
        }
        ++f_.sequences;
        return true;
    }

private:
    struct page_state {
        bool dirty = false;
        std::vector<mapping> candidates;  // stale translations the IOMMU may still use
    };

    unsigned pick(unsigned n) { return static_cast<unsigned>(std::uniform_int_distribution<unsigned>(0, n - 1)(rng_)); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    void note(const std::string& s) { history_.push_back("  [" + std::to_string(step_) + "] " + s); }

    entry in_force(unsigned ctx, unsigned page) const {
        if (!enabled_) return d_.bypass_when_disabled() ? entry(mapping{page, true, true}) : std::nullopt;
        return tables_[ctx][active_[ctx]][page];
    }

    void add_candidate(unsigned ctx, unsigned page, const entry& e) {
        if (!e) return;
        auto& c = state_[ctx][page].candidates;
        if (std::find(c.begin(), c.end(), *e) == c.end()) c.push_back(*e);
    }

    // Runs `change` and marks dirty every page whose translation in force it changed, keeping the
    // old translation as a stale candidate.
    template <class Change> void changing(Change&& change) {
        std::vector<std::vector<entry>> before(d_.contexts());
        for (unsigned c = 0; c < d_.contexts(); ++c)
            for (unsigned p = 0; p < d_.pages(); ++p) before[c].push_back(in_force(c, p));
        change();
        for (unsigned c = 0; c < d_.contexts(); ++c)
            for (unsigned p = 0; p < d_.pages(); ++p)
                if (!(before[c][p] == in_force(c, p))) {
                    state_[c][p].dirty = true;
                    add_candidate(c, p, before[c][p]);
                }
    }

    void reset() {
        d_.recover();
        d_.set_enabled(true);
        enabled_ = true;
        for (unsigned c = 0; c < d_.contexts(); ++c) {
            for (unsigned t = 0; t < d_.tables(); ++t)
                for (unsigned p = 0; p < d_.pages(); ++p) {
                    d_.write_entry(c, t, p, std::nullopt);
                    tables_[c][t][p] = std::nullopt;
                }
            d_.select_table(c, 0);
            active_[c] = 0;
        }
        d_.invalidate_all();
        for (auto& ctx : state_)
            for (auto& s : ctx) s = {};
    }

    void write(unsigned ctx, unsigned table, unsigned page, const entry& e) {
        note("context " + std::to_string(ctx) + " table " + std::to_string(table) + " page " + std::to_string(page) +
             " := " + describe(e) + (table == active_[ctx] ? "" : " (inactive table)"));
        changing([&] {
            d_.write_entry(ctx, table, page, e);
            tables_[ctx][table][page] = e;
        });
        // A walk cache still pointing into this table (after a switch) reaches the new entry.
        if (table != active_[ctx] || !enabled_) add_candidate(ctx, page, e);
        if (table == active_[ctx] && chance(discipline_)) {
            if (chance(0.8))
                invalidate_page(ctx, page);
            else
                invalidate_context(ctx);
        }
    }

    void invalidate_page(unsigned ctx, unsigned page) {
        note("invalidate context " + std::to_string(ctx) + " page " + std::to_string(page));
        d_.invalidate_page(ctx, page);
        state_[ctx][page] = {};
    }
    void invalidate_context(unsigned ctx) {
        note("invalidate context " + std::to_string(ctx));
        d_.invalidate_context(ctx);
        for (auto& s : state_[ctx]) s = {};
    }
    void invalidate_all() {
        note("invalidate all");
        d_.invalidate_all();
        for (auto& ctx : state_)
            for (auto& s : ctx) s = {};
    }

    void switch_table(unsigned ctx) {
        const unsigned old = active_[ctx];
        const unsigned now = (old + 1 + pick(d_.tables() - 1)) % d_.tables();
        note("context " + std::to_string(ctx) + " switches to table " + std::to_string(now));
        changing([&] {
            d_.select_table(ctx, now);
            active_[ctx] = now;
        });
        // Whatever was cached from the old table may still be used, entries and walk pointers.
        for (unsigned p = 0; p < d_.pages(); ++p) {
            state_[ctx][p].dirty = true;
            add_candidate(ctx, p, tables_[ctx][old][p]);
        }
        if (chance(discipline_)) invalidate_context(ctx);
    }

    void toggle_enable() {
        note(enabled_ ? "disable translation" : "enable translation");
        changing([&] {
            enabled_ = !enabled_;
            d_.set_enabled(enabled_);
        });
    }

    bool one_step() {
        const unsigned ctx = pick(d_.contexts());
        const unsigned page = pick(d_.pages());
        unsigned roll = pick(100);
        if (!enabled_ && roll < 20) {
            toggle_enable();
            return true;
        }
        if (roll < 40) return dma();
        roll -= 40;
        if (roll < 22) {  // map
            const unsigned table = chance(0.85) ? active_[ctx] : pick(d_.tables());
            const auto perms = d_.permissions();
            const auto [r, w] = perms[pick(static_cast<unsigned>(perms.size()))];
            write(ctx, table, page, mapping{pick(d_.data_pages()), r, w});
        } else if (roll < 34) {  // unmap
            write(ctx, chance(0.85) ? active_[ctx] : pick(d_.tables()), page, std::nullopt);
        } else if (roll < 42) {
            invalidate_page(ctx, page);
        } else if (roll < 47) {
            invalidate_context(ctx);
        } else if (roll < 49) {
            invalidate_all();
        } else if (roll < 55) {
            if (d_.tables() > 1) switch_table(ctx);
        } else if (roll < 58) {
            toggle_enable();
        } else {
            return dma();
        }
        return true;
    }

    // `escape`: memory was reached where it must not be; else another broken promise (a refused
    // DMA the mappings allow, a fault that did not happen, a stale report on a clean page).
    bool fail(const std::string& what, bool escape = true) {
        ++(escape ? f_.escapes : f_.violations);
        if (f_.first_failure.empty()) {
            std::ostringstream s;
            s << d_.name() << ": " << what << "\n  at sequence " << sequence_ << " step " << step_ << " (seed "
              << seed_ << "; rerun with SOCSIM_ORACLE_SEED=" << o_.seed << " SOCSIM_ORACLE_FIRST=" << sequence_
              << " SOCSIM_ORACLE_SEQUENCES=1)\n  history:\n";
            for (const auto& h : history_) s << h << "\n";
            s << "  memory accesses of the last DMA:\n";
            for (const auto& a : tap_.log)
                s << "    " << (a.write ? "write " : "read ") << std::hex << "0x" << a.addr << std::dec << " +" << a.len
                  << (a.dma ? " stream " + std::to_string(a.stream) : std::string(" (IOMMU's own)")) << "\n";
            f_.first_failure = s.str();
        }
        return false;
    }

    // Mostly a page with something to reach (a translation in force or a stale candidate), so
    // that most DMAs test a translation rather than an empty table.
    unsigned dma_page(unsigned ctx) {
        std::vector<unsigned> live;
        for (unsigned p = 0; p < d_.pages(); ++p)
            if (in_force(ctx, p) || !state_[ctx][p].candidates.empty()) live.push_back(p);
        if (live.empty() || chance(0.2)) return pick(d_.pages());
        return live[pick(static_cast<unsigned>(live.size()))];
    }

    bool dma() {
        static const unsigned lengths[] = {1, 2, 4, 8, 8, 16, 64};
        const unsigned stream = pick(d_.streams());
        const unsigned ctx = d_.context_of(stream);
        const unsigned page = dma_page(ctx);
        const unsigned len = lengths[pick(7)];
        const uint64_t offset = uint64_t{pick(static_cast<unsigned>(d_.page_size() / len))} * len;
        const bool write = chance(0.5);
        const uint64_t iova = d_.iova(page) + offset;
        std::vector<unsigned char> data(len);
        for (auto& b : data) b = static_cast<unsigned char>(rng_());

        const entry expected = in_force(ctx, page);
        const page_state& st = state_[ctx][page];
        std::ostringstream what;
        what << "DMA stream " << stream << (write ? " write " : " read ") << len << " bytes at IOVA 0x" << std::hex << iova
             << std::dec << " (page " << page << ", context " << ctx << "): in force " << describe(expected);
        if (st.dirty) {
            what << ", dirty, stale candidates:";
            for (const auto& c : st.candidates) what << " " << describe(c);
        }
        const std::string text = what.str();

        tap_.log.clear();
        const uint64_t stale_before = d_.stale_uses();
        const tlm::tlm_response_status status = d_.dma(stream, iova, data.data(), len, write);
        const bool stale = d_.stale_uses() != stale_before;
        const bool ok = status == tlm::TLM_OK_RESPONSE;
        note(text + " -> " + (ok ? "ok" : "refused") + (stale ? ", reported stale" : ""));
        ++f_.dmas;
        if (stale) ++f_.stale_reported;
        ok ? ++f_.reached : ++f_.refused;

        const uint64_t data_first = d_.data_address(0);
        const uint64_t data_end = d_.data_address(d_.data_pages() - 1) + d_.page_size();
        auto fits = [&](const tap_access& a, const mapping& m) {
            const uint64_t pa = d_.data_address(m.data_page) + offset;
            return (write ? m.write : m.read) && a.write == write && a.addr >= pa && a.addr + a.len <= pa + len;
        };
        uint64_t bytes = 0;
        for (const auto& a : tap_.log) {
            if (!a.dma) {
                if (a.write && a.addr < data_end && data_first < a.addr + a.len)
                    return fail("the IOMMU's own write at 0x" + hex(a.addr) + " landed in the data area during " + text);
                continue;
            }
            if (a.stream != stream) return fail("an access carries stream " + std::to_string(a.stream) + ": " + text);
            if (expected && fits(a, *expected)) {
                bytes += a.len;
                continue;
            }
            const bool candidate = std::any_of(st.candidates.begin(), st.candidates.end(),
                                               [&](const mapping& m) { return fits(a, m); });
            if (st.dirty && stale && candidate) {
                bytes += a.len;
                continue;
            }
            return fail(std::string(stale ? "escape (reported stale, but no stale translation leads there)"
                                           : "silent escape") +
                        ": " + (a.write ? "write" : "read") + " reached 0x" + hex(a.addr) + " +" +
                        std::to_string(a.len) + " in " + text);
        }
        if (ok && bytes == 0) return fail("the DMA was answered OK but reached no memory: " + text, false);
        if (!st.dirty) {
            ++f_.clean_checks;
            if (stale) return fail("a stale translation was reported on a page invalidated since its last change: " + text, false);
            const bool allowed = expected && (write ? expected->write : expected->read);
            if (allowed && (!ok || bytes != len))
                return fail("a DMA the mappings allow did not complete (" + std::to_string(bytes) + " of " +
                                std::to_string(len) + " bytes): " + text,
                            false);
            if (!allowed && ok) return fail("a DMA the mappings forbid was not refused: " + text, false);
        }
        if (!ok) d_.recover();
        return true;
    }

    using tap_access = memory_tap::access;
    static std::string hex(uint64_t v) {
        std::ostringstream s;
        s << std::hex << v;
        return s.str();
    }

    iommu_driver& d_;
    memory_tap& tap_;
    const run_options& o_;
    figures& f_;
    std::mt19937_64 rng_;
    uint64_t seed_ = 0, sequence_ = 0;
    unsigned step_ = 0;
    double discipline_ = 1.0;
    std::vector<std::string> history_;
    std::vector<std::vector<std::vector<entry>>> tables_;  // [context][table][page]
    std::vector<unsigned> active_;
    bool enabled_ = true;
    std::vector<std::vector<page_state>> state_;           // [context][page]
};

} // namespace

figures run(iommu_driver& iommu, memory_tap& tap, const run_options& options) {
    figures f;
    campaign c(iommu, tap, options, f);
    for (uint64_t i = 0; i < options.sequences; ++i) c.sequence(options.first_sequence + i);
    return f;
}

} // namespace socsim::test::oracle
