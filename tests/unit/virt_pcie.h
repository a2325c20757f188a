#pragma once
// The PCIe host bridge of socsim's `virt` (QEMU's GPEX with highmem=off), for unit tests of PCI
// functions behind it: ECAM of 16 MiB (buses 0-15), the 32-bit memory window at 0x1000_0000
// (bus = CPU address), stream id = requester id, no dma-ranges.

#include "models/pcie/pcie_host_bridge.h"

namespace socsim::test {

inline pcie::pcie_host_bridge::config virt_bridge_config() {
    pcie::pcie_host_bridge::config cfg;
    cfg.ecam_size = 16 << 20;
    cfg.last_bus = 15;
    cfg.outbound = {{pcie::pcie_host_bridge::space::memory32, false, 0x10000000, 0x10000000, 0x2eff0000}};
    cfg.iommu_map = {{0x0, 0x0, 0x10000}};
    return cfg;
}

} // namespace socsim::test
