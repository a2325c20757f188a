/*
 * Arm SMMUv3 driver: see smmuv3.h. Register and structure layouts: the Arm SMMUv3 architecture specification (IHI 0070).
 */
#include "smmuv3.h"

#include <errno.h>
#include <stdio.h>

#include "mmio.h"
#include "pages.h"
#include "timer.h"

/* Registers, page 0 unless noted. */
#define SMMU_IDR0		0x000
#define SMMU_IDR1		0x004
#define SMMU_IDR3		0x00c
#define SMMU_IDR5		0x014
#define SMMU_CR0		0x020
#define SMMU_CR0ACK		0x024
#define SMMU_CR1		0x028
#define SMMU_CR2		0x02c
#define SMMU_GBPA		0x044
#define SMMU_IRQ_CTRL		0x050
#define SMMU_IRQ_CTRLACK	0x054
#define SMMU_GERROR		0x060
#define SMMU_GERRORN		0x064
#define SMMU_GERROR_IRQ_CFG0	0x068	/* 64-bit: MSI address, 0 = wired */
#define SMMU_STRTAB_BASE	0x080	/* 64-bit */
#define SMMU_STRTAB_BASE_CFG	0x088
#define SMMU_CMDQ_BASE		0x090	/* 64-bit */
#define SMMU_CMDQ_PROD		0x098
#define SMMU_CMDQ_CONS		0x09c
#define SMMU_EVENTQ_BASE	0x0a0	/* 64-bit */
#define SMMU_EVENTQ_IRQ_CFG0	0x0b0	/* 64-bit */
#define SMMU_PAGE1		0x10000
#define SMMU_EVENTQ_PROD	(SMMU_PAGE1 + 0x0a8)
#define SMMU_EVENTQ_CONS	(SMMU_PAGE1 + 0x0ac)

#define IDR0_S1P		(1u << 1)
#define IDR0_TTF(v)		(((v) >> 2) & 3)
#define IDR0_HYP		(1u << 9)
#define IDR0_SEV		(1u << 14)
#define IDR0_TTENDIAN(v)	(((v) >> 21) & 3)
#define IDR1_SIDSIZE(v)		((v) & 0x3f)
#define IDR1_EVENTQS(v)		(((v) >> 16) & 0x1f)
#define IDR1_CMDQS(v)		(((v) >> 21) & 0x1f)
#define IDR1_PRESET_MASK	(7u << 28)	/* REL, QUEUES_PRESET, TABLES_PRESET */
#define IDR5_GRAN4K		(1u << 4)
#define IDR5_OAS(v)		((v) & 7)

#define CR0_SMMUEN		(1u << 0)
#define CR0_EVENTQEN		(1u << 2)
#define CR0_CMDQEN		(1u << 3)
/* CR1: tables and queues inner-shareable, inner and outer write-back (Linux's choice). */
#define CR1_VALUE		((3u << 10) | (1u << 8) | (1u << 6) | (3u << 4) | (1u << 2) | 1u)
#define CR2_RECINVSID		(1u << 1)
#define CR2_PTM			(1u << 2)
#define GBPA_UPDATE		(1u << 31)
#define GBPA_ABORT		(1u << 20)
#define GERROR_CMDQ_ERR		(1u << 0)

#define Q_BASE_RWA		(1ull << 62)	/* RA for STRTAB/CMDQ, WA for EVENTQ */
#define Q_ADDR_MASK(lo)		(((1ull << 52) - 1) & ~((1ull << (lo)) - 1))
#define CONS_ERR(v)		(((v) >> 24) & 0x7f)
#define EVTQ_OVFLG		(1u << 31)

/* Commands. */
#define CMD_CFGI_STE		0x03
#define CMD_CFGI_STE_RANGE	0x04
#define CMD_TLBI_NH_ASID	0x11
#define CMD_TLBI_NH_VA		0x12
#define CMD_TLBI_EL2_ALL	0x20
#define CMD_TLBI_NSNH_ALL	0x30
#define CMD_SYNC		0x46
#define SYNC_CS_NONE		0
#define SYNC_CS_SEV		2

/* STE. */
#define STE_V			(1ull << 0)
#define STE_CFG_ABORT		(0ull << 1)
#define STE_CFG_BYPASS		(4ull << 1)
#define STE_CFG_S1		(5ull << 1)
#define STE1_S1CIR_WBRA		(1ull << 2)
#define STE1_S1COR_WBRA		(1ull << 4)
#define STE1_S1CSH_ISH		(3ull << 6)
#define STE1_SHCFG_INCOMING	(1ull << 44)

