/*
 * Host test of firmware/drivers/dart against a fake t8020 register block and a reference
 * walker written from the DART facts in models/iommu/dart (not from the driver): register sequences (reset,
 * attach, invalidate with BUSY, locked DART), worked PTE encodings,
 * per-DART IOVA spaces, error read and clear. Built with ASan/UBSan (tests/firmware).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_check.h"
#include "dart.h"
#include "fake_memory.h"
#include "pages.h"

uint64_t fake_timer_us;

/* ---- fake DART: two instances, register state and a write log ---- */

#define BASE0 0x382f00000ul
#define BASE1 0x382f80000ul

struct write_rec {
	uint32_t off, value;
};

struct fake_dart {
	uintptr_t base;
	uint32_t params1, params2, config, select, error, error_lo, error_hi, enable;
	uint32_t tcr[16], ttbr[16][4];
	int busy_reads;		/* BUSY reads left after a command; -1: never clears */
	int busy_setting;	/* busy_reads set by each command */
	uint32_t invalidated[64];	/* STREAM_SELECT of each invalidate */
	unsigned n_invalidated;
	struct write_rec log[512];
	unsigned n_log;
	unsigned ignored_writes;	/* TTBR/TCR writes while locked */
};

static struct fake_dart fakes[2];

static void fake_reset(struct fake_dart *f, uintptr_t base)
{
	memset(f, 0, sizeof *f);
	f->base = base;
	f->params1 = 14u << 24;
	f->params2 = 1;
	f->busy_setting = 2;
}

static struct fake_dart *fake_at(uintptr_t addr, uint32_t *off)
{
	for (int i = 0; i < 2; i++)
		if (addr >= fakes[i].base && addr < fakes[i].base + 0x4000) {
			*off = (uint32_t)(addr - fakes[i].base);
			return &fakes[i];
		}
	fprintf(stderr, "access to %#lx outside every fake DART\n", (unsigned long)addr);
	abort();
}

uint32_t fake_mmio_read32(uintptr_t addr)
{
	uint32_t off;
	struct fake_dart *f = fake_at(addr, &off);

	if (off == DART_PARAMS1)
		return f->params1;
	if (off == DART_PARAMS2)
		return f->params2;
	if (off == DART_T8020_CONFIG)
		return f->config;
	if (off == DART_T8020_STREAM_SELECT)
		return f->select;
	if (off == DART_T8020_STREAM_COMMAND) {
		if (f->busy_reads == 0)
			return 0;
		if (f->busy_reads > 0)
			f->busy_reads--;
		return DART_T8020_STREAM_COMMAND_BUSY;
	}
	if (off == DART_T8020_ERROR)
		return f->error;
	if (off == DART_T8020_ERROR_ADDR_LO)
		return f->error_lo;
	if (off == DART_T8020_ERROR_ADDR_HI)
		return f->error_hi;
	if (off == DART_T8020_STREAMS_ENABLE)
		return f->enable;
	if (off >= 0x100 && off < 0x140)
		return f->tcr[(off - 0x100) / 4];
	if (off >= 0x200 && off < 0x300)
		return f->ttbr[(off - 0x200) / 16][(off % 16) / 4];
	fprintf(stderr, "read of unknown DART register %#x\n", off);
	abort();
}

void fake_mmio_write32(uintptr_t addr, uint32_t value)
{
	uint32_t off;
	struct fake_dart *f = fake_at(addr, &off);
	int locked = (f->config & DART_T8020_CONFIG_LOCK) != 0;

	if (f->n_log < sizeof f->log / sizeof f->log[0])
		f->log[f->n_log++] = (struct write_rec){off, value};
	if (off == DART_T8020_STREAM_SELECT)
		f->select = value;
	else if (off == DART_T8020_STREAM_COMMAND) {
		if (value & DART_T8020_STREAM_COMMAND_INVALIDATE) {
			if (f->n_invalidated < 64)
				f->invalidated[f->n_invalidated++] = f->select;
			f->busy_reads = f->busy_setting;
		}
	} else if (off == DART_T8020_ERROR)
		f->error &= ~value;	/* write 1 to clear */
	else if (off == DART_T8020_STREAMS_ENABLE)
		f->enable = value;
	else if (off == DART_T8020_CONFIG)
		f->config |= value & DART_T8020_CONFIG_LOCK;	/* set-only until reset */
	else if (off >= 0x100 && off < 0x140) {
		if (locked)
			f->ignored_writes++;
		else
			f->tcr[(off - 0x100) / 4] = value;
	} else if (off >= 0x200 && off < 0x300) {
		if (locked)
			f->ignored_writes++;
		else
			f->ttbr[(off - 0x200) / 16][(off % 16) / 4] = value;
	} else {
		fprintf(stderr, "write of unknown DART register %#x\n", off);
		abort();
	}
}

