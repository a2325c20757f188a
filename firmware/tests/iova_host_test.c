/*
 * Host test of firmware/lib/iova.c: the allocation rules (top-down, natural alignment, granule
 * rounding, limit, never IOVA 0, reservations, PCI window holes) for the three IOMMU shapes
 * the firmware serves: SMMUv3 (4 KiB, 48-bit), DART (16 KiB, [16 KiB, 4 GiB)) and a 32-bit
 * single-table IOMMU; then random alloc/free sequences checked against a shadow model.
 *
 *   cc -std=c11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all \
 *      -I firmware/lib firmware/tests/iova_host_test.c firmware/lib/iova.c -o iova_host_test
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "host_check.h"
#include "iova.h"

static struct iova_domain d;

static void smmu_shape(void)
{
	uint64_t a, b, c;
	const uint64_t mask28 = (1ull << 28) - 1;

	CHECK(iova_domain_init(&d, "smmu", 4096, 0, (1ull << 48) - 1) == 0);
	CHECK(d.first == 4096 && d.last == (1ull << 48) - 1);	/* IOVA 0 excluded */
	CHECK(iova_alloc(&d, 1, mask28, &a) == 0 && a == 0x0ffff000);	/* rounded to a page, top */
	CHECK(iova_alloc(&d, 4096, mask28, &b) == 0 && b == 0x0fffe000);
	CHECK(iova_alloc(&d, 8192, mask28, &c) == 0 && c == 0x0fffc000);	/* aligned to 8 KiB */
	CHECK(iova_alloc(&d, 12288, mask28, &c) == 0 && c == 0x0fff8000);	/* 12 KiB, 16 KiB aligned */
	CHECK(iova_alloc(&d, 4096, UINT64_MAX, &c) == 0 && c == (1ull << 48) - 4096);
	CHECK(iova_free(&d, a, 1) == 0);
	CHECK(iova_free(&d, a, 4096) == -ENOENT);	/* double free */
	CHECK(iova_free(&d, b, 8192) == -EINVAL);	/* wrong size */
	CHECK(iova_alloc(&d, 4096, mask28, &a) == 0 && a == 0x0ffff000);	/* reused */
	CHECK(iova_alloc(&d, 0, mask28, &a) == -EINVAL);
	CHECK(iova_alloc(&d, 4096, 0xfff, &a) == -ENOSPC);	/* limit below the first page */

	/* The PCI outbound window of QEMU virt, no dma-ranges. */
	struct iova_range out = {0x10000000, 0x3efeffff};
	CHECK(iova_domain_init(&d, "smmu", 4096, 0, (1ull << 48) - 1) == 0);
	CHECK(iova_reserve_pci_windows(&d, &out, 1, NULL, 0) == 0);
	CHECK(iova_alloc(&d, 4096, 0x3efeffff, &a) == 0 && a == 0x0ffff000);
	CHECK(iova_alloc(&d, 4096, 0x3f000fff, &a) == 0 && a == 0x3f000000);
	CHECK(iova_is_busy(&d, 0x10000000, 0x10000000) && iova_is_busy(&d, 0x3efef000, 0x3efeffff));
	CHECK(iova_free(&d, 0x10000000, 4096) == -ENOENT);	/* reservations cannot be freed */
	/* A reservation over an allocation is refused. */
	CHECK(iova_reserve(&d, 0x3f000000, 0x3f000000) == -EBUSY);
	/* Overlapping and adjacent reservations merge. */
	CHECK(iova_reserve(&d, 0x3eff0000, 0x3eff0fff) == 0);
	CHECK(iova_reserve(&d, 0x0ffff000, 0x0fffffff) == -EBUSY);
	unsigned reserved = 0;
	for (unsigned i = 0; i < d.count; i++)
		reserved += d.busy[i].reserved;
	CHECK(reserved == 1);
	CHECK(iova_free(&d, 0x0ffff000, 4096) == 0);
	CHECK(iova_reserve(&d, 0x0ffff800, 0x0ffff800) == 0);	/* widened to the page, merged */
	reserved = 0;
	for (unsigned i = 0; i < d.count; i++)
		if (d.busy[i].reserved) {
			reserved++;
			CHECK(d.busy[i].first == 0x0ffff000 && d.busy[i].last == 0x3eff0fff);
		}
	CHECK(reserved == 1);

	/* 64 MiB blocks below 2^28: 0x0c000000 is taken by nothing, then 8, 4, and 0 is refused. */
	CHECK(iova_domain_init(&d, "smmu", 4096, 0, (1ull << 48) - 1) == 0);
	CHECK(iova_alloc(&d, 4096, mask28, &a) == 0);
	CHECK(iova_alloc(&d, 64 << 20, mask28, &a) == 0 && a == 0x08000000);
	CHECK(iova_alloc(&d, 64 << 20, mask28, &a) == 0 && a == 0x04000000);
	CHECK(iova_alloc(&d, 64 << 20, mask28, &a) == -ENOSPC);
}

