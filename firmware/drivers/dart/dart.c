#include "dart.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mmio.h"
#include "pages.h"
#include "timer.h"

/* Linux DART_STREAM_COMMAND_BUSY_TIMEOUT: 100 us. */
#define DART_BUSY_TIMEOUT_US 100

static const struct dart_hw dart_variants[] = {
	/* apple_dart_hw_t8103: t8020 registers, DART1 PTEs, 36-bit output. */
	{.compatible = "apple,t8103-dart", .format = DART_PTE_DART1, .max_streams = 16, .oas = 36},
	/* apple_dart_hw_t6000: the same registers, DART2 PTEs, 42-bit output. */
	{.compatible = "apple,t6000-dart", .format = DART_PTE_DART2, .max_streams = 16, .oas = 42},
};

static uint32_t dart_read(const struct dart *d, uint32_t off)
{
	return read32(d->base + off);
}

static void dart_write(const struct dart *d, uint32_t off, uint32_t value)
{
	write32(d->base + off, value);
}

const struct dart_hw *dart_hw_for(const char *compatible)
{
	for (unsigned i = 0; i < sizeof dart_variants / sizeof dart_variants[0]; i++)
		if (compatible && strcmp(compatible, dart_variants[i].compatible) == 0)
			return &dart_variants[i];
	return NULL;
}

int dart_probe(struct dart *d, const char *name, uintptr_t base, const char *compatible)
{
	memset(d, 0, sizeof *d);
	d->name = name;
	d->base = base;
	d->hw = dart_hw_for(compatible);
	if (!d->hw) {
		printf("%s: no DART variant for \"%s\"\n", name, compatible ? compatible : "(null)");
		return -ENODEV;
	}
	uint32_t params1 = dart_read(d, DART_PARAMS1);
	d->page_shift = DART_PARAMS1_PAGE_SHIFT(params1);
	if (d->page_shift != 14) {
		printf("%s: PARAMS1 %08lx: page size 2^%u, this driver needs 16 KiB\n", name,
		       (unsigned long)params1, d->page_shift);
		return -ENODEV;
	}
	d->bypass_supported = (dart_read(d, DART_PARAMS2) & DART_PARAMS2_BYPASS_SUPPORT) != 0;
	d->locked = (dart_read(d, DART_T8020_CONFIG) & DART_T8020_CONFIG_LOCK) != 0;
	/* One IOVA space per DART: [16 KiB, 4 GiB), top-down (IOVA 0 stays unused). */
	return iova_domain_init(&d->iovad, name, DART_PAGE_SIZE, DART_PAGE_SIZE,
				(1ull << DART_IOVA_BITS) - 1);
}

int dart_probe_dt(struct dart *d, const char *name, const struct fdt *fdt, int node)
{
	uint64_t base, size;
	int err;

	for (unsigned i = 0; i < sizeof dart_variants / sizeof dart_variants[0]; i++) {
		if (fdt_is_compatible(fdt, node, dart_variants[i].compatible) != 1)
			continue;
		if ((err = fdt_get_reg(fdt, node, 0, &base, &size)))
			return err;
		if (size < 0x4000)
			return -EINVAL;	/* Linux refuses a window below 0x4000 bytes */
		return dart_probe(d, name, (uintptr_t)base, dart_variants[i].compatible);
	}
	return -ENODEV;
}

int dart_master_stream(const struct fdt *fdt, int master, int *iommu_node, uint32_t *stream)
{
	const void *spec;
	uint32_t len;

	if (fdt_get_prop(fdt, master, "iommus", &spec, &len) != 0 &&
	    fdt_get_prop(fdt, master, "socsim,iommus", &spec, &len) != 0)
		return -ENOENT;
	if (len < 8)
		return -EINVAL;
	int node = fdt_find_phandle(fdt, fdt_load_be32(spec));
	if (node < 0)
		return -ENOENT;
	*iommu_node = node;
	*stream = fdt_load_be32((const uint8_t *)spec + 4);
	return 0;
}

int dart_invalidate(struct dart *d, uint32_t stream_mask)
{
	/* write32 orders every earlier table store before the command (dma_wmb in m1n1). */
	dart_write(d, DART_T8020_STREAM_SELECT, stream_mask);
	dart_write(d, DART_T8020_STREAM_COMMAND, DART_T8020_STREAM_COMMAND_INVALIDATE);
	uint64_t deadline = timer_deadline_us(DART_BUSY_TIMEOUT_US);
	for (;;) {
		uint32_t cmd = dart_read(d, DART_T8020_STREAM_COMMAND);
		if (!(cmd & DART_T8020_STREAM_COMMAND_BUSY))
			return 0;
		if (timer_expired(deadline)) {
			printf("%s: busy bit did not clear after invalidate (STREAM_COMMAND %08lx)\n",
			       d->name, (unsigned long)cmd);
			return -ETIMEDOUT;
		}
	}
}

