#include "sun50i.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "mmio.h"
#include "pages.h"
#include "timer.h"

/* Linux polls every 1 us for up to 2 ms (readl_poll_timeout_atomic). */
#define SUN50I_POLL_TIMEOUT_US 2000

#define SUN50I_DT_SIZE (SUN50I_DT_ENTRIES * 4u)
#define SUN50I_PT_SIZE (SUN50I_PT_ENTRIES * 4u)

static uint32_t iommu_read(const struct sun50i_iommu *m, uint32_t off)
{
	return read32(m->base + off);
}

static void iommu_write(const struct sun50i_iommu *m, uint32_t off, uint32_t value)
{
	write32(m->base + off, value);
}

static int poll_zero(const struct sun50i_iommu *m, uint32_t off, const char *what)
{
	uint64_t deadline = timer_deadline_us(SUN50I_POLL_TIMEOUT_US);

	for (;;) {
		uint32_t v = iommu_read(m, off);
		if (v == 0)
			return 0;
		if (timer_expired(deadline)) {
			printf("%s: %s timed out (register %#lx still %08lx)\n", m->name, what,
			       (unsigned long)off, (unsigned long)v);
			return -ETIMEDOUT;
		}
	}
}

void sun50i_iommu_probe(struct sun50i_iommu *m, const char *name, uintptr_t base)
{
	memset(m, 0, sizeof *m);
	m->name = name;
	m->base = base;
}

int sun50i_iommu_probe_dt(struct sun50i_iommu *m, const char *name, const struct fdt *fdt, int node)
{
	uint64_t base, size;
	int err;

	if (fdt_is_compatible(fdt, node, "allwinner,sun50i-h6-iommu") != 1 &&
	    fdt_is_compatible(fdt, node, "allwinner,sun50i-h616-iommu") != 1)
		return -ENODEV;
	if ((err = fdt_get_reg(fdt, node, 0, &base, &size)))
		return err;
	sun50i_iommu_probe(m, name, (uintptr_t)base);
	return 0;
}

/* ---- domains and tables ---- */

int sun50i_domain_init(struct sun50i_domain *dom, const char *name)
{
	memset(dom, 0, sizeof *dom);
	dom->name = name;
	uint32_t *dt = pages_alloc(SUN50I_DT_SIZE);	/* zeroed, 16 KiB aligned */
	if (!dt)
		return -ENOMEM;
	if ((uintptr_t)dt + SUN50I_DT_SIZE - 1 > 0xffffffffu) {
		pages_free(dt, SUN50I_DT_SIZE);
		return -ERANGE;	/* the TTB holds 32 bits */
	}
	dom->dt = dt;
	dcache_clean_range(dt, SUN50I_DT_SIZE);	/* dma_map_single(DT, TO_DEVICE) */
	return iova_domain_init(&dom->iovad, name, SUN50I_PAGE_SIZE, SUN50I_PAGE_SIZE, 0xffffffffu);
}

static volatile uint32_t *dte_table(uint32_t dte)
{
	return (volatile uint32_t *)(uintptr_t)(dte & SUN50I_DTE_PT_MASK);
}

static int dte_valid(uint32_t dte)
{
	return (dte & SUN50I_DTE_TYPE_MASK) == SUN50I_DTE_VALID;
}

int sun50i_domain_free(struct sun50i_domain *dom)
{
	if (dom->iommu) {
		printf("%s: freeing a domain the IOMMU still walks: detach it first\n", dom->name);
		return -EBUSY;
	}
	if (!dom->dt)
		return 0;
	for (unsigned i = 0; i < SUN50I_DT_ENTRIES; i++)
		if (dte_valid(dom->dt[i]))
			pages_free((void *)(uintptr_t)(dom->dt[i] & SUN50I_DTE_PT_MASK), SUN50I_PT_SIZE);
	pages_free((void *)(uintptr_t)dom->dt, SUN50I_DT_SIZE);
	dom->dt = NULL;
	return 0;
}

static unsigned dt_index(uint32_t iova)
{
	return iova >> 20;
}

static unsigned pt_index(uint32_t iova)
{
	return (iova >> 12) & (SUN50I_PT_ENTRIES - 1);
}

