/*
 * h6_unreferenced_master: the CSI (master 4) has no `iommus` in Linux's H6 device tree, so its
 * driver hands it physical addresses and nothing is ever mapped for it; but the mainline IOMMU
 * driver writes BYPASS = 0 at enable (v6.11), which makes every master translated, the CSI
 * included (sun50i-h6.dtsi references masters 0, 1, 3, 5 only). socsim wires it with `socsim,iommus = <&iommu 4>`.
 *   1. With the IOMMU enabled as Linux does (BYPASS = 0), the capture is told to write one frame
 *      to a buffer's physical address: the IOMMU finds no DTE for it and raises an L1-invalid
 *      fault for master 4 (INT_STA bit 16, L1PG_INT bit 4, INT_ERR_ADDR_L1 = the address), the
 *      capture stalls with DMA_ERROR at that address, and the buffer is untouched. socsim's
 *      fault line names master 4 (the system test checks it).
 *   2. Linux's interrupt handler recovers the lane (zap, INT_CLR, reset pulse of master 4).
 *   3. The fix the vendor driver applies (BSP: only masters with an `iommus` reference are
 *      translated): BYPASS bit 4 = 1; RESUME writes the frame again, untranslated, and it lands.
 */
#include <stdio.h>

#include "cpu.h"
#include "h6_faults.h"
#include "mmio.h"
#include "pages.h"

#define WIDTH	16u
#define HEIGHT	8u
#define STRIDE	(WIDTH * 4u)
#define COLOR	0x00c0ffeeu
#define FILL	3u

static struct h6 h;

static uint32_t iommu_reg(uint32_t off)
{
	return read32(h.iommu.base + off);
}

static long frame_check(const volatile uint32_t *frame)
{
	for (uint32_t y = 0; y < HEIGHT; y++)
		for (uint32_t x = 0; x < WIDTH; x++)
			if (frame[y * (STRIDE / 4) + x] !=
			    capture_pattern_pixel(CAPTURE_SOLID, COLOR, x, y, WIDTH, HEIGHT, 0))
				return (long)(y * STRIDE + x * 4);
	return -1;
}

int main(void)
{
	printf("h6_unreferenced_master: with BYPASS = 0 the CSI (no iommus reference) faults\n");
	if (h6_setup(&h)) {
		printf("FAIL: setup\n");
		return 1;
	}
	const unsigned m = h.csi_m.stream_id;
	volatile uint32_t *buf = pages_alloc(PAGE_SIZE);
	const uint32_t phys = (uint32_t)(uintptr_t)buf;

	mem_pattern((void *)buf, PAGE_SIZE, FILL);
	dcache_clean_range(buf, PAGE_SIZE);
	printf("iommu: enabled, BYPASS 0x%08lx; capture (master %u) told to write to physical 0x%08lx\n",
	       (unsigned long)iommu_reg(SUN50I_BYPASS), m, (unsigned long)phys);
	check(iommu_reg(SUN50I_BYPASS) == 0, "BYPASS = 0 after the enable");

	/* 1. The fault. */
	capture_start(&h.csi, phys, WIDTH, HEIGHT, STRIDE, CAPTURE_SOLID, COLOR);
	int st = capture_wait(&h.csi, H6_DMA_TIMEOUT_US);
	check(st >= 0 && (st & CAPTURE_BUSY) && (st & CAPTURE_DMA_ERROR) && capture_error_addr(&h.csi) == phys,
		 "capture stalls with a DMA error at the buffer");
	printf("capture: status 0x%x, error at 0x%08llx\n", st, (unsigned long long)capture_error_addr(&h.csi));
	uint32_t sta = iommu_reg(SUN50I_INT_STA), l1 = iommu_reg(SUN50I_L1PG_INT),
		 addr = iommu_reg(SUN50I_INT_ERR_ADDR_L1);
	printf("iommu: INT_STA 0x%08lx, L1PG_INT 0x%08lx, INT_ERR_ADDR_L1 0x%08lx, INT_ERR_DATA_L1 0x%08lx\n",
	       (unsigned long)sta, (unsigned long)l1, (unsigned long)addr,
	       (unsigned long)iommu_reg(SUN50I_INT_ERR_DATA_L1));
	check(sta == SUN50I_INT_L1_INVALID, "INT_STA: L1 invalid only");
	check(l1 == 1u << m && iommu_reg(SUN50I_L2PG_INT) == 0, "L1PG_INT: master 4 only");
	check(addr == phys, "INT_ERR_ADDR_L1: the address the capture used");
	check(iommu_reg(SUN50I_INT_ERR_DATA_L1) == 0, "INT_ERR_DATA_L1: the empty DTE");
	dcache_clean_inval_range(buf, PAGE_SIZE);
	if (check(mem_check_pattern((void *)buf, PAGE_SIZE, FILL) < 0, "buffer untouched"))
		printf("buffer: untouched\n");

	/* 2. Linux's handler. */
	struct sun50i_fault f;
	check(sun50i_iommu_handle_fault(&h.iommu, &f) == 1 && f.type == SUN50I_FAULT_L1 && f.master == m &&
		 f.iova == phys, "handler: L1 fault of master 4");
	printf("handler: L1 invalid, master %u, iova 0x%08lx; reset pulsed, INT_STA now 0x%08lx\n", f.master,
	       (unsigned long)f.iova, (unsigned long)iommu_reg(SUN50I_INT_STA));
	check(iommu_reg(SUN50I_INT_STA) == 0 && iommu_reg(SUN50I_L1PG_INT) == 0, "status cleared");

	/* 3. The vendor driver's choice: untranslated masters stay bypassed. */
	write32(h.iommu.base + SUN50I_BYPASS, 1u << m);
	capture_resume(&h.csi);
	st = capture_wait(&h.csi, H6_DMA_TIMEOUT_US);
	check(st >= 0 && (st & CAPTURE_DONE) && !(st & (CAPTURE_BUSY | CAPTURE_DMA_ERROR)) &&
		 capture_frames(&h.csi) == 1, "capture completes with BYPASS bit 4 set");
	dcache_clean_inval_range(buf, PAGE_SIZE);
	long bad = frame_check(buf);
	if (check(bad < 0, "captured frame at the physical address"))
		printf("bypassed: BYPASS 0x%08lx, capture wrote %ux%u at 0x%08lx: frame ok\n",
		       (unsigned long)iommu_reg(SUN50I_BYPASS), WIDTH, HEIGHT, (unsigned long)phys);
	check(iommu_reg(SUN50I_INT_STA) == 0, "no fault when bypassed");
	printf("h6_unreferenced_master: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
