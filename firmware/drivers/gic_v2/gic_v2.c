#include "gic_v2.h"

#include <errno.h>
#include <stdio.h>

#include "cpu.h"
#include "irq.h"
#include "mmio.h"
#include "mmu.h"

static void dist_write(struct gic_v2 *g, uint32_t off, uint32_t v)
{
	write32(g->dist + off, v);
}

static uint32_t dist_read(struct gic_v2 *g, uint32_t off)
{
	return read32(g->dist + off);
}

/* This CPU's target bit: the first non-zero of the banked, read-only ITARGETSR0..7. */
uint32_t gic_v2_cpu_mask(struct gic_v2 *g)
{
	for (unsigned i = 0; i < 32; i += 4) {
		uint32_t m = dist_read(g, GICD_ITARGETSR(i));
		m |= m >> 16;
		m |= m >> 8;
		if (m & 0xff)
			return m & 0xff;
	}
	return 1;	/* uniprocessor GIC: ITARGETSR reads as zero and targets are ignored */
}

static void dist_init(struct gic_v2 *g)
{
	uint32_t mask = g->cpumask * 0x01010101u;

	dist_write(g, GICD_CTLR, 0);
	for (unsigned i = GIC_SPI_BASE; i < g->nr_lines; i += 4)
		dist_write(g, GICD_ITARGETSR(i), mask);
	for (unsigned i = GIC_SPI_BASE; i < g->nr_lines; i += 16)
		dist_write(g, GICD_ICFGR(i), 0);
	for (unsigned i = GIC_SPI_BASE; i < g->nr_lines; i += 4)
		dist_write(g, GICD_IPRIORITYR(i), GIC_DEFAULT_PRIORITY * 0x01010101u);
	for (unsigned i = GIC_SPI_BASE; i < g->nr_lines; i += 32) {
		dist_write(g, GICD_ICACTIVER(i), 0xffffffffu);
		dist_write(g, GICD_ICENABLER(i), 0xffffffffu);
	}
	dist_write(g, GICD_CTLR, GICD_CTLR_ENABLE);
}

static void cpu_init(struct gic_v2 *g)
{
	dist_write(g, GICD_ICACTIVER(0), 0xffffffffu);
	dist_write(g, GICD_ICENABLER(0), 0xffff0000u);
	dist_write(g, GICD_ISENABLER(0), 0x0000ffffu);
	for (unsigned i = 0; i < GIC_SPI_BASE; i += 4)
		dist_write(g, GICD_IPRIORITYR(i), GIC_DEFAULT_PRIORITY * 0x01010101u);
	write32(g->cpu + GICC_PMR, GIC_PRIORITY_THRESHOLD);
	uint32_t bypass = read32(g->cpu + GICC_CTLR) & GICC_CTLR_BYPASS_MASK;
	write32(g->cpu + GICC_CTLR, bypass | GICC_CTLR_ENABLE);
}

int gic_v2_init(struct gic_v2 *g, uintptr_t dist, uintptr_t cpu)
{
	g->dist = dist;
	g->cpu = cpu;
	g->nr_lines = GICD_TYPER_LINES(dist_read(g, GICD_TYPER));
	if (g->nr_lines > GICC_IAR_SPURIOUS)
		g->nr_lines = GICC_IAR_SPURIOUS;
	g->cpumask = gic_v2_cpu_mask(g);
	dist_init(g);
	cpu_init(g);
	return 0;
}

void gic_v2_secondary_init(struct gic_v2 *g)
{
	cpu_init(g);
}

void gic_v2_unmask(struct gic_v2 *g, unsigned line)
{
	if (line < g->nr_lines)
		dist_write(g, GICD_ISENABLER(line), 1u << (line % 32));
}

void gic_v2_mask(struct gic_v2 *g, unsigned line)
{
	if (line < g->nr_lines)
		dist_write(g, GICD_ICENABLER(line), 1u << (line % 32));
}

int gic_v2_set_type(struct gic_v2 *g, unsigned line, unsigned type)
{
	if (line >= g->nr_lines)
		return -EINVAL;
	if (line < GIC_PPI_BASE)	/* SGIs: always edge */
		return type == IRQ_TYPE_EDGE_RISING ? 0 : -EINVAL;
	if (line >= GIC_SPI_BASE && type != IRQ_TYPE_LEVEL_HIGH && type != IRQ_TYPE_EDGE_RISING)
		return -EINVAL;

	uint32_t off = GICD_ICFGR(line), bit = 2u << (2 * (line % 16));
	uint32_t old = dist_read(g, off);
	uint32_t val = type == IRQ_TYPE_EDGE_RISING ? old | bit : old & ~bit;
	if (val == old)
		return 0;
	/* Change the configuration of a disabled line only. */
	uint32_t en_bit = 1u << (line % 32);
	int enabled = (dist_read(g, GICD_ISENABLER(line)) & en_bit) != 0;
	if (enabled)
		dist_write(g, GICD_ICENABLER(line), en_bit);
	dist_write(g, off, val);
	int ok = dist_read(g, off) == val;
	if (enabled)
		dist_write(g, GICD_ISENABLER(line), en_bit);
	if (!ok && line >= GIC_SPI_BASE)
		return -EINVAL;
	return 0;	/* a PPI with a fixed configuration keeps it */
}

