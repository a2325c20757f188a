// SMMUv3: registers, command queue, event queue, interrupts. Translation: smmuv3_translate.cpp.
#include "models/iommu/smmuv3/smmuv3.h"

#include <algorithm>

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"
#include "models/iommu/smmuv3/vmsa_format.h"

namespace socsim::iommu {

using namespace smmuv3_reg;
using smmuv3_detail::canonical;
using queue_ptr::CERROR_ABT;
using queue_ptr::CERROR_ILL;
using queue_ptr::CERROR_NONE;

namespace {

constexpr uint32_t IDR0_VALUE = idr0::ST_LEVEL.make(1)       // 2-level stream tables
                                | idr0::STALL_MODEL.make(1)  // no stall
                                | idr0::TTENDIAN.make(2)     // little-endian
                                | idr0::CD2L.make(1) | idr0::SEV.make(1) | idr0::ASID16.make(1) | idr0::COHACC.make(1)
                                | idr0::TTF.make(2)          // AArch64
                                | idr0::S1P.make(1);
constexpr uint32_t IDR1_VALUE = idr1::CMDQS.make(smmuv3::cmdq_max_log2) | idr1::EVENTQS.make(smmuv3::eventq_max_log2) |
                                idr1::SSIDSIZE.make(smmuv3::ssid_bits) | idr1::SIDSIZE.make(smmuv3::sid_bits);
constexpr uint32_t IDR3_VALUE = idr3::RIL.make(1);
constexpr uint32_t IDR5_VALUE = idr5::GRAN64K.make(1) | idr5::GRAN16K.make(1) | idr5::GRAN4K.make(1) |
                                idr5::OAS.make(5);  // 48 bits
// The reset values smmuv3.h lists.
static_assert(IDR0_VALUE == 0x0948501a && IDR1_VALUE == 0x02730150 && IDR3_VALUE == 0x400 && IDR5_VALUE == 0x75);
static_assert(address_bits(idr5::OAS(IDR5_VALUE)) == smmuv3::oas_bits);

} // namespace

const char* smmuv3_cmd::name(uint8_t op) {
    switch (op) {
    case PREFETCH_CONFIG: return "PREFETCH_CONFIG";
    case PREFETCH_ADDR: return "PREFETCH_ADDR";
    case CFGI_STE: return "CFGI_STE";
    case CFGI_STE_RANGE: return "CFGI_STE_RANGE";
    case CFGI_CD: return "CFGI_CD";
    case CFGI_CD_ALL: return "CFGI_CD_ALL";
    case TLBI_NH_ALL: return "TLBI_NH_ALL";
    case TLBI_NH_ASID: return "TLBI_NH_ASID";
    case TLBI_NH_VA: return "TLBI_NH_VA";
    case TLBI_NH_VAA: return "TLBI_NH_VAA";
    case TLBI_EL2_ALL: return "TLBI_EL2_ALL";
    case TLBI_EL2_ASID: return "TLBI_EL2_ASID";
    case TLBI_EL2_VA: return "TLBI_EL2_VA";
    case TLBI_EL2_VAA: return "TLBI_EL2_VAA";
    case TLBI_S12_VMALL: return "TLBI_S12_VMALL";
    case TLBI_S2_IPA: return "TLBI_S2_IPA";
    case TLBI_NSNH_ALL: return "TLBI_NSNH_ALL";
    case ATC_INV: return "ATC_INV";
    case PRI_RESP: return "PRI_RESP";
    case RESUME: return "RESUME";
    case STALL_TERM: return "STALL_TERM";
    case CMD_SYNC: return "CMD_SYNC";
    default: return "unknown";
    }
}

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
    for (unsigned i = 0; i < 12; ++i) ro(id_names[i], ID_REGS + 4 * i, ids[i]);

    cr0_ = &regs_.add("CR0", CR0, 4).on_write([this](core::reg&, uint64_t, uint64_t now) {
        write_cr0(static_cast<uint32_t>(now));
    });
    cr0ack_ = &regs_.add("CR0ACK", CR0ACK, 4).read_only();
    regs_.add("CR1", CR1, 4).read_only(~cr1::FIELDS.mask);
    cr2_ = &regs_.add("CR2", CR2, 4).read_only(~cr2::IMPLEMENTED);
    gbpa_ = &regs_.add("GBPA", GBPA, 4).reset_value(gbpa::RESET).on_write(
        [this](core::reg& r, uint64_t old, uint64_t now) { write_gbpa(r, old, now); });
    irq_ctrl_ = &regs_.add("IRQ_CTRL", IRQ_CTRL, 4).on_write([this](core::reg&, uint64_t, uint64_t now) {
        write_irq_ctrl(static_cast<uint32_t>(now));
    });
    irq_ctrlack_ = &regs_.add("IRQ_CTRLACK", IRQ_CTRLACK, 4).read_only();
    gerror_ = &regs_.add("GERROR", GERROR, 4).read_only();
    gerrorn_ = &regs_.add("GERRORN", GERRORN, 4).read_only(~gerror::IMPLEMENTED).on_write(
        [this](core::reg&, uint64_t, uint64_t) {
            update_irqs();
            process_commands();  // resumes after a command error is acknowledged
        });