static void pci_holes(void)
{
	/* Inbound windows 2G@2G and 32G@32G (given out of order), outbound 256M@1G. */
	struct iova_range in[2] = {{0x800000000ull, 0xfffffffffull}, {0x80000000ull, 0xffffffffull}};
	struct iova_range out = {0x40000000, 0x4fffffff};
	uint64_t a;

	CHECK(iova_domain_init(&d, "rc", 4096, 0, (1ull << 48) - 1) == 0);
	CHECK(iova_reserve_pci_windows(&d, &out, 1, in, 2) == 0);
	CHECK(iova_alloc(&d, 4096, UINT64_MAX, &a) == 0 && a == 0xffffff000ull);
	CHECK(iova_alloc(&d, 4096, 0x7ffffffffull, &a) == 0 && a == 0xfffff000ull);	/* hole skipped */
	CHECK(iova_alloc(&d, 4096, 0x7fffffffull, &a) == -ENOSPC);	/* below the first window */
	CHECK(iova_is_busy(&d, 0x1000, 0x7fffffff) && iova_is_busy(&d, 0x100000000ull, 0x7ffffffffull));
	CHECK(iova_is_busy(&d, 0x1000000000ull, 0xffffffffffffull));

	/* The gaps themselves, exact (Linux's pfn arithmetic would also take each window's first
	 * page): below, between, above. */
	struct iova_range gaps[IOVA_MAX_WINDOWS + 1];
	unsigned n_gaps;
	CHECK(iova_inbound_gaps(in, 2, gaps, &n_gaps) == 0 && n_gaps == 3);
	CHECK(gaps[0].first == 0 && gaps[0].last == 0x7fffffffull);
	CHECK(gaps[1].first == 0x100000000ull && gaps[1].last == 0x7ffffffffull);
	CHECK(gaps[2].first == 0x1000000000ull && gaps[2].last == UINT64_MAX);
	CHECK(iova_inbound_gaps(in, 0, gaps, &n_gaps) == 0 && n_gaps == 0);
	struct iova_range touching[2] = {{0x80000000ull, 0xffffffffull}, {0, 0x7fffffffull}};
	CHECK(iova_inbound_gaps(touching, 2, gaps, &n_gaps) == 0 && n_gaps == 1 &&
	      gaps[0].first == 0x100000000ull && gaps[0].last == UINT64_MAX);
	struct iova_range many[IOVA_MAX_WINDOWS + 1];
	for (unsigned i = 0; i <= IOVA_MAX_WINDOWS; i++)
		many[i] = (struct iova_range){(i + 1) * 0x10000ull, (i + 1) * 0x10000ull + 0xfff};
	CHECK(iova_inbound_gaps(many, IOVA_MAX_WINDOWS, gaps, &n_gaps) == 0 && n_gaps == IOVA_MAX_WINDOWS + 1);
	CHECK(iova_inbound_gaps(many, IOVA_MAX_WINDOWS + 1, gaps, &n_gaps) == -E2BIG);
	CHECK(iova_reserve_pci_windows(&d, NULL, 0, many, IOVA_MAX_WINDOWS + 1) == -E2BIG);

	struct iova_range overlap[2] = {{0x1000, 0x2fff}, {0x2000, 0x3fff}};
	CHECK(iova_domain_init(&d, "rc", 4096, 0, UINT64_MAX) == 0);
	CHECK(iova_reserve_pci_windows(&d, NULL, 0, overlap, 2) == -EINVAL);
	struct iova_range top[1] = {{0xffff000000000000ull, UINT64_MAX}};
	CHECK(iova_domain_init(&d, "rc", 4096, 0, UINT64_MAX) == 0);
	CHECK(iova_reserve_pci_windows(&d, NULL, 0, top, 1) == 0);
	CHECK(iova_alloc(&d, 4096, UINT64_MAX, &a) == 0 && a == UINT64_MAX - 4095);
	CHECK(iova_alloc(&d, 4096, 0xfffeffffffffffffull, &a) == -ENOSPC);
}

