/*
 * wfi: waits for an interrupt three times with nothing to wake it. On socsim WFI idles until the
 * next quantum (the architecture allows WFI to complete early), so the run goes on and the
 * generic timer shows that simulated time passed while the core idled. Not for QEMU: there a
 * WFI with no interrupt source waits forever.
 */
#include <stdint.h>
#include <stdio.h>

static inline uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline uint64_t counter_frequency(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

int main(void)
{
	uint64_t start = counter();

	for (int i = 0; i < 3; i++)
		__asm__ volatile("wfi");
	uint64_t ticks = counter() - start;
	uint64_t us = ticks * 1000000 / counter_frequency();
	printf("wfi returned 3 times, %s\n", us >= 3 ? "simulated time advanced" : "no time passed");
	return us >= 3 ? 0 : 1;
}
