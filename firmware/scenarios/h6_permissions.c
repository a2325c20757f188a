/*
 * h6_permissions: a write through a read-only permission domain faults, the master stalls until
 * its reset bit is pulsed, and the firmware recovers it (Linux sun50i_iommu_irq and its reset pulse).
 * The video engine (master 3) decodes into a frame buffer that was mapped DMA_TO_DEVICE by
 * mistake: its PTE has ACI 2 (RD), and the driver programmed DM_AUT_CTRL1 = 0x05550aaa, so
 * domain 2 prohibits writes for every master.
 *   1. The decode's first frame write faults: the engine stops with DMA_ERROR (code 3, frame
 *      write), INT_STA = bit 3, INT_ERR_ADDR[3] = the frame's IOVA, INT_ERR_DATA[3] = its PTE
 *      (ACI 2); the frame in memory is untouched.
 *   2. Stall: RESUME before the reset pulse gets nowhere: the IOMMU refuses the master's very
 *      first access (the bitstream read, code 1) and latches no new fault.
 *   3. Recovery as Linux's interrupt handler: sun50i_iommu_handle_fault (zap the page, INT_CLR,
 *      RESET = ~bit 3 then all ones). The mapping is fixed (unmap, full flush, map the same IOVA
 *      writable), then RESUME restarts the job and the frame is decoded.
 */
#include <stdio.h>

#include "cpu.h"
#include "h6_faults.h"
#include "mmio.h"
#include "pages.h"

#define WIDTH	32u
#define HEIGHT	20u
#define STRIDE	(WIDTH * 4u)
#define SEED	7u
#define FILL	9u	/* what the frame holds before the decode */

static struct h6 h;

static uint32_t iommu_reg(uint32_t off)
{
	return read32(h.iommu.base + off);
}

