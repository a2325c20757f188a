/*
 * h6_free_live_domain: the bug the 2020 review of Linux's sun50i-iommu driver found: a domain's tables
 * freed while the TTB still points at them. The freed memory is handed out again and filled
 * with other data, and the IOMMU goes on using it as the live directory.
 *
 * Buggy form (first): domain A is live, the video engine (master 3) decodes a frame through it.
 * Then A's page tables and directory go back to the page allocator without a detach (what
 * sun50i_domain_free refuses: the scenario calls pages_free itself, as a driver without the
 * check would). The next 16 KiB allocation gets the directory's memory, and its new owner fills
 * it with pixels (CPU data, never cleaned: it is not meant for a device).
 *  1. The engine decodes again: its TLB entries still hold A's translations, so the data lands
 *     where it did before, but socsim's DMA checker reports each one as stale: the directory
 *     entry it was walked from now holds a pixel, and the tables have no mapping any more.
 *  2. Even with every TLB flushed (what the review's v1 patch did in domain_free), the next
 *     decode walks the freed memory: the checker reports "walker read uncleaned table memory"
 *     for the directory entry, which is a pixel with the type bits 0b00, so the engine's first
 *     read takes an L1-invalid fault (ERR_DATA_L1 is that pixel) and the engine stalls; the
 *     fault is handled (reset pulse) and the job aborted.
 * Fixed form: domain C live, a decode through it; sun50i_domain_free(C) is refused while C is
 * live; detach (disable and invalidate), then free; the memory is handed out again and filled
 * the same way; a fresh domain D mapping the same buffers at the same IOVAs is attached and the
 * engine decodes through it: right data, no fault, nothing reported.
 *
 * dma-debug is not told about these mappings: the buggy form leaves A's buffers mapped in
 * tables that no longer exist, which is the bug shown, not a DMA-API misuse.
 */
#include <stdio.h>

#include "cpu.h"
#include "h6_media.h"
#include "pages.h"
#include "timer.h"

#define WIDTH 64u
#define HEIGHT 32u
#define STRIDE (WIDTH * 4u)
#define FRAME_SIZE (STRIDE * HEIGHT)	/* two pages */
#define BS_SIZE PAGE_SIZE
#define COLOUR 0xc000u
#define DT_SIZE (SUN50I_DT_ENTRIES * 4u)
#define PT_SIZE (SUN50I_PT_ENTRIES * 4u)
#define OTHER_PIXEL 0x00204080u		/* what the memory's next owner writes */

static struct h6_media h;
static void *bs, *frame;
static uint32_t bs_len;

struct domain {
	struct sun50i_domain dom;
	struct dma_device dev;
	uint64_t bs_iova, frame_iova;
};
static struct domain a, c, d;

static int domain_setup(struct domain *x, const char *name)
{
	if (sun50i_domain_init(&x->dom, name))
		return -1;
	h6_dma_device(&h, &h.ve_master, &x->dom, &x->dev, "video-engine");
	x->dev.iommu_phandle = 0;	/* no dma-debug announcements (see above) */
	if (dma_map_single(&x->dev, (uintptr_t)bs, BS_SIZE, DMA_TO_DEVICE, &x->bs_iova) ||
	    dma_map_single(&x->dev, (uintptr_t)frame, FRAME_SIZE, DMA_FROM_DEVICE, &x->frame_iova))
		return -1;
	return 0;
}

/* Start a decode through <x>'s IOVAs; the engine's STATUS when it stops (or < 0). */
static int decode(struct domain *x)
{
	mem_zero(frame, FRAME_SIZE);
	dcache_clean_inval_range(frame, FRAME_SIZE);
	video_start(&h.ve, x->bs_iova, bs_len, x->frame_iova, STRIDE, 0);
	return video_wait(&h.ve, H6_TIMEOUT_US);
}

static int decoded(void)
{
	dcache_clean_inval_range(frame, FRAME_SIZE);
	return h6_check_frame(frame, STRIDE, WIDTH, HEIGHT, COLOUR) < 0;
}

