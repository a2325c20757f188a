/*
 * Bringing up and synchronising a second core: PSCI calls (Arm DEN 0022), the secondary's entry
 * point, and the synchronisation primitives built on the exclusive monitors (LDXR/STXR) and on
 * load-acquire / store-release.
 *
 * PSCI: the conduit is the DT's /psci "method" ("hvc" on QEMU's virt and socsim's, "smc"
 * elsewhere); psci_init() reads it. CPU_ON starts a core at an entry point with x0 = a context
 * id; smp_secondary_entry (smp_entry.S) is such an entry point: its context is a struct
 * smp_start, from which it takes its stack, then calls start->fn(start) (which must not return;
 * it ends with psci_cpu_off()). The core starts as from reset (EL1h, DAIF masked, MMU off): the
 * entry enables FP/SIMD (CPACR_EL1.FPEN), which C code may use, before anything else.
 *
 * With the MMU off every data access is Device-nGnRnE. Exclusives on such memory need a global
 * exclusive monitor outside the core (Arm ARM B2.9); QEMU and socsim provide one for RAM, real
 * hardware may not: firmware that shares data between cores on hardware turns the MMU (and the
 * caches) on first, so that RAM is Normal, Inner Shareable memory.
 */
#ifndef SMP_H
#define SMP_H

#include <stdint.h>

#include "fdt.h"

/* Function ids (SMC64 forms where the arguments are addresses) and return codes. */
#define PSCI_0_2_FN_CPU_OFF		0x84000002u
#define PSCI_0_2_FN64_CPU_ON		0xc4000003u
#define PSCI_0_2_FN64_AFFINITY_INFO	0xc4000004u
#define PSCI_SUCCESS			0
#define PSCI_NOT_SUPPORTED		(-1)
#define PSCI_INVALID_PARAMETERS		(-2)
#define PSCI_DENIED			(-3)
#define PSCI_ALREADY_ON			(-4)
#define PSCI_ON_PENDING			(-5)
#define PSCI_AFFINITY_ON		0
#define PSCI_AFFINITY_OFF		1
#define PSCI_AFFINITY_ON_PENDING	2

/* Read /psci's method: 0, or a negative errno after a message. */
int psci_init(const struct fdt *fdt);
int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

static inline int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	return psci_call(PSCI_0_2_FN64_CPU_ON, mpidr, entry, context);
}

/* Level 0: the core itself. ON, OFF, ON_PENDING or an error. */
static inline int64_t psci_affinity_info(uint64_t mpidr)
{
	return psci_call(PSCI_0_2_FN64_AFFINITY_INFO, mpidr, 0, 0);
}

/* Does not return on success: the core powers off. Returns the error otherwise. */
static inline int64_t psci_cpu_off(void)
{
	return psci_call(PSCI_0_2_FN_CPU_OFF, 0, 0, 0);
}

/* The context a secondary core starts with (x0 = its address). Layout shared with smp_entry.S. */
struct smp_start {
	uint64_t stack_top;			/* 16-byte aligned */
	void (*fn)(struct smp_start *start);	/* called on the new stack; must not return */
	void *arg;
};

/* The CPU_ON entry point for a struct smp_start context. */
void smp_secondary_entry(void);

/* The MPIDRs of the DT's /cpus/cpu@* nodes (their reg), in DT order: how many (at most max). */
unsigned smp_dt_cpus(const struct fdt *fdt, uint64_t *mpidr, unsigned max);

/* Barriers and events. */
static inline void smp_mb(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}

static inline void dsb_sev(void)
{
	__asm__ volatile("dsb ish\n\tsev" ::: "memory");
}

/* Acquire / release accesses to flags and counters shared between cores. */
static inline uint32_t load_acquire_u32(const volatile uint32_t *p)
{
	uint32_t v;

	__asm__ volatile("ldar %w0, %1" : "=r"(v) : "Q"(*p) : "memory");
	return v;
}

static inline void store_release_u32(volatile uint32_t *p, uint32_t v)
{
	__asm__ volatile("stlr %w1, %0" : "=Q"(*p) : "r"(v) : "memory");
}

static inline uint64_t load_acquire_u64(const volatile uint64_t *p)
{
	uint64_t v;

	__asm__ volatile("ldar %0, %1" : "=r"(v) : "Q"(*p) : "memory");
	return v;
}

static inline void store_release_u64(volatile uint64_t *p, uint64_t v)
{
	__asm__ volatile("stlr %1, %0" : "=Q"(*p) : "r"(v) : "memory");
}

/* *p += v with LDXR/STXR (relaxed); the number of store-exclusives that failed and were retried. */
static inline unsigned atomic_add_u64(volatile uint64_t *p, uint64_t v)
{
	uint64_t tmp;
	uint32_t failed;
	unsigned retries = 0;

	for (;;) {
		__asm__ volatile("ldxr %0, %2\n\t"
				 "add %0, %0, %3\n\t"
				 "stxr %w1, %0, %2"
				 : "=&r"(tmp), "=&r"(failed), "+Q"(*p) : "r"(v) : "memory");
		if (!failed)
			return retries;
		retries++;
	}
}

/*
 * Compare and swap (Linux arm64's LL/SC __cmpxchg_case_mb_64): if *p == old, store new; returns
 * what *p held. The conditional branch between LDXR and STXR is what makes it different from
 * atomic_add_u64 for a simulator: it ends a translated block, so another core may run between
 * the load-exclusive and the store-exclusive, whose monitor must then fail the store.
 */
static inline uint64_t atomic_cmpxchg_u64(volatile uint64_t *p, uint64_t old, uint64_t new)
{
	uint64_t seen;
	uint32_t failed;

	__asm__ volatile("1:	ldxr %0, %2\n\t"
			 "cmp %0, %3\n\t"
			 "b.ne 2f\n\t"
			 "stlxr %w1, %4, %2\n\t"
			 "cbnz %w1, 1b\n\t"
			 "dmb ish\n"
			 "2:"
			 : "=&r"(seen), "=&r"(failed), "+Q"(*p) : "r"(old), "r"(new) : "cc", "memory");
	return seen;
}

/*
 * Ticket lock (Linux arm64's before qspinlock): the high half of the word is the next ticket,
 * the low half the ticket being served. Taking a ticket is an LDAXR/STXR fetch-and-add of the
 * high half; the owner waits with load-acquires until it is served; unlock is a store-release
 * of owner + 1. FIFO, so neither core can starve the other.
 */
struct ticket_lock {
	union {
		volatile uint32_t word;
		struct {
			volatile uint16_t owner;	/* little-endian: the low half */
			volatile uint16_t next;
		} half;
	};
};

static inline void ticket_lock(struct ticket_lock *l)
{
	uint32_t old, new, failed;

	__asm__ volatile("1:	ldaxr %w0, %3\n\t"
			 "add %w1, %w0, #0x10000\n\t"
			 "stxr %w2, %w1, %3\n\t"
			 "cbnz %w2, 1b"
			 : "=&r"(old), "=&r"(new), "=&r"(failed), "+Q"(l->word) : : "memory");
	uint32_t ticket = old >> 16;
	while ((load_acquire_u32(&l->word) & 0xffffu) != ticket)
		;
}

/* Only the owner writes the owner half: a halfword store-release, which leaves the next-ticket
 * half (and a ticket another core is taking with its exclusive pair) alone. */
static inline void ticket_unlock(struct ticket_lock *l)
{
	uint16_t next = (uint16_t)(l->half.owner + 1u);

	__asm__ volatile("stlrh %w1, %0" : "=Q"(l->half.owner) : "r"(next) : "memory");
}

#endif
