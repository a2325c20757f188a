#include "irq.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aic.h"
#include "gic_v2.h"

struct irq_action {
	irq_handler_fn fn;
	void *arg;
};

struct irq_desc {
	struct irq_action action[IRQ_MAX_SHARED];
	unsigned n_action;
	int enabled;
	uint64_t count;
};

static const struct irq_chip *chip;
static struct irq_desc desc[IRQ_NR_LINES];
static uint64_t spurious;

void irq_set_chip(const struct irq_chip *c, void (*irq_entry)(struct exception_frame *),
		  void (*fiq_entry)(struct exception_frame *))
{
	chip = c;
	exception_set_irq_entry(irq_entry);
	exception_set_fiq_entry(fiq_entry);
}

const struct irq_chip *irq_get_chip(void)
{
	return chip;
}

/* The node the root names as its interrupt-parent, else the first enabled controller. */
static int root_controller(const struct fdt *fdt)
{
	uint32_t phandle;
	int root = fdt_find_node(fdt, "/");

	if (root >= 0 && fdt_get_u32(fdt, root, "interrupt-parent", &phandle) == 0)
		return fdt_find_phandle(fdt, phandle);
	for (int node = fdt_next_node(fdt, -1); node >= 0; node = fdt_next_node(fdt, node)) {
		const void *v;
		uint32_t len;
		if (fdt_get_prop(fdt, node, "interrupt-controller", &v, &len) == 0 &&
		    fdt_is_enabled(fdt, node))
			return node;
	}
	return -ENOENT;
}

int irq_init(const struct fdt *fdt)
{
	int node = root_controller(fdt);

	if (node < 0) {
		printf("irq: no interrupt controller in the device tree\n");
		return -ENODEV;
	}
	if (!fdt_is_enabled(fdt, node)) {
		printf("irq: the interrupt controller's node is disabled\n");
		return -ENODEV;
	}
	exception_init();
	if (fdt_is_compatible(fdt, node, "arm,cortex-a15-gic") ||
	    fdt_is_compatible(fdt, node, "arm,gic-400"))
		return gic_v2_init_dt(fdt, node);
	if (fdt_is_compatible(fdt, node, "apple,aic"))
		return aic_init_dt(fdt, node);
	printf("irq: no driver for the interrupt controller\n");
	return -ENODEV;
}

static struct irq_desc *line_desc(unsigned line)
{
	return line < IRQ_NR_LINES ? &desc[line] : NULL;
}

int irq_request(unsigned line, irq_handler_fn fn, void *arg)
{
	struct irq_desc *d = line_desc(line);

	if (!d || !fn)
		return -EINVAL;
	if (d->n_action == IRQ_MAX_SHARED)
		return -EBUSY;
	uint64_t daif = local_irq_save();
	d->action[d->n_action++] = (struct irq_action){fn, arg};
	local_irq_restore(daif);
	return 0;
}

int irq_free(unsigned line, irq_handler_fn fn, void *arg)
{
	struct irq_desc *d = line_desc(line);

	if (!d)
		return -EINVAL;
	uint64_t daif = local_irq_save();
	for (unsigned i = 0; i < d->n_action; i++) {
		if (d->action[i].fn == fn && d->action[i].arg == arg) {
			d->action[i] = d->action[--d->n_action];
			if (d->n_action == 0)
				irq_disable(line);
			local_irq_restore(daif);
			return 0;
		}
	}
	local_irq_restore(daif);
	return -ENOENT;
}

int irq_enable(unsigned line)
{
	struct irq_desc *d = line_desc(line);

	if (!d || !chip)
		return -EINVAL;
	d->enabled = 1;
	if (chip->unmask)
		chip->unmask(line);
	return 0;
}

int irq_disable(unsigned line)
{
	struct irq_desc *d = line_desc(line);

	if (!d || !chip)
		return -EINVAL;
	d->enabled = 0;
	if (chip->mask)
		chip->mask(line);
	return 0;
}

int irq_is_enabled(unsigned line)
{
	struct irq_desc *d = line_desc(line);

	return d && d->enabled;
}