int dart_reset(struct dart *d)
{
	if (d->locked) {
		printf("%s: DART is locked down until reboot\n", d->name);
		return -EPERM;
	}
	unsigned n = d->hw->max_streams;
	for (unsigned sid = 0; sid < n; sid++)
		dart_write(d, DART_T8020_TCR(sid), 0);
	for (unsigned sid = 0; sid < n; sid++)
		for (unsigned i = 0; i < DART_TTBR_COUNT; i++)
			dart_write(d, DART_T8020_TTBR(sid, i), 0);
	/* "TCR is used to control isolation": every stream enabled (BITS_TO_U32(16) = 1 word). */
	dart_write(d, DART_T8020_STREAMS_ENABLE, 0xffffffffu);
	/* Clear a stale error before anyone looks at the interrupt. */
	dart_write(d, DART_T8020_ERROR, dart_read(d, DART_T8020_ERROR));
	d->streams = 0;
	return dart_invalidate(d, (uint32_t)((1ull << n) - 1));
}

static int stream_ok(const struct dart *d, unsigned stream)
{
	return stream < d->hw->max_streams;
}

int dart_attach_stream(struct dart *d, unsigned stream)
{
	if (!stream_ok(d, stream))
		return -EINVAL;
	if (d->locked) {
		printf("%s: locked: stream %u can only adopt the existing table\n", d->name, stream);
		return -EPERM;
	}
	if (!d->l1) {
		d->l1 = pages_alloc(DART_PAGE_SIZE);	/* zeroed, 16 KiB aligned */
		if (!d->l1)
			return -ENOMEM;
	}
	uintptr_t l1 = (uintptr_t)d->l1;
	/* TTBRs first, then TCR (apple_dart_setup_translation); only TTBR0 with a 32-bit IAS. */
	dart_write(d, DART_T8020_TTBR(stream, 0),
		   DART_T8020_TTBR_VALID | (uint32_t)(l1 >> DART_T8020_TTBR_SHIFT));
	for (unsigned i = 1; i < DART_TTBR_COUNT; i++)
		dart_write(d, DART_T8020_TTBR(stream, i), 0);
	dart_write(d, DART_T8020_TCR(stream), DART_T8020_TCR_TRANSLATE_ENABLE);
	d->streams |= 1u << stream;
	return dart_invalidate(d, 1u << stream);
}

int dart_detach_stream(struct dart *d, unsigned stream)
{
	if (!stream_ok(d, stream))
		return -EINVAL;
	if (d->locked)
		return -EPERM;
	dart_write(d, DART_T8020_TCR(stream), 0);
	d->streams &= ~(1u << stream);
	return dart_invalidate(d, 1u << stream);
}

int dart_adopt_locked(struct dart *d, unsigned stream)
{
	if (!stream_ok(d, stream))
		return -EINVAL;
	if (!d->locked)
		return -EPERM;
	uint32_t ttbr = dart_read(d, DART_T8020_TTBR(stream, 0));
	if (!(ttbr & DART_T8020_TTBR_VALID)) {
		printf("%s: locked, but TTBR[%u][0] = %08lx is not valid\n", d->name, stream,
		       (unsigned long)ttbr);
		return -ENOENT;
	}
	uint64_t l1 = (uint64_t)(ttbr & ~DART_T8020_TTBR_VALID) << DART_T8020_TTBR_SHIFT;
	if (l1 & (DART_PAGE_SIZE - 1)) {
		printf("%s: locked TTBR[%u][0] = %08lx: table not 16 KiB aligned\n", d->name, stream,
		       (unsigned long)ttbr);
		return -EINVAL;
	}
	d->l1 = (uint64_t *)(uintptr_t)l1;
	d->l1_adopted = 1;
	d->streams |= 1u << stream;
	/* Tables left by earlier firmware may hold mappings: keep those IOVAs out of the allocator. */
	for (unsigned i = 0; i < DART_TABLE_ENTRIES && i < (1u << (DART_IOVA_BITS - 25)); i++) {
		if (!(d->l1[i] & DART_PTE_VALID))
			continue;
		const volatile uint64_t *l2 = (const volatile uint64_t *)(uintptr_t)(
			d->hw->format == DART_PTE_DART1 ? (d->l1[i] & DART1_PADDR_MASK)
							: (d->l1[i] & DART2_PADDR_MASK) << DART2_PADDR_SHIFT);
		for (unsigned j = 0; j < DART_TABLE_ENTRIES; j++)
			if (l2[j] & DART_PTE_VALID) {
				uint64_t iova = ((uint64_t)i << 25) | ((uint64_t)j << 14);
				iova_reserve(&d->iovad, iova, iova + DART_PAGE_SIZE - 1);
			}
	}
	return 0;
}

