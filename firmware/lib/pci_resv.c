/*
 * PCI DMA limits and reserved IOVA regions from the device tree: see pci_resv.h.
 */
#include "pci_resv.h"

#include <errno.h>
#include <stdio.h>

/* Where the MSI doorbell of a GICv3 ITS lies: GITS_TRANSLATER is at offset 0x10040, in the
 * ITS's second 64 KiB frame (Arm GICv3 architecture specification; Linux irq-gic-v3-its.c). */
#define ITS_TRANSLATER_FRAME	0x10000u
#define ITS_FRAME_SIZE		0x10000u

static void clear_bad(struct pci_resv *r)
{
	r->bad[0] = r->bad[1] = -1;
}

static int fail(struct pci_resv *r, int err, int bad0, int bad1)
{
	r->bad[0] = bad0;
	r->bad[1] = bad1;
	return err;
}

/* fdt_get_pci_ranges' and the other readers' errors as this module's codes. */
static int from_fdt(int err)
{
	return err == FDT_ERR_NOSPACE ? -E2BIG : -EINVAL;
}

/* Insert a region keeping the list sorted by (first, last); an identical region (the same
 * doorbell named twice by msi-map) is kept once. */
static int add_region(struct pci_resv *r, uint64_t first, uint64_t last, enum resv_type type,
		      enum resv_source source)
{
	unsigned at = 0;

	while (at < r->n_regions && (r->region[at].first < first ||
				     (r->region[at].first == first && r->region[at].last < last)))
		at++;
	for (unsigned i = at; i < r->n_regions && r->region[i].first == first; i++)
		if (r->region[i].last == last && r->region[i].type == type &&
		    r->region[i].source == source)
			return 0;
	if (r->n_regions == PCI_RESV_MAX_REGIONS)
		return -E2BIG;
	for (unsigned i = r->n_regions; i > at; i--)
		r->region[i] = r->region[i - 1];
	r->region[at] = (struct resv_region){first, last, type, source};
	r->n_regions++;
	return 0;
}

/* [addr, addr + size - 1], or -EOVERFLOW when it runs past the 64-bit space. */
static int to_range(uint64_t addr, uint64_t size, struct iova_range *out)
{
	if (size - 1 > UINT64_MAX - addr)
		return -EOVERFLOW;
	*out = (struct iova_range){addr, addr + (size - 1)};
	return 0;
}

static int is_memory(uint32_t flags)
{
	unsigned space = FDT_PCI_SPACE(flags);

	return space == FDT_PCI_SPACE_MEM32 || space == FDT_PCI_SPACE_MEM64;
}

/* Outbound memory windows: reserved at their bus addresses. */
static int read_outbound(struct pci_resv *r, const struct fdt *fdt, int host)
{
	struct fdt_pci_range e[PCI_RESV_MAX_ENTRIES];
	unsigned n;
	int err = fdt_get_pci_ranges(fdt, host, "ranges", e, PCI_RESV_MAX_ENTRIES, &n);

	if (err == FDT_ERR_NOTFOUND)
		return 0;
	if (err)
		return fail(r, from_fdt(err), -1, -1);
	for (unsigned i = 0; i < n; i++) {
		struct iova_range w;
		if (!is_memory(e[i].flags) || e[i].size == 0)
			continue;	/* I/O and configuration space, or empty: no memory window */
		if ((err = to_range(e[i].pci_addr, e[i].size, &w)))
			return fail(r, err, (int)i, -1);
		if (r->n_outbound == PCI_RESV_MAX_WINDOWS)
			return fail(r, -E2BIG, (int)i, -1);
		r->outbound[r->n_outbound++] = w;
		if ((err = add_region(r, w.first, w.last, RESV_RESERVED, RESV_OUTBOUND_WINDOW)))
			return fail(r, err, (int)i, -1);
	}
	return 0;
}

