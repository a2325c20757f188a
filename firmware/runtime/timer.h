/*
 * Time-outs from the Arm generic timer's virtual counter (CNTVCT_EL0 at CNTFRQ_EL0 Hz), which
 * QEMU and socsim both provide. Used only to bound polling loops, never printed: the time a
 * device takes differs between simulators.
 */
#ifndef TIMER_H
#define TIMER_H

#include <stdint.h>

static inline uint64_t timer_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline uint64_t timer_frequency(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* A counter value <us> microseconds from now. */
static inline uint64_t timer_deadline_us(uint64_t us)
{
	return timer_counter() + us * (timer_frequency() / 1000000u);
}

static inline int timer_expired(uint64_t deadline)
{
	return (int64_t)(timer_counter() - deadline) >= 0;
}

#endif
