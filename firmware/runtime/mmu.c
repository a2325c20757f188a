#include "mmu.h"

#include <errno.h>
#include <stdio.h>

#include "pages.h"

#define GIB			(1ull << 30)
#define L1_ENTRIES		512u
/* Level-1 block descriptor fields (Arm ARM D8.3) */
#define DESC_BLOCK		1ull
#define DESC_ATTR(i)		((uint64_t)(i) << 2)
#define DESC_AP_EL1_RW		(0ull << 6)
#define DESC_SH_INNER		(3ull << 8)
#define DESC_AF			(1ull << 10)
#define DESC_PXN		(1ull << 53)
#define DESC_UXN		(1ull << 54)
#define DESC_BLOCK_ADDR(pa)	((uint64_t)(pa) & 0x0000ffffc0000000ull)

#define MAIR_VALUE		(0x04ull << (8 * MMU_ATTR_DEVICE) | 0xffull << (8 * MMU_ATTR_NORMAL))
/* TCR_EL1: T0SZ = T1SZ = 25, walks inner-shareable write-back, TG0 4 KiB, TG1 4 KiB, IPS 40 bits */
#define TCR_TXSZ		(64u - MMU_VA_BITS)
#define TCR_VALUE		((uint64_t)TCR_TXSZ | 1ull << 8 | 1ull << 10 | 3ull << 12 | \
				 (uint64_t)TCR_TXSZ << 16 | 1ull << 24 | 1ull << 26 | 3ull << 28 | \
				 2ull << 30 | 2ull << 32)
#define SCTLR_M			(1ull << 0)
#define SCTLR_C			(1ull << 2)
#define SCTLR_I			(1ull << 12)

static int active;
static uint64_t ram_lo, ram_hi, dev_lo, dev_hi;	/* [lo, hi) */

static uint64_t block(uint64_t pa, unsigned attr)
{
	uint64_t d = DESC_BLOCK | DESC_ATTR(attr) | DESC_AP_EL1_RW | DESC_AF | DESC_BLOCK_ADDR(pa);

	if (attr == MMU_ATTR_NORMAL)
		d |= DESC_SH_INNER | DESC_UXN;
	else
		d |= DESC_PXN | DESC_UXN;
	return d;
}

int mmu_remap_enable(uint64_t ram_base, uint64_t ram_size, uint64_t dev_base, uint64_t dev_size)
{
	uint64_t limit = 1ull << MMU_VA_BITS;

	if (active)
		return -EBUSY;
	if (dev_base % GIB || dev_size % GIB || dev_base + dev_size > limit ||
	    MMU_DEVICE_VA(dev_base + dev_size) > limit || ram_base + ram_size > limit ||
	    (dev_base < ram_base + ram_size && ram_base < dev_base + dev_size))
		return -EINVAL;
	volatile uint64_t *l1_lo = pages_alloc(PAGE_SIZE), *l1_hi = pages_alloc(PAGE_SIZE);
	if (!l1_lo || !l1_hi)
		return -ENOMEM;
	for (uint64_t pa = ram_base & ~(GIB - 1); pa < ram_base + ram_size; pa += GIB) {
		l1_lo[pa / GIB] = block(pa, MMU_ATTR_NORMAL);			/* identity */
		l1_hi[pa / GIB] = block(pa, MMU_ATTR_NORMAL);			/* high alias */
	}
	for (uint64_t pa = dev_base; pa < dev_base + dev_size; pa += GIB)
		l1_lo[MMU_DEVICE_VA(pa) / GIB] = block(pa, MMU_ATTR_DEVICE);

	ram_lo = ram_base;
	ram_hi = ram_base + ram_size;
	dev_lo = dev_base;
	dev_hi = dev_base + dev_size;
	uint64_t sctlr;
	__asm__ volatile("dsb sy\n\t"
			 "msr mair_el1, %1\n\t"
			 "msr tcr_el1, %2\n\t"
			 "msr ttbr0_el1, %3\n\t"
			 "msr ttbr1_el1, %4\n\t"
			 "isb\n\t"
			 "tlbi vmalle1\n\t"
			 "dsb nsh\n\t"
			 "isb\n\t"
			 "mrs %0, sctlr_el1"
			 : "=r"(sctlr)
			 : "r"(MAIR_VALUE), "r"(TCR_VALUE), "r"((uintptr_t)l1_lo), "r"((uintptr_t)l1_hi)
			 : "memory");
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
	__asm__ volatile("msr sctlr_el1, %0\n\tisb" : : "r"(sctlr) : "memory");
	active = 1;
	return 0;
}

int mmu_remap_active(void)
{
	return active;
}

uintptr_t ioremap(uint64_t phys, uint64_t size)
{
	if (active && phys >= dev_lo && phys + size <= dev_hi)
		return (uintptr_t)MMU_DEVICE_VA(phys);
	return (uintptr_t)phys;
}

void *phys_to_virt(uint64_t phys)
{
	if (active && phys >= ram_lo && phys < ram_hi)
		return (void *)(uintptr_t)MMU_RAM_ALIAS(phys);
	return (void *)(uintptr_t)phys;
}

uint64_t virt_to_phys(const volatile void *va)
{
	uint64_t v = (uintptr_t)va;

	if (active && v >= MMU_RAM_ALIAS_BASE)
		return v - MMU_RAM_ALIAS_BASE;
	if (active && v >= MMU_DEVICE_VA_BASE && v < MMU_DEVICE_VA(dev_hi))
		return v - MMU_DEVICE_VA_BASE;
	return v;
}

extern uint64_t mmu_call_offset(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t offset);

uint64_t mmu_call_aliased(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	return mmu_call_offset(fn, arg, active ? MMU_RAM_ALIAS_BASE : 0);
}

int mmu_translate(uint64_t va, uint64_t *pa)
{
	uint64_t par;

	__asm__ volatile("at s1e1r, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(va) : "memory");
	if (par & 1)
		return 0;
	*pa = (par & 0x0000fffffffff000ull) | (va & 0xfff);
	return 1;
}
