#pragma once
// The DMA checker: catches a device using a translation that software has already changed in
// memory but not invalidated ("stale translation used").
//
// How it knows, soundly, without seeing CPU stores (the CPU writes RAM through DMI):
// - a TLB entry remembers every table entry its walk read (address and value) and when;
// - on each TLB hit the checker re-reads those entries (debug reads: no side effects, no time).
//   If all still hold the same values, the cached translation is what memory says: fine.
// - If one differs, the checker walks the tables afresh (debug walk supplied by the IOMMU) and
//   compares the translation of this very access (output address and permissions) with the
//   cached one. If they differ, the cached translation is stale. It is still in the TLB, so no
//   invalidation covering it was issued since it was filled; and the table was written after
//   the last time the checker saw the old values (`verified_at`, or the fill) and before now.
//   The report gives that interval, the changed entry (address, old and new value), the
//   IOMMU's last invalidation of any kind (when, the command, and why it did not remove this
//   entry: invalidation_note.h), stream, IOVA and old/new output address.
// - A changed table whose translation for this access is unchanged (another entry of the same
//   table, an attribute bit) is not a finding; the entry adopts the new values.
// - The table base can move too (a table base register rewritten: the H6 IOMMU's TTB, switched
//   between domains): the IOMMU passes where a walk of this IOVA would read its first entry now
//   (`root_entry`), and a trail whose first entry was read elsewhere came from another table. It
//   is checked like a changed entry (fresh walk, compare), with the time of the last invalidation
//   of any kind; the report names the old and the new root entry ("the walk now starts at ...").
//
// Like the hardware, the IOMMU still uses the stale translation (that is what lets firmware
// bugs go unnoticed on silicon); the checker only reports. Each stale entry is reported once
// (one warning line and one "dma_check" trace event); every use of it is counted.
// On by default; the IOMMU switches it with DT `socsim,check-stale`. It checks cached
// translations (TLB entries), not cached configuration (an SMMUv3 STE/CD changed without CFGI may
// legitimately keep its old meaning; the SMMU model documents that).
// Cost per hit: nothing while no memory write of any kind happened since the entry last agreed
// with memory (core::memory_epoch: a DMA burst that only reads, such as a scanout); otherwise one
// load per table level (the trail keeps host pointers while the memory port's DMI grants stand),
// plus a debug walk only when something changed.
//
// It also holds the IOMMU's DMA-API debugging table (dma_announcements.h): `check_access`, called
// by the IOMMU once per DMA transaction (stream, IOVA, size, direction) before it translates,
// reports device accesses outside the buffers firmware announced through socsim,dma-debug. That
// check does not depend on `enabled()` (the stale check's switch): firmware that announces
// asks for it, and with no announcement it costs one load and a branch.

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/log.h"
#include "models/core/memory_epoch.h"
#include "models/iommu/common/dma_announcements.h"
#include "models/iommu/common/invalidation_note.h"
#include "models/iommu/common/page_walker.h"
#include "models/iommu/common/tlb.h"

namespace socsim::iommu {

struct stale_report {
    uint32_t stream = 0;
    uint64_t iova = 0;
    bool write = false;
    uint64_t old_output = 0;
    bool new_mapped = false;   // the fresh walk found a mapping
    uint64_t new_output = 0;
    uint8_t old_perms = 0, new_perms = 0;
    int changed_index = -1;    // which trail entry changed (0 = root table's entry)
    uint64_t changed_addr = 0, changed_old = 0, changed_new = 0;
    bool root_moved = false;   // the walk now starts at another table (changed_new: its entry)
    uint64_t new_root_addr = 0;
    sc_core::sc_time filled_at, written_after, detected_at, last_invalidation;
    bool any_invalidation = false;
    std::string last_invalidation_command;  // as firmware issued it
    not_covered why_not_covered;            // why that invalidation left the entry in place
    std::string pending_invalidation_command;  // an accepted command that will cover it, not yet done
    std::string message;       // the log line
};

// A non-coherent table walker read memory the CPU wrote after its last cache clean
// (models/memory/coherence_tracker.h decides; the IOMMU passes the facts here to be reported).
struct coherence_report {
    uint32_t stream = 0;        // the master whose translation needed the walk
    std::string who;            // how the IOMMU names it ("master 3 (VE)"); empty: "stream <n>"
    uint64_t iova = 0;
    uint64_t table_addr = 0;    // the table word read
    const char* entry = "";     // what it is ("DTE", "PTE")
    uint64_t memory_value = 0;  // what the walker read (and uses)
    uint64_t seen_value = 0;    // what it would have read on hardware
    std::string why;            // the tracker's explanation
    std::string message;        // the log line
};

class dma_checker {
public:
    // `owner` is the IOMMU instance name (log module and trace source).
    explicit dma_checker(const std::string& owner);

