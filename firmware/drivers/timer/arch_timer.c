#include "arch_timer.h"

#include <errno.h>

#include "irq.h"

void arch_timer_set_deadline(enum arch_timer t, uint64_t cval)
{
	arch_timer_write_cval(t, cval);
	arch_timer_write_ctl(t, ARCH_TIMER_CTL_ENABLE);
}

void arch_timer_set_timeout(enum arch_timer t, int32_t ticks)
{
	arch_timer_write_tval(t, ticks);
	arch_timer_write_ctl(t, ARCH_TIMER_CTL_ENABLE);
}

void arch_timer_stop(enum arch_timer t)
{
	arch_timer_write_ctl(t, 0);
}

int arch_timer_dt_irq(const struct fdt *fdt, enum arch_timer t, unsigned *line, unsigned *type)
{
	int node = fdt_find_enabled_compatible(fdt, -1, "arm,armv8-timer");
	const void *names;
	uint32_t len;

	if (node < 0)
		return -ENODEV;
	if (fdt_get_prop(fdt, node, "interrupt-names", &names, &len) == 0)
		return irq_of_get_byname(fdt, node, t == ARCH_TIMER_VIRT ? "virt" : "phys", line, type);
	return irq_of_get(fdt, node, t == ARCH_TIMER_VIRT ? 2 : 1, line, type);
}

const char *arch_timer_name(enum arch_timer t)
{
	return t == ARCH_TIMER_VIRT ? "virtual" : "physical";
}