/* Inbound windows: sorted, checked for overlaps, then the limit, the mask and the holes. */
static int read_inbound(struct pci_resv *r, const struct fdt *fdt, int host)
{
	struct fdt_pci_range e[PCI_RESV_MAX_ENTRIES];
	int index[PCI_RESV_MAX_WINDOWS];	/* DT entry of each sorted window, for errors */
	unsigned n;
	int err = fdt_get_pci_ranges(fdt, host, "dma-ranges", e, PCI_RESV_MAX_ENTRIES, &n);

	if (err == FDT_ERR_NOTFOUND)
		return 0;
	if (err)
		return fail(r, from_fdt(err), -1, -1);
	/* Linux keeps only memory entries with a size (drivers/pci/of.c). Insertion sort by bus
	 * address, remembering each window's DT index. */
	for (unsigned i = 0; i < n; i++) {
		struct iova_range w;
		if (!is_memory(e[i].flags) || e[i].size == 0)
			continue;
		if ((err = to_range(e[i].pci_addr, e[i].size, &w)))
			return fail(r, err, (int)i, -1);
		if (r->n_inbound == PCI_RESV_MAX_WINDOWS)
			return fail(r, -E2BIG, (int)i, -1);
		unsigned at = r->n_inbound++;
		while (at > 0 && r->inbound[at - 1].first > w.first) {
			r->inbound[at] = r->inbound[at - 1];
			index[at] = index[at - 1];
			at--;
		}
		r->inbound[at] = w;
		index[at] = (int)i;
	}
	if (r->n_inbound == 0)
		return 0;
	/* Sorted by start, any overlap shows between neighbours: name both entries. */
	for (unsigned i = 1; i < r->n_inbound; i++)
		if (r->inbound[i].first <= r->inbound[i - 1].last)
			return fail(r, -EEXIST, index[i - 1], index[i]);

	r->bus_dma_limit = pci_bus_dma_limit(r->inbound, r->n_inbound);
	r->dma_mask = dma_mask_covering(r->bus_dma_limit);

	struct iova_range gaps[PCI_RESV_MAX_WINDOWS + 1];
	unsigned n_gaps;
	if ((err = iova_inbound_gaps(r->inbound, r->n_inbound, gaps, &n_gaps)))
		return fail(r, err, -1, -1);
	for (unsigned i = 0; i < n_gaps; i++)
		if ((err = add_region(r, gaps[i].first, gaps[i].last, RESV_RESERVED, RESV_INBOUND_HOLE)))
			return fail(r, err, -1, -1);
	return 0;
}

/* The doorbell of MSI controller <node>, if it is one whose doorbell we know (pci_resv.h). */
static int add_doorbell(struct pci_resv *r, const struct fdt *fdt, int node, int entry)
{
	uint64_t addr, size;
	struct iova_range db;
	int err;

	if (fdt_is_compatible(fdt, node, "arm,gic-v2m-frame")) {
		if (fdt_get_reg(fdt, node, 0, &addr, &size) || size == 0)
			return fail(r, -EINVAL, entry, -1);
	} else if (fdt_is_compatible(fdt, node, "arm,gic-v3-its")) {
		if (fdt_get_reg(fdt, node, 0, &addr, &size) || size < ITS_TRANSLATER_FRAME + ITS_FRAME_SIZE ||
		    addr > UINT64_MAX - ITS_TRANSLATER_FRAME)
			return fail(r, -EINVAL, entry, -1);
		addr += ITS_TRANSLATER_FRAME;
		size = ITS_FRAME_SIZE;
	} else {
		return 0;
	}
	if ((err = to_range(addr, size, &db)))
		return fail(r, err, entry, -1);
	if ((err = add_region(r, db.first, db.last, RESV_MSI, RESV_MSI_DOORBELL)))
		return fail(r, err, entry, -1);
	return 0;
}

/* "msi-parent" (phandle, then #msi-cells cells, repeated) and "msi-map" (rid-base, phandle,
 * msi-base, length). */
