// Factories of the Allwinner sun50i IOMMUs (H6, H616).

#include "platforms/builder/factories/factory_support.h"

#include "models/iommu/sun50i/sun50i_iommu.h"

namespace socsim::platform {
namespace {

void check_ways(const model_context& ctx, const char* what, unsigned entries, unsigned ways) {
    if (entries % ways != 0)
        bad_node(ctx, ctx.node, std::string(what) + ": " + std::to_string(ways) + " ways must divide " +
                                    std::to_string(entries) + " entries");
}

built_model make_sun50i(model_context& ctx, const iommu::sun50i_variant& variant) {
    if (ctx.regs.empty() || ctx.regs[0].size < 0x400)
        bad_node(ctx, ctx.node, "a sun50i IOMMU needs a 'reg' of at least 0x400 bytes (the H6 window is 0x10000)");
    iommu::sun50i_iommu::config cfg;
    cfg.variant = &variant;
    cfg.tlb_entries = knob(ctx, "socsim,tlb-entries", cfg.tlb_entries, 1, 1u << 16);
    cfg.tlb_ways = knob(ctx, "socsim,tlb-ways", cfg.tlb_ways, 1, cfg.tlb_entries);
    check_ways(ctx, "socsim,tlb-ways", cfg.tlb_entries, cfg.tlb_ways);
    cfg.micro_tlb_entries = knob(ctx, "socsim,micro-tlb-entries", cfg.micro_tlb_entries, 1, 1u << 12);
    cfg.micro_tlb_ways = knob(ctx, "socsim,micro-tlb-ways", cfg.micro_tlb_ways, 1, cfg.micro_tlb_entries);
    check_ways(ctx, "socsim,micro-tlb-ways", cfg.micro_tlb_entries, cfg.micro_tlb_ways);
    cfg.ptw_cache_entries = knob(ctx, "socsim,ptw-cache-entries", cfg.ptw_cache_entries, 1, 4096);
    cfg.ptw_cache_ways = knob(ctx, "socsim,ptw-cache-ways", cfg.ptw_cache_ways, 1, cfg.ptw_cache_entries);
    check_ways(ctx, "socsim,ptw-cache-ways", cfg.ptw_cache_entries, cfg.ptw_cache_ways);
    cfg.op_latency = time_ns(ctx, "socsim,op-latency-ns", cfg.op_latency);
    cfg.check_stale = knob(ctx, "socsim,check-stale", 1, 0, 1) != 0;
    cfg.check_coherence = knob(ctx, "socsim,check-coherence", 1, 0, 1) != 0;
    cfg.coherence = ctx.coherence;

    auto unit = std::make_unique<iommu::sun50i_iommu>(ctx.instance.c_str(), cfg);
    iommu::sun50i_iommu* u = unit.get();
    built_model m = iommu_model(std::move(unit), u->irq, variant.masters);
    m.stream_what = "master index";
    m.statistics = [u] {  // the TLB counted is the shared macro TLB, behind the micro TLBs
        const auto& st = u->stats();
        return iommu_statistics({st.translations, st.bypassed, st.faults + st.refused, st.invalidations},
                                u->macro_tlb().stats(), u->checker());
    };
    m.details = u->describe();
    return m;
}

} // namespace

std::vector<model_entry> sun50i_factories() {
    std::vector<model_entry> v;
    for (const iommu::sun50i_variant& variant : iommu::sun50i_variants()) {
        const iommu::sun50i_variant* p = &variant;
        v.push_back({{variant.compatible}, "Allwinner " + iommu::sun50i_iommu::variant_summary(variant),
                     [p](model_context& c) { return make_sun50i(c, *p); }});
    }
    return v;
}

} // namespace socsim::platform
