#pragma once
// Arm SMMUv3 (IHI 0070), stage 1 only, VMSAv8-64 tables: enough to pass Linux arm-smmu-v3's probe
// and to run firmware that programs it the Linux way. Facts and their public sources (IHI 0070, Linux
// arm-smmu-v3.c): docs/hardware/smmuv3.md. Every register, STE, CD, command and event-record field,
// by name, and the one event-record builder: smmuv3_fields.h.
//
// DT: compatible "arm,smmu-v3"; `reg` (>= 0x20000: page 0 and page 1); `interrupts` with
// `interrupt-names` among "eventq", "priq", "cmdq-sync", "gerror" (the builder wires each output
// by that name; without names, in that order). Simulator knobs:
//   socsim,tlb-entries (default 512), socsim,tlb-ways (4), socsim,config-cache-entries (64),
//   socsim,check-stale (1: the DMA checker runs on every TLB hit), socsim,untagged-dma
//   ("abort", default, or "bypass": what happens to a DMA that carries no stream id).
//
// Sockets: `socket` (registers, from core::peripheral), `upstream` (DMA masters bind here; the
// stream id comes from core::dma_extension), `downstream` (to the bus: table walks, queue and
// structure accesses, translated DMA). Interrupt lines (levels): `eventq_irq` = IRQ_CTRL.EVENTQ_IRQEN
// and the event queue enabled and not empty; `gerror_irq` = IRQ_CTRL.GERROR_IRQEN and an active
// global error (GERROR != GERRORN); `cmdq_sync_irq` pulses on CMD_SYNC with CS=SIG_IRQ;
// `priq_irq` never rises (IDR0.PRI = 0: there is no PRI queue), it exists so that a DT naming
// "priq", as QEMU's virt does, wires like any other.
//
// ID registers (reset values):
//   IDR0 0x0948501a: ST_LEVEL=1 (2-level stream tables), TERM_MODEL=0 (CD.A
//   chooses abort or RAZ/WI), STALL_MODEL=1 (no stall), TTENDIAN=2 (little-endian), CD2L=1, SEV=1,
//   ASID16=1, COHACC=1, TTF=2 (AArch64), S1P=1; no S2, HYP, ATS, PRI, MSI, HTTU, BTM.
//   IDR1 0x02730150: SIDSIZE=16, SSIDSIZE=5, CMDQS=19, EVENTQS=19, PRIQS=0. IDR3 0x400: RIL=1 (range TLBI).
//   IDR5 0x75: GRAN4K|GRAN16K|GRAN64K, OAS=5 (48 bits). IIDR=0, AIDR=1 (SMMUv3.1).
//   CR0/CR0ACK 0, GBPA 0x1000 (bypass, SHCFG=incoming: as QEMU), everything else 0.
//
// Behaviour and choices (where the spec leaves room):
// - Register writes take effect at once: CR0ACK and IRQ_CTRLACK follow CR0 and IRQ_CTRL in the
//   same write, GBPA.Update reads 0 right after a write with Update=1 (a write without Update is
//   ignored, as SMMUv3.2 requires). RES0 bits read as zero. Queue and stream-table base registers
//   written while their queue (or the SMMU) is enabled keep their value and log a warning.
//   Misaligned queue and stream-table bases are used with the low bits as zero, plus a warning.
// - Commands run inside the MMIO write that makes them visible (CMDQ_PROD, CR0.CMDQEN, or the
//   GERRORN write acknowledging a command error), in zero simulated time, until the queue is
//   empty or a command fails: then CMDQ_CONS.ERR holds CERROR_ILL (1) or CERROR_ABT (2), RD stays
//   on the bad command, GERROR.CMDQ_ERR toggles, and nothing runs until GERRORN acknowledges it.
//   ILL: unknown opcodes; non-zero reserved fields; SSec=1; commands for features not
//   implemented (TLBI_EL2_*, stage-2 TLBIs, ATC_INV, PRI_RESP, RESUME, STALL_TERM); CMD_SYNC
//   CS=3; the reserved range-TLBI encodings. CMD_SYNC with CS=SEV completes like CS=NONE (there
//   is no WFE to wake); CS=SIG_IRQ pulses `cmdq_sync_irq`.
// - Configuration cache: one decoded STE+CD per stream, at most socsim,config-cache-entries (LRU).
//   An STE or CD changed in memory without CFGI keeps its cached meaning until a CFGI covering
//   the stream (any CFGI naming the stream drops all its cached configuration; over-invalidation
//   is allowed). Invalid configurations are not cached: each DMA re-reads and re-reports them.
// - TLB: ASID-tagged (global entries for nG=0), bounded and LRU (common/tlb.h); only leaf
//   entries are cached, so Leaf/TTL hints never narrow an invalidation. Every TLBI_* and CFGI_*
//   tells the DMA checker (common/dma_checker.h) what it covered, so that a stale report can say
//   why the last one missed (docs/hardware/smmuv3.md, "Stale translations"). The checker also
//   checks, on a hit on a non-global entry, that the walk started at the table the stream's
//   configuration names now (a CD TTB changed and CFGI'd without a TLBI of its ASID is reported
//   as stale when the new table differs). Every DMA with a stream id is first checked against
//   the buffers firmware announced through socsim,dma-debug (dma_checker::check_access).
// - Translation: SMMUEN=0 -> GBPA.ABORT decides (abort silently, or bypass). Stream id >=
//   2^SIDSIZE or outside the stream table -> C_BAD_STREAMID (recorded if CR2.RECINVSID). STE V=0
//   or illegal -> C_BAD_STE; Config 0b000-0b011 abort without event; 0b100 bypass; 0b101 stage 1;
//   stage-2 configs are illegal. CD checks (C_BAD_CD): V, AA64, ENDI, HA/HD, S (no stall), TG0/TG1
//   encodings, T0SZ/T1SZ in 16..39, TTB inside IPS; IPS above OAS (or reserved) means OAS. CD
//   fetches use S1ContextPtr (linear or 2-level CD table, substream 0: this model's DMAs carry no
//   substream id, so S1DSS decides when S1CDMax > 0: terminate -> F_STREAM_DISABLED, bypass, or CD 0).
//   VA range: bit 55 selects TTB0/TTB1, bits above the input size must match it (TBI honoured),
//   EPDx=1 -> F_TRANSLATION. Walk faults: F_TRANSLATION, F_ADDR_SIZE, F_ACCESS (AFFD=0),
//   F_PERMISSION (write to AP[2]=1 / APTable[1]; unprivileged access without AP[1], or with
//   APTable[0]; the STE's PRIVCFG may override the DMA's privilege), F_WALK_EABT (bus error on a
//   table read). Those four translation faults are recorded only if CD.R=1, and terminate as
//   abort if CD.A=1, else as RAZ/WI (reads return zeros, writes are dropped, response OK).
//   Everything else aborts and is recorded. Aborted DMAs get TLM_ADDRESS_ERROR_RESPONSE.
//   Instruction-fetch (XN) checks do not apply: DMAs are data accesses.
// - Event queue: records are written when CR0.EVENTQEN=1 (dropped silently otherwise, counted);
//   a full queue sets overflow (EVENTQ_PROD.OVFLG toggles unless already in overflow) and drops
//   the record; a failed record write toggles GERROR.EVENTQ_ABT_ERR.
// - A DMA crossing a mapping boundary is split and each piece translated on its own.
// - No DMI is granted through the SMMU (a master always goes through b_transport, so every DMA
//   is translated and checked), hence no DMI invalidation is ever owed upstream. Downstream, a
//   translated DMA that falls in memory the SMMU holds a DMI pointer for (RAM) is copied
//   directly, with the DMI latency; anything else goes down the bus as the master's own payload.
//   Debug transactions upstream translate without side effects.
// - Every fault also gets one warning line and one "iommu_fault" trace event (common/fault_record.h).

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <unordered_map>

