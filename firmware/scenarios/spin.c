/* spin: never ends, for testing the simulator's time limit (--max-time). */
#include <stdio.h>

int main(void)
{
	printf("spinning forever\n");
	for (;;)
		__asm__ volatile("" ::: "memory");	/* keep the loop: an empty infinite loop is UB */
}
