/*
 * dma_debug_edu: DMA-API debugging on virt (socsim only: QEMU has no socsim,dma-debug device,
 * and the scenario says so and fails there). lib/dma announces every mapping of the edu (by the
 * SMMU's phandle and the edu's stream id); the SMMU checks each DMA against the announced
 * buffers. The scenario reads the device's FINDINGS counter after each step:
 *   1. a 2 KiB buffer mapped DMA_FROM_DEVICE, the edu writes 2 KiB into it: no finding;
 *   2. a 1 KiB buffer at the start of a page, DMA_FROM_DEVICE; the edu writes 2 KiB: the second
 *      KiB is outside the announced buffer but inside the IOMMU's mapping (the granule): no SMMU
 *      event, one finding;
 *   3. the edu reads that DMA_FROM_DEVICE buffer: wrong direction, one finding;
 *   4. after dma_unmap_single, the edu writes the IOVA again: the SMMU faults (F_TRANSLATION)
 *      and the check reports the access after the unmap: one finding.
 */
#include <stdio.h>

#include "dma_debug.h"
#include "pages.h"
#include "smmu_edu.h"

static struct smmu_edu s;

static int findings_grew_by(uint32_t before, uint32_t n, const char *what)
{
	uint32_t now = dma_debug_findings();

	printf("%s: %u new finding(s)\n", what, (unsigned)(now - before));
	return check(now - before == n, what);
}

int main(void)
{
	if (smmu_edu_setup(&s, 1))
		return 1;
	if (!dma_debug_present()) {
		printf("dma_debug_edu: no socsim,dma-debug device in the DTB\n");
		return 1;
	}
	char *page = pages_alloc(PAGE_SIZE), *other = pages_alloc(PAGE_SIZE);
	uint64_t clean, small;
	uint32_t f = dma_debug_findings();

	check(dma_map_single(&s.dma, (uintptr_t)other, XFER, DMA_FROM_DEVICE, &clean) == 0, "map clean");
	check(edu_load_buffer(&s, 1, XFER) == 0, "load");
	f = dma_debug_findings();
	check(edu_to_ram(&s, clean, XFER) == 0, "dma");
	findings_grew_by(f, 0, "inside the announced buffer");

	check(dma_map_single(&s.dma, (uintptr_t)page, 1024, DMA_FROM_DEVICE, &small) == 0, "map 1 KiB");
	printf("announced: 1024 bytes at iova 0x%08llx, DMA_FROM_DEVICE; %u buffers active\n",
	       (unsigned long long)small, (unsigned)dma_debug_active());
	f = dma_debug_findings();
	check(edu_to_ram(&s, small, XFER) == 0, "dma");
	expect_no_event(&s, "past the buffer, inside the granule");
	findings_grew_by(f, 1, "device write past the announced buffer");

	f = dma_debug_findings();
	check(edu_to_device(&s, small, 512) == 0, "dma");
	expect_no_event(&s, "read of a DMA_FROM_DEVICE buffer (the SMMU mapping is read-write)");
	findings_grew_by(f, 1, "device read of a DMA_FROM_DEVICE buffer");

	check(dma_unmap_single(&s.dma, small, 1024) == 0, "unmap");
	f = dma_debug_findings();
	check(edu_to_ram(&s, small, 64) == 0, "dma");
	expect_fault(&s, "write after unmap", SMMU_EVT_F_TRANSLATION, small, 64, 0);
	findings_grew_by(f, 1, "device write after the unmap");

	check(dma_unmap_single(&s.dma, clean, XFER) == 0, "unmap clean");
	check(dma_debug_active() == 0, "no buffer left announced");
	check(dma_debug_errors() == 0, "every announcement accepted");
	if (check_failures)
		return 1;
	printf("dma_debug_edu: passed\n");
	return 0;
}