/* CD. */
#define CD0_T0SZ(v)		((uint64_t)(v) << 0)
#define CD0_TG0_4K		(0ull << 6)
#define CD0_IR0_WBWA		(1ull << 8)
#define CD0_OR0_WBWA		(1ull << 10)
#define CD0_SH0_ISH		(3ull << 12)
#define CD0_T1SZ(v)		((uint64_t)(v) << 16)
#define CD0_TG1_4K		(2ull << 22)
#define CD0_EPD1		(1ull << 30)
#define CD0_V			(1ull << 31)
#define CD0_IPS(v)		((uint64_t)(v) << 32)
#define CD0_AA64		(1ull << 41)
#define CD0_R			(1ull << 45)
#define CD0_A			(1ull << 46)
#define CD0_ASET		(1ull << 47)
#define CD0_ASID(v)		((uint64_t)(v) << 48)
/* MAIR: index 0 normal non-cacheable, 1 normal write-back, 2 device nGnRE (Linux's layout). */
#define MAIR_VALUE		0x0004ff44ull

/* Stage-1 descriptors, 4 KiB granule. */
#define PTE_VALID		(1ull << 0)
#define PTE_TABLE		(3ull << 0)	/* levels 0-2: table; level 3: page */
#define PTE_BLOCK		(1ull << 0)
#define PTE_ATTR_WB		(1ull << 2)	/* AttrIndx 1 */
#define PTE_AP_UNPRIV		(1ull << 6)	/* AP[1]: devices issue unprivileged accesses */
#define PTE_AP_RDONLY		(1ull << 7)	/* AP[2] */
#define PTE_SH_ISH		(3ull << 8)
#define PTE_AF			(1ull << 10)
#define PTE_NG			(1ull << 11)
#define PTE_XN			((1ull << 53) | (1ull << 54))	/* PXN | UXN: data only */
#define PTE_ADDR_MASK		Q_ADDR_MASK(12)

#define POLL_TIMEOUT_US		1000000u	/* Linux's ARM_SMMU_POLL_TIMEOUT_US */

static uint32_t rd(const struct smmu_device *smmu, uint32_t reg)
{
	return read32(smmu->base + reg);
}

static void wr(const struct smmu_device *smmu, uint32_t reg, uint32_t v)
{
	write32(smmu->base + reg, v);
}

static void wr64(const struct smmu_device *smmu, uint32_t reg, uint64_t v)
{
	write64(smmu->base + reg, v);
}

