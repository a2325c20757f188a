#include "models/irq/gic_v2.h"

#include <algorithm>
#include <sstream>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/irq/gic_v2m.h"

namespace socsim::irq {
namespace {

// Distributor register offsets (IHI 0048B, 4.1.2).
constexpr uint64_t GICD_CTLR = 0x000, GICD_TYPER = 0x004, GICD_IIDR = 0x008, GICD_IGROUPR = 0x080,
                   GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180, GICD_ISPENDR = 0x200, GICD_ICPENDR = 0x280,
                   GICD_ISACTIVER = 0x300, GICD_ICACTIVER = 0x380, GICD_IPRIORITYR = 0x400,
                   GICD_ITARGETSR = 0x800, GICD_ICFGR = 0xc00, GICD_SGIR = 0xf00, GICD_CPENDSGIR = 0xf10,
                   GICD_SPENDSGIR = 0xf20, GICD_PIDR4 = 0xfd0;
// CPU interface register offsets (IHI 0048B, 4.1.3).
constexpr uint64_t GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0c, GICC_EOIR = 0x10,
                   GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1c, GICC_AIAR = 0x20, GICC_AEOIR = 0x24,
                   GICC_AHPPIR = 0x28, GICC_APR = 0xd0, GICC_NSAPR = 0xe0, GICC_IIDR = 0xfc, GICC_DIR = 0x1000;

// GICC_CTLR bits in a GIC without the Security Extensions.
constexpr uint32_t CTLR_GRP0 = 1u << 0, CTLR_GRP1 = 1u << 1, CTLR_ACKCTL = 1u << 2, CTLR_FIQEN = 1u << 3,
                   CTLR_CBPR = 1u << 4, CTLR_EOIMODE = 1u << 9, CTLR_WRITABLE = 0x3ff;

constexpr uint32_t GICD_IIDR_GIC400 = 0x0200143b, GICC_IIDR_GIC400 = 0x0202143b;
// PIDR4..7, PIDR0..3, CIDR0..3 of a GIC-400 distributor.
constexpr uint8_t gic400_ids[12] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

const char* trigger_name(unsigned t) {
    switch (t) {
    case 1: return "edge rising";
    case 2: return "edge falling";
    case 4: return "level high";
    case 8: return "level low";
    default: return "?";
    }
}

} // namespace

gic_v2::gic_v2(sc_core::sc_module_name name, const config& cfg)
    : sc_module(name), distributor("distributor"), cpu_interface("cpu_interface"), cfg_(cfg),
      dist_(std::string(this->name()) + ".gicd", core::register_file::unmapped::read_zero_write_ignore),
      cpuif_(std::string(this->name()) + ".gicc", core::register_file::unmapped::read_zero_write_ignore),
      log_(this->name()) {
    const std::string me = this->name();
    if (cfg_.num_irqs < 32 || cfg_.num_irqs > 1020 || (cfg_.num_irqs % 32 != 0 && cfg_.num_irqs != 1020))
        throw core::config_error(me + ": " + std::to_string(cfg_.num_irqs) +
                                 " interrupts: a GICv2 has a multiple of 32 from 32 to 992, or 1020");
    if (cfg_.num_cpus < 1 || cfg_.num_cpus > 8)
        throw core::config_error(me + ": " + std::to_string(cfg_.num_cpus) + " CPU interfaces: a GICv2 has 1 to 8");
    if (cfg_.priority_bits < 4 || cfg_.priority_bits > 8)
        throw core::config_error(me + ": " + std::to_string(cfg_.priority_bits) +
                                 " priority bits: a GICv2 implements 4 to 8");
    if (cfg_.unmodelled_regions > 2)
        throw core::config_error(me + ": at most two regions (GICH, GICV) beyond the distributor and CPU interface");
    priority_mask_ = static_cast<uint8_t>(0xff << (8 - cfg_.priority_bits));
    level_bits_ = std::min(cfg_.priority_bits, 7u);
    min_bpr_ = 7 - level_bits_;

    spis_.resize(cfg_.num_irqs);
    spi_inputs_.resize(cfg_.num_irqs);
    cpus_.resize(cfg_.num_cpus);
    warned_level_msi_.assign(cfg_.num_irqs, false);
    for (auto& c : cpus_) {
        for (unsigned id = 0; id < 16; ++id) {
            c.banked[id].enabled = true;  // SGIs are always enabled
            c.banked[id].edge = true;
        }
        c.bpr = static_cast<uint8_t>(min_bpr_);
        c.abpr = static_cast<uint8_t>(std::min(min_bpr_ + 1, 7u));
    }
    declare_distributor();
    declare_cpu_interface();

    distributor.register_b_transport(this, &gic_v2::dist_b_transport);
    distributor.register_transport_dbg(this, &gic_v2::dist_transport_dbg);
    cpu_interface.register_b_transport(this, &gic_v2::cpu_b_transport);
    cpu_interface.register_transport_dbg(this, &gic_v2::cpu_transport_dbg);
    const char* region_names[2] = {"gich", "gicv"};
    for (unsigned i = 0; i < cfg_.unmodelled_regions; ++i)
        unmodelled_.push_back(
            std::make_unique<core::peripheral>(region_names[i], core::register_file::unmapped::read_zero_write_ignore));
}

gic_v2::~gic_v2() = default;

// ---------------------------------------------------------------------------------------------
// Register declarations

template <typename F>
void gic_v2::for_each_bit(unsigned index, uint32_t value, F f) {
    for (unsigned b = 0; b < 32; ++b)
        if ((value >> b) & 1) {
            unsigned id = 32 * index + b;
            if (implemented(id)) f(id);
        }
}

uint32_t gic_v2::read_bits(unsigned index, bool (gic_v2::*bit)(unsigned cpu, unsigned id) const) const {
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; ++b) {
        unsigned id = 32 * index + b;
        if (implemented(id) && (this->*bit)(cpu_, id)) v |= 1u << b;
    }
    return v;
}

