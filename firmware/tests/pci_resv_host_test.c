/*
 * Host test of firmware/lib/pci_resv.c: the DMA limit, the DMA mask and the reserved IOVA
 * regions a device behind a PCI host bridge gets from the device tree, checked value by value
 * against what Linux derives (of_dma_configure_id, iova_reserve_pci_windows,
 * of_iommu_get_resv_regions) for
 *   1. the 2017 iProc example (tests/firmware/pcie_2017.dts): inbound windows 2G@2G, 32G@32G,
 *      256G@512G -> bus_dma_limit 0xbf_ffff_ffff, a 40-bit mask, holes [0, 2G), [4G, 32G),
 *      [64G, 512G), [768G, top], the outbound windows, the ITS doorbell, reserved-memory;
 *   2. socsim's virt (platforms/virt.dts): no dma-ranges, so no limit and no holes: the
 *      outbound memory window and the GICv2m doorbell only;
 *   3. the same windows in another DT order, overlapping windows (refused, both entries
 *      named), touching windows, bad property lengths, too many entries, a window past 2^64;
 *   4. allocations with dma_limit() in an IOVA space with the regions reserved never land in
 *      a hole, an outbound window or a reserved region; without them, the mask alone lands in
 *      the hole above 768G (the 2017 bug);
 *   5. mutated blobs: errors, never a crash (built with the sanitizers).
 *
 *   pci_resv_host_test build/tests/firmware/pcie_2017.dtb build/tests/firmware/virt_plain.dtb
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dma.h"
#include "host_check.h"
#include "iova.h"
#include "pci_resv.h"

#define G (1ull << 30)

struct expect {
	uint64_t first, last;
	enum resv_type type;
	enum resv_source source;
};

/* The regions of <r> are exactly <want>, in order. */
static void check_regions(const struct pci_resv *r, const struct expect *want, unsigned n)
{
	CHECK(r->n_regions == n);
	for (unsigned i = 0; i < n && i < r->n_regions; i++) {
		const struct resv_region *g = &r->region[i];
		if (g->first != want[i].first || g->last != want[i].last || g->type != want[i].type ||
		    g->source != want[i].source) {
			fprintf(stderr, "region %u: got 0x%llx..0x%llx %s (%s), want 0x%llx..0x%llx %s (%s)\n", i,
				(unsigned long long)g->first, (unsigned long long)g->last,
				resv_type_name(g->type), resv_source_name(g->source),
				(unsigned long long)want[i].first, (unsigned long long)want[i].last,
				resv_type_name(want[i].type), resv_source_name(want[i].source));
			failures++;
		}
	}
}

/* The 2017 example: fact sheet values, every region in order. */
static const struct expect iproc_2017[] = {
	{0, 2 * G - 1, RESV_RESERVED, RESV_INBOUND_HOLE},				/* [0, 2G) */
	{0x20000000, 0x23ffffff, RESV_RESERVED, RESV_OUTBOUND_WINDOW},			/* 32-bit */
	{0x63c30000, 0x63c3ffff, RESV_MSI, RESV_MSI_DOORBELL},				/* ITS */
	{0x90000000, 0x907fffff, RESV_DIRECT, RESV_RESERVED_MEMORY},			/* fb */
	{0xa0000000, 0xa00fffff, RESV_RESERVED, RESV_RESERVED_MEMORY},			/* carve-out */
	{4 * G, 32 * G - 1, RESV_RESERVED, RESV_INBOUND_HOLE},				/* [4G, 32G) */
	{48 * G, 49 * G - 1, RESV_RESERVED, RESV_OUTBOUND_WINDOW},			/* 64-bit */
	{64 * G, 512 * G - 1, RESV_RESERVED, RESV_INBOUND_HOLE},			/* [64G, 512G) */
	{768 * G, UINT64_MAX, RESV_RESERVED, RESV_INBOUND_HOLE},			/* [768G, top] */
};

