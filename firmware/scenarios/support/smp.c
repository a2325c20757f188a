#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int use_smc;

int psci_init(const struct fdt *fdt)
{
	int node = fdt_find_node(fdt, "/psci");
	const char *method;

	if (node < 0 || !fdt_is_enabled(fdt, node) || fdt_get_string(fdt, node, "method", &method)) {
		printf("psci: no enabled /psci node with a method in the device tree\n");
		return -ENODEV;
	}
	if (strcmp(method, "hvc") == 0)
		use_smc = 0;
	else if (strcmp(method, "smc") == 0)
		use_smc = 1;
	else {
		printf("psci: unknown method \"%s\"\n", method);
		return -EINVAL;
	}
	return 0;
}

int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMC Calling Convention: x0-x17 may be clobbered by the callee. */
	if (use_smc)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
				   "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
				   "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

unsigned smp_dt_cpus(const struct fdt *fdt, uint64_t *mpidr, unsigned max)
{
	int cpus = fdt_find_node(fdt, "/cpus");
	uint32_t ac;
	unsigned n = 0;

	/* A cpu's reg is its MPIDR affinity in /cpus' #address-cells (1 or 2), not an address:
	 * /cpus has no ranges, so it is read as it stands rather than translated. */
	if (cpus < 0 || fdt_address_cells(fdt, cpus, &ac) || ac < 1 || ac > 2)
		return 0;
	for (int node = fdt_next_node(fdt, -1); node >= 0 && n < max; node = fdt_next_node(fdt, node)) {
		const char *type;
		const void *reg;
		uint32_t len;
		if (fdt_parent(fdt, node) != cpus || fdt_get_string(fdt, node, "device_type", &type) ||
		    strcmp(type, "cpu") != 0 || !fdt_is_enabled(fdt, node))
			continue;
		if (fdt_get_prop(fdt, node, "reg", &reg, &len) || len < 4 * ac)
			continue;
		fdt_read_cells(reg, ac, &mpidr[n++]);
	}
	return n;
}
