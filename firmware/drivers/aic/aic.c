#include "aic.h"

#include <errno.h>
#include <stdio.h>

#include "arch_timer.h"
#include "irq.h"
#include "mmio.h"
#include "mmu.h"

static uint32_t fiq_unmasked;	/* bit n: FIQ source n unmasked (software state, as Linux) */

int aic_init(struct aic *a, uintptr_t base)
{
	a->base = base;
	a->nr_irq = AIC_INFO_NR_IRQ(read32(base + AIC_INFO));
	if (a->nr_irq == 0 || a->nr_irq > AIC_MAX_IRQ) {
		printf("aic: INFO reports %u IRQs\n", a->nr_irq);
		return -ENODEV;
	}
	for (unsigned i = 0; i < a->nr_irq; i += 32)
		write32(base + AIC_MASK_SET(i), 0xffffffffu);
	for (unsigned i = 0; i < a->nr_irq; i += 32)
		write32(base + AIC_SW_CLR(i), 0xffffffffu);
	for (unsigned i = 0; i < a->nr_irq; i++)
		write32(base + AIC_TARGET_CPU(i), 1);

	/* Per CPU: timer FIQs masked at the source, IPIs acknowledged and masked. */
	arch_timer_write_ctl(ARCH_TIMER_PHYS, arch_timer_read_ctl(ARCH_TIMER_PHYS) | ARCH_TIMER_CTL_IMASK);
	arch_timer_write_ctl(ARCH_TIMER_VIRT, arch_timer_read_ctl(ARCH_TIMER_VIRT) | ARCH_TIMER_CTL_IMASK);
	if (read32(base + AIC_WHOAMI) != 0)
		printf("aic: WHOAMI 0x%lx, expected CPU 0\n", (unsigned long)read32(base + AIC_WHOAMI));
	write32(base + AIC_IPI_ACK, AIC_IPI_SELF | AIC_IPI_OTHER);
	write32(base + AIC_IPI_MASK_SET, AIC_IPI_SELF | AIC_IPI_OTHER);
	fiq_unmasked = 0;
	return 0;
}

void aic_mask(struct aic *a, unsigned line)
{
	if (line < a->nr_irq)
		write32(a->base + AIC_MASK_SET(line), AIC_MASK_BIT(line));
	else if (line >= AIC_FIQ_LINE(0) && line < AIC_FIQ_LINE(AIC_NR_FIQ))
		fiq_unmasked &= ~(1u << (line - AIC_FIQ_LINE(0)));
}

void aic_unmask(struct aic *a, unsigned line)
{
	if (line < a->nr_irq)
		write32(a->base + AIC_MASK_CLR(line), AIC_MASK_BIT(line));
	else if (line >= AIC_FIQ_LINE(0) && line < AIC_FIQ_LINE(AIC_NR_FIQ))
		fiq_unmasked |= 1u << (line - AIC_FIQ_LINE(0));
}

void aic_handle_irq(struct aic *a)
{
	for (;;) {
		uint32_t event = read32(a->base + AIC_EVENT);
		unsigned type = AIC_EVENT_TYPE(event), num = AIC_EVENT_NUM(event);

		if (event == 0)
			break;
		if (type == AIC_EVENT_TYPE_IRQ && num < a->nr_irq) {
			irq_dispatch(num);
			/* The EVENT read masked the line: unmask it unless it was disabled since. */
			if (irq_is_enabled(num))
				write32(a->base + AIC_MASK_CLR(num), AIC_MASK_BIT(num));
		} else if (type == AIC_EVENT_TYPE_IPI) {
			a->ipis++;
			write32(a->base + AIC_IPI_ACK, num == AIC_EVENT_IPI_SELF ? AIC_IPI_SELF : AIC_IPI_OTHER);
		} else {
			a->unknown_events++;
		}
	}
}

static int timer_firing(uint32_t ctl)
{
	return (ctl & (ARCH_TIMER_CTL_ENABLE | ARCH_TIMER_CTL_IMASK | ARCH_TIMER_CTL_ISTATUS)) ==
	       (ARCH_TIMER_CTL_ENABLE | ARCH_TIMER_CTL_ISTATUS);
}

static void timer_fiq(enum arch_timer which, unsigned source)
{
	if (!timer_firing(arch_timer_read_ctl(which)))
		return;
	/* A FIQ source that is masked, or that nobody handles, is masked at the timer: no storm. */
	if (!(fiq_unmasked & (1u << source)) || irq_dispatch(AIC_FIQ_LINE(source)) == IRQ_NONE)
		arch_timer_write_ctl(which, arch_timer_read_ctl(which) | ARCH_TIMER_CTL_IMASK);
}

void aic_handle_fiq(struct aic *a)
{
	(void)a;
	timer_fiq(ARCH_TIMER_PHYS, AIC_TMR_EL0_PHYS);
	timer_fiq(ARCH_TIMER_VIRT, AIC_TMR_EL0_VIRT);
}

int aic_xlate(const uint32_t *cells, unsigned n_cells, unsigned *line, unsigned *type)
{
	struct aic *a = aic_get();

	if (n_cells != 3)
		return -EINVAL;	/* the 4-cell (multi-die) form is AIC2's */
	switch (cells[0]) {
	case AIC_IRQ:
		if (a && cells[1] >= a->nr_irq)
			return -EINVAL;
		*line = cells[1];
		break;
	case AIC_FIQ:
		/* At EL1 the guest timers are the EL0 registers; the HV timers are EL2's. */
		if (cells[1] == AIC_TMR_GUEST_PHYS)
			*line = AIC_FIQ_LINE(AIC_TMR_EL0_PHYS);
		else if (cells[1] == AIC_TMR_GUEST_VIRT)
			*line = AIC_FIQ_LINE(AIC_TMR_EL0_VIRT);
		else
			return -ENOENT;
		break;
	default:
		return -EINVAL;
	}
	*type = cells[2] & IRQ_TYPE_SENSE_MASK;
	return 0;
}

static struct aic sys_aic;
static int sys_aic_ready;

static void chip_unmask(unsigned line) { aic_unmask(&sys_aic, line); }
static void chip_mask(unsigned line) { aic_mask(&sys_aic, line); }
static void irq_entry(struct exception_frame *f) { (void)f; aic_handle_irq(&sys_aic); }
static void fiq_entry(struct exception_frame *f) { (void)f; aic_handle_fiq(&sys_aic); }

static int chip_set_type(unsigned line, unsigned type)
{
	if (line >= AIC_FIQ_LINE(0))
		return type == IRQ_TYPE_LEVEL_HIGH ? 0 : -EINVAL;
	return type == IRQ_TYPE_LEVEL_HIGH || type == IRQ_TYPE_EDGE_RISING ? 0 : -EINVAL;
}

static struct irq_chip aic_chip = {
	.name = "AIC",
	.unmask = chip_unmask,
	.mask = chip_mask,
	.set_type = chip_set_type,
	.xlate = aic_xlate,
};

struct aic *aic_get(void)
{
	return sys_aic_ready ? &sys_aic : NULL;
}

int aic_init_dt(const struct fdt *fdt, int node)
{
	uint64_t base, size;
	int err;

	if (fdt_get_reg(fdt, node, 0, &base, &size)) {
		printf("aic: the node has no usable reg\n");
		return -EINVAL;
	}
	if ((err = aic_init(&sys_aic, ioremap(base, size))))
		return err;
	sys_aic_ready = 1;
	aic_chip.node = node;
	irq_set_chip(&aic_chip, irq_entry, fiq_entry);
	return 0;
}