/* The page table for <iova>, allocated, cleaned and installed (DTE cleaned) when missing. */
static volatile uint32_t *page_table(struct sun50i_domain *dom, uint32_t iova, int alloc)
{
	volatile uint32_t *dte = &dom->dt[dt_index(iova)];

	if (dte_valid(*dte))
		return dte_table(*dte);
	if (!alloc)
		return NULL;
	uint32_t *pt = pages_alloc(SUN50I_PT_SIZE);	/* zeroed; 4 KiB aligned, so 1 KiB too */
	if (!pt)
		return NULL;
	if ((uintptr_t)pt > 0xffffffffu - SUN50I_PT_SIZE) {
		pages_free(pt, SUN50I_PT_SIZE);
		return NULL;
	}
	/* The zeroed table reaches memory before the entry that points at it. */
	dcache_clean_range(pt, SUN50I_PT_SIZE);
	*dte = (uint32_t)(uintptr_t)pt | SUN50I_DTE_VALID;
	dcache_clean_range(dte, sizeof *dte);
	return pt;
}

uint32_t sun50i_pte(const struct sun50i_domain *dom, uint32_t iova)
{
	if (!dom->dt)
		return 0;
	uint32_t dte = dom->dt[dt_index(iova)];
	return dte_valid(dte) ? dte_table(dte)[pt_index(iova)] : 0;
}

static unsigned aci_for(unsigned prot)
{
	if ((prot & IOMMU_READ) && (prot & IOMMU_WRITE))
		return SUN50I_ACI_RD_WR;
	if (prot & IOMMU_READ)
		return SUN50I_ACI_RD;
	if (prot & IOMMU_WRITE)
		return SUN50I_ACI_WR;
	return SUN50I_ACI_NONE;
}

/* ---- invalidation ---- */

static int zap_tlb(struct sun50i_iommu *m, uint32_t iova)
{
	iommu_write(m, SUN50I_TLB_IVLD_ADDR, iova & SUN50I_PTE_PAGE_MASK);
	iommu_write(m, SUN50I_TLB_IVLD_ADDR_MASK, 0xfffff000u);
	iommu_write(m, SUN50I_TLB_IVLD_ENABLE, 1);
	return poll_zero(m, SUN50I_TLB_IVLD_ENABLE, "TLB invalidation");
}

static int zap_ptw(struct sun50i_iommu *m, uint32_t iova)
{
	iommu_write(m, SUN50I_PC_IVLD_ADDR, iova);
	iommu_write(m, SUN50I_PC_IVLD_ENABLE, 1);
	return poll_zero(m, SUN50I_PC_IVLD_ENABLE, "walk-cache invalidation");
}

int sun50i_zap_range(struct sun50i_iommu *m, uint32_t iova, uint32_t size)
{
	int err = 0;

	iommu_write(m, SUN50I_AUTO_GATING, 0);
	/* 32-bit wrap-around as in the hardware's 32-bit registers. */
	err |= zap_tlb(m, iova);
	err |= zap_tlb(m, iova + SUN50I_PAGE_SIZE);
	if (size > SUN50I_PAGE_SIZE) {
		err |= zap_tlb(m, iova + size);
		err |= zap_tlb(m, iova + size + SUN50I_PAGE_SIZE);
	}
	err |= zap_ptw(m, iova);
	err |= zap_ptw(m, iova + 0x100000u);
	if (size > 0x100000u) {
		err |= zap_ptw(m, iova + size);
		err |= zap_ptw(m, iova + size + 0x100000u);
	}
	iommu_write(m, SUN50I_AUTO_GATING, 1);
	return err ? -ETIMEDOUT : 0;
}

int sun50i_iommu_flush_all(struct sun50i_iommu *m)
{
	iommu_write(m, SUN50I_TLB_FLUSH_ENABLE, SUN50I_TLB_FLUSH_ALL);
	return poll_zero(m, SUN50I_TLB_FLUSH_ENABLE, "TLB flush");
}

/* ---- enable, disable, switch ---- */

static void disable(struct sun50i_iommu *m)
{
	iommu_write(m, SUN50I_ENABLE, 0);
	iommu_write(m, SUN50I_TTB, 0);
	if (m->domain)
		m->domain->iommu = NULL;
	m->domain = NULL;
}

int sun50i_iommu_detach(struct sun50i_iommu *m)
{
	disable(m);
	/* Stands for the CCU reset Linux asserts in sun50i_iommu_disable (see the header). */
	return sun50i_iommu_flush_all(m);
}

