/*
 * The device tree the loader passed to the firmware.
 *
 * QEMU (for an ELF image that leaves room) and socsim both place the DTB at the base of RAM.
 * socsim also passes its address in x0, but QEMU does not for a bare-metal ELF, so the firmware
 * always reads it at FIRMWARE_DTB_BASE, which the link layout keeps free.
 */
#ifndef DTB_H
#define DTB_H

#include <stdint.h>

#include "fdt.h"

/* Check the DTB at FIRMWARE_DTB_BASE and describe it in <fdt>; 0 or a negative FDT_ERR_*. */
int dtb_open(struct fdt *fdt);

/*
 * u32 property <name> of /chosen (simulator knobs such as "socsim,exit-code"), or <fallback>
 * when there is no such property. A DTB or property that cannot be read also gives <fallback>,
 * after a message on stdout.
 */
uint32_t dtb_chosen_u32(const char *name, uint32_t fallback);

#endif
