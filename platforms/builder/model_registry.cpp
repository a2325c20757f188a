#include "platforms/builder/model_registry.h"

#include "models/core/config_error.h"
#include "models/cpu/arm64_cpu.h"
#include "models/devices/pl011.h"
#include "models/devices/sim_control.h"

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
