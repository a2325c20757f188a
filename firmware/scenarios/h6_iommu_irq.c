/*
 * h6_iommu_irq (allwinner-h6): the H6 IOMMU's fault interrupt (GIC SPI 57 = INTID 89, level
 * high, from the DT) handled as Linux's sun50i_iommu_irq does (drivers/sun50i:
 * sun50i_iommu_handle_fault): read INT_STA, nothing pending -> IRQ_NONE; the L2, else L1, else
 * permission fault: master and IOVA from L2PG_INT/L1PG_INT/INT_STA and the ERR_ADDR registers,
 * zap the page; INT_CLR = INT_STA; RESET = ~(faulting masters), then all ones.
 * The video engine (master 3) decodes into a frame mapped DMA_TO_DEVICE by mistake (ACI 2,
 * read-only): its frame write faults and the master stalls; the interrupt fires, the handler
 * records and clears the fault and pulses the master's reset; the main loop idles in WFI until
 * then. The mapping is fixed and RESUME restarts the job. Checked: the handler saw a permission
 * fault of master 3 at the frame's IOVA (ACI RD, a write), INT_STA is 0 afterwards, the frame
 * decodes after the recovery, and nothing interrupts without a fault to handle.
 */
#include <stdio.h>

#include "cpu.h"
#include "h6_faults.h"
#include "irq.h"
#include "mmio.h"
#include "pages.h"

#define WIDTH	32u
#define HEIGHT	20u
#define STRIDE	(WIDTH * 4u)
#define SEED	5u
#define FILL	9u

static struct h6 h;
static volatile unsigned handled, not_mine;
static struct sun50i_fault fault;

static enum irqreturn iommu_irq(unsigned line, void *arg)
{
	struct sun50i_fault f;
	(void)line;
	(void)arg;

	if (sun50i_iommu_handle_fault(&h.iommu, &f) != 1) {
		not_mine++;
		return IRQ_NONE;
	}
	if (handled++ == 0)
		fault = f;
	return IRQ_HANDLED;
}

int main(void)
{
	unsigned line;

	printf("h6_iommu_irq: an H6 IOMMU permission fault handled from its interrupt\n");
	if (h6_setup(&h) || irq_init(&h.fdt)) {
		printf("FAIL: setup\n");
		return 1;
	}
	int node = fdt_find_enabled_compatible(&h.fdt, -1, "allwinner,sun50i-h6-iommu");
	if (!check(node >= 0 && irq_of_request(&h.fdt, node, 0, iommu_irq, NULL, &line) == 0 &&
		   irq_enable(line) == 0, "IOMMU interrupt"))
		return 1;
	printf("iommu: interrupt line %u\n", line);

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
	printf("mapped: frame at 0x%08lx read-only by mistake\n", (unsigned long)frame_iova);

	local_irq_enable();
	video_start(&h.video, bs_iova, (uint32_t)len, frame_iova, STRIDE, 0);
	int st = video_wait(&h.video, H6_DMA_TIMEOUT_US);
	local_irq_disable();
	while (handled == 0)
		wait_for_interrupt();
	local_irq_enable();

	check(st >= 0 && (st & VIDEO_DMA_ERROR) && video_error_code(&h.video) == 3, "frame write failed");
	printf("irq: %s fault, master %u, iova 0x%08lx, ACI %u, %s; INT_STA now 0x%08lx\n",
	       fault.type == SUN50I_FAULT_PERM ? "permission" : "other", fault.master,
	       (unsigned long)fault.iova, fault.aci, fault.write ? "write" : "read",
	       (unsigned long)read32(h.iommu.base + SUN50I_INT_STA));
	check(fault.type == SUN50I_FAULT_PERM && fault.master == m && fault.iova == frame_iova &&
	      fault.aci == SUN50I_ACI_RD && fault.write, "handler: permission fault, write, on the frame");
	check(read32(h.iommu.base + SUN50I_INT_STA) == 0, "INT_STA cleared by the handler");
	dcache_clean_inval_range(frame, PAGE_SIZE);
	check(mem_check_pattern((void *)frame, PAGE_SIZE, FILL) < 0, "frame untouched by the refused write");

	/* Recovery: the master's reset was pulsed by the handler; fix the mapping and resume. */
	check(sun50i_iommu_ops.unmap(&h.dom, frame_iova, PAGE_SIZE) == 0 &&
	      sun50i_iommu_ops.flush(&h.dom, frame_iova, PAGE_SIZE) == 0 &&
	      sun50i_iommu_ops.map(&h.dom, frame_iova, (uintptr_t)frame, PAGE_SIZE, IOMMU_WRITE) == 0,
	      "remap the frame writable");
	unsigned before = handled;
	video_resume(&h.video);
	st = video_wait(&h.video, H6_DMA_TIMEOUT_US);
	check(st >= 0 && (st & VIDEO_DONE) && !(st & (VIDEO_BUSY | VIDEO_DMA_ERROR)), "resumed job completes");
	dcache_clean_inval_range(frame, PAGE_SIZE);
	long bad = h6_frame_check(frame, WIDTH, HEIGHT, STRIDE, SEED);
	if (check(bad < 0, "decoded frame after recovery"))
		printf("recovered: master %u decoded %ux%u, frame ok\n", m, WIDTH, HEIGHT);
	check(handled == before && not_mine == 0 && irq_spurious_count() == 0,
	      "no interrupt without a fault");
	check(dma_unmap_single(&h.video_dma, frame_iova, PAGE_SIZE) == 0 &&
	      dma_unmap_single(&h.video_dma, bs_iova, len) == 0, "unmap");
	printf("h6_iommu_irq: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
