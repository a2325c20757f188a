/*
 * Arm generic timer, EL1 view (Arm ARM DDI 0487, "The Generic Timer in AArch64 state"): the virtual timer
 * (CNTV_CTL_EL0 / CNTV_CVAL_EL0 / CNTV_TVAL_EL0 against CNTVCT_EL0) and the EL1 physical timer
 * (CNTP_* against CNTPCT_EL0), both counting at CNTFRQ_EL0 Hz.
 *
 * CTL: ENABLE (bit 0), IMASK (bit 1), ISTATUS (bit 2, read-only: the condition CNT >= CVAL).
 * The timer's interrupt is asserted while ENABLE && ISTATUS && !IMASK, as a level: a handler
 * re-arms (new CVAL in the future), masks (IMASK) or stops (ENABLE = 0) the timer before it
 * returns. TVAL is a signed 32-bit view of CVAL - CNT: writing it sets CVAL = CNT + TVAL.
 *
 * Interrupt lines come from the DT's timer node ("arm,armv8-timer"): by interrupt-names
 * ("phys", "virt") when the node has them (Apple's), else by index (Arm's order: 0 secure
 * physical, 1 non-secure physical, 2 virtual, 3 hypervisor): on a GIC, PPI 14 -> INTID 30 for the
 * physical timer, PPI 11 -> INTID 27 for the virtual one.
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdint.h>

#include "fdt.h"

enum arch_timer { ARCH_TIMER_PHYS, ARCH_TIMER_VIRT };

#define ARCH_TIMER_CTL_ENABLE	(1u << 0)
#define ARCH_TIMER_CTL_IMASK	(1u << 1)
#define ARCH_TIMER_CTL_ISTATUS	(1u << 2)

static inline uint64_t arch_timer_frequency(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static inline uint64_t arch_timer_count(enum arch_timer t)
{
	uint64_t v;

	if (t == ARCH_TIMER_VIRT)
		__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	else
		__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline uint32_t arch_timer_read_ctl(enum arch_timer t)
{
	uint64_t v;

	if (t == ARCH_TIMER_VIRT)
		__asm__ volatile("mrs %0, cntv_ctl_el0" : "=r"(v));
	else
		__asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(v));
	return (uint32_t)v;
}

static inline void arch_timer_write_ctl(enum arch_timer t, uint32_t ctl)
{
	if (t == ARCH_TIMER_VIRT)
		__asm__ volatile("msr cntv_ctl_el0, %0\n\tisb" : : "r"((uint64_t)ctl) : "memory");
	else
		__asm__ volatile("msr cntp_ctl_el0, %0\n\tisb" : : "r"((uint64_t)ctl) : "memory");
}

static inline uint64_t arch_timer_read_cval(enum arch_timer t)
{
	uint64_t v;

	if (t == ARCH_TIMER_VIRT)
		__asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(v));
	else
		__asm__ volatile("mrs %0, cntp_cval_el0" : "=r"(v));
	return v;
}

static inline void arch_timer_write_cval(enum arch_timer t, uint64_t cval)
{
	if (t == ARCH_TIMER_VIRT)
		__asm__ volatile("msr cntv_cval_el0, %0\n\tisb" : : "r"(cval) : "memory");
	else
		__asm__ volatile("msr cntp_cval_el0, %0\n\tisb" : : "r"(cval) : "memory");
}

static inline int32_t arch_timer_read_tval(enum arch_timer t)
{
	uint64_t v;

	if (t == ARCH_TIMER_VIRT)
		__asm__ volatile("mrs %0, cntv_tval_el0" : "=r"(v));
	else
		__asm__ volatile("mrs %0, cntp_tval_el0" : "=r"(v));
	return (int32_t)v;
}

static inline void arch_timer_write_tval(enum arch_timer t, int32_t tval)
{
	uint64_t v = (uint64_t)(int64_t)tval;

	if (t == ARCH_TIMER_VIRT)
		__asm__ volatile("msr cntv_tval_el0, %0\n\tisb" : : "r"(v) : "memory");
	else
		__asm__ volatile("msr cntp_tval_el0, %0\n\tisb" : : "r"(v) : "memory");
}

/* Ticks of the counter in <us> microseconds. */
static inline uint64_t arch_timer_us_to_ticks(uint64_t us)
{
	return us * arch_timer_frequency() / 1000000u;
}

/* Interrupt at counter value <cval>: CVAL, then CTL = ENABLE (IMASK clear). */
void arch_timer_set_deadline(enum arch_timer t, uint64_t cval);
/* Interrupt <ticks> from now: TVAL = ticks, then CTL = ENABLE. */
void arch_timer_set_timeout(enum arch_timer t, int32_t ticks);
/* CTL = 0: no interrupt. */
void arch_timer_stop(enum arch_timer t);

/* The timer's interrupt line and trigger type from the first enabled "arm,armv8-timer" node
 * (see above); irq_init() must have run. 0 or a negative errno. */
int arch_timer_dt_irq(const struct fdt *fdt, enum arch_timer t, unsigned *line, unsigned *type);

const char *arch_timer_name(enum arch_timer t);

#endif
