// Factories of the Apple DART IOMMUs (models/iommu/dart): one entry per variant compatible.

#include "platforms/builder/factories/factory_support.h"

#include "models/core/config_error.h"
#include "models/iommu/dart/dart.h"

namespace socsim::platform {
namespace {

built_model make_dart(model_context& ctx, const iommu::dart_variant& variant) {
    if (ctx.regs.empty() || ctx.regs[0].size < 0x4000)
        bad_node(ctx, ctx.node, "a DART needs a 'reg' of at least 0x4000 bytes (Linux refuses smaller windows)");
    const auto iommu_cells = ctx.dt.cells(ctx.node, "#iommu-cells");
    if (!iommu_cells.empty() && iommu_cells[0] != 1)
        bad_node(ctx, ctx.node, "#iommu-cells = <" + std::to_string(iommu_cells[0]) + ">: a DART takes one cell (the stream id)");
    iommu::dart::config cfg;
    cfg.variant = &variant;
    cfg.tlb_entries = knob(ctx, "socsim,tlb-entries", cfg.tlb_entries, 1, 1u << 20);
    cfg.tlb_ways = knob(ctx, "socsim,tlb-ways", cfg.tlb_ways, 1, cfg.tlb_entries);
    if (cfg.tlb_entries % cfg.tlb_ways != 0)
        bad_node(ctx, ctx.node, "socsim,tlb-ways (" + std::to_string(cfg.tlb_ways) + ") must divide socsim,tlb-entries (" +
                                    std::to_string(cfg.tlb_entries) + ")");
    cfg.check_stale = knob(ctx, "socsim,check-stale", 1, 0, 1) != 0;
    cfg.bypass_supported = knob(ctx, "socsim,bypass-supported", 0, 0, 1) != 0;
    cfg.invalidate_polls = knob(ctx, "socsim,invalidate-polls", cfg.invalidate_polls, 0, 1000);
    const auto preset = ctx.dt.cells(ctx.node, "socsim,preset-ttbr");
    if (preset.size() % 3 != 0)
        bad_node(ctx, ctx.node, "socsim,preset-ttbr has " + std::to_string(preset.size()) +
                                    " cells: it is a list of <stream table_hi table_lo>");
    for (size_t i = 0; i < preset.size(); i += 3) cfg.presets.push_back({preset[i], cells_value(preset, i + 1, 2)});
    cfg.preset_locked = ctx.dt.has(ctx.node, "socsim,preset-locked");

    std::unique_ptr<iommu::dart> d;
    try {
        d = std::make_unique<iommu::dart>(ctx.instance.c_str(), cfg);
    } catch (const core::config_error& e) {
        bad_node(ctx, ctx.node, e.what());
    }
    iommu::dart* p = d.get();
    built_model m = iommu_model(std::move(d), p->irq, variant.streams);
    m.statistics = [p] {
        const auto& st = p->stats();
        return iommu_statistics({st.translations, st.bypassed, st.faults, st.tlb_commands}, p->tlb().stats(),
                                p->checker());
    };
    m.details = p->describe();
    return m;
}

} // namespace

std::vector<model_entry> dart_factories() {
    std::vector<model_entry> v;
    for (const iommu::dart_variant& variant : iommu::dart_variants()) {
        const iommu::dart_variant* pv = &variant;
        v.push_back({{variant.compatible}, "Apple DART IOMMU (" + iommu::dart::variant_summary(variant) + ")",
                     [pv](model_context& ctx) { return make_dart(ctx, *pv); }});
    }
    return v;
}

} // namespace socsim::platform
