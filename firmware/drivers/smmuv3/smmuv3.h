/*
 * Arm SMMUv3 driver, stage 1 only, after Linux drivers/iommu/arm/arm-smmu-v3 (sequences and
 * field layouts: the Arm SMMUv3 architecture specification, IHI 0070).
 *
 * - Probe: checks the ID registers for what this driver needs (listed in smmu_probe()).
 * - Reset (smmu_reset): Linux's arm_smmu_device_reset() order, stopping before SMMUEN so a
 *   caller can choose between smmu_enable() and GBPA bypass/abort (smmu_set_gbpa()).
 * - Stream table: linear, 2^sid_bits STEs, every STE "abort" until a stream is attached.
 * - One context descriptor per domain (S1CDMax = 0, no substreams), VMSAv8-64 tables with a
 *   4 KiB granule and a 48-bit input (T0SZ = 16, walks start at level 0), output size (IPS) =
 *   IDR5.OAS, ASID per domain, TTB1 disabled (EPD1).
 * - Commands are polled: CMD_SYNC with CS = SEV when IDR0.SEV, else CS = none, then CMDQ_CONS is
 *   polled (no WFE, no MSI; smmu_reset leaves IRQ_CTRL = 0).
 * - Events are read from the event queue (smmu_event_read()), polled or from the event queue's
 *   wired interrupt once smmu_irq_enable() set EVTQ_IRQEN.
 *
 * The CPU runs with its MMU off, so every table and queue write is a non-cacheable store and the
 * SMMU sees it in program order; a DSB before each CMDQ_PROD write is all the ordering needed.
 *
 * Functions return 0 or a negative errno value; problems are also printed, once, with the
 * register values involved.
 */
#ifndef SMMUV3_H
#define SMMUV3_H

#include <stdint.h>

#include "iommu.h"

/* Event record types (IHI 0070, "Event records"). */
enum smmu_event_type {
	SMMU_EVT_F_UUT = 0x01,
	SMMU_EVT_C_BAD_STREAMID = 0x02,
	SMMU_EVT_F_STE_FETCH = 0x03,
	SMMU_EVT_C_BAD_STE = 0x04,
	SMMU_EVT_F_STREAM_DISABLED = 0x06,
	SMMU_EVT_F_TRANSL_FORBIDDEN = 0x07,
	SMMU_EVT_C_BAD_SUBSTREAMID = 0x08,
	SMMU_EVT_F_CD_FETCH = 0x09,
	SMMU_EVT_C_BAD_CD = 0x0a,
	SMMU_EVT_F_WALK_EABT = 0x0b,
	SMMU_EVT_F_TRANSLATION = 0x10,
	SMMU_EVT_F_ADDR_SIZE = 0x11,
	SMMU_EVT_F_ACCESS = 0x12,
	SMMU_EVT_F_PERMISSION = 0x13,
	SMMU_EVT_F_TLB_CONFLICT = 0x20,
	SMMU_EVT_F_CFG_CONFLICT = 0x21,
	SMMU_EVT_E_PAGE_REQUEST = 0x24,
};

/* One decoded event record. */
struct smmu_event {
	uint8_t type;
	uint32_t sid;
	uint32_t ssid;
	int ssv;		/* SubstreamID valid */
	int rnw;		/* 1: the faulting access was a read, 0: a write */
	int pnu, ind;		/* privileged, instruction */
	unsigned class_;	/* 0 CD fetch, 1 table walk, 2 input address */
	uint64_t input_addr;	/* the address the device presented */
	uint64_t fetch_addr;	/* F_*_FETCH, F_WALK_EABT: the address that could not be read */
	uint64_t raw[4];
};

struct smmu_queue {
	volatile uint64_t *base;	/* entries, physical = CPU address (MMU off) */
	uint32_t log2size;		/* entries = 2^log2size */
	uint32_t index;			/* our side: producer (cmdq) or consumer (evtq), with wrap */
};

struct smmu_device {
	uintptr_t base;			/* register page 0 (page 1 at base + 0x10000) */
	uint32_t idr0, idr1, idr3, idr5;
	unsigned oas_bits;		/* output address size from IDR5.OAS */
	unsigned ips;			/* IDR5.OAS encoding, used as CD.IPS */
	unsigned sid_bits;		/* the linear stream table covers SIDs [0, 2^sid_bits) */
	volatile uint64_t *strtab;
	struct smmu_queue cmdq, evtq;
	unsigned evtq_overflows;	/* times the event queue overflowed (records lost) */
	uint16_t next_asid;
};

/* A stage-1 address space: one CD, one page table, one ASID. */
struct smmu_domain {
	struct smmu_device *smmu;
	uint16_t asid;
	volatile uint64_t *cd;		/* 64-byte context descriptor */
	volatile uint64_t *pgd;		/* level-0 table */
};

/* Page and block sizes the 4 KiB-granule tables map: 4 KiB, 2 MiB, 1 GiB. */
#define SMMU_PGSIZE_BITMAP ((1ull << 12) | (1ull << 21) | (1ull << 30))
#define SMMU_GRANULE 4096u
#define SMMU_IAS_BITS 48u