bool gic_v2::bit_enabled(unsigned cpu, unsigned id) const { return state(cpu, id).enabled; }

void gic_v2::declare_distributor() {
    const unsigned lines = (cfg_.num_irqs + 31) / 32;
    dist_.add("CTLR", GICD_CTLR, 4)
        .on_read([this](const core::reg&, bool) { return uint64_t{gicd_ctlr_}; })
        .on_write([this](core::reg&, uint64_t, uint64_t now) {
            gicd_ctlr_ = static_cast<uint32_t>(now & 3);
            update();
        });
    const uint32_t typer = (lines - 1) | ((cfg_.num_cpus - 1) << 5);
    dist_.add("TYPER", GICD_TYPER, 4).reset_value(typer).read_only();
    dist_.add("IIDR", GICD_IIDR, 4).reset_value(GICD_IIDR_GIC400).read_only();

    dist_.add_array("IGROUPR", GICD_IGROUPR, 4, lines, 4, [this](core::reg& r) {
        r.on_read([this](const core::reg& me, bool) { return uint64_t{read_bits(me.index(), &gic_v2::bit_group1)}; })
            .on_write([this](core::reg& me, uint64_t, uint64_t now) {
                for (unsigned b = 0; b < 32; ++b) {
                    unsigned id = 32 * me.index() + b;
                    if (implemented(id)) state(cpu_, id).group1 = (now >> b) & 1;
                }
                update();
            });
    });
    auto set_clear = [&](const char* set_name, uint64_t set_off, const char* clear_name, uint64_t clear_off,
                         bool (gic_v2::*bit)(unsigned, unsigned) const, std::function<void(unsigned id, bool set)> apply) {
        for (int set = 1; set >= 0; --set)
            dist_.add_array(set ? set_name : clear_name, set ? set_off : clear_off, 4, lines, 4,
                            [this, bit, apply, set](core::reg& r) {
                                r.on_read([this, bit](const core::reg& me, bool) { return uint64_t{read_bits(me.index(), bit)}; })
                                    .on_write([this, apply, set](core::reg& me, uint64_t, uint64_t now) {
                                        for_each_bit(me.index(), static_cast<uint32_t>(now),
                                                     [&](unsigned id) { apply(id, set != 0); });
                                        me.set(0);
                                        update();
                                    });
                            });
    };
    set_clear("ISENABLER", GICD_ISENABLER, "ICENABLER", GICD_ICENABLER, &gic_v2::bit_enabled, [this](unsigned id, bool set) {
        if (id >= 16) state(cpu_, id).enabled = set;  // SGIs stay enabled
    });
    set_clear("ISPENDR", GICD_ISPENDR, "ICPENDR", GICD_ICPENDR, &gic_v2::bit_pending, [this](unsigned id, bool set) {
        if (id >= 16) state(cpu_, id).latched = set;  // SGIs: through SPENDSGIR/CPENDSGIR
    });
    set_clear("ISACTIVER", GICD_ISACTIVER, "ICACTIVER", GICD_ICACTIVER, &gic_v2::bit_active,
              [this](unsigned id, bool set) { state(cpu_, id).active = set; });

    // Byte-accessible arrays: one byte per interrupt.
    dist_.add_array("IPRIORITYR", GICD_IPRIORITYR, 4, lines * 8, 4, [this](core::reg& r) {
        r.access_sizes({1, 4})
            .on_read([this](const core::reg& me, bool) {
                uint64_t v = 0;
                for (unsigned k = 0; k < 4; ++k) {
                    unsigned id = 4 * me.index() + k;
                    if (implemented(id)) v |= uint64_t{state(cpu_, id).priority} << (8 * k);
                }
                return v;
            })
            .on_write([this](core::reg& me, uint64_t, uint64_t now) {
                for (unsigned k = 0; k < 4; ++k) {
                    unsigned id = 4 * me.index() + k;
                    if (implemented(id)) state(cpu_, id).priority = static_cast<uint8_t>(now >> (8 * k)) & priority_mask_;
                }
                update();
            });
    });
    dist_.add_array("ITARGETSR", GICD_ITARGETSR, 4, lines * 8, 4, [this](core::reg& r) {
        r.access_sizes({1, 4})
            .on_read([this](const core::reg& me, bool) {
                uint64_t v = 0;
                if (cfg_.num_cpus == 1) return v;  // uniprocessor: RAZ/WI
                for (unsigned k = 0; k < 4; ++k) {
                    unsigned id = 4 * me.index() + k;
                    if (!implemented(id)) continue;
                    uint8_t t = id < 32 ? static_cast<uint8_t>(1u << cpu_) : spis_[id].targets;
                    v |= uint64_t{t} << (8 * k);
                }
                return v;
            })
            .on_write([this](core::reg& me, uint64_t, uint64_t now) {
                if (cfg_.num_cpus == 1) return;
                const uint8_t cpu_bits = static_cast<uint8_t>((1u << cfg_.num_cpus) - 1);
                for (unsigned k = 0; k < 4; ++k) {
                    unsigned id = 4 * me.index() + k;
                    if (id >= 32 && implemented(id)) spis_[id].targets = static_cast<uint8_t>(now >> (8 * k)) & cpu_bits;
                }
                update();
            });
    });
    dist_.add_array("ICFGR", GICD_ICFGR, 4, lines * 2, 4, [this](core::reg& r) {
        r.on_read([this](const core::reg& me, bool) {
             uint64_t v = 0;
             for (unsigned k = 0; k < 16; ++k) {
                 unsigned id = 16 * me.index() + k;
                 if (implemented(id) && state(cpu_, id).edge) v |= uint64_t{2} << (2 * k);
             }
             return v;
         }).on_write([this](core::reg& me, uint64_t, uint64_t now) {
            for (unsigned k = 0; k < 16; ++k) {
                unsigned id = 16 * me.index() + k;
                if (id >= 32 && implemented(id)) spis_[id].edge = (now >> (2 * k + 1)) & 1;  // SGI/PPI: read-only
            }
            update();
        });
    });
    dist_.add("SGIR", GICD_SGIR, 4).write_only().on_write([this](core::reg& me, uint64_t, uint64_t now) {
        send_sgi(static_cast<uint32_t>(now));
        me.set(0);
    });
    for (int set = 0; set <= 1; ++set)
        dist_.add_array(set ? "SPENDSGIR" : "CPENDSGIR", set ? GICD_SPENDSGIR : GICD_CPENDSGIR, 4, 4, 4,
                        [this, set](core::reg& r) {
                            r.access_sizes({1, 4})
                                .on_read([this](const core::reg& me, bool) {
                                    uint64_t v = 0;
                                    for (unsigned k = 0; k < 4; ++k)
                                        v |= uint64_t{cpus_[cpu_].sgi_sources[4 * me.index() + k]} << (8 * k);
                                    return v;
                                })
                                .on_write([this, set](core::reg& me, uint64_t, uint64_t now) {
                                    // The register holds zero between writes, so `now` has the
                                    // written bytes and zeros elsewhere.
                                    const uint8_t cpu_bits = static_cast<uint8_t>((1u << cfg_.num_cpus) - 1);
                                    for (unsigned k = 0; k < 4; ++k) {
                                        uint8_t bits = static_cast<uint8_t>(now >> (8 * k)) & cpu_bits;
                                        uint8_t& src = cpus_[cpu_].sgi_sources[4 * me.index() + k];
                                        src = set ? (src | bits) : (src & ~bits);
                                    }
                                    me.set(0);
                                    update();
                                });
                        });
    const char* id_names[12] = {"PIDR4", "PIDR5", "PIDR6", "PIDR7", "PIDR0", "PIDR1",
                                "PIDR2", "PIDR3", "CIDR0", "CIDR1", "CIDR2", "CIDR3"};
    for (unsigned i = 0; i < 12; ++i) dist_.add(id_names[i], GICD_PIDR4 + 4 * i, 4).reset_value(gic400_ids[i]).read_only();
}

