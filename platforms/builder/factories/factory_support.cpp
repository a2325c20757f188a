#include "platforms/builder/factories/factory_support.h"

#include <algorithm>
#include <cctype>

#include "models/core/address_range.h"
#include "models/core/config_error.h"

namespace socsim::platform {

void bad_node(const model_context& ctx, int node, const std::string& what) { ctx.dt.fail(node, what); }

void bad_value(const model_context& ctx, int node, const std::string& what) {
    throw core::config_error(ctx.dt.path(node) + ": " + what);
}

unsigned knob(const model_context& ctx, const char* prop, unsigned fallback, unsigned lo, unsigned hi) {
    auto v = ctx.dt.number(ctx.node, prop);
    if (!v) return fallback;
    if (*v < lo || *v > hi) {
        // A string where a number belongs (`-c smmu.check-stale="yes"`) reads as a large number:
        // say what it really holds.
        std::string value = std::to_string(*v);
        auto text = ctx.dt.string(ctx.node, prop);
        if (text && !text->empty() &&
            std::all_of(text->begin(), text->end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
            value = "\"" + *text + "\" (a string; give a number)";
        bad_value(ctx, ctx.node, std::string(prop) + " = " + value + " is outside " + std::to_string(lo) + ".." +
                                     std::to_string(hi));
    }
    return static_cast<unsigned>(*v);
}

sc_core::sc_time time_ns(const model_context& ctx, const char* prop, sc_core::sc_time fallback) {
    auto v = ctx.dt.number(ctx.node, prop);
    return v ? sc_core::sc_time(static_cast<double>(*v), sc_core::SC_NS) : fallback;
}

unsigned cell_count(const device_tree& dt, int node, const char* prop, unsigned fallback) {
    auto c = dt.cells(node, prop);
    return c.empty() ? fallback : c[0];
}

uint64_t cells_value(const std::vector<uint32_t>& c, size_t at, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v = (v << 32) | c[at + i];
    return v;
}

std::string clean_name_keeping_unit(const std::string& s) {
    std::string out;
    for (char ch : s) out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
    return out;
}

std::string clean_name(const std::string& s) { return clean_name_keeping_unit(s.substr(0, s.find('@'))); }

std::string numbered_if_taken(const std::string& name, const std::function<bool(const std::string&)>& taken) {
    std::string free = name;
    for (unsigned n = 2; taken(free); ++n) free = name + "_" + std::to_string(n);
    return free;
}

std::optional<iommu_reference> read_iommus(const device_tree& dt, int node) {
    auto spec = dt.cells(node, "iommus");
    if (spec.empty()) spec = dt.cells(node, "socsim,iommus");
    if (spec.empty()) return std::nullopt;
    iommu_reference ref;
    ref.phandle = spec[0];
    if (spec.size() >= 2) ref.stream = spec[1];
    return ref;
}

std::string hex_range(uint64_t base, uint64_t size) {
    return core::hex(base) + "-" + core::hex(base + (size - 1));
}

std::string iommu_statistics(const iommu_counts& c, const iommu::tlb_stats& tlb, const iommu::dma_checker& checker) {
    return std::to_string(c.translated) + " DMA pieces translated (TLB " + std::to_string(tlb.hits) + " hits, " +
           std::to_string(tlb.misses) + " misses), " + std::to_string(c.bypassed) + " bypassed, " +
           std::to_string(c.refused) + " refused; " + std::to_string(c.invalidation_commands) +
           " invalidation commands removed " + std::to_string(tlb.invalidated) + " TLB entries; " +
           std::to_string(checker.stale_uses()) + " uses of stale translations";
}

} // namespace socsim::platform
