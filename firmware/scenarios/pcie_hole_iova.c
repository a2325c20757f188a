/*
 * pcie_hole_iova: an IOVA allocator that honours only the device's DMA mask hands out IOVAs in
 * the holes between the root complex's inbound windows (Linux before "iommu/dma: Reserve IOVA
 * for PCIe inaccessible DMA address", 2019). The mask the DT allows is 40 bits (the smallest
 * covering the last window's end, 768G - 1); allocation is top-down, so the first IOVAs sit just
 * below 1 TiB, in the hole above 768G.
 *   buggy: the copy 576G -> 640G through IOVAs 0xff_ffff_f000 / 0xff_ffff_e000 is refused by
 *          the bridge (Unsupported Request: socsim names the bus address, the windows and the
 *          nearest), the destination stays untouched.
 *   fixed: the reserved regions pci_resv derives from the DT (holes and outbound windows) are
 *          reserved first; the same allocation lands at the top of the 256 GiB window and the
 *          copy arrives in RAM at 640G.
 */
#include <stdio.h>

#include "pages.h"
#include "paxb_edu.h"

static struct paxb_edu s;

static int copy_through(const char *form, uint64_t limit)
{
	uint64_t src_iova, dst_iova;
	const uint64_t src = BANK_576G, dst = BANK_640G;

	mem_pattern((void *)(uintptr_t)dst, 0x1000, 99);
	if (!check(iova_alloc(&s.iovad, 0x1000, limit, &src_iova) == 0 &&
		   iova_alloc(&s.iovad, 0x1000, limit, &dst_iova) == 0, "allocate") ||
	    !check(paxb_map_page(&s, src_iova, src) == 0 && paxb_map_page(&s, dst_iova, dst) == 0, "map"))
		return 0;
	printf("%s: IOVAs 0x%llx (-> 0x%llx) and 0x%llx (-> 0x%llx)\n", form,
	       (unsigned long long)src_iova, (unsigned long long)src, (unsigned long long)dst_iova,
	       (unsigned long long)dst);
	int ok = paxb_copy(&s, src_iova, dst_iova);
	int arrived = mem_check_pattern((void *)(uintptr_t)dst, XFER, 5) < 0;
	printf("%s: copy %s\n", form, ok && arrived ? "arrived at 640G" :
	       ok ? "FAILED: data" : "refused by the bridge, RAM untouched");
	check(paxb_unmap_page(&s, src_iova) == 0 && paxb_unmap_page(&s, dst_iova) == 0, "unmap");
	return ok && arrived;
}

int main(void)
{
	printf("pcie_hole_iova: IOVAs in the holes between inbound windows\n");
	if (paxb_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	mem_pattern((void *)(uintptr_t)BANK_576G, 0x1000, 5);
	const uint64_t mask = s.resv.dma_mask;
	printf("dt: bus_dma_limit 0x%llx, mask 0x%llx\n", (unsigned long long)s.resv.bus_dma_limit,
	       (unsigned long long)mask);

	check(!copy_through("buggy", mask), "the copy through the hole is refused");

	check(paxb_iova_reset(&s) == 0 && pci_resv_reserve(&s.iovad, &s.resv) == 0, "reserve");
	for (unsigned i = 0; i < s.resv.n_regions; i++) {
		char line[64];
		resv_region_format(&s.resv.region[i], line, sizeof(line));
		printf("resv: %s (%s)\n", line, resv_source_name(s.resv.region[i].source));
	}
	check(copy_through("fixed", mask), "the copy lands in RAM");

	printf("pcie_hole_iova: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
