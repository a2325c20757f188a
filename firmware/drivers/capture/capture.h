/*
 * socsim's capture master ("socsim,capture", CSI-like; register map and patterns in
 * docs/devices.md): writes one test-pattern frame when told. A DMA error (IOMMU fault) stalls it
 * until capture_resume() (the frame is written again) or capture_abort().
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stdint.h>

#define CAPTURE_ID		0x43415054u
#define CAPTURE_BARS		0u
#define CAPTURE_SOLID		1u
#define CAPTURE_GRADIENT	2u

/* STATUS bits */
#define CAPTURE_BUSY		1u
#define CAPTURE_DONE		2u
#define CAPTURE_DMA_ERROR	4u
#define CAPTURE_BAD_CONFIG	8u
#define CAPTURE_ABORTED		16u

struct capture {
	uintptr_t base;
};

int capture_init(struct capture *c, uintptr_t base);
/* Start writing one frame of <pattern> (<color> for CAPTURE_SOLID) at <dst_bus>. */
void capture_start(struct capture *c, uint64_t dst_bus, uint32_t width, uint32_t height, uint32_t stride,
		   uint32_t pattern, uint32_t color);
/* Wait until done, refused or stalled; returns STATUS (or -ETIMEDOUT). */
int capture_wait(struct capture *c, uint32_t timeout_us);
void capture_resume(struct capture *c);
void capture_abort(struct capture *c);
uint32_t capture_status(struct capture *c);
uint64_t capture_error_addr(struct capture *c);
uint32_t capture_frames(struct capture *c);
/* The pixel the device writes at (x, y) of frame number <frame> (FRAMES before it). */
uint32_t capture_pattern_pixel(uint32_t pattern, uint32_t color, uint32_t x, uint32_t y, uint32_t width,
			       uint32_t height, uint32_t frame);

#endif
