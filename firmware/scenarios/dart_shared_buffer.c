/*
 * dart_shared_buffer: one buffer at the same IOVA in two DARTs (apple-t8103).
 *
 * dwc3 sits behind two DARTs (dwc3_0_dart_0 stream 0, dwc3_0_dart_1 stream 1); here the two DMA
 * engines standing in for it. A buffer both must reach needs the same IOVA in both IOVA spaces,
 * mapped and unmapped in step:
 *   1. iova_alloc_shared() takes the highest IOVA free in BOTH allocators and allocates it in
 *      each; the buffer is mapped at it in both DARTs (and announced for both streams);
 *   2. engine 0 fills the first half (a write through DART 0), engine 1 copies the first half to
 *      the second (a read and a write through DART 1): the CPU checks both halves;
 *   3. unmap in both DARTs, each followed by its TLB invalidation (STREAM_SELECT + INVALIDATE,
 *      polling BUSY), then the IOVA is freed in both allocators;
 *   4. a later DMA from either engine faults in its DART with NO_PTE at that IOVA, and the
 *      buffer is unchanged.
 */
#include <stdio.h>

#include "apple_usb.h"
#include "dma_debug.h"
#include "pages.h"

#define BUF_SIZE	DART_PAGE_SIZE
#define HALF		(BUF_SIZE / 2)
#define PATTERN		0xc0ffee00u

static struct apple_usb u[2];

int main(void)
{
	for (unsigned i = 0; i < 2; i++)
		if (apple_usb_setup(&u[i], i))
			return 1;
	if (!check(u[0].dart.base != u[1].dart.base, "two different DARTs"))
		return 1;
	char *buf = pages_alloc(BUF_SIZE);
	if (!check(buf != NULL, "buffer"))
		return 1;

	/* 1. One IOVA, reserved in both allocators, mapped in both DARTs. */
	struct iova_domain *spaces[2] = {&u[0].dart.iovad, &u[1].dart.iovad};
	uint64_t iova;
	if (!check(iova_alloc_shared(spaces, 2, BUF_SIZE, (1ull << DART_IOVA_BITS) - 1, &iova) == 0,
		   "shared IOVA"))
		return 1;
	for (unsigned i = 0; i < 2; i++) {
		check(dart_iommu_ops.map(&u[i].dart, iova, (uintptr_t)buf, BUF_SIZE,
					 IOMMU_READ | IOMMU_WRITE) == 0, "map");
		dma_debug_map(u[i].dev.iommu_phandle, u[i].dev.stream_id, iova, BUF_SIZE,
			      DMA_DEBUG_BIDIRECTIONAL);
		printf("%s stream %u: buffer mapped at iova 0x%08llx\n", u[i].name,
		       (unsigned)u[i].stream, (unsigned long long)iova);
	}
	check(dart_iommu_ops.iova_to_phys(&u[0].dart, iova) == (uintptr_t)buf &&
	      dart_iommu_ops.iova_to_phys(&u[1].dart, iova) == (uintptr_t)buf,
	      "both DARTs translate the IOVA to the buffer");

	/* 2. Both engines use it. */
	uint32_t st0 = apple_usb_fill(&u[0], PATTERN, iova, HALF);
	uint32_t st1 = apple_usb_copy(&u[1], iova, iova + HALF, HALF);
	int ok = st0 == DMA_ENGINE_ST_OK && st1 == DMA_ENGINE_ST_OK &&
		 fill_mismatch(buf, BUF_SIZE, PATTERN) < 0;
	printf("%s filled the first half, %s copied it to the second: %s\n", u[0].name, u[1].name,
	       ok ? "data ok" : "data WRONG");
	check(ok, "shared DMA");
	expect_no_dart_fault(&u[0], "shared DMA");
	expect_no_dart_fault(&u[1], "shared DMA");

	/* 3. Unmap in step: both tables, both TLBs, then both allocators. */
	for (unsigned i = 0; i < 2; i++) {
		check(dart_iommu_ops.unmap(&u[i].dart, iova, BUF_SIZE) == 0, "unmap");
		check(dart_invalidate(&u[i].dart, 1u << u[i].stream) == 0, "invalidate");
		dma_debug_unmap(u[i].dev.iommu_phandle, u[i].dev.stream_id, iova, BUF_SIZE,
				DMA_DEBUG_ANY);
		check(iova_free(spaces[i], iova, BUF_SIZE) == 0, "free the IOVA");
	}
	printf("unmapped from both DARTs and invalidated; iova freed in both allocators\n");

	/* 4. Neither engine reaches the buffer any more. */
	uint32_t f = dma_debug_findings();
	st0 = apple_usb_fill(&u[0], 0xdeadbeefu, iova, HALF);
	printf("%s write after the unmap: %s\n", u[0].name, dma_engine_status_name(st0));
	check(st0 == DMA_ENGINE_ST_DST_ERROR, "write after unmap fails");
	expect_dart_fault(&u[0], "after unmap", DART_T8020_ERROR_NO_PTE, iova);
	st1 = apple_usb_copy(&u[1], iova, iova + HALF, 64);	/* the read comes first */
	printf("%s read after the unmap: %s\n", u[1].name, dma_engine_status_name(st1));
	check(st1 == DMA_ENGINE_ST_SRC_ERROR, "read after unmap fails");
	expect_dart_fault(&u[1], "after unmap", DART_T8020_ERROR_NO_PTE, iova);
	check(fill_mismatch(buf, BUF_SIZE, PATTERN) < 0, "the buffer is unchanged");
	if (dma_debug_present()) {
		uint32_t n = dma_debug_findings() - f;
		printf("dma-debug: %u finding(s) for the accesses after the unmap\n", (unsigned)n);
		check(n == 2, "one DMA-API debugging finding per access after the unmap");
	}
	if (check_failures)
		return 1;
	printf("dart_shared_buffer: passed\n");
	return 0;
}