/*
 * Read and check the ID registers of the SMMU at <base> and size the stream table for stream IDs
 * up to <max_sid>. Needs: IDR0.S1P; IDR0.TTF AArch64; IDR0.TTENDIAN little or mixed;
 * IDR1.TABLES_PRESET = QUEUES_PRESET = REL = 0; IDR1.SIDSIZE covering <max_sid>; IDR5.GRAN4K.
 */
int smmu_probe(struct smmu_device *smmu, uintptr_t base, uint32_t max_sid);

/*
 * Reset in Linux's order and leave the SMMU with its queues running and SMMUEN = 0:
 * GBPA.ABORT first if SMMUEN was set (no bypass window while the tables change); CR0 = 0;
 * CR1 (inner-shareable write-back tables and queues); CR2 = PTM | RECINVSID; STRTAB_BASE /
 * STRTAB_BASE_CFG (linear, all STEs abort); CMDQ_BASE / PROD / CONS, CMDQEN; CFGI_ALL, CMD_SYNC,
 * TLBI_EL2_ALL (only with IDR0.HYP), TLBI_NSNH_ALL, CMD_SYNC; EVENTQ_BASE / PROD / CONS,
 * EVENTQEN; IRQ_CTRL = 0.
 */
int smmu_reset(struct smmu_device *smmu);

/* CR0.SMMUEN on / off (waiting for CR0ACK). */
int smmu_enable(struct smmu_device *smmu);
int smmu_disable(struct smmu_device *smmu);

/*
 * What an SMMU with SMMUEN = 0 does with incoming transactions: GBPA.ABORT = <abort>, written
 * with GBPA.Update and polled until Update clears. Returns the GBPA value read back afterwards in
 * *readback (the caller decides what to make of an SMMU that did not take the value).
 */
int smmu_set_gbpa(struct smmu_device *smmu, int abort, uint32_t *readback);

/* Commands: each helper queues the command; smmu_sync() issues CMD_SYNC and waits for it.
 * smmu_cmd_submit() queues any 16-byte command (waiting while the queue is full). */
int smmu_cmd_submit(struct smmu_device *smmu, const uint64_t cmd[2]);
int smmu_cmd_cfgi_ste(struct smmu_device *smmu, uint32_t sid);
int smmu_cmd_cfgi_all(struct smmu_device *smmu);
int smmu_cmd_tlbi_nh_asid(struct smmu_device *smmu, uint16_t asid);
int smmu_cmd_tlbi_nh_va(struct smmu_device *smmu, uint16_t asid, uint64_t iova, int leaf);
int smmu_cmd_tlbi_nsnh_all(struct smmu_device *smmu);
int smmu_sync(struct smmu_device *smmu);

/* Streams: attach to a domain (stage-1 STE), bypass, or abort; each followed by CFGI_STE+SYNC. */
int smmu_domain_init(struct smmu_domain *dom, struct smmu_device *smmu);
int smmu_attach(struct smmu_domain *dom, uint32_t sid);
int smmu_set_bypass(struct smmu_device *smmu, uint32_t sid);
int smmu_set_abort(struct smmu_device *smmu, uint32_t sid);

/* Page tables of a domain. smmu_unmap() does not touch the TLB; smmu_flush() does. */
int smmu_map(struct smmu_domain *dom, uint64_t iova, uint64_t pa, uint64_t size, unsigned prot);
int smmu_unmap(struct smmu_domain *dom, uint64_t iova, uint64_t size);
/* TLBI_NH_VA (leaf) for each 4 KiB page of the range, or TLBI_NH_ASID for large ranges, then
 * CMD_SYNC. */
int smmu_flush(struct smmu_domain *dom, uint64_t iova, uint64_t size);
/* Output address of <iova>, UINT64_MAX if unmapped; *level = level of the leaf (1, 2 or 3). */
uint64_t smmu_iova_to_phys(struct smmu_domain *dom, uint64_t iova, unsigned *level);

/* The lib/dma view of a domain (void *domain = struct smmu_domain *). */
extern const struct iommu_ops smmu_iommu_ops;

/*
 * Wired interrupts (Linux arm_smmu_setup_irqs without MSIs): IRQ_CTRL = 0, GERROR_IRQ_CFG0 =
 * EVENTQ_IRQ_CFG0 = 0, then IRQ_CTRL = <irqen> (EVTQ_IRQEN, GERROR_IRQEN), each waiting for
 * IRQ_CTRLACK. The event queue's interrupt then signals records to read (smmu_event_read until
 * it returns 0, as Linux's arm_smmu_evtq_thread).
 */
#define SMMU_IRQ_CTRL_GERROR_IRQEN	(1u << 0)
#define SMMU_IRQ_CTRL_EVTQ_IRQEN	(1u << 2)
int smmu_irq_enable(struct smmu_device *smmu, uint32_t irqen);

/* Next event record: 1 and *ev filled, 0 when the queue is empty, negative on error. */
int smmu_event_read(struct smmu_device *smmu, struct smmu_event *ev);
const char *smmu_event_name(unsigned type);

/* Active global errors (GERROR ^ GERRORN), acknowledged by this call. */
uint32_t smmu_gerror_ack(struct smmu_device *smmu);

#endif
