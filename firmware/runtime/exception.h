/*
 * Exception vectors and the synchronous-exception dispatch (EL1h, AArch64).
 *
 * exception_init() points VBAR_EL1 at the runtime's table (runtime/vectors.S): 16 entries, each
 * saving the whole register frame (x0-x30, SP_EL0, ELR_EL1, SPSR_EL1, ESR_EL1, FAR_EL1, q0-q31,
 * FPSR, FPCR) on the current EL1 stack and calling exception_dispatch():
 *   - synchronous: the handler registered for ESR_EL1.EC (exception_set_handler), which may
 *     change the frame (registers, ELR: exception_skip_instruction() resumes after the faulting
 *     instruction) and returns 0 when it handled the exception;
 *   - IRQ / FIQ: the interrupt controller's handler (runtime/irq.h);
 *   - anything else, or a handler returning non-zero: "unhandled exception" with ESR, ELR, FAR
 *     and SPSR on stdout, then exit(EXCEPTION_EXIT_STATUS).
 * On return the frame is restored (as changed by the handler) and the core ERETs.
 *
 * Installing the vectors is opt-in: scenarios such as `undef` and `psci` rely on there being
 * none (the simulator reports the fault itself). Call exception_init() (irq_init() does).
 *
 * EL0: el0_call() runs a function at EL0 (SP_EL0 = a stack the caller gives) and returns its
 * result when it returns; an SVC from EL0 reaches the EC_SVC64 handler like any other.
 */
#ifndef EXCEPTION_H
#define EXCEPTION_H

#include <stdint.h>

/* Exit status of a run stopped by an exception nobody handled (socsim uses 124..126). */
#define EXCEPTION_EXIT_STATUS 123

/* The saved frame; layout shared with vectors.S (offsets below). */
struct exception_frame {
	uint64_t x[31];
	uint64_t sp_el0;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
	uint64_t q[64];		/* q0-q31, low then high 64 bits */
	uint64_t fpsr, fpcr;
};

#define EXCEPTION_FRAME_SIZE 816	/* sizeof(struct exception_frame), a multiple of 16 */

/* Vector kinds: table entry index, 0..15 (ARM ARM D1.10.2 order). */
enum exception_kind {
	EXC_CUR_SP0_SYNC, EXC_CUR_SP0_IRQ, EXC_CUR_SP0_FIQ, EXC_CUR_SP0_SERROR,
	EXC_CUR_SPX_SYNC, EXC_CUR_SPX_IRQ, EXC_CUR_SPX_FIQ, EXC_CUR_SPX_SERROR,
	EXC_LOWER64_SYNC, EXC_LOWER64_IRQ, EXC_LOWER64_FIQ, EXC_LOWER64_SERROR,
	EXC_LOWER32_SYNC, EXC_LOWER32_IRQ, EXC_LOWER32_FIQ, EXC_LOWER32_SERROR,
};

/* ESR_EL1 fields and the exception classes the firmware deals with. */
#define ESR_EC(esr)		((unsigned)((esr) >> 26) & 0x3f)
#define ESR_IL			(1u << 25)
#define ESR_ISS(esr)		((uint32_t)(esr) & 0x1ffffff)
#define EC_UNKNOWN		0x00	/* undefined instruction */
#define EC_SVC64		0x15
#define EC_HVC64		0x16
#define EC_SMC64		0x17
#define EC_SYS64		0x18	/* trapped MSR/MRS/system instruction */
#define EC_IABT_LOWER		0x20
#define EC_IABT_CUR		0x21
#define EC_PC_ALIGN		0x22
#define EC_DABT_LOWER		0x24
#define EC_DABT_CUR		0x25
#define EC_SP_ALIGN		0x26
#define EC_SERROR		0x2f
#define EC_BRK64		0x3c
/* Data/instruction abort ISS. */
#define ESR_DABT_WNR		(1u << 6)	/* write */
#define ESR_ABT_FNV		(1u << 10)	/* FAR not valid */
#define ESR_ABT_EA		(1u << 9)	/* external abort type (IMPLEMENTATION DEFINED) */
#define ESR_ABT_FSC(esr)	((unsigned)(esr) & 0x3f)
#define FSC_SEA			0x10	/* synchronous external abort, not on a table walk */
#define FSC_TRANSLATION(l)	(0x04 + (l))	/* translation fault, level l */
/* SVC/HVC/SMC ISS: the immediate. */
#define ESR_IMM16(esr)		((unsigned)(esr) & 0xffff)

/* SPSR.M[3:0] */
#define SPSR_MODE_MASK		0xfu
#define SPSR_EL0T		0x0u
#define SPSR_EL1H		0x5u
#define SPSR_DAIF_MASK		0x3c0u

/* Returns 0 when handled; anything else makes the exception unhandled. */
typedef int (*exception_handler_fn)(struct exception_frame *f);

/* Point VBAR_EL1 at the runtime's vectors (idempotent). */
void exception_init(void);

/* Handler for synchronous exceptions of class <ec> (ESR_EL1.EC); NULL removes it. Returns the
 * previous one. */
exception_handler_fn exception_set_handler(unsigned ec, exception_handler_fn fn);

/* IRQ and FIQ entry points (the interrupt controller's; NULL: the exception is unhandled). */
void exception_set_irq_entry(void (*fn)(struct exception_frame *f));
void exception_set_fiq_entry(void (*fn)(struct exception_frame *f));

/* Resume after the instruction that raised <f> (ELR += 4: every A64 instruction). */
static inline void exception_skip_instruction(struct exception_frame *f)
{
	f->elr += 4;
}

/* The exception level the exception was taken from (SPSR.M[3:2]). */
static inline unsigned exception_from_el(const struct exception_frame *f)
{
	return (unsigned)(f->spsr >> 2) & 3;
}

/* A short name for an exception class ("data abort (same EL)", ...). */
const char *exception_class_name(unsigned ec);

/* Print the frame as "unhandled exception" does (kind, ESR/EC, ELR, FAR, SPSR). */
void exception_print(const struct exception_frame *f, unsigned kind);

/* Called by vectors.S; not for scenarios. */
void exception_dispatch(struct exception_frame *f, unsigned kind);

/*
 * Run fn(arg) at EL0t with SP_EL0 = <stack_top> (16-byte aligned) and the caller's DAIF, and
 * return what it returns. The MMU may be off (EL0 then has the flat, unchecked view) or on with
 * EL0-accessible mappings of the code and the stack. fn must not use semihosting (QEMU refuses it
 * from EL0): it talks to EL1 with SVC. Exceptions from EL0 go through the EL1 vectors.
 */
uint64_t el0_call(uint64_t (*fn)(uint64_t), uint64_t arg, void *stack_top);

/* The SVC immediate el0_call's return path uses; an EC_SVC64 handler never sees it. */
#define EL0_RETURN_SVC_IMM 0xffff

#endif
