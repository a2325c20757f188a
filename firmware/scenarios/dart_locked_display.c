/*
 * dart_locked_display (apple-t8103): the display DART as iBoot leaves it, translating the
 * scanout's stream through a table in /reserved-memory and locked (CONFIG.LOCK). The firmware
 * (as Asahi Linux and m1n1 do):
 *   1. finds the locked table: reads TTBR[stream][0] and adopts its L1 (never resets the DART);
 *   2. tries to point the stream at a table of its own: the locked DART ignores the TTBR write
 *      (the register reads back the old value; socsim reports the write);
 *   3. maps a framebuffer into the adopted table (L2 table written in memory, L1 entry
 *      published, TLB invalidated), draws a known pattern, starts the scanout behind the DART
 *      and waits for frames without errors.
 * The scanout writes its last frame as a PNG (socsim,png-output); the system test checks it.
 * Pattern at (x, y): red = 4x, green = 8y, blue = 0xff on odd 8x8 checker squares, else 0.
 */
#include <errno.h>
#include <stdio.h>

#include "apple_display.h"
#include "dma_debug.h"
#include "mmio.h"
#include "pages.h"
#include "timer.h"

#define FB_WIDTH	64u
#define FB_HEIGHT	32u
#define FB_STRIDE	(4u * FB_WIDTH)
#define FB_SIZE		(FB_STRIDE * FB_HEIGHT)
#define FRAMES		3u
#define FRAME_TIMEOUT_US	100000u

static struct apple_display a;

static uint32_t pattern(uint32_t x, uint32_t y)
{
	uint32_t blue = ((x / 8 + y / 8) & 1) ? 0xff : 0;

	return (4 * x) << 16 | (8 * y) << 8 | blue;
}

static void locked_ttbr_write(void)
{
	uintptr_t reg = a.dart.base + DART_T8020_TTBR(a.stream, 0);
	uint64_t *mine = pages_alloc(DART_PAGE_SIZE);
	uint32_t value = DART_T8020_TTBR_VALID | (uint32_t)((uintptr_t)mine >> DART_T8020_TTBR_SHIFT);

	check(mine != NULL, "table");
	write32(reg, value);
	uint32_t now = read32(reg);
	printf("TTBR[%u][0] write of 0x%08x to the locked DART: reads back 0x%08x (%s)\n", (unsigned)a.stream,
	       (unsigned)value, (unsigned)now, now == a.ttbr ? "ignored" : "TAKEN");
	check(now == a.ttbr, "the locked DART kept its TTBR");
	check(dart_reset(&a.dart) == -EPERM, "the driver refuses to reset a locked DART");
	pages_free(mine, DART_PAGE_SIZE);
}

int main(void)
{
	if (apple_display_setup(&a)) {
		printf("dart_locked_display: setup failed\n");
		return 1;
	}
	uintptr_t l1 = (uintptr_t)a.dart.l1;
	printf("adopted L1 table at 0x%llx (%s)\n", (unsigned long long)l1,
	       pages_reserved(l1, DART_PAGE_SIZE) ? "reserved by earlier firmware" : "NOT RESERVED");
	check(pages_reserved(l1, DART_PAGE_SIZE), "the locked table lies in /reserved-memory");
	check(dma_debug_present(), "socsim,dma-debug present");

	locked_ttbr_write();

	volatile uint32_t *fb = pages_alloc(FB_SIZE);
	uint64_t iova;
	check(fb != NULL, "framebuffer");
	if (!check(dma_map_single(&a.dma, (uintptr_t)fb, FB_SIZE, DMA_TO_DEVICE, &iova) == 0, "map"))
		return 1;
	/* Linux's apple-dart flushes after every map (iotlb_sync_map); so does this firmware. */
	check(dart_invalidate(&a.dart, 1u << a.stream) == 0, "invalidate");
	uint64_t l1e = a.dart.l1[(iova >> 25) & (DART_TABLE_ENTRIES - 1)];
	uint64_t pte = dart_pte(&a.dart, iova);
	printf("framebuffer %ux%u at iova 0x%08llx: L1 entry 0x%016llx, pte 0x%016llx\n", FB_WIDTH, FB_HEIGHT,
	       (unsigned long long)iova, (unsigned long long)l1e, (unsigned long long)pte);
	check((pte & DART1_PADDR_MASK) == ((uintptr_t)fb & ~(uintptr_t)(DART_PAGE_SIZE - 1)), "pte -> framebuffer");
	check((pte & DART1_PTE_NO_WRITE) != 0, "read-only for the scanout");

	for (uint32_t y = 0; y < FB_HEIGHT; y++)
		for (uint32_t x = 0; x < FB_WIDTH; x++)
			fb[y * (FB_STRIDE / 4) + x] = pattern(x, y);

	uint32_t errors = scanout_errors(&a.scanout);
	scanout_start(&a.scanout, iova, FB_WIDTH, FB_HEIGHT, FB_STRIDE);
	int err = scanout_wait_frames(&a.scanout, FRAMES, FRAME_TIMEOUT_US);
	uint32_t status = scanout_status(&a.scanout);
	printf("scanout: %s, %u frame(s) with errors, status 0x%x\n", err ? "timed out" : "frames scanned",
	       (unsigned)(scanout_errors(&a.scanout) - errors), (unsigned)status);
	check(err == 0, "frames scanned");
	check(scanout_errors(&a.scanout) == errors, "no frame with read errors");
	check(status == SCANOUT_ACTIVE, "status: active, no error");
	/* The framebuffer may be unmapped only once the scanout has stopped reading it: ACTIVE
	 * clears when the frame period in progress ends. */
	scanout_stop(&a.scanout);
	uint64_t deadline = timer_deadline_us(FRAME_TIMEOUT_US);
	while ((scanout_status(&a.scanout) & SCANOUT_ACTIVE) && !timer_expired(deadline))
		;
	check(!(scanout_status(&a.scanout) & SCANOUT_ACTIVE), "scanout stopped");

	struct dart_error de;
	if (!check(dart_error_read_clear(&a.dart, &de) == 0, "no DART error"))
		printf("DART error: %s, stream %u, iova 0x%llx\n", dart_error_code_name(de.code), de.stream,
		       (unsigned long long)de.addr);
	check(read32(a.dart.base + DART_T8020_TTBR(a.stream, 0)) == a.ttbr, "TTBR unchanged");
	check(dma_unmap_single(&a.dma, iova, FB_SIZE) == 0, "unmap");
	check(dma_debug_findings() == 0, "dma-debug found nothing");
	check(dma_debug_errors() == 0, "every announcement accepted");
	if (check_failures)
		return 1;
	printf("dart_locked_display: passed\n");
	return 0;
}
