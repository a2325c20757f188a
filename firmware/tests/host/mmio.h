/*
 * Host-test stand-in for runtime/mmio.h: device register accesses go to functions the test
 * defines (a fake register block), so drivers build and run unchanged on the host.
 */
#ifndef MMIO_H
#define MMIO_H

#include <stdint.h>

uint32_t fake_mmio_read32(uintptr_t addr);
void fake_mmio_write32(uintptr_t addr, uint32_t value);

static inline void dma_wmb(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline void write32(uintptr_t addr, uint32_t value)
{
	fake_mmio_write32(addr, value);
}

static inline uint32_t read32(uintptr_t addr)
{
	return fake_mmio_read32(addr);
}

#endif