/* Index of the first logged write to <off>, or -1. */
static int first_write(const struct fake_dart *f, uint32_t off)
{
	for (unsigned i = 0; i < f->n_log; i++)
		if (f->log[i].off == off)
			return (int)i;
	return -1;
}

static int last_write(const struct fake_dart *f, uint32_t off)
{
	for (int i = (int)f->n_log - 1; i >= 0; i--)
		if (f->log[i].off == off)
			return i;
	return -1;
}

/* Reference walk (DART1 PTEs, t8020): the PA, or a t8020 error code in *code. */
static uint64_t walk(const struct fake_dart *f, unsigned sid, uint64_t iova, int write,
		     uint32_t *code)
{
	*code = 0;
	if (!(f->tcr[sid] & DART_T8020_TCR_TRANSLATE_ENABLE)) {
		*code = 0xffff;	/* not translating: not this test's business */
		return 0;
	}
	uint32_t ttbr = f->ttbr[sid][(iova >> 36) & 3];
	if (!(ttbr & (1u << 31))) {
		*code = DART_T8020_ERROR_NO_TTBR;
		return 0;
	}
	const uint64_t *l1 = (const uint64_t *)(uintptr_t)((uint64_t)(ttbr & 0x7fffffff) << 12);
	uint64_t l1e = l1[(iova >> 25) & 0x7ff];
	if (!(l1e & 1)) {
		*code = DART_T8020_ERROR_NO_PMD;
		return 0;
	}
	const uint64_t *l2 = (const uint64_t *)(uintptr_t)(l1e & 0xffffff000ull);
	uint64_t pte = l2[(iova >> 14) & 0x7ff];
	if (!(pte & 1)) {
		*code = DART_T8020_ERROR_NO_PTE;
		return 0;
	}
	if (write && (pte & (1u << 7))) {
		*code = DART_T8020_ERROR_WRITE_FAULT;
		return 0;
	}
	if (!write && (pte & (1u << 8))) {
		*code = DART_T8020_ERROR_READ_FAULT;
		return 0;
	}
	uint32_t word = (uint32_t)(iova & 0x3fff) >> 2;
	if (!(pte & 2) && (word < ((pte >> 52) & 0xfff) || word > ((pte >> 40) & 0xfff))) {
		*code = DART_T8020_ERROR_SUBPAGE_PROT;
		return 0;
	}
	return (pte & 0xffffff000ull) | (iova & 0x3fff);
}

/* ---- tests ---- */

static void test_probe_and_reset(void)
{
	struct dart d;

	fake_reset(&fakes[0], BASE0);
	fakes[0].error = DART_T8020_ERROR_FLAG | DART_T8020_ERROR_NO_PTE;	/* stale */
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t8103-dart") == 0);
	CHECK(fakes[0].n_log == 0);	/* probing writes nothing */
	CHECK(d.page_shift == 14 && d.bypass_supported && !d.locked);
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t8110-dart") == -ENODEV);
	fakes[0].params1 = 12u << 24;
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t8103-dart") == -ENODEV);
	fakes[0].params1 = 14u << 24;
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t8103-dart") == 0);

	for (int s = 0; s < 16; s++) {
		fakes[0].tcr[s] = 0x80;
		fakes[0].ttbr[s][0] = 0x80000001;
	}
	CHECK(dart_reset(&d) == 0);
	const struct fake_dart *f = &fakes[0];
	for (int s = 0; s < 16; s++) {
		CHECK(f->tcr[s] == 0);
		for (int i = 0; i < 4; i++)
			CHECK(f->ttbr[s][i] == 0);
	}
	/* Order: every TCR before any TTBR, then enable, error, invalidate. */
	CHECK(last_write(f, DART_T8020_TCR(15)) < first_write(f, DART_T8020_TTBR(0, 0)));
	CHECK(last_write(f, DART_T8020_TTBR(15, 3)) < first_write(f, DART_T8020_STREAMS_ENABLE));
	CHECK(f->enable == 0xffffffffu);
	CHECK(f->error == 0);
	CHECK(f->n_invalidated == 1 && f->invalidated[0] == 0xffff);
	CHECK(f->busy_reads == 0);	/* BUSY was polled until it cleared */
}

