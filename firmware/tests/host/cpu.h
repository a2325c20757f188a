/*
 * Host-test stand-in for runtime/cpu.h: cache maintenance by address is reported to the test
 * (which keeps a "what the walker would see" copy of table memory), nothing is executed.
 */
#ifndef CPU_H
#define CPU_H

#include <stddef.h>
#include <stdint.h>

/* The host tests run as core 0. */
static inline uint64_t cpu_mpidr(void)
{
	return 0;
}

#define MPIDR_AFFINITY_MASK	0xff00ffffffull
#define MPIDR_AFF0(v)		((unsigned)(v) & 0xffu)

void fake_dcache_clean(const volatile void *p, size_t size);

static inline void dcache_clean_range(const volatile void *p, size_t size)
{
	fake_dcache_clean(p, size);
}

static inline void dcache_clean_inval_range(const volatile void *p, size_t size)
{
	fake_dcache_clean(p, size);
}

#endif
