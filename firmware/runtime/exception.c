#include "exception.h"

#include <stdio.h>
#include <stdlib.h>

extern char exception_vectors[];
extern char el0_resume[];

static exception_handler_fn sync_handlers[64];
static void (*irq_entry)(struct exception_frame *f);
static void (*fiq_entry)(struct exception_frame *f);
static int reporting;	/* an unhandled exception is being reported */

void exception_init(void)
{
	__asm__ volatile("msr vbar_el1, %0\n\tisb" : : "r"(exception_vectors) : "memory");
}

exception_handler_fn exception_set_handler(unsigned ec, exception_handler_fn fn)
{
	exception_handler_fn old = sync_handlers[ec & 0x3f];

	sync_handlers[ec & 0x3f] = fn;
	return old;
}

void exception_set_irq_entry(void (*fn)(struct exception_frame *f))
{
	irq_entry = fn;
}

void exception_set_fiq_entry(void (*fn)(struct exception_frame *f))
{
	fiq_entry = fn;
}

const char *exception_class_name(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN: return "undefined instruction";
	case EC_SVC64: return "SVC";
	case EC_HVC64: return "HVC";
	case EC_SMC64: return "SMC";
	case EC_SYS64: return "trapped system register access";
	case EC_IABT_LOWER: return "instruction abort (lower EL)";
	case EC_IABT_CUR: return "instruction abort (same EL)";
	case EC_PC_ALIGN: return "PC alignment fault";
	case EC_DABT_LOWER: return "data abort (lower EL)";
	case EC_DABT_CUR: return "data abort (same EL)";
	case EC_SP_ALIGN: return "SP alignment fault";
	case EC_SERROR: return "SError";
	case EC_BRK64: return "BRK";
	default: return "other";
	}
}

static const char *const kind_names[16] = {
	"sync (EL1t)", "IRQ (EL1t)", "FIQ (EL1t)", "SError (EL1t)",
	"sync", "IRQ", "FIQ", "SError",
	"sync from EL0", "IRQ from EL0", "FIQ from EL0", "SError from EL0",
	"sync from AArch32", "IRQ from AArch32", "FIQ from AArch32", "SError from AArch32",
};

void exception_print(const struct exception_frame *f, unsigned kind)
{
	printf("exception: %s: ESR 0x%08llx (EC 0x%02x %s, ISS 0x%07lx) ELR 0x%llx FAR 0x%llx SPSR 0x%08llx\n",
	       kind_names[kind & 15], (unsigned long long)f->esr, ESR_EC(f->esr),
	       exception_class_name(ESR_EC(f->esr)), (unsigned long)ESR_ISS(f->esr),
	       (unsigned long long)f->elr, (unsigned long long)f->far, (unsigned long long)f->spsr);
}

static _Noreturn void unhandled(const struct exception_frame *f, unsigned kind)
{
	if (reporting++)	/* faulted while reporting: stop without printing */
		_Exit(EXCEPTION_EXIT_STATUS);
	printf("unhandled ");
	exception_print(f, kind);
	exit(EXCEPTION_EXIT_STATUS);
}

/* The SVC that ends an el0_call: resume el0_resume at EL1h with fn's result in x0. */
static int el0_returned(struct exception_frame *f)
{
	f->elr = (uintptr_t)el0_resume;
	f->spsr = (f->spsr & SPSR_DAIF_MASK) | SPSR_EL1H;
	return 0;
}

void exception_dispatch(struct exception_frame *f, unsigned kind)
{
	switch (kind) {
	case EXC_CUR_SPX_SYNC:
	case EXC_LOWER64_SYNC: {
		unsigned ec = ESR_EC(f->esr);
		if (kind == EXC_LOWER64_SYNC && ec == EC_SVC64 && ESR_IMM16(f->esr) == EL0_RETURN_SVC_IMM)
			return (void)el0_returned(f);
		exception_handler_fn fn = sync_handlers[ec];
		if (fn && fn(f) == 0)
			return;
		break;
	}
	case EXC_CUR_SPX_IRQ:
	case EXC_LOWER64_IRQ:
		if (irq_entry)
			return irq_entry(f);
		break;
	case EXC_CUR_SPX_FIQ:
	case EXC_LOWER64_FIQ:
		if (fiq_entry)
			return fiq_entry(f);
		break;
	default:
		break;
	}
	unhandled(f, kind);
}
