#include "models/iommu/common/invalidation_note.h"

#include <algorithm>
#include <cctype>

#include "models/core/address_range.h"

namespace socsim::iommu {

namespace {

// The reasons one scope can miss an entry, in the order a report names them.
struct scope_miss {
    bool context = false;  // a non-global entry of another context
    bool global = false;   // a global entry, and the scope leaves global entries
    bool address = false;  // the entry's mapping lies outside what the scope covered
};

scope_miss miss_of(const invalidation_scope& s, const tlb_entry& e) {
    scope_miss m;
    if (e.global)
        m.global = !s.match.include_global;
    else
        m.context = (e.context & s.match.context_mask) != (s.match.context & s.match.context_mask);
    if (s.iova_mask)
        m.address = (e.iova & s.iova_mask) != (s.match.first & s.iova_mask);
    else
        m.address = e.last() < s.match.first || e.iova > s.match.last;
    return m;
}

bool misses(const scope_miss& m) { return m.context || m.global || m.address; }

std::string range_text(uint64_t first, uint64_t last) {
    return first == last ? core::hex(first) : core::hex(first) + "-" + core::hex(last);
}

// The IOVAs a scope covered, as a range when it is one.
std::string covered_text(const invalidation_scope& s) {
    if (!s.iova_mask) return range_text(s.match.first, s.match.last);
    const uint32_t mask = static_cast<uint32_t>(s.iova_mask) & ~0xfffu;  // page offsets never take part
    const uint32_t low = ~mask;
    const bool contiguous = ((low + 1) & low) == 0;  // the mask is all high bits
    const uint64_t base = s.match.first & mask;
    if (contiguous) return range_text(base, base | low);
    return "those equal to " + core::hex(base) + " under mask " + core::hex(mask);
}

const cache_description* describe(const std::vector<cache_description>& caches, const tlb* t) {
    for (const cache_description& c : caches)
        if (c.cache == t) return &c;
    return nullptr;
}

std::string context_name(const cache_description* holder) {
    return holder && !holder->context_name.empty() ? holder->context_name : "context";
}

std::string token(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return name;
}

} // namespace

bool covers(const invalidation_note& note, const tlb_entry& e, const cache_description* holder) {
    for (const invalidation_scope& s : note.scopes)
        if ((!holder || s.cache == holder->cache) && !misses(miss_of(s, e))) return true;
    return false;
}

not_covered why_not_covered(const invalidation_note& note, const tlb_entry& e, const cache_description* holder,
                            const std::vector<cache_description>& caches, uint32_t stream) {
    const std::string& cmd = note.command;
    if (note.scopes.empty() && note.selects_nothing)
        return {"nothing_selected", cmd + " selected nothing to invalidate"};
    if (note.scopes.empty()) {
        std::string text = cmd + " invalidates " + note.covers_instead + " only, never cached translations";
        if (note.names_streams && (stream < note.first_stream || stream > note.last_stream))
            text += "; it named stream " +
                    (note.first_stream == note.last_stream
                         ? std::to_string(note.first_stream)
                         : std::to_string(note.first_stream) + "-" + std::to_string(note.last_stream)) +
                    ", the access came from stream " + std::to_string(stream);
        return {"configuration_only", text};
    }

    std::vector<const invalidation_scope*> here;  // the scopes that acted on the entry's cache
    for (const invalidation_scope& s : note.scopes)
        if (!holder || s.cache == holder->cache) here.push_back(&s);
    if (here.empty()) {
        std::string names;
        std::vector<const tlb*> named;
        for (const invalidation_scope& s : note.scopes) {
            if (std::find(named.begin(), named.end(), s.cache) != named.end()) continue;
            named.push_back(s.cache);
            const cache_description* d = describe(caches, s.cache);
            names += (names.empty() ? "" : ", ") + (d ? d->name : std::string("another cache"));
        }
        return {"other_cache",
                cmd + " invalidated the " + names + ", not the " + holder->name + ", which holds the entry"};
    }

    std::vector<scope_miss> why;
    for (const invalidation_scope* s : here) {
        why.push_back(miss_of(*s, e));
        if (!misses(why.back())) return {"cached_after", cmd + " covers the entry, so the entry was cached after it"};
    }

    const std::string ctx = context_name(holder);
    const bool only_context =
        std::all_of(why.begin(), why.end(), [](const scope_miss& m) { return m.context && !m.address; });
    if (only_context) {
        std::string contexts;
        for (const invalidation_scope* s : here)
            contexts += (contexts.empty() ? "" : ", ") + std::to_string(s->match.context);
        return {token(ctx) + "_mismatch", cmd + " invalidated " + ctx + " " + contexts + ", the entry is " + ctx + " " +
                                              std::to_string(e.context)};
    }
    // Each scope's own reasons, in order: context, global, address.
    std::string kind, text;
    for (size_t i = 0; i < here.size(); ++i) {
        const invalidation_scope& s = *here[i];
        std::string clause;
        auto add = [&](const std::string& k, const std::string& c) {
            if (kind.empty()) kind = k;
            clause += (clause.empty() ? "" : " and ") + c;
        };
        if (why[i].context)
            add(token(ctx) + "_mismatch", "invalidated " + ctx + " " + std::to_string(s.match.context) + ", the entry is " +
                                              ctx + " " + std::to_string(e.context));
        if (why[i].global) add("global_entry", "leaves global entries, and the entry is global (nG=0)");
        if (why[i].address)
            add("address_range", "covered IOVA " + covered_text(s) + ", the entry maps " + range_text(e.iova, e.last()));
        text += (text.empty() ? "" : "; ") + clause;
    }
    return {kind, cmd + " " + text};
}

} // namespace socsim::iommu
