#include "console.h"

#include <stdio.h>

#include "mmio.h"

void console_puts(const char *s)
{
	fputs(s, stdout);
}

#ifdef PLATFORM_UART_BASE

/* PL011 registers (Arm PrimeCell UART TRM, DDI 0183). */
#define PL011_DR	0x000	/* data */
#define PL011_FR	0x018	/* flags */
#define PL011_FR_TXFF	(1u << 5)	/* transmit FIFO full */

/*
 * The UART is used as earlier boot stages (and QEMU's reset state) leave it: enabled, with its
 * transmitter on. Only DR and FR are touched.
 */
void uart_putc(char c)
{
	while (read32(PLATFORM_UART_BASE + PL011_FR) & PL011_FR_TXFF)
		;
	write32(PLATFORM_UART_BASE + PL011_DR, (uint8_t)c);
}

/* '\n' is sent as is, not as "\r\n": QEMU and socsim copy UART bytes to a host stream, where a
 * carriage return would only get in the way of comparing output. */
void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

#endif
