/*
 * Allwinner H6 IOMMU driver, after Linux drivers/iommu/sun50i-iommu.c,
 * with the fixes made to it upstream since.
 *
 * One translation table (TTB -> 4096 DTEs of 1 MiB -> 256 PTEs of 4 KiB) is live at a time and
 * every master (0..5) uses it: a "domain" is one such table plus its own IOVA space (lib/iova
 * over [4 KiB, 4 GiB), top-down). Attaching another domain switches the TTB.
 *
 * The table walker does not see the CPU's caches: every table update is cleaned to the point of
 * coherency (dcache_clean_range, runtime/cpu.h) before the hardware is told about it: the new
 * directory when a domain is made, a new page table and its DTE, each PTE written or zeroed.
 *
 * Sequences:
 * - enable (sun50i_iommu_enable, at attach): TTB = directory; TLB_PREFETCH = 0x3f; BYPASS = 0;
 *   INT_ENABLE = 0x3003f; DM_AUT_CTRL0 = 0x0fff0000 (domain 1: no access); DM_AUT_CTRL1 =
 *   0x05550aaa in ONE write (domain 2 read-only, domain 3 write-only: the mainline driver
 *   writes 0x00000aaa and then 0x05550000, the second write erasing the first); flush everything
 *   (TLB_FLUSH_ENABLE = 0x3003f, poll to 0, 2 ms); AUTO_GATING = 1; ENABLE = 1. The clock and
 *   reset (CCU + 0x7bc) are not touched: socsim's H6 has no CCU model.
 * - disable (detach): ENABLE = 0, TTB = 0, then flush every TLB and the walk cache: Linux asserts
 *   the IOMMU's CCU reset here, which empties them; socsim's H6 has no CCU, and its caches
 *   survive ENABLE = 0, so detach invalidates explicitly (the review: "disable the TTB and
 *   invalidate everything", then free).
 * - map (one PTE per 4 KiB page; PTE = PA | ACI << 4 | valid): a missing page table is allocated
 *   zeroed, cleaned, its DTE (PT | 1) written and cleaned; a PTE already valid gives -EBUSY;
 *   then, as the core's iotlb_sync_map, sun50i_zap_range(): AUTO_GATING = 0; TLB invalidation
 *   of iova and iova + 4 KiB, and when size > 4 KiB of iova + size and iova + size + 4 KiB;
 *   walk-cache invalidation of iova and iova + 1 MiB, and when size > 1 MiB of iova + size and
 *   iova + size + 1 MiB; AUTO_GATING = 1 (the neighbours: prefetch may hold invalid entries).
 *   One TLB invalidation: TLB_IVLD_ADDR = iova, TLB_IVLD_ADDR_MASK = 0xfffff000,
 *   TLB_IVLD_ENABLE = 1, poll to 0. One walk-cache invalidation: PC_IVLD_ADDR = iova,
 *   PC_IVLD_ENABLE = 1, poll to 0.
 * - unmap: zero each PTE and clean it; the flush op is the full flush (Linux iotlb_sync).
 * - fault (sun50i_iommu_handle_fault, the IRQ handler polled): INT_STA; L2 fault (bit 17) first,
 *   then L1 (bit 16), then permission; master = highest bit of L2PG_INT / L1PG_INT / INT_STA
 *   [5:0]; iova from ERR_ADDR_L2 / ERR_ADDR_L1 / ERR_ADDR[master]; zap the page; INT_CLR =
 *   INT_STA; RESET = ~(faulting masters), then RESET = 0xffffffff.
 * - domain free never touches hardware, and refuses a domain that is still live: detach
 *   (disable) first, then free (the 2020 review).
 *
 * Functions return 0 or a negative errno value.
 */
#ifndef SUN50I_H
#define SUN50I_H

#include <stdint.h>

#include "dma.h"
#include "fdt.h"
#include "iommu.h"
#include "iova.h"

#define SUN50I_PAGE_SIZE	0x1000u
#define SUN50I_DT_ENTRIES	4096u		/* 16 KiB directory, 1 MiB per entry */
#define SUN50I_PT_ENTRIES	256u		/* 1 KiB page table */
#define SUN50I_MASTERS		6u

/* Registers (Linux drivers/iommu/sun50i-iommu.c). */
#define SUN50I_RESET			0x010
#define SUN50I_RESET_RELEASE_ALL	0xffffffffu
#define SUN50I_ENABLE			0x020
#define SUN50I_BYPASS			0x030
#define SUN50I_AUTO_GATING		0x040
#define SUN50I_TTB			0x050
#define SUN50I_TLB_PREFETCH		0x070
#define SUN50I_TLB_FLUSH_ENABLE		0x080
#define SUN50I_TLB_FLUSH_ALL		0x0003003fu	/* micro TLBs 0..5, macro TLB, PTW cache */
#define SUN50I_TLB_IVLD_ADDR		0x090
#define SUN50I_TLB_IVLD_ADDR_MASK	0x094
#define SUN50I_TLB_IVLD_ENABLE		0x098
#define SUN50I_PC_IVLD_ADDR		0x0a0
#define SUN50I_PC_IVLD_ENABLE		0x0a8
#define SUN50I_DM_AUT_CTRL(d)		(0x0b0 + 4 * ((d) / 2))
#define SUN50I_INT_ENABLE		0x100
#define SUN50I_INT_CLR			0x104
#define SUN50I_INT_STA			0x108
#define SUN50I_INT_ERR_ADDR(m)		(0x110 + 4 * (m))
#define SUN50I_INT_ERR_ADDR_L1		0x130
#define SUN50I_INT_ERR_ADDR_L2		0x134
#define SUN50I_INT_ERR_DATA(m)		(0x150 + 4 * (m))
#define SUN50I_INT_ERR_DATA_L1		0x170	/* the invalid DTE */
#define SUN50I_INT_ERR_DATA_L2		0x174	/* the invalid PTE */
#define SUN50I_L1PG_INT			0x180
#define SUN50I_L2PG_INT			0x184
#define SUN50I_INT_MASTER_MASK		0x3fu
#define SUN50I_INT_L1_INVALID		(1u << 16)
#define SUN50I_INT_L2_INVALID		(1u << 17)
#define SUN50I_INT_ALL			0x0003003fu

