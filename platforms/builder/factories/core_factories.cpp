// Factories of the processor, memories and simple platform devices.

#include "platforms/builder/factories/factory_support.h"

#include "models/cpu/arm64_cpu.h"
#include "models/devices/pl011.h"
#include "models/devices/sim_control.h"
#include "models/devices/uart_16550.h"
#include "models/memory/rom.h"

namespace socsim::platform {
namespace {

built_model make_cpu(model_context& ctx, cpu::arm64_cpu::core_model model) {
    cpu::arm64_cpu::config cfg;
    cfg.model = model;
    cfg.clock_hz = ctx.dt.number(ctx.node, "clock-frequency").value_or(cfg.clock_hz);
    cfg.firmware_path = ctx.io.firmware_path();
    cfg.mpidr = ctx.dt.number(ctx.node, "reg").value_or(0);
    // The generic timer's counter frequency: the timer node's `clock-frequency` (Linux's
    // arm,arch_timer binding), else the CPU model's default (QEMU virt's).
    for (const char* timer : {"arm,armv8-timer", "arm,armv7-timer"}) {
        const int node = ctx.dt.find_compatible(timer);
        if (node < 0) continue;
        if (auto hz = ctx.dt.number(node, "clock-frequency")) {
            if (*hz == 0) bad_value(ctx, node, "clock-frequency is 0");
            cfg.counter_hz = *hz;
        }
        break;
    }
    // PSCI (Linux's binding arm/psci.yaml): `/psci` names the conduit in `method`.
    int psci = ctx.dt.find("/psci");
    if (psci >= 0 && ctx.dt.enabled(psci)) {
        std::string method = ctx.dt.string(psci, "method").value_or("");
        if (method == "hvc")
            cfg.psci = cpu::arm64_cpu::psci_conduit::hvc;
        else if (method == "smc")
            cfg.psci = cpu::arm64_cpu::psci_conduit::smc;
        else
            bad_value(ctx, psci, "method \"" + method + "\" is neither \"hvc\" nor \"smc\"");
    }
    cfg.coherence = ctx.coherence;
    auto core = std::make_unique<cpu::arm64_cpu>(ctx.instance.c_str(), cfg);
    built_model m;
    m.cpu = core.get();
    m.module = std::move(core);
    return m;
}

built_model make_pl011(model_context& ctx) {
    auto output = ctx.dt.string(ctx.node, "socsim,output").value_or("");
    auto input = ctx.dt.string(ctx.node, "socsim,input").value_or("");
    auto uart = std::make_unique<devices::pl011>(ctx.instance.c_str(), ctx.io.output(output),
                                                 input.empty() ? devices::pl011::input_fn{} : ctx.io.input(input),
                                                 ctx.dt.string(ctx.node, "socsim,input-prompt").value_or(""));
    built_model m;
    m.targets = {&uart->socket};
    m.irq = &uart->irq;
    m.module = std::move(uart);
    return m;
}

// 16550 UARTs (Linux binding serial/8250.yaml): `reg-shift`, `reg-io-width`.
built_model make_uart_16550(model_context& ctx, bool designware) {
    devices::uart_16550::config cfg;
    cfg.designware = designware;
    cfg.reg_shift = knob(ctx, "reg-shift", 0, 0, 31);
    if (cfg.reg_shift != 2)
        bad_node(ctx, ctx.node, "reg-shift " + std::to_string(cfg.reg_shift) + " is not supported (the model needs 2)");
    cfg.reg_io_width = knob(ctx, "reg-io-width", 1, 1, 4);
    if (cfg.reg_io_width != 1 && cfg.reg_io_width != 4)
        bad_node(ctx, ctx.node, "reg-io-width " + std::to_string(cfg.reg_io_width) + " is not supported (1 or 4)");
    auto output = ctx.dt.string(ctx.node, "socsim,output").value_or("");
    auto input = ctx.dt.string(ctx.node, "socsim,input").value_or("");
    auto uart = std::make_unique<devices::uart_16550>(ctx.instance.c_str(), cfg, ctx.io.output(output),
                                                      input.empty() ? devices::uart_16550::input_fn{} : ctx.io.input(input));
    built_model m;
    m.targets = {&uart->socket};
    m.irq = &uart->irq;
    m.module = std::move(uart);
    return m;
}

built_model make_rom(model_context& ctx) {
    if (ctx.regs.size() != 1)
        bad_value(ctx, ctx.node, "a socsim,rom node has exactly one 'reg' entry");
    auto bank = std::make_unique<memory::rom>(ctx.instance.c_str(), ctx.regs[0].size);
    built_model m;
    m.targets = {&bank->socket};
    m.module = std::move(bank);
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

std::vector<model_entry> core_factories() {
    using core_model = cpu::arm64_cpu::core_model;
    return {
        {{"arm,cortex-a57"}, "AArch64 core (Unicorn), Cortex-A57",
         [](model_context& c) { return make_cpu(c, core_model::cortex_a57); }},
        {{"arm,cortex-a53"}, "AArch64 core (Unicorn), Cortex-A53",
         [](model_context& c) { return make_cpu(c, core_model::cortex_a53); }},
        {{"arm,cortex-a72"}, "AArch64 core (Unicorn), Cortex-A72",
         [](model_context& c) { return make_cpu(c, core_model::cortex_a72); }},
        {{"arm,pl011"}, "Arm PL011 UART (output to stdout or socsim,output)", make_pl011},
        {{"snps,dw-apb-uart"}, "DesignWare APB UART (16550 registers, USR; output to stdout or socsim,output)",
         [](model_context& c) { return make_uart_16550(c, true); }},
        {{"ns16550a", "ns16550"}, "16550 UART (output to stdout or socsim,output)",
         [](model_context& c) { return make_uart_16550(c, false); }},
        {{"socsim,sim-control"}, "socsim simulation control (exit, putchar)", make_sim_control},
        {{"socsim,rom"}, "read-only memory (boot flash in read-array mode; --bios loads it)", make_rom},
        {{"fixed-clock"}, "fixed clock source (nothing to simulate)", nullptr},
        {{"arm,psci-1.0", "arm,psci-0.2", "arm,psci"}, "PSCI firmware interface (answered by the CPU model)", nullptr},
        {{"arm,armv8-timer"}, "Arm generic timer (system registers of the CPU model)", nullptr},
    };
}

} // namespace socsim::platform
