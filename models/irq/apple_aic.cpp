#include "models/irq/apple_aic.h"

#include <algorithm>
#include <sstream>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"

namespace socsim::irq {
namespace {

// AIC v1 register offsets (docs/hardware/apple-aic.md).
constexpr uint64_t AIC_INFO = 0x0004, AIC_CONFIG = 0x0010, AIC_WHOAMI = 0x2000, AIC_EVENT = 0x2004,
                   AIC_IPI_SEND = 0x2008, AIC_IPI_ACK = 0x200c, AIC_IPI_MASK_SET = 0x2024,
                   AIC_IPI_MASK_CLR = 0x2028, AIC_TARGET_CPU = 0x3000, AIC_SW_SET = 0x4000, AIC_SW_CLR = 0x4080,
                   AIC_MASK_SET = 0x4100, AIC_MASK_CLR = 0x4180, AIC_HW_STATE = 0x4200, AIC_CPU_BASE = 0x5000,
                   AIC_CPU_STRIDE = 0x80, AIC_CPU_IPI_SET = 0x08, AIC_CPU_IPI_CLR = 0x0c, AIC_CPU_IPI_MASK_SET = 0x24,
                   AIC_CPU_IPI_MASK_CLR = 0x28;
constexpr unsigned max_irqs = 1024, max_cpus = 16;
constexpr uint32_t ipi_bits = apple_aic::ipi_other | apple_aic::ipi_self;

const char* fiq_names[apple_aic::num_fiqs] = {"HV physical timer", "HV virtual timer", "guest physical timer",
                                             "guest virtual timer", "PMU (efficiency cores)", "PMU (performance cores)"};

} // namespace

apple_aic::apple_aic(sc_core::sc_module_name name, const config& cfg)
    : sc_module(name), socket("socket"), cfg_(cfg), regs_(this->name()), log_(this->name()) {
    if (cfg_.num_irqs < 1 || cfg_.num_irqs > max_irqs)
        throw core::config_error(std::string(this->name()) + ": " + std::to_string(cfg_.num_irqs) +
                                 " IRQs: an AIC has 1 to 1024");
    if (cfg_.num_cpus < 1 || cfg_.num_cpus > max_cpus)
        throw core::config_error(std::string(this->name()) + ": " + std::to_string(cfg_.num_cpus) +
                                 " cores: the model supports 1 to 16");
    irqs_.resize(cfg_.num_irqs);
    cpus_.resize(cfg_.num_cpus);
    declare_registers();
    socket.register_b_transport(this, &apple_aic::b_transport);
    socket.register_transport_dbg(this, &apple_aic::transport_dbg);
}

void apple_aic::declare_registers() {
    regs_.add("INFO", AIC_INFO, 4).reset_value(cfg_.num_irqs).read_only();
    regs_.add("CONFIG", AIC_CONFIG, 4);
    regs_.add("WHOAMI", AIC_WHOAMI, 4).read_only().on_read([this](const core::reg&, bool) { return uint64_t{cpu_}; });
    regs_.add("EVENT", AIC_EVENT, 4).read_only().on_read([this](const core::reg&, bool debug) {
        return uint64_t{read_event(cpu_, debug)};
    });
    regs_.add("IPI_SEND", AIC_IPI_SEND, 4).write_only().on_write([this](core::reg& r, uint64_t, uint64_t now) {
        r.set(0);
        send_ipi(static_cast<uint32_t>(now));
    });
    // The "this core" IPI registers and their per-core views share these handlers.
    auto ipi_regs = [this](const std::string& prefix, uint64_t set_off, uint64_t clr_off, uint64_t mask_set_off,
                           uint64_t mask_clr_off, int fixed_cpu) {
        auto who = [this, fixed_cpu] { return fixed_cpu < 0 ? cpu_ : static_cast<unsigned>(fixed_cpu); };
        if (set_off)
            regs_.add(prefix + "IPI_SET", set_off, 4)
                .on_read([this, who](const core::reg&, bool) { return uint64_t{cpus_[who()].ipi_pending}; })
                .on_write([this, who](core::reg& r, uint64_t, uint64_t now) {
                    r.set(0);
                    cpus_[who()].ipi_pending |= static_cast<uint32_t>(now) & ipi_bits;
                    update();
                });
        regs_.add(prefix + (set_off ? "IPI_CLR" : "IPI_ACK"), clr_off, 4)
            .on_read([this, who](const core::reg&, bool) { return uint64_t{cpus_[who()].ipi_pending}; })
            .on_write([this, who](core::reg& r, uint64_t, uint64_t now) {
                r.set(0);
                cpus_[who()].ipi_pending &= ~static_cast<uint32_t>(now);
                update();
            });
        regs_.add(prefix + "IPI_MASK_SET", mask_set_off, 4)
            .on_read([this, who](const core::reg&, bool) { return uint64_t{cpus_[who()].ipi_mask}; })
            .on_write([this, who](core::reg& r, uint64_t, uint64_t now) {
                r.set(0);
                cpus_[who()].ipi_mask |= static_cast<uint32_t>(now) & ipi_bits;
                update();
            });
        regs_.add(prefix + "IPI_MASK_CLR", mask_clr_off, 4)
            .on_read([this, who](const core::reg&, bool) { return uint64_t{cpus_[who()].ipi_mask}; })
            .on_write([this, who](core::reg& r, uint64_t, uint64_t now) {
                r.set(0);
                cpus_[who()].ipi_mask &= ~static_cast<uint32_t>(now);
                update();
            });
    };
    ipi_regs("", 0, AIC_IPI_ACK, AIC_IPI_MASK_SET, AIC_IPI_MASK_CLR, -1);
    for (unsigned c = 0; c < cfg_.num_cpus; ++c) {
        const uint64_t base = AIC_CPU_BASE + c * AIC_CPU_STRIDE;
        ipi_regs("CPU" + std::to_string(c) + "_", base + AIC_CPU_IPI_SET, base + AIC_CPU_IPI_CLR,
                 base + AIC_CPU_IPI_MASK_SET, base + AIC_CPU_IPI_MASK_CLR, static_cast<int>(c));
    }

    const uint32_t cpu_bits = (1u << cfg_.num_cpus) - 1;
    regs_.add_array("TARGET_CPU", AIC_TARGET_CPU, 4, cfg_.num_irqs, 4, [this, cpu_bits](core::reg& r) {
        r.on_read([this](const core::reg& me, bool) { return uint64_t{irqs_[me.index()].targets}; })
            .on_write([this, cpu_bits](core::reg& me, uint64_t, uint64_t now) {
                irqs_[me.index()].targets = static_cast<uint32_t>(now) & cpu_bits;
                update();
            });
    });

    const unsigned words = (cfg_.num_irqs + 31) / 32;
    auto bit_array = [this, words](const char* name, uint64_t offset, bool (apple_aic::*bit)(unsigned) const,
                                   std::function<void(hw_irq&)> on_one) {
        regs_.add_array(name, offset, 4, words, 4, [this, bit, on_one](core::reg& r) {
            r.on_read([this, bit](const core::reg& me, bool) { return uint64_t{word(me.index(), bit)}; });
            if (!on_one) {
                r.read_only();
                return;
            }
            r.on_write([this, on_one](core::reg& me, uint64_t, uint64_t now) {
                me.set(0);
                for (unsigned b = 0; b < 32; ++b) {
                    unsigned irq = 32 * me.index() + b;
                    if (((now >> b) & 1) && irq < cfg_.num_irqs) on_one(irqs_[irq]);
                }
                update();
            });
        });
    };
    bit_array("SW_SET", AIC_SW_SET, &apple_aic::bit_sw, [](hw_irq& h) { h.sw = true; });
    bit_array("SW_CLR", AIC_SW_CLR, &apple_aic::bit_sw, [](hw_irq& h) { h.sw = false; });
    bit_array("MASK_SET", AIC_MASK_SET, &apple_aic::bit_masked, [](hw_irq& h) { h.masked = true; });
    bit_array("MASK_CLR", AIC_MASK_CLR, &apple_aic::bit_masked, [](hw_irq& h) { h.masked = false; });
    bit_array("HW_STATE", AIC_HW_STATE, &apple_aic::bit_hw, nullptr);
}

uint32_t apple_aic::word(unsigned index, bool (apple_aic::*bit)(unsigned) const) const {
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; ++b) {
        unsigned irq = 32 * index + b;
        if (irq < cfg_.num_irqs && (this->*bit)(irq)) v |= 1u << b;
    }
    return v;
}