#include "models/core/irq_line.h"
#include "models/iommu/common/iommu_skeleton.h"
#include "models/iommu/common/page_walker.h"
#include "models/iommu/common/tlb.h"
#include "models/iommu/smmuv3/smmuv3_fields.h"

namespace socsim::iommu {

class smmuv3 : public iommu_skeleton<smmuv3> {
public:
    struct config {
        unsigned tlb_entries = 512;
        unsigned tlb_ways = 4;
        unsigned config_cache_entries = 64;
        bool check_stale = true;
        bool bypass_untagged = false;  // DMA without a stream id: bypass instead of abort
    };

    struct statistics {
        uint64_t translations = 0;   // DMA pieces translated by stage 1
        uint64_t bypassed = 0;
        uint64_t terminated = 0;     // aborted or RAZ/WI
        uint64_t events = 0;         // records written to the event queue
        uint64_t events_dropped = 0; // event queue disabled
        uint64_t events_lost = 0;    // event queue full
        uint64_t commands = 0;
        uint64_t tlb_invalidations = 0;     // TLBI_* commands executed
        uint64_t config_invalidations = 0;  // CFGI_* commands executed
        uint64_t config_fetches = 0;
    };

    core::irq_line eventq_irq;
    core::irq_line gerror_irq;
    core::irq_line cmdq_sync_irq;
    core::irq_line priq_irq;  // never raised: PRI is not implemented