static void test_attach_map_unmap(void)
{
	struct dart d;
	uint32_t code;

	fake_reset(&fakes[0], BASE0);
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t8103-dart") == 0);
	CHECK(dart_reset(&d) == 0);
	fakes[0].n_log = 0;
	fakes[0].n_invalidated = 0;
	CHECK(dart_attach_stream(&d, 1) == 0);
	const struct fake_dart *f = &fakes[0];
	CHECK(d.l1 && ((uintptr_t)d.l1 & 0x3fff) == 0);
	CHECK(f->ttbr[1][0] == (0x80000000u | (uint32_t)((uintptr_t)d.l1 >> 12)));
	CHECK(first_write(f, DART_T8020_TTBR(1, 0)) < first_write(f, DART_T8020_TCR(1)));
	CHECK(first_write(f, DART_T8020_TTBR(1, 3)) < first_write(f, DART_T8020_TCR(1)));
	CHECK(f->tcr[1] == DART_T8020_TCR_TRANSLATE_ENABLE);
	CHECK(f->n_invalidated == 1 && f->invalidated[0] == 0x2);
	CHECK(dart_attach_stream(&d, 16) == -EINVAL);

	/* A worked example: PA 0x8_1234_4000, read/write -> 0x000f_ff08_1234_4003. */
	CHECK(dart_iommu_ops.map(&d, 0xffffc000, 0x812344000ull, DART_PAGE_SIZE,
				 IOMMU_READ | IOMMU_WRITE) == 0);
	CHECK(dart_pte(&d, 0xffffc000) == 0x000fff0812344003ull);
	CHECK(walk(f, 1, 0xffffc123, 1, &code) == 0x812344123ull && code == 0);
	CHECK(dart_iommu_ops.iova_to_phys(&d, 0xffffc123) == 0x812344123ull);
	CHECK(dart_iommu_ops.map(&d, 0xffffc000, 0x812348000ull, DART_PAGE_SIZE, IOMMU_READ) == -EEXIST);

	/* Direction: read-only sets NO_WRITE, write-only NO_READ. */
	CHECK(dart_iommu_ops.map(&d, 0x10000000, 0x800100000ull, 2 * DART_PAGE_SIZE, IOMMU_READ) == 0);
	walk(f, 1, 0x10004000, 1, &code);
	CHECK(code == DART_T8020_ERROR_WRITE_FAULT);
	CHECK(walk(f, 1, 0x10004010, 0, &code) == 0x800104010ull && code == 0);
	CHECK(dart_iommu_ops.map(&d, 0x20000000, 0x800200000ull, DART_PAGE_SIZE, IOMMU_WRITE) == 0);
	walk(f, 1, 0x20000000, 0, &code);
	CHECK(code == DART_T8020_ERROR_READ_FAULT);
	CHECK(dart_iommu_ops.map(&d, 0x30000000, 0x800200000ull, DART_PAGE_SIZE, 0) == -EINVAL);

	/* Alignment and the 32-bit IOVA space. */
	CHECK(dart_iommu_ops.map(&d, 0x10001000, 0x800100000ull, DART_PAGE_SIZE, IOMMU_READ) == -EINVAL);
	CHECK(dart_iommu_ops.map(&d, 0x800000000ull, 0x800000000ull, DART_PAGE_SIZE, IOMMU_READ) == -EINVAL);
	CHECK(dart_iommu_ops.map(&d, 0x30000000, 0x800001000ull, DART_PAGE_SIZE, IOMMU_READ) == -EINVAL);

	/* Unmap without flush leaves nothing invalidated; flush invalidates the attached stream. */
	unsigned inv = f->n_invalidated;
	CHECK(dart_iommu_ops.unmap(&d, 0x10000000, 2 * DART_PAGE_SIZE) == 0);
	CHECK(f->n_invalidated == inv);
	walk(f, 1, 0x10004000, 0, &code);
	CHECK(code == DART_T8020_ERROR_NO_PTE);
	walk(f, 1, 0x40000000, 0, &code);
	CHECK(code == DART_T8020_ERROR_NO_PMD);	/* no L2 table there */
	CHECK(dart_iommu_ops.iova_to_phys(&d, 0x10004000) == UINT64_MAX);
	CHECK(dart_iommu_ops.flush(&d, 0x10000000, 2 * DART_PAGE_SIZE) == 0);
	CHECK(f->n_invalidated == inv + 1 && f->invalidated[inv] == 0x2);

	/* Sub-page protection: bytes 0x1000..0x1fff of the page only, SP_DIS clear. */
	CHECK(dart_map_subpage(&d, 0x50000000, 0x800300000ull, IOMMU_READ | IOMMU_WRITE, 0x1000, 0x1fff) == 0);
	uint64_t pte = dart_pte(&d, 0x50000000);
	CHECK(((pte >> 52) & 0xfff) == 0x400 && ((pte >> 40) & 0xfff) == 0x7ff && !(pte & 2));
	CHECK(walk(f, 1, 0x50001ffc, 1, &code) == 0x800301ffcull && code == 0);
	walk(f, 1, 0x50002000, 1, &code);
	CHECK(code == DART_T8020_ERROR_SUBPAGE_PROT);
	CHECK(dart_map_subpage(&d, 0x50004000, 0x800300000ull, IOMMU_READ, 0x2000, 0x1fff) == -EINVAL);

	/* Detach blocks the stream. */
	CHECK(dart_detach_stream(&d, 1) == 0);
	CHECK(f->tcr[1] == 0 && d.streams == 0);
}