void apple_aic::serve(tlm::tlm_generic_payload& p, bool debug) {
    const unsigned cpu = cpu_of_ ? cpu_of_(p) : 0;
    if (cpu >= cfg_.num_cpus) {
        log_.warning("access at offset " + core::hex(p.get_address()) + " by " + core::initiator_of(p) +
                     " names core " + std::to_string(cpu) + "; the AIC serves " + std::to_string(cfg_.num_cpus));
        p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    cpu_ = cpu;
    regs_.access(p, debug);
}

void apple_aic::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) { serve(p, false); }
unsigned apple_aic::transport_dbg(tlm::tlm_generic_payload& p) {
    serve(p, true);
    return p.is_response_ok() ? p.get_data_length() : 0;
}

uint32_t apple_aic::read_event(unsigned cpu, bool debug) {
    for (unsigned irq = 0; irq < cfg_.num_irqs; ++irq) {
        hw_irq& h = irqs_[irq];
        if (!deliverable(cpu, h)) continue;
        if (!debug) {
            h.masked = true;  // the AIC masks what it delivers
            h.held = false;
            SOCSIM_LOG(log_, trace, "core " << cpu << " takes IRQ " << irq);
            update();
        }
        return (event_irq << 16) | irq;
    }
    cpu_state& c = cpus_[cpu];
    const uint32_t ready = c.ipi_pending & ~c.ipi_mask;
    for (uint32_t bit : {ipi_other, ipi_self}) {
        if (!(ready & bit)) continue;
        if (!debug) {
            c.ipi_mask |= bit;
            update();
        }
        return (event_ipi << 16) | (bit == ipi_other ? 1u : 2u);
    }
    return 0;
}

