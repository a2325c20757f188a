/*
 * Host test of firmware/drivers/sun50i against a fake H6 IOMMU register block, checking the
 * sequences of Linux's sun50i-iommu.c (enable order, the combined 0xB4 value, zap with
 * neighbours, full flush, fault handling with the reset pulse, TTB switch) and that every
 * table update is cleaned before the hardware is told anything: at each register write the
 * table memory must equal what was last cleaned (what a walker behind the caches reads).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_check.h"
#include "fake_memory.h"
#include "pages.h"
#include "sun50i.h"

uint64_t fake_timer_us;

#define BASE 0x030f0000ul

struct write_rec {
	uint32_t off, value;
};

static uint32_t regs[0x400 / 4];
static int self_clear_reads = 1;	/* reads a self-clearing bit stays set; -1: never clears */
static int pending[0x400 / 4];
static struct write_rec wlog[1024];
static unsigned n_wlog;
static unsigned uncleaned_at_write;	/* register writes made while tables were not clean */
static uint8_t *shadow;			/* table memory as last cleaned */

void fake_dcache_clean(const volatile void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p;

	if (a < FAKE_MEMORY_BASE || a + size > FAKE_MEMORY_BASE + FAKE_MEMORY_SIZE) {
		fprintf(stderr, "clean of %#lx outside table memory\n", (unsigned long)a);
		abort();
	}
	memcpy(shadow + (a - FAKE_MEMORY_BASE), (const void *)a, size);
}

static int tables_clean(void)
{
	return memcmp(shadow, (const void *)FAKE_MEMORY_BASE, fake_memory_used()) == 0;
}

static uint32_t *reg(uintptr_t addr)
{
	if (addr < BASE || addr >= BASE + sizeof regs || (addr & 3)) {
		fprintf(stderr, "access to %#lx outside the fake IOMMU\n", (unsigned long)addr);
		abort();
	}
	return &regs[(addr - BASE) / 4];
}

static int self_clearing(uint32_t off)
{
	return off == SUN50I_TLB_FLUSH_ENABLE || off == SUN50I_TLB_IVLD_ENABLE || off == SUN50I_PC_IVLD_ENABLE;
}

uint32_t fake_mmio_read32(uintptr_t addr)
{
	uint32_t *r = reg(addr), off = (uint32_t)(addr - BASE);

	if (self_clearing(off) && *r) {
		if (pending[off / 4] == 0) {
			*r = 0;
			return 0;
		}
		if (pending[off / 4] > 0)
			pending[off / 4]--;
	}
	return *r;
}

void fake_mmio_write32(uintptr_t addr, uint32_t value)
{
	uint32_t *r = reg(addr), off = (uint32_t)(addr - BASE);

	if (!tables_clean())
		uncleaned_at_write++;
	if (n_wlog < sizeof wlog / sizeof wlog[0])
		wlog[n_wlog++] = (struct write_rec){off, value};
	*r = value;
	if (self_clearing(off))
		pending[off / 4] = self_clear_reads;
}

static void fake_reset(void)
{
	memset(regs, 0, sizeof regs);
	memset(pending, 0, sizeof pending);
	regs[SUN50I_RESET / 4] = 0x8003003f;
	self_clear_reads = 1;
	n_wlog = 0;
	uncleaned_at_write = 0;
}

/* Position of the first write of <value> to <off> at or after <from>, or -1. */
static int find_write(unsigned from, uint32_t off, uint32_t value)
{
	for (unsigned i = from; i < n_wlog; i++)
		if (wlog[i].off == off && wlog[i].value == value)
			return (int)i;
	return -1;
}

static unsigned count_writes(uint32_t off)
{
	unsigned n = 0;
	for (unsigned i = 0; i < n_wlog; i++)
		n += wlog[i].off == off;
	return n;
}

static void test_enable_sequence(void)
{
	struct sun50i_iommu m;
	struct sun50i_domain dom;

	fake_reset();
	sun50i_iommu_probe(&m, "iommu", BASE);
	CHECK(n_wlog == 0);
	CHECK(sun50i_domain_init(&dom, "dom") == 0);
	CHECK(n_wlog == 0);	/* domains never touch hardware */
	CHECK(((uintptr_t)dom.dt & 0x3fff) == 0);
	CHECK(sun50i_iommu_attach(&m, &dom) == 0);
	const struct write_rec want[] = {
		{SUN50I_TTB, (uint32_t)(uintptr_t)dom.dt},
		{SUN50I_TLB_PREFETCH, 0x3f},
		{SUN50I_BYPASS, 0},
		{SUN50I_INT_ENABLE, 0x3003f},
		{0x0b0, 0x0fff0000},
		{0x0b4, 0x05550aaa},	/* one write with both domains' bits */
		{SUN50I_TLB_FLUSH_ENABLE, 0x3003f},
		{SUN50I_AUTO_GATING, 1},
		{SUN50I_ENABLE, 1},
	};
	CHECK(n_wlog == sizeof want / sizeof want[0]);
	for (unsigned i = 0; i < n_wlog && i < sizeof want / sizeof want[0]; i++)
		CHECK(wlog[i].off == want[i].off && wlog[i].value == want[i].value);
	CHECK(regs[SUN50I_TLB_FLUSH_ENABLE / 4] == 0);	/* the flush was polled to completion */
	CHECK(uncleaned_at_write == 0);
	CHECK(m.domain == &dom && dom.iommu == &m);
}

