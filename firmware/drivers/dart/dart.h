/*
 * Apple DART driver (t8103 = "t8020" register layout with DART1 PTEs, t6000 = the same layout
 * with DART2 PTEs), after Linux drivers/iommu/apple-dart.c and io-pgtable-dart.c, with the
 * locked-DART handling of the Asahi tree and m1n1 (Asahi Linux's drivers/iommu/apple-dart.c and m1n1).
 *
 * One struct dart per DART instance. It is also the IOMMU domain: one set of tables (TTBR0 ->
 * L1 -> L2, 16 KiB pages, a 32-bit IOVA space as Linux uses it, IAS 32) shared by every stream
 * attached on that DART, and ONE IOVA allocator (lib/iova) over [16 KiB, 4 GiB), top-down, as
 * U-Boot's per-DART io_lmb. IOVA spaces belong to a DART, never to the system.
 *
 * Sequences:
 * - dart_reset(): Linux apple_dart_hw_reset(): refuse a locked DART; TCR[sid] = 0 for every
 *   stream, then every TTBR = 0, STREAMS_ENABLE = all ones, ERROR written back to itself,
 *   invalidate every stream.
 * - dart_attach_stream(): Linux apple_dart_setup_translation(): TTBR[sid][0] = VALID |
 *   L1 >> 12, TTBR[sid][1..3] = 0, then TCR[sid] = TRANSLATE_ENABLE, then invalidate the stream.
 * - dart_adopt_locked(): a DART earlier firmware left locked (CONFIG.LOCK): read TTBR[sid][0],
 *   take its L1 table as this domain's root; never write TTBR, TCR or STREAMS_ENABLE (Asahi
 *   apple_dart_finalize_domain with IO_PGTABLE_QUIRK_APPLE_LOCKED). Invalidation still works.
 * - map/unmap (io-pgtable-dart): L2 tables allocated on demand, zeroed, published in L1 with
 *   VALID; leaves written with SP_START 0 / SP_END 0xfff (the whole page) and, on DART1,
 *   SP_DIS; mapping over a valid leaf fails; unmap zeroes leaves, tables are never freed.
 *   The walker is cache-coherent (Linux needs coherent_walk) and the MMU is off, so no cache
 *   maintenance is done on tables.
 * - TLB invalidation (apple_dart_t8020_hw_stream_command): STREAM_SELECT = stream bitmap,
 *   STREAM_COMMAND = INVALIDATE, poll STREAM_COMMAND.BUSY until clear (100 us, as Linux).
 *   The iommu_ops flush invalidates every attached stream (Linux iotlb_sync: per-SID, no
 *   per-address invalidation exists on t8020).
 * - Errors (apple_dart_t8020_irq): read ERROR; FLAG clear -> nothing; else read ERROR_ADDR
 *   LO/HI, decode stream and code, write the ERROR value back to clear it.
 *
 * Functions return 0 or a negative errno value.
 */
#ifndef DART_H
#define DART_H

#include <stdint.h>

#include "dma.h"
#include "fdt.h"
#include "iommu.h"
#include "iova.h"

#define DART_PAGE_SIZE		0x4000u		/* 16 KiB: every M1/M2 DART */
#define DART_TABLE_ENTRIES	2048u		/* 16 KiB of 8-byte descriptors */
#define DART_MAX_STREAMS	16u
#define DART_TTBR_COUNT		4u
#define DART_IOVA_BITS		32u		/* Linux's IAS on t8020/t6000 */

/* t8020 / t6000 registers (Linux drivers/iommu/apple-dart.c). */
#define DART_PARAMS1			0x000
#define DART_PARAMS1_PAGE_SHIFT(v)	(((v) >> 24) & 0xf)
#define DART_PARAMS2			0x004
#define DART_PARAMS2_BYPASS_SUPPORT	(1u << 0)
#define DART_T8020_STREAM_COMMAND	0x020
#define DART_T8020_STREAM_COMMAND_INVALIDATE	(1u << 20)
#define DART_T8020_STREAM_COMMAND_BUSY		(1u << 2)
#define DART_T8020_STREAM_SELECT	0x034
#define DART_T8020_ERROR		0x040
#define DART_T8020_ERROR_FLAG		(1u << 31)
#define DART_T8020_ERROR_STREAM(v)	(((v) >> 24) & 0xf)
#define DART_T8020_ERROR_CODE(v)	((v) & 0xfff)	/* Linux's field; m1n1 reads [23:0] */
#define DART_T8020_ERROR_NO_TTBR	(1u << 0)
#define DART_T8020_ERROR_NO_PMD		(1u << 1)
#define DART_T8020_ERROR_NO_PTE		(1u << 2)
#define DART_T8020_ERROR_WRITE_FAULT	(1u << 3)
#define DART_T8020_ERROR_READ_FAULT	(1u << 4)
#define DART_T8020_ERROR_SUBPAGE_PROT	(1u << 7)	/* m1n1's name; unverified */
#define DART_T8020_ERROR_ADDR_LO	0x050
#define DART_T8020_ERROR_ADDR_HI	0x054
#define DART_T8020_CONFIG		0x060
#define DART_T8020_CONFIG_LOCK		(1u << 15)
#define DART_T8020_STREAMS_ENABLE	0x0fc
#define DART_T8020_TCR(sid)		(0x100 + 4 * (sid))
#define DART_T8020_TCR_TRANSLATE_ENABLE	(1u << 7)
#define DART_T8020_TCR_BYPASS_DART	(1u << 8)
#define DART_T8020_TCR_BYPASS_DAPF	(1u << 12)
#define DART_T8020_TTBR(sid, idx)	(0x200 + 16 * (sid) + 4 * (idx))
#define DART_T8020_TTBR_VALID		(1u << 31)
#define DART_T8020_TTBR_SHIFT		12

