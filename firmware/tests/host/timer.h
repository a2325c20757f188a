/* Host-test stand-in for runtime/timer.h: a counter that advances by one microsecond per read,
 * so a polling loop that never sees its bit clear times out after its budget of reads. */
#ifndef TIMER_H
#define TIMER_H

#include <stdint.h>

extern uint64_t fake_timer_us;

static inline uint64_t timer_counter(void)
{
	return fake_timer_us++;
}

static inline uint64_t timer_deadline_us(uint64_t us)
{
	return timer_counter() + us;
}

static inline int timer_expired(uint64_t deadline)
{
	return (int64_t)(timer_counter() - deadline) >= 0;
}

#endif
