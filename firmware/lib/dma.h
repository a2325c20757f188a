/*
 * DMA mapping API (after Linux's dma-mapping/iommu-dma): hands a device bus addresses for CPU
 * buffers. With an IOMMU, every mapping takes an IOVA from the device's own allocator (lib/iova)
 * and maps it through the IOMMU driver's ops (lib/iommu.h); unmapping removes the mapping,
 * invalidates the IOMMU's TLB and only then frees the IOVA. Without an IOMMU the bus address is
 * the physical address, which must lie at or below the device's limit.
 *
 * The limit is dma_limit(): the device's DMA mask, lowered to the bus's bus_dma_limit when it
 * has one, as Linux's iommu_dma_alloc_iova (drivers/iommu/dma-iommu.c) and dma_capable
 * (include/linux/dma-direct.h) take min_not_zero(mask, bus_dma_limit). For a PCI device,
 * bus_dma_limit is the end of the host bridge's highest inbound window (lib/pci_resv.h); the
 * holes below it are not the limit's business but reserved regions of the device's IOVA space.
 *
 * An IOVA range covers whole IOMMU granules: a buffer that does not start on a granule shares
 * its first and last granule with whatever lies beside it, and the device can reach that too
 * (the granule is the unit of protection). The returned bus address keeps the buffer's offset
 * inside its granule.
 *
 * With dev->iommu_phandle set, every mapping (each segment of a scatter list) and unmapping is
 * announced to socsim's DMA-API debugging device when the DTB has one (drivers/dma_debug).
 *
 * Functions return 0 or a negative errno value.
 */
#ifndef DMA_H
#define DMA_H

#include <stddef.h>
#include <stdint.h>

#include "iommu.h"
#include "iova.h"

enum dma_direction {
	DMA_TO_DEVICE,		/* the device reads the buffer: mapped read-only */
	DMA_FROM_DEVICE,	/* the device writes the buffer */
	DMA_BIDIRECTIONAL,
};

struct dma_device {
	const char *name;
	uint64_t dma_mask;		/* highest bus address the device can emit */
	uint64_t bus_dma_limit;		/* highest bus address its bus forwards; 0: no limit */
	const struct iommu_ops *ops;	/* NULL: no IOMMU, bus address = physical address */
	void *domain;			/* the IOMMU domain the device is attached to */
	struct iova_domain *iovad;	/* the IOVA space of that domain */
	/* DMA-API debugging (drivers/dma_debug): the phandle of the IOMMU node the device's DMA
	 * goes through and its stream id there. Non-zero: every mapping and unmapping through an
	 * IOMMU is announced to a socsim,dma-debug device when the DTB has one. */
	uint32_t iommu_phandle;
	uint32_t stream_id;
};

/* One segment of a scatter list; dma_address is filled in by dma_map_sg(). */
struct dma_sg {
	uintptr_t phys;
	size_t length;
	uint64_t dma_address;
};

/* Highest bus address a mapping for <dev> may use: min(dma_mask, bus_dma_limit if not 0). */
static inline uint64_t dma_limit(const struct dma_device *dev)
{
	if (dev->bus_dma_limit != 0 && dev->bus_dma_limit < dev->dma_mask)
		return dev->bus_dma_limit;
	return dev->dma_mask;
}

int dma_map_single(struct dma_device *dev, uintptr_t phys, size_t size, enum dma_direction dir,
		   uint64_t *dma_addr);
int dma_unmap_single(struct dma_device *dev, uint64_t dma_addr, size_t size);

/*
 * Map <n> segments into one contiguous IOVA range (iommu-dma style), so the device sees a single
 * buffer starting at *dma_base. Every segment but the first must start on an IOMMU granule and
 * every segment but the last must end on one (otherwise the device-visible buffer would have
 * holes); -EINVAL otherwise. Without an IOMMU each segment gets its physical address and
 * *dma_base is the first one.
 */
int dma_map_sg(struct dma_device *dev, struct dma_sg *sg, unsigned n, enum dma_direction dir,
	       uint64_t *dma_base);
int dma_unmap_sg(struct dma_device *dev, struct dma_sg *sg, unsigned n);

/* Zeroed memory that the CPU and the device share, mapped for both directions. Behind an IOMMU
 * the memory is whole IOMMU granules, so the device reaches nothing else through the mapping. */
int dma_alloc_coherent(struct dma_device *dev, size_t size, void **cpu, uint64_t *dma_addr);
int dma_free_coherent(struct dma_device *dev, size_t size, void *cpu, uint64_t dma_addr);

#endif
