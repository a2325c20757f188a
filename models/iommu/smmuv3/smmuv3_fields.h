#pragma once
// Every SMMUv3 register, stream-table, STE, CD, command and event-record field the model reads or
// writes, each named once (as QEMU's hw/arm/smmuv3-internal.h names them: `CD_TSZ(x, sel)`), so
// that the code reads `smmuv3_ste::CONFIG(ste)` instead of `(ste[0] >> 1) & 7`. Bit positions are written
// [Hi:Lo] as IHI 0070 and docs/hardware/smmuv3.md (our page, whose tables these follow) write them.
// Public sources: Arm IHI 0070 (SMMU architecture version 3) §6.3 (registers), §5.2 (STE), §5.4
// (CD), §3.4.3 (2-level stream table), §4 (commands), §7.3 (event records); Linux
// drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h (IDR*, CR*, STRTAB_*, CTXDESC_*, CMDQ_*, EVTQ_*).
//
// A field is a constant object: `F(word)` (or `F(words)` for a structure) is its value shifted
// down, `F.in_place(...)` its bits where they are (addresses), `F.mask` and `F.make(v)` build
// words. All of it is constexpr and inlines to the shift and mask it replaces.

#include <array>
#include <cstdint>

namespace socsim::iommu {

namespace smmuv3_bits {

// Bits [Hi:Lo] of one register or word.
template <unsigned Hi, unsigned Lo>
struct field {
    static_assert(Hi >= Lo && Hi < 64, "a field lies within 64 bits");
    static constexpr unsigned lsb = Lo;
    static constexpr uint64_t max = Hi - Lo == 63 ? ~uint64_t{0} : (uint64_t{1} << (Hi - Lo + 1)) - 1;
    static constexpr uint64_t mask = max << Lo;
    constexpr uint64_t operator()(uint64_t word) const { return (word >> Lo) & max; }
    static constexpr uint64_t in_place(uint64_t word) { return word & mask; }
    static constexpr uint64_t make(uint64_t value) { return (value & max) << Lo; }
};

// Bits [Hi:Lo] of 64-bit word Word of a structure (STE, CD, command, event record).
template <unsigned Word, unsigned Hi, unsigned Lo>
struct word_field : field<Hi, Lo> {
    static constexpr unsigned word = Word;
    constexpr uint64_t operator()(const uint64_t* words) const { return field<Hi, Lo>{}(words[Word]); }
    static constexpr uint64_t in_place(const uint64_t* words) { return words[Word] & field<Hi, Lo>::mask; }
    static constexpr void put(uint64_t* words, uint64_t value) { words[Word] |= field<Hi, Lo>::make(value); }
};

// The bits of word `word` that belong to one of `fields` (the others are reserved).
template <class... F>
constexpr uint64_t mask_in_word(unsigned word, F...) {
    return ((F::word == word ? F::mask : 0) | ... | uint64_t{0});
}

} // namespace smmuv3_bits

// ---- registers (IHI 0070 §6.3; docs/hardware/smmuv3.md "Register map") ----

namespace smmuv3_reg {

// Offsets (page 1 registers at 0x10000 + offset).
constexpr uint64_t IDR0 = 0x00, IDR1 = 0x04, IDR2 = 0x08, IDR3 = 0x0c, IDR4 = 0x10, IDR5 = 0x14, IIDR = 0x18,
                   AIDR = 0x1c, CR0 = 0x20, CR0ACK = 0x24, CR1 = 0x28, CR2 = 0x2c, STATUSR = 0x40, GBPA = 0x44,
                   AGBPA = 0x48, IRQ_CTRL = 0x50, IRQ_CTRLACK = 0x54, GERROR = 0x60, GERRORN = 0x64,
                   GERROR_IRQ_CFG0 = 0x68, GERROR_IRQ_CFG1 = 0x70, GERROR_IRQ_CFG2 = 0x74, STRTAB_BASE = 0x80,
                   STRTAB_BASE_CFG = 0x88, CMDQ_BASE = 0x90, CMDQ_PROD = 0x98, CMDQ_CONS = 0x9c,
                   EVENTQ_BASE = 0xa0, EVENTQ_IRQ_CFG0 = 0xb0, EVENTQ_IRQ_CFG1 = 0xb8, EVENTQ_IRQ_CFG2 = 0xbc,
                   EVENTQ_PROD = 0x100a8, EVENTQ_CONS = 0x100ac;
constexpr uint64_t ID_REGS = 0xfd0;  // PIDR4..PIDR7, PIDR0..PIDR3, CIDR0..CIDR3, 4 bytes each

// Fields, one namespace per register (shared by the registers of the same layout).
namespace idr0 {  // §6.3.1
constexpr smmuv3_bits::field<28, 27> ST_LEVEL{};     // 1: 2-level stream tables
constexpr smmuv3_bits::field<25, 24> STALL_MODEL{};  // 1: no stall
constexpr smmuv3_bits::field<22, 21> TTENDIAN{};     // 2: little-endian
constexpr smmuv3_bits::field<19, 19> CD2L{};
constexpr smmuv3_bits::field<14, 14> SEV{};
constexpr smmuv3_bits::field<12, 12> ASID16{};
constexpr smmuv3_bits::field<4, 4> COHACC{};
constexpr smmuv3_bits::field<3, 2> TTF{};            // 2: AArch64
constexpr smmuv3_bits::field<1, 1> S1P{};
} // namespace idr0
namespace idr1 {  // §6.3.2: queue and id sizes as log2
constexpr smmuv3_bits::field<25, 21> CMDQS{};
constexpr smmuv3_bits::field<20, 16> EVENTQS{};
constexpr smmuv3_bits::field<10, 6> SSIDSIZE{};
constexpr smmuv3_bits::field<5, 0> SIDSIZE{};
} // namespace idr1
namespace idr3 {  // §6.3.4
constexpr smmuv3_bits::field<10, 10> RIL{};  // range TLBIs
} // namespace idr3
namespace idr5 {  // §6.3.6
constexpr smmuv3_bits::field<6, 6> GRAN64K{};
constexpr smmuv3_bits::field<5, 5> GRAN16K{};
constexpr smmuv3_bits::field<4, 4> GRAN4K{};
constexpr smmuv3_bits::field<2, 0> OAS{};  // encoded as address_bits() decodes
} // namespace idr5
namespace cr0 {  // §6.3.9, also CR0ACK
constexpr smmuv3_bits::field<0, 0> SMMUEN{};
constexpr smmuv3_bits::field<2, 2> EVENTQEN{};
constexpr smmuv3_bits::field<3, 3> CMDQEN{};
constexpr uint64_t IMPLEMENTED = SMMUEN.mask | EVENTQEN.mask | CMDQEN.mask;  // PRIQEN, ATSCHK, VMW: RES0
} // namespace cr0
namespace cr1 {  // §6.3.11: table and queue attributes, stored only
constexpr smmuv3_bits::field<11, 0> FIELDS{};
} // namespace cr1
namespace cr2 {  // §6.3.12
constexpr smmuv3_bits::field<1, 1> RECINVSID{};
constexpr smmuv3_bits::field<2, 2> PTM{};
constexpr uint64_t IMPLEMENTED = RECINVSID.mask | PTM.mask;  // E2H is RES0 without HYP
} // namespace cr2
namespace gbpa {  // §6.3.14
constexpr smmuv3_bits::field<31, 31> UPDATE{};
constexpr smmuv3_bits::field<20, 20> ABORT{};
constexpr uint64_t FIELDS = 0x001f3f1f;  // ABORT, INSTCFG, PRIVCFG, SHCFG, ALLOCFG, MTCFG, MemAttr
constexpr uint64_t RESET = 0x1000;       // SHCFG = use incoming (bypass), as QEMU
} // namespace gbpa
namespace irq_ctrl {  // §6.3.16, also IRQ_CTRLACK
constexpr smmuv3_bits::field<0, 0> GERROR_IRQEN{};
constexpr smmuv3_bits::field<2, 2> EVENTQ_IRQEN{};
constexpr uint64_t IMPLEMENTED = GERROR_IRQEN.mask | EVENTQ_IRQEN.mask;  // no PRIQ_IRQEN: no PRI
} // namespace irq_ctrl
namespace gerror {  // §6.3.19, also GERRORN: an error is active while the two differ in its bit
constexpr smmuv3_bits::field<0, 0> CMDQ_ERR{};
constexpr smmuv3_bits::field<2, 2> EVENTQ_ABT_ERR{};
constexpr uint64_t IMPLEMENTED = 0x7fd;  // every error bit but PRIQ_ABT_ERR
} // namespace gerror
namespace strtab_base {  // §6.3.24
constexpr smmuv3_bits::field<51, 6> ADDR{};
constexpr smmuv3_bits::field<62, 62> RA{};
constexpr uint64_t WRITABLE = RA.mask | ADDR.mask;
} // namespace strtab_base
namespace strtab_base_cfg {  // §6.3.25
constexpr smmuv3_bits::field<5, 0> LOG2SIZE{};
constexpr smmuv3_bits::field<10, 6> SPLIT{};
constexpr smmuv3_bits::field<17, 16> FMT{};
constexpr unsigned FMT_LINEAR = 0, FMT_2LVL = 1;  // 2, 3: reserved
constexpr uint64_t WRITABLE = LOG2SIZE.mask | SPLIT.mask | FMT.mask;
} // namespace strtab_base_cfg
namespace queue_base {  // §6.3.26, §6.3.29: CMDQ_BASE, EVENTQ_BASE
constexpr smmuv3_bits::field<4, 0> LOG2SIZE{};
constexpr smmuv3_bits::field<51, 5> ADDR{};
constexpr smmuv3_bits::field<62, 62> RA{};  // WA for the event queue
constexpr uint64_t WRITABLE = RA.mask | ADDR.mask | LOG2SIZE.mask;
} // namespace queue_base
namespace queue_ptr {  // §6.3.27-28, §6.3.95-96: CMDQ_PROD/CONS, EVENTQ_PROD/CONS
constexpr smmuv3_bits::field<19, 0> PTR{};          // WR or RD: the index, and the wrap bit just above it
constexpr smmuv3_bits::field<30, 24> CMDQ_ERR{};    // CMDQ_CONS.ERR
constexpr smmuv3_bits::field<31, 31> OVFLG{};       // EVENTQ_PROD.OVFLG, EVENTQ_CONS.OVACKFLG
constexpr unsigned CERROR_NONE = 0, CERROR_ILL = 1, CERROR_ABT = 2;  // CMDQ_CONS.ERR values (§7.1)
} // namespace queue_ptr

// Output (IDR5.OAS) and intermediate (CD.IPS) address sizes: the encoding's bits, 0 if reserved.
constexpr unsigned address_bits(unsigned code) {
    constexpr unsigned bits[8] = {32, 36, 40, 42, 44, 48, 52, 0};
    return bits[code & 7];
}

} // namespace smmuv3_reg

// A queue as its *Q_BASE register describes it (IHI 0070 §7.4; docs/hardware/smmuv3.md "Queues"):
// LOG2SIZE capped at the maximum, the base aligned to the queue's size (at least 32 bytes; the low
// bits of a misaligned base are taken as zero), and PROD/CONS as an index plus a wrap bit.
struct smmuv3_queue {
    uint64_t base = 0;
    uint64_t bytes = 0;
    uint32_t ptr_mask = 0;    // index bits plus the wrap bit
    uint32_t index_mask = 0;
    unsigned entry_bytes = 0;

