/*
 * Arm GICv2 (and GIC-400) driver: distributor and CPU interfaces, after the sequences
 * of Linux drivers/irqchip/irq-gic.c and irq-gic-common.c, register layout
 * from the GICv2 architecture specification (Arm IHI 0048B):
 *
 * - distributor (gic_dist_init): CTLR = 0; every SPI targeted at this CPU (the CPU's mask read
 *   from ITARGETSR0..7, 1 on a uniprocessor GIC, where they read as zero), level-sensitive
 *   (ICFGR = 0), priority 0xa0, deactivated (ICACTIVER) and disabled (ICENABLER); CTLR = 1.
 * - CPU interface (gic_cpu_init): banked SGIs/PPIs deactivated, PPIs disabled (ICENABLER0 =
 *   0xffff0000), SGIs enabled (ISENABLER0 = 0x0000ffff), priority 0xa0; PMR = 0xf0; CTLR keeps
 *   its bypass-disable bits [8:5] and sets Enable (bit 0): EOI and deactivation together.
 * - a secondary CPU (gic_cpu_init on that CPU, the distributor left alone): the same CPU-interface
 *   sequence on its own banked SGI/PPI registers and its own CPU interface.
 * - IRQ entry (gic_handle_irq): read IAR; INTID >= 1020 is spurious and ends the loop; run the
 *   line's handlers; write the IAR value to EOIR; read IAR again.
 * - per line: ISENABLER / ICENABLER bit, IPRIORITYR byte, ICFGR bit 1 of the line's 2-bit field
 *   (1 = edge; SPIs accept level-high and edge-rising only, SGIs are edge, a PPI whose field is
 *   read-only keeps its configuration, as Linux tolerates), all as 32-bit accesses.
 * - SGIs: SGIR = TargetListFilter << 24 | CPUTargetList << 16 | INTID (gic_ipi_send_mask); the
 *   receiver's IAR carries the sender's CPU number in bits [12:10], and that whole IAR value
 *   goes back to EOIR.
 *
 * Lines are INTIDs: SGI n = n, PPI n = 16 + n, SPI n = 32 + n (the DT's <0 n flags> / <1 n flags>).
 */
#ifndef GIC_V2_H
#define GIC_V2_H

#include <stdint.h>

#include "fdt.h"

/* Distributor */
#define GICD_CTLR		0x000
#define GICD_TYPER		0x004
#define GICD_IIDR		0x008
#define GICD_ISENABLER(n)	(0x100 + 4 * ((n) / 32))
#define GICD_ICENABLER(n)	(0x180 + 4 * ((n) / 32))
#define GICD_ISPENDR(n)		(0x200 + 4 * ((n) / 32))
#define GICD_ICPENDR(n)		(0x280 + 4 * ((n) / 32))
#define GICD_ICACTIVER(n)	(0x380 + 4 * ((n) / 32))
#define GICD_IPRIORITYR(n)	(0x400 + 4 * ((n) / 4))
#define GICD_ITARGETSR(n)	(0x800 + 4 * ((n) / 4))
#define GICD_ICFGR(n)		(0xc00 + 4 * ((n) / 16))
#define GICD_SGIR		0xf00
#define GICD_CTLR_ENABLE	1u
#define GICD_TYPER_LINES(v)	(32u * (((v) & 0x1fu) + 1))
#define GICD_SGIR_TO_SELF	(2u << 24)	/* TargetListFilter: only the requesting CPU */
#define GICD_SGIR_TARGETS(m)	(((m) & 0xffu) << 16)	/* TargetListFilter 0: the CPUs in m */

/* CPU interface */
#define GICC_CTLR		0x000
#define GICC_PMR		0x004
#define GICC_BPR		0x008
#define GICC_IAR		0x00c
#define GICC_EOIR		0x010
#define GICC_HPPIR		0x018
#define GICC_CTLR_ENABLE	1u
#define GICC_CTLR_BYPASS_MASK	0x1e0u
#define GICC_IAR_INTID(v)	((v) & 0x3ffu)
#define GICC_IAR_CPUID(v)	(((v) >> 10) & 0x7u)	/* SGIs: the CPU that sent it */
#define GICC_IAR_SPURIOUS	1020u
#define GIC_MAX_CPUS		8u

#define GIC_DEFAULT_PRIORITY	0xa0u
#define GIC_PRIORITY_THRESHOLD	0xf0u
#define GIC_SPI_BASE		32u
#define GIC_PPI_BASE		16u

struct gic_v2 {
	uintptr_t dist, cpu;
	unsigned nr_lines;	/* from GICD_TYPER, at most 1020 */
	uint32_t cpumask;	/* this CPU's ITARGETSR bit */
};

/* The distributor and CPU interface at <dist> / <cpu>: both init sequences (above). */
int gic_v2_init(struct gic_v2 *g, uintptr_t dist, uintptr_t cpu);

/* On a secondary CPU, after gic_v2_init on the boot CPU: this CPU's banked SGI/PPI state and
 * CPU interface (the distributor is not touched). */
void gic_v2_secondary_init(struct gic_v2 *g);

/* The calling CPU's target mask: its banked ITARGETSR0..7 (1 on a uniprocessor GIC). */
uint32_t gic_v2_cpu_mask(struct gic_v2 *g);

/* From an "arm,cortex-a15-gic" / "arm,gic-400" node (reg[0] distributor, reg[1] CPU interface):
 * gic_v2_init on the one system GIC, then irq_set_chip. */
int gic_v2_init_dt(const struct fdt *fdt, int node);

/* The system GIC (after gic_v2_init_dt), or NULL. */
struct gic_v2 *gic_v2_get(void);

/* Line operations on <g> (the irq_chip calls them on the system GIC). */
void gic_v2_unmask(struct gic_v2 *g, unsigned line);
void gic_v2_mask(struct gic_v2 *g, unsigned line);
int gic_v2_set_type(struct gic_v2 *g, unsigned line, unsigned type);
int gic_v2_set_priority(struct gic_v2 *g, unsigned line, unsigned priority);

/* Send SGI <id> (0..15) to this CPU. */
void gic_v2_send_sgi_self(struct gic_v2 *g, unsigned id);

/* Send SGI <id> (0..15) to the CPUs whose bits are set in <targets> (CPU interface numbers, as
 * gic_v2_cpu_mask reports them). */
void gic_v2_send_sgi(struct gic_v2 *g, uint32_t targets, unsigned id);

/* Acknowledge and handle every pending interrupt (the IRQ entry). */
void gic_v2_handle_irq(struct gic_v2 *g);

/* In a handler: the IAR value of the interrupt the calling CPU is handling (for an SGI, the
 * sender is GICC_IAR_CPUID of it). Kept per CPU, by MPIDR_EL1.Aff0. */
uint32_t gic_v2_current_iar(void);

/* DT specifier <type num flags> -> INTID and trigger. */
int gic_v2_xlate(const uint32_t *cells, unsigned n_cells, unsigned *line, unsigned *type);

#endif
