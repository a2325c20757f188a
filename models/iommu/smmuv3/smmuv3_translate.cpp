// SMMUv3: the DMA path. Configuration lookup (stream table, STE, CD), VA range selection, TLB,
// table walk, permission check, fault reporting, forwarding downstream.
#include <algorithm>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/dma_extension.h"
#include "models/iommu/smmuv3/smmuv3.h"
#include "models/iommu/smmuv3/vmsa_format.h"

namespace socsim::iommu {

using smmuv3_detail::vmsa_format;
using smmuv3_detail::vmsa_geometry;

using smmuv3_detail::canonical;
using smmuv3_detail::va_half;
using namespace smmuv3_reg;

namespace {

const char* level_name(int level) {
    static const char* names[] = {"level 0", "level 1", "level 2", "level 3"};
    return level >= 0 && level <= 3 ? names[level] : "level ?";
}

// The event a failed stage-1 walk raises (IHI 0070 §7.3): a bus error on a table read is
// F_WALK_EABT, otherwise the descriptor's fault decides.
uint8_t walk_event(const walk_result& w) {
    if (w.status == walk_status::bus_error) return smmuv3_event::F_WALK_EABT;
    if (w.fault_code == smmuv3_detail::vmsa_address_size) return smmuv3_event::F_ADDR_SIZE;
    if (w.fault_code == smmuv3_detail::vmsa_access) return smmuv3_event::F_ACCESS;
    return smmuv3_event::F_TRANSLATION;
}

} // namespace

// ---- translation ----

translation smmuv3::terminate(const fault_record& f, const event* ev, bool recorded, bool abort, bool debug) {
    const translation t = abort ? translation::faulted(f.iova | 0xfff) : translation::read_as_zero(f.iova | 0xfff);
    if (debug) return t;
    ++stats_.terminated;
    fault_record copy = f;
    if (ev && !recorded)
        copy.detail += " (not recorded" + std::string(smmuv3_event::is_translation_fault(ev->type) ? ": CD.R=0)" : ")");
    if (!abort) copy.detail += "; terminated as RAZ/WI (CD.A=0)";
    report_fault(log_, name(), copy);
    if (ev && recorded) record_event(*ev);
    return t;
}

// The hot path: enabled SMMU, a stream id, its configuration cached, a TLB hit. Everything else
// (faults, misses, configuration fetches) is in out-of-line helpers, so this frame stays small.
translation smmuv3::translate(const dma_access& a, uint64_t iova, uint64_t, sc_core::sc_time& delay) {
    if (!cr0::SMMUEN(cr0ack_->get()) || !a.has_stream()) return translate_unconfigured(a, iova);
    const uint32_t sid = a.stream;
    const bool debug = a.debug;
    const stream_config* c = (last_config_ && last_sid_ == sid) ? last_config_ : find_config(a, iova, delay);
    if (!c) return translation::faulted(iova | 0xfff);
    if (c->kind != stream_config::mode::translate) return translate_unconfigured(a, iova, c);

    const bool priv = c->privcfg == smmuv3_ste::PRIVCFG_PRIVILEGED     ? true
                      : c->privcfg == smmuv3_ste::PRIVCFG_UNPRIVILEGED ? false
                                                                       : a.ext->privileged;
    const int half = va_half(iova);
    const stream_config::half& h = c->tt[half];
    if (!h.accepts(iova, half)) return range_fault(a, *c, half, iova, priv);
    const uint64_t va = h.tbi ? canonical(iova) : iova;
    const bool write = a.write;
    tlb_entry* e = debug ? const_cast<tlb_entry*>(tlb_.peek(c->asid, va)) : tlb_.lookup(c->asid, va);
    if (e) {
        if (!debug && checker_.enabled())
            checker_.check_hit(
                *e, sid, va, write, walker_,
                [&] {
                    sc_core::sc_time d;
                    return walk(*c, half, va, d, true);
                },
                // A global entry serves every ASID, whatever table each walks: no root check.
                e->global ? dma_checker::any_root : root_entry(*c, half, va));
    } else {
        translation fault;
        e = walk_and_fill(a, *c, half, va, iova, priv, delay, fault);
        if (!e) return fault;
    }
    const uint8_t need = write ? (priv ? perm_write : perm_user_write) : (priv ? perm_read : perm_user_read);
    if (!(e->perms & need)) return permission_fault(a, *c, *e, iova, priv);
    if (!debug) ++stats_.translations;
    return translation::translated_to(e->translate(va), iova + (e->last() - va));
}

// SMMUEN=0 (GBPA), DMA without a stream id, and STEs that abort or bypass.
translation smmuv3::translate_unconfigured(const dma_access& a, uint64_t iova, const stream_config* c) {
    const bool has_sid = a.has_stream(), debug = a.debug;
    auto bypass = [&] {
        if (!debug) ++stats_.bypassed;
        return translation::bypassed(iova);
    };
    fault_record f;  // an abort: no event is recorded
    a.record_access(f, has_sid ? a.stream : 0, iova, a.payload.get_data_length());
    f.has_stream = has_sid;
    f.kind = fault_kind::aborted;
    if (!cr0::SMMUEN(cr0ack())) {
        if (!gbpa::ABORT(gbpa_->get())) return bypass();
        f.code = "GBPA.ABORT";
        f.detail = "the SMMU is disabled (CR0.SMMUEN=0) and GBPA.ABORT=1";
    } else if (!has_sid) {
        if (cfg_.bypass_untagged) return bypass();
        f.kind = fault_kind::no_stream_id;
        f.code = "no stream id";
        f.detail = "the DMA carries no stream id (socsim,untagged-dma = \"abort\")";
    } else if (c && c->kind == stream_config::mode::bypass) {
        return bypass();
    } else {
        f.code = "STE abort";
        f.fetch_addr = c ? c->ste_addr : 0;
        f.has_fetch_addr = c != nullptr;
        f.detail = "the STE at " + core::hex(f.fetch_addr) + " has Config=abort (no event is recorded)";
    }
    return terminate(f, nullptr, false, true, debug);
}

// A stage-1 fault: the event (recorded per CD.R for translation faults), the diagnostic, and
// abort or RAZ/WI per CD.A.
translation smmuv3::stage1_fault(const dma_access& a, const stream_config& c, uint64_t iova, bool priv, uint8_t type,
                                 fault_record f) {
    f.code = smmuv3_event::name(type);
    a.record_access(f, c.sid, iova, a.payload.get_data_length());
    event ev;
    ev.type = type;
    ev.sid = c.sid;
    ev.input_addr = iova;
    ev.rnw = a.payload.is_read();
    ev.pnu = priv;
    ev.fetch_addr = f.fetch_addr;
    const bool translation_fault = smmuv3_event::is_translation_fault(type);
    return terminate(f, &ev, translation_fault ? c.record : true, translation_fault ? c.abort_fault : true, a.debug);
}

translation smmuv3::range_fault(const dma_access& a, const stream_config& c, int half, uint64_t iova, bool priv) {
    const stream_config::half& h = c.tt[half];
    const std::string n = half ? "1" : "0";
    fault_record f;
    f.kind = fault_kind::translation;
    f.detail = !h.enabled ? "walks through TTB" + n + " are disabled (EPD" + n + "=1)"
                          : "the IOVA is outside the " + std::to_string(h.input_bits) + "-bit TTB" + n + " range (T" +
                                n + "SZ=" + std::to_string(64 - h.input_bits) + ")";
    return stage1_fault(a, c, iova, priv, smmuv3_event::F_TRANSLATION, std::move(f));
}

translation smmuv3::permission_fault(const dma_access& a, const stream_config& c, const tlb_entry& e, uint64_t iova,
                                     bool priv) {
    fault_record f;
    f.kind = fault_kind::permission;
    f.detail = std::string(a.write && (e.perms & (priv ? perm_read : perm_user_read))
                               ? "the page is read-only (AP[2]=1 or APTable)"
                               : "unprivileged access to a page without AP[1] (or under APTable[0])") +
               "; mapping " + core::hex(e.iova) + " -> " + core::hex(e.output);
    f.level = e.level;
    return stage1_fault(a, c, iova, priv, smmuv3_event::F_PERMISSION, std::move(f));
}

tlb_entry* smmuv3::walk_and_fill(const dma_access& a, const stream_config& c, int half, uint64_t va, uint64_t iova,
                                 bool priv, sc_core::sc_time& delay, translation& fault) {
    const walk_result w = walk(c, half, va, delay, a.debug);
    if (!w.ok()) {
        const std::string loop = w.loop ? " (table loop: the table at " + core::hex(w.loop_table) +
                                              " is used at more than one level)"
                                        : "";
        const std::string where = level_name(w.level);
        const std::string entry = " (entry " + core::hex(w.fetch_addr) + " = " + core::hex(w.descriptor) + ")";
        fault_record f;
        f.level = w.level;
        f.fetch_addr = w.fetch_addr;
        f.has_fetch_addr = true;
        const uint8_t type = walk_event(w);
        switch (type) {
        case smmuv3_event::F_WALK_EABT:
            f.kind = fault_kind::walk_bus_error;
            f.detail = where + " table entry read at " + core::hex(w.fetch_addr) + " failed on the bus" + loop;
            break;
        case smmuv3_event::F_ADDR_SIZE:
            f.kind = fault_kind::address_size;
            f.detail = where + " descriptor outputs an address beyond the " + std::to_string(c.ips_bits) + "-bit IPS" +
                       entry + loop;
            break;
        case smmuv3_event::F_ACCESS:
            f.kind = fault_kind::access_flag;
            f.detail = where + " descriptor has the access flag clear" + entry + loop;
            break;
        default:
            f.kind = fault_kind::translation;
            f.detail = "no valid descriptor at " + where + entry + loop;
        }
        fault = stage1_fault(a, c, iova, priv, type, std::move(f));
        return nullptr;
    }
    if (a.debug) return &(debug_entry_ = w.cached(c.asid, c.sid));
    return &tlb_.insert(w.cached(c.asid, c.sid));
}

uint64_t smmuv3::root_entry(const stream_config& c, int half, uint64_t va) const {
    const stream_config::half& h = c.tt[half];
    vmsa_geometry g;
    g.granule_shift = h.granule_shift;
    g.input_bits = h.input_bits;
    g.start_level = h.start_level;
    return vmsa_format(g, c.ips_bits, c.affd).entry_address(h.ttb, h.start_level, va);
}

walk_result smmuv3::walk(const stream_config& c, int half, uint64_t va, sc_core::sc_time& delay, bool debug) {
    const stream_config::half& h = c.tt[half];
    vmsa_geometry g;
    g.granule_shift = h.granule_shift;
    g.input_bits = h.input_bits;
    g.start_level = h.start_level;
    const vmsa_format format(g, c.ips_bits, c.affd);
    return walker_.walk(format, h.ttb, h.start_level, va, delay, debug);
}

const smmuv3::stream_config* smmuv3::find_config(const dma_access& a, uint64_t iova, sc_core::sc_time& delay) {
    const uint32_t sid = a.stream;
    const bool debug = a.debug;
    auto it = configs_.find(sid);
    if (it != configs_.end()) {
        if (debug) return &it->second;
        it->second.stamp = ++config_clock_;
        last_config_ = &it->second;
        last_sid_ = sid;
        return last_config_;
    }
    stream_config& scratch = debug_config_;
    scratch = stream_config{};
    fault_record f;
    event ev;
    ev.sid = sid;
    if (!fetch_config(sid, scratch, f, ev, delay, debug)) {
        a.record_access(f, sid, iova, a.payload.get_data_length());
        ev.input_addr = iova;
        ev.rnw = a.payload.is_read();
        const bool recorded = ev.type != smmuv3_event::C_BAD_STREAMID || cr2::RECINVSID(cr2_->get());
        if (ev.type == smmuv3_event::C_BAD_STREAMID && !recorded) f.detail += "; CR2.RECINVSID=0";
        terminate(f, &ev, recorded, true, debug);
        return nullptr;
    }
    if (debug) return &scratch;
    if (configs_.size() >= cfg_.config_cache_entries) {
        auto victim = std::min_element(configs_.begin(), configs_.end(),
                                       [](const auto& a, const auto& b) { return a.second.stamp < b.second.stamp; });
        configs_.erase(victim);
        last_config_ = nullptr;
    }
    scratch.stamp = ++config_clock_;
    stream_config& slot = configs_[sid] = scratch;
    last_config_ = &slot;
    last_sid_ = sid;
    return &slot;
}

bool smmuv3::fetch_config(uint32_t sid, stream_config& out, fault_record& f, event& ev, sc_core::sc_time& delay,
                          bool debug) {
    if (!debug) ++stats_.config_fetches;
    auto fail = [&](uint8_t type, fault_kind kind, const std::string& detail, uint64_t fetch = 0, bool has = false) {
        ev.type = type;
        ev.fetch_addr = fetch;
        f.kind = kind;
        f.code = smmuv3_event::name(type);
        f.detail = detail;
        f.fetch_addr = fetch;
        f.has_fetch_addr = has;
        return false;
    };
    auto read = [&](uint64_t addr, void* data, unsigned len) {
        return debug ? port_.peek(addr, data, len) : port_.read(addr, data, len, delay);
    };
    const uint64_t cfg = strtab_cfg_->get();
    const smmuv3_stream_table table = smmuv3_stream_table::of(cfg, sid_bits);
    // The low bits of a misaligned base are taken as zero.
    const uint64_t base = strtab_base::ADDR.in_place(strtab_base_->get()) & ~(table.bytes() - 1);
    const std::string sid_text = "stream " + std::to_string(sid);
    if (sid >> sid_bits)
        return fail(smmuv3_event::C_BAD_STREAMID, fault_kind::bad_stream,
                    sid_text + " is not below 2^SIDSIZE (2^" + std::to_string(sid_bits) + ")");
    if (sid >> table.log2size)
        return fail(smmuv3_event::C_BAD_STREAMID, fault_kind::bad_stream,
                    sid_text + " is beyond the stream table (STRTAB_BASE_CFG.LOG2SIZE=" +
                        std::to_string(strtab_base_cfg::LOG2SIZE(cfg)) + ")");
    uint64_t ste_addr;
    if (table.two_level) {
        const unsigned split = table.split;
        const uint64_t l1_addr = base + uint64_t{table.l1_index(sid)} * smmuv3_ste::l1::BYTES;
        uint64_t l1 = 0;
        if (!read(l1_addr, &l1, sizeof l1))
            return fail(smmuv3_event::F_STE_FETCH, fault_kind::config_fetch,
                        "level-1 stream table descriptor read at " + core::hex(l1_addr) + " failed on the bus", l1_addr,
                        true);
        const unsigned span = static_cast<unsigned>(smmuv3_ste::l1::SPAN(&l1));
        const uint32_t index = table.l2_index(sid);
        if (span == 0)
            return fail(smmuv3_event::C_BAD_STREAMID, fault_kind::bad_stream,
                        sid_text + ": its level-1 descriptor at " + core::hex(l1_addr) + " is invalid (Span=0)",
                        l1_addr, true);
        if (span > split + 1)
            return fail(smmuv3_event::C_BAD_STREAMID, fault_kind::bad_stream,
                        sid_text + ": level-1 descriptor Span=" + std::to_string(span) + " exceeds SPLIT+1 (" +
                            std::to_string(split + 1) + ")",
                        l1_addr, true);
        if (index >> (span - 1))
            return fail(smmuv3_event::C_BAD_STREAMID, fault_kind::bad_stream,
                        sid_text + " is beyond its level-2 table (Span=" + std::to_string(span) + ": " +
                            std::to_string(1u << (span - 1)) + " STEs)",
                        l1_addr, true);
        ste_addr = smmuv3_ste::l1::L2_PTR.in_place(&l1) + uint64_t{index} * smmuv3_ste::BYTES;
    } else {
        ste_addr = base + uint64_t{sid} * smmuv3_ste::BYTES;
    }
    out.sid = sid;
    out.ste_addr = ste_addr;
    uint64_t ste[smmuv3_ste::WORDS];
    if (!read(ste_addr, ste, sizeof ste))
        return fail(smmuv3_event::F_STE_FETCH, fault_kind::config_fetch,
                    "STE read at " + core::hex(ste_addr) + " failed on the bus", ste_addr, true);
    auto bad_ste = [&](const std::string& why) {
        return fail(smmuv3_event::C_BAD_STE, fault_kind::bad_config, "STE at " + core::hex(ste_addr) + ": " + why,
                    ste_addr, true);
    };
    using namespace smmuv3_ste;
    if (!V(ste)) return bad_ste("V=0");
    const unsigned config = static_cast<unsigned>(CONFIG(ste));
    if (config < CONFIG_BYPASS) {
        out.kind = stream_config::mode::abort;
        return true;
    }
    if (config == CONFIG_BYPASS) {
        out.kind = stream_config::mode::bypass;
        return true;
    }
    if (config != CONFIG_S1_TRANS)
        return bad_ste("Config=" + std::to_string(config) + " needs stage 2, which is not implemented");
    const unsigned s1fmt = static_cast<unsigned>(S1FMT(ste));
    const uint64_t ctxptr = S1_CONTEXT_PTR.in_place(ste);
    const unsigned cdmax = static_cast<unsigned>(S1_CD_MAX(ste));
    const unsigned s1dss = static_cast<unsigned>(S1DSS(ste));
    if (S1STALLD(ste)) return bad_ste("S1STALLD=1, but stalling is not supported (STALL_MODEL=0b01)");
    if (cdmax > ssid_bits)
        return bad_ste("S1CDMax=" + std::to_string(cdmax) + " exceeds SSIDSIZE=" + std::to_string(ssid_bits));
    if (ctxptr >> oas_bits) return bad_ste("S1ContextPtr " + core::hex(ctxptr) + " is beyond the 48-bit OAS");
    out.privcfg = static_cast<uint8_t>(PRIVCFG(ste));
    uint64_t cd_addr = ctxptr;
    if (cdmax > 0) {
        // This model's DMAs carry no substream id: S1DSS decides.
        if (s1dss == S1DSS_TERMINATE)
            return fail(smmuv3_event::F_STREAM_DISABLED, fault_kind::stream_disabled,
                        "the STE at " + core::hex(ste_addr) + " has S1CDMax=" + std::to_string(cdmax) +
                            " and S1DSS=terminate, and the DMA carries no substream id");
        if (s1dss == S1DSS_BYPASS) {
            out.kind = stream_config::mode::bypass;
            return true;
        }
        if (s1dss != S1DSS_SSID0) return bad_ste("S1DSS=0b11 is reserved");
        if (s1fmt == S1FMT_RESERVED) return bad_ste("S1Fmt=0b11 is reserved");
        if (s1fmt != S1FMT_LINEAR) {  // 2-level CD table; substream 0 is entry 0 of the first leaf table
            uint64_t l1cd = 0;
            if (!read(ctxptr, &l1cd, sizeof l1cd))
                return fail(smmuv3_event::F_CD_FETCH, fault_kind::config_fetch,
                            "level-1 CD descriptor read at " + core::hex(ctxptr) + " failed on the bus", ctxptr, true);
            if (!smmuv3_cd::l1::V(&l1cd))
                return fail(smmuv3_event::C_BAD_SUBSTREAMID, fault_kind::bad_config,
                            "the level-1 CD descriptor at " + core::hex(ctxptr) + " for substream 0 is invalid (V=0)",
                            ctxptr, true);
            cd_addr = smmuv3_cd::l1::L2_PTR.in_place(&l1cd);
        }
    }
    uint64_t cd[smmuv3_cd::WORDS];
    if (!read(cd_addr, cd, sizeof cd))
        return fail(smmuv3_event::F_CD_FETCH, fault_kind::config_fetch,
                    "CD read at " + core::hex(cd_addr) + " failed on the bus", cd_addr, true);
    out.cd_addr = cd_addr;
    std::string why;
    if (!decode_cd(cd, out, why))
        return fail(smmuv3_event::C_BAD_CD, fault_kind::bad_config, "CD at " + core::hex(cd_addr) + ": " + why,
                    cd_addr, true);
    out.kind = stream_config::mode::translate;
    return true;
}

bool smmuv3::decode_cd(const uint64_t cd[smmuv3_cd::WORDS], stream_config& out, std::string& why) const {
    using namespace smmuv3_cd;
    auto bad = [&](const std::string& text) {
        why = text;
        return false;
    };
    if (!V(cd)) return bad("V=0");
    if (!AA64(cd)) return bad("AA64=0: only VMSAv8-64 tables are supported (IDR0.TTF=AArch64)");
    if (ENDI(cd)) return bad("ENDI=1: big-endian tables, but IDR0.TTENDIAN=little-endian");
    if (HA_HD(cd)) return bad("HA/HD set, but hardware flag updates are not supported (IDR0.HTTU=0)");
    if (S(cd)) return bad("S=1, but stalling is not supported (STALL_MODEL=0b01)");
    // IPS above OAS, or reserved, means OAS.
    const unsigned ips = address_bits(static_cast<unsigned>(IPS(cd)));
    out.ips_bits = static_cast<uint8_t>(ips == 0 || ips > oas_bits ? oas_bits : ips);
    out.affd = AFFD(cd);
    out.record = R(cd);
    out.abort_fault = A(cd);
    out.asid = static_cast<uint16_t>(ASID(cd));
    for (int half = 0; half < 2; ++half) {
        stream_config::half& h = out.tt[half];
        const char* n = half ? "1" : "0";
        h.tbi = tbi(cd, half);
        h.enabled = !epd(cd, half);
        if (!h.enabled) continue;
        const unsigned t_sz = tsz(cd, half);
        const unsigned g = granule_shift(half, tg(cd, half));
        if (g == 0) return bad(std::string("TG") + n + "=" + std::to_string(tg(cd, half)) + " is reserved");
        if (t_sz < 16 || t_sz > 39)
            return bad(std::string("T") + n + "SZ=" + std::to_string(t_sz) + " is outside 16..39");
        const uint64_t base = ttb(cd, half);
        if (base >> out.ips_bits)
            return bad(std::string("TTB") + n + " " + core::hex(base) + " is beyond the " +
                       std::to_string(out.ips_bits) + "-bit IPS");
        const vmsa_geometry geo = vmsa_geometry::make(g, 64 - t_sz);
        h.granule_shift = static_cast<uint8_t>(g);
        h.input_bits = static_cast<uint8_t>(64 - t_sz);
        h.start_level = static_cast<int8_t>(geo.start_level);
        h.ttb = base & ~(geo.root_table_bytes() - 1);  // the low bits of a misaligned TTB are taken as zero
    }
    return true;
}

} // namespace socsim::iommu

