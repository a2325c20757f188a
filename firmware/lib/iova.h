/*
 * IOVA allocator: one instance per device address space (an SMMU context, a DART, the H6
 * IOMMU's single table), never one for the whole system, since IOVA spaces are per IOMMU
 * context and have nothing to do with physical memory.
 *
 * Rules, after Linux iommu-dma (drivers/iommu/dma-iommu.c: iommu_dma_alloc_iova, reserved regions):
 * - sizes are rounded up to whole IOMMU granules, and every allocation is naturally aligned to
 *   its size rounded up to a power of two (so large buffers can use block mappings);
 * - the search is top-down: the highest free block that ends at or below the caller's limit
 *   (the device's DMA mask, or a bus limit);
 * - IOVA 0 is never handed out: the lowest usable address is at least one granule;
 * - reserved ranges (PCI outbound windows, holes between inbound windows, MSI doorbells,
 *   firmware-owned mappings) are never handed out. lib/pci_resv derives them, and the bus
 *   limit, from the device tree as Linux does; pci_resv_reserve() reserves them here.
 *
 * Storage is a fixed, sorted array of busy ranges inside the domain (no heap), so the same code
 * serves firmware and host tests. All addresses are inclusive ranges [first, last], which
 * cannot overflow at the top of the 64-bit space.
 *
 * Functions return 0 or a negative errno value: -EINVAL (bad argument), -ENOSPC (no free
 * range), -ENOMEM (the range table is full), -ENOENT (no such allocation), -EBUSY (a
 * reservation overlaps an allocation).
 */
#ifndef IOVA_H
#define IOVA_H

#include <stdint.h>

/* Busy ranges (allocations and reservations) one domain can hold. */
#define IOVA_MAX_RANGES 128

struct iova_range {
	uint64_t first, last;	/* inclusive */
};

struct iova_busy {
	uint64_t first, last;
	int reserved;		/* 1: reserved, never freed; 0: an allocation */
};

struct iova_domain {
	const char *name;
	uint64_t granule;	/* power of two: the smallest IOMMU page */
	uint64_t first, last;	/* usable aperture, granule-aligned, first >= granule */
	unsigned count;
	struct iova_busy busy[IOVA_MAX_RANGES];	/* sorted by address, disjoint */
};

/*
 * Set up <d> for addresses [aperture_first, aperture_last] of an IOMMU whose smallest page is
 * <granule>. The aperture is shrunk to whole granules, and its start raised to at least one
 * granule (IOVA 0 stays unused).
 */
int iova_domain_init(struct iova_domain *d, const char *name, uint64_t granule,
		     uint64_t aperture_first, uint64_t aperture_last);

/* Reserve [first, last], widened to whole granules. Parts outside the aperture are ignored;
 * overlapping or adjacent reservations merge. */
int iova_reserve(struct iova_domain *d, uint64_t first, uint64_t last);

/* Inbound windows one host bridge may have (iova_inbound_gaps, iova_reserve_pci_windows). */
#define IOVA_MAX_WINDOWS 16

/*
 * The bus addresses outside every inbound window (dma-ranges, bus addresses): below the
 * first, between neighbours, and above the last up to UINT64_MAX, in address order, as Linux's
 * iova_reserve_pci_windows (drivers/iommu/dma-iommu.c) computes them, but exact: its pfn
 * arithmetic also takes the first page of each window. <inbound> need not be sorted; touching
 * windows leave no gap between them. <gaps> must have room for n_inbound + 1 ranges. No
 * windows give no gaps (no dma-ranges: the bridge forwards every bus address). -EINVAL for
 * overlapping or empty (first > last) windows, -E2BIG for more than IOVA_MAX_WINDOWS.
 */
int iova_inbound_gaps(const struct iova_range *inbound, unsigned n_inbound, struct iova_range *gaps,
		      unsigned *n_gaps);

/*
 * Reserve what a device behind a PCI host bridge must not use: every outbound (CPU -> PCI)
 * memory window, as bus addresses, since an IOVA inside one would be claimed as peer-to-peer;
 * and, when there are inbound windows (dma-ranges, bus addresses), everything outside them
 * (iova_inbound_gaps). <inbound> need not be sorted; overlapping inbound windows give -EINVAL
 * and too many -E2BIG, before anything is reserved.
 */
int iova_reserve_pci_windows(struct iova_domain *d, const struct iova_range *outbound,
			     unsigned n_outbound, const struct iova_range *inbound, unsigned n_inbound);

/*
 * Allocate <size> bytes (rounded up to granules) whose last byte is at or below <limit>, e.g.
 * the device's DMA mask. Returns the IOVA in *iova.
 */
int iova_alloc(struct iova_domain *d, uint64_t size, uint64_t limit, uint64_t *iova);

/*
 * Claim exactly [iova, iova + size) (size rounded up to granules) as an allocation, freed with
 * iova_free: -EINVAL when <iova> is not granule-aligned or the range leaves the aperture,
 * -EBUSY when any byte of it is allocated or reserved.
 */
int iova_alloc_at(struct iova_domain *d, uint64_t iova, uint64_t size);

/*
 * One IOVA range free in each of the <n> domains, for a buffer several IOMMUs must see at the
 * same address (one device behind two DARTs): the highest range that ends at or below <limit>
 * and at or below every domain's aperture, naturally aligned as iova_alloc does, allocated in
 * every domain (free it in each with iova_free). The domains must share one granule.
 */
int iova_alloc_shared(struct iova_domain *const *d, unsigned n, uint64_t size, uint64_t limit,
		      uint64_t *iova);

/* Free the allocation that starts at <iova> and has <size> (as passed to iova_alloc). */
int iova_free(struct iova_domain *d, uint64_t iova, uint64_t size);

/* Size rounded to the domain's granule, or 0 if it would overflow. */
uint64_t iova_align(const struct iova_domain *d, uint64_t size);

/* 1 if any byte of [first, last] is allocated or reserved. */
int iova_is_busy(const struct iova_domain *d, uint64_t first, uint64_t last);

#endif