static void dsb(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

/* Write <reg> and wait until <ack> reads back the same value (Linux arm_smmu_write_reg_sync). */
static int write_sync(struct smmu_device *smmu, uint32_t reg, uint32_t ack, uint32_t v)
{
	uint64_t deadline = timer_deadline_us(POLL_TIMEOUT_US);

	wr(smmu, reg, v);
	while (rd(smmu, ack) != v) {
		if (timer_expired(deadline)) {
			printf("smmu: register 0x%03x = 0x%08x not acknowledged (0x%03x reads 0x%08x)\n",
			       (unsigned)reg, (unsigned)v, (unsigned)ack, (unsigned)rd(smmu, ack));
			return -ETIMEDOUT;
		}
	}
	return 0;
}

static const unsigned oas_bits_table[8] = {32, 36, 40, 42, 44, 48, 52, 48};

int smmu_probe(struct smmu_device *smmu, uintptr_t base, uint32_t max_sid)
{
	smmu->base = base;
	smmu->idr0 = rd(smmu, SMMU_IDR0);
	smmu->idr1 = rd(smmu, SMMU_IDR1);
	smmu->idr3 = rd(smmu, SMMU_IDR3);
	smmu->idr5 = rd(smmu, SMMU_IDR5);
	smmu->evtq_overflows = 0;
	smmu->next_asid = 1;

	const char *missing = NULL;
	if (!(smmu->idr0 & IDR0_S1P))
		missing = "IDR0.S1P (stage 1)";
	else if (IDR0_TTF(smmu->idr0) != 2 && IDR0_TTF(smmu->idr0) != 3)
		missing = "IDR0.TTF AArch64 tables";
	else if (IDR0_TTENDIAN(smmu->idr0) != 0 && IDR0_TTENDIAN(smmu->idr0) != 2)
		missing = "IDR0.TTENDIAN little-endian tables";
	else if (smmu->idr1 & IDR1_PRESET_MASK)
		missing = "IDR1.TABLES_PRESET/QUEUES_PRESET/REL = 0";
	else if (!(smmu->idr5 & IDR5_GRAN4K))
		missing = "IDR5.GRAN4K";
	if (missing) {
		printf("smmu: not usable, needs %s (IDR0 0x%08x IDR1 0x%08x IDR5 0x%08x)\n", missing,
		       (unsigned)smmu->idr0, (unsigned)smmu->idr1, (unsigned)smmu->idr5);
		return -ENODEV;
	}

	unsigned bits = 0;
	while (bits < 32 && (1ull << bits) <= max_sid)
		bits++;
	if (bits > IDR1_SIDSIZE(smmu->idr1)) {
		printf("smmu: stream id 0x%x needs %u bits, IDR1.SIDSIZE is %u\n", (unsigned)max_sid,
		       bits, (unsigned)IDR1_SIDSIZE(smmu->idr1));
		return -ENODEV;
	}
	smmu->sid_bits = bits;
	smmu->ips = IDR5_OAS(smmu->idr5);
	if (smmu->ips > 6)
		smmu->ips = 5;	/* reserved encoding: Linux assumes 48 bits */
	smmu->oas_bits = oas_bits_table[smmu->ips];
	return 0;
}

static int queue_alloc(struct smmu_queue *q, uint32_t log2size, uint32_t entry_bytes)
{
	q->log2size = log2size;
	q->index = 0;
	q->base = pages_alloc((size_t)entry_bytes << log2size);
	return q->base ? 0 : -ENOMEM;
}

/* Index and wrap bit of a queue pointer value. */
static uint32_t q_mask(const struct smmu_queue *q)
{
	return (2u << q->log2size) - 1;
}

static uint32_t q_idx(const struct smmu_queue *q, uint32_t p)
{
	return p & ((1u << q->log2size) - 1);
}

static uint32_t q_inc(const struct smmu_queue *q, uint32_t p)
{
	return (p + 1) & q_mask(q);
}

static int q_full(const struct smmu_queue *q, uint32_t prod, uint32_t cons)
{
	return q_idx(q, prod) == q_idx(q, cons) && prod != cons;
}

static int set_gbpa_bits(struct smmu_device *smmu, uint32_t set, uint32_t clear, uint32_t *out)
{
	uint64_t deadline = timer_deadline_us(POLL_TIMEOUT_US);
	uint32_t v;

	/* A previous update must have finished before a new one may be written. */
	while ((v = rd(smmu, SMMU_GBPA)) & GBPA_UPDATE)
		if (timer_expired(deadline))
			goto timeout;
	wr(smmu, SMMU_GBPA, ((v & ~clear) | set) | GBPA_UPDATE);
	while ((v = rd(smmu, SMMU_GBPA)) & GBPA_UPDATE)
		if (timer_expired(deadline))
			goto timeout;
	if (out)
		*out = v;
	return 0;
timeout:
	printf("smmu: GBPA.Update stuck (GBPA 0x%08x)\n", (unsigned)v);
	return -ETIMEDOUT;
}

int smmu_set_gbpa(struct smmu_device *smmu, int abort, uint32_t *readback)
{
	return set_gbpa_bits(smmu, abort ? GBPA_ABORT : 0, abort ? 0 : GBPA_ABORT, readback);
}

int smmu_reset(struct smmu_device *smmu)
{
	int err;

	/* 1. Live SMMU: abort incoming traffic instead of letting it bypass while we reset. */
	if (rd(smmu, SMMU_CR0) & CR0_SMMUEN) {
		if ((err = set_gbpa_bits(smmu, GBPA_ABORT, 0, NULL)))
			return err;
	}
	/* 2. Everything off. */
	if ((err = write_sync(smmu, SMMU_CR0, SMMU_CR0ACK, 0)))
		return err;
	/* 3-4. Table and queue attributes; private TLB maintenance, record invalid stream ids. */
	wr(smmu, SMMU_CR1, CR1_VALUE);
	wr(smmu, SMMU_CR2, CR2_PTM | CR2_RECINVSID);

	/* 5. Linear stream table, every STE "abort" (Linux's disable_bypass default). */
	size_t ste_count = (size_t)1 << smmu->sid_bits;
	smmu->strtab = pages_alloc(ste_count * 64);
	if (!smmu->strtab)
		return -ENOMEM;
	for (size_t i = 0; i < ste_count; i++)
		smmu->strtab[i * 8] = STE_V | STE_CFG_ABORT;
	wr64(smmu, SMMU_STRTAB_BASE, Q_BASE_RWA | ((uintptr_t)smmu->strtab & Q_ADDR_MASK(6)));
	wr(smmu, SMMU_STRTAB_BASE_CFG, smmu->sid_bits);	/* FMT 0: linear, LOG2SIZE */

	/* 6. Command queue. */
	uint32_t cmdq_log2 = IDR1_CMDQS(smmu->idr1) < 8 ? IDR1_CMDQS(smmu->idr1) : 8;
	uint32_t evtq_log2 = IDR1_EVENTQS(smmu->idr1) < 8 ? IDR1_EVENTQS(smmu->idr1) : 8;
	if ((err = queue_alloc(&smmu->cmdq, cmdq_log2, 16)) ||
	    (err = queue_alloc(&smmu->evtq, evtq_log2, 32)))
		return err;
	wr64(smmu, SMMU_CMDQ_BASE,
	     Q_BASE_RWA | ((uintptr_t)smmu->cmdq.base & Q_ADDR_MASK(5)) | cmdq_log2);
	wr(smmu, SMMU_CMDQ_PROD, 0);
	wr(smmu, SMMU_CMDQ_CONS, 0);
	if ((err = write_sync(smmu, SMMU_CR0, SMMU_CR0ACK, CR0_CMDQEN)))
		return err;

	/* 7. Forget any configuration and translation cached before we came. */
	if ((err = smmu_cmd_cfgi_all(smmu)) || (err = smmu_sync(smmu)))
		return err;
	if (smmu->idr0 & IDR0_HYP) {
		uint64_t cmd_el2[2] = {CMD_TLBI_EL2_ALL, 0};
		if ((err = smmu_cmd_submit(smmu, cmd_el2)))
			return err;
	}
	if ((err = smmu_cmd_tlbi_nsnh_all(smmu)) || (err = smmu_sync(smmu)))
		return err;

	/* 8. Event queue (PROD/CONS live in register page 1). */
	wr64(smmu, SMMU_EVENTQ_BASE,
	     Q_BASE_RWA | ((uintptr_t)smmu->evtq.base & Q_ADDR_MASK(5)) | evtq_log2);
	wr(smmu, SMMU_EVENTQ_PROD, 0);
	wr(smmu, SMMU_EVENTQ_CONS, 0);
	if ((err = write_sync(smmu, SMMU_CR0, SMMU_CR0ACK, CR0_CMDQEN | CR0_EVENTQEN)))
		return err;

	/* 10. No interrupts: this firmware polls the queues. */
	if ((err = write_sync(smmu, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0)))
		return err;
	smmu_gerror_ack(smmu);
	return 0;
}

int smmu_enable(struct smmu_device *smmu)
{
	return write_sync(smmu, SMMU_CR0, SMMU_CR0ACK, rd(smmu, SMMU_CR0) | CR0_SMMUEN);
}

int smmu_disable(struct smmu_device *smmu)
{
	return write_sync(smmu, SMMU_CR0, SMMU_CR0ACK, rd(smmu, SMMU_CR0) & ~CR0_SMMUEN);
}

uint32_t smmu_gerror_ack(struct smmu_device *smmu)
{
	uint32_t gerror = rd(smmu, SMMU_GERROR);
	uint32_t active = gerror ^ rd(smmu, SMMU_GERRORN);

	if (active)
		wr(smmu, SMMU_GERRORN, gerror);
	return active;
}

/* ---- Command queue ---------------------------------------------------------------------- */

int smmu_cmd_submit(struct smmu_device *smmu, const uint64_t cmd[2])
{
	struct smmu_queue *q = &smmu->cmdq;
	uint64_t deadline = timer_deadline_us(POLL_TIMEOUT_US);

	while (q_full(q, q->index, rd(smmu, SMMU_CMDQ_CONS) & q_mask(q))) {
		if (timer_expired(deadline)) {
			printf("smmu: command queue stays full (CONS 0x%08x)\n",
			       (unsigned)rd(smmu, SMMU_CMDQ_CONS));
			return -ETIMEDOUT;
		}
	}
	volatile uint64_t *slot = q->base + 2 * q_idx(q, q->index);
	slot[0] = cmd[0];
	slot[1] = cmd[1];
	q->index = q_inc(q, q->index);
	dsb();	/* the entry is in memory before PROD says so */
	wr(smmu, SMMU_CMDQ_PROD, q->index);
	return 0;
}

int smmu_cmd_cfgi_ste(struct smmu_device *smmu, uint32_t sid)
{
	uint64_t cmd[2] = {CMD_CFGI_STE | (uint64_t)sid << 32, 1 /* Leaf */};
	return smmu_cmd_submit(smmu, cmd);
}

int smmu_cmd_cfgi_all(struct smmu_device *smmu)
{
	uint64_t cmd[2] = {CMD_CFGI_STE_RANGE, 31 /* Range 31: every stream */};
	return smmu_cmd_submit(smmu, cmd);
}

int smmu_cmd_tlbi_nh_asid(struct smmu_device *smmu, uint16_t asid)
{
	uint64_t cmd[2] = {CMD_TLBI_NH_ASID | (uint64_t)asid << 48, 0};
	return smmu_cmd_submit(smmu, cmd);
}

int smmu_cmd_tlbi_nh_va(struct smmu_device *smmu, uint16_t asid, uint64_t iova, int leaf)
{
	/* NUM = SCALE = TG = TTL = 0: one address, no range, no level hint. */
	uint64_t cmd[2] = {CMD_TLBI_NH_VA | (uint64_t)asid << 48,
			   (iova & ~0xfffull) | (leaf ? 1 : 0)};
	return smmu_cmd_submit(smmu, cmd);
}

int smmu_cmd_tlbi_nsnh_all(struct smmu_device *smmu)
{
	uint64_t cmd[2] = {CMD_TLBI_NSNH_ALL, 0};
	return smmu_cmd_submit(smmu, cmd);
}

static const char *cerror_name(unsigned err)
{
	switch (err) {
	case 1:
		return "CERROR_ILL";
	case 2:
		return "CERROR_ABT";
	case 3:
		return "CERROR_ATC_INV_SYNC";
	default:
		return "unknown";
	}
}

/*
 * A command failed: CONS.RD points at it. Report, replace it with a CMD_SYNC (as Linux does) and
 * acknowledge GERROR.CMDQ_ERR so the SMMU resumes.
 */
static int handle_cmdq_error(struct smmu_device *smmu)
{
	struct smmu_queue *q = &smmu->cmdq;
	uint32_t cons = rd(smmu, SMMU_CMDQ_CONS);
	volatile uint64_t *slot = q->base + 2 * q_idx(q, cons);

	printf("smmu: command 0x%016llx %016llx failed: %s\n", (unsigned long long)slot[0],
	       (unsigned long long)slot[1], cerror_name(CONS_ERR(cons)));
	slot[0] = CMD_SYNC;
	slot[1] = 0;
	dsb();
	smmu_gerror_ack(smmu);
	return -EIO;
}

int smmu_sync(struct smmu_device *smmu)
{
	struct smmu_queue *q = &smmu->cmdq;
	unsigned cs = (smmu->idr0 & IDR0_SEV) ? SYNC_CS_SEV : SYNC_CS_NONE;
	uint64_t cmd[2] = {CMD_SYNC | (uint64_t)cs << 12, 0};
	int err = smmu_cmd_submit(smmu, cmd), failed = 0;

	if (err)
		return err;
	uint64_t deadline = timer_deadline_us(POLL_TIMEOUT_US);
	for (;;) {
		uint32_t cons = rd(smmu, SMMU_CMDQ_CONS);
		if ((cons & q_mask(q)) == q->index)
			return failed ? -EIO : 0;
		if ((rd(smmu, SMMU_GERROR) ^ rd(smmu, SMMU_GERRORN)) & GERROR_CMDQ_ERR) {
			handle_cmdq_error(smmu);
			failed = 1;	/* keep waiting for the SYNC itself */
		}
		if (timer_expired(deadline)) {
			printf("smmu: CMD_SYNC not consumed (PROD 0x%x CONS 0x%08x)\n",
			       (unsigned)q->index, (unsigned)cons);
			return -ETIMEDOUT;
		}
	}
}

/* ---- Stream table and context descriptors --------------------------------------------- */

static volatile uint64_t *ste_of(struct smmu_device *smmu, uint32_t sid)
{
	if (sid >> smmu->sid_bits)
		return NULL;
	return smmu->strtab + 8 * (size_t)sid;
}

/* Write an STE: every other dword first, dword 0 (V, Config, pointers) last, then CFGI+SYNC. */
static int write_ste(struct smmu_device *smmu, uint32_t sid, const uint64_t ste[8])
{
	volatile uint64_t *p = ste_of(smmu, sid);
	int err;

	if (!p) {
		printf("smmu: stream id 0x%x outside the stream table\n", (unsigned)sid);
		return -EINVAL;
	}
	for (int i = 7; i >= 0; i--)
		p[i] = ste[i];
	dsb();
	if ((err = smmu_cmd_cfgi_ste(smmu, sid)))
		return err;
	return smmu_sync(smmu);
}

int smmu_domain_init(struct smmu_domain *dom, struct smmu_device *smmu)
{
	dom->smmu = smmu;
	dom->asid = smmu->next_asid++;
	dom->cd = pages_alloc(64);
	dom->pgd = pages_alloc(PAGE_SIZE);
	if (!dom->cd || !dom->pgd)
		return -ENOMEM;

	dom->cd[1] = (uintptr_t)dom->pgd & Q_ADDR_MASK(4);	/* TTB0 */
	dom->cd[2] = 0;						/* TTB1: disabled */
	dom->cd[3] = MAIR_VALUE;
	dom->cd[0] = CD0_T0SZ(64 - SMMU_IAS_BITS) | CD0_TG0_4K | CD0_IR0_WBWA | CD0_OR0_WBWA |
		     CD0_SH0_ISH | CD0_T1SZ(64 - SMMU_IAS_BITS) | CD0_TG1_4K | CD0_EPD1 | CD0_V |
		     CD0_IPS(smmu->ips) | CD0_AA64 | CD0_R | CD0_A | CD0_ASET | CD0_ASID(dom->asid);
	return 0;
}

int smmu_attach(struct smmu_domain *dom, uint32_t sid)
{
	uint64_t ste[8] = {
		STE_V | STE_CFG_S1 | ((uintptr_t)dom->cd & Q_ADDR_MASK(6)),	/* S1Fmt 0, S1CDMax 0 */
		STE1_S1CIR_WBRA | STE1_S1COR_WBRA | STE1_S1CSH_ISH,		/* STRW 0: NS-EL1 */
	};
	return write_ste(dom->smmu, sid, ste);
}

int smmu_set_bypass(struct smmu_device *smmu, uint32_t sid)
{
	uint64_t ste[8] = {STE_V | STE_CFG_BYPASS, STE1_SHCFG_INCOMING};
	return write_ste(smmu, sid, ste);
}

int smmu_set_abort(struct smmu_device *smmu, uint32_t sid)
{
	uint64_t ste[8] = {STE_V | STE_CFG_ABORT};
	return write_ste(smmu, sid, ste);
}

/* ---- Page tables (4 KiB granule, levels 0-3) ------------------------------------------- */

static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (3 - level);
}

