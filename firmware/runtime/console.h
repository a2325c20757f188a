/*
 * Console output.
 *
 * stdout (printf, console_puts) goes through Arm semihosting, which QEMU and socsim both
 * implement, so a scenario prints the same bytes on both. The uart_* functions write the
 * platform's UART directly, for scenarios that exercise the device itself: the PL011 where the
 * device tree has an "arm,pl011" node, else the DesignWare 16550 ("snps,dw-apb-uart"). They
 * exist only on platforms with one of the two (CONSOLE_UART_NAME is then defined).
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "platform.h"

/* Write <s> to stdout as is (no newline added, unlike puts()). */
void console_puts(const char *s);

#if defined(PLATFORM_UART_BASE)
#define CONSOLE_UART_NAME "PL011"
#elif defined(PLATFORM_DW_UART_BASE)
#define CONSOLE_UART_NAME "16550"
#endif

#ifdef CONSOLE_UART_NAME
void uart_putc(char c);
void uart_puts(const char *s);
#endif

#endif
