/*
 * smmu_dma: DMA through the SMMU, data checked.
 *
 * The edu device (28-bit DMA mask) can reach RAM (at 1 GiB) only through IOVAs. Four mappings,
 * each followed by DMA that copies a known pattern and a comparison of the bytes in RAM:
 *   1. single buffers: one read-only (to the device), one writable (from the device);
 *   2. a scatter list of three separately allocated pages mapped at consecutive IOVAs, with a
 *      DMA that crosses from the first segment into the second;
 *   3. a coherent allocation;
 *   4. a 2 MiB buffer mapped with one level-2 block descriptor.
 * No SMMU event may be recorded. Prints only facts QEMU and socsim must agree on.
 */
#include <stdio.h>

#include "pages.h"
#include "smmu_edu.h"

static struct smmu_edu s;

static void single_buffers(void)
{
	void *src = pages_alloc(PAGE_SIZE), *dst = pages_alloc(PAGE_SIZE);
	uint64_t in, out;

	mem_pattern(src, PAGE_SIZE, 1);
	if (!check(dma_map_single(&s.dma, (uintptr_t)src, PAGE_SIZE, DMA_TO_DEVICE, &in) == 0 &&
		   dma_map_single(&s.dma, (uintptr_t)dst, PAGE_SIZE, DMA_FROM_DEVICE, &out) == 0,
		   "map single buffers"))
		return;
	printf("single: to-device buffer at iova 0x%08llx, from-device buffer at iova 0x%08llx\n",
	       (unsigned long long)in, (unsigned long long)out);
	check(edu_to_device(&s, in, XFER) == 0 && edu_to_ram(&s, out, XFER) == 0, "dma");
	if (check(mem_check_pattern(dst, XFER, 1) < 0, "single: data"))
		printf("single: %u bytes RAM -> edu -> RAM: data ok\n", XFER);
	expect_no_event(&s, "single");
	check(dma_unmap_single(&s.dma, in, PAGE_SIZE) == 0 &&
	      dma_unmap_single(&s.dma, out, PAGE_SIZE) == 0, "unmap single buffers");
	pages_free(src, PAGE_SIZE);
	pages_free(dst, PAGE_SIZE);
}

static void scatter_list(void)
{
	/* Three pages with a free page between each, so they are not physically contiguous. */
	void *page[3], *gap[2];
	struct dma_sg sg[3];
	uint64_t base;

	for (int i = 0; i < 3; i++) {
		page[i] = pages_alloc(PAGE_SIZE);
		if (i < 2)
			gap[i] = pages_alloc(PAGE_SIZE);
		sg[i] = (struct dma_sg){.phys = (uintptr_t)page[i], .length = PAGE_SIZE};
	}
	if (!check(dma_map_sg(&s.dma, sg, 3, DMA_FROM_DEVICE, &base) == 0, "map_sg"))
		return;
	int contiguous = 1;
	for (int i = 0; i < 3; i++)
		contiguous &= sg[i].dma_address == base + (uint64_t)i * PAGE_SIZE;
	check(contiguous, "segments at consecutive IOVAs");
	printf("sg: 3 segments mapped at iova 0x%08llx..0x%08llx\n", (unsigned long long)base,
	       (unsigned long long)(base + 3 * PAGE_SIZE - 1));

	/* 2048 bytes at offset 3072: the last 1 KiB of segment 0 and the first 1 KiB of 1. */
	check(edu_load_buffer(&s, 2, XFER) == 0, "load");
	check(edu_to_ram(&s, base + 3072, XFER) == 0, "dma across segments");
	void *expect = pages_alloc(PAGE_SIZE);
	mem_pattern(expect, PAGE_SIZE, 2);
	int ok = mem_compare((char *)page[0] + 3072, expect, 1024) < 0 &&
		 mem_compare(page[1], (char *)expect + 1024, 1024) < 0;
	check(edu_to_ram(&s, base + 2 * PAGE_SIZE + 1024, XFER) == 0, "dma to segment 2");
	ok &= mem_compare((char *)page[2] + 1024, expect, XFER) < 0;
	if (check(ok, "sg: data"))
		printf("sg: dma across the segment 0/1 boundary and into segment 2: data ok\n");
	expect_no_event(&s, "sg");
	check(dma_unmap_sg(&s.dma, sg, 3) == 0, "unmap_sg");
	for (int i = 0; i < 3; i++) {
		pages_free(page[i], PAGE_SIZE);
		if (i < 2)
			pages_free(gap[i], PAGE_SIZE);
	}
	pages_free(expect, PAGE_SIZE);
}

static void coherent(void)
{
	void *cpu;
	uint64_t iova;

	if (!check(dma_alloc_coherent(&s.dma, 2 * PAGE_SIZE, &cpu, &iova) == 0, "alloc coherent"))
		return;
	printf("coherent: 8 KiB at iova 0x%08llx\n", (unsigned long long)iova);
	mem_pattern((char *)cpu + PAGE_SIZE, PAGE_SIZE, 3);
	check(edu_to_device(&s, iova + PAGE_SIZE, XFER) == 0 && edu_to_ram(&s, iova, XFER) == 0, "dma");
	if (check(mem_check_pattern(cpu, XFER, 3) < 0, "coherent: data"))
		printf("coherent: page 1 -> edu -> page 0: data ok\n");
	expect_no_event(&s, "coherent");
	check(dma_free_coherent(&s.dma, 2 * PAGE_SIZE, cpu, iova) == 0, "free coherent");
}

static void block(void)
{
	const size_t size = 2u << 20;
	char *buf = pages_alloc(size);
	uint64_t iova;
	unsigned level = 0;

	int err = buf ? dma_map_single(&s.dma, (uintptr_t)buf, size, DMA_BIDIRECTIONAL, &iova) : -1;
	if (!check(err == 0, "map 2 MiB")) {
		printf("block: error %d\n", err);
		return;
	}
	uint64_t pa = smmu_iova_to_phys(&s.dom, iova + 0x1ff000, &level);
	check(pa == (uintptr_t)buf + 0x1ff000, "iova_to_phys");
	printf("block: 2 MiB at iova 0x%08llx, leaf at level %u\n", (unsigned long long)iova, level);
	check(level == 2, "one level-2 block");
	mem_pattern(buf + 0x100000, PAGE_SIZE, 4);
	check(edu_to_device(&s, iova + 0x100000, XFER) == 0 && edu_to_ram(&s, iova + 0x1ff000, XFER) == 0,
	      "dma");
	if (check(mem_check_pattern(buf + 0x1ff000, XFER, 4) < 0, "block: data"))
		printf("block: offset 1 MiB -> edu -> last page: data ok\n");
	expect_no_event(&s, "block");
	check(dma_unmap_single(&s.dma, iova, size) == 0, "unmap 2 MiB");
	check(smmu_iova_to_phys(&s.dom, iova, NULL) == UINT64_MAX, "unmapped");
	pages_free(buf, size);
}

int main(void)
{
	printf("smmu_dma: DMA through the SMMU, data checked\n");
	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	single_buffers();
	scatter_list();
	coherent();
	block();
	printf("smmu_dma: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