void gic_v2::declare_cpu_interface() {
    cpuif_.add("CTLR", GICC_CTLR, 4)
        .on_read([this](const core::reg&, bool) { return uint64_t{cpus_[cpu_].ctlr}; })
        .on_write([this](core::reg&, uint64_t, uint64_t now) {
            cpus_[cpu_].ctlr = static_cast<uint32_t>(now) & CTLR_WRITABLE;
            update();
        });
    cpuif_.add("PMR", GICC_PMR, 4)
        .on_read([this](const core::reg&, bool) { return uint64_t{cpus_[cpu_].pmr}; })
        .on_write([this](core::reg&, uint64_t, uint64_t now) {
            cpus_[cpu_].pmr = static_cast<uint8_t>(now) & priority_mask_;
            update();
        });
    cpuif_.add("BPR", GICC_BPR, 4)
        .on_read([this](const core::reg&, bool) { return uint64_t{cpus_[cpu_].bpr}; })
        .on_write([this](core::reg&, uint64_t, uint64_t now) {
            cpus_[cpu_].bpr = static_cast<uint8_t>(std::max<unsigned>(now & 7, min_bpr_));
            update();
        });
    cpuif_.add("ABPR", GICC_ABPR, 4)
        .on_read([this](const core::reg&, bool) { return uint64_t{cpus_[cpu_].abpr}; })
        .on_write([this](core::reg&, uint64_t, uint64_t now) {
            cpus_[cpu_].abpr = static_cast<uint8_t>(std::max<unsigned>(now & 7, std::min(min_bpr_ + 1, 7u)));
            update();
        });
    for (int alias = 0; alias <= 1; ++alias) {
        cpuif_.add(alias ? "AIAR" : "IAR", alias ? GICC_AIAR : GICC_IAR, 4)
            .read_only()
            .on_read([this, alias](const core::reg&, bool debug) { return uint64_t{acknowledge(cpu_, alias, debug)}; });
        cpuif_.add(alias ? "AEOIR" : "EOIR", alias ? GICC_AEOIR : GICC_EOIR, 4)
            .write_only()
            .on_write([this, alias](core::reg& me, uint64_t, uint64_t now) {
                end_of_interrupt(cpu_, static_cast<uint32_t>(now), alias);
                me.set(0);
            });
        cpuif_.add(alias ? "AHPPIR" : "HPPIR", alias ? GICC_AHPPIR : GICC_HPPIR, 4)
            .read_only()
            .on_read([this, alias](const core::reg&, bool) { return uint64_t{hppir(cpu_, alias)}; });
    }
    cpuif_.add("RPR", GICC_RPR, 4).read_only().on_read([this](const core::reg&, bool) {
        return uint64_t{std::min(running_priority(cpus_[cpu_]), 0xffu)};
    });
    const unsigned levels = 1u << level_bits_;
    cpuif_.add_array("APR", GICC_APR, 4, 4, 4, [this, levels](core::reg& r) {
        r.on_read([this, levels](const core::reg& me, bool) {
             uint64_t v = 0;
             for (unsigned b = 0; b < 32; ++b) {
                 unsigned level = 32 * me.index() + b;
                 if (level < levels && cpus_[cpu_].active_priorities[level << (8 - level_bits_)]) v |= uint64_t{1} << b;
             }
             return v;
         }).on_write([this, levels](core::reg& me, uint64_t, uint64_t now) {
            for (unsigned b = 0; b < 32; ++b) {
                unsigned level = 32 * me.index() + b;
                if (level < levels) cpus_[cpu_].active_priorities[level << (8 - level_bits_)] = (now >> b) & 1;
            }
            update();
        });
    });
    cpuif_.add_array("NSAPR", GICC_NSAPR, 4, 4, 4, [](core::reg& r) { r.read_only(); });
    cpuif_.add("IIDR", GICC_IIDR, 4).reset_value(GICC_IIDR_GIC400).read_only();
    cpuif_.add("DIR", GICC_DIR, 4).write_only().on_write([this](core::reg& me, uint64_t, uint64_t now) {
        const unsigned id = static_cast<unsigned>(now) & 0x3ff;
        if (!(cpus_[cpu_].ctlr & CTLR_EOIMODE))
            SOCSIM_LOG(log_, debug, "GICC_DIR write for ID " << id << " with GICC_CTLR.EOImode = 0");
        deactivate(cpu_, id);
        me.set(0);
    });
}

