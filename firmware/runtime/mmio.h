/*
 * Device register access, after Linux's arm64 readl()/writel().
 *
 * - The access is one inline-asm ldr/str, so the compiler can neither split, merge, reorder nor
 *   drop it, and it always uses a plain [Xn] address (what an MMIO trap decodes most easily).
 * - A write comes after a store barrier: normal-memory writes made before it (DMA descriptors,
 *   page tables) are visible to the device the write starts.
 * - A read comes before a load barrier: normal-memory reads after it (DMA results) are not
 *   performed before the device register said the data was ready.
 */
#ifndef MMIO_H
#define MMIO_H

#include <stdint.h>

/*
 * Order normal-memory stores (page tables, descriptors) before later ones, e.g. a table's
 * contents before the descriptor that points at it (Linux's dma_wmb()).
 */
static inline void dma_wmb(void)
{
	__asm__ volatile("dmb oshst" ::: "memory");
}

static inline void write32(uintptr_t addr, uint32_t value)
{
	__asm__ volatile("dmb oshst\n\tstr %w0, [%1]" : : "rZ"(value), "r"(addr) : "memory");
}

static inline void write64(uintptr_t addr, uint64_t value)
{
	__asm__ volatile("dmb oshst\n\tstr %x0, [%1]" : : "rZ"(value), "r"(addr) : "memory");
}

static inline uint32_t read32(uintptr_t addr)
{
	uint32_t value;

	__asm__ volatile("ldr %w0, [%1]\n\tdmb oshld" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

static inline uint64_t read64(uintptr_t addr)
{
	uint64_t value;

	__asm__ volatile("ldr %x0, [%1]\n\tdmb oshld" : "=r"(value) : "r"(addr) : "memory");
	return value;
}

#endif
