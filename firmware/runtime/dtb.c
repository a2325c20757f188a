#include "dtb.h"

#include <stdio.h>

#include "platform.h"

int dtb_open(struct fdt *fdt)
{
	return fdt_init(fdt, (const void *)FIRMWARE_DTB_BASE, FIRMWARE_DTB_SIZE);
}

uint32_t dtb_chosen_u32(const char *name, uint32_t fallback)
{
	struct fdt fdt;
	uint32_t value;
	int err = dtb_open(&fdt);

	if (err == 0) {
		int chosen = fdt_find_node(&fdt, "/chosen");
		if (chosen < 0)
			err = chosen;
		else
			err = fdt_get_u32(&fdt, chosen, name, &value);
	}
	if (err == 0)
		return value;
	if (err != FDT_ERR_NOTFOUND)
		printf("dtb: /chosen/%s: %s\n", name, fdt_strerror(err));
	return fallback;
}
