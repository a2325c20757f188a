/*
 * psci: the PSCI calls firmware makes before it hands over to an OS, through HVC #0 (the
 * conduit of virt's /psci node, on QEMU and socsim alike): the version, which functions exist,
 * CPU_ON refused for a core that is not there and answered ALREADY_ON for the caller, then
 * SYSTEM_OFF, which ends the run with status 0. Prints the same lines on QEMU and socsim.
 */
#include <stdint.h>
#include <stdio.h>

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

int main(void)
{
	static const struct {
		const char *name;
		uint32_t id;
	} functions[] = {
		{ "CPU_SUSPEND64", 0xc4000001 }, { "CPU_OFF", 0x84000002 },
		{ "CPU_ON64", 0xc4000003 },      { "AFFINITY_INFO64", 0xc4000004 },
		{ "SYSTEM_OFF", 0x84000008 },    { "SYSTEM_RESET", 0x84000009 },
		{ "vendor 0x8400ff00", 0x8400ff00 },
	};
	int64_t version = psci_call(0x84000000, 0, 0, 0);

	printf("psci: version %lld.%lld\n", (long long)(version >> 16), (long long)(version & 0xffff));
	for (unsigned i = 0; i < sizeof functions / sizeof functions[0]; i++)
		printf("psci: features %s: %lld\n", functions[i].name,
		       (long long)psci_call(0x8400000a, functions[i].id, 0, 0));
	printf("psci: unknown function: %lld\n", (long long)psci_call(0x8400ff00, 0, 0, 0));
	printf("psci: CPU_ON mpidr 1: %lld\n", (long long)psci_call(0xc4000003, 1, 0x40200000, 0));
	printf("psci: CPU_ON mpidr 0 (self): %lld\n", (long long)psci_call(0xc4000003, 0, 0x40200000, 0));
	printf("psci: AFFINITY_INFO mpidr 0: %lld\n", (long long)psci_call(0xc4000004, 0, 0, 0));
	printf("psci: SYSTEM_OFF\n");
	psci_call(0x84000008, 0, 0, 0);
	printf("psci: still running after SYSTEM_OFF\n");
	return 1;
}
