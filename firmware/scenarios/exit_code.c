/*
 * exit_code: exits with /chosen "socsim,exit-code" (socsim: -c /chosen.socsim,exit-code=7),
 * or 42 without it, to check that an exit status reaches the host.
 */
#include <stdio.h>

#include "dtb.h"

int main(void)
{
	uint32_t code = dtb_chosen_u32("socsim,exit-code", 42);

	printf("exit_code: exiting with %lu\n", (unsigned long)code);
	return (int)code;
}
