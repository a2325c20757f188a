#include "platforms/builder/model_registry.h"

#include "models/core/config_error.h"
#include "models/cpu/arm64_cpu.h"
#include "models/devices/pl011.h"
#include "models/devices/sim_control.h"
#include "models/iommu/smmuv3/smmuv3.h"

namespace socsim::platform {
namespace {

// Factories: read the node, build the model with plain parameters.

built_model make_cpu(model_context& ctx, cpu::arm64_cpu::core_model model) {
    cpu::arm64_cpu::config cfg;
    cfg.model = model;
    cfg.clock_hz = ctx.dt.number(ctx.node, "clock-frequency").value_or(1'000'000'000);
    cfg.firmware_path = ctx.io.firmware_path();
    auto core = std::make_unique<cpu::arm64_cpu>(ctx.instance.c_str(), cfg);
    built_model m;
    m.cpu = core.get();
    m.module = std::move(core);
    return m;
}

built_model make_pl011(model_context& ctx) {
    auto output = ctx.dt.string(ctx.node, "socsim,output").value_or("");
    auto uart = std::make_unique<devices::pl011>(ctx.instance.c_str(), ctx.io.output(output));
    built_model m;
    m.targets = {&uart->socket};
    m.irq = &uart->irq;
    m.module = std::move(uart);
    return m;
}

built_model make_sim_control(model_context& ctx) {
    auto dev = std::make_unique<devices::sim_control>(ctx.instance.c_str(), ctx.io.output(""));
    built_model m;
    m.targets = {&dev->socket};
    m.module = std::move(dev);
    return m;
}

// A simulator knob that must be a whole number in [lo, hi].
unsigned knob(model_context& ctx, const char* prop, unsigned fallback, unsigned lo, unsigned hi) {
    auto v = ctx.dt.number(ctx.node, prop);
    if (!v) return fallback;
    if (*v < lo || *v > hi)
        throw core::config_error(ctx.dt.path(ctx.node) + ": " + prop + " = " + std::to_string(*v) + " is outside " +
                                 std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<unsigned>(*v);
}

built_model make_smmuv3(model_context& ctx) {
    if (ctx.regs.empty() || ctx.regs[0].size < 0x20000)
        throw core::config_error(ctx.dt.path(ctx.node) + ": an SMMUv3 needs a 'reg' of at least 0x20000 bytes (two 64 KiB pages)");
    iommu::smmuv3::config cfg;
    cfg.tlb_entries = knob(ctx, "socsim,tlb-entries", cfg.tlb_entries, 1, 1u << 20);
    cfg.tlb_ways = knob(ctx, "socsim,tlb-ways", cfg.tlb_ways, 1, cfg.tlb_entries);
    if (cfg.tlb_entries % cfg.tlb_ways != 0)
        throw core::config_error(ctx.dt.path(ctx.node) + ": socsim,tlb-ways (" + std::to_string(cfg.tlb_ways) +
                                 ") must divide socsim,tlb-entries (" + std::to_string(cfg.tlb_entries) + ")");
    cfg.config_cache_entries = knob(ctx, "socsim,config-cache-entries", cfg.config_cache_entries, 1, 1u << 16);
    cfg.check_stale = knob(ctx, "socsim,check-stale", 1, 0, 1) != 0;
    auto untagged = ctx.dt.string(ctx.node, "socsim,untagged-dma").value_or("abort");
    if (untagged != "abort" && untagged != "bypass")
        throw core::config_error(ctx.dt.path(ctx.node) + ": socsim,untagged-dma = \"" + untagged +
                                 "\" (use \"abort\" or \"bypass\")");
    cfg.bypass_untagged = untagged == "bypass";
    auto smmu = std::make_unique<iommu::smmuv3>(ctx.instance.c_str(), cfg);
    iommu::smmuv3* s = smmu.get();
    built_model m;
    m.targets = {&smmu->socket};
    m.irq = &smmu->eventq_irq;
    m.irq_lines = {{"eventq", &smmu->eventq_irq}, {"gerror", &smmu->gerror_irq}, {"cmdq-sync", &smmu->cmdq_sync_irq}};
    m.downstream = &smmu->downstream;
    m.accept_dma = [s](tlm::tlm_initiator_socket<>& master) { master.bind(s->upstream); };
    m.module = std::move(smmu);
    return m;
}

} // namespace

const std::vector<model_entry>& model_registry() {
    using core_model = cpu::arm64_cpu::core_model;
    static const std::vector<model_entry> registry = {
        {{"arm,cortex-a57"}, "AArch64 core (Unicorn), Cortex-A57",
         [](model_context& c) { return make_cpu(c, core_model::cortex_a57); }},
        {{"arm,cortex-a53"}, "AArch64 core (Unicorn), Cortex-A53",
         [](model_context& c) { return make_cpu(c, core_model::cortex_a53); }},
        {{"arm,cortex-a72"}, "AArch64 core (Unicorn), Cortex-A72",
         [](model_context& c) { return make_cpu(c, core_model::cortex_a72); }},
        {{"arm,pl011"}, "Arm PL011 UART (output to stdout or socsim,output)", make_pl011},
        {{"socsim,sim-control"}, "socsim simulation control (exit, putchar)", make_sim_control},
        {{"arm,smmu-v3"}, "Arm SMMUv3 IOMMU (stage 1, VMSAv8-64 tables)", make_smmuv3},
        {{"fixed-clock"}, "fixed clock source (nothing to simulate)", nullptr},
    };
    return registry;
}

const model_entry* find_model(const std::vector<std::string>& compatible) {
    for (const std::string& c : compatible)
        for (const model_entry& e : model_registry())
            for (const std::string& mine : e.compatibles)
                if (c == mine) return &e;
    return nullptr;
}

} // namespace socsim::platform