// ---------------------------------------------------------------------------------------------
// TLM

void gic_v2::serve(core::register_file& regs, tlm::tlm_generic_payload& p, bool debug) {
    const unsigned cpu = cpu_of_ ? cpu_of_(p) : 0;
    if (cpu >= cfg_.num_cpus) {
        log_.warning("access at offset " + core::hex(p.get_address()) + " by " + core::initiator_of(p) +
                     " names core " + std::to_string(cpu) + "; the GIC has " + std::to_string(cfg_.num_cpus) +
                     " CPU interface(s)");
        p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    cpu_ = cpu;
    // Byte writes merge into the register's stored value: make it the accessing core's view.
    if (p.is_write() && !debug && &regs == &dist_) {
        const uint64_t a = p.get_address();
        if ((a >= GICD_IPRIORITYR && a < GICD_ITARGETSR) || (a >= GICD_ITARGETSR && a < GICD_ICFGR))
            if (core::reg* r = regs.find(a)) r->set(r->read(0, 4, true));
    }
    regs.access(p, debug);
}

void gic_v2::dist_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) { serve(dist_, p, false); }
unsigned gic_v2::dist_transport_dbg(tlm::tlm_generic_payload& p) {
    serve(dist_, p, true);
    return p.is_response_ok() ? p.get_data_length() : 0;
}
void gic_v2::cpu_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) { serve(cpuif_, p, false); }
unsigned gic_v2::cpu_transport_dbg(tlm::tlm_generic_payload& p) {
    serve(cpuif_, p, true);
    return p.is_response_ok() ? p.get_data_length() : 0;
}

