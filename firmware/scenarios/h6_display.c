/*
 * h6_display: the display mixer (master 0) scans out a framebuffer mapped through the H6 IOMMU.
 *
 * One domain is attached (the driver's enable sequence), the framebuffer is mapped read-only
 * (DMA_TO_DEVICE: permission domain 2) with its table updates cleaned, and the mixer scans a
 * few frames from the IOVA. Checked: the IOVA is not the physical address (the mixer really
 * goes through the tables), frames counted, no frame error, no IOMMU fault, no dma-debug
 * finding; the system test checks that socsim reports nothing on stderr and that the last frame
 * was written as a PNG of the right size. Then the scanout stops, the buffer is unmapped and the
 * domain detached and freed in the right order.
 */
#include <stdio.h>

#include "cpu.h"
#include "h6_media.h"
#include "pages.h"

#define WIDTH 64u
#define HEIGHT 32u
#define STRIDE (WIDTH * 4u)
#define FB_SIZE (STRIDE * HEIGHT)	/* 8 KiB: two pages */
#define FRAMES 3u

static struct h6_media h;
static struct sun50i_domain dom;
static struct dma_device mixer_dev;

static uint32_t pixel(uint32_t x, uint32_t y)
{
	return (x * 4u) << 16 | (y * 8u) << 8 | 0x40u;
}

int main(void)
{
	printf("h6_display: mixer scanout through the H6 IOMMU\n");
	if (h6_media_setup(&h))
		return 1;
	printf("mixer: master %lu\n", (unsigned long)h.mixer_master.stream_id);
	if (!check(sun50i_domain_init(&dom, "display") == 0, "domain init") ||
	    !check(sun50i_iommu_attach(&h.iommu, &dom) == 0, "attach"))
		return 1;
	h6_dma_device(&h, &h.mixer_master, &dom, &mixer_dev, "mixer0");

	uint32_t *fb = pages_alloc(FB_SIZE);
	if (!check(fb != NULL, "framebuffer"))
		return 1;
	for (uint32_t y = 0; y < HEIGHT; y++)
		for (uint32_t x = 0; x < WIDTH; x++)
			fb[y * (STRIDE / 4) + x] = pixel(x, y);
	dcache_clean_range(fb, FB_SIZE);	/* the mixer reads memory, not the CPU's cache */

	uint64_t iova;
	if (!check(dma_map_single(&mixer_dev, (uintptr_t)fb, FB_SIZE, DMA_TO_DEVICE, &iova) == 0, "map"))
		return 1;
	check(iova != (uintptr_t)fb, "the IOVA differs from the physical address");
	check(sun50i_pte(&dom, (uint32_t)iova) == ((uint32_t)(uintptr_t)fb | SUN50I_ACI_RD << 4 | SUN50I_PTE_VALID),
		 "PTE: the page, read-only domain, valid");
	printf("framebuffer %ux%u mapped read-only, %u bytes\n", WIDTH, HEIGHT, FB_SIZE);

	scanout_start(&h.mixer, iova, WIDTH, HEIGHT, STRIDE);
	check(scanout_wait_frames(&h.mixer, FRAMES, H6_TIMEOUT_US) == 0, "frames scanned");
	scanout_stop(&h.mixer);
	uint32_t frames = scanout_frames(&h.mixer), errors = scanout_errors(&h.mixer);
	check(frames >= FRAMES, "frame count");
	if (!check(errors == 0, "no frame error"))
		printf("errors %lu, first failed address %llx\n", (unsigned long)errors,
		       (unsigned long long)scanout_error_addr(&h.mixer));
	check(!(scanout_status(&h.mixer) & (SCANOUT_FRAME_ERROR | SCANOUT_BAD_CONFIG)), "status clean");
	h6_no_fault(&h, "after scanout");
	check(dma_debug_findings() == 0, "no dma-debug finding");
	printf("scanned %s%u frames, no error, no fault\n", frames > FRAMES ? ">= " : "", FRAMES);

	check(dma_unmap_single(&mixer_dev, iova, FB_SIZE) == 0, "unmap");
	sun50i_iommu_detach(&h.iommu);
	check(sun50i_domain_free(&dom) == 0, "free after detach");
	check(dma_debug_active() == 0, "no announced buffer left");

	printf("h6_display: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
