/*
 * smp_boot: the boot core starts the second core of the DT through PSCI and both work together:
 *
 *   1. AFFINITY_INFO(cpu 1) is OFF; CPU_ON(cpu 1, smp_secondary_entry, &start) is SUCCESS; the
 *      secondary runs on its own stack and reports x0 (= &start, the context id), its MPIDR
 *      (Aff0 = the DT reg) and its EL; a second CPU_ON is ALREADY_ON.
 *   2. Both cores add 1 N times to each of three counters: with an LDXR/STXR add, with a
 *      compare-and-swap loop (a branch between LDXR and STXR), and a plain read-modify-write
 *      under a ticket lock (fewer times): every total is exactly twice one core's.
 *   3. The secondary brings up its own (banked) GIC CPU interface and exception vectors and takes
 *      its own virtual timer's PPI once (the boot core's timer stays off): the banked registers
 *      read differently on the two cores (ITARGETSR0 = this CPU's bit, ISENABLER0 bit 27).
 *   4. The boot core waits in WFI with IRQs unmasked at the GIC; the secondary sends it SGI 1
 *      through GICD_SGIR (target list = the boot core's CPU interface): its handler runs on the
 *      boot core, and the IAR names the secondary as the sender.
 *   5. The secondary calls CPU_OFF; the boot core polls AFFINITY_INFO until it is OFF.
 *
 * Only the boot core prints (semihosting from two cores at once would interleave), and only
 * what both simulators must agree on; the secondary reports through shared memory with
 * store-release / load-acquire handshakes (DSB + SEV after each, for cores that wait in WFE).
 * Every wait on the other core is bounded by the generic counter.
 */
#include <stdio.h>

#include "arch_timer.h"
#include "check.h"
#include "cpu.h"
#include "dtb.h"
#include "gic_v2.h"
#include "irq.h"
#include "mmio.h"
#include "smp.h"
#include "timer.h"

#define N_INCREMENTS	20000u	/* per core, per atomic counter */
/* Fewer under the lock: on socsim a waiter spins until its time slice ends (WFE does not end
 * it), so once both cores queue on the ticket lock each hand-over costs a whole quantum. */
#define N_LOCKED	2000u
#define SGI_ID		1u
#define TIMER		ARCH_TIMER_VIRT
#define TICK_US		1000u		/* the secondary's timer interrupt */
#define WATCHDOG_US	1000000u	/* the boot core's WFI for the SGI: at most this long */
#define WAIT_US		1000000u	/* any handshake */
#define STACK_SIZE	16384u

static uint8_t secondary_stack[STACK_SIZE] __attribute__((aligned(16)));

/* What the secondary reports; written by it, read by the boot core after the flag. */
static struct {
	uint64_t x0, mpidr, sp;
	unsigned el;
	uint32_t itargetsr0, isenabler0;
	int64_t off_result;
	volatile uint32_t alive, counted, gic_done, off_returned;
} sec;

/* Set by the boot core. */
static struct {
	volatile uint32_t go, sgi_ready;
	uint32_t sgi_targets;
	unsigned timer_line, timer_type;
} boot;

static volatile uint64_t counter;		/* LDXR/STXR */
static volatile uint64_t cas_counter;		/* compare-and-swap loop */
static volatile uint64_t locked_counter;	/* plain read-modify-write under the lock */
static struct ticket_lock lock;

static volatile uint32_t timer_irqs[2];		/* per core (MPIDR Aff0) */
static volatile uint32_t sgi_taken, sgi_cpu, sgi_iar;

static struct gic_v2 *gic;

static enum irqreturn on_timer(unsigned line, void *arg)
{
	(void)line;
	(void)arg;
	if (!(arch_timer_read_ctl(TIMER) & ARCH_TIMER_CTL_ISTATUS))
		return IRQ_NONE;
	arch_timer_stop(TIMER);
	timer_irqs[MPIDR_AFF0(cpu_mpidr()) & 1]++;
	return IRQ_HANDLED;
}

