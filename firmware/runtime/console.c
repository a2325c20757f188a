#include "console.h"

#include <stdio.h>

#include "mmio.h"

void console_puts(const char *s)
{
	fputs(s, stdout);
}

#if defined(PLATFORM_UART_BASE)

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

#elif defined(PLATFORM_DW_UART_BASE)

/*
 * DesignWare APB UART: 16550 registers, spaced 4 bytes apart and accessed 32 bits wide
 * (reg-shift = 2, reg-io-width = 4: every Allwinner DT says so, and so does the H6's).
 */
#define UART16550_REG(i)	(PLATFORM_DW_UART_BASE + ((i) << 2))
#define UART16550_THR	UART16550_REG(0)
#define UART16550_LSR	UART16550_REG(5)
#define UART16550_LSR_THRE	(1u << 5)	/* transmit holding register empty */

/* Used as the boot ROM / U-Boot SPL leaves it (115200 8N1, FIFOs on): only THR and LSR. */
void uart_putc(char c)
{
	while (!(read32(UART16550_LSR) & UART16550_LSR_THRE))
		;
	write32(UART16550_THR, (uint8_t)c);
}

#endif

#ifdef CONSOLE_UART_NAME

/* '\n' is sent as is, not as "\r\n": QEMU and socsim copy UART bytes to a host stream, where a
 * carriage return would only get in the way of comparing output. */
void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

#endif
