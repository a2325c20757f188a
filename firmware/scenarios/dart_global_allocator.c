/*
 * dart_global_allocator: U-Boot's LMB regression (the 2024 u-boot mailing-list report: a global LMB made apple_dart hand out IOVAs above 4 GiB) on apple-t8103.
 *
 * BUGGY (U-Boot after ed17a33fed2): one global allocator for the whole system. RAM and the
 * DART's IOVA window [16 KiB, 4 GiB) are regions of one map, and a top-down search finds RAM
 * first, so the "IOVA" handed to the device is a RAM address (at or above the RAM base,
 * 0x8_0000_0000 here). The DART's tables cover only the low 4 GiB: this driver refuses the
 * mapping (U-Boot's indexed its flat L2 array with dva / 16 KiB, far past the tables, and did
 * not notice); the device gets the IOVA anyway, its write faults in the DART, and the firmware
 * reads the error (stream, IOVA, code) and checks it. The IOVA lies in TTBR0's 64 GiB but past
 * the L1 entries of the 32-bit space, whose L1 entry is empty: NO_PMD.
 *
 * FIXED (U-Boot's fix, Linux): one allocator per DART (lib/iova in struct dart, via lib/dma):
 * the same buffer gets an IOVA below 4 GiB, the DMA lands, no error.
 *
 * The descriptor ring is set up the fixed way in both parts (apple_usb.c), so that the engine
 * can fetch the descriptor and only the data buffer shows the bug.
 */
#include <errno.h>
#include <stdio.h>

#include "apple_usb.h"
#include "pages.h"

#define BUF_SIZE	DART_PAGE_SIZE
#define PATTERN		0x5a5a1234u

static struct apple_usb u;
/* The buggy allocator: one for everything (U-Boot's global LMB). */
static struct iova_domain global_lmb;

static int ram_range(uint64_t *base, uint64_t *size)
{
	const struct fdt *fdt = apple_usb_fdt();
	int node = fdt ? fdt_find_node(fdt, "/memory") : -1;

	if (node < 0 || fdt_get_reg(fdt, node, 0, base, size)) {
		printf("no /memory in the DTB\n");
		return -ENODEV;
	}
	return 0;
}

static void buggy(void *buf)
{
	uint64_t ram_base, ram_size, iova;

	printf("--- buggy: one global allocator for RAM and every DART (U-Boot ed17a33fed2) ---\n");
	if (ram_range(&ram_base, &ram_size))
		return (void)check(0, "RAM range");
	/* One map: the DART's window and RAM, with the hole between them reserved. */
	check(iova_domain_init(&global_lmb, "global-lmb", DART_PAGE_SIZE, DART_PAGE_SIZE,
			       ram_base + ram_size - 1) == 0, "global allocator");
	check(iova_reserve(&global_lmb, 1ull << DART_IOVA_BITS, ram_base - 1) == 0, "hole reserved");
	/* No DMA mask: U-Boot's lmb_alloc searched anywhere (LMB_ALLOC_ANYWHERE). */
	check(iova_alloc(&global_lmb, BUF_SIZE, UINT64_MAX, &iova) == 0, "global allocation");
	printf("global allocator: iova 0x%llx for %s (RAM is 0x%llx..0x%llx)\n",
	       (unsigned long long)iova, u.name, (unsigned long long)ram_base,
	       (unsigned long long)(ram_base + ram_size - 1));
	check(iova >= ram_base, "the buggy IOVA is a RAM address");

	int err = dart_iommu_ops.map(&u.dart, iova, (uintptr_t)buf, BUF_SIZE, IOMMU_READ | IOMMU_WRITE);
	printf("dart map: %s (%d); the device gets the iova anyway, as U-Boot's did\n",
	       err == -EINVAL ? "refused, outside the DART's 32-bit IOVA space" : "accepted", err);
	check(err == -EINVAL, "the driver refuses an IOVA above 4 GiB");

	uint32_t st = apple_usb_fill(&u, PATTERN, iova, BUF_SIZE);
	printf("device write to iova 0x%llx: %s\n", (unsigned long long)iova, dma_engine_status_name(st));
	check(st == DMA_ENGINE_ST_DST_ERROR, "the device's write fails");
	expect_dart_fault(&u, "buggy", DART_T8020_ERROR_NO_PMD, iova);
	check(fill_mismatch(buf, BUF_SIZE, 0) < 0, "the buffer is untouched");
	iova_free(&global_lmb, iova, BUF_SIZE);
}

static void fixed(void *buf)
{
	uint64_t iova;

	printf("--- fixed: one allocator per DART ---\n");
	if (!check(dma_map_single(&u.dev, (uintptr_t)buf, BUF_SIZE, DMA_FROM_DEVICE, &iova) == 0,
		   "per-DART mapping"))
		return;
	printf("%s allocator: iova 0x%08llx\n", u.name, (unsigned long long)iova);
	check(iova < (1ull << DART_IOVA_BITS), "the IOVA is inside the DART's window");
	uint32_t st = apple_usb_fill(&u, PATTERN, iova, BUF_SIZE);
	int ok = st == DMA_ENGINE_ST_OK && fill_mismatch(buf, BUF_SIZE, PATTERN) < 0;
	printf("device write to iova 0x%08llx: %s, %s\n", (unsigned long long)iova,
	       dma_engine_status_name(st), ok ? "data ok" : "data WRONG");
	check(ok, "the DMA lands in the buffer");
	expect_no_dart_fault(&u, "fixed");
	check(dma_unmap_single(&u.dev, iova, BUF_SIZE) == 0, "unmap");
}

int main(void)
{
	if (apple_usb_setup(&u, 0))
		return 1;
	void *buf = pages_alloc(BUF_SIZE);
	if (!check(buf != NULL, "buffer"))
		return 1;
	buggy(buf);
	fixed(buf);
	if (check_failures)
		return 1;
	printf("dart_global_allocator: buggy form faulted as expected, fixed form passed\n");
	return 0;
}
