// SMMUv3: registers, command queue, event queue, interrupts. Translation: smmuv3_translate.cpp.
#include "models/iommu/smmuv3/smmuv3.h"

#include <algorithm>

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::iommu {

namespace {

constexpr uint32_t CR0_SMMUEN = 1u << 0, CR0_EVENTQEN = 1u << 2, CR0_CMDQEN = 1u << 3;
constexpr uint32_t CR0_IMPLEMENTED = CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN;
constexpr uint32_t CR2_IMPLEMENTED = 0x6;  // PTM, RECINVSID (E2H is RES0 without HYP)
constexpr uint32_t GBPA_UPDATE = 1u << 31, GBPA_FIELDS = 0x001f3f1f;
constexpr uint32_t IRQ_IMPLEMENTED = 0x5;  // GERROR_IRQEN, EVENTQ_IRQEN (no PRI)
constexpr uint32_t GERROR_CMDQ_ERR = 1u << 0, GERROR_EVENTQ_ABT_ERR = 1u << 2;
constexpr uint32_t GERROR_MASK = 0x7fd;
constexpr uint64_t QUEUE_BASE_MASK = 0x400fffffffffffffull;  // RA/WA, ADDR[51:5], LOG2SIZE
constexpr uint64_t QUEUE_ADDR_MASK = 0x000fffffffffffe0ull;
constexpr uint64_t STRTAB_BASE_MASK = 0x400fffffffffffc0ull;
constexpr uint32_t CONS_ERR_SHIFT = 24, CONS_ERR_MASK = 0x7fu << CONS_ERR_SHIFT;
constexpr uint32_t OVFLG = 1u << 31;

constexpr uint32_t IDR0_VALUE = (1u << 27)     // ST_LEVEL: 2-level stream tables
                                | (1u << 24)   // STALL_MODEL=0b01: no stall
                                | (2u << 21)   // TTENDIAN: little-endian
                                | (1u << 19)   // CD2L
                                | (1u << 14)   // SEV
                                | (1u << 12)   // ASID16
                                | (1u << 4)    // COHACC
                                | (2u << 2)    // TTF: AArch64
                                | (1u << 1);   // S1P
constexpr uint32_t IDR1_VALUE = (smmuv3::cmdq_max_log2 << 21) | (smmuv3::eventq_max_log2 << 16) |
                                (smmuv3::ssid_bits << 6) | smmuv3::sid_bits;
constexpr uint32_t IDR3_VALUE = 1u << 10;  // RIL
constexpr uint32_t IDR5_VALUE = (1u << 6) | (1u << 5) | (1u << 4) | 5u;  // 64K, 16K, 4K granules; OAS 48 bits

// Command opcodes and fields.
constexpr uint64_t F_OP = 0xff, F_SSEC = 1ull << 10, F_SSV = 1ull << 11, F_SSID = 0xfffff000ull,
                   F_SID = 0xffffffff00000000ull, F_VMID = 0xffffull << 32, F_ASID = 0xffffull << 48,
                   F_NUM = 0x1full << 12, F_SCALE = 0x1full << 20;
constexpr uint64_t F_LEAF = 1, F_TTL = 3ull << 8, F_TG = 3ull << 10, F_ADDR = ~0xfffull;
constexpr uint64_t F_CS = 3ull << 12, F_MSH = 3ull << 22, F_MSIATTR = 0xfull << 24, F_MSIDATA = 0xffffffffull << 32,
                   F_MSIADDR = 0x000ffffffffffffcull;

enum cerror : int { CERROR_NONE = 0, CERROR_ILL = 1, CERROR_ABT = 2 };

const char* opcode_name(uint8_t op) {
    switch (op) {
    case 0x01: return "PREFETCH_CONFIG";
    case 0x02: return "PREFETCH_ADDR";
    case 0x03: return "CFGI_STE";
    case 0x04: return "CFGI_STE_RANGE";
    case 0x05: return "CFGI_CD";
    case 0x06: return "CFGI_CD_ALL";
    case 0x10: return "TLBI_NH_ALL";
    case 0x11: return "TLBI_NH_ASID";
    case 0x12: return "TLBI_NH_VA";
    case 0x13: return "TLBI_NH_VAA";
    case 0x20: return "TLBI_EL2_ALL";
    case 0x21: return "TLBI_EL2_ASID";
    case 0x22: return "TLBI_EL2_VA";
    case 0x23: return "TLBI_EL2_VAA";
    case 0x28: return "TLBI_S12_VMALL";
    case 0x2a: return "TLBI_S2_IPA";
    case 0x30: return "TLBI_NSNH_ALL";
    case 0x40: return "ATC_INV";
    case 0x41: return "PRI_RESP";
    case 0x44: return "RESUME";
    case 0x45: return "STALL_TERM";
    case 0x46: return "CMD_SYNC";
    default: return "unknown";
    }
}

// Sign-extends from bit 55: the form in which the TLB holds and invalidates VAs (TBI-neutral).
uint64_t canonical(uint64_t va) { return static_cast<uint64_t>(static_cast<int64_t>(va << 8) >> 8); }

} // namespace

const char* smmuv3_event::name(uint8_t type) {
    switch (type) {
    case F_UUT: return "F_UUT";
    case C_BAD_STREAMID: return "C_BAD_STREAMID";
    case F_STE_FETCH: return "F_STE_FETCH";
    case C_BAD_STE: return "C_BAD_STE";
    case F_STREAM_DISABLED: return "F_STREAM_DISABLED";
    case C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
    case F_CD_FETCH: return "F_CD_FETCH";
    case C_BAD_CD: return "C_BAD_CD";
    case F_WALK_EABT: return "F_WALK_EABT";
    case F_TRANSLATION: return "F_TRANSLATION";
    case F_ADDR_SIZE: return "F_ADDR_SIZE";
    case F_ACCESS: return "F_ACCESS";
    case F_PERMISSION: return "F_PERMISSION";
    default: return "unknown event";
    }
}

smmuv3::smmuv3(sc_core::sc_module_name name, const config& cfg)
    : iommu_skeleton(name), cfg_(cfg), walker_(port_), tlb_(cfg.tlb_entries, cfg.tlb_ways) {
    if (cfg_.config_cache_entries == 0) cfg_.config_cache_entries = 1;
    checker_.set_enabled(cfg.check_stale);
    checker_.describe_cache({&tlb_, "TLB", "ASID"});
    declare_registers();
}

smmuv3::~smmuv3() = default;

void smmuv3::declare_registers() {
    using namespace smmuv3_reg;
    auto ro = [&](const char* n, uint64_t off, uint32_t value) { regs_.add(n, off, 4).reset_value(value).read_only(); };
    ro("IDR0", IDR0, IDR0_VALUE);
    ro("IDR1", IDR1, IDR1_VALUE);
    ro("IDR2", IDR2, 0);
    ro("IDR3", IDR3, IDR3_VALUE);
    ro("IDR4", IDR4, 0);
    ro("IDR5", IDR5, IDR5_VALUE);
    ro("IIDR", IIDR, 0);
    ro("AIDR", AIDR, 1);  // SMMUv3.1
    ro("STATUSR", STATUSR, 0);
    ro("AGBPA", AGBPA, 0);
    // Peripheral and component ID registers: MMU-600-like values, as QEMU reports.
    const uint32_t ids[12] = {0x04, 0, 0, 0, 0x84, 0xb4, 0xf0, 0x10, 0x0d, 0xf0, 0x05, 0xb1};
    const char* id_names[12] = {"PIDR4", "PIDR5", "PIDR6", "PIDR7", "PIDR0", "PIDR1",
                                "PIDR2", "PIDR3", "CIDR0", "CIDR1", "CIDR2", "CIDR3"};
    for (unsigned i = 0; i < 12; ++i) ro(id_names[i], 0xfd0 + 4 * i, ids[i]);

    cr0_ = &regs_.add("CR0", CR0, 4).on_write([this](core::reg&, uint64_t, uint64_t now) {
        write_cr0(static_cast<uint32_t>(now));
    });
    cr0ack_ = &regs_.add("CR0ACK", CR0ACK, 4).read_only();
    regs_.add("CR1", CR1, 4).read_only(~uint64_t{0xfff});
    cr2_ = &regs_.add("CR2", CR2, 4).read_only(~uint64_t{CR2_IMPLEMENTED});
    gbpa_ = &regs_.add("GBPA", GBPA, 4).reset_value(0x1000).on_write(
        [this](core::reg& r, uint64_t old, uint64_t now) { write_gbpa(r, old, now); });
    irq_ctrl_ = &regs_.add("IRQ_CTRL", IRQ_CTRL, 4).on_write([this](core::reg&, uint64_t, uint64_t now) {
        write_irq_ctrl(static_cast<uint32_t>(now));
    });
    irq_ctrlack_ = &regs_.add("IRQ_CTRLACK", IRQ_CTRLACK, 4).read_only();
    gerror_ = &regs_.add("GERROR", GERROR, 4).read_only();
    gerrorn_ = &regs_.add("GERRORN", GERRORN, 4).read_only(~uint64_t{GERROR_MASK}).on_write(
        [this](core::reg&, uint64_t, uint64_t) {
            update_irqs();
            process_commands();  // resumes after a command error is acknowledged
        });

    strtab_base_ = &regs_.add("STRTAB_BASE", STRTAB_BASE, 8).read_only(~STRTAB_BASE_MASK).on_write(
        [this](core::reg& r, uint64_t old, uint64_t) {
            guarded(r, old, (cr0_->get() | cr0ack_->get()) & CR0_SMMUEN, "the SMMU is enabled (CR0.SMMUEN=1)");
        });
    strtab_cfg_ = &regs_.add("STRTAB_BASE_CFG", STRTAB_BASE_CFG, 4).read_only(~uint64_t{0x307ff}).on_write(
        [this](core::reg& r, uint64_t old, uint64_t) {
            guarded(r, old, (cr0_->get() | cr0ack_->get()) & CR0_SMMUEN, "the SMMU is enabled (CR0.SMMUEN=1)");
        });
    cmdq_base_ = &regs_.add("CMDQ_BASE", CMDQ_BASE, 8).read_only(~QUEUE_BASE_MASK).on_write(
        [this](core::reg& r, uint64_t old, uint64_t) {
            guarded(r, old, (cr0_->get() | cr0ack_->get()) & CR0_CMDQEN, "the command queue is enabled");
        });
    cmdq_prod_ = &regs_.add("CMDQ_PROD", CMDQ_PROD, 4).read_only(~uint64_t{0xfffff}).on_write(
        [this](core::reg&, uint64_t, uint64_t) { process_commands(); });
    cmdq_cons_ = &regs_.add("CMDQ_CONS", CMDQ_CONS, 4).read_only(~uint64_t{0xfffff}).on_write(
        [this](core::reg& r, uint64_t old, uint64_t) {
            guarded(r, old, (cr0_->get() | cr0ack_->get()) & CR0_CMDQEN, "the command queue is enabled");
        });
    eventq_base_ = &regs_.add("EVENTQ_BASE", EVENTQ_BASE, 8).read_only(~QUEUE_BASE_MASK).on_write(
        [this](core::reg& r, uint64_t old, uint64_t) {
            guarded(r, old, (cr0_->get() | cr0ack_->get()) & CR0_EVENTQEN, "the event queue is enabled");
        });
    eventq_prod_ = &regs_.add("EVENTQ_PROD", EVENTQ_PROD, 4).read_only(~uint64_t{0x800fffff}).on_write(
        [this](core::reg& r, uint64_t old, uint64_t) {
            guarded(r, old, (cr0_->get() | cr0ack_->get()) & CR0_EVENTQEN, "the event queue is enabled");
            update_irqs();
        });
    eventq_cons_ = &regs_.add("EVENTQ_CONS", EVENTQ_CONS, 4).read_only(~uint64_t{0x800fffff}).on_write(
        [this](core::reg&, uint64_t, uint64_t) { update_irqs(); });
}

bool smmuv3::guarded(core::reg& r, uint64_t old, bool locked, const char* why) {
    if (!locked || r.get() == old) return false;
    log_.warning("write to " + r.name() + " ignored: " + why + " (value kept: " + core::hex(old) + ")");
    r.set(old);
    return true;
}

uint32_t smmuv3::cr0ack() const { return static_cast<uint32_t>(cr0ack_->get()); }

void smmuv3::write_cr0(uint32_t value) {
    const uint32_t before = cr0ack();
    value &= CR0_IMPLEMENTED;
    cr0_->set(value);
    cr0ack_->set(value);
    const uint32_t enabled = value & ~before;
    // A misaligned base works on QEMU but not on hardware: say so when the structure comes into use.
    auto check_queue = [&](core::reg* r, unsigned max_log2, unsigned entry_bytes, const char* what) {
        const uint64_t v = r->get();
        const unsigned qs = std::min<unsigned>(v & 0x1f, max_log2);
        const uint64_t align = std::max<uint64_t>(uint64_t{entry_bytes} << qs, 32);
        if ((v & QUEUE_ADDR_MASK) & (align - 1))
            log_.warning(std::string(what) + " base " + core::hex(v & QUEUE_ADDR_MASK) + " is not aligned to " +
                         core::human_size(align) + " (the queue size); the low bits are taken as zero");
        if ((v & 0x1f) > max_log2)
            log_.warning(std::string(what) + " LOG2SIZE " + std::to_string(v & 0x1f) + " exceeds the maximum " +
                         std::to_string(max_log2) + "; the maximum is used");
    };
    if (enabled & CR0_CMDQEN) check_queue(cmdq_base_, cmdq_max_log2, 16, "CMDQ_BASE");
    if (enabled & CR0_EVENTQEN) check_queue(eventq_base_, eventq_max_log2, 32, "EVENTQ_BASE");
    if (enabled & CR0_SMMUEN) {
        const uint64_t cfg = strtab_cfg_->get();
        const unsigned log2size = std::min<unsigned>(cfg & 0x3f, sid_bits);
        const unsigned split = (cfg >> 6) & 0x1f;
        uint64_t align = uint64_t{64} << log2size;
        if (((cfg >> 16) & 3) == 1) {
            const unsigned s = (split == 8 || split == 10) ? split : 6;
            align = std::max<uint64_t>(64, uint64_t{8} << (log2size > s ? log2size - s : 0));
        }
        const uint64_t base = strtab_base_->get() & 0x000fffffffffffc0ull;
        if (base & (align - 1))
            log_.warning("STRTAB_BASE " + core::hex(base) + " is not aligned to " + core::human_size(align) +
                         " (the table size); the low bits are taken as zero");
        if (((cfg >> 16) & 3) > 1)
            log_.warning("STRTAB_BASE_CFG.FMT=" + std::to_string((cfg >> 16) & 3) +
                         " is reserved; the stream table is read as linear");
    }
    SOCSIM_LOG(log_, debug, "CR0 = " << core::hex(value));
    update_irqs();
    if (enabled & CR0_CMDQEN) process_commands();
}

void smmuv3::write_gbpa(core::reg& r, uint64_t old, uint64_t now) {
    if (!(now & GBPA_UPDATE)) {
        log_.warning("GBPA write " + core::hex(now) + " without Update=1 ignored");
        r.set(old);
        return;
    }
    r.set(now & GBPA_FIELDS);  // the update completes at once: Update reads as 0
    SOCSIM_LOG(log_, debug, "GBPA = " << core::hex(now & GBPA_FIELDS));
}

void smmuv3::write_irq_ctrl(uint32_t value) {
    value &= IRQ_IMPLEMENTED;
    irq_ctrl_->set(value);
    irq_ctrlack_->set(value);
    update_irqs();
}

bool smmuv3::gerror_active(uint32_t bit) const { return ((gerror_->get() ^ gerrorn_->get()) & bit) != 0; }

void smmuv3::toggle_gerror(uint32_t bit) {
    if (gerror_active(bit)) return;  // already active: hardware does not toggle again until acknowledged
    gerror_->set(gerror_->get() ^ bit);
    core::trace_event("smmu_gerror", name()).hex_field("gerror", gerror_->get()).hex_field("bit", bit).emit();
    update_irqs();
}

void smmuv3::update_irqs() {
    const uint32_t irqen = static_cast<uint32_t>(irq_ctrlack_->get());
    const uint32_t prod = static_cast<uint32_t>(eventq_prod_->get()) & 0xfffff;
    const uint32_t cons = static_cast<uint32_t>(eventq_cons_->get()) & 0xfffff;
    eventq_irq.set((irqen & 0x4) && (cr0ack() & CR0_EVENTQEN) && prod != cons);
    gerror_irq.set((irqen & 0x1) && ((gerror_->get() ^ gerrorn_->get()) & GERROR_MASK) != 0);
}

// ---- command queue ----

void smmuv3::process_commands() {
    if (in_commands_ || !(cr0ack() & CR0_CMDQEN) || gerror_active(GERROR_CMDQ_ERR)) return;
    in_commands_ = true;
    const uint64_t base_reg = cmdq_base_->get();
    const unsigned qs = std::min<unsigned>(base_reg & 0x1f, cmdq_max_log2);
    const uint64_t bytes = std::max<uint64_t>(uint64_t{16} << qs, 32);
    const uint64_t base = base_reg & QUEUE_ADDR_MASK & ~(bytes - 1);
    const uint32_t ptr_mask = (2u << qs) - 1;  // index bits plus the wrap bit
    const uint32_t index_mask = (1u << qs) - 1;
    uint32_t cons = static_cast<uint32_t>(cmdq_cons_->get()) & ptr_mask;
    const uint32_t prod = static_cast<uint32_t>(cmdq_prod_->get()) & ptr_mask;
    sc_core::sc_time delay;  // commands complete in zero simulated time
    while (cons != prod) {
        const uint64_t addr = base + uint64_t{cons & index_mask} * 16;
        uint64_t cmd[2] = {0, 0};
        std::string why;
        int err;
        if (!port_.read(addr, cmd, 16, delay)) {
            err = CERROR_ABT;
            why = "command fetch from " + core::hex(addr) + " failed on the bus";
        } else {
            err = execute_command(cmd[0], cmd[1], why);
        }
        if (err != CERROR_NONE) {
            const uint8_t op = cmd[0] & 0xff;
            cmdq_cons_->set((uint32_t{static_cast<uint32_t>(err)} << CONS_ERR_SHIFT) | cons);
            log_.warning(std::string(err == CERROR_ILL ? "CERROR_ILL" : "CERROR_ABT") + ": command " +
                         std::to_string(cons & index_mask) + " (" + opcode_name(op) + ", " + core::hex(cmd[0]) +
                         " " + core::hex(cmd[1]) + "): " + why + "; the queue stops until GERRORN acknowledges");
            core::trace_event("smmu_cmd_error", name())
                .field("error", err == CERROR_ILL ? "CERROR_ILL" : "CERROR_ABT")
                .field("index", static_cast<uint64_t>(cons & index_mask))
                .field("opcode", opcode_name(op))
                .field("why", why)
                .emit();
            in_commands_ = false;
            toggle_gerror(GERROR_CMDQ_ERR);
            return;
        }
        ++stats_.commands;
        cons = (cons + 1) & ptr_mask;
        cmdq_cons_->set((cmdq_cons_->get() & CONS_ERR_MASK) | cons);
    }
    in_commands_ = false;
}

void smmuv3::invalidate_configs(uint32_t first_sid, uint64_t count) {
    last_config_ = nullptr;
    if (count >= (uint64_t{1} << 32)) {
        configs_.clear();
        return;
    }
    for (auto it = configs_.begin(); it != configs_.end();) {
        if (it->first >= first_sid && it->first - first_sid < count)
            it = configs_.erase(it);
        else
            ++it;
    }
}

void smmuv3::tlb_invalidate(const tlb_match& m, std::string command) {
    ++stats_.tlb_invalidations;
    tlb_.invalidate(m);
    invalidation_note note;
    note.command = std::move(command);
    note.scopes.push_back({&tlb_, m});
    checker_.note_invalidation(std::move(note));
}

void smmuv3::note_config_invalidation(std::string command, uint32_t first_sid, uint64_t count) {
    // CFGI_* drops cached STEs and CDs; TLB entries are tagged by ASID, not StreamID, so none of
    // them goes (IHI 0070 §4.3). Still an invalidation the checker's report may have to explain.
    invalidation_note note;
    note.command = std::move(command);
    note.covers_instead = "cached configuration (STEs and CDs)";
    note.names_streams = true;
    note.first_stream = first_sid;
    note.last_stream = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{first_sid} + count - 1, 0xffffffffu));
    checker_.note_invalidation(std::move(note));
}

