#include "capture.h"

#include <errno.h>

#include "mmio.h"
#include "timer.h"

#define REG_ID		0x00
#define REG_CONTROL	0x04
#define REG_DST_ADDR	0x08
#define REG_WIDTH	0x10
#define REG_HEIGHT	0x14
#define REG_STRIDE	0x18
#define REG_PATTERN	0x1c
#define REG_COLOR	0x20
#define REG_STATUS	0x24
#define REG_ERROR_ADDR	0x28
#define REG_FRAMES	0x30

#define CTL_CAPTURE	1u
#define CTL_RESUME	2u
#define CTL_ABORT	4u

int capture_init(struct capture *c, uintptr_t base)
{
	if (read32(base + REG_ID) != CAPTURE_ID)
		return -ENODEV;
	c->base = base;
	return 0;
}

void capture_start(struct capture *c, uint64_t dst_bus, uint32_t width, uint32_t height, uint32_t stride,
		   uint32_t pattern, uint32_t color)
{
	write64(c->base + REG_DST_ADDR, dst_bus);
	write32(c->base + REG_WIDTH, width);
	write32(c->base + REG_HEIGHT, height);
	write32(c->base + REG_STRIDE, stride);
	write32(c->base + REG_PATTERN, pattern);
	write32(c->base + REG_COLOR, color);
	write32(c->base + REG_CONTROL, CTL_CAPTURE);
}

uint32_t capture_status(struct capture *c)
{
	return read32(c->base + REG_STATUS);
}

int capture_wait(struct capture *c, uint32_t timeout_us)
{
	uint64_t deadline = timer_deadline_us(timeout_us);

	for (;;) {
		uint32_t st = capture_status(c);
		if (!(st & CAPTURE_BUSY) || (st & CAPTURE_DMA_ERROR))
			return (int)st;
		if (timer_expired(deadline))
			return -ETIMEDOUT;
	}
}

void capture_resume(struct capture *c)
{
	write32(c->base + REG_CONTROL, CTL_RESUME);
}

void capture_abort(struct capture *c)
{
	write32(c->base + REG_CONTROL, CTL_ABORT);
}

uint64_t capture_error_addr(struct capture *c)
{
	return read64(c->base + REG_ERROR_ADDR);
}

uint32_t capture_frames(struct capture *c)
{
	return read32(c->base + REG_FRAMES);
}

uint32_t capture_pattern_pixel(uint32_t pattern, uint32_t color, uint32_t x, uint32_t y, uint32_t width,
			       uint32_t height, uint32_t frame)
{
	static const uint32_t bars[8] = {0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
					 0xff00ff, 0xff0000, 0x0000ff, 0x000000};

	switch (pattern) {
	case CAPTURE_BARS:
		return bars[(uint64_t)x * 8 / width];
	case CAPTURE_SOLID:
		return color;
	default:
		return (x * 255 / (width > 1 ? width - 1 : 1)) << 16 |
		       (y * 255 / (height > 1 ? height - 1 : 1)) << 8 | (frame & 0xff);
	}
}
