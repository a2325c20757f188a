/*
 * undef: executes an undefined instruction, which socsim reports as a firmware fault.
 * No exception vectors are installed, on purpose: the fault is the simulator's to report.
 */
#include <stdio.h>

int main(void)
{
	printf("about to execute an undefined instruction\n");
	__asm__ volatile("udf #0");
	printf("still running after udf\n");	/* not reached */
	return 1;
}