int smmuv3::execute_command(uint64_t dw0, uint64_t dw1, std::string& why) {
    const uint8_t op = dw0 & 0xff;
    auto reserved = [&](uint64_t m0, uint64_t m1) {
        if (!(dw0 & ~m0) && !(dw1 & ~m1)) return false;
        why = "reserved bits set (DW0 " + core::hex(dw0 & ~m0) + ", DW1 " + core::hex(dw1 & ~m1) + ")";
        return true;
    };
    auto ill = [&](const std::string& text) {
        why = text;
        return CERROR_ILL;
    };
    const uint32_t sid = static_cast<uint32_t>(dw0 >> 32);
    SOCSIM_LOG(log_, debug, "command " << opcode_name(op) << " " << core::hex(dw0) << " " << core::hex(dw1));
    switch (op) {
    case 0x01:  // PREFETCH_CONFIG: a hint; nothing to do
        if (reserved(F_OP | F_SSEC | F_SSV | F_SSID | F_SID, 0)) return CERROR_ILL;
        if (dw0 & F_SSEC) return ill("SSec=1 on the Non-secure command queue");
        return CERROR_NONE;
    case 0x02:  // PREFETCH_ADDR
        if (reserved(F_OP | F_SSEC | F_SSV | F_SSID | F_SID, F_ADDR | 0x1f)) return CERROR_ILL;
        if (dw0 & F_SSEC) return ill("SSec=1 on the Non-secure command queue");
        return CERROR_NONE;
    case 0x03:  // CFGI_STE
    case 0x04:  // CFGI_STE_RANGE
    case 0x05:  // CFGI_CD
    case 0x06: {  // CFGI_CD_ALL
        const uint64_t m0 = F_OP | F_SSEC | F_SID | (op == 0x05 ? F_SSID : 0);
        const uint64_t m1 = op == 0x04 ? 0x1f : (op == 0x06 ? 0 : F_LEAF);
        if (reserved(m0, m1)) return CERROR_ILL;
        if (dw0 & F_SSEC) return ill("SSec=1 on the Non-secure command queue");
        ++stats_.config_invalidations;
        if (op == 0x04) {
            const unsigned range = dw1 & 0x1f;
            if (range == 31) {
                invalidate_configs(0, uint64_t{1} << 32);
                note_config_invalidation("CFGI_ALL", 0, uint64_t{1} << 32);
            } else {
                const uint64_t n = uint64_t{1} << (range + 1);
                const uint32_t first = static_cast<uint32_t>(sid & ~(n - 1));
                invalidate_configs(first, n);
                note_config_invalidation("CFGI_STE_RANGE StreamID " + std::to_string(first) + "-" +
                                             std::to_string(first + n - 1), first, n);
            }
        } else {
            invalidate_configs(sid, 1);
            std::string command = std::string(opcode_name(op)) + " StreamID " + std::to_string(sid);
            if (op == 0x05) command += " SSID " + std::to_string((dw0 >> 12) & 0xfffff);
            note_config_invalidation(std::move(command), sid, 1);
        }
        return CERROR_NONE;
    }
    case 0x10:  // TLBI_NH_ALL (VMID is not matched: no stage 2)
        if (reserved(F_OP | F_VMID, 0)) return CERROR_ILL;
        tlb_invalidate(tlb_match::all(), "TLBI_NH_ALL");
        return CERROR_NONE;
    case 0x11:  // TLBI_NH_ASID: non-global entries of the ASID
        if (reserved(F_OP | F_VMID | F_ASID, 0)) return CERROR_ILL;
        tlb_invalidate(tlb_match::by_context(static_cast<uint32_t>(dw0 >> 48), false),
                       "TLBI_NH_ASID ASID " + std::to_string(dw0 >> 48));
        return CERROR_NONE;
    case 0x12:    // TLBI_NH_VA: entries of the ASID, and global entries, covering the range
    case 0x13: {  // TLBI_NH_VAA: all ASIDs
        if (reserved(F_OP | F_NUM | F_SCALE | F_VMID | (op == 0x12 ? F_ASID : 0), F_LEAF | F_TTL | F_TG | F_ADDR))
            return CERROR_ILL;
        const unsigned num = (dw0 >> 12) & 0x1f, scale = (dw0 >> 20) & 0x1f;
        const unsigned ttl = (dw1 >> 8) & 3, tg = (dw1 >> 10) & 3;
        const uint64_t addr = canonical(dw1 & F_ADDR);
        uint64_t last = addr;
        if (tg == 0) {
            if (num || scale || ttl) return ill("NUM, SCALE and TTL must be zero when TG=0");
        } else {
            if (num == 0 && scale == 0 && ttl == 0)
                return ill("TG!=0 with NUM=0, SCALE=0 and TTL=0 is a reserved encoding");
            if (tg == 2 && ttl == 1) return ill("TTL=1 with a 16 KiB granule needs SMMU_IDR5.DS");
            const unsigned granule_shift = 2 * tg + 10;
            const unsigned total_shift = granule_shift + scale;
            const uint64_t pages = uint64_t{num} + 1;
            const uint64_t span = total_shift >= 58 ? ~uint64_t{0} : (pages << total_shift);
            last = span - 1 > ~uint64_t{0} - addr ? ~uint64_t{0} : addr + (span - 1);
        }
        tlb_match m = op == 0x12 ? tlb_match::by_context_range(static_cast<uint32_t>(dw0 >> 48), addr, last)
                                 : tlb_match::by_range(addr, last);
        tlb_invalidate(m, op == 0x12 ? "TLBI_NH_VA ASID " + std::to_string(dw0 >> 48) : std::string("TLBI_NH_VAA"));
        return CERROR_NONE;
    }
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
        return ill(std::string(opcode_name(op)) + " needs SMMU_IDR0.HYP=1; this SMMU has no EL2 contexts");
    case 0x28:
    case 0x2a:
        return ill(std::string(opcode_name(op)) + " is a stage-2 command; this SMMU implements stage 1 only");
    case 0x30:  // TLBI_NSNH_ALL
        if (reserved(F_OP, 0)) return CERROR_ILL;
        tlb_invalidate(tlb_match::all(), "TLBI_NSNH_ALL");
        return CERROR_NONE;
    case 0x40: return ill("ATC_INV needs SMMU_IDR0.ATS=1");
    case 0x41: return ill("PRI_RESP needs SMMU_IDR0.PRI=1");
    case 0x44:
    case 0x45: return ill(std::string(opcode_name(op)) + " is not available with STALL_MODEL=0b01 (no stall)");
    case 0x46: {  // CMD_SYNC: every earlier command has completed by now
        if (reserved(F_OP | F_CS | F_MSH | F_MSIATTR | F_MSIDATA, F_MSIADDR)) return CERROR_ILL;
        const unsigned cs = (dw0 >> 12) & 3;
        if (cs == 3) return ill("CMD_SYNC with CS=0b11 is reserved");
        if (cs == 1) {  // SIG_IRQ: no MSIs here (IDR0.MSI=0), so the wired cmdq-sync interrupt
            cmdq_sync_irq.set(true);
            cmdq_sync_irq.set(false);
        }
        return CERROR_NONE;
    }
    default:
        return ill("unknown opcode " + core::hex(op));
    }
}

