#include "video.h"

#include <errno.h>
#include <string.h>

#include "mmio.h"
#include "timer.h"

#define REG_ID		0x00
#define REG_CONTROL	0x04
#define REG_BS_ADDR	0x08
#define REG_BS_LEN	0x10
#define REG_STRIDE	0x14
#define REG_DST_ADDR	0x18
#define REG_REF_ADDR	0x20
#define REG_STATUS	0x30
#define REG_ERROR_CODE	0x34
#define REG_ERROR_ADDR	0x38
#define REG_FRAMES	0x40

#define CTL_START	1u
#define CTL_RESUME	2u
#define CTL_ABORT	4u

int video_init(struct video *v, uintptr_t base)
{
	uint32_t id = read32(base + REG_ID);

	if (id != VIDEO_ID_ENGINE && id != VIDEO_ID_VP9)
		return -ENODEV;
	v->base = base;
	v->vp9 = id == VIDEO_ID_VP9;
	return 0;
}

void video_start(struct video *v, uint64_t bs_bus, uint32_t bs_len, uint64_t dst_bus, uint32_t stride,
		 uint64_t ref_bus)
{
	write64(v->base + REG_BS_ADDR, bs_bus);
	write32(v->base + REG_BS_LEN, bs_len);
	write32(v->base + REG_STRIDE, stride);
	write64(v->base + REG_DST_ADDR, dst_bus);
	if (v->vp9)
		write64(v->base + REG_REF_ADDR, ref_bus);
	write32(v->base + REG_CONTROL, CTL_START);
}

uint32_t video_status(struct video *v)
{
	return read32(v->base + REG_STATUS);
}

int video_wait(struct video *v, uint32_t timeout_us)
{
	uint64_t deadline = timer_deadline_us(timeout_us);

	for (;;) {
		uint32_t st = video_status(v);
		if (!(st & VIDEO_BUSY) || (st & VIDEO_DMA_ERROR))
			return (int)st;
		if (timer_expired(deadline))
			return -ETIMEDOUT;
	}
}

void video_resume(struct video *v)
{
	write32(v->base + REG_CONTROL, CTL_RESUME);
}

void video_abort(struct video *v)
{
	write32(v->base + REG_CONTROL, CTL_ABORT);
}

uint32_t video_error_code(struct video *v)
{
	return read32(v->base + REG_ERROR_CODE);
}

uint64_t video_error_addr(struct video *v)
{
	return read64(v->base + REG_ERROR_ADDR);
}

uint32_t video_frames(struct video *v)
{
	return read32(v->base + REG_FRAMES);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int video_srle_begin(void *buf, size_t cap, uint16_t width, uint16_t height, size_t *len)
{
	uint8_t *p = buf;

	if (cap < 8)
		return -ENOSPC;
	put32(p, VIDEO_SRLE_MAGIC);
	p[4] = (uint8_t)width;
	p[5] = (uint8_t)(width >> 8);
	p[6] = (uint8_t)height;
	p[7] = (uint8_t)(height >> 8);
	*len = 8;
	return 0;
}

int video_srle_run(void *buf, size_t cap, size_t *len, uint32_t count, uint32_t pixel, int reference)
{
	uint8_t *p = (uint8_t *)buf + *len;

	if (*len + 8 > cap)
		return -ENOSPC;
	put32(p, (count & 0x7fffffffu) | (reference ? VIDEO_RUN_REFERENCE : 0));
	put32(p + 4, pixel);
	*len += 8;
	return 0;
}
