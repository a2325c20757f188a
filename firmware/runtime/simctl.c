#include "simctl.h"

#include "mmio.h"

#ifdef PLATFORM_SIMCTL_BASE

uint32_t simctl_id(void)
{
	return read32(PLATFORM_SIMCTL_BASE + SIMCTL_ID);
}

void simctl_putc(char c)
{
	write32(PLATFORM_SIMCTL_BASE + SIMCTL_PUTCHAR, (uint8_t)c);
}

void simctl_puts(const char *s)
{
	while (*s)
		simctl_putc(*s++);
}

_Noreturn void simctl_exit(uint8_t status)
{
	write32(PLATFORM_SIMCTL_BASE + SIMCTL_EXIT, status);
	/* The simulator stops at the write; should it not, do not run on into the caller. */
	for (;;)
		__asm__ volatile("wfi");
}

#endif