/* Page-table entries (Linux drivers/iommu/io-pgtable-dart.c). */
#define DART_PTE_VALID			(1ull << 0)
#define DART_PTE_SUBPAGE_START(off)	((uint64_t)(((off) >> 2) & 0xfff) << 52)	/* byte offset */
#define DART_PTE_SUBPAGE_END(off)	((uint64_t)(((off) >> 2) & 0xfff) << 40)	/* inclusive */
#define DART1_PTE_SP_DIS		(1ull << 1)
#define DART1_PTE_NO_WRITE		(1ull << 7)
#define DART1_PTE_NO_READ		(1ull << 8)
#define DART1_PADDR_MASK		0x0000000ffffff000ull	/* PA[35:12] in place */
#define DART2_PTE_NO_WRITE		(1ull << 2)
#define DART2_PTE_NO_READ		(1ull << 3)
#define DART2_PADDR_MASK		0x0000003ffffffc00ull	/* PA[41:14] >> 4 in [37:10] */
#define DART2_PADDR_SHIFT		4

enum dart_pte_format { DART_PTE_DART1, DART_PTE_DART2 };

/* Per-variant description, as Linux's struct apple_dart_hw. */
struct dart_hw {
	const char *compatible;
	enum dart_pte_format format;
	unsigned max_streams;
	unsigned oas;			/* output address bits */
};

struct dart {
	const char *name;
	uintptr_t base;
	const struct dart_hw *hw;
	unsigned page_shift;		/* from PARAMS1 */
	int bypass_supported;		/* PARAMS2[0] */
	int locked;			/* CONFIG.LOCK was set at probe */
	uint64_t *l1;			/* the L1 table TTBR[sid][0] points at (2048 entries) */
	int l1_adopted;			/* the L1 came from a locked DART: never freed or replaced */
	uint32_t streams;		/* bitmap of streams attached to this DART's tables */
	struct iova_domain iovad;	/* the one IOVA space of this DART */
};

/* What dart_error_read_clear() found. */
struct dart_error {
	uint32_t status;	/* the raw ERROR register */
	unsigned stream;
	uint32_t code;		/* ERROR[11:0] */
	uint64_t addr;		/* ERROR_ADDR_HI:LO, the faulting IOVA */
};

/* The variant table; NULL if <compatible> is not a DART this driver knows. */
const struct dart_hw *dart_hw_for(const char *compatible);

/*
 * Probe the DART at <base>: variant from <compatible>, PARAMS1 page size (must be 16 KiB),
 * PARAMS2 bypass, CONFIG.LOCK. Sets up the IOVA space. No register is written.
 */
int dart_probe(struct dart *d, const char *name, uintptr_t base, const char *compatible);

/* dart_probe() on a DT node ("apple,t8103-dart" or "apple,t6000-dart") at its reg[0]. */
int dart_probe_dt(struct dart *d, const char *name, const struct fdt *fdt, int node);

/*
 * The IOMMU and stream of a DMA master: the first entry of its `iommus`, or of `socsim,iommus`
 * when it has none (the hardware wiring of a master the OS DT does not reference).
 */
int dart_master_stream(const struct fdt *fdt, int master, int *iommu_node, uint32_t *stream);

/* Linux's hardware reset (above). -EPERM on a locked DART: it is not touched. */
int dart_reset(struct dart *d);

/* Point <stream> at this DART's tables (allocating the L1 on first use) and enable translation. */
int dart_attach_stream(struct dart *d, unsigned stream);

/* Block <stream> (TCR = 0, Linux apple_dart_hw_disable_dma) and invalidate it. */
int dart_detach_stream(struct dart *d, unsigned stream);

/*
 * Take over the tables a locked DART translates <stream> with: TTBR[stream][0] must be VALID;
 * its L1 becomes this DART's root and <stream> counts as attached. No register is written.
 * -EPERM if the DART is not locked, -ENOENT if the TTBR is not valid.
 */
int dart_adopt_locked(struct dart *d, unsigned stream);

/* Invalidate the TLB of the streams in <stream_mask>, polling BUSY. -ETIMEDOUT after 100 us. */
int dart_invalidate(struct dart *d, uint32_t stream_mask);

/* Read the ERROR register; when FLAG is set, fill <e>, clear the error and return 1; else 0. */
int dart_error_read_clear(struct dart *d, struct dart_error *e);

/* A short name for a t8020 error code ("NO_PTE", "WRITE_FAULT", ...; "unknown" otherwise). */
const char *dart_error_code_name(uint32_t code);

/*
 * Map one 16 KiB page with sub-page protection: the device may reach only bytes
 * [first, last] (offsets in the page, rounded to 4-byte words as the hardware keeps them), and
 * on DART1 SP_DIS is left clear so the hardware checks it. dart_iommu_ops.map maps whole pages.
 */
int dart_map_subpage(struct dart *d, uint64_t iova, uint64_t phys, unsigned prot, uint32_t first,
		     uint32_t last);

/* The leaf descriptor that maps <iova>, or 0 when there is none (for tests and diagnostics). */
uint64_t dart_pte(const struct dart *d, uint64_t iova);

/* Fill <dev> for a master behind <d>: 32-bit DMA mask, this DART's ops, domain and IOVA space. */
void dart_dma_device(struct dart *d, struct dma_device *dev, const char *name);

/* map / unmap / flush (invalidate every attached stream) / iova_to_phys; domain = struct dart. */
extern const struct iommu_ops dart_iommu_ops;

#endif
