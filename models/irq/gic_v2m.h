#pragma once
// GICv2m MSI frame: a 4 KiB register frame that turns a write of an SPI number into an
// edge on that SPI of its GIC, so PCIe devices can signal MSIs to a GICv2. Facts and sources:
// docs/hardware/gic-v2.md (section "GICv2m").
//
// DT: compatible "arm,gic-v2m-frame", a child node of the GIC node (with `msi-controller`);
// `reg` = the frame; `arm,msi-base-spi` = the first SPI's interrupt ID and `arm,msi-num-spis` =
// how many (both optional; default QEMU virt's frame: ID 80 = SPI 48, 64 SPIs). The GIC's
// factory builds its frames and attaches them (gic_v2::adopt_msi_frame); a frame node outside a
// GIC node is a configuration error.
//
// Registers (32-bit reads; MSI_SETSPI_NS also takes 16-bit writes, as QEMU's frame does):
// 0x008 MSI_TYPER (read-only): bits [25:16] first SPI ID, bits [9:0] number of SPIs.
// 0x040 MSI_SETSPI_NS (write-only): bits [9:0] an SPI ID; one inside the frame's range pulses
//       that SPI of the GIC (an edge); one outside is dropped, as the hardware does, with a warning.
// 0xFCC MSI_IIDR (read-only): 0x05100000, QEMU's value (product ID 'Q', no implementer).
// Every other offset reads as zero and ignores writes (the optional ID registers included).
// Reset: nothing to reset; the frame holds no state.

#include <cstdint>

#include "models/core/peripheral.h"

namespace socsim::irq {

class gic_v2;

class gic_v2m : public core::peripheral {
public:
    struct config {
        unsigned base_spi = 80;  // interrupt ID of the first SPI
        unsigned num_spis = 64;
    };

    // Throws core::config_error when the range is not one a frame can have (1..1024 SPIs, IDs
    // 32..1019).
    gic_v2m(sc_core::sc_module_name name, const config& cfg);

    // Sends the frame's SPIs to `gic`. Throws core::config_error when they are not all SPIs of
    // that GIC.
    void attach(gic_v2& gic);

    const config& configuration() const { return cfg_; }

private:
    void set_spi(uint32_t value);

    config cfg_;
    gic_v2* gic_ = nullptr;
};

} // namespace socsim::irq