static void test_map_zap_unmap(void)
{
	struct sun50i_iommu m;
	struct sun50i_domain dom;

	fake_reset();
	sun50i_iommu_probe(&m, "iommu", BASE);
	CHECK(sun50i_domain_init(&dom, "dom") == 0);
	CHECK(sun50i_iommu_attach(&m, &dom) == 0);

	unsigned from = n_wlog;
	CHECK(sun50i_iommu_ops.map(&dom, 0x00100000, 0x48000000, 0x1000, IOMMU_READ | IOMMU_WRITE) == 0);
	CHECK(sun50i_pte(&dom, 0x00100000) == (0x48000000u | 4u << 4 | 2u));
	CHECK((dom.dt[1] & 3) == 1);
	CHECK(sun50i_iommu_ops.iova_to_phys(&dom, 0x00100abc) == 0x48000abc);
	/* Zap of a one-page range: TLB iova, iova + 4K; PTW iova, iova + 1M; gating off around. */
	const struct write_rec want[] = {
		{SUN50I_AUTO_GATING, 0},
		{SUN50I_TLB_IVLD_ADDR, 0x00100000}, {SUN50I_TLB_IVLD_ADDR_MASK, 0xfffff000}, {SUN50I_TLB_IVLD_ENABLE, 1},
		{SUN50I_TLB_IVLD_ADDR, 0x00101000}, {SUN50I_TLB_IVLD_ADDR_MASK, 0xfffff000}, {SUN50I_TLB_IVLD_ENABLE, 1},
		{SUN50I_PC_IVLD_ADDR, 0x00100000}, {SUN50I_PC_IVLD_ENABLE, 1},
		{SUN50I_PC_IVLD_ADDR, 0x00200000}, {SUN50I_PC_IVLD_ENABLE, 1},
		{SUN50I_AUTO_GATING, 1},
	};
	CHECK(n_wlog - from == sizeof want / sizeof want[0]);
	for (unsigned i = 0; i < sizeof want / sizeof want[0] && from + i < n_wlog; i++)
		CHECK(wlog[from + i].off == want[i].off && wlog[from + i].value == want[i].value);

	/* A 2 MiB + 4 KiB range: the far edge and its neighbours too, for the TLB and the PTW. */
	from = n_wlog;
	CHECK(sun50i_iommu_ops.map(&dom, 0x01000000, 0x50000000, 0x201000, IOMMU_READ) == 0);
	CHECK(find_write(from, SUN50I_TLB_IVLD_ADDR, 0x01000000) >= 0);
	CHECK(find_write(from, SUN50I_TLB_IVLD_ADDR, 0x01001000) >= 0);
	CHECK(find_write(from, SUN50I_TLB_IVLD_ADDR, 0x01201000) >= 0);
	CHECK(find_write(from, SUN50I_TLB_IVLD_ADDR, 0x01202000) >= 0);
	CHECK(find_write(from, SUN50I_PC_IVLD_ADDR, 0x01000000) >= 0);
	CHECK(find_write(from, SUN50I_PC_IVLD_ADDR, 0x01100000) >= 0);
	CHECK(find_write(from, SUN50I_PC_IVLD_ADDR, 0x01201000) >= 0);
	CHECK(find_write(from, SUN50I_PC_IVLD_ADDR, 0x01301000) >= 0);
	CHECK(SUN50I_PTE_ACI(sun50i_pte(&dom, 0x01200000)) == SUN50I_ACI_RD);
	CHECK(sun50i_iommu_ops.map(&dom, 0x02000000, 0x50000000, 0x1000, IOMMU_WRITE) == 0);
	CHECK(SUN50I_PTE_ACI(sun50i_pte(&dom, 0x02000000)) == SUN50I_ACI_WR);

	/* Refusals. */
	CHECK(sun50i_iommu_ops.map(&dom, 0x00100000, 0x48001000, 0x1000, IOMMU_READ) == -EBUSY);
	CHECK(sun50i_pte(&dom, 0x00100000) == (0x48000000u | 4u << 4 | 2u));	/* unchanged */
	CHECK(sun50i_iommu_ops.map(&dom, 0x03000000, 0x100000000ull, 0x1000, IOMMU_READ) == -EINVAL);
	CHECK(sun50i_iommu_ops.map(&dom, 0x03000800, 0x48000000, 0x1000, IOMMU_READ) == -EINVAL);
	/* A failure half-way undoes the pages already written. */
	CHECK(sun50i_iommu_ops.map(&dom, 0x000ff000, 0x49000000, 0x2000, IOMMU_READ) == -EBUSY);
	CHECK(sun50i_pte(&dom, 0x000ff000) == 0);

	/* Unmap: PTE zeroed and cleaned, no register access; flush: the full flush. */
	from = n_wlog;
	CHECK(sun50i_iommu_ops.unmap(&dom, 0x00100000, 0x1000) == 0);
	CHECK(n_wlog == from && sun50i_pte(&dom, 0x00100000) == 0);
	CHECK(sun50i_iommu_ops.iova_to_phys(&dom, 0x00100000) == UINT64_MAX);
	CHECK(sun50i_iommu_ops.flush(&dom, 0x00100000, 0x1000) == 0);
	CHECK(n_wlog == from + 1 && wlog[from].off == SUN50I_TLB_FLUSH_ENABLE && wlog[from].value == 0x3003f);
	CHECK(uncleaned_at_write == 0 && tables_clean());

	/* A domain that is not live: map writes tables only. */
	struct sun50i_domain other;
	CHECK(sun50i_domain_init(&other, "other") == 0);
	from = n_wlog;
	CHECK(sun50i_iommu_ops.map(&other, 0x1000, 0x48000000, 0x1000, IOMMU_READ) == 0);
	CHECK(sun50i_iommu_ops.flush(&other, 0x1000, 0x1000) == 0);
	CHECK(n_wlog == from && tables_clean());
}