    // Base and pointer registers a running queue (or SMMU) owns keep their value: CR0 or CR0ACK.
    auto guard = [this](auto enable, const char* why) {
        return [this, enable, why](core::reg& r, uint64_t old, uint64_t) {
            guarded(r, old, enable(cr0_->get() | cr0ack_->get()), why);
        };
    };
    strtab_base_ = &regs_.add("STRTAB_BASE", STRTAB_BASE, 8).read_only(~strtab_base::WRITABLE).on_write(
        guard(cr0::SMMUEN, "the SMMU is enabled (CR0.SMMUEN=1)"));
    strtab_cfg_ = &regs_.add("STRTAB_BASE_CFG", STRTAB_BASE_CFG, 4).read_only(~strtab_base_cfg::WRITABLE).on_write(
        guard(cr0::SMMUEN, "the SMMU is enabled (CR0.SMMUEN=1)"));
    cmdq_base_ = &regs_.add("CMDQ_BASE", CMDQ_BASE, 8).read_only(~queue_base::WRITABLE).on_write(
        guard(cr0::CMDQEN, "the command queue is enabled"));
    cmdq_prod_ = &regs_.add("CMDQ_PROD", CMDQ_PROD, 4).read_only(~queue_ptr::PTR.mask).on_write(
        [this](core::reg&, uint64_t, uint64_t) { process_commands(); });
    cmdq_cons_ = &regs_.add("CMDQ_CONS", CMDQ_CONS, 4).read_only(~queue_ptr::PTR.mask).on_write(
        guard(cr0::CMDQEN, "the command queue is enabled"));
    eventq_base_ = &regs_.add("EVENTQ_BASE", EVENTQ_BASE, 8).read_only(~queue_base::WRITABLE).on_write(
        guard(cr0::EVENTQEN, "the event queue is enabled"));
    eventq_prod_ = &regs_.add("EVENTQ_PROD", EVENTQ_PROD, 4).read_only(~(queue_ptr::OVFLG.mask | queue_ptr::PTR.mask))
                       .on_write([this, locked = guard(cr0::EVENTQEN, "the event queue is enabled")](
                                     core::reg& r, uint64_t old, uint64_t now) {
                           locked(r, old, now);
                           update_irqs();
                       });
    eventq_cons_ = &regs_.add("EVENTQ_CONS", EVENTQ_CONS, 4).read_only(~(queue_ptr::OVFLG.mask | queue_ptr::PTR.mask))
                       .on_write([this](core::reg&, uint64_t, uint64_t) { update_irqs(); });
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
    value &= cr0::IMPLEMENTED;
    cr0_->set(value);
    cr0ack_->set(value);
    const uint32_t enabled = value & ~before;
    // A misaligned base works on QEMU but not on hardware: say so when the structure comes into use.
    auto check_queue = [&](core::reg* r, unsigned max_log2, unsigned entry_bytes, const char* what) {
        const uint64_t v = r->get();
        const uint64_t addr = queue_base::ADDR.in_place(v);
        const uint64_t align = smmuv3_queue::of(v, max_log2, entry_bytes).bytes;
        if (addr & (align - 1))
            log_.warning(std::string(what) + " base " + core::hex(addr) + " is not aligned to " +
                         core::human_size(align) + " (the queue size); the low bits are taken as zero");
        if (queue_base::LOG2SIZE(v) > max_log2)
            log_.warning(std::string(what) + " LOG2SIZE " + std::to_string(queue_base::LOG2SIZE(v)) +
                         " exceeds the maximum " + std::to_string(max_log2) + "; the maximum is used");
    };
    if (cr0::CMDQEN(enabled)) check_queue(cmdq_base_, cmdq_max_log2, smmuv3_cmd::BYTES, "CMDQ_BASE");
    if (cr0::EVENTQEN(enabled)) check_queue(eventq_base_, eventq_max_log2, smmuv3_event::BYTES, "EVENTQ_BASE");
    if (cr0::SMMUEN(enabled)) {
        const uint64_t cfg = strtab_cfg_->get();
        const uint64_t align = smmuv3_stream_table::of(cfg, sid_bits).bytes();
        const uint64_t base = strtab_base::ADDR.in_place(strtab_base_->get());
        if (base & (align - 1))
            log_.warning("STRTAB_BASE " + core::hex(base) + " is not aligned to " + core::human_size(align) +
                         " (the table size); the low bits are taken as zero");
        if (strtab_base_cfg::FMT(cfg) > strtab_base_cfg::FMT_2LVL)
            log_.warning("STRTAB_BASE_CFG.FMT=" + std::to_string(strtab_base_cfg::FMT(cfg)) +
                         " is reserved; the stream table is read as linear");
    }
    SOCSIM_LOG(log_, debug, "CR0 = " << core::hex(value));
    update_irqs();
    if (cr0::CMDQEN(enabled)) process_commands();
}

