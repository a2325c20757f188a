/*
 * QEMU's "edu" educational PCI device (vendor 0x1234, device 0x11e8; QEMU docs/specs/edu.rst,
 * hw/misc/edu.c), and socsim's register-compatible model. BAR0 (memory) holds:
 *
 *   0x00 identification (RO)   0xRRrr00ed: major RR, minor rr
 *   0x04 liveness (RW)         reads back the bitwise inverse of what was written
 *   0x08 factorial (RW)        write n, read n! once status bit 0 clears
 *   0x20 status (RW)           bit 0 computing (RO), bit 7 interrupt after factorial
 *   0x24 interrupt status (RO) 0x100: DMA done
 *   0x60 raise interrupt (WO)  0x64 acknowledge interrupt (WO): clears the written bits
 *   0x80 DMA source, 0x88 DMA destination, 0x90 DMA count: 64-bit accesses
 *   0x98 DMA command: bit 0 start (clears when done), bit 1 direction (0: RAM -> buffer,
 *        1: buffer -> RAM), bit 2 raise interrupt 0x100 when done
 *
 * The device's 4 KiB DMA buffer sits at device address 0x40000; it is not visible to the CPU,
 * so data is checked by DMAing it back out. The device's DMA mask is 28 bits: it cannot emit a
 * bus address at or above 256 MiB.
 *
 * Registers below 0x80 are accessed with 32-bit accesses, 0x80-0x98 with 64-bit accesses.
 * Completion is polled: interrupt status 0x100 (requested with command bit 2), then command
 * bit 0 clear; the interrupt is acknowledged through 0x64. No interrupt controller is involved.
 */
#ifndef EDU_H
#define EDU_H

#include <stdint.h>

#include "pci.h"

/* BAR0 registers */
#define EDU_ID			0x00
#define EDU_LIVENESS		0x04
#define EDU_FACTORIAL		0x08
#define EDU_STATUS		0x20
#define EDU_STATUS_COMPUTING	(1u << 0)
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_ACK		0x64
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_CMD_RUN		(1u << 0)
#define EDU_CMD_TO_RAM		(1u << 1)
#define EDU_CMD_IRQ		(1u << 2)
#define EDU_IRQ_DMA		0x100u

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8
#define EDU_BUFFER_ADDR		0x40000u
#define EDU_BUFFER_SIZE		4096u
#define EDU_DMA_MASK		((1ull << 28) - 1)
/* QEMU 7.2's edu refuses (hw_error: QEMU aborts) a DMA whose range ends exactly at the end of
 * the buffer, an off-by-one in its range check; edu_dma() keeps the last byte unused. */
#define EDU_DMA_MAX_END		(EDU_BUFFER_SIZE - 1)

struct edu {
	struct pci_dev *pdev;
	uintptr_t mmio;
	uint32_t id;
};

enum edu_dma_dir {
	EDU_RAM_TO_DEVICE = 0,	/* the device reads memory at the bus address into its buffer */
	EDU_DEVICE_TO_RAM = 1,	/* the device writes its buffer to memory at the bus address */
};

/* Check identification and liveness of the device behind <pdev> (BAR0 must be assigned). */
int edu_init(struct edu *edu, struct pci_dev *pdev);

/* n! computed by the device. */
int edu_factorial(struct edu *edu, uint32_t n, uint32_t *result);

/*
 * One DMA of <len> bytes between bus address <bus_addr> and the device buffer at offset
 * <buf_off>, waiting up to <timeout_us> for completion. Returns 0 when the device reports
 * completion (which says nothing about whether the bus delivered the data), -ETIMEDOUT if it
 * does not, -EINVAL for a range outside [0, EDU_DMA_MAX_END) of the buffer (which QEMU's model
 * would abort on).
 */
int edu_dma(struct edu *edu, enum edu_dma_dir dir, uint64_t bus_addr, uint32_t buf_off,
	    uint32_t len, uint32_t timeout_us);

#endif
