/*
 * Bring-up shared by the H6 fault and coherence scenarios (h6_uncleaned_table, h6_permissions,
 * h6_unreferenced_master) on `allwinner-h6`. Everything comes from the DTB the loader passed:
 *   the "allwinner,sun50i-h6-iommu" node, the video engine ("socsim,video-engine", master 3 by
 *   its `iommus`) and the CSI-like capture ("socsim,capture", master 4 by `socsim,iommus`), whose
 *   IOMMU phandle must name that IOMMU node.
 * h6_setup() probes the IOMMU, makes one domain and attaches it (the driver's full enable:
 * BYPASS = 0, so every master is translated, the capture included), and fills a dma_device for
 * the video engine. Nothing is announced to dma-debug (iommu_phandle stays 0): these scenarios
 * look at the IOMMU's own reports.
 *
 * The IOMMU's interrupt is not wired to a modelled GIC: the firmware polls INT_STA, which is
 * what the interrupt handler would read first.
 */
#ifndef H6_FAULTS_H
#define H6_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "capture.h"
#include "dma.h"
#include "dma_debug.h"
#include "fdt.h"
#include "sun50i.h"
#include "video.h"

/* Generous: a small frame decodes in microseconds of simulated time. */
#define H6_DMA_TIMEOUT_US 100000u

struct h6 {
	struct fdt fdt;
	struct sun50i_iommu iommu;
	uint32_t iommu_phandle;
	struct sun50i_domain dom;
	struct dma_master video_m;	/* master 3 */
	struct video video;
	struct dma_device video_dma;
	struct dma_master csi_m;	/* master 4 */
	struct capture csi;
};

/* Find and set up everything (above); prints what it found. 0 or a negative errno value. */
int h6_setup(struct h6 *h);

/* Failed checks so far (each printed as "FAIL: ..."). */

/*
 * A video-engine job: an SRLE bitstream for a <width> x <height> frame of three horizontal
 * bands (colours derived from <seed>), written into <bs> (at most <cap> bytes); returns its
 * length, or 0 when it does not fit. h6_frame_check compares a decoded frame with it: the
 * offset of the first wrong pixel, or -1.
 */
size_t h6_bitstream(void *bs, size_t cap, uint16_t width, uint16_t height, uint32_t seed);
long h6_frame_check(const volatile uint32_t *frame, uint16_t width, uint16_t height, uint32_t stride,
		    uint32_t seed);

/*
 * A driver's map of one 4 KiB page into the live domain at a chosen <iova>: the PTE
 * (PA | ACI << 4 | valid) written into the page table that already covers <iova> and, with
 * <clean>, cleaned to the point of coherency (DC CVAC + DSB); then the neighbour invalidations
 * of sun50i_zap_range. <clean> = 0 is the bug h6_uncleaned_table shows: the table walker does
 * not see the CPU's caches. *pte_addr gets the PTE's address. -ENOENT without a page table there,
 * -EBUSY when the PTE is already valid.
 */
int h6_map_page(struct h6 *h, uint32_t iova, uint32_t phys, unsigned aci, int clean, uintptr_t *pte_addr);

#endif
