/* Small AArch64 system-register helpers. */
#ifndef CPU_H
#define CPU_H

#include <stddef.h>
#include <stdint.h>

/* Exception level the firmware runs at: CurrentEL bits [3:2]. */
static inline unsigned current_el(void)
{
	uint64_t el;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	return (unsigned)(el >> 2) & 3;
}

/* MPIDR_EL1: this core's affinity (Aff3 in bits 39:32, Aff2..Aff0 in bits 23:0). */
static inline uint64_t cpu_mpidr(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v;
}

#define MPIDR_AFFINITY_MASK	0xff00ffffffull
#define MPIDR_AFF0(v)		((unsigned)(v) & 0xffu)

/* Smallest data-cache line of the caches the CPU maintains by address: CTR_EL0.DminLine. */
static inline size_t dcache_line_size(void)
{
	uint64_t ctr;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return (size_t)4 << ((ctr >> 16) & 0xf);
}

/*
 * Clean [p, p + size) to the point of coherency (DC CVAC on every line, then DSB SY), so that
 * a non-coherent observer (a DMA master, an IOMMU's table walker) reads what the CPU wrote.
 * Linux's dma_sync_single_for_device(DMA_TO_DEVICE) on arm64 (dcache_clean_poc).
 */
static inline void dcache_clean_range(const volatile void *p, size_t size)
{
	size_t line = dcache_line_size();
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(line - 1), end = (uintptr_t)p + size;

	for (; a < end; a += line)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

/* Clean and invalidate [p, p + size) to the point of coherency (DC CIVAC, DSB SY): also drops
 * the lines, so later CPU reads see what a device wrote (dcache_clean_inval_poc). */
static inline void dcache_clean_inval_range(const volatile void *p, size_t size)
{
	size_t line = dcache_line_size();
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(line - 1), end = (uintptr_t)p + size;

	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

#endif
