/*
 * socsim's platform DMA engine ("socsim,dma-engine"; register map and descriptor format in
 * docs/devices.md): a ring of 32-byte descriptors in memory, copy and fill, status written back.
 * The ring itself is read and written by the device, so it needs a bus address (an IOVA when the
 * engine sits behind an IOMMU) as well as the CPU's pointer.
 */
#ifndef DMA_ENGINE_H
#define DMA_ENGINE_H

#include <stdint.h>

#define DMA_ENGINE_ID		0x444d4145u
#define DMA_ENGINE_DESC_SIZE	32u
#define DMA_ENGINE_OP_COPY	1u
#define DMA_ENGINE_OP_FILL	2u
#define DMA_ENGINE_DESC_IRQ	(1u << 31)

/* Descriptor status codes (written back by the engine; 0 = not processed yet). */
#define DMA_ENGINE_ST_OK		0x01u
#define DMA_ENGINE_ST_SRC_ERROR		0x81u
#define DMA_ENGINE_ST_DST_ERROR		0x82u
#define DMA_ENGINE_ST_BAD_OPCODE	0x83u
#define DMA_ENGINE_ST_BAD_LENGTH	0x84u
#define DMA_ENGINE_ST_DESC_READ		0x85u
#define DMA_ENGINE_ST_DESC_WRITE	0x86u
#define DMA_ENGINE_ST_BAD_RING		0x87u

struct dma_engine_desc {
	uint32_t control;
	volatile uint32_t status;
	uint64_t src;		/* FILL: the 32-bit pattern in the low word */
	uint64_t dst;
	uint32_t length;
	uint32_t reserved;
};

struct dma_engine {
	uintptr_t base;
	struct dma_engine_desc *ring;	/* CPU view */
	uint64_t ring_bus;		/* device view (32-byte aligned) */
	uint32_t entries;
	uint32_t tail;
};

struct dma_engine_error {
	uint32_t code;
	uint32_t index;
	uint64_t addr;
};

/* Check the ID, program the ring (cleared here) and enable the engine. -ENODEV, -EINVAL. */
int dma_engine_init(struct dma_engine *e, uintptr_t base, struct dma_engine_desc *ring, uint64_t ring_bus,
		    uint32_t entries);
/* Queue one descriptor (not started until dma_engine_kick); returns its index, or -EBUSY when
 * the ring is full. */
int dma_engine_queue(struct dma_engine *e, uint32_t control, uint64_t src, uint64_t dst, uint32_t len);
int dma_engine_copy(struct dma_engine *e, uint64_t src, uint64_t dst, uint32_t len);
int dma_engine_fill(struct dma_engine *e, uint32_t pattern, uint64_t dst, uint32_t len);
/* Write TAIL and ring the doorbell. */
void dma_engine_kick(struct dma_engine *e);
/* Wait until the engine has processed everything queued: 0, -EIO when it stopped on an error
 * (see dma_engine_get_error), -ETIMEDOUT. */
int dma_engine_wait(struct dma_engine *e, uint32_t timeout_us);
/* 1 and the error when the engine is stopped on one, else 0. */
int dma_engine_get_error(struct dma_engine *e, struct dma_engine_error *err);
/* Clear the error so that the next kick resumes after the failed descriptor. */
void dma_engine_clear_error(struct dma_engine *e);
uint32_t dma_engine_head(struct dma_engine *e);
uint32_t dma_engine_completed(struct dma_engine *e);
const char *dma_engine_status_name(uint32_t status);

#endif