static int dart_error_code_bit(uint32_t code)
{
	return code && !(code & (code - 1));
}

const char *dart_error_code_name(uint32_t code)
{
	/* Linux compares the whole code with one bit; anything else is "unknown". */
	if (!dart_error_code_bit(code))
		return "unknown";
	switch (code) {
	case DART_T8020_ERROR_NO_TTBR:
		return "NO_TTBR";
	case DART_T8020_ERROR_NO_PMD:
		return "NO_PMD";
	case DART_T8020_ERROR_NO_PTE:
		return "NO_PTE";
	case DART_T8020_ERROR_WRITE_FAULT:
		return "WRITE_FAULT";
	case DART_T8020_ERROR_READ_FAULT:
		return "READ_FAULT";
	case DART_T8020_ERROR_SUBPAGE_PROT:
		return "SUBPAGE_PROT";
	default:
		return "unknown";
	}
}

int dart_error_read_clear(struct dart *d, struct dart_error *e)
{
	uint32_t status = dart_read(d, DART_T8020_ERROR);

	if (!(status & DART_T8020_ERROR_FLAG))
		return 0;
	uint32_t lo = dart_read(d, DART_T8020_ERROR_ADDR_LO);
	uint32_t hi = dart_read(d, DART_T8020_ERROR_ADDR_HI);
	e->status = status;
	e->stream = DART_T8020_ERROR_STREAM(status);
	e->code = DART_T8020_ERROR_CODE(status);
	e->addr = (uint64_t)hi << 32 | lo;
	dart_write(d, DART_T8020_ERROR, status);	/* write back what was read: clears it */
	return 1;
}

/* Table and leaf encodings. */

static uint64_t paddr_to_pte(const struct dart *d, uint64_t pa)
{
	if (d->hw->format == DART_PTE_DART1)
		return pa & DART1_PADDR_MASK;
	return (pa >> DART2_PADDR_SHIFT) & DART2_PADDR_MASK;
}

static uint64_t pte_to_paddr(const struct dart *d, uint64_t pte)
{
	if (d->hw->format == DART_PTE_DART1)
		return pte & DART1_PADDR_MASK;
	return (pte & DART2_PADDR_MASK) << DART2_PADDR_SHIFT;
}

static uint64_t prot_bits(const struct dart *d, unsigned prot)
{
	uint64_t bits = 0;

	if (d->hw->format == DART_PTE_DART1) {
		if (!(prot & IOMMU_READ))
			bits |= DART1_PTE_NO_READ;
		if (!(prot & IOMMU_WRITE))
			bits |= DART1_PTE_NO_WRITE;
	} else {
		if (!(prot & IOMMU_READ))
			bits |= DART2_PTE_NO_READ;
		if (!(prot & IOMMU_WRITE))
			bits |= DART2_PTE_NO_WRITE;
	}
	return bits;
}

static int iova_ok(uint64_t iova, uint64_t size)
{
	return size && !(iova & (DART_PAGE_SIZE - 1)) && !(size & (DART_PAGE_SIZE - 1)) &&
	       iova < (1ull << DART_IOVA_BITS) && size <= (1ull << DART_IOVA_BITS) - iova;
}

/* The L2 table covering <iova>, allocating and publishing it when <alloc>; NULL if none. */
static volatile uint64_t *l2_table(struct dart *d, uint64_t iova, int alloc)
{
	volatile uint64_t *l1 = d->l1;
	unsigned i = (unsigned)(iova >> 25) & (DART_TABLE_ENTRIES - 1);

	if (!l1)
		return NULL;
	if (l1[i] & DART_PTE_VALID)
		return (volatile uint64_t *)(uintptr_t)pte_to_paddr(d, l1[i]);
	if (!alloc)
		return NULL;
	uint64_t *l2 = pages_alloc(DART_PAGE_SIZE);
	if (!l2)
		return NULL;
	/* The zeroed table is in memory before the pointer to it is (io-pgtable's barrier before
	 * publishing a table; with the MMU off stores stay in order anyway). */
	dma_wmb();
	l1[i] = paddr_to_pte(d, (uintptr_t)l2) | DART_PTE_VALID;
	return l2;
}

