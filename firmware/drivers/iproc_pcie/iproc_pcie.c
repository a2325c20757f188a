/* iProc PAXB-like root complex: configuration access and inbound windows (iproc_pcie.h). */
#include "iproc_pcie.h"

#include <errno.h>
#include <stdio.h>

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

const struct iproc_ib_region iproc_ib_regions[IPROC_IB_REGIONS] = {
	{ "IARR0", 0, KiB, { 32 }, 1, 8, 0xd00, 0xc00, 0x40, 4 },
	{ "IARR1", 1, MiB, { 8 }, 1, 8, 0xd08, 0xd70, 4, 8 },
	{ "IARR2", 1, MiB, { 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384 }, 9, 1, 0xd10, 0xcc0, 4, 8 },
	{ "IARR3", 1, GiB, { 1, 2, 4, 8, 16, 32 }, 6, 8, 0xe00, 0xe08, 4, 8 },
	{ "IARR4", 1, GiB, { 32, 64, 128, 256, 512 }, 5, 8, 0xe68, 0xe70, 4, 8 },
};

enum iproc_ib_result iproc_ib_place(uint32_t in_use, uint64_t axi, uint64_t pci, uint64_t size,
				    struct iproc_ib_place *out)
{
	for (unsigned r = 0; r < IPROC_IB_REGIONS; r++) {
		const struct iproc_ib_region *ib = &iproc_ib_regions[r];

		if (!ib->memory || (in_use & (1u << r)))
			continue;
		for (unsigned i = 0; i < ib->n_sizes; i++) {
			uint64_t region_size = ib->sizes[i] * ib->size_unit;

			if (size != region_size)
				continue;
			out->region = r;
			out->size_idx = i;
			out->window_size = size / ib->n_windows;
			out->iarr_lo = (uint32_t)pci | (1u << i);
			out->iarr_hi = (uint32_t)(pci >> 32);
			/* Linux gives up here rather than trying a later region of the same size. */
			if ((axi & (size - 1)) || (pci & (size - 1)))
				return IPROC_IB_NOT_ALIGNED;
			return IPROC_IB_OK;
		}
	}
	return IPROC_IB_NO_REGION;
}

#ifndef IPROC_HOST_TEST	/* the rest touches the hardware */

#include "mmio.h"
#include "mmu.h"

uint32_t iproc_read(const struct iproc_pcie *p, uint32_t off)
{
	return read32(p->base + off);
}

void iproc_write(const struct iproc_pcie *p, uint32_t off, uint32_t v)
{
	write32(p->base + off, v);
}

/* 00:00.0 is the root complex itself, behind CFG_IND_ADDR/DATA; everything else (here: the
 * endpoints on the root bus) behind CFG_ADDR/DATA, type 1 as Linux writes it. */
static uintptr_t cfg_select(const struct iproc_pcie *p, unsigned bus, unsigned devfn, unsigned off)
{
	if (bus == 0 && devfn == 0) {
		iproc_write(p, IPROC_CFG_IND_ADDR, off & 0x1ffc);
		return p->base + IPROC_CFG_IND_DATA;
	}
	iproc_write(p, IPROC_CFG_ADDR, (uint32_t)bus << 20 | (uint32_t)devfn << 12 | (off & 0xffc) | 1u);
	return p->base + IPROC_CFG_DATA;
}

static uint32_t cfg_read(const struct pci_host *h, unsigned bus, unsigned devfn, unsigned off)
{
	return read32(cfg_select(h->cfg_priv, bus, devfn, off));
}

static void cfg_write(const struct pci_host *h, unsigned bus, unsigned devfn, unsigned off, uint32_t v)
{
	write32(cfg_select(h->cfg_priv, bus, devfn, off), v);
}

static const struct pci_cfg_ops iproc_cfg_ops = { cfg_read, cfg_write };

