/*
 * pcie_mask_vs_limit: a DMA mask is a power of two, the root complex's reach is not. The mask
 * that covers the last inbound window (768G - 1) is 40 bits; an allocator that takes it as the
 * bound hands out IOVAs up to 1 TiB - 1, above everything the bridge forwards. Linux keeps the
 * window's end apart as bus_dma_limit ("dma-mapping: treat dev->bus_dma_mask as a DMA limit")
 * and allocates below min(mask, limit): lib/dma's dma_limit().
 * The IOVA space here reserves only the bridge's outbound windows, as Linux did before the
 * holes were reserved, so the limit is all that keeps the IOVAs inside the top window.
 *   buggy: the edu's dma_device with the 40-bit mask and no bus_dma_limit: dma_map_single puts
 *          the first buffer just below 1 TiB and the bridge refuses the DMA (socsim's
 *          Unsupported Request warning).
 *   fixed: bus_dma_limit = 0xbf_ffff_ffff: the same mappings land below 768G and the copy
 *          576G -> 640G arrives.
 */
#include <stdio.h>

#include "pages.h"
#include "paxb_edu.h"

static struct paxb_edu s;

static int copy_with(const char *form, uint64_t bus_dma_limit)
{
	struct dma_device dev = {
		.name = "edu",
		.dma_mask = s.resv.dma_mask,
		.bus_dma_limit = bus_dma_limit,
		.ops = &smmu_iommu_ops,
		.domain = &s.dom,
		.iovad = &s.iovad,
	};
	uint64_t src_dma, dst_dma;
	const uint64_t src = BANK_576G, dst = BANK_640G;

	mem_pattern((void *)(uintptr_t)dst, 0x1000, 99);
	if (!check(dma_map_single(&dev, src, 0x1000, DMA_TO_DEVICE, &src_dma) == 0 &&
		   dma_map_single(&dev, dst, 0x1000, DMA_FROM_DEVICE, &dst_dma) == 0, "map"))
		return 0;
	printf("%s: allocation limit 0x%llx: buffers at 0x%llx and 0x%llx\n", form,
	       (unsigned long long)dma_limit(&dev), (unsigned long long)src_dma,
	       (unsigned long long)dst_dma);
	int ok = paxb_copy(&s, src_dma, dst_dma);
	int arrived = mem_check_pattern((void *)(uintptr_t)dst, XFER, 5) < 0;
	printf("%s: copy %s\n", form, ok && arrived ? "arrived at 640G" :
	       ok ? "FAILED: data" : "refused by the bridge, RAM untouched");
	check(dma_unmap_single(&dev, src_dma, 0x1000) == 0 && dma_unmap_single(&dev, dst_dma, 0x1000) == 0,
	      "unmap");
	return ok && arrived;
}

int main(void)
{
	printf("pcie_mask_vs_limit: a power-of-two mask against the bridge's DMA limit\n");
	if (paxb_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	for (unsigned i = 0; i < s.resv.n_outbound; i++)
		check(iova_reserve(&s.iovad, s.resv.outbound[i].first, s.resv.outbound[i].last) == 0,
		      "reserve the outbound windows");
	mem_pattern((void *)(uintptr_t)BANK_576G, 0x1000, 5);
	printf("dt: bus_dma_limit 0x%llx, mask 0x%llx\n", (unsigned long long)s.resv.bus_dma_limit,
	       (unsigned long long)s.resv.dma_mask);

	check(!copy_with("buggy", 0), "the copy above the limit is refused");
	check(copy_with("fixed", s.resv.bus_dma_limit), "the copy below the limit arrives");

	printf("pcie_mask_vs_limit: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
