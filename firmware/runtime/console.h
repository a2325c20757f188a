/*
 * Console output.
 *
 * stdout (printf, console_puts) goes through Arm semihosting, which QEMU and socsim both
 * implement, so a scenario prints the same bytes on both. The PL011 functions write the UART
 * directly, for scenarios that exercise the device itself; they exist only on platforms whose
 * device tree has an "arm,pl011" node.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "platform.h"

/* Write <s> to stdout as is (no newline added, unlike puts()). */
void console_puts(const char *s);

#ifdef PLATFORM_UART_BASE
void uart_putc(char c);
void uart_puts(const char *s);
#endif

#endif