tlm::tlm_target_socket<>& gic_v2::unmodelled_region(unsigned i) {
    if (i >= unmodelled_.size()) throw std::out_of_range(std::string(name()) + ": no unmodelled region " + std::to_string(i));
    return unmodelled_[i]->socket;
}

// ---------------------------------------------------------------------------------------------
// Prioritization

bool gic_v2::pending(unsigned cpu, unsigned id) const {
    if (id < 16) return cpus_[cpu].sgi_sources[id] != 0;
    const irq_state& s = state(cpu, id);
    return s.latched || (!s.edge && s.line);
}

bool gic_v2::targets_cpu(unsigned cpu, unsigned id) const {
    if (id < 32 || cfg_.num_cpus == 1) return true;
    return (spis_[id].targets >> cpu) & 1;
}

uint8_t gic_v2::group_priority(const cpu_state& c, unsigned priority, bool group1) const {
    unsigned mask = (group1 && !(c.ctlr & CTLR_CBPR)) ? (0xffu << c.abpr) : (0xffu << (c.bpr + 1));
    return static_cast<uint8_t>(priority & mask & priority_mask_);
}

unsigned gic_v2::running_priority(const cpu_state& c) const {
    for (unsigned g = 0; g < 256; ++g)
        if (c.active_priorities[g]) return g;
    return 0x100;  // idle
}

