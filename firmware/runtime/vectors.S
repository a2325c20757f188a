/*
 * EL1 exception vectors: VBAR_EL1 table (2 KiB aligned, 16 entries of 0x80 bytes). Every entry
 * saves the full frame (struct exception_frame, runtime/exception.h) on the current EL1 stack,
 * calls exception_dispatch(frame, kind) and restores the frame (which the C handler may have
 * changed: ELR to skip an instruction, SPSR to change mode, x0 to return a value) before ERET.
 *
 * el0_call / el0_return: run a function at EL0t and come back to EL1h when it returns (its
 * return lands on an SVC with EL0_RETURN_SVC_IMM; exception_dispatch resumes el0_resume).
 */

#define FRAME_SIZE	816
#define OFF_SP_EL0	248
#define OFF_ELR		256
#define OFF_SPSR	264
#define OFF_ESR		272
#define OFF_FAR		280
#define OFF_Q		288
#define OFF_FPSR	800
#define OFF_FPCR	808
#define EL0_RETURN_SVC_IMM 0xffff

	.macro ventry kind
	.balign 0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	exception_entry
	.endm

	.section .text.vectors, "ax"
	.balign 0x800
	.global exception_vectors
exception_vectors:
	ventry 0
	ventry 1
	ventry 2
	ventry 3
	ventry 4
	ventry 5
	ventry 6
	ventry 7
	ventry 8
	ventry 9
	ventry 10
	ventry 11
	ventry 12
	ventry 13
	ventry 14
	ventry 15

	.text
	.balign 4
	.type exception_entry, %function
exception_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, sp_el0
	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #OFF_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #OFF_ESR]
	add	x2, sp, #OFF_Q
	stp	q0, q1, [x2, #0]
	stp	q2, q3, [x2, #32]
	stp	q4, q5, [x2, #64]
	stp	q6, q7, [x2, #96]
	stp	q8, q9, [x2, #128]
	stp	q10, q11, [x2, #160]
	stp	q12, q13, [x2, #192]
	stp	q14, q15, [x2, #224]
	stp	q16, q17, [x2, #256]
	stp	q18, q19, [x2, #288]
	stp	q20, q21, [x2, #320]
	stp	q22, q23, [x2, #352]
	stp	q24, q25, [x2, #384]
	stp	q26, q27, [x2, #416]
	stp	q28, q29, [x2, #448]
	stp	q30, q31, [x2, #480]
	mrs	x3, fpsr
	mrs	x4, fpcr
	add	x2, sp, #OFF_FPSR
	stp	x3, x4, [x2]

	mov	x29, #0			/* end of the frame-pointer chain for debuggers */
	mov	x0, sp
	bl	exception_dispatch

	add	x2, sp, #OFF_FPSR
	ldp	x3, x4, [x2]
	msr	fpsr, x3
	msr	fpcr, x4
	add	x2, sp, #OFF_Q
	ldp	q0, q1, [x2, #0]
	ldp	q2, q3, [x2, #32]
	ldp	q4, q5, [x2, #64]
	ldp	q6, q7, [x2, #96]
	ldp	q8, q9, [x2, #128]
	ldp	q10, q11, [x2, #160]
	ldp	q12, q13, [x2, #192]
	ldp	q14, q15, [x2, #224]
	ldp	q16, q17, [x2, #256]
	ldp	q18, q19, [x2, #288]
	ldp	q20, q21, [x2, #320]
	ldp	q22, q23, [x2, #352]
	ldp	q24, q25, [x2, #384]
	ldp	q26, q27, [x2, #416]
	ldp	q28, q29, [x2, #448]
	ldp	q30, q31, [x2, #480]
	ldp	x2, x3, [sp, #OFF_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x30, x2, [sp, #240]
	msr	sp_el0, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret
	.size exception_entry, . - exception_entry

/* uint64_t el0_call(uint64_t (*fn)(uint64_t), uint64_t arg, void *stack_top) */
	.global el0_call
	.type el0_call, %function
el0_call:
	stp	x29, x30, [sp, #-96]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	msr	sp_el0, x2
	msr	elr_el1, x0
	mrs	x3, daif		/* EL0t (M = 0) with the caller's DAIF */
	and	x3, x3, #0x3c0
	msr	spsr_el1, x3
	mov	x0, x1
	adr	x30, el0_return
	mov	x29, #0
	isb
	eret

	/* fn returns here, at EL0: back to EL1 through the SVC handler. */
	.global el0_return
el0_return:
	svc	#EL0_RETURN_SVC_IMM
	b	el0_return

	/* exception_dispatch ERETs here, at EL1h on el0_call's stack, with x0 = fn's result. */
	.global el0_resume
el0_resume:
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
	.size el0_call, . - el0_call
