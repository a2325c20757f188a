/*
 * Apple Interrupt Controller (AIC v1, "apple,t8103-aic" / "apple,aic"), one CPU, after Linux
 * drivers/irqchip/irq-apple-aic.c (its register
 * offsets and fields; the DT cells of dt-bindings/interrupt-controller/apple-aic.h):
 *
 * - init (aic_of_ic_init, aic_init_cpu): NR_IRQ from INFO[15:0]; every IRQ masked (MASK_SET all
 *   ones), software-triggered state cleared (SW_CLR all ones), TARGET_CPU[i] = 1 (CPU 0); the
 *   timers' FIQs masked at their source (CNTP_CTL / CNTV_CTL IMASK); IPIs acknowledged (IPI_ACK
 *   = SELF | OTHER) and masked (IPI_MASK_SET: t8103 uses fast IPIs, which this firmware does not).
 *   Linux also clears Apple's implementation-defined FIQ sources (IPI_SR, PMCR0, UPMCR0): they
 *   are CPU system registers a Cortex-A72 model does not have, so they are not touched.
 * - IRQ entry (aic_handle_irq): read EVENT until it is 0; type IRQ (1): run the line's handlers,
 *   then unmask the line (MASK_CLR) if software has not masked it: the EVENT read acknowledged
 *   and masked it (auto-mask). Type IPI: acknowledged and unmasked again. Others: counted.
 * - FIQ entry (aic_handle_fiq): no controller register says why; the timers are looked at: a
 *   timer whose CTL is ENABLE and ISTATUS without IMASK fires its FIQ line. At EL1 the DT's
 *   guest-timer specifiers name the EL0 timers (<1 2 f> = CNTP, <1 3 f> = CNTV); the HV ones
 *   (<1 0 f>, <1 1 f>) do not exist. A firing timer nobody handles gets IMASK set (no storm).
 * - lines: AIC IRQ n = n (< NR_IRQ); FIQ n = AIC_FIQ_LINE(n) with n = AIC_TMR_EL0_PHYS or
 *   AIC_TMR_EL0_VIRT. mask/unmask: MASK_SET/MASK_CLR + 4 * (n / 32), bit n % 32; FIQ lines are
 *   masked in software. Types: IRQs level-high or edge-rising, FIQs level-high.
 */
#ifndef AIC_H
#define AIC_H

#include <stdint.h>

#include "fdt.h"

#define AIC_INFO		0x0004
#define AIC_INFO_NR_IRQ(v)	((v) & 0xffffu)
#define AIC_CONFIG		0x0010
#define AIC_WHOAMI		0x2000
#define AIC_EVENT		0x2004
#define AIC_EVENT_DIE(v)	(((v) >> 24) & 0xffu)
#define AIC_EVENT_TYPE(v)	(((v) >> 16) & 0xffu)
#define AIC_EVENT_NUM(v)	((v) & 0xffffu)
#define AIC_EVENT_TYPE_IRQ	1u
#define AIC_EVENT_TYPE_IPI	4u
#define AIC_EVENT_IPI_OTHER	1u
#define AIC_EVENT_IPI_SELF	2u
#define AIC_IPI_SEND		0x2008
#define AIC_IPI_ACK		0x200c
#define AIC_IPI_MASK_SET	0x2024
#define AIC_IPI_MASK_CLR	0x2028
#define AIC_IPI_OTHER		(1u << 0)
#define AIC_IPI_SELF		(1u << 31)
#define AIC_TARGET_CPU(n)	(0x3000 + 4 * (n))
#define AIC_MAX_IRQ		0x400u
/* After TARGET_CPU[AIC_MAX_IRQ]: SW_SET, SW_CLR, MASK_SET, MASK_CLR, HW_STATE, AIC_MAX_IRQ bits each. */
#define AIC_SW_SET(n)		(0x4000 + 4 * ((n) / 32))
#define AIC_SW_CLR(n)		(0x4080 + 4 * ((n) / 32))
#define AIC_MASK_SET(n)		(0x4100 + 4 * ((n) / 32))
#define AIC_MASK_CLR(n)		(0x4180 + 4 * ((n) / 32))
#define AIC_HW_STATE(n)		(0x4200 + 4 * ((n) / 32))
#define AIC_MASK_BIT(n)		(1u << ((n) % 32))

/* DT specifier cells (dt-bindings/interrupt-controller/apple-aic.h) */
#define AIC_IRQ			0u
#define AIC_FIQ			1u
#define AIC_TMR_HV_PHYS		0u
#define AIC_TMR_HV_VIRT		1u
#define AIC_TMR_GUEST_PHYS	2u
#define AIC_TMR_GUEST_VIRT	3u
/* FIQ sources as the FIQ entry sees them (Linux's fiq_hwirq): the timers of EL0 registers. */
#define AIC_TMR_EL0_PHYS	0u	/* CNTP */
#define AIC_TMR_EL0_VIRT	1u	/* CNTV */
#define AIC_NR_FIQ		2u

struct aic {
	uintptr_t base;
	unsigned nr_irq;
	uint64_t unknown_events;
	uint64_t ipis;
};

int aic_init(struct aic *a, uintptr_t base);
/* From an "apple,aic" node's reg[0]: aic_init on the system AIC, then irq_set_chip. */
int aic_init_dt(const struct fdt *fdt, int node);
struct aic *aic_get(void);

void aic_mask(struct aic *a, unsigned line);
void aic_unmask(struct aic *a, unsigned line);
void aic_handle_irq(struct aic *a);
void aic_handle_fiq(struct aic *a);
int aic_xlate(const uint32_t *cells, unsigned n_cells, unsigned *line, unsigned *type);

#endif