static void test_two_darts_two_spaces(void)
{
	struct dart a, b;
	struct dma_device da, db;
	uint64_t ia, ib;

	fake_reset(&fakes[0], BASE0);
	fake_reset(&fakes[1], BASE1);
	CHECK(dart_probe(&a, "dart0", BASE0, "apple,t8103-dart") == 0);
	CHECK(dart_probe(&b, "dart1", BASE1, "apple,t8103-dart") == 0);
	dart_dma_device(&a, &da, "usb0");
	dart_dma_device(&b, &db, "usb1");
	CHECK(da.iovad == &a.iovad && db.iovad == &b.iovad && da.domain == &a);
	CHECK(da.dma_mask == 0xffffffffull && da.ops == &dart_iommu_ops);
	CHECK(a.iovad.granule == DART_PAGE_SIZE && a.iovad.first == DART_PAGE_SIZE &&
	      a.iovad.last == 0xffffffffull);
	/* Top-down, and the same first IOVA in both: the spaces are independent. */
	CHECK(iova_alloc(&a.iovad, 4096, da.dma_mask, &ia) == 0 && ia == 0xffffc000ull);
	CHECK(iova_alloc(&b.iovad, 4096, db.dma_mask, &ib) == 0 && ib == 0xffffc000ull);
	CHECK(iova_alloc(&a.iovad, 4096, da.dma_mask, &ia) == 0 && ia == 0xffff8000ull);
}

static void test_dart2_pte(void)
{
	struct dart d;

	fake_reset(&fakes[0], BASE0);
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t6000-dart") == 0);
	CHECK(dart_reset(&d) == 0 && dart_attach_stream(&d, 0) == 0);
	/* A worked DART2 example: PA 0x100_1234_4000 RW -> 0x000f_ff10_0123_4401. */
	CHECK(dart_iommu_ops.map(&d, 0x4000, 0x10012344000ull, DART_PAGE_SIZE, IOMMU_READ | IOMMU_WRITE) == 0);
	CHECK(dart_pte(&d, 0x4000) == 0x000fff1001234401ull);
	CHECK(dart_iommu_ops.iova_to_phys(&d, 0x4008) == 0x10012344008ull);
	/* L1 descriptors use the same encoding: the L2 pointer >> 4. */
	uint64_t l1e = d.l1[0];
	CHECK((l1e & 1) && ((l1e & DART2_PADDR_MASK) << 4) != 0);
	CHECK(dart_iommu_ops.map(&d, 0x8000, 0x8000, DART_PAGE_SIZE, IOMMU_READ) == 0);
	CHECK((dart_pte(&d, 0x8000) & 0xc) == DART2_PTE_NO_WRITE);
}

static void test_busy_timeout(void)
{
	struct dart d;

	fake_reset(&fakes[0], BASE0);
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t8103-dart") == 0);
	fakes[0].busy_setting = -1;
	CHECK(dart_invalidate(&d, 1) == -ETIMEDOUT);
}

