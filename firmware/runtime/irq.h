/*
 * Interrupt framework: one interrupt controller (GICv2, Apple AIC) registers itself as the
 * irq_chip; drivers and scenarios register handlers per interrupt line and enable the line.
 *
 * Lines are the controller's own numbers: the GIC's INTID (SGI 0-15, PPI 16-31, SPI 32+), the
 * AIC's hardware IRQ number, and AIC FIQ sources at AIC_FIQ_LINE(n). irq_of_get() turns a DT
 * node's `interrupts` entry into a line and trigger type through the controller's xlate, as
 * Linux's irq_domain translate does.
 *
 * The controller's IRQ (and FIQ) entry acknowledges, calls irq_dispatch(line) and completes the
 * interrupt (EOI). irq_dispatch runs every handler of the line (lines may be shared, as the two
 * DARTs of one USB controller share one AIC line); a line where no handler says IRQ_HANDLED is
 * counted as spurious, and a line with no handler at all is disabled, so a level line nobody
 * serves cannot storm.
 *
 * Masking: local_irq_disable/enable (PSTATE.I), local_fiq_* (PSTATE.F), local_irq_save/restore
 * (both). wait_for_interrupt() is the idle loop's step: call it with interrupts masked and test
 * the condition around it, so an interrupt between the test and the WFI cannot be missed:
 *
 *     local_irq_disable();
 *     while (!done)
 *             wait_for_interrupt();
 *     local_irq_enable();
 */
#ifndef IRQ_H
#define IRQ_H

#include <stdint.h>

#include "exception.h"
#include "fdt.h"

#define IRQ_NR_LINES		1088u	/* GIC INTIDs < 1020; AIC IRQs < 1024, FIQs at 1024.. */
#define IRQ_MAX_SHARED		4u	/* handlers per line */
#define AIC_FIQ_LINE(n)		(1024u + (n))

/* Trigger types: the DT's interrupt flag values (dt-bindings/interrupt-controller/irq.h). */
#define IRQ_TYPE_NONE		0u
#define IRQ_TYPE_EDGE_RISING	1u
#define IRQ_TYPE_EDGE_FALLING	2u
#define IRQ_TYPE_LEVEL_HIGH	4u
#define IRQ_TYPE_LEVEL_LOW	8u
#define IRQ_TYPE_SENSE_MASK	0xfu

enum irqreturn { IRQ_NONE = 0, IRQ_HANDLED = 1 };
typedef enum irqreturn (*irq_handler_fn)(unsigned line, void *arg);

/* What a controller driver provides. Unused operations may be NULL. */
struct irq_chip {
	const char *name;
	void (*unmask)(unsigned line);
	void (*mask)(unsigned line);
	int (*set_type)(unsigned line, unsigned type);
	int (*set_priority)(unsigned line, unsigned priority);
	/* DT specifier (#interrupt-cells cells) -> line and type; 0 or a negative errno. */
	int (*xlate)(const uint32_t *cells, unsigned n_cells, unsigned *line, unsigned *type);
	int node;	/* the controller's node in the DTB (irq_of_get checks the parent) */
};

/* Make <chip> the controller (one per system) and install its entry points. */
void irq_set_chip(const struct irq_chip *chip, void (*irq_entry)(struct exception_frame *),
		  void (*fiq_entry)(struct exception_frame *));
const struct irq_chip *irq_get_chip(void);

/*
 * Find the interrupt controller of the DTB's root (its interrupt-parent; else the first enabled
 * "interrupt-controller"), initialise it with its driver (GICv2 / GIC-400, Apple AIC), install
 * the exception vectors. Interrupts stay masked at the core. 0 or a negative errno after a
 * message.
 */
int irq_init(const struct fdt *fdt);

/* Add a handler to <line> (shared lines: up to IRQ_MAX_SHARED). The line stays disabled. */
int irq_request(unsigned line, irq_handler_fn fn, void *arg);
/* Remove the handler (fn, arg) again; the line is disabled when it was the last. */
int irq_free(unsigned line, irq_handler_fn fn, void *arg);

int irq_enable(unsigned line);
int irq_disable(unsigned line);
int irq_set_type(unsigned line, unsigned type);
int irq_set_priority(unsigned line, unsigned priority);
int irq_is_enabled(unsigned line);

/* The controller's entry: run the handlers of <line>; what they returned. */
enum irqreturn irq_dispatch(unsigned line);

/* Counters: interrupts dispatched on <line>; those nobody handled (all lines). */
uint64_t irq_count(unsigned line);
uint64_t irq_spurious_count(void);

/*
 * Entry <index> of <node>'s `interrupts` (interrupt-parent found up the tree, which must be the
 * registered controller), translated: line and trigger type. irq_of_get_byname uses
 * `interrupt-names`. 0 or a negative errno (-ENOENT: no such entry).
 */
int irq_of_get(const struct fdt *fdt, int node, unsigned index, unsigned *line, unsigned *type);
int irq_of_get_byname(const struct fdt *fdt, int node, const char *name, unsigned *line, unsigned *type);

/* irq_of_get, then set the trigger type and request the line (enable it with irq_enable). */
int irq_of_request(const struct fdt *fdt, int node, unsigned index, irq_handler_fn fn, void *arg,
		   unsigned *line);

static inline void local_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

static inline void local_fiq_enable(void)
{
	__asm__ volatile("msr daifclr, #1" ::: "memory");
}

static inline void local_fiq_disable(void)
{
	__asm__ volatile("msr daifset, #1" ::: "memory");
}

/* Mask IRQ and FIQ; returns the previous DAIF for local_irq_restore. */
static inline uint64_t local_irq_save(void)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif\n\tmsr daifset, #3" : "=r"(daif) : : "memory");
	return daif;
}

static inline void local_irq_restore(uint64_t daif)
{
	__asm__ volatile("msr daif, %0" : : "r"(daif) : "memory");
}

/*
 * Idle until an interrupt is pending (DSB, WFI), let it be taken (IRQ and FIQ unmasked for a
 * moment), and return with the caller's DAIF. Called with interrupts masked it cannot miss one.
 */
static inline void wait_for_interrupt(void)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif\n\t"
			 "dsb sy\n\t"
			 "wfi\n\t"
			 "msr daifclr, #3\n\t"
			 "isb\n\t"
			 "msr daif, %0"
			 : "=&r"(daif) : : "memory");
}

#endif
