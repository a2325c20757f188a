/*
 * What a device behind a PCI host bridge may use as DMA addresses, read from the device tree
 * the way Linux derives it, and the reserved IOVA regions that follow from it.
 *
 * From the host bridge node:
 * - "dma-ranges" (inbound windows, PCI -> CPU): the memory entries, sorted by bus address
 *   whatever their DT order (Linux sorts them itself since "iommu/dma: Explicitly sort PCI DMA
 *   windows", 2022). Overlapping entries are an error, as in Linux's iova_reserve_pci_windows.
 * - bus_dma_limit = the last byte of the highest inbound window (Linux drivers/of/device.c,
 *   of_dma_configure_id: dma_range_map_max), and the DMA mask the DT allows, the smallest
 *   all-ones mask covering it (DMA_BIT_MASK(ilog2(end) + 1) there): 40 bits for a limit of
 *   0xbf_ffff_ffff. A mask is a power of two and the limit one upper bound: neither says
 *   anything about the holes between windows, which is why they are reserved regions.
 *   Without dma-ranges there is no limit (0, as Linux's "no bus_dma_limit") and the DT
 *   restricts no mask bit (UINT64_MAX; Linux starts the device at its default 32-bit coherent
 *   mask, which the driver then replaces: here the driver sets dma_device.dma_mask itself).
 *   A device's allocation limit is min(its mask, bus_dma_limit): dma_limit() in lib/dma.
 * - reserved regions, listed like Linux's /sys/kernel/iommu_groups/N/reserved_regions
 *   (start, end, "reserved" / "msi" / "direct"):
 *   . every outbound memory window of "ranges", at its bus address: an IOVA there is a peer's
 *     BAR and the DMA would go peer to peer without reaching the IOMMU (Linux
 *     iova_reserve_pci_windows). I/O windows are not memory-space targets and are left out;
 *   . the holes outside the inbound windows: below the first, between neighbours, above the
 *     last up to UINT64_MAX (the IOVA domain clips it to its aperture): the bridge does not
 *     forward those bus addresses (iova_inbound_gaps in lib/iova);
 *   . the MSI doorbell of the bridge's MSI controller ("msi-parent", or each controller of
 *     "msi-map"), type "msi": a GICv2m frame's register page (its reg: MSI_SETSPI_NS lives in
 *     it), a GICv3 ITS's GITS_TRANSLATER page (reg + 64 KiB, 64 KiB). An MSI is a DMA write to
 *     that bus address, so no buffer may sit at that IOVA, and the firmware maps the doorbell
 *     there (identity) when MSIs go through the IOMMU, as Linux does for IOMMU_RESV_MSI regions
 *     (apple-dart reports its PCIe doorbell page so). Linux's arm-smmu drivers instead offer a
 *     software MSI window (0x0800_0000, 1 MiB, a driver constant, not in the DT) that only VFIO
 *     reserves; we keep to what the DT describes. Other MSI controllers add nothing;
 *   . /reserved-memory regions mapped for the device: only those its "memory-region" lists AND
 *     whose "iommu-addresses" names the device's node (binding reserved-memory.yaml, 2023;
 *     Linux drivers/iommu/of_iommu.c of_iommu_get_resv_regions): "direct" when the IOVA range
 *     equals the region's reg (the firmware must map it identity, e.g. a boot framebuffer a
 *     device still scans out), "reserved" otherwise (no reg: an IOVA carve-out; a different
 *     IOVA: Linux treats it as a reservation too). "no-map" only forbids CPU mappings and
 *     reserves no IOVA, and a region without "iommu-addresses" is no IOMMU business. The
 *     iommu-addresses cells are those of the device's bus (its parent's #address-cells and
 *     #size-cells, inherited upwards, as Linux's of_translate_dma_region reads them); under a
 *     PCI bus (3 address cells) the flags cell is skipped.
 * Regions are sorted by start and may overlap (an outbound window inside an inbound hole is
 * listed under both reasons, Linux lists overlapping regions of different types too).
 *
 * Unlike Linux's sysfs file this list includes the PCI windows and holes: Linux moved them out
 * of the generic reserved regions into iommu-dma, so VFIO never reports them, and a user-space
 * identity mapping (VFIO/DPDK) can place a buffer in a hole or on a peer's BAR. A user-managed
 * IOVA space that honours this list cannot.
 *
 * Addresses are bus addresses, which are IOVAs for an IOMMU behind the bridge. Linux's
 * iommu-dma assumes identity inbound windows in front of an IOMMU; so do the MSI doorbell
 * (a CPU address) and the reserved-memory IOVAs here.
 *
 * No heap: fixed arrays. Functions return 0 or a negative errno value:
 *   -EINVAL    a malformed property (length not whole entries, unsupported cell counts, a
 *              phandle naming no node) or a bad argument;
 *   -E2BIG     more entries than the fixed tables hold (PCI_RESV_MAX_ENTRIES per property,
 *              PCI_RESV_MAX_WINDOWS windows of a kind, PCI_RESV_MAX_REGIONS regions);
 *   -EOVERFLOW a window or region whose end lies past the 64-bit address space;
 *   -EEXIST    two dma-ranges entries overlap.
 * After an error, bad[] holds the DT indices of the entries at fault (both for an overlap),
 * -1 where none applies.
 */