gic_v2::candidate gic_v2::highest_pending(unsigned cpu) const {
    candidate best;
    const uint32_t groups = gicd_ctlr_ & cpus_[cpu].ctlr & (CTLR_GRP0 | CTLR_GRP1);
    if (!groups) return best;
    for (unsigned id = 0; id < cfg_.num_irqs && id < 1020; ++id) {
        const irq_state& s = state(cpu, id);
        if (!s.enabled || s.active || !(groups & (s.group1 ? CTLR_GRP1 : CTLR_GRP0))) continue;
        if (!pending(cpu, id) || !targets_cpu(cpu, id)) continue;
        if (s.priority < best.priority) best = {id, s.priority, s.group1};
    }
    return best;
}

gic_v2::candidate gic_v2::signalled(unsigned cpu) const {
    const cpu_state& c = cpus_[cpu];
    candidate best = highest_pending(cpu);
    if (best.id == spurious) return best;
    if (best.priority >= c.pmr || group_priority(c, best.priority, best.group1) >= running_priority(c)) return {};
    return best;
}

uint32_t gic_v2::acknowledge(unsigned cpu, bool alias, bool debug) {
    cpu_state& c = cpus_[cpu];
    candidate best = signalled(cpu);
    if (best.id == spurious) return spurious;
    if (alias && !best.group1) return spurious;            // AIAR: Group 1 only
    if (!alias && best.group1 && !(c.ctlr & CTLR_ACKCTL)) return 1022;
    uint32_t value = best.id;
    unsigned source = 0;
    if (best.id < 16) {
        uint8_t src = c.sgi_sources[best.id];
        while (!((src >> source) & 1)) ++source;
        value |= source << 10;
    }
    if (debug) return value;
    irq_state& s = state(cpu, best.id);
    if (best.id < 16)
        c.sgi_sources[best.id] &= static_cast<uint8_t>(~(1u << source));
    else
        s.latched = false;  // a level-sensitive input still high keeps it pending
    s.active = true;
    c.active_priorities[group_priority(c, best.priority, best.group1)] = true;
    SOCSIM_LOG(log_, trace, "core " << cpu << " acknowledges ID " << best.id << " (priority " << best.priority << ")");
    update();
    return value;
}

void gic_v2::end_of_interrupt(unsigned cpu, uint32_t value, bool alias) {
    cpu_state& c = cpus_[cpu];
    const unsigned id = value & 0x3ff;
    if (id >= 1020) return;  // the special IDs need no end of interrupt
    const unsigned running = running_priority(c);
    if (running > 0xff) {
        log_.warning(std::string(alias ? "GICC_AEOIR" : "GICC_EOIR") + " for ID " + std::to_string(id) + " on core " +
                     std::to_string(cpu) + " with no active interrupt: ignored");
        return;
    }
    c.active_priorities[running] = false;  // priority drop
    if (!(c.ctlr & CTLR_EOIMODE)) deactivate(cpu, id);
    update();
}

void gic_v2::deactivate(unsigned cpu, unsigned id) {
    if (!implemented(id)) {
        SOCSIM_LOG(log_, debug, "deactivation of unimplemented ID " << id << " ignored");
        return;
    }
    irq_state& s = state(cpu, id);
    if (!s.active) SOCSIM_LOG(log_, debug, "deactivation of ID " << id << ", which is not active");
    s.active = false;
    update();
}

uint32_t gic_v2::hppir(unsigned cpu, bool alias) const {
    const cpu_state& c = cpus_[cpu];
    candidate best = highest_pending(cpu);
    if (best.id == spurious) return spurious;
    if (alias && !best.group1) return spurious;
    if (!alias && best.group1 && !(c.ctlr & CTLR_ACKCTL)) return 1022;
    uint32_t value = best.id;
    if (best.id < 16) {
        unsigned source = 0;
        while (!((c.sgi_sources[best.id] >> source) & 1)) ++source;
        value |= source << 10;
    }
    return value;
}

