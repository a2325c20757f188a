/*
 * Host test of firmware/lib/fdt.c: reads a real DTB, then feeds the reader mutated and random
 * blobs, which must give errors, never a crash, an out-of-blob read or a hang. Build it with
 * the sanitizers so that "never reads out of the blob" is checked, not assumed:
 *
 *   cc -std=c11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all \
 *      -I firmware/lib firmware/tests/fdt_host_test.c firmware/lib/fdt.c -o fdt_host_test
 *   ./fdt_host_test build/firmware/virt/virt.dtb
 *
 * The DTB must be one of socsim's virt.dts (it checks nodes and values from that file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_check.h"
#include "fdt.h"

static void check_virt(const uint8_t *blob, size_t size)
{
	struct fdt fdt;
	uint32_t u32;
	uint64_t u64;
	const char *str;

	CHECK(fdt_init(&fdt, blob, size) == 0);
	CHECK(fdt_init(&fdt, blob, 39) == FDT_ERR_BADHEADER);
	CHECK(fdt_init(&fdt, blob, size - 1) == FDT_ERR_BADHEADER);	/* totalsize > max */
	CHECK(fdt_init(&fdt, blob, size) == 0);

	int root = fdt_find_node(&fdt, "/");
	CHECK(root >= 0);
	CHECK(fdt_get_string(&fdt, root, "model", &str) == 0 &&
	      strcmp(str, "socsim virt (QEMU arm virt memory map)") == 0);
	CHECK(fdt_get_u32(&fdt, root, "#address-cells", &u32) == 0 && u32 == 2);
	CHECK(fdt_get_u32(&fdt, root, "no-such-property", &u32) == FDT_ERR_NOTFOUND);

	CHECK(fdt_find_node(&fdt, "/chosen") > root);
	CHECK(fdt_find_node(&fdt, "/memory") >= 0);
	CHECK(fdt_find_node(&fdt, "/memory") == fdt_find_node(&fdt, "/memory@40000000"));
	CHECK(fdt_find_node(&fdt, "/memory@40000001") == FDT_ERR_NOTFOUND);
	CHECK(fdt_find_node(&fdt, "/cpus/cpu") == fdt_find_node(&fdt, "//cpus//cpu@0/"));
	CHECK(fdt_find_node(&fdt, "/cpus/cpu@0/nothing") == FDT_ERR_NOTFOUND);
	CHECK(fdt_find_node(&fdt, "/cpu@0") == FDT_ERR_NOTFOUND);	/* only under /cpus */
	CHECK(fdt_find_node(&fdt, "/nothing") == FDT_ERR_NOTFOUND);
	CHECK(fdt_find_node(&fdt, "chosen") == FDT_ERR_BADPATH);

	int memory = fdt_find_node(&fdt, "/memory");
	const void *reg;
	uint32_t len;
	CHECK(fdt_get_prop(&fdt, memory, "reg", &reg, &len) == 0 && len == 16);
	CHECK(fdt_load_be32((const uint8_t *)reg + 4) == 0x40000000);
	CHECK(fdt_get_u64(&fdt, memory, "reg", &u64) == FDT_ERR_BADVALUE);	/* 16 bytes */
	CHECK(fdt_get_u32(&fdt, memory, "reg", &u32) == FDT_ERR_BADVALUE);
	CHECK(fdt_get_string(&fdt, memory, "device_type", &str) == 0 && strcmp(str, "memory") == 0);

	int cpu = fdt_find_node(&fdt, "/cpus/cpu@0");
	CHECK(fdt_get_u32(&fdt, cpu, "clock-frequency", &u32) == 0 && u32 == 1000000000);
	int intc = fdt_find_node(&fdt, "/interrupt-controller");
	CHECK(fdt_get_string(&fdt, intc, "#interrupt-cells", &str) == FDT_ERR_BADVALUE); /* 00000003 */
	CHECK(fdt_get_string(&fdt, intc, "interrupt-controller", &str) == FDT_ERR_BADVALUE); /* empty */

	int uart = fdt_find_compatible(&fdt, -1, "arm,pl011");
	CHECK(uart >= 0 && uart == fdt_find_node(&fdt, "/pl011@9000000"));
	CHECK(fdt_find_compatible(&fdt, -1, "arm,primecell") == uart);	/* 2nd string */
	CHECK(fdt_find_compatible(&fdt, uart, "arm,pl011") == FDT_ERR_NOTFOUND);
	CHECK(fdt_find_compatible(&fdt, -1, "arm,pl01") == FDT_ERR_NOTFOUND);
	CHECK(fdt_find_compatible(&fdt, -1, "socsim,sim-control") ==
	      fdt_find_node(&fdt, "/sim-control@90f0000"));
	CHECK(fdt_find_compatible(&fdt, -1, "linux,dummy-virt") == root);

	/* Structure, reg with the parent's cells, phandles, status. */
	uint64_t addr, rsize;
	CHECK(fdt_parent(&fdt, uart) == root);
	CHECK(fdt_parent(&fdt, root) == FDT_ERR_NOTFOUND);
	CHECK(fdt_parent(&fdt, cpu) == fdt_find_node(&fdt, "/cpus"));
	CHECK(fdt_get_reg(&fdt, uart, 0, &addr, &rsize) == 0 && addr == 0x09000000 && rsize == 0x1000);
	CHECK(fdt_get_reg(&fdt, uart, 1, &addr, &rsize) == FDT_ERR_NOTFOUND);
	CHECK(fdt_get_reg(&fdt, intc, 1, &addr, &rsize) == 0 && addr == 0x08010000 && rsize == 0x10000);
	/* /cpus has no "ranges": a cpu reg is not an address in the CPU's space. */
	CHECK(fdt_get_reg(&fdt, cpu, 0, &addr, &rsize) == FDT_ERR_NOTFOUND);
	CHECK(fdt_get_reg(&fdt, root, 0, &addr, &rsize) == FDT_ERR_BADVALUE);
	CHECK(fdt_address_cells(&fdt, root, &u32) == 0 && u32 == 2);
	CHECK(fdt_size_cells(&fdt, fdt_find_node(&fdt, "/cpus"), &u32) == 0 && u32 == 0);
	CHECK(fdt_size_cells(&fdt, uart, &u32) == 0 && u32 == 1);	/* default */
	CHECK(fdt_get_u32(&fdt, intc, "phandle", &u32) == 0 && fdt_find_phandle(&fdt, u32) == intc);
	CHECK(fdt_find_phandle(&fdt, 0) == FDT_ERR_NOTFOUND);
	CHECK(fdt_find_phandle(&fdt, 0x7777) == FDT_ERR_NOTFOUND);
	CHECK(fdt_is_enabled(&fdt, uart) == 1 && fdt_is_enabled(&fdt, intc) == 0);
	CHECK(fdt_is_compatible(&fdt, uart, "arm,primecell") && !fdt_is_compatible(&fdt, uart, "arm"));
	CHECK(fdt_find_compatible(&fdt, -1, "arm,cortex-a15-gic") == intc);
	CHECK(fdt_find_enabled_compatible(&fdt, -1, "arm,cortex-a15-gic") == FDT_ERR_NOTFOUND);
	CHECK(fdt_find_enabled_compatible(&fdt, -1, "arm,pl011") == uart);
	/* A PCI bus's ranges: (3 PCI cells, parent address, 2 size cells), DT order, unfiltered. */
	struct fdt_pci_range pr[2];
	unsigned npr;
	int pcie = fdt_find_node(&fdt, "/pcie@10000000");
	CHECK(fdt_get_pci_ranges(&fdt, pcie, "ranges", pr, 2, &npr) == 0 && npr == 2);
	CHECK(FDT_PCI_SPACE(pr[0].flags) == FDT_PCI_SPACE_IO && pr[0].pci_addr == 0 &&
	      pr[0].parent_addr == 0x3eff0000 && pr[0].size == 0x10000);
	CHECK(FDT_PCI_SPACE(pr[1].flags) == FDT_PCI_SPACE_MEM32 && !(pr[1].flags & FDT_PCI_PREFETCH) &&
	      pr[1].pci_addr == 0x10000000 && pr[1].parent_addr == 0x10000000 && pr[1].size == 0x2eff0000);
	CHECK(fdt_get_pci_ranges(&fdt, pcie, "ranges", pr, 1, &npr) == FDT_ERR_NOSPACE);
	CHECK(fdt_get_pci_ranges(&fdt, pcie, "dma-ranges", pr, 2, &npr) == FDT_ERR_NOTFOUND && npr == 0);
	/* The GIC node has an empty "ranges" but two address cells: not a PCI bus. */
	CHECK(fdt_get_pci_ranges(&fdt, intc, "ranges", pr, 2, &npr) == FDT_ERR_BADVALUE);
	CHECK(fdt_get_pci_ranges(&fdt, root, "ranges", pr, 2, &npr) == FDT_ERR_BADVALUE);

	/* Document order: the root, then /aliases (virt.dts's first child), ..., then the end. */
	CHECK(fdt_next_node(&fdt, -1) == root);
	CHECK(fdt_next_node(&fdt, root) == fdt_find_node(&fdt, "/aliases"));
	CHECK(fdt_next_node(&fdt, fdt_find_node(&fdt, "/cpus")) == cpu);
	CHECK(fdt_next_node(&fdt, root + 4) == FDT_ERR_BADSTRUCT);	/* not a node's offset */
	int count = 0, node = root, last = root;
	while ((node = fdt_next_node(&fdt, node)) >= 0 && count < 1000) {
		CHECK(node > last);
		last = node;
		count++;
	}
	CHECK(node == FDT_ERR_NOTFOUND && count > 10);
	uint8_t cells[12] = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};
	CHECK(fdt_read_cells(cells, 2, &u64) == 0 && u64 == 0x100000002ull);
	CHECK(fdt_read_cells(cells, 3, &u64) == FDT_ERR_BADVALUE);
}