#ifndef PCI_RESV_H
#define PCI_RESV_H

#include <stddef.h>
#include <stdint.h>

#include "fdt.h"
#include "iova.h"

#define PCI_RESV_MAX_ENTRIES	16		/* entries of one ranges / dma-ranges / msi-map */
#define PCI_RESV_MAX_WINDOWS	IOVA_MAX_WINDOWS	/* memory windows of each direction */
#define PCI_RESV_MAX_REGIONS	48

enum resv_type {
	RESV_RESERVED,	/* never hand out, never map */
	RESV_MSI,	/* an MSI doorbell: never a buffer; mapped identity for MSIs */
	RESV_DIRECT,	/* must be mapped identity (IOVA = physical) */
};

/* Why a region is reserved. */
enum resv_source {
	RESV_OUTBOUND_WINDOW,
	RESV_INBOUND_HOLE,
	RESV_MSI_DOORBELL,
	RESV_RESERVED_MEMORY,
};

struct resv_region {
	uint64_t first, last;	/* inclusive */
	enum resv_type type;
	enum resv_source source;
};

struct pci_resv {
	uint64_t bus_dma_limit;	/* last byte of the highest inbound window; 0: no dma-ranges */
	uint64_t dma_mask;	/* smallest all-ones mask covering it; UINT64_MAX: no dma-ranges */
	struct iova_range outbound[PCI_RESV_MAX_WINDOWS];	/* memory windows, bus addresses */
	unsigned n_outbound;
	struct iova_range inbound[PCI_RESV_MAX_WINDOWS];	/* sorted by bus address */
	unsigned n_inbound;
	struct resv_region region[PCI_RESV_MAX_REGIONS];	/* sorted by first */
	unsigned n_regions;
	int bad[2];		/* after an error: the DT entries at fault, or -1 */
};

/*
 * Derive everything above for a device behind the host bridge node <host>; <dev> is the
 * device's own DT node (a child of the bridge describing the endpoint) or -1 when the DT does
 * not describe it (then no /reserved-memory region can name it).
 */
int pci_resv_from_dt(struct pci_resv *r, const struct fdt *fdt, int host, int dev);

/* Reserve every region of <r> in <d> (lib/iova's iova_reserve; parts outside the aperture are
 * ignored). "direct" and "msi" regions are only kept free: mapping them is the caller's. */
int pci_resv_reserve(struct iova_domain *d, const struct pci_resv *r);

/* bus_dma_limit of <n> inbound windows (any order): the highest last byte; 0 when n is 0. */
uint64_t pci_bus_dma_limit(const struct iova_range *inbound, unsigned n);

/* The smallest mask 2^k - 1 that covers <limit> (Linux's DMA_BIT_MASK(ilog2(limit) + 1)). */
uint64_t dma_mask_covering(uint64_t limit);

/* 1 when any byte of [first, last] is in a region of <r>. */
int pci_resv_overlaps(const struct pci_resv *r, uint64_t first, uint64_t last);

/* "reserved", "msi", "direct": the words of Linux's reserved_regions file. */
const char *resv_type_name(enum resv_type type);
/* "outbound window", "inbound hole", "msi doorbell", "reserved-memory". */
const char *resv_source_name(enum resv_source source);

/* One line as Linux's reserved_regions prints it, without the newline:
 * "0x0000000000000000 0x000000007fffffff reserved". Returns snprintf's count. */
int resv_region_format(const struct resv_region *region, char *buf, size_t size);

/* A sentence for an error code of pci_resv_from_dt / pci_resv_reserve. */
const char *pci_resv_strerror(int err);

#endif