static void test_detach_free_switch(void)
{
	struct sun50i_iommu m;
	struct sun50i_domain a, b;

	fake_reset();
	sun50i_iommu_probe(&m, "iommu", BASE);
	CHECK(sun50i_domain_init(&a, "a") == 0 && sun50i_domain_init(&b, "b") == 0);
	CHECK(sun50i_iommu_attach(&m, &a) == 0);
	CHECK(sun50i_iommu_ops.map(&a, 0x4000, 0x48000000, 0x1000, IOMMU_READ) == 0);
	CHECK(sun50i_domain_free(&a) == -EBUSY);	/* live: detach first */

	/* Attaching b disables a first (ENABLE 0, TTB 0), then the full enable with b's table. */
	unsigned from = n_wlog;
	CHECK(sun50i_iommu_attach(&m, &b) == 0);
	CHECK(wlog[from].off == SUN50I_ENABLE && wlog[from].value == 0);
	CHECK(wlog[from + 1].off == SUN50I_TTB && wlog[from + 1].value == 0);
	CHECK(find_write(from, SUN50I_TTB, (uint32_t)(uintptr_t)b.dt) == (int)from + 2);
	CHECK(a.iommu == NULL && b.iommu == &m);
	CHECK(sun50i_domain_free(&a) == 0 && a.dt == NULL);

	/* Switch without flush: ENABLE 0, TTB, ENABLE 1 and nothing else. */
	struct sun50i_domain c;
	CHECK(sun50i_domain_init(&c, "c") == 0);
	from = n_wlog;
	CHECK(sun50i_iommu_switch_ttb(&m, &c, 0) == 0);
	CHECK(n_wlog == from + 3 && wlog[from].off == SUN50I_ENABLE && wlog[from].value == 0 &&
	      wlog[from + 1].off == SUN50I_TTB && wlog[from + 1].value == (uint32_t)(uintptr_t)c.dt &&
	      wlog[from + 2].off == SUN50I_ENABLE && wlog[from + 2].value == 1);
	CHECK(m.domain == &c && b.iommu == NULL);
	/* With the flush, between the TTB write and ENABLE = 1. */
	from = n_wlog;
	CHECK(sun50i_iommu_switch_ttb(&m, &b, 1) == 0);
	int ttb = find_write(from, SUN50I_TTB, (uint32_t)(uintptr_t)b.dt);
	int flush = find_write(from, SUN50I_TLB_FLUSH_ENABLE, 0x3003f);
	int enable = find_write(from, SUN50I_ENABLE, 1);
	CHECK(ttb >= 0 && flush > ttb && enable > flush);

	/* Detach (disable, then flush everything), then free: the right order. */
	from = n_wlog;
	CHECK(sun50i_iommu_detach(&m) == 0);
	CHECK(n_wlog == from + 3 && wlog[from].off == SUN50I_ENABLE && wlog[from].value == 0 &&
	      wlog[from + 1].off == SUN50I_TTB && wlog[from + 1].value == 0 &&
	      wlog[from + 2].off == SUN50I_TLB_FLUSH_ENABLE && wlog[from + 2].value == 0x3003f);
	CHECK(regs[SUN50I_ENABLE / 4] == 0 && regs[SUN50I_TTB / 4] == 0);
	CHECK(sun50i_domain_free(&b) == 0);
	CHECK(uncleaned_at_write == 0);
}