void smmuv3::write_gbpa(core::reg& r, uint64_t old, uint64_t now) {
    if (!gbpa::UPDATE(now)) {
        log_.warning("GBPA write " + core::hex(now) + " without Update=1 ignored");
        r.set(old);
        return;
    }
    r.set(now & gbpa::FIELDS);  // the update completes at once: Update reads as 0
    SOCSIM_LOG(log_, debug, "GBPA = " << core::hex(now & gbpa::FIELDS));
}

void smmuv3::write_irq_ctrl(uint32_t value) {
    value &= irq_ctrl::IMPLEMENTED;
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
    const uint64_t irqen = irq_ctrlack_->get();
    const uint64_t prod = queue_ptr::PTR(eventq_prod_->get());
    const uint64_t cons = queue_ptr::PTR(eventq_cons_->get());
    eventq_irq.set(irq_ctrl::EVENTQ_IRQEN(irqen) && cr0::EVENTQEN(cr0ack()) && prod != cons);
    gerror_irq.set(irq_ctrl::GERROR_IRQEN(irqen) && gerror_active(gerror::IMPLEMENTED));
}

// ---- command queue ----

void smmuv3::process_commands() {
    if (in_commands_ || !cr0::CMDQEN(cr0ack()) || gerror_active(gerror::CMDQ_ERR.mask)) return;
    in_commands_ = true;
    const smmuv3_queue q = smmuv3_queue::of(cmdq_base_->get(), cmdq_max_log2, smmuv3_cmd::BYTES);
    uint32_t cons = static_cast<uint32_t>(cmdq_cons_->get()) & q.ptr_mask;
    const uint32_t prod = static_cast<uint32_t>(cmdq_prod_->get()) & q.ptr_mask;
    sc_core::sc_time delay;  // commands complete in zero simulated time
    while (cons != prod) {
        const uint64_t addr = q.entry(cons);
        uint64_t cmd[smmuv3_cmd::WORDS] = {0, 0};
        std::string why;
        unsigned err;
        if (!port_.read(addr, cmd, sizeof cmd, delay)) {
            err = CERROR_ABT;
            why = "command fetch from " + core::hex(addr) + " failed on the bus";
        } else {
            err = execute_command(cmd, why);
        }
        if (err != CERROR_NONE) {
            const char* op = smmuv3_cmd::name(static_cast<uint8_t>(smmuv3_cmd::OP(cmd)));
            const char* error = err == CERROR_ILL ? "CERROR_ILL" : "CERROR_ABT";
            cmdq_cons_->set(queue_ptr::CMDQ_ERR.make(err) | cons);
            log_.warning(std::string(error) + ": command " + std::to_string(cons & q.index_mask) + " (" + op + ", " +
                         core::hex(cmd[0]) + " " + core::hex(cmd[1]) + "): " + why +
                         "; the queue stops until GERRORN acknowledges");
            core::trace_event("smmu_cmd_error", name())
                .field("error", error)
                .field("index", static_cast<uint64_t>(cons & q.index_mask))
                .field("opcode", op)
                .field("why", why)
                .emit();
            in_commands_ = false;
            toggle_gerror(gerror::CMDQ_ERR.mask);
            return;
        }
        ++stats_.commands;
        cons = (cons + 1) & q.ptr_mask;
        cmdq_cons_->set(queue_ptr::CMDQ_ERR.in_place(cmdq_cons_->get()) | cons);
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
    invalidation_note note;
    note.command = std::move(command);
    note.scopes.push_back({&tlb_, m});
    apply_invalidation(std::move(note));
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
    apply_invalidation(std::move(note));  // no scopes: no TLB entry goes
}

unsigned smmuv3::execute_command(const uint64_t cmd[smmuv3_cmd::WORDS], std::string& why) {
    using namespace smmuv3_cmd;
    const uint8_t op = static_cast<uint8_t>(OP(cmd));
    // CERROR_ILL unless every set bit belongs to one of the command's fields.
    auto reserved = [&](auto... fields) {
        const uint64_t dw0 = cmd[0] & ~smmuv3_bits::mask_in_word(0, OP, fields...);
        const uint64_t dw1 = cmd[1] & ~smmuv3_bits::mask_in_word(1, OP, fields...);
        if (!dw0 && !dw1) return false;
        why = "reserved bits set (DW0 " + core::hex(dw0) + ", DW1 " + core::hex(dw1) + ")";
        return true;
    };
    auto ill = [&](const std::string& text) {
        why = text;
        return CERROR_ILL;
    };
    const uint32_t sid = static_cast<uint32_t>(SID(cmd));
    const uint16_t asid = static_cast<uint16_t>(ASID(cmd));
    SOCSIM_LOG(log_, debug, "command " << smmuv3_cmd::name(op) << " " << core::hex(cmd[0]) << " " << core::hex(cmd[1]));
    switch (op) {
    case PREFETCH_CONFIG:  // a hint; nothing to do
        if (reserved(SSEC, SSV, SSID, SID)) return CERROR_ILL;
        if (SSEC(cmd)) return ill("SSec=1 on the Non-secure command queue");
        return CERROR_NONE;
    case PREFETCH_ADDR:  // also a hint
        if (reserved(SSEC, SSV, SSID, SID, ADDR, SIZE)) return CERROR_ILL;
        if (SSEC(cmd)) return ill("SSec=1 on the Non-secure command queue");
        return CERROR_NONE;
    case CFGI_STE:
    case CFGI_STE_RANGE:
    case CFGI_CD:
    case CFGI_CD_ALL: {
        if (op == CFGI_STE ? reserved(SSEC, SID, LEAF)
            : op == CFGI_STE_RANGE ? reserved(SSEC, SID, RANGE)
            : op == CFGI_CD      ? reserved(SSEC, SID, SSID, LEAF)
                                 : reserved(SSEC, SID))
            return CERROR_ILL;
        if (SSEC(cmd)) return ill("SSec=1 on the Non-secure command queue");
        ++stats_.config_invalidations;
        if (op == CFGI_STE_RANGE) {
            const unsigned range = static_cast<unsigned>(RANGE(cmd));
            if (range == RANGE_ALL) {
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
            std::string command = std::string(smmuv3_cmd::name(op)) + " StreamID " + std::to_string(sid);
            if (op == CFGI_CD) command += " SSID " + std::to_string(SSID(cmd));
            note_config_invalidation(std::move(command), sid, 1);
        }
        return CERROR_NONE;
    }
    case TLBI_NH_ALL:  // VMID is not matched: no stage 2
        if (reserved(VMID)) return CERROR_ILL;
        tlb_invalidate(tlb_match::all(), "TLBI_NH_ALL");
        return CERROR_NONE;
    case TLBI_NH_ASID:  // non-global entries of the ASID
        if (reserved(VMID, ASID)) return CERROR_ILL;
        tlb_invalidate(tlb_match::by_context(asid, false), "TLBI_NH_ASID ASID " + std::to_string(asid));
        return CERROR_NONE;
    case TLBI_NH_VA:     // entries of the ASID, and global entries, covering the range
    case TLBI_NH_VAA: {  // all ASIDs
        if (op == TLBI_NH_VA ? reserved(NUM, SCALE, VMID, ASID, LEAF, TTL, TG, ADDR)
                             : reserved(NUM, SCALE, VMID, LEAF, TTL, TG, ADDR))
            return CERROR_ILL;
        const unsigned num = static_cast<unsigned>(NUM(cmd)), scale = static_cast<unsigned>(SCALE(cmd));
        const unsigned ttl = static_cast<unsigned>(TTL(cmd)), tg = static_cast<unsigned>(TG(cmd));
        const uint64_t addr = canonical(ADDR.in_place(cmd));
        uint64_t last = addr;
        if (tg == 0) {
            if (num || scale || ttl) return ill("NUM, SCALE and TTL must be zero when TG=0");
        } else {
            if (num == 0 && scale == 0 && ttl == 0)
                return ill("TG!=0 with NUM=0, SCALE=0 and TTL=0 is a reserved encoding");
            if (tg == 2 && ttl == 1) return ill("TTL=1 with a 16 KiB granule needs SMMU_IDR5.DS");
            const unsigned total_shift = tlbi_granule_shift(tg) + scale;
            const uint64_t pages = uint64_t{num} + 1;
            const uint64_t span = total_shift >= 58 ? ~uint64_t{0} : (pages << total_shift);
            last = span - 1 > ~uint64_t{0} - addr ? ~uint64_t{0} : addr + (span - 1);
        }
        if (op == TLBI_NH_VA)
            tlb_invalidate(tlb_match::by_context_range(asid, addr, last), "TLBI_NH_VA ASID " + std::to_string(asid));
        else
            tlb_invalidate(tlb_match::by_range(addr, last), "TLBI_NH_VAA");
        return CERROR_NONE;
    }
    case TLBI_EL2_ALL:
    case TLBI_EL2_ASID:
    case TLBI_EL2_VA:
    case TLBI_EL2_VAA:
        return ill(std::string(smmuv3_cmd::name(op)) + " needs SMMU_IDR0.HYP=1; this SMMU has no EL2 contexts");
    case TLBI_S12_VMALL:
    case TLBI_S2_IPA:
        return ill(std::string(smmuv3_cmd::name(op)) + " is a stage-2 command; this SMMU implements stage 1 only");
    case TLBI_NSNH_ALL:
        if (reserved()) return CERROR_ILL;
        tlb_invalidate(tlb_match::all(), "TLBI_NSNH_ALL");
        return CERROR_NONE;
    case ATC_INV: return ill("ATC_INV needs SMMU_IDR0.ATS=1");
    case PRI_RESP: return ill("PRI_RESP needs SMMU_IDR0.PRI=1");
    case RESUME:
    case STALL_TERM:
        return ill(std::string(smmuv3_cmd::name(op)) + " is not available with STALL_MODEL=0b01 (no stall)");
    case CMD_SYNC: {  // every earlier command has completed by now
        if (reserved(CS, MSH, MSIATTR, MSIDATA, MSIADDR)) return CERROR_ILL;
        const unsigned cs = static_cast<unsigned>(CS(cmd));
        if (cs == CS_RESERVED) return ill("CMD_SYNC with CS=0b11 is reserved");
        if (cs == CS_IRQ) {  // no MSIs here (IDR0.MSI=0), so the wired cmdq-sync interrupt
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
    if (!cr0::EVENTQEN(cr0ack())) {
        ++stats_.events_dropped;
        SOCSIM_LOG(log_, info, smmuv3_event::name(e.type) << " not recorded: the event queue is disabled");
        return;
    }
    const smmuv3_queue q = smmuv3_queue::of(eventq_base_->get(), eventq_max_log2, smmuv3_event::BYTES);
    const uint32_t prod_reg = static_cast<uint32_t>(eventq_prod_->get());
    const uint32_t cons_reg = static_cast<uint32_t>(eventq_cons_->get());
    const uint32_t prod = prod_reg & q.ptr_mask, cons = cons_reg & q.ptr_mask;
    if (q.full(prod, cons)) {
        ++stats_.events_lost;
        if (queue_ptr::OVFLG(prod_reg) == queue_ptr::OVFLG(cons_reg)) {
            eventq_prod_->set(prod_reg ^ queue_ptr::OVFLG.mask);
            log_.warning(std::string("event queue full: ") + smmuv3_event::name(e.type) +
                         " lost, EVENTQ_PROD.OVFLG toggled");
        }
        return;
    }
    const smmuv3_event::record rec = smmuv3_event::build(e);
    const uint64_t addr = q.entry(prod);
    sc_core::sc_time delay;
    if (!port_.write(addr, rec.data(), sizeof rec, delay)) {
        log_.warning(std::string("event record ") + smmuv3_event::name(e.type) + " write to " + core::hex(addr) +
                     " failed on the bus: GERROR.EVENTQ_ABT_ERR");
        toggle_gerror(gerror::EVENTQ_ABT_ERR.mask);
        return;
    }
    ++stats_.events;
    eventq_prod_->set(queue_ptr::OVFLG.in_place(prod_reg) | ((prod + 1) & q.ptr_mask));
    core::trace_event("smmu_event", name())
        .field("event", smmuv3_event::name(e.type))
        .field("stream", static_cast<uint64_t>(e.sid))
        .hex_field("iova", e.input_addr)
        .field("index", static_cast<uint64_t>(prod & q.index_mask))
        .emit();
    update_irqs();
}

} // namespace socsim::iommu
