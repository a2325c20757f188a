// The SMMUv3's factory ("arm,smmu-v3"). Each IOMMU has a file of its own: dart_factories.cpp
// (Apple DART), sun50i_factories.cpp (Allwinner H6/H616).

#include "platforms/builder/factories/factory_support.h"

#include "models/iommu/smmuv3/smmuv3.h"

namespace socsim::platform {
namespace {

built_model make_smmuv3(model_context& ctx) {
    if (ctx.regs.empty() || ctx.regs[0].size < 0x20000)
        bad_value(ctx, ctx.node, "an SMMUv3 needs a 'reg' of at least 0x20000 bytes (two 64 KiB pages)");
    iommu::smmuv3::config cfg;
    cfg.tlb_entries = knob(ctx, "socsim,tlb-entries", cfg.tlb_entries, 1, 1u << 20);
    cfg.tlb_ways = knob(ctx, "socsim,tlb-ways", cfg.tlb_ways, 1, cfg.tlb_entries);
    if (cfg.tlb_entries % cfg.tlb_ways != 0)
        bad_value(ctx, ctx.node, "socsim,tlb-ways (" + std::to_string(cfg.tlb_ways) +
                                 ") must divide socsim,tlb-entries (" + std::to_string(cfg.tlb_entries) + ")");
    cfg.config_cache_entries = knob(ctx, "socsim,config-cache-entries", cfg.config_cache_entries, 1, 1u << 16);
    cfg.check_stale = knob(ctx, "socsim,check-stale", 1, 0, 1) != 0;
    auto untagged = ctx.dt.string(ctx.node, "socsim,untagged-dma").value_or("abort");
    if (untagged != "abort" && untagged != "bypass")
        bad_value(ctx, ctx.node, "socsim,untagged-dma = \"" + untagged +
                                 "\" (use \"abort\" or \"bypass\")");
    cfg.bypass_untagged = untagged == "bypass";
    auto smmu = std::make_unique<iommu::smmuv3>(ctx.instance.c_str(), cfg);
    iommu::smmuv3* s = smmu.get();
    built_model m = iommu_model(std::move(smmu), s->eventq_irq, uint64_t{1} << iommu::smmuv3::sid_bits);
    m.irq_lines = {{"eventq", &s->eventq_irq},
                   {"priq", &s->priq_irq},
                   {"cmdq-sync", &s->cmdq_sync_irq},
                   {"gerror", &s->gerror_irq}};
    m.statistics = [s] {
        const auto& st = s->stats();
        return iommu_statistics({st.translations, st.bypassed, st.terminated, st.tlb_invalidations},
                                s->tlb().stats(), s->checker()) +
               "; " + std::to_string(st.config_invalidations) + " configuration invalidations, " +
               std::to_string(st.commands) + " commands, " + std::to_string(st.events) + " events";
    };
    return m;
}

} // namespace

std::vector<model_entry> smmuv3_factories() {
    return {
        // Linux's arm-smmu-v3 on a 4 KiB-page kernel: 4 KiB pages, a 48-bit stage-1 input.
        {{"arm,smmu-v3"}, "Arm SMMUv3 IOMMU (stage 1, VMSAv8-64 tables)", make_smmuv3,
         iommu_geometry{4096, 48, "4 KiB granule, 48-bit input"}},
    };
}

} // namespace socsim::platform
