/*
 * h6_uncleaned_table: the H6 IOMMU's table walker reads RAM behind the CPU's caches, so every
 * table update must be cleaned to the point of coherency (DC CVAC, DSB) before the hardware may
 * walk it (Linux: sun50i_table_flush). The scenario makes the same update twice, through the
 * video engine (master 3):
 *   1. BUGGY: a new PTE for the bitstream page at IOVA 0x30000000 is written into an existing
 *      page table WITHOUT the clean, then invalidated as Linux does (neighbours included), and
 *      the video engine decodes from it. Unicorn has no caches, so the decode works here, but on
 *      hardware the walker would have read the stale (invalid) entry: socsim's coherence check
 *      reports "walker read uncleaned table memory" naming master 3, the IOVA and the PTE's
 *      address (the system test checks stderr).
 *   2. FIXED: the same update for IOVA 0x30100000 (another page table) WITH the clean: the
 *      decode works and nothing is reported.
 * In both, the page table itself was made by the driver (zeroed, cleaned, its DTE cleaned) when
 * the frame page next to the bitstream was mapped, so the only difference is the missing clean.
 */
#include <stdio.h>

#include "cpu.h"
#include "h6_faults.h"
#include "pages.h"

#define WIDTH	24u
#define HEIGHT	16u
#define STRIDE	(WIDTH * 4u)

static struct h6 h;

static void update_and_decode(const char *form, uint32_t bs_iova, int clean, uint32_t seed)
{
	void *bs = pages_alloc(PAGE_SIZE);
	volatile uint32_t *frame = pages_alloc(PAGE_SIZE);
	uint32_t frame_iova = bs_iova + PAGE_SIZE;
	uintptr_t pte_addr = 0;

	if (!check(bs && frame, "allocate"))
		return;
	size_t len = h6_bitstream(bs, PAGE_SIZE, WIDTH, HEIGHT, seed);
	check(len != 0, "bitstream fits");
	dcache_clean_range(bs, len);	/* the bitstream itself, as dma_map_single would */

	/* The frame page through the driver: makes the page table (cleaned) and its PTE. */
	if (!check(sun50i_iommu_ops.map(&h.dom, frame_iova, (uintptr_t)frame, PAGE_SIZE, IOMMU_WRITE) == 0,
		      "map the frame page"))
		return;
	/* The update under test: a new PTE for the bitstream page, read-only. */
	if (!check(h6_map_page(&h, bs_iova, (uint32_t)(uintptr_t)bs, SUN50I_ACI_RD, clean, &pte_addr) == 0,
		      "write the bitstream PTE"))
		return;
	printf("%s: PTE for IOVA 0x%08lx at 0x%08lx written %s\n", form, (unsigned long)bs_iova,
	       (unsigned long)pte_addr, clean ? "and cleaned (DC CVAC, DSB)" : "WITHOUT a clean");

	video_start(&h.video, bs_iova, (uint32_t)len, frame_iova, STRIDE, 0);
	int st = video_wait(&h.video, H6_DMA_TIMEOUT_US);
	if (!check(st >= 0 && (st & VIDEO_DONE) && !(st & (VIDEO_DMA_ERROR | VIDEO_FORMAT_ERROR)),
		      "video engine decodes"))
		printf("%s: video status %d, error code %lu\n", form, st, (unsigned long)video_error_code(&h.video));
	dcache_clean_inval_range(frame, STRIDE * HEIGHT);
	long bad = h6_frame_check(frame, WIDTH, HEIGHT, STRIDE, seed);
	if (check(bad < 0, "decoded frame"))
		printf("%s: master 3 decoded %ux%u through the new PTE: frame ok\n", form, WIDTH, HEIGHT);
	else
		printf("%s: frame differs at byte %ld\n", form, bad);
	check(sun50i_iommu_handle_fault(&h.iommu, &(struct sun50i_fault){0}) == 0, "no IOMMU fault");
}

int main(void)
{
	printf("h6_uncleaned_table: a table update must be cleaned before the walker reads it\n");
	if (h6_setup(&h)) {
		printf("FAIL: setup\n");
		return 1;
	}
	if (h.video_m.stream_id != 3)
		printf("note: the video engine is master %u\n", (unsigned)h.video_m.stream_id);
	update_and_decode("buggy", 0x30000000u, 0, 1);
	update_and_decode("fixed", 0x30100000u, 1, 2);
	printf("h6_uncleaned_table: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