static enum irqreturn on_sgi(unsigned line, void *arg)
{
	(void)line;
	(void)arg;
	sgi_cpu = MPIDR_AFF0(cpu_mpidr());
	sgi_iar = gic_v2_current_iar();
	store_release_u32(&sgi_taken, 1);
	return IRQ_HANDLED;
}

static void signal_flag(volatile uint32_t *flag)
{
	store_release_u32(flag, 1);
	dsb_sev();
}

static int wait_flag(volatile uint32_t *flag, uint64_t us)
{
	uint64_t deadline = timer_deadline_us(us);

	while (!load_acquire_u32(flag))
		if (timer_expired(deadline))
			return load_acquire_u32(flag) != 0;
	return 1;
}

static void count(void)
{
	for (unsigned i = 0; i < N_INCREMENTS; i++)
		atomic_add_u64(&counter, 1);
	for (unsigned i = 0; i < N_INCREMENTS; i++) {
		uint64_t old, seen = cas_counter;
		do
			old = seen;
		while ((seen = atomic_cmpxchg_u64(&cas_counter, old, old + 1)) != old);
	}
	for (unsigned i = 0; i < N_LOCKED; i++) {
		ticket_lock(&lock);
		locked_counter = locked_counter + 1;
		ticket_unlock(&lock);
	}
}

/* The secondary core, from smp_secondary_entry: x0 = the CPU_ON context. */
static void secondary_main(struct smp_start *start)
{
	uint64_t sp;

	__asm__ volatile("mov %0, sp" : "=r"(sp));
	sec.x0 = (uint64_t)(uintptr_t)start;
	sec.mpidr = cpu_mpidr();
	sec.sp = sp;
	sec.el = current_el();
	signal_flag(&sec.alive);

	while (!load_acquire_u32(&boot.go))
		;
	count();
	signal_flag(&sec.counted);

	/* Its own vectors (VBAR_EL1 is per core) and GIC CPU interface; its own timer's PPI. */
	exception_init();
	gic_v2_secondary_init(gic);
	irq_set_type(boot.timer_line, boot.timer_type);
	irq_enable(boot.timer_line);
	sec.itargetsr0 = read32(gic->dist + GICD_ITARGETSR(0));
	sec.isenabler0 = read32(gic->dist + GICD_ISENABLER(0));
	arch_timer_set_deadline(TIMER, arch_timer_count(TIMER) + arch_timer_us_to_ticks(TICK_US));
	local_irq_disable();
	while (!timer_irqs[1])
		wait_for_interrupt();
	irq_disable(boot.timer_line);
	signal_flag(&sec.gic_done);

	/* SGI to the boot core once it waits for it, then power off. */
	while (!load_acquire_u32(&boot.sgi_ready))
		;
	gic_v2_send_sgi(gic, boot.sgi_targets, SGI_ID);
	sec.off_result = psci_cpu_off();
	signal_flag(&sec.off_returned);	/* CPU_OFF failed */
}

static const char *psci_name(int64_t r)
{
	switch (r) {
	case PSCI_SUCCESS: return "SUCCESS";
	case PSCI_NOT_SUPPORTED: return "NOT_SUPPORTED";
	case PSCI_INVALID_PARAMETERS: return "INVALID_PARAMETERS";
	case PSCI_DENIED: return "DENIED";
	case PSCI_ALREADY_ON: return "ALREADY_ON";
	case PSCI_ON_PENDING: return "ON_PENDING";
	default: return "?";
	}
}

static const char *affinity_name(int64_t r)
{
	switch (r) {
	case PSCI_AFFINITY_ON: return "ON";
	case PSCI_AFFINITY_OFF: return "OFF";
	case PSCI_AFFINITY_ON_PENDING: return "ON_PENDING";
	default: return psci_name(r);
	}
}

