// Apple DART: registers, TLB commands and their busy bit, error latching, lock, boot presets.
// The DMA path is in dart_translate.cpp.
#include "models/iommu/dart/dart.h"

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/trace_writer.h"

namespace socsim::iommu {

namespace {

constexpr uint32_t PARAMS1_VALUE = uint32_t{dart_format::page_shift} << 24;
constexpr unsigned T8110_VERSION_MAJOR = 2, T8110_VERSION_MINOR = 0;

const dart_variant& checked_variant(const dart::config& cfg) {
    if (!cfg.variant) throw core::config_error("DART: no variant given");
    return *cfg.variant;
}

} // namespace

dart::dart(sc_core::sc_module_name name, const config& cfg)
    : iommu_skeleton(name), v_(checked_variant(cfg)), cfg_(cfg), format_(v_.pte), walker_(port_),
      tlb_(cfg.tlb_entries, cfg.tlb_ways) {
    checker_.describe_cache({&tlb_, "TLB", "stream"});
    for (const preset_ttbr& p : cfg_.presets) {
        const std::string what = std::string(this->name()) + ": preset TTBR for stream " + std::to_string(p.stream);
        if (p.stream >= v_.streams)
            throw core::config_error(what + ": the " + v_.name + " DART has streams 0.." + std::to_string(v_.streams - 1));
        if (p.table & ((uint64_t{1} << dart_format::page_shift) - 1))
            throw core::config_error(what + ": table " + core::hex(p.table) + " is not 16 KiB aligned");
        if (v_.ttbr_table(v_.ttbr_value(p.table)) != p.table)
            throw core::config_error(what + ": table " + core::hex(p.table) + " does not fit the TTBR address field");
    }
    checker_.set_enabled(cfg_.check_stale);
    declare_registers();
}

dart::~dart() = default;

bool dart::locked() const {
    return (config_ && (config_->get() & v_.config_lock)) || (protect_ && (protect_->get() & v_.protect_ttbr_tcr));
}

bool dart::stream_enabled(uint32_t sid) const {
    return (enable_words_[sid / 32]->get() >> (sid % 32)) & 1;
}

void dart::declare_registers() {
    const dart_variant& v = v_;
    const uint32_t all_streams_last_word =
        v.streams % 32 ? (1u << (v.streams % 32)) - 1 : 0xffffffffu;  // valid bits of the last bitmap word
    auto word_mask = [&](unsigned i) { return i + 1 == v.stream_words() ? all_streams_last_word : 0xffffffffu; };

    regs_.add("PARAMS1", 0x0, 4).reset_value(PARAMS1_VALUE).read_only();
    regs_.add("PARAMS2", 0x4, 4).reset_value(cfg_.bypass_supported ? 1 : 0).read_only();
    if (v.has(v.params3))
        regs_.add("PARAMS3", v.params3, 4)
            .reset_value((uint32_t{v.pa_bits} << 24) | (uint32_t{v.va_bits} << 16) | (T8110_VERSION_MAJOR << 8) |
                         T8110_VERSION_MINOR)
            .read_only();
    if (v.has(v.params4)) regs_.add("PARAMS4", v.params4, 4).reset_value(v.streams & 0x1ff).read_only();

    // TLB commands.
    if (v.has(v.stream_select))
        stream_select_ = &regs_.add("STREAM_SELECT", v.stream_select, 4).on_write(
            [this](core::reg& r, uint64_t, uint64_t now) { write_stream_select(r, now); });
    if (v.has(v.stream_command))
        stream_command_ = &regs_.add("STREAM_COMMAND", v.stream_command, 4)
                               .read_only(~uint64_t{v.command_invalidate})
                               .on_read([this](const core::reg& r, bool debug) { return read_busy(r, debug); })
                               .on_write([this](core::reg& r, uint64_t, uint64_t now) {
                                   r.set(0);  // INVALIDATE is a trigger, not state
                                   if (!(now & v_.command_invalidate)) return;
                                   std::vector<uint32_t> sids;
                                   const uint32_t mask = static_cast<uint32_t>(stream_select_->get());
                                   for (uint32_t s = 0; s < v_.streams && s < 32; ++s)
                                       if ((mask >> s) & 1) sids.push_back(s);
                                   start_invalidation(std::move(sids), false,
                                                      "STREAM_COMMAND INVALIDATE, STREAM_SELECT " + core::hex(mask));
                               });
    if (v.has(v.tlb_cmd))
        tlb_cmd_ = &regs_.add("TLB_CMD", v.tlb_cmd, 4)
                        .read_only(v.command_busy)
                        .on_read([this](const core::reg& r, bool debug) { return read_busy(r, debug); })
                        .on_write([this](core::reg& r, uint64_t, uint64_t now) {
                            r.set(now & 0x7ff);
                            write_tlb_cmd(static_cast<uint32_t>(now));
                        });

    // Errors.
    error_ = &regs_.add("ERROR", v.error, 4).write_one_to_clear(0xffffffff).on_write(
        [this](core::reg&, uint64_t, uint64_t) { update_irq(); });
    if (v.has(v.error_mask))
        error_mask_ = &regs_.add("ERROR_MASK", v.error_mask, 4).on_write([this](core::reg&, uint64_t, uint64_t) {
            update_irq();
        });
    error_addr_lo_ = &regs_.add("ERROR_ADDR_LO", v.error_addr_lo, 4).read_only();
    error_addr_hi_ = &regs_.add("ERROR_ADDR_HI", v.error_addr_hi, 4).read_only();
    if (v.has(v.error_streams))
        regs_.add_array("ERROR_STREAMS", v.error_streams, 4, v.stream_words(), 4, [&](core::reg& r) {
            r.write_one_to_clear(0xffffffff).on_write([this](core::reg&, uint64_t, uint64_t) { update_irq(); });
            error_streams_.push_back(&r);
        });

    // Lock and protection.
    if (v.has(v.config))
        config_ = &regs_.add("CONFIG", v.config, 4)
                       .reset_value(cfg_.preset_locked ? v.config_lock : 0)
                       .on_write([this](core::reg& r, uint64_t old, uint64_t now) {
                           // LOCK is set by software and cleared only by reset (Asahi Linux relies on it for the locked display DART).
                           r.set(now | (old & v_.config_lock));
                           if ((now ^ old) & v_.config_lock & now) log_.info("CONFIG.LOCK set: TTBR and TCR are locked");
                           if (old & v_.config_lock & ~now)
                               log_.warning("write to CONFIG cannot clear LOCK (only a reset does)");
                       });
    if (v.has(v.protect)) {
        const uint32_t boot = cfg_.preset_locked ? v.protect_ttbr_tcr : 0;
        protect_ = &regs_.add("PROTECT", v.protect, 4).reset_value(boot).on_write(
            [](core::reg& r, uint64_t old, uint64_t now) { r.set(old | now); });
        protect_lock_ = &regs_.add("PROTECT_LOCK", v.protect_lock, 4).reset_value(boot).on_write(
            [](core::reg& r, uint64_t old, uint64_t now) { r.set(old | now); });
        regs_.add("UNPROTECT", v.unprotect, 4).on_write([this](core::reg& r, uint64_t, uint64_t now) {
            r.set(0);
            const uint64_t sticky = protect_lock_->get();
            if (now & sticky & protect_->get())
                log_.warning("UNPROTECT " + core::hex(now) + ": bits " + core::hex(now & sticky & protect_->get()) +
                             " are in PROTECT_LOCK and stay set");
            protect_->set(protect_->get() & ~(now & ~sticky));
        });
    }
    if (v.has(v.remap))
        regs_.add_array("REMAP", v.remap, 4, 4, 4, [](core::reg& r) {
            const uint32_t s = r.index() * 4;  // identity: byte n of REMAP[i] = stream 4i+n
            r.reset_value(s | (s + 1) << 8 | (s + 2) << 16 | (s + 3) << 24);
        });

    // Stream enables: all enabled at reset (see dart.h: U-Boot never writes them on t8020).
    if (v.has(v.streams_enable))
        enable_words_.push_back(&regs_.add("STREAMS_ENABLE", v.streams_enable, 4)
                                     .reset_value(word_mask(0))
                                     .read_only(~uint64_t{word_mask(0)}));
    if (v.has(v.enable_streams)) {
        regs_.add_array("ENABLE_STREAMS", v.enable_streams, 4, v.stream_words(), 4, [&](core::reg& r) {
            const uint32_t m = word_mask(r.index());
            r.reset_value(m).read_only(~uint64_t{m}).on_write(
                [](core::reg& reg, uint64_t old, uint64_t now) { reg.set(old | now); });
            enable_words_.push_back(&r);
        });
        regs_.add_array("DISABLE_STREAMS", v.disable_streams, 4, v.stream_words(), 4, [&](core::reg& r) {
            r.on_write([this](core::reg& reg, uint64_t, uint64_t now) {
                core::reg* en = enable_words_[reg.index()];
                en->set(en->get() & ~now);
                reg.set(0);
            });
        });
    }

    // Per-stream translation control and table bases.
    const uint32_t tcr_bits = v.tcr_translate | v.tcr_bypass_dart | v.tcr_bypass_dapf | v.tcr_four_level;
    regs_.add_array("TCR", v.tcr, 4, v.streams, 4, [&](core::reg& r) {
        r.read_only(~uint64_t{tcr_bits}).on_write([this](core::reg& reg, uint64_t old, uint64_t) { guard_locked(reg, old); });
        tcr_.push_back(&r);
    });
    const uint32_t ttbr_bits = v.ttbr_valid | v.ttbr_addr_mask;
    for (unsigned sid = 0; sid < v.streams; ++sid)
        for (unsigned i = 0; i < v.ttbr_count; ++i) {
            const std::string n = v.ttbr_count > 1 ? "TTBR[" + std::to_string(sid) + "][" + std::to_string(i) + "]"
                                                   : "TTBR[" + std::to_string(sid) + "]";
            core::reg& r = regs_.add(n, v.ttbr_offset(sid, i), 4).read_only(~uint64_t{ttbr_bits}).on_write(
                [this](core::reg& reg, uint64_t old, uint64_t) { guard_locked(reg, old); });
            ttbr_.push_back(&r);
        }

    // Boot state left by earlier firmware: the reset values.
    for (const preset_ttbr& p : cfg_.presets) {
        ttbr_[p.stream * v.ttbr_count]->reset_value(v.ttbr_value(p.table));
        tcr_[p.stream]->reset_value(v.tcr_translate);
        core::reg* en = enable_words_[p.stream / 32];
        en->reset_value(en->get() | (1u << (p.stream % 32)));
    }
}

void dart::guard_locked(core::reg& r, uint64_t old) {
    if (!locked()) return;
    const uint64_t attempted = r.get();
    r.set(old);
    ++stats_.locked_writes;
    const std::string why = config_ ? "CONFIG.LOCK is set" : "PROTECT[0] is set";
    if (lock_warned_.insert(r.name()).second)
        log_.warning("write of " + core::hex(attempted) + " to " + r.name() + " ignored: the DART is locked (" + why +
                     "); the register keeps " + core::hex(old) + " (further ignored writes to it are not reported)");
    core::trace_event("dart_locked_write", name())
        .field("register", r.name())
        .hex_field("value", attempted)
        .hex_field("kept", old)
        .emit();
}

void dart::write_stream_select(core::reg& r, uint64_t now) {
    const uint64_t valid = v_.streams >= 32 ? 0xffffffffull : (uint64_t{1} << v_.streams) - 1;
    if (now & ~valid) {
        log_.warning("STREAM_SELECT " + core::hex(now) + " names streams beyond " + std::to_string(v_.streams - 1) +
                     "; bits " + core::hex(now & ~valid) + " are dropped");
        r.set(now & valid);
    }
}

void dart::write_tlb_cmd(uint32_t value) {
    const unsigned op = (value >> 8) & 7;
    const uint32_t sid = value & 0xff;
    if (value & ~0x7ffu)
        log_.warning("TLB_CMD " + core::hex(value) + ": bits " + core::hex(value & ~0x7ffu) +
                     " are not modelled (hardware flush, VA-range flush) and ignored");
    if (op == 0) return start_invalidation({}, true, "TLB_CMD flush all");
    if (op == 1) {
        if (sid >= v_.streams) {
            log_.warning("TLB_CMD flush of stream " + std::to_string(sid) + ": no such stream");
            return;
        }
        return start_invalidation({sid}, false, "TLB_CMD flush stream " + std::to_string(sid));
    }
    log_.warning("TLB_CMD " + core::hex(value) + ": OP " + std::to_string(op) +
                 " (TLB read/write, flush unlock) is not modelled; ignored");
}

void dart::start_invalidation(std::vector<uint32_t> streams, bool all, const std::string& what) {
    if (busy_) {
        log_.warning(what + " issued while the previous TLB command is still busy (the driver did not wait for "
                            "BUSY to clear); the previous one completes first");
        complete_invalidation();
    }
    ++stats_.tlb_commands;
    SOCSIM_LOG(log_, debug, what);
    busy_ = true;
    busy_all_ = all;
    busy_streams_ = std::move(streams);
    busy_note_ = invalidation_note{};
    busy_note_.command = what;
    if (all || busy_streams_.size() >= v_.streams) {
        busy_note_.scopes.push_back({&tlb_, tlb_match::all()});
    } else {
        for (uint32_t s : busy_streams_) busy_note_.scopes.push_back({&tlb_, tlb_match::by_context(s, true)});
        busy_note_.selects_nothing = busy_streams_.empty();  // STREAM_SELECT was 0
    }
    checker_.note_pending_invalidation(busy_note_);
    polls_left_ = cfg_.invalidate_polls;
    busy_until_ = sc_core::sc_time_stamp() + cfg_.invalidate_time;
    busy_dma_warned_ = false;
    if (polls_left_ == 0) complete_invalidation();
}

void dart::complete_invalidation() {
    if (!busy_) return;
    busy_ = false;
    apply_invalidation(std::move(busy_note_));
}

void dart::poll_time() {
    if (busy_ && sc_core::sc_time_stamp() >= busy_until_) complete_invalidation();
}

uint64_t dart::read_busy(const core::reg& r, bool debug) {
    if (!debug) {
        poll_time();
        if (busy_) {
            if (polls_left_ > 0) {
                --polls_left_;
                ++stats_.busy_polls;
            } else {
                complete_invalidation();
            }
        }
    }
    return r.get() | (busy_ ? v_.command_busy : 0);
}

void dart::latch_error(uint32_t code, uint32_t sid, uint64_t iova) {
    if (error_mask_ && (code & ~static_cast<uint32_t>(error_mask_->get())) == 0) {
        ++stats_.errors_masked;
        return;
    }
    if (!error_streams_.empty()) error_streams_[sid / 32]->set(error_streams_[sid / 32]->get() | (1u << (sid % 32)));
    const uint32_t e = static_cast<uint32_t>(error_->get());
    if (e & v_.error_flag) {
        ++stats_.errors_lost;
        error_->set(e | v_.error_secondary);
    } else {
        ++stats_.errors_latched;
        error_->set(v_.error_flag | ((sid & v_.error_stream_mask) << v_.error_stream_shift) | code);
        error_addr_lo_->set(static_cast<uint32_t>(iova));
        error_addr_hi_->set(static_cast<uint32_t>(iova >> 32));
    }
    update_irq();
}

void dart::update_irq() {
    const uint32_t e = static_cast<uint32_t>(error_->get());
    const uint32_t mask = error_mask_ ? static_cast<uint32_t>(error_mask_->get()) : 0;
    const uint32_t stream_bits = v_.error_stream_mask << v_.error_stream_shift;
    const uint32_t codes = e & ~v_.error_flag & ~stream_bits & ~v_.error_secondary;
    bool level = (e & v_.error_flag) && (!error_mask_ || (codes & ~mask) != 0);
    for (const core::reg* r : error_streams_) level = level || r->get() != 0;
    irq.set(level);
}

} // namespace socsim::iommu