    static constexpr smmuv3_queue of(uint64_t base_reg, unsigned max_log2, unsigned entry_bytes) {
        using namespace smmuv3_reg;
        const unsigned qs = queue_base::LOG2SIZE(base_reg) < max_log2
                                ? static_cast<unsigned>(queue_base::LOG2SIZE(base_reg))
                                : max_log2;
        smmuv3_queue q;
        q.bytes = uint64_t{entry_bytes} << qs < 32 ? 32 : uint64_t{entry_bytes} << qs;
        q.base = queue_base::ADDR.in_place(base_reg) & ~(q.bytes - 1);
        q.ptr_mask = (2u << qs) - 1;
        q.index_mask = (1u << qs) - 1;
        q.entry_bytes = entry_bytes;
        return q;
    }
    constexpr uint64_t entry(uint32_t ptr) const { return base + uint64_t{ptr & index_mask} * entry_bytes; }
    // Full: the same index, the other wrap (prod and cons masked with ptr_mask).
    constexpr bool full(uint32_t prod, uint32_t cons) const {
        return (prod & index_mask) == (cons & index_mask) && prod != cons;
    }
};

// ---- stream table entries (IHI 0070 §5.2; docs/hardware/smmuv3.md "STE") ----

namespace smmuv3_ste {
using smmuv3_bits::word_field;
constexpr unsigned WORDS = 8, BYTES = 64;
constexpr word_field<0, 0, 0> V{};
constexpr word_field<0, 3, 1> CONFIG{};
constexpr unsigned CONFIG_BYPASS = 4, CONFIG_S1_TRANS = 5;  // below 4: abort; 6, 7: stage 2
constexpr word_field<0, 5, 4> S1FMT{};                      // 0 linear CD table, 1/2 2-level, 3 reserved
constexpr unsigned S1FMT_LINEAR = 0, S1FMT_RESERVED = 3;
constexpr word_field<0, 51, 6> S1_CONTEXT_PTR{};
constexpr word_field<0, 63, 59> S1_CD_MAX{};
constexpr word_field<1, 1, 0> S1DSS{};
constexpr unsigned S1DSS_TERMINATE = 0, S1DSS_BYPASS = 1, S1DSS_SSID0 = 2;  // 3 reserved
constexpr word_field<1, 27, 27> S1STALLD{};
constexpr word_field<1, 49, 48> PRIVCFG{};
constexpr unsigned PRIVCFG_UNPRIVILEGED = 2, PRIVCFG_PRIVILEGED = 3;  // 0, 1: the transaction's

// Level-1 stream table descriptor (§3.4.3): 8 bytes.
namespace l1 {
constexpr unsigned BYTES = 8;
constexpr word_field<0, 4, 0> SPAN{};  // the level-2 table holds 2^(SPAN-1) STEs; 0: invalid
constexpr word_field<0, 51, 6> L2_PTR{};
} // namespace l1
} // namespace smmuv3_ste

// The stream table STRTAB_BASE_CFG describes (IHI 0070 §6.3.25, §3.4.3; docs/hardware/smmuv3.md
// "Stream table"): linear, or 2-level with level-1 descriptors indexed by StreamID >> SPLIT.
struct smmuv3_stream_table {
    bool two_level = false;  // FMT=1; the reserved FMT values read as linear
    unsigned log2size = 0;   // LOG2SIZE, capped at SIDSIZE
    unsigned split = 6;      // SPLIT is 6, 8 or 10; other values behave as 6