int gic_v2_set_priority(struct gic_v2 *g, unsigned line, unsigned priority)
{
	if (line >= g->nr_lines || priority > 0xff)
		return -EINVAL;
	uint32_t off = GICD_IPRIORITYR(line), shift = 8 * (line % 4);
	dist_write(g, off, (dist_read(g, off) & ~(0xffu << shift)) | (priority << shift));
	return 0;
}

void gic_v2_send_sgi_self(struct gic_v2 *g, unsigned id)
{
	/* write32's store barrier orders earlier stores before the SGI, as Linux's dmb(ishst). */
	dist_write(g, GICD_SGIR, GICD_SGIR_TO_SELF | (id & 0xf));
}

void gic_v2_send_sgi(struct gic_v2 *g, uint32_t targets, unsigned id)
{
	dist_write(g, GICD_SGIR, GICD_SGIR_TARGETS(targets) | (id & 0xf));
}

/* The IAR each CPU is handling; one slot per CPU interface, so CPUs in handlers at the same time
 * do not overwrite each other's. */
static volatile uint32_t current_iar[GIC_MAX_CPUS];

uint32_t gic_v2_current_iar(void)
{
	return current_iar[MPIDR_AFF0(cpu_mpidr()) % GIC_MAX_CPUS];
}

void gic_v2_handle_irq(struct gic_v2 *g)
{
	volatile uint32_t *slot = &current_iar[MPIDR_AFF0(cpu_mpidr()) % GIC_MAX_CPUS];

	for (;;) {
		uint32_t iar = read32(g->cpu + GICC_IAR);
		unsigned id = GICC_IAR_INTID(iar);
		if (id >= GICC_IAR_SPURIOUS)
			break;
		*slot = iar;
		irq_dispatch(id);
		write32(g->cpu + GICC_EOIR, iar);
	}
}

int gic_v2_xlate(const uint32_t *cells, unsigned n_cells, unsigned *line, unsigned *type)
{
	if (n_cells < 3)
		return -EINVAL;
	switch (cells[0]) {
	case 0:	/* SPI */
		if (cells[1] >= 988)
			return -EINVAL;
		*line = GIC_SPI_BASE + cells[1];
		break;
	case 1:	/* PPI */
		if (cells[1] >= 16)
			return -EINVAL;
		*line = GIC_PPI_BASE + cells[1];
		break;
	default:
		return -EINVAL;
	}
	*type = cells[2] & IRQ_TYPE_SENSE_MASK;
	return 0;
}

/* The system GIC behind the irq framework. */
static struct gic_v2 sys_gic;
static int sys_gic_ready;

static void chip_unmask(unsigned line) { gic_v2_unmask(&sys_gic, line); }
static void chip_mask(unsigned line) { gic_v2_mask(&sys_gic, line); }
static int chip_set_type(unsigned line, unsigned type) { return gic_v2_set_type(&sys_gic, line, type); }
static int chip_set_priority(unsigned line, unsigned p) { return gic_v2_set_priority(&sys_gic, line, p); }
static void irq_entry(struct exception_frame *f) { (void)f; gic_v2_handle_irq(&sys_gic); }

static struct irq_chip gic_chip = {
	.name = "GICv2",
	.unmask = chip_unmask,
	.mask = chip_mask,
	.set_type = chip_set_type,
	.set_priority = chip_set_priority,
	.xlate = gic_v2_xlate,
};

struct gic_v2 *gic_v2_get(void)
{
	return sys_gic_ready ? &sys_gic : NULL;
}

int gic_v2_init_dt(const struct fdt *fdt, int node)
{
	uint64_t dist, cpu, dsize, csize;

	if (fdt_get_reg(fdt, node, 0, &dist, &dsize) || fdt_get_reg(fdt, node, 1, &cpu, &csize)) {
		printf("gic: the node needs reg[0] (distributor) and reg[1] (CPU interface)\n");
		return -EINVAL;
	}
	gic_v2_init(&sys_gic, ioremap(dist, dsize), ioremap(cpu, csize));
	sys_gic_ready = 1;
	gic_chip.node = node;
	irq_set_chip(&gic_chip, irq_entry, NULL);
	return 0;
}
