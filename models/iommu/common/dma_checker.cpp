#include "models/iommu/common/dma_checker.h"

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::iommu {

namespace {

std::string perms_text(uint8_t p) {
    std::string s;
    s += (p & perm_read) ? 'r' : '-';
    s += (p & perm_write) ? 'w' : '-';
    s += (p & perm_user_read) ? 'r' : '-';
    s += (p & perm_user_write) ? 'w' : '-';
    return s;
}

uint64_t picoseconds(const sc_core::sc_time& t) {
    return t.value() / static_cast<uint64_t>(sc_core::sc_time(1, sc_core::SC_PS).value());
}

} // namespace

dma_checker::dma_checker(const std::string& owner)
    : owner_(owner), log_(owner), now_(&sc_core::sc_get_curr_simcontext()->time_stamp()), announcements_(owner) {}

void dma_checker::report(const tlb_entry& e, uint32_t stream, uint64_t iova, bool write, const walk_result& fresh,
                         int changed, uint64_t now_value, uint64_t moved_root) {
    stale_report r;
    r.stream = stream;
    r.iova = iova;
    r.write = write;
    r.old_output = e.translate(iova);
    r.new_mapped = fresh.ok();
    r.new_output = fresh.ok() ? fresh.translate(iova) : 0;
    r.old_perms = e.perms;
    r.new_perms = fresh.ok() ? fresh.perms : 0;
    r.changed_index = changed;
    r.changed_addr = e.trail.address[changed];
    r.changed_old = e.trail.value[changed];
    r.changed_new = now_value;
    r.root_moved = moved_root != any_root;
    r.new_root_addr = r.root_moved ? moved_root : 0;
    r.filled_at = e.filled_at;
    r.written_after = e.verified_at > e.filled_at ? e.verified_at : e.filled_at;
    r.detected_at = sc_core::sc_time_stamp();
    r.last_invalidation = last_invalidation_;
    r.any_invalidation = any_invalidation_;
    const cache_description* holder = nullptr;
    for (const cache_description& c : caches_)
        if (c.cache && c.cache->holds(e)) holder = &c;
    if (r.any_invalidation) {
        r.last_invalidation_command = last_note_.command;
        r.why_not_covered = why_not_covered(last_note_, e, holder, caches_, stream);
    }
    if (has_pending_ && covers(pending_note_, e, holder)) r.pending_invalidation_command = pending_note_.command;

    std::string m = "stale translation used: stream " + std::to_string(stream) + (write ? " write" : " read") +
                    " at IOVA " + core::hex(iova) + " went to " + core::hex(r.old_output) + " (" +
                    perms_text(r.old_perms) + ")";
    if (r.new_mapped)
        m += ", the tables now say " + core::hex(r.new_output) + " (" + perms_text(r.new_perms) + ")";
    else
        m += ", the tables now have no mapping";
    if (r.root_moved)
        m += "; cached from another table: its first entry was read at " + core::hex(r.changed_addr) + " (" +
             core::hex(r.changed_old) + "), the walk now starts at " + core::hex(r.new_root_addr) + " (" +
             core::hex(r.changed_new) + "): the table base changed after " + core::format_ns(r.written_after) +
             " (cached at " + core::format_ns(r.filled_at) + ")";
    else
        m += "; table entry " + core::hex(r.changed_addr) + " changed " + core::hex(r.changed_old) + " -> " +
             core::hex(r.changed_new) + " after " + core::format_ns(r.written_after) + " (cached at " +
             core::format_ns(r.filled_at) + ")";
    m += r.any_invalidation ? "; last invalidation at " + core::format_ns(r.last_invalidation) +
                                  ", which did not cover it: " + r.why_not_covered.text
                            : "; no invalidation issued since reset";
    if (!r.pending_invalidation_command.empty())
        m += "; " + r.pending_invalidation_command + " would cover it, but it is still in progress";
    r.message = m;
    log_.warning(m);
    core::trace_event ev("dma_check", owner_);
    ev.field("verdict", "stale translation used")
        .field("stream", static_cast<uint64_t>(stream))
        .hex_field("iova", iova)
        .field("cmd", write ? "write" : "read")
        .hex_field("old_pa", r.old_output)
        .field("new_mapped", r.new_mapped);
    if (r.new_mapped) ev.hex_field("new_pa", r.new_output);
    if (r.root_moved) ev.hex_field("new_root_entry", r.new_root_addr);
    ev.hex_field("table_entry", r.changed_addr)
        .hex_field("old_value", r.changed_old)
        .hex_field("new_value", r.changed_new)
        .field("cached_ps", picoseconds(r.filled_at))
        .field("written_after_ps", picoseconds(r.written_after));
    if (r.any_invalidation)
        ev.field("last_invalidation_ps", picoseconds(r.last_invalidation))
            .field("last_invalidation", r.last_invalidation_command)
            .field("not_covered_because", r.why_not_covered.kind)
            .field("not_covered_detail", r.why_not_covered.text);
    if (!r.pending_invalidation_command.empty()) ev.field("pending_invalidation", r.pending_invalidation_command);
    ev.emit();
    reports_.push_back(std::move(r));
}

void dma_checker::report_uncleaned(coherence_report r) {
    r.message = "walker read uncleaned table memory: " +
                (r.who.empty() ? "stream " + std::to_string(r.stream) : r.who) + " at IOVA " +
                core::hex(r.iova) + " needed the " + r.entry + " at " + core::hex(r.table_addr) + ", which reads " +
                core::hex(r.memory_value) + "; " + r.why;
    log_.warning(r.message);
    core::trace_event("dma_check", owner_)
        .field("verdict", "walker read uncleaned table memory")
        .field("stream", static_cast<uint64_t>(r.stream))
        .hex_field("iova", r.iova)
        .field("entry", r.entry)
        .hex_field("table_entry", r.table_addr)
        .hex_field("memory_value", r.memory_value)
        .hex_field("hardware_value", r.seen_value)
        .emit();
    coherence_reports_.push_back(std::move(r));
}

} // namespace socsim::iommu
