/*
 * Host test of firmware/drivers/gic_v2 against a fake GICv2 (distributor + CPU interface):
 * the init sequence of Linux's irq-gic.c (CTLR off while the SPIs are configured, SPIs level,
 * priority 0xa0, deactivated and disabled; banked PPIs disabled and SGIs enabled; PMR 0xf0; the
 * CPU interface enabled keeping its bypass bits), line enable/disable and trigger configuration,
 * the acknowledge / dispatch / EOI loop, and DT specifier translation.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gic_v2.h"
#include "host_check.h"
#include "irq.h"

#define DIST 0x08000000ul
#define CPU  0x08010000ul
#define LINES 160u	/* TYPER.ITLinesNumber = 4 */

static uint32_t dist[0x1000 / 4], cpu[0x100 / 4];
static uint32_t enabled[LINES / 32];
static uint32_t icfgr_ro0 = 0xffff0000u;	/* ICFGR1: the fields of PPIs 24..31 read-only */
static unsigned dist_writes_while_on;		/* configuration writes with CTLR.Enable set */
static uint32_t iar_queue[8];
static unsigned n_iar, iar_pos;
static uint32_t eoi_log[8];
static unsigned n_eoi;
static unsigned dispatched[8], n_dispatched;
static uint32_t iar_in_handler[8];	/* gic_v2_current_iar() as each handler saw it */

uint32_t fake_mmio_read32(uintptr_t addr)
{
	if (addr >= CPU) {
		uint32_t off = (uint32_t)(addr - CPU);
		if (off == GICC_IAR)
			return iar_pos < n_iar ? iar_queue[iar_pos++] : 1023;
		return cpu[off / 4];
	}
	uint32_t off = (uint32_t)(addr - DIST);
	if (off >= 0x100 && off < 0x180)
		return enabled[(off - 0x100) / 4];
	if (off >= 0x180 && off < 0x200)
		return enabled[(off - 0x180) / 4];
	if (off >= 0x800 && off < 0x820)
		return 0;	/* uniprocessor: ITARGETSR0..7 read as zero */
	return dist[off / 4];
}

void fake_mmio_write32(uintptr_t addr, uint32_t value)
{
	if (addr >= CPU) {
		uint32_t off = (uint32_t)(addr - CPU);
		if (off == GICC_EOIR && n_eoi < 8)
			eoi_log[n_eoi++] = value;
		cpu[off / 4] = value;
		return;
	}
	uint32_t off = (uint32_t)(addr - DIST);
	if (off >= 0x100 && off < 0x180) {
		enabled[(off - 0x100) / 4] |= value;
		return;
	}
	if (off >= 0x180 && off < 0x200) {
		enabled[(off - 0x180) / 4] &= ~value;
		return;
	}
	if ((dist[GICD_CTLR / 4] & 1) && (off >= 0x400 && off < 0xd00) && !(off >= 0x800 && off < 0x820) &&
	    off >= 0x400 + LINES)	/* priorities / targets / config of SPIs */
		dist_writes_while_on++;
	if (off == GICD_ICFGR(16))
		value = (value & ~icfgr_ro0) | (dist[off / 4] & icfgr_ro0);
	dist[off / 4] = value;
}

/* The irq framework as the driver sees it. */
void irq_set_chip(const struct irq_chip *c, void (*irq_entry)(struct exception_frame *),
		  void (*fiq_entry)(struct exception_frame *))
{
	(void)c;
	(void)irq_entry;
	(void)fiq_entry;
}

enum irqreturn irq_dispatch(unsigned line)
{
	if (n_dispatched < 8) {
		iar_in_handler[n_dispatched] = gic_v2_current_iar();
		dispatched[n_dispatched++] = line;
	}
	return IRQ_HANDLED;
}

uintptr_t ioremap(uint64_t phys, uint64_t size)
{
	(void)size;
	return (uintptr_t)phys;
}

static void test_init(struct gic_v2 *g)
{
	dist[GICD_TYPER / 4] = 4;
	dist[GICD_CTLR / 4] = 1;		/* left enabled by earlier firmware */
	cpu[GICC_CTLR / 4] = 0x60;		/* bypass-disable bits set by earlier firmware */
	memset(enabled, 0xff, sizeof(enabled));
	CHECK(gic_v2_init(g, DIST, CPU) == 0);
	CHECK(g->nr_lines == LINES);
	CHECK(g->cpumask == 1);
	CHECK(dist_writes_while_on == 0);
	CHECK(dist[GICD_CTLR / 4] == 1);
	for (unsigned i = 32; i < LINES; i += 16)
		CHECK(dist[GICD_ICFGR(i) / 4] == 0);
	for (unsigned i = 0; i < LINES; i += 4)
		CHECK(dist[GICD_IPRIORITYR(i) / 4] == 0xa0a0a0a0u);
	for (unsigned i = 32; i < LINES; i += 4)
		CHECK(dist[GICD_ITARGETSR(i) / 4] == 0x01010101u);
	CHECK(enabled[0] == 0x0000ffffu);	/* SGIs on, PPIs off */
	for (unsigned i = 1; i < LINES / 32; i++)
		CHECK(enabled[i] == 0);
	CHECK(cpu[GICC_PMR / 4] == 0xf0);
	CHECK(cpu[GICC_CTLR / 4] == 0x61);
}

