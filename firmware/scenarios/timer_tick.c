/*
 * timer_tick: the generic timer's virtual timer interrupts TICKS times, PERIOD_US apart; the
 * handler counts and re-arms it (CVAL += period, so the period does not drift with handler
 * latency), the main loop idles in WFI until the count is reached.
 *
 * The interrupt comes from the DT: the timer node's virtual-timer entry through the platform's
 * controller: virt and allwinner-h6: GIC PPI 11 = INTID 27 (an IRQ); apple-t8103: the AIC's
 * timer FIQ. Checked: every interrupt was taken with ISTATUS set and the counter at or past its
 * deadline, TICKS interrupts on the line and none spurious, at least TICKS periods elapsed, and
 * once stopped (CTL = 0) the timer interrupts no more.
 */
#include <stdio.h>

#include "arch_timer.h"
#include "check.h"
#include "dtb.h"
#include "irq.h"

#define TICKS		10u
#define PERIOD_US	1000u
#define TIMER		ARCH_TIMER_VIRT

static uint64_t period;
static volatile unsigned ticks, early, not_pending;

static enum irqreturn tick(unsigned line, void *arg)
{
	(void)line;
	(void)arg;
	uint32_t ctl = arch_timer_read_ctl(TIMER);
	if (!(ctl & ARCH_TIMER_CTL_ISTATUS)) {
		not_pending++;
		return IRQ_NONE;
	}
	uint64_t cval = arch_timer_read_cval(TIMER);
	if (arch_timer_count(TIMER) < cval)
		early++;
	if (++ticks < TICKS)
		arch_timer_write_cval(TIMER, cval + period);
	else
		arch_timer_stop(TIMER);
	return IRQ_HANDLED;
}

int main(void)
{
	struct fdt fdt;
	unsigned line, type;
	int err;

	printf("timer_tick: %u interrupts of the %s timer, %u us apart\n", TICKS, arch_timer_name(TIMER),
	       PERIOD_US);
	if (dtb_open(&fdt) || irq_init(&fdt))
		return 1;
	if ((err = arch_timer_dt_irq(&fdt, TIMER, &line, &type))) {
		printf("FAIL: no interrupt for the %s timer in the DT (%d)\n", arch_timer_name(TIMER), err);
		return 1;
	}
	printf("timer: %s, interrupt line %u, trigger type %u\n", irq_get_chip()->name, line, type);
	check(irq_set_type(line, type) == 0, "trigger type");
	check(irq_request(line, tick, NULL) == 0 && irq_enable(line) == 0, "request the line");

	period = arch_timer_us_to_ticks(PERIOD_US);
	uint64_t start = arch_timer_count(TIMER);
	arch_timer_set_deadline(TIMER, start + period);
	local_irq_disable();
	local_fiq_disable();
	while (ticks < TICKS)
		wait_for_interrupt();
	uint64_t elapsed = arch_timer_count(TIMER) - start;

	/* Stopped: three more periods pass (busy, interrupts open) without a tick. */
	uint64_t quiet_end = arch_timer_count(TIMER) + 3 * period;
	local_irq_enable();
	local_fiq_enable();
	while (arch_timer_count(TIMER) < quiet_end)
		;
	local_irq_disable();
	local_fiq_disable();

	check(ticks == TICKS, "tick count");
	check(irq_count(line) == TICKS, "interrupts dispatched on the line");
	check(early == 0, "no interrupt before its deadline");
	check(not_pending == 0 && irq_spurious_count() == 0, "no spurious interrupt");
	check(elapsed >= TICKS * period, "at least TICKS periods elapsed");
	check(!(arch_timer_read_ctl(TIMER) & ARCH_TIMER_CTL_ENABLE), "timer stopped");
	printf("timer_tick: %u interrupts on line %u, each at or after its deadline; %s\n", ticks, line,
	       elapsed >= TICKS * period ? "the periods elapsed" : "too fast");
	printf("timer_tick: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
