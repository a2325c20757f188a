/*
 * Bring-up of apple-t8103's display path for the scenarios, everything found in the DTB: the
 * socsim,scanout (the display pipe's DMA) -> its `iommus` -> the display DART (disp0_dart),
 * which earlier boot firmware (iBoot, here the platform) left translating the scanout's stream
 * through its own table and locked. The DART is probed, never reset: the firmware adopts the
 * locked table (dart_adopt_locked reads TTBR[stream][0]) and maps into it.
 */
#ifndef APPLE_DISPLAY_H
#define APPLE_DISPLAY_H

#include <stdint.h>

#include "check.h"
#include "dart.h"
#include "dma.h"
#include "fdt.h"
#include "scanout.h"

struct apple_display {
	struct fdt fdt;
	struct dart dart;
	struct scanout scanout;
	uint32_t stream;		/* the scanout's stream on the DART */
	uint32_t ttbr;			/* TTBR[stream][0] as found */
	struct dma_device dma;		/* the scanout, announced to dma-debug */
};

/* Find the scanout and its DART, probe both, adopt the locked table. Prints what it found;
 * 0 or a negative errno value (a DART that is not locked is -EPERM). */
int apple_display_setup(struct apple_display *a);

/* Failed checks so far (each printed as "FAIL: ..."). */

#endif
