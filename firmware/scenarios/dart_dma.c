/*
 * dart_dma: two DARTs, two independent IOVA spaces (apple-t8103).
 *
 * The DMA engines behind dwc3_0_dart_0 and dwc3_1_dart_0 (the first and third socsim,dma-engine
 * of the DTB) are set up with their DART each (apple_usb.c): one lib/iova allocator per DART over
 * [16 KiB, 4 GiB), top-down, as Linux and U-Boot (before and after its LMB regression) keep them.
 * Through each DART: a two-page source buffer (DMA_TO_DEVICE, its own pattern) is copied by the
 * engine into a two-page destination (DMA_FROM_DEVICE), then part of the destination is filled.
 * Data checked by the CPU; no DART error.
 *
 * Both allocators made the same allocations in the same order, so both source buffers got the
 * same IOVA: the scenario checks that this one IOVA translates to a different physical page in
 * each DART, and that each engine read its own DART's buffer through it.
 *
 * With socsim,dma-debug present, every mapping was announced and no finding may appear.
 */
#include <stdio.h>

#include "apple_usb.h"
#include "dma_debug.h"
#include "pages.h"

#define BUF_SIZE	(2 * DART_PAGE_SIZE)
#define FILL_OFFSET	0x1000u
#define FILL_LEN	0x2000u

struct side {
	struct apple_usb u;
	void *src, *dst;
	uint64_t src_iova, dst_iova;
	uint32_t seed, fill;
};

static struct side sides[2];
static const unsigned engine_index[2] = {0, 2};	/* dwc3_0_dart_0, dwc3_1_dart_0 */

static int map_buffers(struct side *s)
{
	s->src = pages_alloc(BUF_SIZE);
	s->dst = pages_alloc(BUF_SIZE);
	if (!check(s->src && s->dst, "buffers allocated"))
		return -1;
	mem_pattern(s->src, BUF_SIZE, s->seed);
	mem_zero(s->dst, BUF_SIZE);
	if (!check(dma_map_single(&s->u.dev, (uintptr_t)s->src, BUF_SIZE, DMA_TO_DEVICE, &s->src_iova) == 0,
		   "map source") ||
	    !check(dma_map_single(&s->u.dev, (uintptr_t)s->dst, BUF_SIZE, DMA_FROM_DEVICE, &s->dst_iova) == 0,
		   "map destination"))
		return -1;
	printf("%s stream %u: ring iova 0x%08llx, source iova 0x%08llx, destination iova 0x%08llx\n",
	       s->u.name, (unsigned)s->u.stream, (unsigned long long)s->u.ring_iova,
	       (unsigned long long)s->src_iova, (unsigned long long)s->dst_iova);
	return 0;
}

static void dma_and_check(struct side *s)
{
	char what[64];
	uint32_t st = apple_usb_copy(&s->u, s->src_iova, s->dst_iova, BUF_SIZE);

	snprintf(what, sizeof what, "%s copy", s->u.name);
	check(st == DMA_ENGINE_ST_OK, what);
	long bad = mem_check_pattern(s->dst, BUF_SIZE, s->seed);
	printf("%s: copied %u bytes (two pages): %s\n", s->u.name, BUF_SIZE,
	       bad < 0 ? "data ok" : "data WRONG");
	check(bad < 0, what);

	st = apple_usb_fill(&s->u, s->fill, s->dst_iova + FILL_OFFSET, FILL_LEN);
	snprintf(what, sizeof what, "%s fill", s->u.name);
	check(st == DMA_ENGINE_ST_OK, what);
	char *dst = s->dst;
	int ok = fill_mismatch(dst + FILL_OFFSET, FILL_LEN, s->fill) < 0 &&
		 mem_check_pattern(dst, FILL_OFFSET, s->seed) < 0;
	printf("%s: filled %u bytes with 0x%08lx: %s\n", s->u.name, FILL_LEN, (unsigned long)s->fill,
	       ok ? "data ok" : "data WRONG");
	check(ok, what);
	expect_no_dart_fault(&s->u, what);
}

int main(void)
{
	uint32_t findings = dma_debug_findings();

	for (unsigned i = 0; i < 2; i++) {
		sides[i].seed = 0x100 + i;
		sides[i].fill = 0xa5a50000u + i;
		if (apple_usb_setup(&sides[i].u, engine_index[i]))
			return 1;
	}
	if (check(sides[0].u.dart.base != sides[1].u.dart.base, "two different DARTs") == 0)
		return 1;
	for (unsigned i = 0; i < 2; i++) {
		/* lib/dma gives a coherent buffer whole 16 KiB granules: the engine reaches its ring
		 * and nothing beside it. */
		check((sides[i].u.ring_iova & (DART_PAGE_SIZE - 1)) == 0, "the ring fills whole granules");
		if (map_buffers(&sides[i]))
			return 1;
	}

	/* One IOVA, two meanings: each DART's table maps it to that DART's own buffer. */
	uint64_t iova = sides[0].src_iova;
	uint64_t pa0 = dart_iommu_ops.iova_to_phys(&sides[0].u.dart, iova);
	uint64_t pa1 = dart_iommu_ops.iova_to_phys(&sides[1].u.dart, iova);
	int same_iova = sides[1].src_iova == iova;
	printf("iova 0x%08llx: %s in both DARTs, %s physical pages\n", (unsigned long long)iova,
	       same_iova ? "mapped" : "NOT mapped", pa0 != pa1 ? "different" : "the SAME");
	check(same_iova, "both allocators handed out the same source IOVA");
	check(pa0 == (uintptr_t)sides[0].src && pa1 == (uintptr_t)sides[1].src && pa0 != pa1,
	      "the IOVA maps each DART's own buffer");

	for (unsigned i = 0; i < 2; i++)
		dma_and_check(&sides[i]);
	/* The first destination was not touched by the second engine, which used the same IOVAs. */
	check(mem_check_pattern(sides[0].dst, FILL_OFFSET, sides[0].seed) < 0,
	      "the second engine's DMA stayed in its own IOVA space");

	for (unsigned i = 0; i < 2; i++) {
		struct side *s = &sides[i];
		check(dma_unmap_single(&s->u.dev, s->src_iova, BUF_SIZE) == 0, "unmap source");
		check(dma_unmap_single(&s->u.dev, s->dst_iova, BUF_SIZE) == 0, "unmap destination");
	}
	if (dma_debug_present()) {
		uint32_t n = dma_debug_findings() - findings;
		printf("dma-debug: %u finding(s)\n", (unsigned)n);
		check(n == 0, "no DMA-API debugging finding");
	}
	if (check_failures)
		return 1;
	printf("dart_dma: passed\n");
	return 0;
}