void gic_v2::update() {
    for (unsigned cpu = 0; cpu < cfg_.num_cpus; ++cpu) {
        cpu_state& c = cpus_[cpu];
        candidate best = signalled(cpu);
        const bool any = best.id != spurious;
        const bool fiq = any && !best.group1 && (c.ctlr & CTLR_FIQEN);
        c.irq.set(any && !fiq);
        c.fiq.set(fiq);
    }
}

void gic_v2::send_sgi(uint32_t value) {
    const unsigned id = value & 0xf;
    const unsigned filter = (value >> 24) & 3;
    const unsigned all = (1u << cfg_.num_cpus) - 1;
    unsigned targets = 0;
    switch (filter) {
    case 0: targets = (value >> 16) & 0xff & all; break;
    case 1: targets = all & ~(1u << cpu_); break;
    case 2: targets = 1u << cpu_; break;
    default:
        log_.warning("GICD_SGIR write " + core::hex(value) + " with the reserved target list filter 3: ignored");
        return;
    }
    for (unsigned t = 0; t < cfg_.num_cpus; ++t)
        if ((targets >> t) & 1) cpus_[t].sgi_sources[id] |= static_cast<uint8_t>(1u << cpu_);
    SOCSIM_LOG(log_, trace, "SGI " << id << " from core " << cpu_ << " to cores " << core::hex(targets));
    update();
}

// ---------------------------------------------------------------------------------------------
// Inputs

void gic_v2::pulse_spi(unsigned intid) {
    if (intid < 32 || !implemented(intid)) {
        log_.warning("pulse on SPI ID " + std::to_string(intid) + ", which this GIC does not have: ignored");
        return;
    }
    irq_state& s = spis_[intid];
    if (!s.edge) {
        if (!warned_level_msi_[intid]) {
            warned_level_msi_[intid] = true;
            log_.warning("ID " + std::to_string(intid) +
                         " received a pulse (an MSI) while configured level-sensitive in GICD_ICFGR: the pulse is lost, "
                         "as on hardware; MSIs need edge-triggered SPIs");
        }
        return;
    }
    s.latched = true;
    update();
}

gic_v2::parsed_specifier gic_v2::parse(const std::vector<uint32_t>& spec) const {
    auto fail = [&](const std::string& why) -> parsed_specifier {
        throw core::config_error("interrupt specifier " + specifier_text(spec) + " for " + std::string(name()) + ": " + why);
    };
    if (spec.size() != 3)
        return fail(std::to_string(spec.size()) + " cells; the GIC takes 3 (type, number, flags)");
    const unsigned type = spec[0], number = spec[1], trigger = spec[2] & 0xf;
    if (type == 0) {
        const unsigned spis = cfg_.num_irqs - 32;
        if (number >= spis || number + 32 >= 1020)
            return fail("SPI " + std::to_string(number) + " does not exist: the GIC has " + std::to_string(spis) +
                        " SPIs (0.." + std::to_string(spis - 1) + ", socsim,num-irqs = " + std::to_string(cfg_.num_irqs) + ")");
        if (trigger != 1 && trigger != 4)
            return fail("trigger type " + std::to_string(trigger) + ": an SPI is edge rising (1) or level high (4)");
        return {number + 32, 0, trigger};
    }
    if (type == 1) {
        if (number >= 16) return fail("PPI " + std::to_string(number) + " does not exist (PPIs are 0..15)");
        if (trigger != 1 && trigger != 2 && trigger != 4 && trigger != 8)
            return fail("trigger type " + std::to_string(trigger) + ": a PPI is edge (1, 2) or level (4, 8)");
        const unsigned all = (1u << cfg_.num_cpus) - 1;
        unsigned mask = (spec[2] >> 8) & 0xff;
        if (mask == 0) mask = all;
        if (!(mask & all))
            return fail("the PPI CPU mask " + core::hex(mask) + " names no core of this GIC (" +
                        std::to_string(cfg_.num_cpus) + " CPU interface(s))");
        return {number + 16, mask & all, trigger};
    }
    return fail("type " + std::to_string(type) + ": the GIC has SPIs (0) and PPIs (1)");
}

