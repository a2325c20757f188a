/* Small AArch64 system-register helpers. */
#ifndef CPU_H
#define CPU_H

#include <stdint.h>

/* Exception level the firmware runs at: CurrentEL bits [3:2]. */
static inline unsigned current_el(void)
{
	uint64_t el;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	return (unsigned)(el >> 2) & 3;
}

#endif