    void set_enabled(bool on) { enabled_ = on; }
    bool enabled() const { return enabled_; }

    // The IOMMU names each cache whose entries it checks (once, at construction), so that a
    // report can say which cache an invalidation missed and what an entry's context is.
    void describe_cache(cache_description d) { caches_.push_back(std::move(d)); }

    // The IOMMU calls this for every invalidation it performs (any scope), saying what it covered.
    void note_invalidation(invalidation_note note) {
        last_invalidation_ = sc_core::sc_time_stamp();
        any_invalidation_ = true;
        note.at = last_invalidation_;
        last_note_ = std::move(note);
        has_pending_ = false;
    }
    const invalidation_note& last_invalidation() const { return last_note_; }
    // A command the IOMMU has accepted but not carried out yet (the DART's TLB command while BUSY
    // reads 1): a report says so when it will cover the stale entry. note_invalidation ends it.
    void note_pending_invalidation(invalidation_note note) {
        pending_note_ = std::move(note);
        has_pending_ = true;
    }

    // No root check (the table base of the entry cannot have moved, or the IOMMU does not say).
    static constexpr uint64_t any_root = ~uint64_t{0};

    // On a TLB hit on `e` by `stream` at `iova`. `fresh_walk()` must return a debug walk of the
    // tables as they are now (walk_result). `root_entry`: the address a walk of `iova` would read
    // its first table entry from now, or any_root. Returns true when the translation used is stale.
    template <class FreshWalk>
    bool check_hit(tlb_entry& e, uint32_t stream, uint64_t iova, bool write, page_walker& walker,
                   FreshWalk&& fresh_walk, uint64_t root_entry = any_root) {
        if (!enabled_) return false;
        ++checks_;
        const uint64_t epoch = core::memory_epoch::current();
        const bool root_moved = root_entry != any_root && e.trail.count && e.trail.address[0] != root_entry;
        if (e.verified_epoch == epoch && !root_moved) {  // nothing written since it last agreed: it still does
            e.verified_at = *now_;
            return false;
        }
        uint64_t now_value = 0;
        const int changed = root_moved ? 0 : walker.first_change(e.trail, now_value);
        if (changed < 0) {
            e.verified_at = *now_;
            e.verified_epoch = epoch;
            return false;
        }
        const walk_result w = fresh_walk();
        if (w.ok() && w.translate(iova) == e.translate(iova) && w.perms == e.perms) {
            e.trail = w.trail;
            e.verified_at = sc_core::sc_time_stamp();
            e.verified_epoch = epoch;
            return false;
        }
        ++stale_uses_;
        if (!e.stale_reported) {
            e.stale_reported = true;
            if (root_moved) now_value = w.trail.count ? w.trail.value[0] : 0;
            report(e, stream, iova, write, w, changed, now_value, root_moved ? root_entry : any_root);
        }
        return true;
    }

    // Reports a walker read of uncleaned table memory: one warning line and one "dma_check"
    // trace event ("walker read uncleaned table memory"). The IOMMU calls it once per line until
    // the line is cleaned again (the tracker decides).
    void report_uncleaned(coherence_report r);
    const std::vector<coherence_report>& coherence_reports() const { return coherence_reports_; }
    // Every DMA the IOMMU handles (not debug accesses), before translation.
    void check_access(uint32_t stream, uint64_t iova, uint64_t size, bool write) {
        announcements_.check(stream, iova, size, write);
    }
    // The announced buffers (the socsim,dma-debug device writes here).
    dma_announcements& announcements() { return announcements_; }
    const dma_announcements& announcements() const { return announcements_; }

    uint64_t checks() const { return checks_; }
    uint64_t stale_uses() const { return stale_uses_; }
    const std::vector<stale_report>& reports() const { return reports_; }

private:
    // `moved_root`: the new root entry's address when the table base moved, else any_root.
    void report(const tlb_entry& e, uint32_t stream, uint64_t iova, bool write, const walk_result& fresh,
                int changed, uint64_t now_value, uint64_t moved_root);

    std::string owner_;
    core::logger log_;
    // The kernel's current time, read in place: sc_time_stamp() is an out-of-line call, and this
    // runs on every TLB hit.
    const sc_core::sc_time* now_;
    bool enabled_ = true;
    sc_core::sc_time last_invalidation_;
    bool any_invalidation_ = false;
    invalidation_note last_note_;
    invalidation_note pending_note_;
    bool has_pending_ = false;
    std::vector<cache_description> caches_;
    uint64_t checks_ = 0;
    uint64_t stale_uses_ = 0;
    std::vector<stale_report> reports_;
    std::vector<coherence_report> coherence_reports_;
    dma_announcements announcements_;
};

} // namespace socsim::iommu
