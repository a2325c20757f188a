/*
 * iova_dma_mask: IOVAs handed to the edu stay below its 28-bit DMA mask, although the SMMU
 * domain's IOVA space is 48 bits, and never touch the PCI outbound window or IOVA 0.
 *   1. the reserved ranges (the bridge's outbound memory windows, from the DTB);
 *   2. one page with the edu's mask, one without (what a 64-bit device would get), and one with
 *      a limit inside the outbound window (it lands below the window);
 *   3. 64 MiB blocks with the mask until none is left: naturally aligned, below the mask, and
 *      the lowest block is refused because it would contain IOVA 0;
 *   4. DMA through dma_map_single() (which applies the device's mask): a 64 KiB buffer and a
 *      round trip through its last page, data checked.
 */
#include <errno.h>
#include <stdio.h>

#include "pages.h"
#include "smmu_edu.h"

static struct smmu_edu s;

int main(void)
{
	printf("iova_dma_mask: IOVAs below the edu's 28-bit DMA mask\n");
	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	const uint64_t mask = s.dma.dma_mask;
	printf("iova: space 0x%llx..0x%llx, granule 0x%llx, edu mask 0x%llx\n",
	       (unsigned long long)s.iovad.first, (unsigned long long)s.iovad.last,
	       (unsigned long long)s.iovad.granule, (unsigned long long)mask);
	struct iova_range window = {0, 0};
	for (unsigned i = 0; i < s.iovad.count; i++) {
		printf("iova: reserved 0x%llx..0x%llx\n", (unsigned long long)s.iovad.busy[i].first,
		       (unsigned long long)s.iovad.busy[i].last);
		if (i == 0)
			window = (struct iova_range){s.iovad.busy[i].first, s.iovad.busy[i].last};
	}
	check(s.iovad.count > 0, "the PCI outbound window is reserved");

	uint64_t with_mask, without, in_window;
	check(iova_alloc(&s.iovad, PAGE_SIZE, mask, &with_mask) == 0 && with_mask + PAGE_SIZE - 1 <= mask,
	      "page below the mask");
	check(iova_alloc(&s.iovad, PAGE_SIZE, UINT64_MAX, &without) == 0 && without > mask,
	      "page without the mask");
	uint64_t window_last = window.last;
	check(iova_alloc(&s.iovad, PAGE_SIZE, window_last, &in_window) == 0 &&
	      in_window + PAGE_SIZE - 1 < window.first, "page with a limit in the window lands below it");
	printf("iova: page with the mask 0x%08llx, without 0x%llx, limit 0x%llx -> 0x%08llx\n",
	       (unsigned long long)with_mask, (unsigned long long)without,
	       (unsigned long long)window_last, (unsigned long long)in_window);

	uint64_t block[8];
	unsigned n = 0;
	int err = 0;
	while (n < 8 && (err = iova_alloc(&s.iovad, 64u << 20, mask, &block[n])) == 0) {
		check(block[n] % (64u << 20) == 0 && block[n] + (64u << 20) - 1 <= mask && block[n] != 0,
		      "64 MiB block aligned, below the mask, not at 0");
		printf("iova: 64 MiB block at 0x%08llx\n", (unsigned long long)block[n]);
		n++;
	}
	if (check(err == -ENOSPC, "space runs out"))
		printf("iova: no 64 MiB block left below the mask (IOVA 0 is never used)\n");
	check(n == 2, "two 64 MiB blocks");
	for (unsigned i = 0; i < n; i++)
		check(iova_free(&s.iovad, block[i], 64u << 20) == 0, "free");
	check(iova_free(&s.iovad, with_mask, PAGE_SIZE) == 0 && iova_free(&s.iovad, without, PAGE_SIZE) == 0 &&
	      iova_free(&s.iovad, in_window, PAGE_SIZE) == 0, "free pages");

	const size_t size = 64u << 10;
	void *buf = pages_alloc(size), *src = pages_alloc(PAGE_SIZE);
	uint64_t iova, iova_src;
	mem_pattern(src, PAGE_SIZE, 40);
	if (!check(dma_map_single(&s.dma, (uintptr_t)buf, size, DMA_FROM_DEVICE, &iova) == 0 &&
		   dma_map_single(&s.dma, (uintptr_t)src, PAGE_SIZE, DMA_TO_DEVICE, &iova_src) == 0,
		   "map"))
		return 1;
	printf("dma: 64 KiB buffer at iova 0x%08llx, source page at 0x%08llx\n",
	       (unsigned long long)iova, (unsigned long long)iova_src);
	check(iova + size - 1 <= mask && iova_src + PAGE_SIZE - 1 <= mask, "dma addresses below the mask");
	check(edu_to_device(&s, iova_src, XFER) == 0 && edu_to_ram(&s, iova + size - PAGE_SIZE, XFER) == 0,
	      "dma");
	if (check(mem_check_pattern((char *)buf + size - PAGE_SIZE, XFER, 40) < 0, "data"))
		printf("dma: round trip into the buffer's last page: data ok\n");
	expect_no_event(&s, "dma");
	check(dma_unmap_single(&s.dma, iova, size) == 0 && dma_unmap_single(&s.dma, iova_src, PAGE_SIZE) == 0,
	      "unmap");

	printf("iova_dma_mask: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