gic_v2::parsed_specifier gic_v2::parse_for(const std::vector<uint32_t>& specifier, const std::string& who) const {
    try {
        return parse(specifier);
    } catch (const core::config_error& e) {
        throw core::config_error(who + ": " + e.what());
    }
}

void gic_v2::connect(const std::vector<uint32_t>& specifier, core::irq_line& source, const std::string& who) {
    const parsed_specifier ps = parse_for(specifier, who);
    if (ps.id >= 32) {
        attach_source(spi_inputs_[ps.id], source, 0, ps.id);
    } else {
        for (unsigned cpu = 0; cpu < cfg_.num_cpus; ++cpu)
            if ((ps.cpu_mask >> cpu) & 1) attach_source(cpus_[cpu].ppi_inputs[ps.id - 16], source, cpu, ps.id);
    }
    SOCSIM_LOG(log_, debug, who << " drives " << describe(specifier));
}

void gic_v2::connect_for_core(unsigned cpu, const std::vector<uint32_t>& specifier, core::irq_line& source,
                              const std::string& who) {
    const parsed_specifier ps = parse_for(specifier, who);
    if (ps.id >= 32) return connect(specifier, source, who);
    if (cpu >= cfg_.num_cpus)
        throw core::config_error(who + ": core " + std::to_string(cpu) + " has no CPU interface on " + name());
    // A core's own source (its timer) is wired to its own PPI whatever the specifier's core mask
    // says: the binding's mask describes the platform, and Linux does not use it either.
    attach_source(cpus_[cpu].ppi_inputs[ps.id - 16], source, cpu, ps.id);
    SOCSIM_LOG(log_, debug, who << " drives core " << cpu << "'s " << describe(specifier));
}

void gic_v2::attach_source(input& in, core::irq_line& source, unsigned cpu, unsigned id) {
    in.sources.push_back(&source);
    source.on_change([this, &in, cpu, id](bool) { input_changed(in, cpu, id); });
    input_changed(in, cpu, id);
}

void gic_v2::input_changed(input& in, unsigned cpu, unsigned id) {
    const bool now = std::any_of(in.sources.begin(), in.sources.end(), [](const core::irq_line* l) { return l->level(); });
    if (now == in.level) return;
    in.level = now;
    irq_state& s = state(cpu, id);
    s.line = now;
    if (now && s.edge) s.latched = true;
    update();
}

std::string gic_v2::describe(const std::vector<uint32_t>& specifier) const {
    try {
        parsed_specifier ps = parse(specifier);
        std::ostringstream os;
        if (ps.id >= 32)
            os << "SPI " << ps.id - 32 << " (ID " << ps.id << "), " << trigger_name(ps.trigger);
        else
            os << "PPI " << ps.id - 16 << " (ID " << ps.id << "), " << trigger_name(ps.trigger) << ", cores "
               << core::hex(ps.cpu_mask);
        return os.str();
    } catch (const core::config_error& e) {
        return std::string("invalid: ") + e.what();
    }
}

core::irq_line& gic_v2::cpu_irq(unsigned cpu) {
    if (cpu >= cfg_.num_cpus)
        throw core::config_error(std::string(name()) + " has " + std::to_string(cfg_.num_cpus) +
                                 " CPU interface(s); core " + std::to_string(cpu) + " has none");
    return cpus_[cpu].irq;
}

core::irq_line& gic_v2::cpu_fiq(unsigned cpu) {
    if (cpu >= cfg_.num_cpus)
        throw core::config_error(std::string(name()) + " has " + std::to_string(cfg_.num_cpus) +
                                 " CPU interface(s); core " + std::to_string(cpu) + " has none");
    return cpus_[cpu].fiq;
}

gic_v2m& gic_v2::adopt_msi_frame(std::unique_ptr<gic_v2m> frame) {
    frame->attach(*this);
    frames_.push_back(std::move(frame));
    return *frames_.back();
}

} // namespace socsim::irq
