#include "edu.h"

#include <errno.h>
#include <stdio.h>

#include "mmio.h"
#include "mmu.h"
#include "timer.h"

int edu_init(struct edu *edu, struct pci_dev *pdev)
{
	if (!pdev->bar[0].assigned || pdev->bar[0].io) {
		printf("edu: BAR0 not assigned\n");
		return -ENODEV;
	}
	edu->pdev = pdev;
	edu->mmio = ioremap(pdev->bar[0].cpu_addr, pdev->bar[0].size);
	edu->id = read32(edu->mmio + EDU_ID);
	if ((edu->id & 0xffff) != 0x00ed) {
		printf("edu: identification 0x%08x is not an edu device\n", (unsigned)edu->id);
		return -ENODEV;
	}
	write32(edu->mmio + EDU_LIVENESS, 0x12345678u);
	if (read32(edu->mmio + EDU_LIVENESS) != ~0x12345678u) {
		printf("edu: liveness check failed\n");
		return -EIO;
	}
	/* Start from a clean interrupt status. */
	write32(edu->mmio + EDU_IRQ_ACK, read32(edu->mmio + EDU_IRQ_STATUS));
	return 0;
}

int edu_factorial(struct edu *edu, uint32_t n, uint32_t *result)
{
	uint64_t deadline = timer_deadline_us(1000000);

	write32(edu->mmio + EDU_FACTORIAL, n);
	while (read32(edu->mmio + EDU_STATUS) & EDU_STATUS_COMPUTING)
		if (timer_expired(deadline))
			return -ETIMEDOUT;
	*result = read32(edu->mmio + EDU_FACTORIAL);
	return 0;
}

int edu_dma(struct edu *edu, enum edu_dma_dir dir, uint64_t bus_addr, uint32_t buf_off,
	    uint32_t len, uint32_t timeout_us)
{
	if (len == 0 || buf_off >= EDU_DMA_MAX_END || len > EDU_DMA_MAX_END - buf_off)
		return -EINVAL;
	if (read64(edu->mmio + EDU_DMA_CMD) & EDU_CMD_RUN) {
		printf("edu: a DMA is still running\n");
		return -EBUSY;
	}
	uint64_t dev_addr = EDU_BUFFER_ADDR + buf_off;
	write32(edu->mmio + EDU_IRQ_ACK, EDU_IRQ_DMA);
	if (dir == EDU_RAM_TO_DEVICE) {
		write64(edu->mmio + EDU_DMA_SRC, bus_addr);
		write64(edu->mmio + EDU_DMA_DST, dev_addr);
	} else {
		write64(edu->mmio + EDU_DMA_SRC, dev_addr);
		write64(edu->mmio + EDU_DMA_DST, bus_addr);
	}
	write64(edu->mmio + EDU_DMA_COUNT, len);
	write64(edu->mmio + EDU_DMA_CMD,
		EDU_CMD_RUN | EDU_CMD_IRQ | (dir == EDU_DEVICE_TO_RAM ? EDU_CMD_TO_RAM : 0));

	uint64_t deadline = timer_deadline_us(timeout_us);
	while (!(read32(edu->mmio + EDU_IRQ_STATUS) & EDU_IRQ_DMA) ||
	       (read64(edu->mmio + EDU_DMA_CMD) & EDU_CMD_RUN)) {
		if (timer_expired(deadline)) {
			printf("edu: DMA did not complete\n");
			return -ETIMEDOUT;
		}
	}
	write32(edu->mmio + EDU_IRQ_ACK, EDU_IRQ_DMA);
	return 0;
}