static void dart_shape(void)
{
	uint64_t a;

	/* DART: 16 KiB pages, IOVA window [16 KiB, 4 GiB). */
	CHECK(iova_domain_init(&d, "dart", 16384, 16384, 0xffffffffull) == 0);
	CHECK(iova_alloc(&d, 4096, UINT64_MAX, &a) == 0 && a == 0xffffc000ull);	/* one 16 KiB page */
	CHECK(iova_alloc(&d, 16385, UINT64_MAX, &a) == 0 && a == 0xffff0000ull);	/* 32 KiB, aligned */
	CHECK(iova_domain_init(&d, "dart", 16384, 0, 16384 * 4 - 1) == 0);
	CHECK(d.first == 16384);
	int n = 0;
	while (iova_alloc(&d, 16384, UINT64_MAX, &a) == 0) {
		CHECK(a != 0);
		n++;
	}
	CHECK(n == 3);	/* pages 1..3, never page 0 */
	CHECK(iova_domain_init(&d, "x", 3000, 0, 100000) == -EINVAL);	/* not a power of two */
	CHECK(iova_domain_init(&d, "x", 4096, 0, 4095) == -EINVAL);	/* nothing above page 0 */
}

/* One buffer at the same IOVA in two DARTs (iova_alloc_at, iova_alloc_shared). */
static void shared_iova(void)
{
	static struct iova_domain a, b, c;
	struct iova_domain *both[2] = {&a, &b};
	uint64_t x, y;

	CHECK(iova_domain_init(&a, "a", 16384, 16384, 0xffffffffull) == 0);
	CHECK(iova_domain_init(&b, "b", 16384, 16384, 0xffffffffull) == 0);
	CHECK(iova_alloc_at(&a, 0x10000000, 16384) == 0);
	CHECK(iova_alloc_at(&a, 0x10000000, 16384) == -EBUSY);
	CHECK(iova_alloc_at(&a, 0x10002000, 16384) == -EINVAL);	/* not on a granule */
	CHECK(iova_alloc_at(&a, 0, 16384) == -EINVAL);		/* below the aperture */
	CHECK(iova_alloc_at(&a, 0xffffc000ull, 32768) == -EINVAL);	/* past its end */
	CHECK(iova_free(&a, 0x10000000, 16384) == 0);

	/* a's top page and b's next page are taken: the shared range lies below both. */
	CHECK(iova_alloc(&a, 16384, UINT64_MAX, &x) == 0 && x == 0xffffc000ull);
	CHECK(iova_alloc(&b, 16384, UINT64_MAX, &x) == 0 && x == 0xffffc000ull);
	CHECK(iova_alloc(&b, 16384, UINT64_MAX, &x) == 0 && x == 0xffff8000ull);
	CHECK(iova_alloc_shared(both, 2, 16384, UINT64_MAX, &x) == 0 && x == 0xffff4000ull);
	CHECK(iova_is_busy(&a, x, x + 16383) && iova_is_busy(&b, x, x + 16383));
	CHECK(iova_alloc_shared(both, 2, 32768, UINT64_MAX, &y) == 0 && y == 0xfffe8000ull);
	CHECK(iova_free(&a, x, 16384) == 0 && iova_free(&b, x, 16384) == 0);
	CHECK(iova_alloc_shared(both, 2, 16384, 0xffffffffull, &y) == 0 && y == x);	/* reused */
	CHECK(iova_alloc_shared(both, 2, 16384, 0x3fff, &y) == -ENOSPC);
	CHECK(iova_alloc_shared(both, 0, 16384, UINT64_MAX, &y) == -EINVAL);
	CHECK(iova_domain_init(&c, "c", 4096, 4096, 0xffffffffull) == 0);
	struct iova_domain *mixed[2] = {&a, &c};
	CHECK(iova_alloc_shared(mixed, 2, 16384, UINT64_MAX, &y) == -EINVAL);	/* granules differ */

	/* Every page of b but one is busy: that one is found, in both. */
	CHECK(iova_domain_init(&a, "a", 16384, 16384, 16384 * 8 - 1) == 0);
	CHECK(iova_domain_init(&b, "b", 16384, 16384, 16384 * 8 - 1) == 0);
	CHECK(iova_reserve(&b, 16384 * 3, 16384 * 8 - 1) == 0);
	CHECK(iova_alloc_at(&b, 16384 * 1, 16384) == 0);
	CHECK(iova_alloc_shared(both, 2, 16384, UINT64_MAX, &y) == 0 && y == 16384 * 2);
	CHECK(iova_alloc_shared(both, 2, 16384, UINT64_MAX, &y) == -ENOSPC);
}