static int read_msi(struct pci_resv *r, const struct fdt *fdt, int host)
{
	const uint8_t *p;
	uint32_t len;
	int err;

	if (fdt_get_prop(fdt, host, "msi-parent", (const void **)&p, &len) == 0) {
		if (len % 4 != 0)
			return fail(r, -EINVAL, -1, -1);
		uint32_t cell = 0, ncells = len / 4;
		for (int entry = 0; cell < ncells; entry++) {
			int node = fdt_find_phandle(fdt, fdt_load_be32(p + 4 * cell));
			uint32_t msi_cells = 0;
			if (node < 0)
				return fail(r, -EINVAL, entry, -1);
			err = fdt_get_u32(fdt, node, "#msi-cells", &msi_cells);
			if ((err && err != FDT_ERR_NOTFOUND) || msi_cells > ncells - cell - 1)
				return fail(r, -EINVAL, entry, -1);
			if ((err = add_doorbell(r, fdt, node, entry)))
				return err;
			cell += 1 + msi_cells;
		}
	}
	if (fdt_get_prop(fdt, host, "msi-map", (const void **)&p, &len) == 0) {
		if (len % 16 != 0)
			return fail(r, -EINVAL, -1, -1);
		if (len / 16 > PCI_RESV_MAX_ENTRIES)
			return fail(r, -E2BIG, -1, -1);
		for (uint32_t i = 0; i < len / 16; i++) {
			int node = fdt_find_phandle(fdt, fdt_load_be32(p + 16 * i + 4));
			if (node < 0)
				return fail(r, -EINVAL, (int)i, -1);
			if ((err = add_doorbell(r, fdt, node, (int)i)))
				return err;
		}
	}
	return 0;
}

/* #address-cells or #size-cells of <node>'s bus: the nearest of <node> and its ancestors that
 * has the property, else the spec's default (Linux of_bus_n_addr_cells / of_bus_n_size_cells). */
static int bus_cells(const struct fdt *fdt, int node, const char *name, uint32_t fallback,
		     uint32_t *cells)
{
	for (int depth = 0; depth < 64; depth++) {
		int err = fdt_get_u32(fdt, node, name, cells);
		if (err == 0)
			return 0;
		if (err != FDT_ERR_NOTFOUND)
			return -EINVAL;
		node = fdt_parent(fdt, node);
		if (node == FDT_ERR_NOTFOUND) {
			*cells = fallback;
			return 0;
		}
		if (node < 0)
			return -EINVAL;
	}
	return -EINVAL;
}

/* One /reserved-memory node listed by the device's memory-region: its iommu-addresses entries
 * that name <dev>. <entry> is the memory-region index, for errors. */
static int read_one_reservation(struct pci_resv *r, const struct fdt *fdt, int mem, int dev, int entry)
{
	uint64_t phys = 0, phys_size = 0;
	const uint8_t *p;
	uint32_t len;
	int err;

	/* reg is optional: without it the region is a pure IOVA carve-out. One that is there must
	 * be readable (and translatable: /reserved-memory normally has an empty "ranges"). */
	int has_reg = fdt_get_prop(fdt, mem, "reg", (const void **)&p, &len) == 0;
	if (has_reg && fdt_get_reg(fdt, mem, 0, &phys, &phys_size))
		return fail(r, -EINVAL, entry, -1);
	has_reg = has_reg && phys_size != 0;

	if (fdt_get_prop(fdt, mem, "iommu-addresses", (const void **)&p, &len))
		return 0;	/* no iommu-addresses: the region is no IOMMU business */
	uint32_t cell = 0, ncells;
	if (len % 4 != 0)
		return fail(r, -EINVAL, entry, -1);
	ncells = len / 4;
	while (cell < ncells) {
		int target = fdt_find_phandle(fdt, fdt_load_be32(p + 4 * cell));
		int bus = target < 0 ? target : fdt_parent(fdt, target);
		uint32_t na, ns;
		if (bus < 0 || bus_cells(fdt, bus, "#address-cells", 2, &na) ||
		    bus_cells(fdt, bus, "#size-cells", 1, &ns))
			return fail(r, -EINVAL, entry, -1);
		/* A PCI bus address is phys.hi (flags) and 64 bits: skip the flags. */
		uint32_t skip = na == 3 ? 1 : 0;
		if (na < 1 || na > 3 || ns < 1 || ns > 2 || 1 + na + ns > ncells - cell)
			return fail(r, -EINVAL, entry, -1);
		uint64_t iova, size;
		fdt_read_cells(p + 4 * (cell + 1 + skip), na - skip, &iova);
		fdt_read_cells(p + 4 * (cell + 1 + na), ns, &size);
		cell += 1 + na + ns;
		if (target != dev || size == 0)
			continue;	/* another device's, or empty (Linux skips those too) */
		struct iova_range range;
		if ((err = to_range(iova, size, &range)))
			return fail(r, err, entry, -1);
		enum resv_type type = has_reg && iova == phys && size == phys_size ? RESV_DIRECT : RESV_RESERVED;
		if ((err = add_region(r, range.first, range.last, type, RESV_RESERVED_MEMORY)))
			return fail(r, err, entry, -1);
	}
	return 0;
}

