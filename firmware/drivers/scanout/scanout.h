/*
 * socsim's display scanout ("socsim,scanout"; register map in docs/devices.md): reads an
 * XRGB8888 framebuffer at a bus address (an IOVA behind an IOMMU) once per frame period.
 */
#ifndef SCANOUT_H
#define SCANOUT_H

#include <stdint.h>

#define SCANOUT_ID		0x5343414eu
#define SCANOUT_MAX_DIM		4096u
#define SCANOUT_ACTIVE		1u
#define SCANOUT_FRAME_ERROR	2u
#define SCANOUT_BAD_CONFIG	4u

struct scanout {
	uintptr_t base;
};

/* Check the ID and stop scanning. -ENODEV. */
int scanout_init(struct scanout *s, uintptr_t base);
/* Program the framebuffer (takes effect at the next frame) and start scanning. */
void scanout_start(struct scanout *s, uint64_t fb_bus, uint32_t width, uint32_t height, uint32_t stride);
void scanout_stop(struct scanout *s);
uint32_t scanout_frames(struct scanout *s);
uint32_t scanout_errors(struct scanout *s);
uint32_t scanout_status(struct scanout *s);
uint64_t scanout_error_addr(struct scanout *s);
/* Wait until <n> more frames than now have been scanned: 0, or -ETIMEDOUT. */
int scanout_wait_frames(struct scanout *s, uint32_t n, uint32_t timeout_us);

#endif