    static constexpr smmuv3_stream_table of(uint64_t cfg, unsigned sid_bits) {
        using namespace smmuv3_reg;
        smmuv3_stream_table t;
        t.two_level = strtab_base_cfg::FMT(cfg) == strtab_base_cfg::FMT_2LVL;
        t.log2size = strtab_base_cfg::LOG2SIZE(cfg) < sid_bits ? static_cast<unsigned>(strtab_base_cfg::LOG2SIZE(cfg))
                                                                : sid_bits;
        const unsigned split = static_cast<unsigned>(strtab_base_cfg::SPLIT(cfg));
        t.split = split == 8 || split == 10 ? split : 6;
        return t;
    }
    // 2-level: the level-1 descriptor of a StreamID, and its STE in that descriptor's level-2 table.
    constexpr uint32_t l1_index(uint32_t sid) const { return sid >> split; }
    constexpr uint32_t l2_index(uint32_t sid) const { return sid & ((1u << split) - 1); }
    // The size of the linear table or of the level-1 table (at least 64 bytes): the alignment of
    // STRTAB_BASE.
    constexpr uint64_t bytes() const {
        if (!two_level) return uint64_t{smmuv3_ste::BYTES} << log2size;
        const uint64_t l1 = uint64_t{smmuv3_ste::l1::BYTES} << (log2size > split ? log2size - split : 0);
        return l1 < 64 ? 64 : l1;
    }
};

// ---- context descriptors (IHI 0070 §5.4; docs/hardware/smmuv3.md "CD") ----

namespace smmuv3_cd {
using smmuv3_bits::word_field;
constexpr unsigned WORDS = 8, BYTES = 64;
constexpr word_field<0, 5, 0> T0SZ{};
constexpr word_field<0, 7, 6> TG0{};
constexpr word_field<0, 14, 14> EPD0{};
constexpr word_field<0, 15, 15> ENDI{};
constexpr word_field<0, 21, 16> T1SZ{};
constexpr word_field<0, 23, 22> TG1{};
constexpr word_field<0, 30, 30> EPD1{};
constexpr word_field<0, 31, 31> V{};
constexpr word_field<0, 34, 32> IPS{};  // encoded as smmuv3_reg::address_bits() decodes
constexpr word_field<0, 35, 35> AFFD{};
constexpr word_field<0, 38, 38> TBI0{};
constexpr word_field<0, 39, 39> TBI1{};
constexpr word_field<0, 41, 41> AA64{};
constexpr word_field<0, 43, 42> HA_HD{};  // HD [42], HA [43]
constexpr word_field<0, 44, 44> S{};
constexpr word_field<0, 45, 45> R{};
constexpr word_field<0, 46, 46> A{};
constexpr word_field<0, 63, 48> ASID{};
constexpr word_field<1, 51, 4> TTB0{};
constexpr word_field<2, 51, 4> TTB1{};

// The fields of translation-table half `sel` (0: TTB0, 1: TTB1), as QEMU's CD_TSZ(x, sel).
constexpr unsigned tsz(const uint64_t* cd, int sel) { return static_cast<unsigned>(sel ? T1SZ(cd) : T0SZ(cd)); }
constexpr unsigned tg(const uint64_t* cd, int sel) { return static_cast<unsigned>(sel ? TG1(cd) : TG0(cd)); }
constexpr bool epd(const uint64_t* cd, int sel) { return sel ? EPD1(cd) : EPD0(cd); }
constexpr bool tbi(const uint64_t* cd, int sel) { return sel ? TBI1(cd) : TBI0(cd); }
constexpr uint64_t ttb(const uint64_t* cd, int sel) { return sel ? TTB1.in_place(cd) : TTB0.in_place(cd); }
// The granule a TGx encoding selects, as a shift; 0 for a reserved encoding. TG0: 0 4K, 1 64K,
// 2 16K; TG1: 1 16K, 2 4K, 3 64K.
constexpr unsigned granule_shift(int sel, unsigned tg) {
    constexpr unsigned tg0[4] = {12, 16, 14, 0}, tg1[4] = {0, 14, 12, 16};
    return sel ? tg1[tg & 3] : tg0[tg & 3];
}

// Level-1 CD table descriptor (§5.3): 8 bytes.
namespace l1 {
constexpr word_field<0, 0, 0> V{};
constexpr word_field<0, 51, 12> L2_PTR{};
} // namespace l1
} // namespace smmuv3_cd

// ---- commands (IHI 0070 §4; docs/hardware/smmuv3.md "Commands") ----

namespace smmuv3_cmd {
using smmuv3_bits::word_field;
constexpr unsigned WORDS = 2, BYTES = 16;

enum opcode : uint8_t {
    PREFETCH_CONFIG = 0x01, PREFETCH_ADDR = 0x02, CFGI_STE = 0x03, CFGI_STE_RANGE = 0x04, CFGI_CD = 0x05,
    CFGI_CD_ALL = 0x06, TLBI_NH_ALL = 0x10, TLBI_NH_ASID = 0x11, TLBI_NH_VA = 0x12, TLBI_NH_VAA = 0x13,
    TLBI_EL2_ALL = 0x20, TLBI_EL2_ASID = 0x21, TLBI_EL2_VA = 0x22, TLBI_EL2_VAA = 0x23, TLBI_S12_VMALL = 0x28,
    TLBI_S2_IPA = 0x2a, TLBI_NSNH_ALL = 0x30, ATC_INV = 0x40, PRI_RESP = 0x41, RESUME = 0x44, STALL_TERM = 0x45,
    CMD_SYNC = 0x46,
};
const char* name(uint8_t op);  // "unknown" for an opcode not listed

constexpr word_field<0, 7, 0> OP{};
constexpr word_field<0, 10, 10> SSEC{};
constexpr word_field<0, 11, 11> SSV{};
constexpr word_field<0, 31, 12> SSID{};
constexpr word_field<0, 63, 32> SID{};
constexpr word_field<0, 47, 32> VMID{};
constexpr word_field<0, 63, 48> ASID{};
constexpr word_field<0, 16, 12> NUM{};    // range TLBI: NUM + 1 ...
constexpr word_field<0, 24, 20> SCALE{};  // ... times 2^SCALE pages
constexpr word_field<1, 0, 0> LEAF{};
constexpr word_field<1, 4, 0> RANGE{};    // CFGI_STE_RANGE: 2^(RANGE+1) StreamIDs; 31: all
constexpr unsigned RANGE_ALL = 31;
constexpr word_field<1, 4, 0> SIZE{};     // PREFETCH_ADDR: 2^SIZE bytes
constexpr word_field<1, 9, 8> TTL{};
constexpr word_field<1, 11, 10> TG{};     // range TLBI granule: 0 one address, else 2^(2*TG+10)
constexpr word_field<1, 63, 12> ADDR{};
constexpr word_field<0, 13, 12> CS{};     // CMD_SYNC completion signal
constexpr unsigned CS_NONE = 0, CS_IRQ = 1, CS_SEV = 2, CS_RESERVED = 3;
constexpr word_field<0, 23, 22> MSH{};
constexpr word_field<0, 27, 24> MSIATTR{};
constexpr word_field<0, 63, 32> MSIDATA{};
constexpr word_field<1, 51, 2> MSIADDR{};

constexpr unsigned tlbi_granule_shift(unsigned tg) { return 2 * tg + 10; }
} // namespace smmuv3_cmd

// ---- event records (IHI 0070 §7.3; docs/hardware/smmuv3.md "Events") ----

namespace smmuv3_event {
using smmuv3_bits::word_field;
constexpr unsigned WORDS = 4, BYTES = 32;

// Event record types.
constexpr uint8_t F_UUT = 0x01, C_BAD_STREAMID = 0x02, F_STE_FETCH = 0x03, C_BAD_STE = 0x04,
                  F_STREAM_DISABLED = 0x06, C_BAD_SUBSTREAMID = 0x08, F_CD_FETCH = 0x09, C_BAD_CD = 0x0a,
                  F_WALK_EABT = 0x0b, F_TRANSLATION = 0x10, F_ADDR_SIZE = 0x11, F_ACCESS = 0x12,
                  F_PERMISSION = 0x13;
const char* name(uint8_t type);  // "unknown event" for a type not listed

// The four translation faults (F_TRANSLATION..F_PERMISSION): CD.R decides whether they are
// recorded and CD.A whether the transaction aborts (IHI 0070 §5.5).
constexpr bool is_translation_fault(uint8_t type) { return type >= F_TRANSLATION && type <= F_PERMISSION; }

constexpr word_field<0, 7, 0> TYPE{};
constexpr word_field<0, 63, 32> SID{};
constexpr word_field<1, 33, 33> PNU{};
constexpr word_field<1, 35, 35> RNW{};
constexpr word_field<1, 41, 40> CLASS{};
constexpr unsigned CLASS_CD = 0, CLASS_TT = 1, CLASS_IN = 2;
constexpr word_field<2, 63, 0> INPUT_ADDR{};
constexpr word_field<3, 51, 3> FETCH_ADDR{};

// What the model knows when it raises an event; which of it a record carries follows from the type.
struct fields {
    uint8_t type = 0;
    uint32_t sid = 0;
    uint64_t input_addr = 0;
    uint64_t fetch_addr = 0;
    bool rnw = false, pnu = false;
};
using record = std::array<uint64_t, WORDS>;

// The one builder of event records. Translation-stage faults (the walk's F_WALK_EABT and the
// four translation faults) carry the input address, RnW, PnU and CLASS (TT for the walk's bus
// error, else IN); the fetch faults and F_WALK_EABT carry the fetch address. The model raises
// no other fields (SSV = 0: no substreams; InD = 0: DMAs are data accesses).
constexpr record build(const fields& e) {
    record r{};
    TYPE.put(r.data(), e.type);
    SID.put(r.data(), e.sid);
    if (e.type == F_WALK_EABT || is_translation_fault(e.type)) {
        PNU.put(r.data(), e.pnu);
        RNW.put(r.data(), e.rnw);
        CLASS.put(r.data(), e.type == F_WALK_EABT ? CLASS_TT : CLASS_IN);
        INPUT_ADDR.put(r.data(), e.input_addr);
    }
    if (e.type == F_STE_FETCH || e.type == F_CD_FETCH || e.type == F_WALK_EABT)
        FETCH_ADDR.put(r.data(), e.fetch_addr >> FETCH_ADDR.lsb);
    return r;
}
} // namespace smmuv3_event

} // namespace socsim::iommu