/* Values the enable sequence writes. */
#define SUN50I_PREFETCH_VALUE		0x3fu
#define SUN50I_DM_AUT_CTRL0_VALUE	0x0fff0000u	/* domain 1 (NONE): rd+wr prohibited */
#define SUN50I_DM_AUT_CTRL1_VALUE	0x05550aaau	/* domain 2 (RD): wr prohibited; 3 (WR): rd */

/* Table entries (Linux drivers/iommu/sun50i-iommu.c). */
#define SUN50I_DTE_PT_MASK		0xfffffc00u
#define SUN50I_DTE_TYPE_MASK		0x3u
#define SUN50I_DTE_VALID		0x1u		/* only 0b01 is valid */
#define SUN50I_PTE_PAGE_MASK		0xfffff000u
#define SUN50I_PTE_ACI(v)		(((v) >> 4) & 0xfu)
#define SUN50I_PTE_VALID		(1u << 1)

/* Permission domains (ACI) as Linux uses them. */
enum sun50i_aci {
	SUN50I_ACI_DEFAULT = 0,	/* hardware default, full access; not used */
	SUN50I_ACI_NONE = 1,
	SUN50I_ACI_RD = 2,
	SUN50I_ACI_WR = 3,
	SUN50I_ACI_RD_WR = 4,
};

struct sun50i_iommu;

/* One translation table and its IOVA space. */
struct sun50i_domain {
	const char *name;
	volatile uint32_t *dt;		/* 4096 DTEs, 16 KiB aligned, below 4 GiB */
	struct sun50i_iommu *iommu;	/* the IOMMU whose TTB points at dt, or NULL */
	struct iova_domain iovad;
};

struct sun50i_iommu {
	const char *name;
	uintptr_t base;
	struct sun50i_domain *domain;	/* the live domain, or NULL (IOMMU disabled) */
};

enum sun50i_fault_type { SUN50I_FAULT_NONE, SUN50I_FAULT_L1, SUN50I_FAULT_L2, SUN50I_FAULT_PERM };

struct sun50i_fault {
	enum sun50i_fault_type type;
	unsigned master;		/* 0..5 */
	uint32_t iova;
	unsigned aci;			/* permission faults: ERR_DATA[7:4] */
	int write;			/* Linux's guess: 1 when the page was read-only (ACI RD) */
	uint32_t int_sta, l1pg, l2pg;	/* raw status */
};

/* Record the IOMMU at <base>. No register access (Linux probe does none either). */
void sun50i_iommu_probe(struct sun50i_iommu *m, const char *name, uintptr_t base);
/* The same from an "allwinner,sun50i-h6-iommu" (or h616) node: reg[0]. */
int sun50i_iommu_probe_dt(struct sun50i_iommu *m, const char *name, const struct fdt *fdt, int node);

/* A new, empty domain: zeroed directory (cleaned), IOVA space. No hardware access. */
int sun50i_domain_init(struct sun50i_domain *dom, const char *name);
/* Free the page tables and the directory. -EBUSY while the domain is live: detach first. */
int sun50i_domain_free(struct sun50i_domain *dom);

/* Make <dom> the live table: disable the current one if any, then the full enable sequence. */
int sun50i_iommu_attach(struct sun50i_iommu *m, struct sun50i_domain *dom);
/* Disable translation (ENABLE = 0, TTB = 0) and flush everything: nothing of the live domain
 * is walked or cached any more, so its tables may be freed. -ETIMEDOUT if the flush hangs. */
int sun50i_iommu_detach(struct sun50i_iommu *m);

/*
 * Switch the TTB of an enabled IOMMU to <dom> without the full re-enable: ENABLE = 0,
 * TTB = dom, then (when <flush>) flush every TLB and the walk cache, then ENABLE = 1.
 * <flush> = 0 is the bug the h6_domain_switch scenario shows (stale translations survive).
 */
int sun50i_iommu_switch_ttb(struct sun50i_iommu *m, struct sun50i_domain *dom, int flush);

/* Flush every micro TLB, the macro TLB and the walk cache; poll until done (2 ms). */
int sun50i_iommu_flush_all(struct sun50i_iommu *m);
/* Linux's sun50i_iommu_zap_range: invalidation of a mapped range with its neighbours. */
int sun50i_zap_range(struct sun50i_iommu *m, uint32_t iova, uint32_t size);

/* Handle one pending fault (above). 1 when one was found (filled in <f>), 0 when none. */
int sun50i_iommu_handle_fault(struct sun50i_iommu *m, struct sun50i_fault *f);
/* Pulse the reset of the masters in <mask> (RESET = ~mask, then all ones). */
void sun50i_iommu_reset_masters(struct sun50i_iommu *m, uint32_t mask);

/* The PTE mapping <iova> in <dom>, or 0 (diagnostics and tests). */
uint32_t sun50i_pte(const struct sun50i_domain *dom, uint32_t iova);

/* Fill <dev> for a master using <dom>: 32-bit DMA mask, these ops, <dom> and its IOVA space. */
void sun50i_dma_device(struct sun50i_domain *dom, struct dma_device *dev, const char *name);

/* map (+ zap with neighbours when live) / unmap / flush (full) / iova_to_phys; domain = dom. */
extern const struct iommu_ops sun50i_iommu_ops;

#endif