// ---- event queue ----

void smmuv3::record_event(const event& e) {
    if (!(cr0ack() & CR0_EVENTQEN)) {
        ++stats_.events_dropped;
        SOCSIM_LOG(log_, info, smmuv3_event::name(e.type) << " not recorded: the event queue is disabled");
        return;
    }
    const uint64_t base_reg = eventq_base_->get();
    const unsigned qs = std::min<unsigned>(base_reg & 0x1f, eventq_max_log2);
    const uint64_t bytes = std::max<uint64_t>(uint64_t{32} << qs, 32);
    const uint64_t base = base_reg & QUEUE_ADDR_MASK & ~(bytes - 1);
    const uint32_t ptr_mask = (2u << qs) - 1, index_mask = (1u << qs) - 1;
    const uint32_t prod_reg = static_cast<uint32_t>(eventq_prod_->get());
    const uint32_t cons_reg = static_cast<uint32_t>(eventq_cons_->get());
    const uint32_t prod = prod_reg & ptr_mask, cons = cons_reg & ptr_mask;
    if ((prod & index_mask) == (cons & index_mask) && prod != cons) {  // full
        ++stats_.events_lost;
        if ((prod_reg & OVFLG) == (cons_reg & OVFLG)) {
            eventq_prod_->set(prod_reg ^ OVFLG);
            log_.warning(std::string("event queue full: ") + smmuv3_event::name(e.type) +
                         " lost, EVENTQ_PROD.OVFLG toggled");
        }
        return;
    }
    uint64_t rec[4] = {};
    rec[0] = e.type | (uint64_t{e.sid} << 32);
    if (e.has_addr) {
        rec[1] = (uint64_t{e.pnu} << 33) | (uint64_t{e.rnw} << 35) | (uint64_t{e.cls} << 40);
        rec[2] = e.input_addr;
    }
    if (e.type == smmuv3_event::F_STE_FETCH || e.type == smmuv3_event::F_CD_FETCH ||
        e.type == smmuv3_event::F_WALK_EABT)
        rec[3] = e.fetch_addr & 0x000ffffffffffff8ull;
    const uint64_t addr = base + uint64_t{prod & index_mask} * 32;
    sc_core::sc_time delay;
    if (!port_.write(addr, rec, 32, delay)) {
        log_.warning(std::string("event record ") + smmuv3_event::name(e.type) + " write to " + core::hex(addr) +
                     " failed on the bus: GERROR.EVENTQ_ABT_ERR");
        toggle_gerror(GERROR_EVENTQ_ABT_ERR);
        return;
    }
    ++stats_.events;
    eventq_prod_->set((prod_reg & OVFLG) | ((prod + 1) & ptr_mask));
    core::trace_event("smmu_event", name())
        .field("event", smmuv3_event::name(e.type))
        .field("stream", static_cast<uint64_t>(e.sid))
        .hex_field("iova", e.input_addr)
        .field("index", static_cast<uint64_t>(prod & index_mask))
        .emit();
    update_irqs();
}

} // namespace socsim::iommu