    smmuv3(sc_core::sc_module_name name, const config& cfg);
    ~smmuv3() override;

    const iommu::tlb& tlb() const { return tlb_; }
    const statistics& stats() const { return stats_; }
    // The debugger's view (common/debug_view.h): a side-effect-free walk and the caches.
    debug_translation debug_translate(uint32_t stream, uint64_t iova) override;
    void debug_tlb(std::ostream& os) override;
    unsigned cached_configs() const { return static_cast<unsigned>(configs_.size()); }

    // Hardware parameters (also in the ID registers).
    static constexpr unsigned sid_bits = 16;
    static constexpr unsigned ssid_bits = 5;
    static constexpr unsigned cmdq_max_log2 = 19;
    static constexpr unsigned eventq_max_log2 = 19;
    static constexpr unsigned oas_bits = 48;

    // Decoded stream configuration (STE + CD for substream 0), as cached.
    struct stream_config {
        enum class mode : uint8_t { abort, bypass, translate };
        mode kind = mode::abort;
        uint32_t sid = 0;
        uint16_t asid = 0;
        uint8_t ips_bits = 48;
        bool affd = false;
        bool record = false;     // CD.R
        bool abort_fault = true; // CD.A
        uint8_t privcfg = 0;     // STE.PRIVCFG
        struct half {
            bool enabled = false;
            bool tbi = false;
            uint64_t ttb = 0;
            uint8_t granule_shift = 12;
            uint8_t input_bits = 48;
            int8_t start_level = 0;
            // Whether this half translates `iova`, which bit 55 sent to it (`index` 0 or 1): walks
            // are enabled (EPDx=0) and the bits above the input size, up to bit 63 (bit 55 with
            // TBI), all equal bit 55.
            bool accepts(uint64_t iova, int index) const {
                const uint64_t top = tbi ? 0x00ffffffffffffffull : ~uint64_t{0};
                const uint64_t above = top & ~((uint64_t{1} << input_bits) - 1);
                return enabled && (iova & above) == (index ? above : 0);
            }
        } tt[2];
        uint64_t ste_addr = 0;
        uint64_t cd_addr = 0;
        uint64_t stamp = 0;      // LRU
    };

private:
    friend class iommu_skeleton<smmuv3>;

