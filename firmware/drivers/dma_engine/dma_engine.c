#include "dma_engine.h"

#include <errno.h>
#include <string.h>

#include "mmio.h"
#include "timer.h"

#define REG_ID		0x00
#define REG_RING_BASE	0x08
#define REG_RING_SIZE	0x10
#define REG_CONTROL	0x14
#define REG_HEAD	0x18
#define REG_TAIL	0x1c
#define REG_DOORBELL	0x20
#define REG_STATUS	0x24
#define REG_ERROR_CODE	0x30
#define REG_ERROR_INDEX	0x34
#define REG_ERROR_ADDR	0x38
#define REG_COMPLETED	0x40
#define REG_ERROR_CLEAR	0x44

#define STATUS_BUSY	1u
#define STATUS_ERROR	2u

int dma_engine_init(struct dma_engine *e, uintptr_t base, struct dma_engine_desc *ring, uint64_t ring_bus,
		    uint32_t entries)
{
	if (read32(base + REG_ID) != DMA_ENGINE_ID)
		return -ENODEV;
	if (entries == 0 || entries > 65536 || (ring_bus & (DMA_ENGINE_DESC_SIZE - 1)))
		return -EINVAL;
	e->base = base;
	e->ring = ring;
	e->ring_bus = ring_bus;
	e->entries = entries;
	write32(base + REG_CONTROL, 0);	/* also resets HEAD */
	write32(base + REG_ERROR_CLEAR, 1);
	memset(ring, 0, (size_t)entries * DMA_ENGINE_DESC_SIZE);
	write64(base + REG_RING_BASE, ring_bus);
	write32(base + REG_RING_SIZE, entries);
	write32(base + REG_TAIL, 0);
	e->tail = 0;
	write32(base + REG_CONTROL, 1);
	return 0;
}

uint32_t dma_engine_head(struct dma_engine *e)
{
	return read32(e->base + REG_HEAD);
}

uint32_t dma_engine_completed(struct dma_engine *e)
{
	return read32(e->base + REG_COMPLETED);
}

int dma_engine_queue(struct dma_engine *e, uint32_t control, uint64_t src, uint64_t dst, uint32_t len)
{
	uint32_t next = (e->tail + 1) % e->entries;

	if (next == dma_engine_head(e))
		return -EBUSY;
	struct dma_engine_desc *d = &e->ring[e->tail];
	d->control = control;
	d->status = 0;
	d->src = src;
	d->dst = dst;
	d->length = len;
	d->reserved = 0;
	int index = (int)e->tail;
	e->tail = next;
	return index;
}

int dma_engine_copy(struct dma_engine *e, uint64_t src, uint64_t dst, uint32_t len)
{
	return dma_engine_queue(e, DMA_ENGINE_OP_COPY, src, dst, len);
}

int dma_engine_fill(struct dma_engine *e, uint32_t pattern, uint64_t dst, uint32_t len)
{
	return dma_engine_queue(e, DMA_ENGINE_OP_FILL, pattern, dst, len);
}

void dma_engine_kick(struct dma_engine *e)
{
	write32(e->base + REG_TAIL, e->tail);	/* the barrier in write32 publishes the descriptors */
	write32(e->base + REG_DOORBELL, 1);
}

int dma_engine_wait(struct dma_engine *e, uint32_t timeout_us)
{
	uint64_t deadline = timer_deadline_us(timeout_us);

	for (;;) {
		/* HEAD before STATUS: the engine moves HEAD past a descriptor and raises ERROR in one
		 * step, so a HEAD that shows the ring drained is followed by a STATUS that shows
		 * whether it stopped on an error. The other order can pair an old STATUS with the new
		 * HEAD and miss the error. */
		uint32_t head = dma_engine_head(e);
		uint32_t status = read32(e->base + REG_STATUS);
		if (status & STATUS_ERROR)
			return -EIO;
		if (!(status & STATUS_BUSY) && head == e->tail)
			return 0;
		if (timer_expired(deadline))
			return -ETIMEDOUT;
	}
}

int dma_engine_get_error(struct dma_engine *e, struct dma_engine_error *err)
{
	if (!(read32(e->base + REG_STATUS) & STATUS_ERROR))
		return 0;
	err->code = read32(e->base + REG_ERROR_CODE);
	err->index = read32(e->base + REG_ERROR_INDEX);
	err->addr = read64(e->base + REG_ERROR_ADDR);
	return 1;
}

void dma_engine_clear_error(struct dma_engine *e)
{
	write32(e->base + REG_ERROR_CLEAR, 1);
}

const char *dma_engine_status_name(uint32_t status)
{
	switch (status) {
	case 0: return "pending";
	case DMA_ENGINE_ST_OK: return "OK";
	case DMA_ENGINE_ST_SRC_ERROR: return "SRC_ERROR";
	case DMA_ENGINE_ST_DST_ERROR: return "DST_ERROR";
	case DMA_ENGINE_ST_BAD_OPCODE: return "BAD_OPCODE";
	case DMA_ENGINE_ST_BAD_LENGTH: return "BAD_LENGTH";
	case DMA_ENGINE_ST_DESC_READ: return "DESC_READ";
	case DMA_ENGINE_ST_DESC_WRITE: return "DESC_WRITE";
	case DMA_ENGINE_ST_BAD_RING: return "BAD_RING";
	default: return "unknown";
	}
}