int main(void)
{
	printf("h6_permissions: a write through a read-only domain faults and stalls the master\n");
	if (h6_setup(&h)) {
		printf("FAIL: setup\n");
		return 1;
	}
	const unsigned m = h.video_m.stream_id;
	void *bs = pages_alloc(PAGE_SIZE);
	volatile uint32_t *frame = pages_alloc(PAGE_SIZE);
	uint64_t bs_iova, frame_iova;

	size_t len = h6_bitstream(bs, PAGE_SIZE, WIDTH, HEIGHT, SEED);
	mem_pattern((void *)frame, PAGE_SIZE, FILL);
	dcache_clean_range(frame, PAGE_SIZE);
	if (!check(len && dma_map_single(&h.video_dma, (uintptr_t)bs, len, DMA_TO_DEVICE, &bs_iova) == 0 &&
		      dma_map_single(&h.video_dma, (uintptr_t)frame, PAGE_SIZE, DMA_TO_DEVICE, &frame_iova) == 0,
		      "map"))
		return 1;
	uint32_t pte = sun50i_pte(&h.dom, (uint32_t)frame_iova);
	printf("mapped: bitstream at 0x%08lx, frame at 0x%08lx DMA_TO_DEVICE by mistake (PTE 0x%08lx, ACI %lu)\n",
	       (unsigned long)bs_iova, (unsigned long)frame_iova, (unsigned long)pte,
	       (unsigned long)SUN50I_PTE_ACI(pte));
	check(SUN50I_PTE_ACI(pte) == SUN50I_ACI_RD, "frame PTE in the read-only domain");

	/* 1. The fault. */
	video_start(&h.video, bs_iova, (uint32_t)len, frame_iova, STRIDE, 0);
	int st = video_wait(&h.video, H6_DMA_TIMEOUT_US);
	check(st >= 0 && (st & VIDEO_BUSY) && (st & VIDEO_DMA_ERROR), "video engine stalls with a DMA error");
	check(video_error_code(&h.video) == 3 && video_error_addr(&h.video) == frame_iova,
		 "video engine: frame write failed at the frame's IOVA");
	printf("video: status 0x%x, error code %lu at 0x%08llx\n", st, (unsigned long)video_error_code(&h.video),
	       (unsigned long long)video_error_addr(&h.video));

	uint32_t sta = iommu_reg(SUN50I_INT_STA), err_addr = iommu_reg(SUN50I_INT_ERR_ADDR(m)),
		 err_data = iommu_reg(SUN50I_INT_ERR_DATA(m));
	printf("iommu: INT_STA 0x%08lx, INT_ERR_ADDR[%u] 0x%08lx, INT_ERR_DATA[%u] 0x%08lx (ACI %lu)\n",
	       (unsigned long)sta, m, (unsigned long)err_addr, m, (unsigned long)err_data,
	       (unsigned long)SUN50I_PTE_ACI(err_data));
	check(sta == 1u << m, "INT_STA: a permission fault of the master only");
	check(err_addr == frame_iova, "INT_ERR_ADDR: the frame's IOVA");
	check(err_data == pte, "INT_ERR_DATA: the frame's PTE");
	check(iommu_reg(SUN50I_L1PG_INT) == 0 && iommu_reg(SUN50I_L2PG_INT) == 0, "no walk fault");
	dcache_clean_inval_range(frame, PAGE_SIZE);
	if (check(mem_check_pattern((void *)frame, PAGE_SIZE, FILL) < 0, "frame untouched by the refused write"))
		printf("frame: untouched by the refused write\n");

	/* 2. The stall: nothing moves until the reset pulse. */
	video_resume(&h.video);
	st = video_wait(&h.video, H6_DMA_TIMEOUT_US);
	check(st >= 0 && (st & VIDEO_DMA_ERROR) && video_error_code(&h.video) == 1 &&
		 video_error_addr(&h.video) == bs_iova, "resume before the reset pulse: bitstream read refused");
	check(iommu_reg(SUN50I_INT_STA) == sta, "no new fault latched while stalled");
	printf("stall: resume before the reset pulse: bitstream read refused (code %lu), INT_STA still 0x%08lx\n",
	       (unsigned long)video_error_code(&h.video), (unsigned long)iommu_reg(SUN50I_INT_STA));

	/* 3. Recovery: Linux's handler, then fix the mapping, then resume. */
	struct sun50i_fault f;
	check(sun50i_iommu_handle_fault(&h.iommu, &f) == 1, "a fault to handle");
	check(f.type == SUN50I_FAULT_PERM && f.master == m && f.iova == frame_iova && f.aci == SUN50I_ACI_RD &&
		 f.write, "handler: permission fault, write, on the frame");
	printf("handler: permission fault, master %u, iova 0x%08lx, %s; reset pulsed, INT_STA now 0x%08lx\n",
	       f.master, (unsigned long)f.iova, f.write ? "write" : "read",
	       (unsigned long)iommu_reg(SUN50I_INT_STA));
	check(iommu_reg(SUN50I_INT_STA) == 0, "INT_STA cleared");

	check(sun50i_iommu_ops.unmap(&h.dom, frame_iova, PAGE_SIZE) == 0 &&
		 sun50i_iommu_ops.flush(&h.dom, frame_iova, PAGE_SIZE) == 0 &&
		 sun50i_iommu_ops.map(&h.dom, frame_iova, (uintptr_t)frame, PAGE_SIZE, IOMMU_WRITE) == 0,
		 "remap the frame writable");
	printf("remapped: frame at 0x%08lx writable (ACI %lu)\n", (unsigned long)frame_iova,
	       (unsigned long)SUN50I_PTE_ACI(sun50i_pte(&h.dom, (uint32_t)frame_iova)));
	video_resume(&h.video);
	st = video_wait(&h.video, H6_DMA_TIMEOUT_US);
	check(st >= 0 && (st & VIDEO_DONE) && !(st & (VIDEO_BUSY | VIDEO_DMA_ERROR)), "resumed job completes");
	dcache_clean_inval_range(frame, PAGE_SIZE);
	long bad = h6_frame_check(frame, WIDTH, HEIGHT, STRIDE, SEED);
	if (check(bad < 0 && video_frames(&h.video) == 1, "decoded frame after recovery"))
		printf("recovered: master %u decoded %ux%u, frame ok\n", m, WIDTH, HEIGHT);
	check(iommu_reg(SUN50I_INT_STA) == 0, "no fault after recovery");

	check(dma_unmap_single(&h.video_dma, frame_iova, PAGE_SIZE) == 0 &&
		 dma_unmap_single(&h.video_dma, bs_iova, len) == 0, "unmap");
	printf("h6_permissions: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