    using event = smmuv3_event::fields;  // built into a record by smmuv3_event::build
    void declare_registers();
    // Registers.
    void write_cr0(uint32_t value);
    void write_gbpa(core::reg& r, uint64_t old, uint64_t now);
    void write_irq_ctrl(uint32_t value);
    void update_irqs();
    void toggle_gerror(uint32_t bit);
    bool gerror_active(uint32_t bit) const;
    bool guarded(core::reg& r, uint64_t old, bool locked, const char* why);
    uint32_t cr0ack() const;

    // Command queue.
    void process_commands();
    unsigned execute_command(const uint64_t cmd[smmuv3_cmd::WORDS], std::string& why);  // CMDQ_CONS.ERR value
    void invalidate_configs(uint32_t first_sid, uint64_t count);
    // Invalidates TLB entries and tells the DMA checker what the command (as named) covered.
    void tlb_invalidate(const tlb_match& m, std::string command);
    // Tells the DMA checker about a CFGI_* command: configuration only, for streams first..last.
    void note_config_invalidation(std::string command, uint32_t first_sid, uint64_t count);

    // Event queue.
    void record_event(const event& e);

    // Translation.
    translation translate(const dma_access& a, uint64_t iova, uint64_t remaining, sc_core::sc_time& delay);
    translation translate_unconfigured(const dma_access& a, uint64_t iova, const stream_config* c = nullptr);
    // A stage-1 fault of event `type`; `f` says what went wrong (kind, detail, level, fetch address).
    translation stage1_fault(const dma_access& a, const stream_config& c, uint64_t iova, bool priv, uint8_t type,
                             fault_record f);
    translation range_fault(const dma_access& a, const stream_config& c, int half, uint64_t iova, bool priv);
    translation permission_fault(const dma_access& a, const stream_config& c, const tlb_entry& e, uint64_t iova,
                                 bool priv);
    tlb_entry* walk_and_fill(const dma_access& a, const stream_config& c, int half, uint64_t va, uint64_t iova,
                             bool priv, sc_core::sc_time& delay, translation& fault);
    const stream_config* find_config(const dma_access& a, uint64_t iova, sc_core::sc_time& delay);
    bool fetch_config(uint32_t sid, stream_config& out, fault_record& f, event& ev, sc_core::sc_time& delay, bool debug);
    bool decode_cd(const uint64_t cd[smmuv3_cd::WORDS], stream_config& out, std::string& why) const;
    walk_result walk(const stream_config& c, int half, uint64_t va, sc_core::sc_time& delay, bool debug);
    // Where a walk of `va` reads its first table entry under `c` now. The DMA checker compares it
    // with where a cached translation's walk started: a CD whose TTB changed (and was CFGI'd)
    // while the ASID's TLB entries were not invalidated is caught there.
    uint64_t root_entry(const stream_config& c, int half, uint64_t va) const;
    translation terminate(const fault_record& f, const event* ev, bool recorded, bool abort, bool debug);

    config cfg_;
    page_walker walker_;
    iommu::tlb tlb_;
    statistics stats_;
    std::unordered_map<uint32_t, stream_config> configs_;
    const stream_config* last_config_ = nullptr;  // one-entry front cache of configs_
    uint32_t last_sid_ = 0;
    uint64_t config_clock_ = 0;
    bool in_commands_ = false;
    stream_config debug_config_;  // a configuration fetched for a debug access, or being fetched
    tlb_entry debug_entry_;       // a translation made for a debug access (not cached)
    // The registers the model reads on every DMA or command (register_file looks up by name).
    core::reg *cr0_ = nullptr, *cr0ack_ = nullptr, *cr2_ = nullptr, *gbpa_ = nullptr, *irq_ctrl_ = nullptr,
              *irq_ctrlack_ = nullptr, *gerror_ = nullptr, *gerrorn_ = nullptr, *strtab_base_ = nullptr,
              *strtab_cfg_ = nullptr, *cmdq_base_ = nullptr, *cmdq_prod_ = nullptr, *cmdq_cons_ = nullptr,
              *eventq_base_ = nullptr, *eventq_prod_ = nullptr, *eventq_cons_ = nullptr;
};

} // namespace socsim::iommu
