#include "smmu_edu.h"

#include <errno.h>
#include <stdio.h>

#include "dtb.h"
#include "mmu.h"
#include "pages.h"
#include "pci_resv.h"


static int find_smmu(struct smmu_edu *s, uint32_t phandle, uintptr_t *base)
{
	int node = fdt_find_phandle(&s->fdt, phandle);
	uint64_t addr, size;

	if (node < 0 || !fdt_is_compatible(&s->fdt, node, "arm,smmu-v3") ||
	    !fdt_is_enabled(&s->fdt, node)) {
		printf("setup: the edu's IOMMU is not an arm,smmu-v3\n");
		return -ENODEV;
	}
	if (fdt_get_reg(&s->fdt, node, 0, &addr, &size) || size < 0x20000) {
		printf("setup: SMMU reg must cover two 64 KiB pages\n");
		return -ENODEV;
	}
	*base = ioremap(addr, size);
	return 0;
}

int smmu_edu_setup(struct smmu_edu *s, int enable)
{
	int err;

	if ((err = dtb_open(&s->fdt))) {
		printf("setup: no DTB: %s\n", fdt_strerror(err));
		return -ENODEV;
	}
	if ((err = pci_host_init_from_dt(&s->pci, &s->fdt)) || (err = pci_enumerate(&s->pci)))
		return err;
	s->pdev = pci_find_device(&s->pci, EDU_VENDOR_ID, EDU_DEVICE_ID);
	if (!s->pdev) {
		printf("setup: no edu device (1234:11e8) on the PCI bus\n");
		return -ENODEV;
	}
	if ((err = edu_init(&s->edu, s->pdev)))
		return err;

	uint32_t phandle, max_sid = 0;
	if (pci_map_rid(&s->pci, pci_rid(s->pdev), &phandle, &s->sid)) {
		printf("setup: iommu-map has no entry for the edu\n");
		return -ENODEV;
	}
	/* Size the stream table for every function on the bus, not only the edu. */
	for (unsigned i = 0; i < s->pci.n_dev; i++) {
		uint32_t ph, sid;
		if (pci_map_rid(&s->pci, pci_rid(&s->pci.dev[i]), &ph, &sid) == 0 && ph == phandle &&
		    sid > max_sid)
			max_sid = sid;
	}
	printf("pci: edu %04x:%04x at %02x:%02x.%u, id 0x%08x, stream id 0x%x\n", s->pdev->vendor,
	       s->pdev->device, s->pdev->bus, s->pdev->devfn >> 3, s->pdev->devfn & 7,
	       (unsigned)s->edu.id, (unsigned)s->sid);

	uintptr_t base;
	if ((err = find_smmu(s, phandle, &base)) || (err = smmu_probe(&s->smmu, base, max_sid)) ||
	    (err = smmu_reset(&s->smmu)) || (err = smmu_domain_init(&s->dom, &s->smmu)))
		return err;

	/* The edu's IOVA space: the domain's 48-bit input range minus what the bridge claims. */
	struct iova_range out[PCI_MAX_WINDOWS], in[PCI_MAX_WINDOWS];
	unsigned n_out = pci_outbound_memory(&s->pci, out, PCI_MAX_WINDOWS);
	unsigned n_in = pci_inbound(&s->pci, in, PCI_MAX_WINDOWS);
	if ((err = iova_domain_init(&s->iovad, "edu", SMMU_GRANULE, 0, (1ull << SMMU_IAS_BITS) - 1)) ||
	    (err = iova_reserve_pci_windows(&s->iovad, out, n_out, in, n_in))) {
		printf("setup: IOVA space: error %d\n", err);
		return err;
	}
	s->dma = (struct dma_device){
		.name = "edu",
		.dma_mask = EDU_DMA_MASK,
		/* The end of the bridge's highest inbound window; 0 (none) without dma-ranges, as
		 * on virt. lib/dma allocates below min(dma_mask, bus_dma_limit). */
		.bus_dma_limit = pci_bus_dma_limit(in, n_in),
		.ops = &smmu_iommu_ops,
		.domain = &s->dom,
		.iovad = &s->iovad,
		/* DMA-API debugging names the edu by its IOMMU and stream (socsim only). */
		.iommu_phandle = phandle,
		.stream_id = s->sid,
	};

	if (enable) {
		if ((err = smmu_attach(&s->dom, s->sid)) || (err = smmu_enable(&s->smmu)))
			return err;
		pci_set_master(s->pdev, 1);
		printf("smmu: enabled, stream 0x%x translated by a stage-1 domain\n", (unsigned)s->sid);
	}
	return 0;
}