static void check_2017(const struct fdt *fdt)
{
	static struct pci_resv r;
	int host = fdt_find_node(fdt, "/pcie@68000000");
	int ep0 = fdt_find_node(fdt, "/pcie@68000000/device@0,0");
	int ep1 = fdt_find_node(fdt, "/pcie@68000000/device@1,0");
	char line[80];

	CHECK(host >= 0 && ep0 >= 0 && ep1 >= 0);
	CHECK(pci_resv_from_dt(&r, fdt, host, ep0) == 0);
	CHECK(r.bus_dma_limit == 0xbfffffffffull);	/* 768G - 1 */
	CHECK(r.dma_mask == (1ull << 40) - 1);		/* 40 bits */
	CHECK(r.n_inbound == 3);
	CHECK(r.inbound[0].first == 2 * G && r.inbound[0].last == 4 * G - 1);
	CHECK(r.inbound[1].first == 32 * G && r.inbound[1].last == 64 * G - 1);
	CHECK(r.inbound[2].first == 512 * G && r.inbound[2].last == 768 * G - 1);
	CHECK(r.n_outbound == 2);	/* the I/O window is not a memory window */
	CHECK(r.bad[0] == -1 && r.bad[1] == -1);
	check_regions(&r, iproc_2017, sizeof iproc_2017 / sizeof iproc_2017[0]);

	/* Linux's reserved_regions line format. */
	CHECK(resv_region_format(&r.region[0], line, sizeof line) > 0 &&
	      strcmp(line, "0x0000000000000000 0x000000007fffffff reserved") == 0);
	CHECK(resv_region_format(&r.region[2], line, sizeof line) > 0 &&
	      strcmp(line, "0x0000000063c30000 0x0000000063c3ffff msi") == 0);
	CHECK(resv_region_format(&r.region[3], line, sizeof line) > 0 &&
	      strcmp(line, "0x0000000090000000 0x00000000907fffff direct") == 0);
	CHECK(resv_region_format(&r.region[8], line, sizeof line) > 0 &&
	      strcmp(line, "0x000000c000000000 0xffffffffffffffff reserved") == 0);

	/* ep1: only its own reserved-memory region; the windows and the doorbell are the same. */
	static struct pci_resv r1;
	CHECK(pci_resv_from_dt(&r1, fdt, host, ep1) == 0);
	CHECK(r1.n_regions == 8);	/* 9 - fb - carve-out + ep1's region */
	CHECK(pci_resv_overlaps(&r1, 0xa001000000ull, 0xa0010fffffull));
	CHECK(!pci_resv_overlaps(&r1, 0x90000000, 0x90000000));	/* ep0's framebuffer */
	/* Endpoint not described in the DT: no reserved-memory regions at all. */
	CHECK(pci_resv_from_dt(&r1, fdt, host, -1) == 0 && r1.n_regions == 7);

	/* The same windows in another DT order: the same limit, mask and holes. */
	int unsorted = fdt_find_node(fdt, "/pcie-unsorted");
	const struct expect unsorted_want[] = {	/* not static: copies of other entries (not constants in C) */
		iproc_2017[0], iproc_2017[1], iproc_2017[2], iproc_2017[5],
		iproc_2017[6], iproc_2017[7], iproc_2017[8],
	};
	CHECK(pci_resv_from_dt(&r1, fdt, unsorted, -1) == 0);
	CHECK(r1.bus_dma_limit == 0xbfffffffffull && r1.dma_mask == (1ull << 40) - 1);
	CHECK(r1.inbound[0].first == 2 * G && r1.inbound[2].first == 512 * G);
	check_regions(&r1, unsorted_want, sizeof unsorted_want / sizeof unsorted_want[0]);

	/* A user-managed (VFIO/DPDK-like) identity map that reads the list first: the RAM banks
	 * at 34G, 576G, 640G are usable identity; the RAM-less 32G..34G is not a hole (inside the
	 * window); 512G..576G is inside the 256 GiB window too; 64G..512G and 768G.. are holes. */
	CHECK(!pci_resv_overlaps(&r, 0x880000000ull, 0xbffffffffull));	/* 14G@34G */
	CHECK(!pci_resv_overlaps(&r, 576 * G, 592 * G - 1));
	CHECK(!pci_resv_overlaps(&r, 640 * G, 656 * G - 1));
	CHECK(!pci_resv_overlaps(&r, 32 * G, 34 * G - 1));
	CHECK(pci_resv_overlaps(&r, 100 * G, 100 * G));
	CHECK(pci_resv_overlaps(&r, 768 * G, 768 * G));
	CHECK(pci_resv_overlaps(&r, 48 * G, 48 * G));	/* a peer's BAR: peer to peer */
}

