#include "scanout.h"

#include <errno.h>

#include "mmio.h"
#include "timer.h"

#define REG_ID		0x00
#define REG_CONTROL	0x04
#define REG_FB_BASE	0x08
#define REG_WIDTH	0x10
#define REG_HEIGHT	0x14
#define REG_STRIDE	0x18
#define REG_FRAMES	0x20
#define REG_ERRORS	0x24
#define REG_STATUS	0x28
#define REG_ERROR_ADDR	0x38

int scanout_init(struct scanout *s, uintptr_t base)
{
	if (read32(base + REG_ID) != SCANOUT_ID)
		return -ENODEV;
	s->base = base;
	write32(base + REG_CONTROL, 0);
	return 0;
}

void scanout_start(struct scanout *s, uint64_t fb_bus, uint32_t width, uint32_t height, uint32_t stride)
{
	write64(s->base + REG_FB_BASE, fb_bus);
	write32(s->base + REG_WIDTH, width);
	write32(s->base + REG_HEIGHT, height);
	write32(s->base + REG_STRIDE, stride);
	write32(s->base + REG_CONTROL, 1);
}

void scanout_stop(struct scanout *s)
{
	write32(s->base + REG_CONTROL, 0);
}

uint32_t scanout_frames(struct scanout *s)
{
	return read32(s->base + REG_FRAMES);
}

uint32_t scanout_errors(struct scanout *s)
{
	return read32(s->base + REG_ERRORS);
}

uint32_t scanout_status(struct scanout *s)
{
	return read32(s->base + REG_STATUS);
}

uint64_t scanout_error_addr(struct scanout *s)
{
	return read64(s->base + REG_ERROR_ADDR);
}

int scanout_wait_frames(struct scanout *s, uint32_t n, uint32_t timeout_us)
{
	uint32_t start = scanout_frames(s);
	uint64_t deadline = timer_deadline_us(timeout_us);

	while (scanout_frames(s) - start < n)
		if (timer_expired(deadline))
			return -ETIMEDOUT;
	return 0;
}
