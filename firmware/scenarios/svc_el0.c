/*
 * svc_el0: the firmware drops to EL0 (el0_call: ERET to EL0t with its own SP_EL0 stack), the EL0
 * code makes two SVCs and returns; each SVC is taken to EL1 through the vectors' "lower EL,
 * AArch64, synchronous" entry and handled by the EC_SVC64 handler, which checks the syndrome
 * (ESR_EL1.EC = 0x15, IL = 1, ISS = the immediate), that ELR_EL1 is the instruction after the
 * SVC, that SPSR_EL1.M says EL0t and that it runs at EL1, and returns a value in x0. The EL0
 * code's return comes back to EL1 as el0_call's result.
 */
#include <stdio.h>

#include "check.h"
#include "cpu.h"
#include "exception.h"

#define SVC_DOUBLE	0x42	/* x0 = 2 * x0 */
#define SVC_ADD		0x43	/* x0 = x0 + 0x1000 */
#define SVC_INSN(imm)	(0xd4000001u | (uint32_t)(imm) << 5)

static uint8_t el0_stack[8192] __attribute__((aligned(16)));

struct svc_record {
	uint64_t esr, elr, spsr, sp_el0;
	unsigned el;
	uint32_t insn;	/* the instruction before ELR */
};
static struct svc_record rec[4];
static volatile unsigned n_svc;

/* Runs at EL0: no semihosting (QEMU refuses it from EL0), only SVCs. */
static uint64_t el0_main(uint64_t arg)
{
	register uint64_t x0 __asm__("x0") = arg;

	__asm__ volatile("svc %1" : "+r"(x0) : "i"(SVC_DOUBLE) : "memory");
	__asm__ volatile("svc %1" : "+r"(x0) : "i"(SVC_ADD) : "memory");
	return x0 + 1;
}

static int on_svc(struct exception_frame *f)
{
	if (exception_from_el(f) != 0 || n_svc == sizeof(rec) / sizeof(rec[0]))
		return 1;	/* not from EL0: unhandled */
	rec[n_svc++] = (struct svc_record){
		.esr = f->esr, .elr = f->elr, .spsr = f->spsr, .sp_el0 = f->sp_el0, .el = current_el(),
		.insn = *(const volatile uint32_t *)(uintptr_t)(f->elr - 4),
	};
	switch (ESR_IMM16(f->esr)) {
	case SVC_DOUBLE:
		f->x[0] *= 2;
		return 0;
	case SVC_ADD:
		f->x[0] += 0x1000;
		return 0;
	default:
		return 1;
	}
}

static void check_svc(unsigned i, unsigned imm)
{
	const struct svc_record *r = &rec[i];
	uintptr_t lo = (uintptr_t)el0_stack, hi = lo + sizeof(el0_stack);

	printf("svc #0x%x: ESR 0x%08llx (EC 0x%02x, IL %u, imm 0x%x), from EL%llu, handled at EL%u, "
	       "ELR after the SVC: %s\n", imm, (unsigned long long)r->esr, ESR_EC(r->esr),
	       (r->esr & ESR_IL) ? 1u : 0u, ESR_IMM16(r->esr), (unsigned long long)((r->spsr >> 2) & 3),
	       r->el, r->insn == SVC_INSN(imm) ? "yes" : "no");
	check(ESR_EC(r->esr) == EC_SVC64, "ESR.EC = SVC64");
	check((r->esr & ESR_IL) != 0, "ESR.IL = 1 (32-bit instruction)");
	check(ESR_IMM16(r->esr) == imm, "ESR.ISS = the SVC immediate");
	check((r->spsr & SPSR_MODE_MASK) == SPSR_EL0T, "SPSR.M = EL0t");
	check(r->el == 1, "the handler runs at EL1");
	check(r->insn == SVC_INSN(imm), "ELR is the instruction after the SVC");
	check(r->sp_el0 > lo && r->sp_el0 <= hi, "SP_EL0 in the EL0 stack");
}

int main(void)
{
	printf("svc_el0: EL1 -> EL0, two SVCs back to EL1, return to EL1\n");
	exception_init();
	exception_set_handler(EC_SVC64, on_svc);

	uint64_t arg = 0x21;
	uint64_t ret = el0_call(el0_main, arg, el0_stack + sizeof(el0_stack));

	printf("el0_call returned 0x%llx at EL%u, after %u SVCs\n", (unsigned long long)ret, current_el(), n_svc);
	check(n_svc == 2, "two SVCs taken");
	if (n_svc == 2) {
		check_svc(0, SVC_DOUBLE);
		check_svc(1, SVC_ADD);
	}
	check(ret == arg * 2 + 0x1000 + 1, "EL0 got the handlers' results and returned its own");
	check(current_el() == 1, "back at EL1");
	printf("svc_el0: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