static void test_faults(void)
{
	struct sun50i_iommu m;
	struct sun50i_fault f;

	fake_reset();
	sun50i_iommu_probe(&m, "iommu", BASE);
	CHECK(sun50i_iommu_handle_fault(&m, &f) == 0 && n_wlog == 0);

	/* L2 invalid on master 3 (and a permission fault of master 0 pending: cleared too). */
	regs[SUN50I_INT_STA / 4] = SUN50I_INT_L2_INVALID | 1u;
	regs[SUN50I_L2PG_INT / 4] = 1u << 3;
	regs[SUN50I_INT_ERR_ADDR_L2 / 4] = 0x01234000;
	CHECK(sun50i_iommu_handle_fault(&m, &f) == 1);
	CHECK(f.type == SUN50I_FAULT_L2 && f.master == 3 && f.iova == 0x01234000);
	CHECK(find_write(0, SUN50I_TLB_IVLD_ADDR, 0x01234000) >= 0);
	CHECK(find_write(0, SUN50I_TLB_IVLD_ADDR, 0x01235000) >= 0);
	CHECK(find_write(0, SUN50I_PC_IVLD_ADDR, 0x01334000) >= 0);
	int clr = find_write(0, SUN50I_INT_CLR, SUN50I_INT_L2_INVALID | 1u);
	int assert_ = find_write(0, SUN50I_RESET, ~0x9u);
	int release = find_write(0, SUN50I_RESET, 0xffffffffu);
	CHECK(clr >= 0 && assert_ > clr && release == assert_ + 1);

	/* Permission fault of master 4 on a read-only page. */
	fake_reset();
	regs[SUN50I_INT_STA / 4] = 1u << 4;
	regs[SUN50I_INT_ERR_ADDR(4) / 4] = 0x00400000;
	regs[SUN50I_INT_ERR_DATA(4) / 4] = 0x48000000 | SUN50I_ACI_RD << 4 | 2;
	CHECK(sun50i_iommu_handle_fault(&m, &f) == 1);
	CHECK(f.type == SUN50I_FAULT_PERM && f.master == 4 && f.iova == 0x00400000 &&
	      f.aci == SUN50I_ACI_RD && f.write);
	CHECK(find_write(0, SUN50I_RESET, ~0x10u) >= 0);

	/* L1 invalid on master 5. */
	fake_reset();
	regs[SUN50I_INT_STA / 4] = SUN50I_INT_L1_INVALID;
	regs[SUN50I_L1PG_INT / 4] = 1u << 5;
	regs[SUN50I_INT_ERR_ADDR_L1 / 4] = 0x20000000;
	CHECK(sun50i_iommu_handle_fault(&m, &f) == 1);
	CHECK(f.type == SUN50I_FAULT_L1 && f.master == 5 && f.iova == 0x20000000);
	CHECK(count_writes(SUN50I_RESET) == 2);
}

static void test_flush_timeout(void)
{
	struct sun50i_iommu m;
	struct sun50i_domain dom;

	fake_reset();
	self_clear_reads = -1;
	sun50i_iommu_probe(&m, "iommu", BASE);
	CHECK(sun50i_domain_init(&dom, "dom") == 0);
	CHECK(sun50i_iommu_attach(&m, &dom) == -ETIMEDOUT);
	CHECK(m.domain == NULL && regs[SUN50I_ENABLE / 4] == 0);
}

int main(void)
{
	fake_memory_init();
	shadow = calloc(FAKE_MEMORY_SIZE, 1);
	if (!shadow)
		return 2;
	test_enable_sequence();
	test_map_zap_unmap();
	test_detach_free_switch();
	test_faults();
	test_flush_timeout();
	free(shadow);
	if (failures) {
		fprintf(stderr, "sun50i_host_test: %d checks failed\n", failures);
		return 1;
	}
	printf("sun50i_host_test: all checks passed\n");
	return 0;
}