static unsigned pt_index(uint64_t iova, unsigned level)
{
	return (unsigned)(iova >> level_shift(level)) & 511;
}

static volatile uint64_t *next_table(uint64_t desc)
{
	return (volatile uint64_t *)(uintptr_t)(desc & PTE_ADDR_MASK);
}

static int is_table(uint64_t desc, unsigned level)
{
	return level < 3 && (desc & 3) == PTE_TABLE;
}

static uint64_t leaf_desc(uint64_t pa, unsigned level, unsigned prot)
{
	uint64_t d = (pa & PTE_ADDR_MASK) | PTE_ATTR_WB | PTE_AP_UNPRIV | PTE_SH_ISH | PTE_AF |
		     PTE_NG | PTE_XN;
	if (!(prot & IOMMU_WRITE))
		d |= PTE_AP_RDONLY;
	return d | (level == 3 ? PTE_TABLE : PTE_BLOCK);
}

/* 1 when the table at <level> and every table below it hold no valid leaf. */
static int table_is_empty(volatile uint64_t *table, unsigned level)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t desc = table[i];
		if (!(desc & PTE_VALID))
			continue;
		if (!is_table(desc, level) || !table_is_empty(next_table(desc), level + 1))
			return 0;
	}
	return 1;
}

static void table_free(volatile uint64_t *table, unsigned level)
{
	for (unsigned i = 0; i < 512; i++)
		if (is_table(table[i], level) && (table[i] & PTE_VALID))
			table_free(next_table(table[i]), level + 1);
	pages_free((void *)table, PAGE_SIZE);
}

