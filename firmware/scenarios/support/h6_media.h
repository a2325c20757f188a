/*
 * Bring-up shared by the h6_display, h6_domain_switch and h6_free_live_domain scenarios on
 * `allwinner-h6`: everything is found in the DTB the loader passed, nothing is typed twice:
 *   the IOMMU ("allwinner,sun50i-h6-iommu": reg, phandle), the display mixer ("socsim,scanout")
 *   and the video engine ("socsim,video-engine"), each with its master index from `iommus`,
 *   which must name that IOMMU.
 * The IOMMU is probed (no register access, as in Linux); domains are the scenarios' business.
 */
#ifndef H6_MEDIA_H
#define H6_MEDIA_H

#include <stdint.h>

#include "check.h"
#include "dma.h"
#include "dma_debug.h"
#include "fdt.h"
#include "scanout.h"
#include "sun50i.h"
#include "video.h"

/* Generous simulated-time limits (the platform runs at its DT frame rate / pixel rate). */
#define H6_TIMEOUT_US 200000u

struct h6_media {
	struct fdt fdt;
	struct sun50i_iommu iommu;
	uint32_t iommu_phandle;
	struct dma_master mixer_master;	/* master 0 */
	struct scanout mixer;
	struct dma_master ve_master;	/* master 3 */
	struct video ve;
};

/* Find and probe everything above. 0, or prints "FAIL: ..." and returns non-zero. */
int h6_media_setup(struct h6_media *h);

/* A dma_device for <master> attached to <dom>, announcing to dma-debug (phandle + master). */
void h6_dma_device(struct h6_media *h, const struct dma_master *master, struct sun50i_domain *dom,
		   struct dma_device *dev, const char *name);

/* The IOMMU reports no pending fault (INT_STA) and no master is stalled: 1, else prints why. */
int h6_no_fault(struct h6_media *h, const char *when);

/* Failed checks so far (each printed as "FAIL: ..."). */

/*
 * A solid-colour SRLE bitstream for a <width> x <height> frame: one run per line, line y gets
 * colour <base> + y. Returns the length, or 0 when <cap> is too small.
 */
uint32_t h6_srle_frame(void *buf, uint32_t cap, uint16_t width, uint16_t height, uint32_t base);
/* Offset of the first pixel of a decoded frame that differs from h6_srle_frame's, or -1. */
long h6_check_frame(const void *frame, uint32_t stride, uint16_t width, uint16_t height, uint32_t base);

#endif