// ---- the debugger's view ----

namespace socsim::iommu {

debug_translation smmuv3::debug_translate(uint32_t sid, uint64_t iova) {
    // The decisions of translate() in its order, each taken from memory or the configuration
    // cache without filling anything.
    debug_translation out;
    if (!cr0::SMMUEN(cr0ack())) {
        const bool abort = gbpa::ABORT(gbpa_->get());
        out.result = abort ? debug_translation::outcome::fault : debug_translation::outcome::bypass;
        out.output = iova;
        out.why = std::string("the SMMU is disabled (CR0.SMMUEN=0) and GBPA.ABORT=") + (abort ? "1" : "0");
        return out;
    }
    const stream_config* c = nullptr;
    if (auto it = configs_.find(sid); it != configs_.end()) {
        c = &it->second;
        out.config.push_back("configuration cached (STE at " + core::hex(c->ste_addr) + ")");
    } else {
        stream_config& scratch = debug_config_;
        scratch = stream_config{};
        fault_record f;
        event ev;
        sc_core::sc_time d;
        if (!fetch_config(sid, scratch, f, ev, d, true)) {
            out.why = (f.code.empty() ? std::string(to_string(f.kind)) : f.code) + ": " + f.detail;
            return out;
        }
        c = &scratch;
        out.config.push_back("configuration read from memory (STE at " + core::hex(c->ste_addr) + ")");
    }
    if (c->kind == stream_config::mode::bypass) {
        out.result = debug_translation::outcome::bypass;
        out.output = iova;
        out.why = "the STE at " + core::hex(c->ste_addr) + " has Config=bypass";
        return out;
    }
    if (c->kind == stream_config::mode::abort) {
        out.why = "STE abort: the STE at " + core::hex(c->ste_addr) + " has Config=abort";
        return out;
    }
    out.config.push_back("CD at " + core::hex(c->cd_addr) + ", ASID " + std::to_string(c->asid));
    const int half = va_half(iova);
    const stream_config::half& h = c->tt[half];
    const std::string n = half ? "1" : "0";
    if (!h.accepts(iova, half)) {
        out.why = "F_TRANSLATION: " + (!h.enabled ? "walks through TTB" + n + " are disabled (EPD" + n + "=1)"
                                                  : "the IOVA is outside the " + std::to_string(h.input_bits) +
                                                        "-bit TTB" + n + " range");
        return out;
    }
    out.config.push_back("TTB" + n + " " + core::hex(h.ttb) + ", " + core::human_size(uint64_t{1} << h.granule_shift) +
                         " granule, start level " + std::to_string(h.start_level));
    const uint64_t va = h.tbi ? canonical(iova) : iova;
    sc_core::sc_time d;
    const walk_result w = walk(*c, half, va, d, true);
    fill_from_walk(out, w, va, w.ok() ? "" : smmuv3_event::name(walk_event(w)));
    return out;
}

void smmuv3::debug_tlb(std::ostream& os) {
    os << name() << ": " << configs_.size() << " stream configurations cached\n";
    for (const auto& [sid, c] : configs_)
        os << "  stream " << core::hex(sid) << ": STE at " << core::hex(c.ste_addr) << ", ASID " << c.asid << "\n";
    print_tlb(os, std::string(name()) + " TLB", tlb_, walker_);
}

} // namespace socsim::iommu