/*
 * A block is to go where an (empty) table is linked, e.g. pages were mapped and unmapped there
 * before. The SMMU may have cached the table pointer in its walk cache, so break before make:
 * invalid entry, TLBI_NH_VA with Leaf = 0 (walk caches too) and CMD_SYNC, then the block.
 */
static int replace_empty_table(struct smmu_domain *dom, volatile uint64_t *entry, unsigned level,
			       uint64_t iova)
{
	volatile uint64_t *old = next_table(*entry);
	int err;

	if (!table_is_empty(old, level + 1))
		return -EEXIST;
	*entry = 0;
	dsb();
	if ((err = smmu_cmd_tlbi_nh_va(dom->smmu, dom->asid, iova, 0)) || (err = smmu_sync(dom->smmu)))
		return err;
	table_free(old, level + 1);
	return 0;
}

static int map_one(struct smmu_domain *dom, uint64_t iova, uint64_t pa, unsigned leaf_level,
		   unsigned prot)
{
	volatile uint64_t *table = dom->pgd;

	for (unsigned level = 0; level < leaf_level; level++) {
		volatile uint64_t *entry = &table[pt_index(iova, level)];
		uint64_t desc = *entry;
		if (!(desc & PTE_VALID)) {
			volatile uint64_t *next = pages_alloc(PAGE_SIZE);
			if (!next)
				return -ENOMEM;
			dsb();	/* the zeroed table is in memory before it is linked */
			*entry = (uintptr_t)next | PTE_TABLE;
			desc = *entry;
		} else if (!is_table(desc, level)) {
			return -EEXIST;	/* a block already maps this range */
		}
		table = next_table(desc);
	}
	volatile uint64_t *entry = &table[pt_index(iova, leaf_level)];
	if (is_table(*entry, leaf_level)) {
		int err = replace_empty_table(dom, entry, leaf_level, iova);
		if (err)
			return err;
	}
	if (*entry & PTE_VALID)
		return -EEXIST;
	*entry = leaf_desc(pa, leaf_level, prot);
	return 0;
}