int irq_set_type(unsigned line, unsigned type)
{
	if (!line_desc(line) || !chip)
		return -EINVAL;
	return chip->set_type ? chip->set_type(line, type & IRQ_TYPE_SENSE_MASK) : 0;
}

int irq_set_priority(unsigned line, unsigned priority)
{
	if (!line_desc(line) || !chip)
		return -EINVAL;
	return chip->set_priority ? chip->set_priority(line, priority) : -ENOTSUP;
}

enum irqreturn irq_dispatch(unsigned line)
{
	struct irq_desc *d = line_desc(line);
	enum irqreturn ret = IRQ_NONE;

	if (!d) {
		spurious++;
		return IRQ_NONE;
	}
	d->count++;
	for (unsigned i = 0; i < d->n_action; i++)
		if (d->action[i].fn(line, d->action[i].arg) == IRQ_HANDLED)
			ret = IRQ_HANDLED;
	if (ret == IRQ_NONE) {
		spurious++;
		if (d->n_action == 0)	/* nobody will ever clear it: keep it from storming */
			irq_disable(line);
	}
	return ret;
}

uint64_t irq_count(unsigned line)
{
	struct irq_desc *d = line_desc(line);

	return d ? d->count : 0;
}

uint64_t irq_spurious_count(void)
{
	return spurious;
}

/* The interrupt parent of <node>: its own interrupt-parent, or the nearest ancestor's. */
static int interrupt_parent(const struct fdt *fdt, int node)
{
	uint32_t phandle;

	for (int n = node; n >= 0; n = fdt_parent(fdt, n))
		if (fdt_get_u32(fdt, n, "interrupt-parent", &phandle) == 0)
			return fdt_find_phandle(fdt, phandle);
	return -ENOENT;
}

int irq_of_get(const struct fdt *fdt, int node, unsigned index, unsigned *line, unsigned *type)
{
	const void *prop;
	uint32_t len, n_cells;
	int parent = interrupt_parent(fdt, node);

	if (!chip || !chip->xlate)
		return -ENODEV;
	if (parent < 0 || parent != chip->node)
		return -ENODEV;	/* another controller (or none): not ours to translate */
	if (fdt_get_u32(fdt, parent, "#interrupt-cells", &n_cells) || n_cells == 0 || n_cells > 4)
		return -EINVAL;
	if (fdt_get_prop(fdt, node, "interrupts", &prop, &len))
		return -ENOENT;
	if ((uint64_t)(index + 1) * n_cells * 4 > len)
		return -ENOENT;
	uint32_t cells[4];
	for (unsigned i = 0; i < n_cells; i++)
		cells[i] = fdt_load_be32((const uint8_t *)prop + 4 * (index * n_cells + i));
	unsigned t = IRQ_TYPE_NONE;
	int err = chip->xlate(cells, n_cells, line, &t);
	if (err == 0 && type)
		*type = t;
	return err;
}

int irq_of_get_byname(const struct fdt *fdt, int node, const char *name, unsigned *line, unsigned *type)
{
	const void *prop;
	uint32_t len;

	if (fdt_get_prop(fdt, node, "interrupt-names", &prop, &len))
		return -ENOENT;
	const char *s = prop, *end = s + len;
	for (unsigned index = 0; s < end; index++) {
		const char *nul = memchr(s, 0, (size_t)(end - s));
		if (!nul)
			return -EINVAL;	/* not NUL-terminated */
		size_t n = (size_t)(nul - s);
		if (strcmp(s, name) == 0)
			return irq_of_get(fdt, node, index, line, type);
		s += n + 1;
	}
	return -ENOENT;
}

int irq_of_request(const struct fdt *fdt, int node, unsigned index, irq_handler_fn fn, void *arg,
		   unsigned *line)
{
	unsigned l, type;
	int err = irq_of_get(fdt, node, index, &l, &type);

	if (err == 0 && type != IRQ_TYPE_NONE)
		err = irq_set_type(l, type);
	if (err == 0)
		err = irq_request(l, fn, arg);
	if (err == 0 && line)
		*line = l;
	return err;
}
