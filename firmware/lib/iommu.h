/*
 * The interface every IOMMU driver offers to lib/dma: one "domain" (an address space with its
 * own page tables: an SMMUv3 context descriptor, a DART TTBR set, the H6's single table) and
 * four operations. The DMA layer never touches hardware itself.
 */
#ifndef IOMMU_H
#define IOMMU_H

#include <stdint.h>

/* Permissions of a mapping, as seen from the device. */
#define IOMMU_READ	(1u << 0)	/* the device may read memory (DMA to the device) */
#define IOMMU_WRITE	(1u << 1)	/* the device may write memory (DMA from the device) */

struct iommu_ops {
	const char *name;
	/* Map [iova, iova + size) to [phys, phys + size); all three granule-aligned. The driver
	 * picks page or block descriptors. Mapping over an existing mapping fails. */
	int (*map)(void *domain, uint64_t iova, uint64_t phys, uint64_t size, unsigned prot);
	/* Remove the mappings of [iova, iova + size). Does NOT invalidate the IOMMU's TLB. */
	int (*unmap)(void *domain, uint64_t iova, uint64_t size);
	/* Invalidate cached translations of [iova, iova + size) and wait until the IOMMU is done. */
	int (*flush)(void *domain, uint64_t iova, uint64_t size);
	/* Physical address <iova> maps to, or UINT64_MAX if it is not mapped. */
	uint64_t (*iova_to_phys)(void *domain, uint64_t iova);
};

#endif