int smmu_map(struct smmu_domain *dom, uint64_t iova, uint64_t pa, uint64_t size, unsigned prot)
{
	if (!(prot & (IOMMU_READ | IOMMU_WRITE)) || size == 0 ||
	    ((iova | pa | size) & (SMMU_GRANULE - 1)) || iova + size < iova ||
	    (iova + size - 1) >> SMMU_IAS_BITS || (pa + size - 1) >> dom->smmu->oas_bits)
		return -EINVAL;

	while (size) {
		/* Largest leaf the alignment and the remaining size allow: 1 GiB, 2 MiB, 4 KiB. */
		unsigned level = 3;
		for (unsigned l = 1; l < 3; l++) {
			uint64_t block = 1ull << level_shift(l);
			if (((iova | pa) & (block - 1)) == 0 && size >= block) {
				level = l;
				break;
			}
		}
		int err = map_one(dom, iova, pa, level, prot);
		if (err)
			return err;
		uint64_t step = 1ull << level_shift(level);
		iova += step;
		pa += step;
		size -= step;
	}
	dsb();
	return 0;
}

int smmu_unmap(struct smmu_domain *dom, uint64_t iova, uint64_t size)
{
	if (size == 0 || ((iova | size) & (SMMU_GRANULE - 1)) || iova + size < iova ||
	    (iova + size - 1) >> SMMU_IAS_BITS)
		return -EINVAL;

	while (size) {
		volatile uint64_t *table = dom->pgd;
		unsigned level = 0;
		for (;;) {
			volatile uint64_t *entry = &table[pt_index(iova, level)];
			uint64_t desc = *entry;
			if (!(desc & PTE_VALID))
				return -ENOENT;
			if (is_table(desc, level)) {
				table = next_table(desc);
				level++;
				continue;
			}
			uint64_t leaf = 1ull << level_shift(level);
			if ((iova & (leaf - 1)) || size < leaf)
				return -EINVAL;	/* part of a block: splitting is not supported */
			*entry = 0;
			iova += leaf;
			size -= leaf;
			break;
		}
	}
	dsb();
	return 0;
}