void apple_aic::send_ipi(uint32_t value) {
    for (unsigned c = 0; c < cfg_.num_cpus; ++c)
        if ((value >> c) & 1) cpus_[c].ipi_pending |= ipi_other;
    if (value & ipi_self) cpus_[cpu_].ipi_pending |= ipi_self;
    const uint32_t unknown = value & ~ipi_self & ~((1u << cfg_.num_cpus) - 1);
    if (unknown)
        log_.warning("AIC_IPI_SEND " + core::hex(value) + " names cores this AIC does not have (" +
                     std::to_string(cfg_.num_cpus) + "): those bits are ignored");
    update();
}

void apple_aic::update() {
    for (unsigned c = 0; c < cfg_.num_cpus; ++c) {
        cpu_state& cs = cpus_[c];
        bool level = (cs.ipi_pending & ~cs.ipi_mask) != 0;
        for (unsigned irq = 0; !level && irq < cfg_.num_irqs; ++irq) level = deliverable(c, irqs_[irq]);
        cs.irq.set(level);
    }
}

void apple_aic::irq_source_changed(unsigned irq) {
    hw_irq& h = irqs_[irq];
    const bool now = std::any_of(h.sources.begin(), h.sources.end(), [](const core::irq_line* l) { return l->level(); });
    if (now == h.line) return;
    h.line = now;
    if (now && h.edge) h.held = true;
    update();
}

void apple_aic::fiq_source_changed(unsigned cpu) {
    cpu_state& c = cpus_[cpu];
    c.fiq.set(std::any_of(c.fiq_sources.begin(), c.fiq_sources.end(), [](const core::irq_line* l) { return l->level(); }));
}

