/*
 * wfi: waits for an interrupt with nothing that could raise one (no timer armed, no device
 * busy). On hardware, and on QEMU, the core sleeps forever; socsim ends the run at once with a
 * report naming the WFI (status 126) rather than idling until --max-time.
 */
#include <stdio.h>

int main(void)
{
	printf("waiting for an interrupt that nothing can raise\n");
	__asm__ volatile("wfi");
	printf("wfi returned\n");
	return 1;
}
