/*
 * uart_hello: output through the devices rather than semihosting: a line on the UART (the PL011
 * or the 16550, whichever the platform has), a line through sim-control PUTCHAR, then exit
 * through sim-control EXIT. socsim only: on QEMU nothing answers at the sim-control address.
 */
#include <stdio.h>

#include "console.h"
#include "simctl.h"

int main(void)
{
	uart_puts("hello over the " CONSOLE_UART_NAME "\n");

	uint32_t id = simctl_id();
	if (id != SIMCTL_ID_VALUE) {
		printf("uart_hello: sim-control ID reads %08lx, expected %08lx\n",
		       (unsigned long)id, (unsigned long)SIMCTL_ID_VALUE);
		return 1;
	}
	simctl_puts("hello over sim-control\n");
	simctl_exit(0);
}