int sun50i_iommu_attach(struct sun50i_iommu *m, struct sun50i_domain *dom)
{
	if (!dom->dt)
		return -EINVAL;
	if (m->domain == dom)
		return 0;
	if (dom->iommu)
		return -EBUSY;
	if (m->domain)
		disable(m);	/* sun50i_iommu_identity_attach -> detach_domain -> disable */

	iommu_write(m, SUN50I_TTB, (uint32_t)(uintptr_t)dom->dt);
	iommu_write(m, SUN50I_TLB_PREFETCH, SUN50I_PREFETCH_VALUE);
	iommu_write(m, SUN50I_BYPASS, 0);
	iommu_write(m, SUN50I_INT_ENABLE, SUN50I_INT_ALL);
	iommu_write(m, SUN50I_DM_AUT_CTRL(SUN50I_ACI_NONE), SUN50I_DM_AUT_CTRL0_VALUE);
	iommu_write(m, SUN50I_DM_AUT_CTRL(SUN50I_ACI_RD), SUN50I_DM_AUT_CTRL1_VALUE);
	int err = sun50i_iommu_flush_all(m);
	if (err) {
		iommu_write(m, SUN50I_TTB, 0);	/* Linux: clock off, reset asserted */
		return err;
	}
	iommu_write(m, SUN50I_AUTO_GATING, 1);
	iommu_write(m, SUN50I_ENABLE, 1);
	m->domain = dom;
	dom->iommu = m;
	return 0;
}

int sun50i_iommu_switch_ttb(struct sun50i_iommu *m, struct sun50i_domain *dom, int flush)
{
	if (!dom->dt || (dom->iommu && dom->iommu != m))
		return -EINVAL;
	/* The TTB may only be written while translation is off (H616 manual). */
	iommu_write(m, SUN50I_ENABLE, 0);
	iommu_write(m, SUN50I_TTB, (uint32_t)(uintptr_t)dom->dt);
	if (m->domain)
		m->domain->iommu = NULL;
	m->domain = dom;
	dom->iommu = m;
	int err = flush ? sun50i_iommu_flush_all(m) : 0;
	iommu_write(m, SUN50I_ENABLE, 1);
	return err;
}

/* ---- faults ---- */

static unsigned highest_bit(uint32_t v)
{
	unsigned b = 0;

	while (v >>= 1)
		b++;
	return b;
}

void sun50i_iommu_reset_masters(struct sun50i_iommu *m, uint32_t mask)
{
	iommu_write(m, SUN50I_RESET, ~mask);	/* 0 asserts: only these masters */
	iommu_write(m, SUN50I_RESET, SUN50I_RESET_RELEASE_ALL);
}

int sun50i_iommu_handle_fault(struct sun50i_iommu *m, struct sun50i_fault *f)
{
	uint32_t sta = iommu_read(m, SUN50I_INT_STA);

	memset(f, 0, sizeof *f);
	if (!(sta & SUN50I_INT_ALL))
		return 0;
	uint32_t l1 = iommu_read(m, SUN50I_L1PG_INT), l2 = iommu_read(m, SUN50I_L2PG_INT);
	f->int_sta = sta;
	f->l1pg = l1;
	f->l2pg = l2;
	if (sta & SUN50I_INT_L2_INVALID) {
		f->type = SUN50I_FAULT_L2;
		f->iova = iommu_read(m, SUN50I_INT_ERR_ADDR_L2);
		f->master = highest_bit(l2 & SUN50I_INT_MASTER_MASK);
	} else if (sta & SUN50I_INT_L1_INVALID) {
		f->type = SUN50I_FAULT_L1;
		f->iova = iommu_read(m, SUN50I_INT_ERR_ADDR_L1);
		f->master = highest_bit(l1 & SUN50I_INT_MASTER_MASK);
	} else {
		f->type = SUN50I_FAULT_PERM;
		f->master = highest_bit(sta & SUN50I_INT_MASTER_MASK);
		f->iova = iommu_read(m, SUN50I_INT_ERR_ADDR(f->master));
		f->aci = SUN50I_PTE_ACI(iommu_read(m, SUN50I_INT_ERR_DATA(f->master)));
		f->write = f->aci == SUN50I_ACI_RD;
	}
	/* The vendor documentation asks for the faulting page to be invalidated. */
	sun50i_zap_range(m, f->iova, SUN50I_PAGE_SIZE);
	iommu_write(m, SUN50I_INT_CLR, sta);
	sun50i_iommu_reset_masters(m, (sta | l1 | l2) & SUN50I_INT_MASTER_MASK);
	return 1;
}