static void test_lines(struct gic_v2 *g)
{
	gic_v2_unmask(g, 106);
	CHECK(enabled[106 / 32] == 1u << (106 % 32));
	gic_v2_mask(g, 106);
	CHECK(enabled[106 / 32] == 0);

	/* SPI 74 edge: bit 1 of its field; changed while disabled, re-enabled after. */
	gic_v2_unmask(g, 106);
	CHECK(gic_v2_set_type(g, 106, IRQ_TYPE_EDGE_RISING) == 0);
	CHECK(dist[GICD_ICFGR(106) / 4] == 2u << (2 * (106 % 16)));
	CHECK(enabled[106 / 32] == 1u << (106 % 32));
	CHECK(gic_v2_set_type(g, 106, IRQ_TYPE_LEVEL_HIGH) == 0);
	CHECK(dist[GICD_ICFGR(106) / 4] == 0);
	CHECK(gic_v2_set_type(g, 106, IRQ_TYPE_LEVEL_LOW) == -EINVAL);	/* SPIs: high or rising */
	CHECK(gic_v2_set_type(g, 3, IRQ_TYPE_LEVEL_HIGH) == -EINVAL);	/* SGIs are edge */
	/* PPI 27 with a read-only field: level-low is accepted and the field kept. */
	uint32_t before = dist[GICD_ICFGR(27) / 4];
	CHECK(gic_v2_set_type(g, 27, IRQ_TYPE_EDGE_RISING) == 0);
	CHECK(dist[GICD_ICFGR(27) / 4] == before);
	CHECK(gic_v2_set_type(g, LINES, IRQ_TYPE_LEVEL_HIGH) == -EINVAL);

	CHECK(gic_v2_set_priority(g, 106, 0x80) == 0);
	CHECK(dist[GICD_IPRIORITYR(106) / 4] == 0xa080a0a0u);	/* byte 106 % 4 = 2 */

	gic_v2_send_sgi_self(g, 5);
	CHECK(dist[GICD_SGIR / 4] == (2u << 24 | 5));
	gic_v2_send_sgi(g, 0x1, 1);	/* target list: CPU interface 0 */
	CHECK(dist[GICD_SGIR / 4] == (0x1u << 16 | 1));
	gic_v2_send_sgi(g, 0x102, 17);	/* only 8 CPUs and 16 SGIs */
	CHECK(dist[GICD_SGIR / 4] == (0x2u << 16 | 1));
}

static void test_handle(struct gic_v2 *g)
{
	/* Two interrupts (the second an SGI from CPU 1, IAR[12:10] = 1), then spurious. */
	iar_queue[0] = 106;
	iar_queue[1] = 1u << 10 | 5;
	n_iar = 2;
	gic_v2_handle_irq(g);
	CHECK(n_dispatched == 2 && dispatched[0] == 106 && dispatched[1] == 5);
	CHECK(iar_in_handler[0] == 106 && iar_in_handler[1] == (1u << 10 | 5));
	CHECK(GICC_IAR_CPUID(iar_in_handler[1]) == 1);
	CHECK(n_eoi == 2 && eoi_log[0] == 106 && eoi_log[1] == (1u << 10 | 5));	/* the IAR value */
}

static void test_xlate(void)
{
	unsigned line, type;
	const uint32_t spi[3] = {0, 74, 1}, ppi[3] = {1, 11, 0x104}, h6_ppi[3] = {1, 11, 0xf08},
		       bad_type[3] = {2, 1, 4}, bad_ppi[3] = {1, 16, 4};

	CHECK(gic_v2_xlate(spi, 3, &line, &type) == 0 && line == 106 && type == IRQ_TYPE_EDGE_RISING);
	CHECK(gic_v2_xlate(ppi, 3, &line, &type) == 0 && line == 27 && type == IRQ_TYPE_LEVEL_HIGH);
	CHECK(gic_v2_xlate(h6_ppi, 3, &line, &type) == 0 && line == 27 && type == IRQ_TYPE_LEVEL_LOW);
	CHECK(gic_v2_xlate(bad_type, 3, &line, &type) == -EINVAL);
	CHECK(gic_v2_xlate(bad_ppi, 3, &line, &type) == -EINVAL);
	CHECK(gic_v2_xlate(spi, 2, &line, &type) == -EINVAL);
}

int main(void)
{
	struct gic_v2 g;

	test_init(&g);
	test_lines(&g);
	test_handle(&g);
	test_xlate();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
