/*
 * dart_tlb_flush: an unmap needs its TLB invalidation (apple-t8103, dwc3_0_dart_0's engine).
 *
 *   1. a 16 KiB buffer is mapped (lib/dma) and the engine fills it: the DART caches the
 *      translation;
 *   2. WITHOUT invalidation: the leaf PTE is cleared (the driver's unmap op alone) and the engine
 *      fills the IOVA again. The DART still holds the old translation and, as hardware may, uses
 *      it: the write lands in the old page, no DART error. socsim's DMA checker reports the
 *      stale translation on stderr (the test checks that line);
 *   3. WITH invalidation: STREAM_SELECT = the stream, STREAM_COMMAND = INVALIDATE, polling BUSY
 *      (dart_invalidate), then the same fill faults: NO_PTE at that IOVA, latched with the
 *      engine's stream, and memory keeps the data of step 2.
 */
#include <stdio.h>

#include "apple_usb.h"
#include "pages.h"

#define BUF_SIZE	DART_PAGE_SIZE

static struct apple_usb u;

int main(void)
{
	if (apple_usb_setup(&u, 0))
		return 1;
	void *buf = pages_alloc(BUF_SIZE);
	uint64_t iova;
	if (!check(buf && dma_map_single(&u.dev, (uintptr_t)buf, BUF_SIZE, DMA_BIDIRECTIONAL, &iova) == 0,
		   "map"))
		return 1;

	/* 1. */
	uint32_t st = apple_usb_fill(&u, 0x11111111u, iova, BUF_SIZE);
	int ok = st == DMA_ENGINE_ST_OK && fill_mismatch(buf, BUF_SIZE, 0x11111111u) < 0;
	printf("mapped at iova 0x%08llx, device fill: %s\n", (unsigned long long)iova,
	       ok ? "data ok" : "data WRONG");
	check(ok, "fill through the mapping");

	/* 2. */
	printf("--- unmap without invalidation (buggy) ---\n");
	check(dart_iommu_ops.unmap(&u.dart, iova, BUF_SIZE) == 0, "unmap");
	check(dart_pte(&u.dart, iova) == 0, "the PTE is gone from the table");
	st = apple_usb_fill(&u, 0x22222222u, iova, BUF_SIZE);
	ok = st == DMA_ENGINE_ST_OK && fill_mismatch(buf, BUF_SIZE, 0x22222222u) < 0;
	printf("device fill after the unmap: %s, %s\n", dma_engine_status_name(st),
	       ok ? "reached the old page through the stale TLB entry" : "did NOT reach the old page");
	check(ok, "the stale translation is used");
	expect_no_dart_fault(&u, "stale translation");

	/* 3. */
	printf("--- unmap with invalidation (fixed) ---\n");
	check(dart_invalidate(&u.dart, 1u << u.stream) == 0, "invalidate the stream, BUSY polled");
	st = apple_usb_fill(&u, 0x33333333u, iova, BUF_SIZE);
	printf("device fill after the invalidation: %s\n", dma_engine_status_name(st));
	check(st == DMA_ENGINE_ST_DST_ERROR, "the fill faults");
	expect_dart_fault(&u, "after invalidation", DART_T8020_ERROR_NO_PTE, iova);
	check(fill_mismatch(buf, BUF_SIZE, 0x22222222u) < 0, "memory unchanged by the faulting fill");

	/* Release the IOVA and the announcement (the PTE is already clear). */
	check(dma_unmap_single(&u.dev, iova, BUF_SIZE) == 0, "dma_unmap_single");
	if (check_failures)
		return 1;
	printf("dart_tlb_flush: passed\n");
	return 0;
}