static void check_bad_inputs(const struct fdt *fdt)
{
	static struct pci_resv r;

	/* Overlapping windows: refused, naming DT entries 0 and 2. */
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-overlap"), -1) == -EEXIST);
	CHECK(r.bad[0] == 0 && r.bad[1] == 2);
	CHECK(strcmp(pci_resv_strerror(-EEXIST), "overlapping dma-ranges entries") == 0);

	/* Touching windows and one at bus 0: no hole between or below them; the I/O entry and
	 * the empty entry are not windows. Only [4G, top] is a hole. */
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-adjacent"), -1) == 0);
	CHECK(r.n_inbound == 2 && r.bus_dma_limit == 4 * G - 1 && r.dma_mask == 0xffffffffull);
	CHECK(r.n_regions == 1 && r.region[0].first == 4 * G && r.region[0].last == UINT64_MAX);

	/* A window ending at 2^64 - 1: the whole space is in reach, only below it is a hole. */
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-top"), -1) == 0);
	CHECK(r.bus_dma_limit == UINT64_MAX && r.dma_mask == UINT64_MAX);
	CHECK(r.n_regions == 1 && r.region[0].first == 0 && r.region[0].last == 0xfffffffeffffffffull);

	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-short"), -1) == -EINVAL);
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-many"), -1) == -E2BIG);
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-wrap"), -1) == -EOVERFLOW);
	CHECK(r.bad[0] == 0);
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-badmsi"), -1) == -EINVAL);
	CHECK(r.bad[0] == 0);
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie-cells"), -1) == -EINVAL);
	CHECK(pci_resv_from_dt(&r, fdt, -1, -1) == -EINVAL);
	CHECK(pci_resv_from_dt(&r, NULL, 0, -1) == -EINVAL);
	/* The root is no PCI bus (no parent for the parent's cells). */
	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/"), -1) == -EINVAL);
}

static void check_virt(const struct fdt *fdt)
{
	static struct pci_resv r;
	int host = fdt_find_node(fdt, "/pcie@10000000");
	int edu = fdt_find_node(fdt, "/pcie@10000000/edu@1");
	static const struct expect virt[] = {
		{0x08020000, 0x08020fff, RESV_MSI, RESV_MSI_DOORBELL},		/* GICv2m frame */
		{0x10000000, 0x3efeffff, RESV_RESERVED, RESV_OUTBOUND_WINDOW},	/* 32-bit MMIO */
	};

	CHECK(host >= 0 && edu >= 0);
	CHECK(pci_resv_from_dt(&r, fdt, host, edu) == 0);
	CHECK(r.bus_dma_limit == 0 && r.dma_mask == UINT64_MAX && r.n_inbound == 0);
	CHECK(r.n_outbound == 1);	/* the I/O window is left out */
	check_regions(&r, virt, sizeof virt / sizeof virt[0]);

	/* The edu's 28-bit mask is its limit: no bus limit to lower it. */
	struct dma_device dev = {.dma_mask = (1ull << 28) - 1, .bus_dma_limit = r.bus_dma_limit};
	CHECK(dma_limit(&dev) == (1ull << 28) - 1);
}

