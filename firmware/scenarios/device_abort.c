/*
 * device_abort: a load and a store at an address where nothing is mapped (BAD_ADDR: no node of
 * the DT the loader passed covers it, checked first) are taken as synchronous external aborts:
 * ESR_EL1.EC = 0x25 (data abort, same EL), DFSC = 0x10 (synchronous external abort, not on a
 * table walk), WnR = 0 / 1, FnV = 0 and FAR_EL1 = BAD_ADDR, ELR_EL1 = the faulting instruction.
 * The EC_DABT_CUR handler records the syndrome and resumes after the instruction; the scenario
 * goes on and ends normally. First with the MMU off (there is no translation to fault, so the
 * abort comes from the bus), then with it on and the devices mapped at other virtual addresses
 * (mmu.h's layout): the same accesses through BAD_ADDR's device-window VA translate, reach the
 * bus and abort there, and FAR holds the virtual address the instruction used.
 */
#include <stdio.h>

#include "check.h"
#include "dtb.h"
#include "exception.h"
#include "mmu.h"
#include "platform.h"

#define BAD_ADDR	0x09100000ul	/* virt: between the SMMU / socsim's devices and virtio-mmio */

static struct {
	uint64_t esr, far, elr;
	unsigned count;
} abort_seen;

static int on_data_abort(struct exception_frame *f)
{
	abort_seen.esr = f->esr;
	abort_seen.far = f->far;
	abort_seen.elr = f->elr;
	abort_seen.count++;
	exception_skip_instruction(f);
	return 0;
}

/* 1 when a reg entry of some node overlaps [addr, addr + 4). */
static int mapped_in_dt(const struct fdt *fdt, uint64_t addr)
{
	for (int node = fdt_next_node(fdt, -1); node >= 0; node = fdt_next_node(fdt, node)) {
		uint64_t base, size;
		for (uint32_t i = 0; fdt_get_reg(fdt, node, i, &base, &size) == 0; i++)
			if (addr < base + size && base < addr + 4)
				return 1;
	}
	return 0;
}

static void expect_abort(const char *what, uint64_t addr, int write, uint64_t pc)
{
	uint64_t esr = abort_seen.esr;

	printf("%s of 0x%08llx: %u abort, EC 0x%02x (%s), DFSC 0x%02x, WnR %u, FnV %u, FAR 0x%08llx, "
	       "ELR %s\n", what, (unsigned long long)addr, abort_seen.count, ESR_EC(esr),
	       exception_class_name(ESR_EC(esr)),
	       ESR_ABT_FSC(esr), (esr & ESR_DABT_WNR) ? 1u : 0u, (esr & ESR_ABT_FNV) ? 1u : 0u,
	       (unsigned long long)abort_seen.far, abort_seen.elr == pc ? "= the access" : "elsewhere");
	check(abort_seen.count == 1, "one abort");
	check(ESR_EC(esr) == EC_DABT_CUR, "EC = data abort, same EL");
	check(ESR_ABT_FSC(esr) == FSC_SEA, "DFSC = synchronous external abort");
	check(((esr & ESR_DABT_WNR) != 0) == write, "WnR");
	check(!(esr & ESR_ABT_FNV) && abort_seen.far == addr, "FAR = the address");
	check(abort_seen.elr == pc, "ELR = the faulting instruction");
	abort_seen.count = 0;
}

int main(void)
{
	struct fdt fdt;
	uint64_t pc;
	uint32_t value = 0x600dcafe;

	printf("device_abort: a read and a write where nothing is mapped, recovered\n");
	if (dtb_open(&fdt))
		return 1;
	if (!check(!mapped_in_dt(&fdt, BAD_ADDR), "nothing in the DT at the address"))
		return 1;
	exception_init();
	exception_set_handler(EC_DABT_CUR, on_data_abort);

	for (int mmu_on = 0; mmu_on <= 1; mmu_on++) {
		uint64_t addr = BAD_ADDR;
		if (mmu_on) {
			if (!check(mmu_remap_enable(PLATFORM_RAM_BASE, PLATFORM_RAM_SIZE, 0, 1ull << 30) == 0,
				   "MMU on, devices at their window"))
				return 1;
			addr = MMU_DEVICE_VA(BAD_ADDR);
			printf("MMU on: 0x%08lx is at VA 0x%llx\n", BAD_ADDR, (unsigned long long)addr);
		}
		__asm__ volatile("adr %1, 1f\n1:\tldr %w0, [%2]" : "+r"(value), "=&r"(pc) : "r"(addr) : "memory");
		expect_abort("read", addr, 0, pc);
		/* a pre-indexed store: FAR is the updated base, the address the store used */
		uint64_t base = addr - 8;
		__asm__ volatile("adr %0, 1f\n1:\tstr %w2, [%1, #8]!" : "=&r"(pc), "+r"(base) : "r"(value) : "memory");
		expect_abort("write", addr, 1, pc);
	}

	printf("device_abort: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
