/*
 * socsim's sim-control device ("socsim,sim-control"): exit and putchar for firmware that does
 * not use semihosting. It exists only under socsim; on QEMU nothing answers at its address.
 *
 *   0x00 ID       read: SIMCTL_ID_VALUE ("SOCS")
 *   0x04 EXIT     32-bit write: ends the run, exit status = low 8 bits
 *   0x08 PUTCHAR  32-bit write: prints the low byte on the simulator's stdout
 */
#ifndef SIMCTL_H
#define SIMCTL_H

#include <stdint.h>

#include "platform.h"

#define SIMCTL_ID	0x00
#define SIMCTL_EXIT	0x04
#define SIMCTL_PUTCHAR	0x08

#define SIMCTL_ID_VALUE	0x534f4353u	/* "SOCS" */

#ifdef PLATFORM_SIMCTL_BASE
uint32_t simctl_id(void);
void simctl_putc(char c);
void simctl_puts(const char *s);
_Noreturn void simctl_exit(uint8_t status);
#endif

#endif