static unsigned l2_index(uint64_t iova)
{
	return (unsigned)(iova >> 14) & (DART_TABLE_ENTRIES - 1);
}

static int map_page(struct dart *d, uint64_t iova, uint64_t phys, uint64_t leaf_bits)
{
	if ((phys & (DART_PAGE_SIZE - 1)) || (phys >> d->hw->oas))
		return -EINVAL;
	volatile uint64_t *l2 = l2_table(d, iova, 1);
	if (!l2)
		return -ENOMEM;
	volatile uint64_t *pte = &l2[l2_index(iova)];
	if (*pte & DART_PTE_VALID)
		return -EEXIST;
	*pte = paddr_to_pte(d, phys) | leaf_bits | DART_PTE_VALID;
	return 0;
}

static int dart_map(void *domain, uint64_t iova, uint64_t phys, uint64_t size, unsigned prot)
{
	struct dart *d = domain;

	if (!d->l1 || !iova_ok(iova, size))
		return -EINVAL;
	if (!(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;	/* Linux refuses a mapping with neither */
	/* Linux: the whole page (SP_START 0, SP_END 0xfff), and SP_DIS on DART1. */
	uint64_t bits = prot_bits(d, prot) | DART_PTE_SUBPAGE_START(0) |
			DART_PTE_SUBPAGE_END(DART_PAGE_SIZE - 1);
	if (d->hw->format == DART_PTE_DART1)
		bits |= DART1_PTE_SP_DIS;
	for (uint64_t off = 0; off < size; off += DART_PAGE_SIZE) {
		int err = map_page(d, iova + off, phys + off, bits);
		if (err) {
			for (uint64_t undo = 0; undo < off; undo += DART_PAGE_SIZE)
				l2_table(d, iova + undo, 0)[l2_index(iova + undo)] = 0;
			return err;
		}
	}
	return 0;
}

int dart_map_subpage(struct dart *d, uint64_t iova, uint64_t phys, unsigned prot, uint32_t first,
		     uint32_t last)
{
	if (!d->l1 || !iova_ok(iova, DART_PAGE_SIZE) || first > last || last >= DART_PAGE_SIZE)
		return -EINVAL;
	if (!(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	uint64_t bits = prot_bits(d, prot) | DART_PTE_SUBPAGE_START(first) | DART_PTE_SUBPAGE_END(last);
	return map_page(d, iova, phys, bits);
}

static int dart_unmap(void *domain, uint64_t iova, uint64_t size)
{
	struct dart *d = domain;

	if (!iova_ok(iova, size))
		return -EINVAL;
	for (uint64_t off = 0; off < size; off += DART_PAGE_SIZE) {
		volatile uint64_t *l2 = l2_table(d, iova + off, 0);
		if (l2)
			l2[l2_index(iova + off)] = 0;	/* tables stay, as in Linux */
	}
	return 0;
}

static int dart_flush(void *domain, uint64_t iova, uint64_t size)
{
	struct dart *d = domain;

	(void)iova;
	(void)size;
	if (!d->streams)
		return 0;
	return dart_invalidate(d, d->streams);
}

uint64_t dart_pte(const struct dart *d, uint64_t iova)
{
	if (iova >> DART_IOVA_BITS)
		return 0;
	volatile uint64_t *l2 = l2_table((struct dart *)d, iova, 0);
	return l2 ? l2[l2_index(iova)] : 0;
}

static uint64_t dart_iova_to_phys(void *domain, uint64_t iova)
{
	struct dart *d = domain;
	uint64_t pte = dart_pte(d, iova);

	if (!(pte & DART_PTE_VALID))
		return UINT64_MAX;
	return pte_to_paddr(d, pte) | (iova & (DART_PAGE_SIZE - 1));
}

const struct iommu_ops dart_iommu_ops = {
	.name = "apple-dart",
	.map = dart_map,
	.unmap = dart_unmap,
	.flush = dart_flush,
	.iova_to_phys = dart_iova_to_phys,
};

void dart_dma_device(struct dart *d, struct dma_device *dev, const char *name)
{
	dev->name = name;
	dev->dma_mask = (1ull << DART_IOVA_BITS) - 1;
	dev->bus_dma_limit = 0;	/* a platform master: no bus between it and the IOMMU */
	dev->ops = &dart_iommu_ops;
	dev->domain = d;
	dev->iovad = &d->iovad;
}