/* Run every reader entry point on <blob>; only the absence of crashes and hangs matters. */
static void exercise(const uint8_t *blob, size_t size)
{
	static const char *const paths[] = {"/", "/chosen", "/memory", "/cpus/cpu@0",
					    "/pl011@9000000", "/a/b/c/d"};
	struct fdt fdt;

	if (fdt_init(&fdt, blob, size) != 0)
		return;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		int node = fdt_find_node(&fdt, paths[i]);
		uint32_t u32;
		uint64_t u64;
		const char *str;
		fdt_get_u32(&fdt, node, "#address-cells", &u32);
		fdt_get_u64(&fdt, node, "reg", &u64);
		fdt_get_string(&fdt, node, "compatible", &str);
		if (node >= 0)
			fdt_get_u32(&fdt, node + 4, "x", &u32);	/* a non-node offset */
	}
	for (int node = fdt_find_compatible(&fdt, -1, "arm,pl011"), n = 0; node >= 0 && n < 1000;
	     node = fdt_find_compatible(&fdt, node, "arm,pl011"), n++)
		;
	fdt_find_compatible(&fdt, 1 << 30, "x");	/* an offset far outside the blob */
	fdt_next_node(&fdt, 1 << 30);
	/* The structure walkers are O(blob) each: run them on every 8th blob to keep this fast. */
	static unsigned calls;
	if (++calls % 8 != 0)
		return;
	int uart = fdt_find_enabled_compatible(&fdt, -1, "arm,pl011");
	uint64_t addr, rsize;
	fdt_get_reg(&fdt, uart, 0, &addr, &rsize);
	fdt_parent(&fdt, uart);
	fdt_find_phandle(&fdt, 1);
	for (int node = fdt_next_node(&fdt, -1), n = 0; node >= 0 && n < 1000;
	     node = fdt_next_node(&fdt, node), n++)
		;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <virt.dtb>\n", argv[0]);
		return 2;
	}
	size_t size;
	uint8_t *good = read_file(argv[1], &size);
	check_virt(good, size);

	/* Mutations of the real blob, in an exactly sized heap copy so ASan sees any overrun. */
	srand(1);
	for (int round = 0; round < 200000; round++) {
		uint8_t *copy = malloc(size);
		memcpy(copy, good, size);
		int edits = 1 + rand() % 8;
		for (int i = 0; i < edits; i++) {
			size_t at = (size_t)rand() % size;
			if (rand() % 4 == 0 && at + 4 <= size) {	/* a plausible small word */
				uint32_t v = (uint32_t)(rand() % 16);
				copy[at] = 0, copy[at + 1] = 0, copy[at + 2] = 0, copy[at + 3] = (uint8_t)v;
			} else {
				copy[at] = (uint8_t)rand();
			}
		}
		exercise(copy, size);
		free(copy);
	}

	/* Random blobs behind a valid header, with sizes that claim the whole buffer. */
	for (int round = 0; round < 20000; round++) {
		size_t n = 40 + (size_t)(rand() % 512);
		uint8_t *blob = malloc(n);
		/* Mostly big-endian words 0..9: tokens, small lengths and name offsets. */
		for (size_t i = 0; i < n; i++)
			blob[i] = (uint8_t)(i % 4 != 3 ? 0 : rand() % 4 ? rand() % 10 : 'a');
		memcpy(blob, good, 40);
		uint32_t fields[][2] = {{4, (uint32_t)n}, {8, 40}, {12, 40}, {32, (uint32_t)n - 40},
					{36, (uint32_t)n - 40}};
		for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
			for (int b = 0; b < 4; b++)
				blob[fields[f][0] + b] = (uint8_t)(fields[f][1] >> (24 - 8 * b));
		exercise(blob, n);
		free(blob);
	}

	free(good);
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("fdt_host_test: all checks passed\n");
	return 0;
}