/* Random sequences against a page bitmap of a small space. */
static void random_ops(void)
{
	enum { PAGES = 512 };
	static unsigned char used[PAGES];
	struct {
		uint64_t iova, size;
	} live[IOVA_MAX_RANGES];
	unsigned n_live = 0;

	srand(3);
	CHECK(iova_domain_init(&d, "rand", 4096, 0, PAGES * 4096ull - 1) == 0);
	CHECK(iova_reserve(&d, 100 * 4096, 120 * 4096 - 1) == 0);
	for (int i = 100; i < 120; i++)
		used[i] = 2;
	used[0] = 2;
	for (int round = 0; round < 200000; round++) {
		if (n_live > 0 && (rand() % 2 || n_live == IOVA_MAX_RANGES - 2)) {
			unsigned k = (unsigned)rand() % n_live;
			CHECK(iova_free(&d, live[k].iova, live[k].size) == 0);
			uint64_t pages = (live[k].size + 4095) / 4096;
			for (uint64_t p = 0; p < pages; p++)
				used[live[k].iova / 4096 + p] = 0;
			live[k] = live[--n_live];
			continue;
		}
		uint64_t size = 1 + (uint64_t)(rand() % (16 * 4096));
		uint64_t limit = (uint64_t)(rand() % (PAGES * 4096 + 4096));
		uint64_t a;
		int err = iova_alloc(&d, size, limit, &a);
		uint64_t pages = (size + 4095) / 4096, align = 1;
		while (align < pages)
			align <<= 1;
		/* Expected: highest aligned free run ending at or below the limit. */
		long expect = -1;
		for (long s = (long)(((limit + 1) / 4096 - pages) / align * align); (limit + 1) / 4096 >= pages && s >= 0;
		     s -= (long)align) {
			int free = 1;
			for (uint64_t p = 0; p < pages && free; p++)
				free = (uint64_t)s + p < PAGES && !used[s + p];
			if (free) {
				expect = s;
				break;
			}
		}
		if (expect < 0) {
			CHECK(err == -ENOSPC || err == -ENOMEM);
			continue;
		}
		CHECK(err == 0 && a == (uint64_t)expect * 4096);
		if (err)
			continue;
		for (uint64_t p = 0; p < pages; p++)
			used[expect + p] = 1;
		live[n_live].iova = a;
		live[n_live].size = size;
		n_live++;
	}
}

int main(void)
{
	smmu_shape();
	pci_holes();
	dart_shape();
	shared_iova();
	random_ops();
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("iova_host_test: all checks passed\n");
	return 0;
}
