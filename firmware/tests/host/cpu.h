/*
 * Host-test stand-in for runtime/cpu.h: cache maintenance by address is reported to the test
 * (which keeps a "what the walker would see" copy of table memory), nothing is executed.
 */
#ifndef CPU_H
#define CPU_H

#include <stddef.h>
#include <stdint.h>

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