int smmu_flush(struct smmu_domain *dom, uint64_t iova, uint64_t size)
{
	int err;
	uint64_t pages = (size + SMMU_GRANULE - 1) / SMMU_GRANULE;

	if (pages > 256) {
		err = smmu_cmd_tlbi_nh_asid(dom->smmu, dom->asid);
	} else {
		err = 0;
		for (uint64_t i = 0; i < pages && !err; i++)
			err = smmu_cmd_tlbi_nh_va(dom->smmu, dom->asid, iova + i * SMMU_GRANULE, 1);
	}
	if (err)
		return err;
	return smmu_sync(dom->smmu);
}

uint64_t smmu_iova_to_phys(struct smmu_domain *dom, uint64_t iova, unsigned *level_out)
{
	volatile uint64_t *table = dom->pgd;

	if (iova >> SMMU_IAS_BITS)
		return UINT64_MAX;
	for (unsigned level = 0; level <= 3; level++) {
		uint64_t desc = table[pt_index(iova, level)];
		if (!(desc & PTE_VALID) || (level == 3 && (desc & 3) != PTE_TABLE))
			return UINT64_MAX;
		if (is_table(desc, level)) {
			table = next_table(desc);
			continue;
		}
		uint64_t leaf = 1ull << level_shift(level);
		if (level_out)
			*level_out = level;
		return (desc & PTE_ADDR_MASK & ~(leaf - 1)) | (iova & (leaf - 1));
	}
	return UINT64_MAX;
}

static int ops_map(void *d, uint64_t iova, uint64_t pa, uint64_t size, unsigned prot)
{
	return smmu_map(d, iova, pa, size, prot);
}

static int ops_unmap(void *d, uint64_t iova, uint64_t size)
{
	return smmu_unmap(d, iova, size);
}