apple_aic::parsed_specifier apple_aic::parse(const std::vector<uint32_t>& spec) const {
    auto fail = [&](const std::string& why) -> parsed_specifier {
        throw core::config_error("interrupt specifier " + specifier_text(spec) + " for " + std::string(name()) + ": " + why);
    };
    if (spec.size() != 3)
        return fail(std::to_string(spec.size()) + " cells; this AIC takes 3 (type, number, flags): it has one die");
    const unsigned type = spec[0], number = spec[1], flags = spec[2];
    if (type == 0) {
        if (number >= cfg_.num_irqs)
            return fail("IRQ " + std::to_string(number) + " does not exist: the AIC has " + std::to_string(cfg_.num_irqs) +
                        " (socsim,num-irqs)");
        if (flags != 4 && flags != 1) return fail("flags " + std::to_string(flags) + ": an IRQ is level high (4) or edge rising (1)");
        return {false, number, flags};
    }
    if (type == 1) {
        if (number >= num_fiqs)
            return fail("FIQ " + std::to_string(number) + " does not exist (0..3 timers, 4..5 PMU)");
        if (flags != 4) return fail("flags " + std::to_string(flags) + ": a FIQ is level high (4)");
        return {true, number, flags};
    }
    return fail("type " + std::to_string(type) + ": the AIC has IRQs (0) and FIQs (1)");
}

apple_aic::parsed_specifier apple_aic::parse_for(const std::vector<uint32_t>& specifier, const std::string& who) const {
    try {
        return parse(specifier);
    } catch (const core::config_error& e) {
        throw core::config_error(who + ": " + e.what());
    }
}

void apple_aic::connect(const std::vector<uint32_t>& specifier, core::irq_line& source, const std::string& who) {
    const parsed_specifier ps = parse_for(specifier, who);
    if (ps.fiq) {
        connect_fiq(0, ps.number, source);
    } else {
        hw_irq& h = irqs_[ps.number];
        if (ps.trigger == 1) h.edge = true;
        h.sources.push_back(&source);
        const unsigned irq = ps.number;
        source.on_change([this, irq](bool) { irq_source_changed(irq); });
        irq_source_changed(irq);
    }
    SOCSIM_LOG(log_, debug, who << " drives " << describe(specifier));
}

void apple_aic::connect_for_core(unsigned cpu, const std::vector<uint32_t>& specifier, core::irq_line& source,
                                 const std::string& who) {
    const parsed_specifier ps = parse_for(specifier, who);
    if (!ps.fiq) return connect(specifier, source, who);
    connect_fiq(cpu, ps.number, source);
    SOCSIM_LOG(log_, debug, who << " drives core " << cpu << "'s " << describe(specifier));
}

void apple_aic::connect_fiq(unsigned cpu, unsigned fiq, core::irq_line& source) {
    if (cpu >= cfg_.num_cpus || fiq >= num_fiqs)
        throw core::config_error(std::string(name()) + ": no FIQ " + std::to_string(fiq) + " on core " + std::to_string(cpu));
    cpus_[cpu].fiq_sources.push_back(&source);
    source.on_change([this, cpu](bool) { fiq_source_changed(cpu); });
    fiq_source_changed(cpu);
}

std::string apple_aic::describe(const std::vector<uint32_t>& specifier) const {
    try {
        parsed_specifier ps = parse(specifier);
        if (ps.fiq) return "FIQ " + std::to_string(ps.number) + " (" + fiq_names[ps.number] + "), level high, core 0";
        return "IRQ " + std::to_string(ps.number) + (ps.trigger == 4 ? ", level high" : ", edge rising");
    } catch (const core::config_error& e) {
        return std::string("invalid: ") + e.what();
    }
}

core::irq_line& apple_aic::cpu_irq(unsigned cpu) {
    if (cpu >= cfg_.num_cpus)
        throw core::config_error(std::string(name()) + " serves " + std::to_string(cfg_.num_cpus) + " core(s); core " +
                                 std::to_string(cpu) + " has no IRQ output");
    return cpus_[cpu].irq;
}

core::irq_line& apple_aic::cpu_fiq(unsigned cpu) {
    if (cpu >= cfg_.num_cpus)
        throw core::config_error(std::string(name()) + " serves " + std::to_string(cfg_.num_cpus) + " core(s); core " +
                                 std::to_string(cpu) + " has no FIQ output");
    return cpus_[cpu].fiq;
}

} // namespace socsim::irq
