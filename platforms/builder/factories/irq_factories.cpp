// Factories of the interrupt controllers: the GICv2 (with its v2m MSI frames) and the Apple AIC.
// Each sets built_model::interrupt_controller so the builder can wire `interrupts` to it.

#include "platforms/builder/factories/factory_support.h"

#include <algorithm>

#include "models/core/config_error.h"
#include "models/irq/apple_aic.h"
#include "models/irq/gic_v2.h"
#include "models/irq/gic_v2m.h"

namespace socsim::platform {
namespace {

const char* const gic_compatibles[] = {"arm,cortex-a15-gic", "arm,gic-400"};

// Cores the controller serves: the `cpu` nodes under /cpus (at least one).
unsigned count_cpus(const model_context& ctx) {
    int cpus = ctx.dt.find("/cpus");
    if (cpus < 0) return 1;
    unsigned n = 0;
    for (int c : ctx.dt.children(cpus)) {
        auto type = ctx.dt.string(c, "device_type");
        if (type && *type == "cpu") ++n;
    }
    return std::max(n, 1u);
}

void require_three_cells(const model_context& ctx) {
    if (cell_count(ctx.dt, ctx.node, "#interrupt-cells", 3) != 3)
        bad_node(ctx, ctx.node, "#interrupt-cells must be 3 (type, number, flags)");
}

bool is_gic(const device_tree& dt, int node) {
    for (const std::string& c : dt.strings(node, "compatible"))
        for (const char* mine : gic_compatibles)
            if (c == mine) return true;
    return false;
}

// The GIC builds its `arm,gic-v2m-frame` children (the builder does not descend into a modelled
// node), as the PCIe host bridge builds its functions; each frame is mapped as a window.
void add_msi_frames(model_context& ctx, irq::gic_v2& gic, built_model& m) {
    for (int child : ctx.dt.children(ctx.node)) {
        if (!ctx.dt.enabled(child)) continue;
        auto compat = ctx.dt.strings(child, "compatible");
        if (std::find(compat.begin(), compat.end(), "arm,gic-v2m-frame") == compat.end()) continue;
        const model_entry* entry = find_model(compat);
        std::string label = ctx.dt.label(child);
        model_context child_ctx{ctx.dt, child, ctx.instance + "_" + clean_name(label.empty() ? ctx.dt.name(child) : label),
                                ctx.dt.reg(child), ctx.io, ctx.coherence};
        if (child_ctx.regs.size() != 1)
            bad_node(ctx, child, "an MSI frame needs one 'reg' entry reachable through the GIC node's 'ranges'");
        built_model fm = entry->make(child_ctx);
        auto* frame = dynamic_cast<irq::gic_v2m*>(fm.module.get());
        if (!frame) bad_node(ctx, child, "compatible \"arm,gic-v2m-frame\" did not build an MSI frame");
        fm.module.release();  // the GIC owns its frames
        try {
            gic.adopt_msi_frame(std::unique_ptr<irq::gic_v2m>(frame));
        } catch (const core::config_error& e) {
            bad_node(ctx, child, e.what());
        }
        const auto& fc = frame->configuration();
        m.windows.push_back({child_ctx.regs[0], &frame->socket, "MSI frame"});
        m.details.push_back("v2m MSI frame " + hex_range(child_ctx.regs[0].base, child_ctx.regs[0].size) + ": SPI IDs " +
                            std::to_string(fc.base_spi) + ".." + std::to_string(fc.base_spi + fc.num_spis - 1));
    }
}

built_model make_gic_v2(model_context& ctx) {
    require_three_cells(ctx);
    irq::gic_v2::config cfg;
    cfg.num_irqs = knob(ctx, "socsim,num-irqs", cfg.num_irqs, 32, 1020);
    if (cfg.num_irqs % 32 != 0 && cfg.num_irqs != 1020)
        bad_node(ctx, ctx.node, "socsim,num-irqs = " + std::to_string(cfg.num_irqs) + ": a multiple of 32, or 1020");
    cfg.priority_bits = knob(ctx, "socsim,priority-bits", cfg.priority_bits, 4, 8);
    cfg.num_cpus = count_cpus(ctx);
    if (cfg.num_cpus > 8)
        bad_node(ctx, ctx.node, std::to_string(cfg.num_cpus) + " cpu nodes: a GICv2 serves at most 8 cores");
    if (ctx.regs.size() < 2 || ctx.regs.size() > 4)
        bad_node(ctx, ctx.node, "'reg' must be the distributor and the CPU interface (optionally GICH and GICV)");
    cfg.unmodelled_regions = static_cast<unsigned>(ctx.regs.size()) - 2;
    auto gic = std::make_unique<irq::gic_v2>(ctx.instance.c_str(), cfg);
    built_model m;
    m.targets = {&gic->distributor, &gic->cpu_interface};
    for (unsigned i = 0; i < cfg.unmodelled_regions; ++i) m.targets.push_back(&gic->unmodelled_region(i));
    m.details.push_back("GICv2: " + std::to_string(cfg.num_irqs) + " interrupt IDs (" + std::to_string(cfg.num_irqs - 32) +
                        " SPIs), " + std::to_string(cfg.num_cpus) + " CPU interface(s), " +
                        std::to_string(cfg.priority_bits) + " priority bits, no Security Extensions");
    if (cfg.unmodelled_regions) m.details.push_back("GICH/GICV regions: not modelled (read as zero, writes ignored)");
    add_msi_frames(ctx, *gic, m);
    m.interrupt_controller = gic.get();
    m.module = std::move(gic);
    return m;
}

built_model make_gic_v2m(model_context& ctx) {
    const int parent = ctx.dt.parent(ctx.node);
    if (parent < 0 || !is_gic(ctx.dt, parent))
        bad_node(ctx, ctx.node, "a GICv2m frame must be a child node of its GIC (\"arm,cortex-a15-gic\" or \"arm,gic-400\")");
    irq::gic_v2m::config cfg;
    cfg.base_spi = knob(ctx, "arm,msi-base-spi", cfg.base_spi, 32, 1019);
    cfg.num_spis = knob(ctx, "arm,msi-num-spis", cfg.num_spis, 1, 988);
    if (cfg.base_spi + cfg.num_spis > 1020)
        bad_node(ctx, ctx.node, "arm,msi-base-spi + arm,msi-num-spis goes past interrupt ID 1019");
    auto frame = std::make_unique<irq::gic_v2m>(ctx.instance.c_str(), cfg);
    built_model m;
    m.targets = {&frame->socket};
    m.module = std::move(frame);
    return m;
}

built_model make_apple_aic(model_context& ctx) {
    require_three_cells(ctx);
    irq::apple_aic::config cfg;
    cfg.num_irqs = knob(ctx, "socsim,num-irqs", cfg.num_irqs, 1, 1024);
    cfg.num_cpus = count_cpus(ctx);
    if (cfg.num_cpus > 16) bad_node(ctx, ctx.node, std::to_string(cfg.num_cpus) + " cpu nodes: the model serves at most 16");
    const uint64_t needed = 0x5000 + 0x80 * cfg.num_cpus;
    if (ctx.regs.size() != 1 || ctx.regs[0].size < needed)
        bad_node(ctx, ctx.node, "'reg' must be one region of at least " + core::hex(needed) + " bytes (AIC v1 registers)");
    auto aic = std::make_unique<irq::apple_aic>(ctx.instance.c_str(), cfg);
    built_model m;
    m.targets = {&aic->socket};
    m.details.push_back("AIC v1: " + std::to_string(cfg.num_irqs) + " hardware IRQs, " + std::to_string(cfg.num_cpus) +
                        " core(s); FIQs (timers, PMU) go straight to core 0's FIQ");
    m.interrupt_controller = aic.get();
    m.module = std::move(aic);
    return m;
}

} // namespace

std::vector<model_entry> irq_factories() {
    return {
        {{"arm,cortex-a15-gic", "arm,gic-400"}, "Arm GICv2 interrupt controller (distributor, CPU interfaces)", make_gic_v2},
        {{"arm,gic-v2m-frame"}, "GICv2m MSI frame (a child of its GIC node)", make_gic_v2m},
        {{"apple,aic"}, "Apple Interrupt Controller v1 (IRQs, IPIs; FIQs to the core)", make_apple_aic},
    };
}

} // namespace socsim::platform