/* Allocations with the limit never land in a hole, a window or a reserved region. */
static void check_allocation(const struct fdt *fdt)
{
	static struct pci_resv r;
	static struct iova_domain d;
	uint64_t a;

	CHECK(pci_resv_from_dt(&r, fdt, fdt_find_node(fdt, "/pcie@68000000"),
			       fdt_find_node(fdt, "/pcie@68000000/device@0,0")) == 0);
	/* A 64-bit device: its mask is not the limit, bus_dma_limit is. */
	struct dma_device dev = {.dma_mask = UINT64_MAX, .bus_dma_limit = r.bus_dma_limit};
	CHECK(dma_limit(&dev) == 0xbfffffffffull);
	dev.dma_mask = (1ull << 32) - 1;	/* a 32-bit device: its mask is */
	CHECK(dma_limit(&dev) == 0xffffffffull);
	dev.dma_mask = UINT64_MAX;

	/* The 2017 state: an SMMU space (48 bits) with nothing reserved and the 40-bit mask as
	 * the only limit hands out an IOVA in the hole above 768G. */
	CHECK(iova_domain_init(&d, "no-resv", 4096, 0, (1ull << 48) - 1) == 0);
	CHECK(iova_alloc(&d, 4096, r.dma_mask, &a) == 0 && a == 0xfffffff000ull);
	CHECK(pci_resv_overlaps(&r, a, a + 4095));

	/* With every region reserved, the mask alone and the limit agree: top of the 256G window. */
	CHECK(iova_domain_init(&d, "resv", 4096, 0, (1ull << 48) - 1) == 0);
	CHECK(pci_resv_reserve(&d, &r) == 0);
	CHECK(iova_alloc(&d, 4096, r.dma_mask, &a) == 0 && a == 0xbffffff000ull);
	CHECK(iova_free(&d, a, 4096) == 0);
	CHECK(iova_alloc(&d, 4096, dma_limit(&dev), &a) == 0 && a == 0xbffffff000ull);
	CHECK(iova_free(&d, a, 4096) == 0);
	/* A limit inside a hole comes down to the window below it: 100G -> top of 32G..64G. */
	CHECK(iova_alloc(&d, 4096, 100 * G, &a) == 0 && a == 64 * G - 4096);
	CHECK(iova_free(&d, a, 4096) == 0);

	/* 4 GiB blocks until none is left: 64 in the 256G window, 7 in the 32G window (the 8th
	 * holds the 64-bit outbound window), none in the 2G one. Every one inside one inbound
	 * window and clear of every region. */
	uint64_t block[80];
	unsigned n = 0;
	int err;
	while (n < 80 && (err = iova_alloc(&d, 4 * G, dma_limit(&dev), &block[n])) == 0) {
		int in_window = 0;
		for (unsigned w = 0; w < r.n_inbound; w++)
			in_window |= block[n] >= r.inbound[w].first && block[n] + 4 * G - 1 <= r.inbound[w].last;
		CHECK(in_window && !pci_resv_overlaps(&r, block[n], block[n] + 4 * G - 1));
		n++;
	}
	CHECK(err == -ENOSPC && n == 71);
	CHECK(block[0] == 764 * G && block[63] == 512 * G && block[64] == 60 * G);
	for (unsigned i = 0; i < n; i++)
		CHECK(iova_free(&d, block[i], 4 * G) == 0);

	/* Random sizes and limits: never a byte in a region. */
	srand(12);
	for (int round = 0; round < 2000; round++) {
		uint64_t size = 1 + ((uint64_t)rand() << 12) % (8 * G);
		uint64_t limit = ((uint64_t)rand() * 4096 * 97) % (1024 * G);
		if (iova_alloc(&d, size, limit, &a) == 0) {
			CHECK(!pci_resv_overlaps(&r, a, a + iova_align(&d, size) - 1));
			CHECK(a + iova_align(&d, size) - 1 <= limit);
			CHECK(iova_free(&d, a, size) == 0);
		}
	}

	/* A reservation over a live allocation is refused, not merged. */
	CHECK(iova_domain_init(&d, "busy", 4096, 0, (1ull << 48) - 1) == 0);
	CHECK(iova_alloc_at(&d, 0x1000, 4096) == 0);
	CHECK(pci_resv_reserve(&d, &r) == -EBUSY);
}

/* Mutated blobs: any error is fine, a crash or an out-of-blob read is not (ASan, UBSan). */
static void check_mutations(const uint8_t *blob, size_t size)
{
	static struct pci_resv r;
	uint8_t *copy = malloc(size);
	struct fdt fdt;

	srand(7);
	for (int round = 0; round < 3000; round++) {
		memcpy(copy, blob, size);
		for (int k = 0; k < 1 + rand() % 4; k++)
			copy[(size_t)rand() % size] ^= (uint8_t)(1u << (rand() % 8));
		if (fdt_init(&fdt, copy, size))
			continue;
		int host = fdt_find_node(&fdt, "/pcie@68000000");
		int dev = fdt_find_node(&fdt, "/pcie@68000000/device@0,0");
		if (host >= 0)
			(void)pci_resv_from_dt(&r, &fdt, host, dev);
		for (int node = fdt_next_node(&fdt, -1); node >= 0; node = fdt_next_node(&fdt, node))
			(void)pci_resv_from_dt(&r, &fdt, node, node);
	}
	free(copy);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s pcie_2017.dtb virt.dtb\n", argv[0]);
		return 2;
	}
	size_t size_2017, size_virt;
	uint8_t *blob_2017 = read_file(argv[1], &size_2017);
	uint8_t *blob_virt = read_file(argv[2], &size_virt);
	struct fdt fdt_2017, fdt_virt;

	CHECK(fdt_init(&fdt_2017, blob_2017, size_2017) == 0);
	CHECK(fdt_init(&fdt_virt, blob_virt, size_virt) == 0);
	CHECK(dma_mask_covering(0) == 0 && dma_mask_covering(1) == 1 &&
	      dma_mask_covering(0x80000000ull) == 0xffffffffull &&
	      dma_mask_covering(0xbfffffffffull) == 0xffffffffffull &&
	      dma_mask_covering(UINT64_MAX) == UINT64_MAX);
	check_2017(&fdt_2017);
	check_bad_inputs(&fdt_2017);
	check_virt(&fdt_virt);
	check_allocation(&fdt_2017);
	check_mutations(blob_2017, size_2017);
	free(blob_2017);
	free(blob_virt);
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("pci_resv_host_test: all checks passed\n");
	return 0;
}
