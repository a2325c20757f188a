/*
 * dart_fault_irq (apple-t8103): a DART fault taken from the AIC. The DMA engine behind
 * dwc3_0_dart_0 (stream 0) writes to an IOVA that was allocated but never mapped; the DART
 * latches the error (ERROR.FLAG, stream, NO_PTE, ERROR_ADDR) and raises its interrupt, which
 * dwc3_0_dart_0 shares with dwc3_0_dart_1 (both `interrupts = <AIC_IRQ 781 level-high>`), so
 * both DARTs' handlers are registered on the one AIC line, as Linux's IRQF_SHARED handlers are.
 * Each handler does what Linux's apple_dart_irq (t8020) does: read ERROR; FLAG clear -> not
 * mine (IRQ_NONE); else read ERROR_ADDR_LO/HI, decode the stream and code, write ERROR back to
 * clear it (IRQ_HANDLED). The main loop idles in WFI until a handler has seen the fault.
 * Checked: dwc3_0_dart_0's handler saw stream 0, NO_PTE and the IOVA, dwc3_0_dart_1's said
 * IRQ_NONE, the error is cleared afterwards (the level line low: no further interrupt), the
 * buffer untouched, nothing spurious.
 */
#include <stdio.h>

#include "apple_usb.h"
#include "irq.h"
#include "pages.h"

#define LEN	0x400u
#define PATTERN	0xa5a5f00du

static struct apple_usb u0, u1;	/* usb0_dma0 behind dwc3_0_dart_0, usb0_dma1 behind dwc3_0_dart_1 */

struct dart_irq_state {
	struct apple_usb *u;
	volatile unsigned handled, not_mine;
	struct dart_error e;
};
static struct dart_irq_state st0 = {.u = &u0}, st1 = {.u = &u1};

static enum irqreturn dart_irq(unsigned line, void *arg)
{
	struct dart_irq_state *st = arg;
	struct dart_error e;
	(void)line;

	if (!dart_error_read_clear(&st->u->dart, &e)) {
		st->not_mine++;
		return IRQ_NONE;
	}
	if (st->handled++ == 0)
		st->e = e;
	return IRQ_HANDLED;
}

/* The DART node whose reg[0] is the DART's base. */
static int dart_node(const struct fdt *fdt, const struct dart *d)
{
	for (int n = fdt_find_enabled_compatible(fdt, -1, d->hw->compatible); n >= 0;
	     n = fdt_find_enabled_compatible(fdt, n, d->hw->compatible)) {
		uint64_t base, size;
		if (fdt_get_reg(fdt, n, 0, &base, &size) == 0 && base == d->base)
			return n;
	}
	return -1;
}

static int request(struct dart_irq_state *st, unsigned *line)
{
	const struct fdt *fdt = apple_usb_fdt();
	int node = dart_node(fdt, &st->u->dart);
	int err = node < 0 ? -1 : irq_of_request(fdt, node, 0, dart_irq, st, line);

	if (!err)
		err = irq_enable(*line);
	printf("%s: interrupt line %u%s\n", st->u->name, *line, err ? " NOT requested" : "");
	return err;
}

int main(void)
{
	unsigned line0 = 0, line1 = 0;
	uint64_t iova;

	printf("dart_fault_irq: a DART fault handled from its AIC interrupt (shared line)\n");
	const struct fdt *fdt = apple_usb_fdt();
	if (!fdt || irq_init(fdt) || apple_usb_setup(&u0, 0) || apple_usb_setup(&u1, 1))
		return 1;
	if (request(&st0, &line0) || request(&st1, &line1))
		return 1;
	check(line0 == line1, "the two DARTs of dwc3_0 share one line");

	void *buf = pages_alloc(DART_PAGE_SIZE);
	if (!check(buf && iova_alloc(&u0.dart.iovad, DART_PAGE_SIZE, u0.dev.dma_mask, &iova) == 0, "iova"))
		return 1;
	printf("fault: %s engine writes %u bytes to iova 0x%08llx (allocated, not mapped)\n", u0.name, LEN,
	       (unsigned long long)iova);

	local_irq_enable();
	uint32_t status = apple_usb_fill(&u0, PATTERN, iova, LEN);
	local_irq_disable();
	while (st0.handled == 0)
		wait_for_interrupt();
	local_irq_enable();

	printf("engine: %s\n", dma_engine_status_name(status));
	printf("irq: %s ERROR stream %u code %s (0x%03lx) iova 0x%016llx; %s: not mine\n", u0.name,
	       st0.e.stream, dart_error_code_name(st0.e.code), (unsigned long)st0.e.code,
	       (unsigned long long)st0.e.addr, u1.name);
	check(status == DMA_ENGINE_ST_DST_ERROR, "the engine's write failed");
	check(st0.handled >= 1, "the fault handled by dwc3_0_dart_0's handler");
	check(st0.e.stream == u0.stream && st0.e.code == DART_T8020_ERROR_NO_PTE && st0.e.addr == iova,
	      "stream, NO_PTE, IOVA");
	check(st1.handled == 0 && st1.not_mine > 0, "dwc3_0_dart_1's handler: IRQ_NONE");
	check(expect_no_dart_fault(&u0, "after the handler"), "error cleared");
	check(irq_spurious_count() == 0, "no interrupt nobody handled");
	check(fill_mismatch(buf, DART_PAGE_SIZE, 0) < 0, "buffer untouched");
	printf("dart_fault_irq: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