void events_drain(struct smmu_device *smmu)
{
	struct smmu_event ev;

	while (smmu_event_read(smmu, &ev) == 1)
		;
}

void events_collect(struct smmu_device *smmu, struct event_summary *sum, uint64_t lo, uint64_t hi)
{
	struct smmu_event ev;

	sum->count = 0;
	sum->consistent = 1;
	while (smmu_event_read(smmu, &ev) == 1) {
		if (sum->count++ == 0) {
			sum->first = ev;
		} else if (ev.type != sum->first.type || ev.sid != sum->first.sid ||
			   ev.rnw != sum->first.rnw) {
			sum->consistent = 0;
		}
		if (ev.input_addr < lo || ev.input_addr > hi)
			sum->consistent = 0;
	}
}

void event_print(const char *prefix, const struct smmu_event *ev)
{
	printf("%s: %s stream 0x%x iova 0x%08llx %s\n", prefix, smmu_event_name(ev->type),
	       (unsigned)ev->sid, (unsigned long long)ev->input_addr, ev->rnw ? "read" : "write");
}

int expect_fault(struct smmu_edu *s, const char *what, unsigned type, uint64_t iova, uint32_t len,
		 int rnw)
{
	struct event_summary sum;

	events_collect(&s->smmu, &sum, iova, iova + len - 1);
	if (!check(sum.count > 0, "an event was recorded")) {
		printf("%s: no event\n", what);
		return 0;
	}
	event_print(what, &sum.first);
	/* QEMU records one event per access the device makes, socsim may record fewer: only the
	 * first is printed, the rest must agree with it. */
	int ok = check(sum.consistent, "all events agree with the first") &
		 check(sum.first.type == type, "event type") &
		 check(sum.first.sid == s->sid, "event stream id") &
		 check(sum.first.input_addr == iova, "event input address") &
		 check(sum.first.rnw == rnw, "event direction");
	return ok;
}

int expect_no_event(struct smmu_edu *s, const char *what)
{
	struct event_summary sum;

	events_collect(&s->smmu, &sum, 0, UINT64_MAX);
	if (sum.count)
		event_print(what, &sum.first);
	return check(sum.count == 0, "no event");
}

int edu_to_device(struct smmu_edu *s, uint64_t src, uint32_t len)
{
	return edu_dma(&s->edu, EDU_RAM_TO_DEVICE, src, 0, len, EDU_DMA_TIMEOUT_US);
}

int edu_to_ram(struct smmu_edu *s, uint64_t dst, uint32_t len)
{
	return edu_dma(&s->edu, EDU_DEVICE_TO_RAM, dst, 0, len, EDU_DMA_TIMEOUT_US);
}

int edu_load_buffer(struct smmu_edu *s, uint32_t seed, uint32_t len)
{
	void *page = pages_alloc(PAGE_SIZE);
	uint64_t iova;
	int err;

	if (!page)
		return -ENOMEM;
	mem_pattern(page, PAGE_SIZE, seed);
	if ((err = dma_map_single(&s->dma, (uintptr_t)page, PAGE_SIZE, DMA_TO_DEVICE, &iova)))
		return err;
	err = edu_to_device(s, iova, len);
	int err2 = dma_unmap_single(&s->dma, iova, PAGE_SIZE);
	pages_free(page, PAGE_SIZE);
	return err ? err : err2;
}
