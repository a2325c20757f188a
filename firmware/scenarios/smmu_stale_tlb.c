/*
 * smmu_stale_tlb: a PTE cleared WITHOUT a TLB invalidation.
 *
 * The device writes through an IOVA (so the SMMU caches the translation), the firmware clears
 * the PTE but issues no TLBI, and the device writes again. The architecture allows two
 * outcomes: the SMMU still uses its cached translation and the write reaches the old page, or
 * the entry was gone and the write faults (F_TRANSLATION). Either is accepted; anything else
 * (data elsewhere, both, neither) fails. The line printed is the same for both outcomes, so
 * QEMU (which keeps the entry) and socsim (whose checker reports the stale translation on
 * stderr) print the same.
 *
 * Then TLBI_NH_VA + CMD_SYNC, and the next write must fault and leave the page alone.
 */
#include <stdio.h>

#include "pages.h"
#include "smmu_edu.h"

#define LEN 64u

static struct smmu_edu s;

int main(void)
{
	printf("smmu_stale_tlb: unmap without TLBI\n");
	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}

	void *page = pages_alloc(PAGE_SIZE);
	uint64_t iova;
	if (!check(iova_alloc(&s.iovad, PAGE_SIZE, s.dma.dma_mask, &iova) == 0 &&
		   smmu_map(&s.dom, iova, (uintptr_t)page, PAGE_SIZE, IOMMU_READ | IOMMU_WRITE) == 0,
		   "map"))
		return 1;
	mem_pattern(page, PAGE_SIZE, 10);

	check(edu_load_buffer(&s, 11, LEN) == 0, "load");
	check(edu_to_ram(&s, iova, LEN) == 0, "dma");
	if (check(mem_check_pattern(page, LEN, 11) < 0, "write through the mapping"))
		printf("stale: device write to iova 0x%08llx: data ok (translation now cached)\n",
		       (unsigned long long)iova);
	expect_no_event(&s, "stale, first write");

	check(edu_load_buffer(&s, 12, LEN) == 0, "load");
	check(smmu_unmap(&s.dom, iova, PAGE_SIZE) == 0, "unmap");
	printf("stale: PTE cleared, no TLBI\n");
	check(edu_to_ram(&s, iova, LEN) == 0, "dma completes");

	struct event_summary sum;
	events_collect(&s.smmu, &sum, iova, iova + LEN - 1);
	int reached_old_page = mem_check_pattern(page, LEN, 12) < 0 && sum.count == 0;
	int faulted = mem_check_pattern(page, LEN, 11) < 0 && sum.count > 0 && sum.consistent &&
		      sum.first.type == SMMU_EVT_F_TRANSLATION && sum.first.sid == s.sid &&
		      sum.first.input_addr == iova && sum.first.rnw == 0;
	if (check(reached_old_page || faulted, "an outcome the architecture allows"))
		printf("stale: device write after unmap without TLBI: old page or F_TRANSLATION, both allowed\n");
	void *before = pages_alloc(PAGE_SIZE);
	mem_pattern(before, PAGE_SIZE, 10);
	check(mem_compare((char *)page + LEN, (char *)before + LEN, PAGE_SIZE - LEN) < 0,
	      "rest of the page untouched");

	check(smmu_flush(&s.dom, iova, PAGE_SIZE) == 0, "TLBI + sync");
	printf("stale: TLBI_NH_VA + CMD_SYNC done\n");
	mem_pattern(page, PAGE_SIZE, 13);
	check(edu_load_buffer(&s, 14, LEN) == 0, "load");
	check(edu_to_ram(&s, iova, LEN) == 0, "dma completes");
	expect_fault(&s, "stale, device write after TLBI", SMMU_EVT_F_TRANSLATION, iova, LEN, 0);
	if (check(mem_check_pattern(page, PAGE_SIZE, 13) < 0, "page unchanged after TLBI"))
		printf("stale: old page unchanged after TLBI\n");

	printf("smmu_stale_tlb: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
