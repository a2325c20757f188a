/*
 * mmu_remap: the edu's DMA through the SMMU (as smmu_dma) with the CPU's MMU on and nothing the
 * CPU touches at its physical address except the firmware's own RAM (runtime/mmu.h):
 *   - devices (the PL011, the SMMU, the PCIe ECAM and the edu's BAR) only at
 *     MMU_DEVICE_VA(pa) = 0x40_0000_0000 + pa, their physical addresses unmapped; the drivers
 *     get these VAs from ioremap();
 *   - RAM identity-mapped (code, stacks, the drivers' tables, whose addresses the SMMU is given)
 *     and aliased in the TTBR1 half at MMU_RAM_ALIAS(pa) = 0xffff_ff80_0000_0000 + pa.
 * The DMA part runs from the alias (PC and SP in the high half): it fills and checks its buffers
 * through their alias pointers only and gives the DMA API their physical addresses
 * (virt_to_phys), never a CPU VA. Checked: AT S1E1R says the device VAs and RAM aliases translate
 * to the right physical addresses and the devices' physical addresses do not translate; the
 * PL011's PeriphID0 reads 0x11 through its VA; the DMAs copy the data and the SMMU records no
 * event.
 */
#include <stdio.h>

#include "check.h"
#include "exception.h"
#include "mmio.h"
#include "mmu.h"
#include "pages.h"
#include "platform.h"
#include "smmu_edu.h"

#define DEVICE_WINDOW_SIZE	(1ull << 30)	/* virt's devices are all in the first GiB */
#define PL011_PERIPHID0		0xfe0
#define SEED_IN			11u

static struct smmu_edu s;

static void expect_translation(const char *what, uint64_t va, int mapped, uint64_t pa)
{
	uint64_t out = 0;
	int ok = mmu_translate(va, &out);

	if (mapped) {
		printf("%s: VA 0x%016llx -> PA 0x%llx\n", what, (unsigned long long)va, (unsigned long long)out);
		check(ok && out == pa, what);
	} else {
		printf("%s: VA 0x%016llx does not translate\n", what, (unsigned long long)va);
		check(!ok, what);
	}
}

/* Runs at the RAM alias (TTBR1). */
static uint64_t dma_from_high_half(uint64_t arg)
{
	uint64_t pc, sp;
	(void)arg;

	__asm__ volatile("adr %0, .\n\tmov %1, sp" : "=r"(pc), "=r"(sp));
	int high = pc >= MMU_RAM_ALIAS_BASE && sp >= MMU_RAM_ALIAS_BASE;
	printf("high half: PC and SP in the TTBR1 alias: %s\n", high ? "yes" : "no");
	check(high, "running from the alias");

	uint64_t src_pa = (uintptr_t)pages_alloc(PAGE_SIZE), dst_pa = (uintptr_t)pages_alloc(PAGE_SIZE);
	void *src = phys_to_virt(src_pa), *dst = phys_to_virt(dst_pa);
	uint64_t in, out;

	check((uint64_t)(uintptr_t)src >= MMU_RAM_ALIAS_BASE && virt_to_phys(src) == src_pa,
	      "buffer alias and its physical address");
	mem_pattern(src, PAGE_SIZE, SEED_IN);
	mem_zero(dst, PAGE_SIZE);
	if (!check(dma_map_single(&s.dma, virt_to_phys(src), PAGE_SIZE, DMA_TO_DEVICE, &in) == 0 &&
		   dma_map_single(&s.dma, virt_to_phys(dst), PAGE_SIZE, DMA_FROM_DEVICE, &out) == 0, "map"))
		return 1;
	printf("dma: buffers at iova 0x%08llx (to device) and 0x%08llx (from device), CPU views in the high half\n",
	       (unsigned long long)in, (unsigned long long)out);
	check(edu_to_device(&s, in, XFER) == 0 && edu_to_ram(&s, out, XFER) == 0, "dma");
	if (check(mem_check_pattern(dst, XFER, SEED_IN) < 0, "data through the alias"))
		printf("dma: %u bytes RAM -> edu -> RAM: data ok (read through the alias)\n", XFER);
	check(mem_check_pattern((void *)(uintptr_t)dst_pa, XFER, SEED_IN) < 0, "the identity view agrees");
	expect_no_event(&s, "dma");
	check(dma_unmap_single(&s.dma, in, PAGE_SIZE) == 0 && dma_unmap_single(&s.dma, out, PAGE_SIZE) == 0,
	      "unmap");
	pages_free((void *)(uintptr_t)src_pa, PAGE_SIZE);
	pages_free((void *)(uintptr_t)dst_pa, PAGE_SIZE);
	return 0;
}

int main(void)
{
	printf("mmu_remap: edu DMA through the SMMU with the MMU on, devices and RAM at other VAs\n");
	exception_init();	/* a stray access is reported with ESR/FAR, not left to the simulator */
	int err = mmu_remap_enable(PLATFORM_RAM_BASE, PLATFORM_RAM_SIZE, 0, DEVICE_WINDOW_SIZE);
	if (!check(err == 0, "MMU on")) {
		printf("mmu: error %d\n", err);
		return 1;
	}
	printf("mmu: on; devices at 0x%llx + PA, RAM also at 0x%llx + PA\n",
	       (unsigned long long)MMU_DEVICE_VA_BASE, (unsigned long long)MMU_RAM_ALIAS_BASE);

	uintptr_t uart = ioremap(PLATFORM_UART_BASE, 0x1000);
	expect_translation("PL011 at its VA", uart, 1, PLATFORM_UART_BASE);
	expect_translation("PL011 at its PA", PLATFORM_UART_BASE, 0, 0);
	expect_translation("firmware RAM at its alias", MMU_RAM_ALIAS(FIRMWARE_CODE_BASE), 1, FIRMWARE_CODE_BASE);
	uint32_t id0 = read32(uart + PL011_PERIPHID0) & 0xff;
	printf("PL011 PeriphID0 through its VA: 0x%02lx\n", (unsigned long)id0);
	check(id0 == 0x11, "PL011 PeriphID0");

	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	expect_translation("SMMU registers", s.smmu.base, 1, s.smmu.base - MMU_DEVICE_VA_BASE);
	check(s.smmu.base >= MMU_DEVICE_VA_BASE && s.pci.ecam >= MMU_DEVICE_VA_BASE &&
	      s.edu.mmio >= MMU_DEVICE_VA_BASE, "SMMU, ECAM and edu BAR reached through the device window");
	printf("drivers: SMMU, ECAM and the edu's BAR at device-window VAs: %s\n",
	       s.smmu.base >= MMU_DEVICE_VA_BASE && s.pci.ecam >= MMU_DEVICE_VA_BASE &&
	       s.edu.mmio >= MMU_DEVICE_VA_BASE ? "yes" : "no");

	mmu_call_aliased(dma_from_high_half, 0);
	printf("mmu_remap: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