static void test_locked(void)
{
	struct dart d;
	uint32_t code;

	fake_reset(&fakes[0], BASE0);
	/* Earlier firmware: an L1 with one L2 table mapping IOVA 0x4000 -> 0x8_0040_0000. */
	uint64_t *l1 = pages_alloc(DART_PAGE_SIZE), *l2 = pages_alloc(DART_PAGE_SIZE);
	l1[0] = (uintptr_t)l2 | 3;
	l2[1] = 0x800400000ull | 3;
	fakes[0].ttbr[0][0] = 0x80000000u | (uint32_t)((uintptr_t)l1 >> 12);
	fakes[0].tcr[0] = DART_T8020_TCR_TRANSLATE_ENABLE;
	fakes[0].config = DART_T8020_CONFIG_LOCK;

	CHECK(dart_probe(&d, "disp0", BASE0, "apple,t8103-dart") == 0 && d.locked);
	CHECK(dart_reset(&d) == -EPERM);
	CHECK(dart_attach_stream(&d, 0) == -EPERM);
	CHECK(dart_adopt_locked(&d, 4) == -ENOENT);	/* no valid TTBR for stream 4 */
	CHECK(dart_adopt_locked(&d, 0) == 0);
	CHECK(d.l1 == l1 && d.streams == 1);
	CHECK(fakes[0].n_log == 0);	/* nothing written so far */
	CHECK(iova_is_busy(&d.iovad, 0x4000, 0x7fff));	/* the existing mapping is kept out */
	uint64_t iova;
	CHECK(iova_alloc(&d.iovad, DART_PAGE_SIZE, 0xffffffff, &iova) == 0 && iova == 0xffffc000ull);

	CHECK(dart_iommu_ops.map(&d, iova, 0x800500000ull, DART_PAGE_SIZE, IOMMU_READ) == 0);
	CHECK(dart_iommu_ops.flush(&d, iova, DART_PAGE_SIZE) == 0);
	CHECK(walk(&fakes[0], 0, iova + 8, 0, &code) == 0x800500008ull && code == 0);
	CHECK(walk(&fakes[0], 0, 0x4000, 0, &code) == 0x800400000ull && code == 0);
	/* Only the invalidation registers were written: no TTBR, TCR or enable write. */
	for (unsigned i = 0; i < fakes[0].n_log; i++)
		CHECK(fakes[0].log[i].off == DART_T8020_STREAM_SELECT ||
		      fakes[0].log[i].off == DART_T8020_STREAM_COMMAND);
	CHECK(fakes[0].n_invalidated == 1 && fakes[0].invalidated[0] == 1);
	CHECK(fakes[0].ignored_writes == 0);

	struct dart unlocked;
	fake_reset(&fakes[1], BASE1);
	CHECK(dart_probe(&unlocked, "dart1", BASE1, "apple,t8103-dart") == 0);
	CHECK(dart_adopt_locked(&unlocked, 0) == -EPERM);
}

static void test_errors(void)
{
	struct dart d;
	struct dart_error e;

	fake_reset(&fakes[0], BASE0);
	CHECK(dart_probe(&d, "dart0", BASE0, "apple,t8103-dart") == 0);
	CHECK(dart_error_read_clear(&d, &e) == 0);
	CHECK(fakes[0].n_log == 0);	/* no flag: nothing cleared */
	fakes[0].error = DART_T8020_ERROR_FLAG | (3u << 24) | DART_T8020_ERROR_NO_PTE;
	fakes[0].error_lo = 0x2345c000;
	fakes[0].error_hi = 0x8;
	CHECK(dart_error_read_clear(&d, &e) == 1);
	CHECK(e.stream == 3 && e.code == DART_T8020_ERROR_NO_PTE && e.addr == 0x82345c000ull);
	CHECK(strcmp(dart_error_code_name(e.code), "NO_PTE") == 0);
	CHECK(strcmp(dart_error_code_name(DART_T8020_ERROR_NO_PTE | (1u << 10)), "unknown") == 0);
	CHECK(fakes[0].n_log == 1 && fakes[0].log[0].off == DART_T8020_ERROR &&
	      fakes[0].log[0].value == e.status);
	CHECK(fakes[0].error == 0);
}

int main(void)
{
	fake_memory_init();
	test_probe_and_reset();
	test_attach_map_unmap();
	test_two_darts_two_spaces();
	test_dart2_pte();
	test_busy_timeout();
	test_locked();
	test_errors();
	if (failures) {
		fprintf(stderr, "dart_host_test: %d checks failed\n", failures);
		return 1;
	}
	printf("dart_host_test: all checks passed\n");
	return 0;
}