static int read_reserved_memory(struct pci_resv *r, const struct fdt *fdt, int dev)
{
	const uint8_t *p;
	uint32_t len;
	int err;

	if (dev < 0 || fdt_get_prop(fdt, dev, "memory-region", (const void **)&p, &len))
		return 0;
	if (len % 4 != 0)
		return fail(r, -EINVAL, -1, -1);
	for (uint32_t i = 0; i < len / 4; i++) {
		int mem = fdt_find_phandle(fdt, fdt_load_be32(p + 4 * i));
		if (mem < 0)
			return fail(r, -EINVAL, (int)i, -1);
		if ((err = read_one_reservation(r, fdt, mem, dev, (int)i)))
			return err;
	}
	return 0;
}

int pci_resv_from_dt(struct pci_resv *r, const struct fdt *fdt, int host, int dev)
{
	int err;

	if (!r)
		return -EINVAL;
	*r = (struct pci_resv){.bus_dma_limit = 0, .dma_mask = UINT64_MAX};
	clear_bad(r);
	if (!fdt || host < 0)
		return -EINVAL;
	if ((err = read_outbound(r, fdt, host)) || (err = read_inbound(r, fdt, host)) ||
	    (err = read_msi(r, fdt, host)) || (err = read_reserved_memory(r, fdt, dev)))
		return err;
	return 0;
}

int pci_resv_reserve(struct iova_domain *d, const struct pci_resv *r)
{
	int err;

	if (!d || !r)
		return -EINVAL;
	for (unsigned i = 0; i < r->n_regions; i++)
		if ((err = iova_reserve(d, r->region[i].first, r->region[i].last)))
			return err;
	return 0;
}

uint64_t pci_bus_dma_limit(const struct iova_range *inbound, unsigned n)
{
	uint64_t limit = 0;

	for (unsigned i = 0; i < n; i++)
		if (inbound[i].last > limit)
			limit = inbound[i].last;
	return limit;
}

uint64_t dma_mask_covering(uint64_t limit)
{
	/* Copy the top set bit into every bit below it. */
	for (unsigned shift = 1; shift < 64; shift <<= 1)
		limit |= limit >> shift;
	return limit;
}

int pci_resv_overlaps(const struct pci_resv *r, uint64_t first, uint64_t last)
{
	for (unsigned i = 0; i < r->n_regions; i++)
		if (r->region[i].first <= last && first <= r->region[i].last)
			return 1;
	return 0;
}

const char *resv_type_name(enum resv_type type)
{
	switch (type) {
	case RESV_RESERVED:
		return "reserved";
	case RESV_MSI:
		return "msi";
	case RESV_DIRECT:
		return "direct";
	}
	return "?";
}

const char *resv_source_name(enum resv_source source)
{
	switch (source) {
	case RESV_OUTBOUND_WINDOW:
		return "outbound window";
	case RESV_INBOUND_HOLE:
		return "inbound hole";
	case RESV_MSI_DOORBELL:
		return "msi doorbell";
	case RESV_RESERVED_MEMORY:
		return "reserved-memory";
	}
	return "?";
}

int resv_region_format(const struct resv_region *region, char *buf, size_t size)
{
	return snprintf(buf, size, "0x%016llx 0x%016llx %s", (unsigned long long)region->first,
			(unsigned long long)region->last, resv_type_name(region->type));
}

const char *pci_resv_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -EINVAL:
		return "malformed property (length, cell counts or phandle)";
	case -E2BIG:
		return "more entries than the firmware's tables hold";
	case -EOVERFLOW:
		return "a window or region ends past the 64-bit address space";
	case -EEXIST:
		return "overlapping dma-ranges entries";
	case -EBUSY:
		return "a reserved region covers an IOVA already allocated";
	case -ENOMEM:
		return "the IOVA domain's range table is full";
	default:
		return "unknown error";
	}
}
