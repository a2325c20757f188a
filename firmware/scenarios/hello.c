/*
 * hello: the smallest end-to-end check. Prints only lines that are identical under QEMU and
 * socsim (the DTB's model string and size differ between them, so they are not printed).
 */
#include <stdio.h>

#include "cpu.h"
#include "fdt.h"
#include "platform.h"

int main(void)
{
	uint32_t magic = fdt_load_be32((const void *)FIRMWARE_DTB_BASE);

	printf("hello from socsim firmware\n");
	printf("el: %u\n", current_el());
	printf("dtb magic: %08lx\n", (unsigned long)magic);
	return magic == FDT_MAGIC ? 0 : 1;
}