int main(void)
{
	struct fdt fdt;
	uint64_t mpidr[8];
	int err;

	if (dtb_open(&fdt) || psci_init(&fdt) || irq_init(&fdt))
		return 1;
	unsigned n_cpus = smp_dt_cpus(&fdt, mpidr, 8);
	uint64_t self = cpu_mpidr() & MPIDR_AFFINITY_MASK, target = 0;
	unsigned found = 0;
	for (unsigned i = 0; i < n_cpus; i++)
		if (mpidr[i] != self && !found++)
			target = mpidr[i];
	if (!check(found > 0, "a second cpu in the DT"))
		return 1;
	printf("smp_boot: %u cpus in the DT; cpu 0x%llx starts cpu 0x%llx\n", n_cpus,
	       (unsigned long long)self, (unsigned long long)target);
	gic = gic_v2_get();
	if (!check(gic != NULL, "a GICv2"))
		return 1;
	if ((err = arch_timer_dt_irq(&fdt, TIMER, &boot.timer_line, &boot.timer_type))) {
		printf("FAIL: no interrupt for the %s timer in the DT (%d)\n", arch_timer_name(TIMER), err);
		return 1;
	}
	check(irq_request(boot.timer_line, on_timer, NULL) == 0, "request the timer line");
	check(irq_request(SGI_ID, on_sgi, NULL) == 0 && irq_enable(SGI_ID) == 0, "request the SGI");
	boot.sgi_targets = gic->cpumask;

	/* 1. Power on. */
	int64_t r = psci_affinity_info(target);
	printf("smp_boot: AFFINITY_INFO before CPU_ON: %s\n", affinity_name(r));
	check(r == PSCI_AFFINITY_OFF, "the secondary is off before CPU_ON");

	static struct smp_start start;
	start.stack_top = (uint64_t)(uintptr_t)(secondary_stack + STACK_SIZE);
	start.fn = secondary_main;
	start.arg = NULL;
	smp_mb();	/* the context is in memory before the other core can read it */
	r = psci_cpu_on(target, (uint64_t)(uintptr_t)smp_secondary_entry, (uint64_t)(uintptr_t)&start);
	printf("smp_boot: CPU_ON: %s\n", psci_name(r));
	if (!check(r == PSCI_SUCCESS, "CPU_ON succeeds"))
		return 1;
	if (!check(wait_flag(&sec.alive, WAIT_US), "the secondary runs"))
		return 1;
	int x0_ok = sec.x0 == (uint64_t)(uintptr_t)&start;
	int stack_ok = sec.sp > (uint64_t)(uintptr_t)secondary_stack &&
		       sec.sp <= (uint64_t)(uintptr_t)(secondary_stack + STACK_SIZE);
	printf("smp_boot: secondary up: x0 %s the context, MPIDR Aff0 %u, EL%u, %s\n",
	       x0_ok ? "=" : "!=", MPIDR_AFF0(sec.mpidr), sec.el, stack_ok ? "on its own stack" : "on a wrong stack");
	check(x0_ok, "x0 = the CPU_ON context id");
	check((sec.mpidr & MPIDR_AFFINITY_MASK) == target, "the secondary's MPIDR is the DT reg");
	check(sec.el == 1, "the secondary runs at EL1");
	check(stack_ok, "the secondary's stack");
	r = psci_cpu_on(target, (uint64_t)(uintptr_t)smp_secondary_entry, (uint64_t)(uintptr_t)&start);
	printf("smp_boot: CPU_ON again: %s\n", psci_name(r));
	check(r == PSCI_ALREADY_ON, "a second CPU_ON is ALREADY_ON");
	r = psci_affinity_info(target);
	printf("smp_boot: AFFINITY_INFO while it runs: %s\n", affinity_name(r));
	check(r == PSCI_AFFINITY_ON, "the secondary is on");

	/* 2. One counter, two cores. */
	signal_flag(&boot.go);
	count();
	check(wait_flag(&sec.counted, WAIT_US), "the secondary counted");
	uint64_t total = load_acquire_u64(&counter), locked_total = load_acquire_u64(&locked_counter);
	uint64_t cas_total = load_acquire_u64(&cas_counter);
	printf("smp_boot: LDXR/STXR counter: 2 x %u increments = %llu\n", N_INCREMENTS, (unsigned long long)total);
	printf("smp_boot: compare-and-swap counter: 2 x %u increments = %llu\n", N_INCREMENTS,
	       (unsigned long long)cas_total);
	printf("smp_boot: ticket lock counter: 2 x %u increments = %llu\n", N_LOCKED,
	       (unsigned long long)locked_total);
	check(total == 2ull * N_INCREMENTS, "LDXR/STXR counter total");
	check(cas_total == 2ull * N_INCREMENTS, "compare-and-swap counter total");
	check(locked_total == 2ull * N_LOCKED, "ticket lock counter total");
	check(lock.half.owner == lock.half.next && lock.half.next == (uint16_t)(2 * N_LOCKED),
	      "ticket lock released, every ticket served");

	/* 3. The secondary's GIC CPU interface and timer. */
	if (!check(wait_flag(&sec.gic_done, WAIT_US), "the secondary took its timer interrupt"))
		return 1;
	uint32_t itargetsr0 = read32(gic->dist + GICD_ITARGETSR(0));
	uint32_t isenabler0 = read32(gic->dist + GICD_ISENABLER(0));
	uint32_t ppi_bit = 1u << boot.timer_line;
	printf("smp_boot: banked GICD_ITARGETSR0: 0x%08lx on cpu 0, 0x%08lx on cpu 1\n",
	       (unsigned long)itargetsr0, (unsigned long)sec.itargetsr0);
	printf("smp_boot: timer PPI %u enabled on cpu 1 only: %s; taken %u times on cpu 1, %u on cpu 0\n",
	       boot.timer_line, (sec.isenabler0 & ppi_bit) && !(isenabler0 & ppi_bit) ? "yes" : "no",
	       (unsigned)timer_irqs[1], (unsigned)timer_irqs[0]);
	check(itargetsr0 == 0x01010101u && sec.itargetsr0 == 0x02020202u, "banked ITARGETSR0");
	check((sec.isenabler0 & ppi_bit) && !(isenabler0 & ppi_bit), "banked ISENABLER0");
	check(timer_irqs[1] == 1 && timer_irqs[0] == 0, "the secondary's timer interrupt, on the secondary");

	/* 4. SGI from the secondary; the boot core waits in WFI, its own timer as a watchdog. */
	irq_enable(boot.timer_line);
	arch_timer_set_deadline(TIMER, arch_timer_count(TIMER) + arch_timer_us_to_ticks(WATCHDOG_US));
	local_irq_disable();
	signal_flag(&boot.sgi_ready);
	while (!load_acquire_u32(&sgi_taken) && !timer_irqs[0])
		wait_for_interrupt();
	arch_timer_stop(TIMER);
	irq_disable(boot.timer_line);
	printf("smp_boot: SGI %u to target list 0x%lx: %s on cpu %u, sender cpu %u (IAR)\n", SGI_ID,
	       (unsigned long)boot.sgi_targets, sgi_taken ? "taken" : "NOT taken", (unsigned)sgi_cpu,
	       (unsigned)GICC_IAR_CPUID(sgi_iar));
	check(sgi_taken && sgi_cpu == 0, "the SGI is taken on the boot core");
	check(GICC_IAR_INTID(sgi_iar) == SGI_ID && GICC_IAR_CPUID(sgi_iar) == MPIDR_AFF0(target),
	      "IAR: the SGI's id and its sender");
	check(irq_count(SGI_ID) == 1, "one SGI");

	/* 5. CPU_OFF. */
	uint64_t deadline = timer_deadline_us(WAIT_US);
	do
		r = psci_affinity_info(target);
	while (r != PSCI_AFFINITY_OFF && !timer_expired(deadline));
	printf("smp_boot: AFFINITY_INFO after CPU_OFF: %s\n", affinity_name(r));
	check(r == PSCI_AFFINITY_OFF, "the secondary is off after CPU_OFF");
	if (load_acquire_u32(&sec.off_returned))
		printf("FAIL: CPU_OFF returned %lld\n", (long long)sec.off_result);
	check(!sec.off_returned, "CPU_OFF does not return");
	check(irq_spurious_count() == 0, "no spurious interrupt");

	printf("smp_boot: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
