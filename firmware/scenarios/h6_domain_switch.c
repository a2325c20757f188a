/*
 * h6_domain_switch: two domains (two directories), one live at a time; attaching the other
 * switches the TTB. Without a flush, the IOMMU keeps the old domain's cached translations.
 *
 * Domains A and B each map a bitstream and a frame buffer for the video engine (master 3) at
 * the same IOVAs (each domain has its own IOVA space, allocated the same way), to different
 * pages: A's bitstream decodes to colour 0xa000 + line, B's to 0xb000 + line.
 *
 * Buggy form: A live, a decode through it (the translations are now cached), then
 * sun50i_iommu_switch_ttb(B, 0): ENABLE = 0, TTB = B, ENABLE = 1, no flush. The next decode
 * still reads A's bitstream and writes A's frame buffer; B's frame buffer stays empty. socsim's
 * DMA checker reports each stale translation (stderr; the system test checks it).
 * Fixed form: sun50i_iommu_switch_ttb(..., 1) flushes every TLB and the walk cache after the
 * TTB write: a decode after switching to B fills B's frame buffer with B's frame, A's stays
 * untouched, and nothing is reported.
 *
 * dma-debug is not told about these mappings: it names a buffer by (IOMMU, master, IOVA) and
 * cannot tell two domains that give one master the same IOVAs apart.
 */
#include <stdio.h>

#include "cpu.h"
#include "h6_media.h"
#include "pages.h"

#define WIDTH 64u
#define HEIGHT 32u
#define STRIDE (WIDTH * 4u)
#define FRAME_SIZE (STRIDE * HEIGHT)	/* two pages */
#define BS_SIZE PAGE_SIZE
#define COLOUR_A 0xa000u
#define COLOUR_B 0xb000u

static struct h6_media h;

struct side {
	const char *name;
	struct sun50i_domain dom;
	struct dma_device dev;
	void *bs;
	uint32_t bs_len;
	uint32_t *frame;
	uint64_t bs_iova, frame_iova;
};
static struct side a = {.name = "A"}, b = {.name = "B"};

static int setup_side(struct side *s, uint32_t colour)
{
	if (sun50i_domain_init(&s->dom, s->name))
		return -1;
	h6_dma_device(&h, &h.ve_master, &s->dom, &s->dev, "video-engine");
	s->dev.iommu_phandle = 0;	/* no dma-debug announcements (see above) */
	s->bs = pages_alloc(BS_SIZE);
	s->frame = pages_alloc(FRAME_SIZE);
	if (!s->bs || !s->frame)
		return -1;
	s->bs_len = h6_srle_frame(s->bs, BS_SIZE, WIDTH, HEIGHT, colour);
	dcache_clean_range(s->bs, BS_SIZE);
	dcache_clean_inval_range(s->frame, FRAME_SIZE);
	if (!s->bs_len ||
	    dma_map_single(&s->dev, (uintptr_t)s->bs, BS_SIZE, DMA_TO_DEVICE, &s->bs_iova) ||
	    dma_map_single(&s->dev, (uintptr_t)s->frame, FRAME_SIZE, DMA_FROM_DEVICE, &s->frame_iova))
		return -1;
	return 0;
}

/* Decode at the IOVAs both domains share; 0 when the engine finished without error. */
static int decode(void)
{
	video_start(&h.ve, a.bs_iova, a.bs_len, a.frame_iova, STRIDE, 0);
	int st = video_wait(&h.ve, H6_TIMEOUT_US);
	if (st < 0 || (uint32_t)st != VIDEO_DONE) {
		printf("decode: status %d, error code %lu at %llx\n", st, (unsigned long)video_error_code(&h.ve),
		       (unsigned long long)video_error_addr(&h.ve));
		return -1;
	}
	return 0;
}

static void clear(struct side *s)
{
	mem_zero(s->frame, FRAME_SIZE);
	dcache_clean_inval_range(s->frame, FRAME_SIZE);
}

static int holds(struct side *s, uint32_t colour)
{
	dcache_clean_inval_range(s->frame, FRAME_SIZE);	/* dma_unmap/sync for the CPU */
	return h6_check_frame(s->frame, STRIDE, WIDTH, HEIGHT, colour) < 0;
}

static int empty(struct side *s)
{
	dcache_clean_inval_range(s->frame, FRAME_SIZE);
	for (uint32_t i = 0; i < FRAME_SIZE / 4; i++)
		if (s->frame[i])
			return 0;
	return 1;
}

int main(void)
{
	printf("h6_domain_switch: switching the TTB between two domains\n");
	if (h6_media_setup(&h))
		return 1;
	printf("video engine: master %lu\n", (unsigned long)h.ve_master.stream_id);
	if (!check(setup_side(&a, COLOUR_A) == 0, "domain A") ||
	    !check(setup_side(&b, COLOUR_B) == 0, "domain B"))
		return 1;
	if (!check(a.bs_iova == b.bs_iova && a.frame_iova == b.frame_iova, "same IOVAs in both domains"))
		return 1;
	check(a.frame != b.frame && a.bs != b.bs, "different pages");

	/* Buggy form. */
	printf("buggy: switch the TTB to B without flushing\n");
	if (!check(sun50i_iommu_attach(&h.iommu, &a.dom) == 0, "attach A"))
		return 1;
	check(decode() == 0 && holds(&a, COLOUR_A), "decode through A");
	clear(&a);
	check(sun50i_iommu_switch_ttb(&h.iommu, &b.dom, 0) == 0, "switch to B, no flush");
	check(decode() == 0, "decode after the switch");
	if (check(holds(&a, COLOUR_A) && empty(&b), "old domain's translations used"))
		printf("buggy: the engine read A's bitstream and wrote A's frame buffer, B's is empty\n");
	h6_no_fault(&h, "buggy form");

	/* Fixed form. */
	printf("fixed: switch with the flush\n");
	clear(&a);
	check(sun50i_iommu_switch_ttb(&h.iommu, &a.dom, 1) == 0, "switch to A, flush");
	check(decode() == 0 && holds(&a, COLOUR_A) && empty(&b), "decode through A");
	clear(&a);
	check(sun50i_iommu_switch_ttb(&h.iommu, &b.dom, 1) == 0, "switch to B, flush");
	check(decode() == 0, "decode after the switch");
	if (check(holds(&b, COLOUR_B) && empty(&a), "new domain's translations used"))
		printf("fixed: the engine read B's bitstream and wrote B's frame buffer, A's is untouched\n");
	h6_no_fault(&h, "fixed form");

	sun50i_iommu_detach(&h.iommu);
	check(sun50i_domain_free(&a.dom) == 0 && sun50i_domain_free(&b.dom) == 0, "free after detach");

	printf("h6_domain_switch: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
