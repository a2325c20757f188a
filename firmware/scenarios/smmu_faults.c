/*
 * smmu_faults: translation faults the SMMU must report in its event queue, each naming the
 * stream, the IOVA the device presented and the direction:
 *   1. DMA to an allocated but unmapped IOVA, both directions: F_TRANSLATION;
 *   2. a read-only mapping: the device may read it, a write is F_PERMISSION and memory is left
 *      unchanged;
 *   3. map, DMA (fills the TLB), unmap + TLBI_NH_VA + CMD_SYNC, DMA again: F_TRANSLATION and
 *      memory unchanged, because the invalidation completed before the DMA started.
 * Faulting DMAs are 64 bytes (QEMU records one event per 4-byte access).
 */
#include <stdio.h>

#include "pages.h"
#include "smmu_edu.h"

#define LEN 64u

static struct smmu_edu s;

static void unmapped(void)
{
	uint64_t iova;

	if (!check(iova_alloc(&s.iovad, PAGE_SIZE, s.dma.dma_mask, &iova) == 0, "alloc"))
		return;
	printf("unmapped: iova 0x%08llx allocated, not mapped\n", (unsigned long long)iova);
	check(edu_to_ram(&s, iova, LEN) == 0, "dma completes");
	expect_fault(&s, "unmapped, device write", SMMU_EVT_F_TRANSLATION, iova, LEN, 0);
	check(edu_to_device(&s, iova, LEN) == 0, "dma completes");
	expect_fault(&s, "unmapped, device read", SMMU_EVT_F_TRANSLATION, iova, LEN, 1);
	iova_free(&s.iovad, iova, PAGE_SIZE);
}

static void read_only(void)
{
	void *ro = pages_alloc(PAGE_SIZE), *out = pages_alloc(PAGE_SIZE);
	uint64_t iova_ro, iova_out;

	mem_pattern(ro, PAGE_SIZE, 4);
	if (!check(dma_map_single(&s.dma, (uintptr_t)ro, PAGE_SIZE, DMA_TO_DEVICE, &iova_ro) == 0 &&
		   dma_map_single(&s.dma, (uintptr_t)out, PAGE_SIZE, DMA_FROM_DEVICE, &iova_out) == 0,
		   "map"))
		return;
	printf("read-only: page at iova 0x%08llx mapped read-only\n", (unsigned long long)iova_ro);
	check(edu_to_device(&s, iova_ro, LEN) == 0 && edu_to_ram(&s, iova_out, LEN) == 0, "dma");
	if (check(mem_check_pattern(out, LEN, 4) < 0, "read of the read-only page"))
		printf("read-only, device read: data ok\n");
	expect_no_event(&s, "read-only, device read");

	check(edu_load_buffer(&s, 5, LEN) == 0, "load");
	check(edu_to_ram(&s, iova_ro, LEN) == 0, "dma completes");
	expect_fault(&s, "read-only, device write", SMMU_EVT_F_PERMISSION, iova_ro, LEN, 0);
	if (check(mem_check_pattern(ro, PAGE_SIZE, 4) < 0, "read-only page unchanged"))
		printf("read-only, device write: memory unchanged\n");
	dma_unmap_single(&s.dma, iova_ro, PAGE_SIZE);
	dma_unmap_single(&s.dma, iova_out, PAGE_SIZE);
	pages_free(ro, PAGE_SIZE);
	pages_free(out, PAGE_SIZE);
}

static void unmap_invalidate(void)
{
	void *page = pages_alloc(PAGE_SIZE);
	uint64_t iova;

	if (!check(dma_map_single(&s.dma, (uintptr_t)page, PAGE_SIZE, DMA_FROM_DEVICE, &iova) == 0, "map"))
		return;
	check(edu_load_buffer(&s, 6, LEN) == 0, "load");
	check(edu_to_ram(&s, iova, LEN) == 0, "dma");
	if (check(mem_check_pattern(page, LEN, 6) < 0, "dma before unmap"))
		printf("invalidate: device write to iova 0x%08llx: data ok\n", (unsigned long long)iova);
	expect_no_event(&s, "invalidate, before unmap");

	/* dma_unmap_single: clear the PTE, TLBI_NH_VA + CMD_SYNC, free the IOVA. */
	check(dma_unmap_single(&s.dma, iova, PAGE_SIZE) == 0, "unmap + TLBI + sync");
	printf("invalidate: unmapped, TLBI_NH_VA + CMD_SYNC done\n");
	mem_pattern(page, PAGE_SIZE, 7);
	check(edu_to_ram(&s, iova, LEN) == 0, "dma completes");
	expect_fault(&s, "invalidate, device write after unmap", SMMU_EVT_F_TRANSLATION, iova, LEN, 0);
	if (check(mem_check_pattern(page, PAGE_SIZE, 7) < 0, "page unchanged after unmap"))
		printf("invalidate: old page unchanged\n");
	pages_free(page, PAGE_SIZE);
}

int main(void)
{
	printf("smmu_faults: faults reported with stream, IOVA and direction\n");
	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	unmapped();
	read_only();
	unmap_invalidate();
	printf("smmu_faults: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