static int frame_empty(void)
{
	const volatile uint32_t *p = frame;

	dcache_clean_inval_range(frame, FRAME_SIZE);
	for (uint32_t i = 0; i < FRAME_SIZE / 4; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The engine takes ABORT at its next step: wait until it is no longer busy. */
static int engine_idle(void)
{
	uint64_t deadline = timer_deadline_us(H6_TIMEOUT_US);

	while (video_status(&h.ve) & VIDEO_BUSY)
		if (timer_expired(deadline))
			return 0;
	return 1;
}

/* The bug: a live domain's tables given back to the page allocator; the TTB still points at
 * the directory. (Linux's domain_free order, without the check the review asked for.) */
static void free_tables_while_live(struct sun50i_domain *dom)
{
	for (unsigned i = 0; i < SUN50I_DT_ENTRIES; i++)
		if ((dom->dt[i] & SUN50I_DTE_TYPE_MASK) == SUN50I_DTE_VALID)
			pages_free((void *)(uintptr_t)(dom->dt[i] & SUN50I_DTE_PT_MASK), PT_SIZE);
	pages_free((void *)(uintptr_t)dom->dt, DT_SIZE);
}

/* The memory's next owner: 16 KiB of pixels written by the CPU. Must get <expected>. */
static uint32_t *reuse(const volatile void *expected)
{
	volatile uint32_t *p = pages_alloc(DT_SIZE);

	if (!check(p == expected, "the page allocator hands the directory's memory out again"))
		return NULL;
	for (uint32_t i = 0; i < DT_SIZE / 4; i++)
		p[i] = OTHER_PIXEL;
	return (uint32_t *)p;
}

int main(void)
{
	printf("h6_free_live_domain: freeing the tables of the live domain\n");
	if (h6_media_setup(&h))
		return 1;
	bs = pages_alloc(BS_SIZE);
	frame = pages_alloc(FRAME_SIZE);
	if (!check(bs && frame, "buffers"))
		return 1;
	bs_len = h6_srle_frame(bs, BS_SIZE, WIDTH, HEIGHT, COLOUR);
	dcache_clean_range(bs, BS_SIZE);

	/* ---- Buggy form ---- */
	printf("buggy: free the live domain's tables, then reuse the memory\n");
	if (!check(domain_setup(&a, "A") == 0, "domain A") ||
	    !check(sun50i_iommu_attach(&h.iommu, &a.dom) == 0, "attach A"))
		return 1;
	check(decode(&a) == VIDEO_DONE && decoded(), "decode through A");
	const volatile uint32_t *a_dt = a.dom.dt;
	free_tables_while_live(&a.dom);
	uint32_t *other = reuse(a_dt);
	if (!other)
		return 1;
	printf("buggy: A's directory now holds pixels %08x; the TTB still points at it\n", OTHER_PIXEL);

	/* 1. Cached translations: the old places, reported stale. */
	if (check(decode(&a) == VIDEO_DONE && decoded(), "decode on cached translations"))
		printf("buggy: the decode used A's cached translations (reported stale)\n");
	h6_no_fault(&h, "cached translations");

	/* 2. Flushed: the walker reads the pixels as the directory. */
	check(sun50i_iommu_flush_all(&h.iommu) == 0, "flush");
	int st = decode(&a);
	struct sun50i_fault f;
	int faulted = sun50i_iommu_handle_fault(&h.iommu, &f);
	if (check(st >= 0 && (st & VIDEO_DMA_ERROR) && faulted && f.type == SUN50I_FAULT_L1 &&
			     f.master == h.ve_master.stream_id && f.iova == (uint32_t)a.bs_iova,
		     "the walk of the freed directory faults (L1 invalid, master, IOVA)"))
		printf("buggy: after a flush the engine's read of IOVA %08lx walked the pixels: L1 fault, "
		       "master %u\n", (unsigned long)f.iova, f.master);
	check(video_error_code(&h.ve) == 1 && video_error_addr(&h.ve) == a.bs_iova, "engine: bitstream read failed");
	video_abort(&h.ve);
	check(engine_idle() && (video_status(&h.ve) & VIDEO_ABORTED), "engine aborted");
	check(frame_empty(), "nothing written");
	h6_no_fault(&h, "after the recovery");

	/* ---- Fixed form ---- */
	printf("fixed: detach (disable and invalidate), then free\n");
	if (!check(domain_setup(&c, "C") == 0, "domain C") ||
	    !check(sun50i_iommu_attach(&h.iommu, &c.dom) == 0, "attach C"))
		return 1;
	check(decode(&c) == VIDEO_DONE && decoded(), "decode through C");
	const volatile uint32_t *c_dt = c.dom.dt;
	check(sun50i_domain_free(&c.dom) != 0, "free refused while C is live");
	check(sun50i_iommu_detach(&h.iommu) == 0, "detach C");
	check(sun50i_domain_free(&c.dom) == 0, "free C");
	if (!reuse(c_dt))
		return 1;
	printf("fixed: C's directory now holds pixels too; nothing points at it\n");
	if (!check(domain_setup(&d, "D") == 0, "domain D") ||
	    !check(sun50i_iommu_attach(&h.iommu, &d.dom) == 0, "attach D"))
		return 1;
	check(d.bs_iova == c.bs_iova && d.frame_iova == c.frame_iova, "same IOVAs as before");
	if (check(decode(&d) == VIDEO_DONE && decoded(), "decode through D"))
		printf("fixed: the decode through the new domain is right, no fault\n");
	h6_no_fault(&h, "fixed form");

	check(sun50i_iommu_detach(&h.iommu) == 0, "detach D");
	check(sun50i_domain_free(&d.dom) == 0, "free D");
	(void)other;

	printf("h6_free_live_domain: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