int iproc_pcie_init(struct iproc_pcie *p, const struct fdt *fdt)
{
	int node = fdt_find_enabled_compatible(fdt, -1, "socsim,iproc-paxb");
	uint64_t addr, size;

	if (node < 0) {
		printf("iproc: no socsim,iproc-paxb node in the device tree\n");
		return -ENODEV;
	}
	if (fdt_get_reg(fdt, node, 0, &addr, &size) || size < 0x1000) {
		printf("iproc: reg must cover the 4 KiB register block\n");
		return -EINVAL;
	}
	p->base = ioremap(addr, size);
	/* iproc_pcie_check_link: both bits, or there is nothing to talk to. */
	uint32_t link = iproc_read(p, IPROC_LINK_STATUS);
	if ((link & (IPROC_LINK_PHYLINKUP | IPROC_LINK_DL_ACTIVE)) !=
	    (IPROC_LINK_PHYLINKUP | IPROC_LINK_DL_ACTIVE)) {
		printf("iproc: link down (LINK_STATUS 0x%x)\n", (unsigned)link);
		return -EIO;
	}
	return pci_host_init_cfg(&p->host, fdt, node, &iproc_cfg_ops, p);
}

int iproc_ib_in_use(const struct iproc_pcie *p, unsigned r)
{
	const struct iproc_ib_region *ib = &iproc_ib_regions[r];

	return (iproc_read(p, ib->iarr) & ((1u << ib->n_sizes) - 1)) != 0;
}

void iproc_ib_invalidate(struct iproc_pcie *p)
{
	for (unsigned r = 0; r < IPROC_IB_REGIONS; r++) {
		const struct iproc_ib_region *ib = &iproc_ib_regions[r];

		/* Windows first, so no moment has a region decoding to stale addresses. */
		for (unsigned w = 0; w < ib->n_windows; w++) {
			uint32_t imap = ib->imap + w * ib->imap_stride;
			iproc_write(p, imap, iproc_read(p, imap) & ~IPROC_IMAP_VALID);
		}
		iproc_write(p, ib->iarr, 0);
		iproc_write(p, ib->iarr + 4, 0);
	}
}

void iproc_ib_write(struct iproc_pcie *p, unsigned region, unsigned size_idx, uint64_t axi,
		    uint64_t pci)
{
	const struct iproc_ib_region *ib = &iproc_ib_regions[region];
	uint64_t size = ib->sizes[size_idx] * ib->size_unit;
	uint64_t slice = size / ib->n_windows;

	/* Low word first: the hardware judges the address when the high word completes it. */
	iproc_write(p, ib->iarr, (uint32_t)pci | (1u << size_idx));
	iproc_write(p, ib->iarr + 4, (uint32_t)(pci >> 32));
	for (unsigned w = 0; w < ib->n_windows; w++) {
		uint32_t imap = ib->imap + w * ib->imap_stride;
		iproc_write(p, imap, (uint32_t)axi | IPROC_IMAP_VALID);
		iproc_write(p, imap + ib->imap_hi, (uint32_t)(axi >> 32));
		axi += slice;
	}
}

int iproc_ib_setup(struct iproc_pcie *p, uint64_t axi, uint64_t pci, uint64_t size)
{
	uint32_t in_use = 0;
	struct iproc_ib_place place;

	for (unsigned r = 0; r < IPROC_IB_REGIONS; r++)
		if (iproc_ib_in_use(p, r))
			in_use |= 1u << r;
	enum iproc_ib_result res = iproc_ib_place(in_use, axi, pci, size, &place);
	if (res == IPROC_IB_OK) {
		iproc_ib_write(p, place.region, place.size_idx, axi, pci);
		printf("iproc: inbound %s: pci 0x%llx -> axi 0x%llx, %llu MiB\n",
		       iproc_ib_regions[place.region].name, (unsigned long long)pci,
		       (unsigned long long)axi, (unsigned long long)(size / MiB));
		return 0;
	}
	/* Linux's messages, in its order. */
	if (res == IPROC_IB_NOT_ALIGNED)
		printf("iproc: axi 0x%llx or pci 0x%llx not aligned\n", (unsigned long long)axi,
		       (unsigned long long)pci);
	printf("iproc: unable to configure inbound mapping\n");
	printf("iproc: axi 0x%llx, pci 0x%llx, res size 0x%llx\n", (unsigned long long)axi,
	       (unsigned long long)pci, (unsigned long long)size);
	return -EINVAL;
}

int iproc_pcie_map_dma_ranges(struct iproc_pcie *p)
{
	const struct pci_host *h = &p->host;
	int err;

	for (unsigned i = 0; i < h->n_inbound; i++) {
		const struct pci_window *w = &h->inbound[i];
		if (w->space == PCI_SPACE_IO)
			continue;	/* Linux keeps only memory entries of dma-ranges */
		if ((err = iproc_ib_setup(p, w->cpu_addr, w->bus_addr, w->size)))
			return err;
	}
	return 0;
}

#endif
