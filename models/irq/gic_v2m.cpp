#include "models/irq/gic_v2m.h"

#include "models/core/config_error.h"
#include "models/irq/gic_v2.h"

namespace socsim::irq {
namespace {

constexpr uint64_t MSI_TYPER = 0x008, MSI_SETSPI_NS = 0x040, MSI_IIDR = 0xfcc;
constexpr uint32_t IIDR_QEMU = 0x51u << 20;  // product ID 'Q'

} // namespace

gic_v2m::gic_v2m(sc_core::sc_module_name name, const config& cfg)
    : peripheral(name, core::register_file::unmapped::read_zero_write_ignore), cfg_(cfg) {
    if (cfg_.num_spis < 1 || cfg_.num_spis > 1024 || cfg_.base_spi < 32 || cfg_.base_spi + cfg_.num_spis > 1020)
        throw core::config_error(std::string(this->name()) + ": MSI SPIs " + std::to_string(cfg_.base_spi) + " + " +
                                 std::to_string(cfg_.num_spis) + ": a frame's SPIs are IDs 32..1019");
    regs_.add("MSI_TYPER", MSI_TYPER, 4).reset_value((uint64_t{cfg_.base_spi} << 16) | cfg_.num_spis).read_only();
    regs_.add("MSI_SETSPI_NS", MSI_SETSPI_NS, 4)
        .access_sizes({2, 4})
        .write_only()
        .on_write([this](core::reg& r, uint64_t, uint64_t now) {
            r.set(0);  // nothing is kept: a 16-bit write carries the whole ID
            set_spi(static_cast<uint32_t>(now));
        });
    regs_.add("MSI_IIDR", MSI_IIDR, 4).reset_value(IIDR_QEMU).read_only();
}

void gic_v2m::attach(gic_v2& gic) {
    if (cfg_.base_spi + cfg_.num_spis > gic.num_irqs())
        throw core::config_error(std::string(name()) + ": MSI SPIs (IDs " + std::to_string(cfg_.base_spi) + ".." +
                                 std::to_string(cfg_.base_spi + cfg_.num_spis - 1) + ") are not all SPIs of " +
                                 gic.name() + ", which has IDs up to " + std::to_string(gic.num_irqs() - 1));
    gic_ = &gic;
}

void gic_v2m::set_spi(uint32_t value) {
    const unsigned id = value & 0x3ff;
    if (id < cfg_.base_spi || id >= cfg_.base_spi + cfg_.num_spis) {
        log_.warning("MSI_SETSPI_NS write of " + std::to_string(value) + ": ID " + std::to_string(id) +
                     " is outside this frame's SPIs (" + std::to_string(cfg_.base_spi) + ".." +
                     std::to_string(cfg_.base_spi + cfg_.num_spis - 1) + "); dropped, as the hardware does");
        return;
    }
    if (!gic_) {
        log_.error("MSI for ID " + std::to_string(id) + " but the frame is attached to no GIC; dropped");
        return;
    }
    SOCSIM_LOG(log_, trace, "MSI: SPI ID " << id);
    gic_->pulse_spi(id);
}

} // namespace socsim::irq