static int ops_flush(void *d, uint64_t iova, uint64_t size)
{
	return smmu_flush(d, iova, size);
}

static uint64_t ops_iova_to_phys(void *d, uint64_t iova)
{
	return smmu_iova_to_phys(d, iova, NULL);
}

const struct iommu_ops smmu_iommu_ops = {
	.name = "smmuv3",
	.map = ops_map,
	.unmap = ops_unmap,
	.flush = ops_flush,
	.iova_to_phys = ops_iova_to_phys,
};

/* ---- Interrupts ---------------------------------------------------------------------- */

int smmu_irq_enable(struct smmu_device *smmu, uint32_t irqen)
{
	int err;

	/* Linux arm_smmu_setup_irqs with wired interrupts: disable, clear the MSI addresses of the
	 * event queue and global errors (arm_smmu_setup_msis without MSIs), then enable. */
	if ((err = write_sync(smmu, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0)))
		return err;
	wr64(smmu, SMMU_GERROR_IRQ_CFG0, 0);
	wr64(smmu, SMMU_EVENTQ_IRQ_CFG0, 0);
	return write_sync(smmu, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK,
			  irqen & (SMMU_IRQ_CTRL_GERROR_IRQEN | SMMU_IRQ_CTRL_EVTQ_IRQEN));
}

/* ---- Event queue ----------------------------------------------------------------------- */

int smmu_event_read(struct smmu_device *smmu, struct smmu_event *ev)
{
	struct smmu_queue *q = &smmu->evtq;
	uint32_t prod_reg = rd(smmu, SMMU_EVENTQ_PROD);
	uint32_t prod = prod_reg & q_mask(q);

	if (prod == q->index)
		return 0;

	volatile uint64_t *rec = q->base + 4 * q_idx(q, q->index);
	for (int i = 0; i < 4; i++)
		ev->raw[i] = rec[i];
	q->index = q_inc(q, q->index);
	/* Acknowledge an overflow by copying OVFLG into OVACKFLG. */
	uint32_t ovf = prod_reg & EVTQ_OVFLG;
	if (ovf != (rd(smmu, SMMU_EVENTQ_CONS) & EVTQ_OVFLG))
		smmu->evtq_overflows++;
	wr(smmu, SMMU_EVENTQ_CONS, q->index | ovf);

	ev->type = (uint8_t)(ev->raw[0] & 0xff);
	ev->ssv = (int)((ev->raw[0] >> 11) & 1);
	ev->ssid = (uint32_t)((ev->raw[0] >> 12) & 0xfffff);
	ev->sid = (uint32_t)(ev->raw[0] >> 32);
	ev->pnu = (int)((ev->raw[1] >> 33) & 1);
	ev->ind = (int)((ev->raw[1] >> 34) & 1);
	ev->rnw = (int)((ev->raw[1] >> 35) & 1);
	ev->class_ = (unsigned)((ev->raw[1] >> 40) & 3);
	ev->input_addr = ev->raw[2];
	ev->fetch_addr = ev->raw[3] & Q_ADDR_MASK(3);
	return 1;
}

const char *smmu_event_name(unsigned type)
{
	switch (type) {
	case SMMU_EVT_F_UUT: return "F_UUT";
	case SMMU_EVT_C_BAD_STREAMID: return "C_BAD_STREAMID";
	case SMMU_EVT_F_STE_FETCH: return "F_STE_FETCH";
	case SMMU_EVT_C_BAD_STE: return "C_BAD_STE";
	case SMMU_EVT_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
	case SMMU_EVT_F_TRANSL_FORBIDDEN: return "F_TRANSL_FORBIDDEN";
	case SMMU_EVT_C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
	case SMMU_EVT_F_CD_FETCH: return "F_CD_FETCH";
	case SMMU_EVT_C_BAD_CD: return "C_BAD_CD";
	case SMMU_EVT_F_WALK_EABT: return "F_WALK_EABT";
	case SMMU_EVT_F_TRANSLATION: return "F_TRANSLATION";
	case SMMU_EVT_F_ADDR_SIZE: return "F_ADDR_SIZE";
	case SMMU_EVT_F_ACCESS: return "F_ACCESS";
	case SMMU_EVT_F_PERMISSION: return "F_PERMISSION";
	case SMMU_EVT_F_TLB_CONFLICT: return "F_TLB_CONFLICT";
	case SMMU_EVT_F_CFG_CONFLICT: return "F_CFG_CONFLICT";
	case SMMU_EVT_E_PAGE_REQUEST: return "E_PAGE_REQUEST";
	default: return "unknown";
	}
}
