/*
 * smmu_evtq_irq: an SMMUv3 translation fault reported through the event queue's interrupt.
 * The edu (bring-up of smmu_edu) writes to an allocated but unmapped IOVA; the SMMU records
 * F_TRANSLATION events and signals its "eventq" interrupt (QEMU virt: SPI 74, edge, INTID 106,
 * from the DT's interrupt-names). The handler drains the queue as Linux's arm_smmu_evtq_thread
 * does: read records until the queue is empty (acknowledging an overflow by copying OVFLG), then
 * returns; the main loop idles in WFI until the handler has seen an event. Checked: the handler
 * read every record (none left for the main loop), the first is F_TRANSLATION with the edu's
 * stream, the IOVA and "write", and every other one agrees with it; no global error.
 */
#include <stdio.h>

#include "dtb.h"
#include "irq.h"
#include "pages.h"
#include "smmu_edu.h"

#define LEN 64u

static struct smmu_edu s;
static struct fdt fdt;

static struct {
	volatile unsigned irqs, events;
	struct smmu_event first;
	int consistent;
	uint64_t lo, hi;	/* the IOVA range the events must name */
} evtq = {.consistent = 1};
static volatile unsigned gerror_irqs;

static enum irqreturn evtq_irq(unsigned line, void *arg)
{
	struct smmu_event ev;
	(void)line;
	(void)arg;

	evtq.irqs++;
	while (smmu_event_read(&s.smmu, &ev) == 1) {
		if (evtq.events++ == 0)
			evtq.first = ev;
		else if (ev.type != evtq.first.type || ev.sid != evtq.first.sid || ev.rnw != evtq.first.rnw)
			evtq.consistent = 0;
		if (ev.input_addr < evtq.lo || ev.input_addr > evtq.hi)
			evtq.consistent = 0;
	}
	return IRQ_HANDLED;
}

static enum irqreturn gerror_irq(unsigned line, void *arg)
{
	(void)line;
	(void)arg;
	gerror_irqs++;
	smmu_gerror_ack(&s.smmu);
	return IRQ_HANDLED;
}

static int request(int node, const char *name, irq_handler_fn fn, unsigned *line)
{
	unsigned type;
	int err = irq_of_get_byname(&fdt, node, name, line, &type);

	if (!err)
		err = irq_set_type(*line, type);
	if (!err)
		err = irq_request(*line, fn, NULL);
	if (!err)
		err = irq_enable(*line);
	if (err)
		printf("FAIL: SMMU interrupt \"%s\": error %d\n", name, err);
	else
		printf("smmu: \"%s\" interrupt on line %u, %s\n", name, *line,
		       type == IRQ_TYPE_EDGE_RISING ? "edge" : "level");
	return err;
}

int main(void)
{
	uint32_t phandle, sid;
	unsigned evtq_line, gerror_line;
	uint64_t iova;

	printf("smmu_evtq_irq: a translation fault drained from the event queue's interrupt\n");
	if (dtb_open(&fdt) || irq_init(&fdt))
		return 1;
	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	int node = pci_map_rid(&s.pci, pci_rid(s.pdev), &phandle, &sid) ? -1 : fdt_find_phandle(&fdt, phandle);
	if (node < 0 || request(node, "eventq", evtq_irq, &evtq_line) ||
	    request(node, "gerror", gerror_irq, &gerror_line))
		return 1;
	if (!check(smmu_irq_enable(&s.smmu, SMMU_IRQ_CTRL_EVTQ_IRQEN | SMMU_IRQ_CTRL_GERROR_IRQEN) == 0,
		   "IRQ_CTRL"))
		return 1;

	if (!check(iova_alloc(&s.iovad, PAGE_SIZE, s.dma.dma_mask, &iova) == 0, "alloc"))
		return 1;
	evtq.lo = iova;
	evtq.hi = iova + LEN - 1;
	printf("fault: iova 0x%08llx allocated, not mapped; the edu writes %u bytes there\n",
	       (unsigned long long)iova, LEN);

	local_irq_enable();
	check(edu_to_ram(&s, iova, LEN) == 0, "dma completes");
	local_irq_disable();
	while (evtq.events == 0)
		wait_for_interrupt();
	local_irq_enable();

	struct smmu_event ev;
	int left = smmu_event_read(&s.smmu, &ev);
	event_print("eventq irq", (const struct smmu_event *)&evtq.first);
	check(evtq.irqs > 0 && irq_count(evtq_line) > 0, "the eventq interrupt was taken");
	check(left == 0, "the handler drained the queue");
	check(evtq.consistent, "all events agree with the first");
	check(evtq.first.type == SMMU_EVT_F_TRANSLATION, "event type F_TRANSLATION");
	check(evtq.first.sid == s.sid, "event stream id");
	check(evtq.first.input_addr == iova, "event input address");
	check(evtq.first.rnw == 0, "event direction: write");
	check(gerror_irqs == 0 && irq_spurious_count() == 0, "no global error, no spurious interrupt");
	printf("eventq irq: every record read in the handler, queue empty afterwards: %s\n",
	       left == 0 ? "yes" : "no");
	iova_free(&s.iovad, iova, PAGE_SIZE);
	printf("smmu_evtq_irq: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
