/*
 * The EL1&0 stage-1 MMU, for scenarios that run with it on, and ioremap() for drivers.
 *
 * By default the MMU is off (runtime start-up leaves it so): every address is physical and
 * ioremap() returns the physical address. mmu_remap_enable() turns it on with one fixed layout
 * (4 KiB granule, 39-bit VAs in both halves, 1 GiB blocks, levels 1 only):
 *
 *   TTBR0  RAM           identity, Normal write-back (code, data, stack, the drivers' tables)
 *          devices       at MMU_DEVICE_VA(pa) = MMU_DEVICE_VA_BASE + pa, Device-nGnRE, never
 *                        executable; the devices' physical addresses are NOT mapped
 *   TTBR1  RAM again     at MMU_RAM_ALIAS(pa) = MMU_RAM_ALIAS_BASE + pa (the high half),
 *                        Normal write-back, EL1 only
 *
 * After it, ioremap(pa) of a device in the window returns its VA, phys_to_virt() gives the RAM
 * alias and virt_to_phys() undoes both views (identity and alias). Code runs at either view:
 * mmu_call_aliased() calls a function through the alias with the stack moved there too.
 */
#ifndef MMU_H
#define MMU_H

#include <stdint.h>

#define MMU_VA_BITS		39u
#define MMU_RAM_ALIAS_BASE	0xffffff8000000000ull	/* start of the TTBR1 half */
#define MMU_DEVICE_VA_BASE	0x0000004000000000ull	/* TTBR0, 256 GiB */
#define MMU_RAM_ALIAS(pa)	(MMU_RAM_ALIAS_BASE + (uint64_t)(pa))
#define MMU_DEVICE_VA(pa)	(MMU_DEVICE_VA_BASE + (uint64_t)(pa))

/* MAIR_EL1 attribute indexes */
#define MMU_ATTR_DEVICE		0u	/* Device-nGnRE (0x04) */
#define MMU_ATTR_NORMAL		1u	/* Normal, inner/outer write-back, read/write allocate (0xff) */

/*
 * Turn the MMU on with the layout above: RAM [ram_base, ram_base + ram_size) and the device
 * window [dev_base, dev_base + dev_size) (1 GiB aligned, outside RAM, below 512 GiB). The
 * tables come from pages_alloc. 0 or a negative errno (the MMU stays off).
 */
int mmu_remap_enable(uint64_t ram_base, uint64_t ram_size, uint64_t dev_base, uint64_t dev_size);

/* 1 while the layout is on. */
int mmu_remap_active(void);

/* The CPU address of device registers at physical <phys>: its VA in the device window when the
 * layout is on, else <phys> (Linux's ioremap, for drivers that take addresses from the DT). */
uintptr_t ioremap(uint64_t phys, uint64_t size);

/* RAM: the high-half alias of <phys> when the layout is on, else the identity pointer. */
void *phys_to_virt(uint64_t phys);
/* The physical address of a RAM pointer from either view, or of a device-window VA. */
uint64_t virt_to_phys(const volatile void *va);

/* fn(arg) executed at its high-half alias, with SP moved to the alias of the current stack. */
uint64_t mmu_call_aliased(uint64_t (*fn)(uint64_t), uint64_t arg);

/*
 * Translate <va> as an EL1 read would (AT S1E1R): 1 and the physical address, or 0 when the
 * translation faults (PAR_EL1.F).
 */
int mmu_translate(uint64_t va, uint64_t *pa);

#endif