/* ---- iommu_ops ---- */

static int range_ok(uint64_t iova, uint64_t size)
{
	return size && !(iova & (SUN50I_PAGE_SIZE - 1)) && !(size & (SUN50I_PAGE_SIZE - 1)) &&
	       iova <= 0xffffffffu && size <= 0x100000000ull - iova;
}

static void clear_pte(struct sun50i_domain *dom, uint32_t iova)
{
	volatile uint32_t *pt = page_table(dom, iova, 0);

	if (!pt)
		return;
	pt[pt_index(iova)] = 0;
	dcache_clean_range(&pt[pt_index(iova)], 4);
}

static int sun50i_map(void *domain, uint64_t iova, uint64_t phys, uint64_t size, unsigned prot)
{
	struct sun50i_domain *dom = domain;

	if (!dom->dt || !range_ok(iova, size) || (phys & (SUN50I_PAGE_SIZE - 1)))
		return -EINVAL;
	if (phys + size - 1 > 0xffffffffu)
		return -EINVAL;	/* PTEs hold 32-bit addresses */
	uint32_t aci = aci_for(prot);
	for (uint64_t off = 0; off < size; off += SUN50I_PAGE_SIZE) {
		uint32_t va = (uint32_t)(iova + off);
		volatile uint32_t *pt = page_table(dom, va, 1);
		int err = pt ? 0 : -ENOMEM;
		if (pt && (pt[pt_index(va)] & SUN50I_PTE_VALID))
			err = -EBUSY;
		if (err) {
			for (uint64_t undo = 0; undo < off; undo += SUN50I_PAGE_SIZE)
				clear_pte(dom, (uint32_t)(iova + undo));
			return err;
		}
		pt[pt_index(va)] = (uint32_t)(phys + off) | aci << 4 | SUN50I_PTE_VALID;
		dcache_clean_range(&pt[pt_index(va)], 4);
	}
	/* iotlb_sync_map: invalid -> valid still needs the edges (and neighbours) invalidated. */
	if (dom->iommu)
		return sun50i_zap_range(dom->iommu, (uint32_t)iova, (uint32_t)size);
	return 0;
}

static int sun50i_unmap(void *domain, uint64_t iova, uint64_t size)
{
	struct sun50i_domain *dom = domain;

	if (!dom->dt || !range_ok(iova, size))
		return -EINVAL;
	for (uint64_t off = 0; off < size; off += SUN50I_PAGE_SIZE)
		clear_pte(dom, (uint32_t)(iova + off));
	return 0;
}

static int sun50i_flush(void *domain, uint64_t iova, uint64_t size)
{
	struct sun50i_domain *dom = domain;

	(void)iova;
	(void)size;
	if (!dom->iommu)
		return 0;	/* not live: nothing cached (Linux returns early too) */
	return sun50i_iommu_flush_all(dom->iommu);
}

static uint64_t sun50i_iova_to_phys(void *domain, uint64_t iova)
{
	struct sun50i_domain *dom = domain;

	if (iova > 0xffffffffu)
		return UINT64_MAX;
	uint32_t pte = sun50i_pte(dom, (uint32_t)iova);
	if (!(pte & SUN50I_PTE_VALID))
		return UINT64_MAX;
	return (pte & SUN50I_PTE_PAGE_MASK) | (iova & (SUN50I_PAGE_SIZE - 1));
}

const struct iommu_ops sun50i_iommu_ops = {
	.name = "sun50i-iommu",
	.map = sun50i_map,
	.unmap = sun50i_unmap,
	.flush = sun50i_flush,
	.iova_to_phys = sun50i_iova_to_phys,
};

void sun50i_dma_device(struct sun50i_domain *dom, struct dma_device *dev, const char *name)
{
	dev->name = name;
	dev->dma_mask = 0xffffffffu;
	dev->bus_dma_limit = 0;	/* a platform master: no bus between it and the IOMMU */
	dev->ops = &sun50i_iommu_ops;
	dev->domain = dom;
	dev->iovad = &dom->iovad;
}
