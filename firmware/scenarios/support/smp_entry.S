/*
 * smp_secondary_entry: where PSCI CPU_ON starts a secondary core, with x0 = the context id, here
 * a struct smp_start (smp.h): { stack_top, fn, arg }. The core is at EL1h with DAIF masked and
 * the MMU off, its registers otherwise unknown: enable FP/SIMD (C code may use the registers),
 * take the stack, end the frame-pointer chain, call fn(start). fn ends with PSCI CPU_OFF; should
 * it return, the core stays here.
 */
#define START_STACK_TOP	0
#define START_FN	8

	.text
	.balign 4
	.global smp_secondary_entry
	.type smp_secondary_entry, %function
smp_secondary_entry:
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN = 0b11: FP/SIMD at EL1 and EL0 not trapped */
	msr	cpacr_el1, x1
	isb
	ldr	x1, [x0, #START_STACK_TOP]
	mov	sp, x1
	mov	x29, #0
	mov	x30, #0
	ldr	x2, [x0, #START_FN]
	blr	x2			/* fn(start): x0 is still the context */
1:	wfe
	b	1b
	.size smp_secondary_entry, . - smp_secondary_entry
