#include "dma.h"

#include <errno.h>

#include "dma_debug.h"
#include "pages.h"

static unsigned prot_for(enum dma_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return IOMMU_READ;
	case DMA_FROM_DEVICE:
		/* Write-only mappings do not exist in every IOMMU format; the drivers widen as they
		 * must (SMMUv3 stage 1 cannot express write-only). */
		return IOMMU_WRITE;
	default:
		return IOMMU_READ | IOMMU_WRITE;
	}
}

static unsigned debug_dir(enum dma_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return DMA_DEBUG_TO_DEVICE;
	case DMA_FROM_DEVICE:
		return DMA_DEBUG_FROM_DEVICE;
	default:
		return DMA_DEBUG_BIDIRECTIONAL;
	}
}

/* DMA-API debugging: one announcement per segment, as Linux's debug_dma_map_sg records them. */
static void announce(const struct dma_device *dev, const struct dma_sg *sg, unsigned n, int map,
		     enum dma_direction dir)
{
	if (!dev->iommu_phandle || !dma_debug_present())
		return;
	for (unsigned i = 0; i < n; i++) {
		if (map)
			dma_debug_map(dev->iommu_phandle, dev->stream_id, sg[i].dma_address, sg[i].length,
				      debug_dir(dir));
		else
			dma_debug_unmap(dev->iommu_phandle, dev->stream_id, sg[i].dma_address,
					sg[i].length, DMA_DEBUG_ANY);
	}
}

static int direct_check(const struct dma_device *dev, uintptr_t phys, size_t size)
{
	if (size == 0 || phys + (size - 1) < phys || phys + (size - 1) > dma_limit(dev))
		return -ERANGE;	/* no bounce buffers: the device cannot reach this memory */
	return 0;
}

int dma_map_single(struct dma_device *dev, uintptr_t phys, size_t size, enum dma_direction dir,
		   uint64_t *dma_addr)
{
	struct dma_sg sg = {.phys = phys, .length = size};

	return dma_map_sg(dev, &sg, 1, dir, dma_addr);
}

int dma_unmap_single(struct dma_device *dev, uint64_t dma_addr, size_t size)
{
	struct dma_sg sg = {.phys = 0, .length = size, .dma_address = dma_addr};

	if (!dev->ops)
		return 0;
	/* Only the offset inside the first granule and the length matter for the IOVA span. */
	sg.phys = (uintptr_t)(dma_addr & (dev->iovad->granule - 1));
	return dma_unmap_sg(dev, &sg, 1);
}

/* IOVA span [*first, *first + *span) a segment list needs, granule-aligned. */
static int sg_span(const struct dma_device *dev, const struct dma_sg *sg, unsigned n, uint64_t *span)
{
	uint64_t g = dev->iovad->granule;
	uint64_t total = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t start = sg[i].phys & ~(g - 1);
		uint64_t end = sg[i].phys + sg[i].length;	/* exclusive */
		if (sg[i].length == 0 || end < sg[i].phys)
			return -EINVAL;
		if ((i > 0 && (sg[i].phys & (g - 1))) || (i + 1 < n && (end & (g - 1))))
			return -EINVAL;
		total += iova_align(dev->iovad, end - start);
	}
	*span = total;
	return 0;
}

int dma_map_sg(struct dma_device *dev, struct dma_sg *sg, unsigned n, enum dma_direction dir,
	       uint64_t *dma_base)
{
	int err;

	if (!dev || !sg || n == 0 || !dma_base)
		return -EINVAL;
	if (!dev->ops) {
		for (unsigned i = 0; i < n; i++) {
			if ((err = direct_check(dev, sg[i].phys, sg[i].length)))
				return err;
			sg[i].dma_address = sg[i].phys;
		}
		*dma_base = sg[0].phys;
		return 0;
	}

	uint64_t g = dev->iovad->granule, span, iova;
	if ((err = sg_span(dev, sg, n, &span)))
		return err;
	if ((err = iova_alloc(dev->iovad, span, dma_limit(dev), &iova)))
		return err;

	uint64_t at = iova;
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = sg[i].phys & ~(g - 1);
		uint64_t len = iova_align(dev->iovad, sg[i].phys + sg[i].length - start);
		if ((err = dev->ops->map(dev->domain, at, start, len, prot_for(dir)))) {
			/* Undo what was mapped; those entries were never used, nothing to flush. */
			if (at > iova)
				dev->ops->unmap(dev->domain, iova, at - iova);
			iova_free(dev->iovad, iova, span);
			return err;
		}
		sg[i].dma_address = at + (sg[i].phys - start);
		at += len;
	}
	*dma_base = sg[0].dma_address;
	announce(dev, sg, n, 1, dir);
	return 0;
}

int dma_unmap_sg(struct dma_device *dev, struct dma_sg *sg, unsigned n)
{
	int err;

	if (!dev || !sg || n == 0)
		return -EINVAL;
	if (!dev->ops)
		return 0;

	uint64_t g = dev->iovad->granule, span;
	if ((err = sg_span(dev, sg, n, &span)))
		return err;
	uint64_t iova = sg[0].dma_address & ~(g - 1);
	announce(dev, sg, n, 0, DMA_BIDIRECTIONAL);
	/* Order matters: tables first, then the TLB, and only then may the IOVA be reused. */
	if ((err = dev->ops->unmap(dev->domain, iova, span)))
		return err;
	if ((err = dev->ops->flush(dev->domain, iova, span)))
		return err;
	return iova_free(dev->iovad, iova, span);
}

/*
 * Memory behind a coherent buffer: whole IOMMU granules (Linux's iommu_dma_alloc aligns the
 * size to the IOVA granule), since the device reaches the whole granule the buffer's IOVA
 * covers. With a 16 KiB DART granule and 4 KiB CPU pages, a smaller allocation would expose
 * the neighbouring pages (page tables, other devices' buffers) to the device. pages_alloc
 * aligns to the size, so the block is granule-aligned too. 0 if the size overflows.
 */
static size_t coherent_size(const struct dma_device *dev, size_t size)
{
	if (!dev->ops)
		return size;
	return (size_t)iova_align(dev->iovad, size);
}

int dma_alloc_coherent(struct dma_device *dev, size_t size, void **cpu, uint64_t *dma_addr)
{
	if (!dev || !cpu || !dma_addr || size == 0)
		return -EINVAL;
	size_t whole = coherent_size(dev, size);
	if (whole == 0)
		return -EINVAL;
	void *p = pages_alloc(whole);
	if (!p)
		return -ENOMEM;
	int err = dma_map_single(dev, (uintptr_t)p, size, DMA_BIDIRECTIONAL, dma_addr);
	if (err) {
		pages_free(p, whole);
		return err;
	}
	*cpu = p;
	return 0;
}

int dma_free_coherent(struct dma_device *dev, size_t size, void *cpu, uint64_t dma_addr)
{
	int err = dma_unmap_single(dev, dma_addr, size);

	if (err)
		return err;
	pages_free(cpu, coherent_size(dev, size));
	return 0;
}
