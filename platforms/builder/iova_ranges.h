#pragma once
// The IOVA space Linux's iommu-dma would leave a PCI function behind a host bridge with an
// IOMMU, derived from what the Device Tree says about the bridge, for `socsim info`.
//
// The same derivation as the firmware's lib/pci_resv.c (docs/hardware/pci-dma-limits.md), so
// that what `socsim info` prints is what a firmware run reserves: the same regions, of the same
// types, in the same order. Facts, in our words, from Linux drivers/of/device.c
// (of_dma_configure_id), drivers/pci/of.c (devm_of_pci_get_host_bridge_resources) and
// drivers/iommu/dma-iommu.c (iommu_dma_init_domain, iova_reserve_pci_windows,
// iova_reserve_iommu_regions, iommu_dma_alloc_iova):
//
// - inbound windows are the memory entries of the bridge's dma-ranges that have a size, sorted
//   by bus address whatever their DT order; two that overlap are an error;
// - bus_dma_limit = the last byte of the highest inbound window, and the DT's DMA mask the
//   smallest all-ones mask covering it (40 bits for 0xbf_ffff_ffff); without dma-ranges there
//   is no bus limit (0) and the DT restricts no mask bit (all ones);
// - reserved regions (start, end, type as in Linux's reserved_regions file):
//   . every outbound memory window of `ranges` at its bus address, "reserved": an IOVA there
//     is a peer's BAR and the DMA would go peer to peer (I/O windows are not memory targets);
//   . the holes outside the inbound windows, "reserved": below the first, between neighbours,
//     above the last up to all ones;
//   . the doorbell of the bridge's MSI controller(s) (msi-parent, or every controller msi-map
//     names), "msi": a GICv2m frame's reg, a GICv3 ITS's GITS_TRANSLATER page (reg + 64 KiB,
//     64 KiB); other controllers add nothing;
//   . reserved-memory regions given by the caller (a function's memory-region whose
//     iommu-addresses names it), "direct" or "reserved".
//   Regions are kept sorted by (first, last); a region is inserted before any with the same
//   bounds, and an identical one (same bounds, type and reason) is kept once: lib/pci_resv.c's
//   add_region, called in the order outbound, holes, MSI, reserved-memory.
// - a function's allocation limit is min_not_zero(device mask & DT mask, bus_dma_limit),
//   further clipped to the IOMMU's input range (iommu-dma's forced aperture);
// - the valid IOVA ranges are [granule, limit] minus every region, each region widened to
//   whole granules (as lib/iova's iova_reserve and Linux's pfn arithmetic do), the limit
//   lowered to the end of its last whole granule. IOVA page 0 is never handed out.
//
// Choices where the sources are silent (tested in tests/unit/test_iova_ranges.cpp):
// - Linux's Arm SMMU drivers add a software MSI window (0x0800_0000, 1 MiB) that only VFIO
//   reserves; it is a driver constant, not in the DT, so it is not listed (the firmware does
//   the same; on virt the v2m page lies inside it anyway).
// - Linux reserves whole pages, so the first granule of each inbound window is also lost
//   there; here, as in the firmware, holes end exactly where the windows begin.
// - A region that lies entirely outside [granule, limit] is still listed (it is reserved);
//   it only has no effect on the valid ranges.
// - Addresses are bus addresses, taken to be IOVAs: iommu-dma assumes identity inbound
//   windows in front of an IOMMU.
// - The device mask is the caller's. `socsim info` (factories/pcie_factories.cpp) takes the
//   mask the function's driver would set: the edu's own (`socsim,dma-mask`, 28 bits by default
//   as QEMU's; the edu has no register telling it, so its driver sets what the device drives),
//   64 bits for the NVMe controller (Linux's nvme driver), 64 bits for a model that states none.
//   The granule and input range are the IOMMU's as Linux's driver sets them: SMMUv3 4 KiB and
//   48 bits; an IOMMU not in that table is taken as 4 KiB with no input limit.

#include <cstdint>
#include <string>
#include <vector>

namespace socsim::platform {

class device_tree;

struct iova_span {
    uint64_t first, last;  // inclusive
    bool operator==(const iova_span& o) const { return first == o.first && last == o.last; }
};

enum class resv_type { reserved, msi, direct };
enum class resv_source { outbound_window, inbound_hole, msi_doorbell, reserved_memory };

struct resv_region {
    uint64_t first, last;  // inclusive
    resv_type type;
    resv_source source;
    bool operator==(const resv_region& o) const {
        return first == o.first && last == o.last && type == o.type && source == o.source;
    }
};

// What the DT says, in bus addresses (inclusive spans). `inbound` in any order.
struct pci_dma_facts {
    std::vector<iova_span> outbound;       // memory windows of `ranges`, in DT order
    std::vector<iova_span> inbound;        // memory windows of `dma-ranges`
    std::vector<iova_span> msi_doorbells;  // in the order msi-parent / msi-map name them
    std::vector<resv_region> reserved_memory;
};

struct pci_iova_space {
    uint64_t bus_dma_limit = 0;       // last byte of the highest inbound window; 0: none
    uint64_t dt_mask = ~uint64_t{0};  // smallest all-ones mask covering it; all ones: none
    std::vector<iova_span> inbound;   // sorted by bus address
    std::vector<resv_region> regions; // sorted by (first, last)
};

// Reads the facts for a function behind host bridge node `host` as lib/pci_resv.c's
// pci_resv_from_dt does: `ranges` and `dma-ranges` (memory entries with a size), the doorbells
// of `msi-parent` and `msi-map`, and the /reserved-memory regions the function's node
// (`function`, -1 when the DT does not describe it) lists in `memory-region` whose
// `iommu-addresses` names it ("direct" when the IOVA range equals the region's reg). Throws
// core::config_error for a malformed property.
pci_dma_facts read_pci_dma_facts(const device_tree& dt, int host, int function);

// Throws core::config_error naming both windows when two inbound windows overlap, or for an
// empty span (first > last).
pci_iova_space derive_pci_iova_space(const pci_dma_facts& facts);

// The smallest mask 2^k - 1 covering `limit` (Linux DMA_BIT_MASK(ilog2(limit) + 1)).
uint64_t dma_mask_covering(uint64_t limit);
// Bits of an all-ones mask (64 for all ones).
unsigned mask_bits(uint64_t mask);

// The highest IOVA the function may be given: min_not_zero(device_mask & dt_mask,
// bus_dma_limit), clipped to `aperture_last` (the IOMMU's input range).
uint64_t iova_limit(const pci_iova_space& space, uint64_t device_mask, uint64_t aperture_last);

// [granule, limit] minus every region of `space` (widened to whole granules), in address
// order; empty when nothing is left. `granule` is a power of two. A function's own regions (its
// reserved-memory) go into a copy of the bridge's space with add_resv_region first.
std::vector<iova_span> valid_iova_ranges(const pci_iova_space& space, uint64_t limit, uint64_t granule);

// "reserved", "msi", "direct": the words of Linux's reserved_regions file.
const char* resv_type_name(resv_type type);
// "outbound window", "inbound hole", "msi doorbell", "reserved-memory".
const char* resv_source_name(resv_source source);
// "0x0000000000000000 0x000000007fffffff reserved" (lib/pci_resv.c's resv_region_format).
std::string resv_region_text(const resv_region& region);

// Inserts as lib/pci_resv.c's add_region: sorted by (first, last), before equal bounds, an
// identical region kept once.
void add_resv_region(std::vector<resv_region>& regions, const resv_region& region);

} // namespace socsim::platform
