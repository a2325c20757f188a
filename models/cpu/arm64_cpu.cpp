#include "models/cpu/arm64_cpu.h"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/core/memory_epoch.h"
#include "models/core/run_control.h"
#include "models/core/trace_writer.h"
#include "models/cpu/psci.h"
#include "models/cpu/cluster.h"
#include "models/cpu/generic_timer.h"
#include "models/cpu/load_store_address.h"
#include "models/cpu/semihosting.h"
#include "models/cpu/unicorn_internals.h"
#include "models/memory/coherence_tracker.h"

namespace socsim::cpu {
namespace {

constexpr uint64_t page = 4096;
constexpr uint32_t wfi_instruction = 0xd503207f;
// The physical address space the holes are mapped up to (48 bits: every PA the MMU can form).
constexpr uint64_t physical_space_end = 1ull << 48;

// Unicorn's exception numbers (QEMU's EXCP_*).
constexpr uint32_t excp_udef = 1, excp_swi = 2, excp_prefetch_abort = 3, excp_data_abort = 4, excp_bkpt = 7,
                   excp_hvc = 11, excp_smc = 13;

const char* exception_name(uint32_t intno) {
    switch (intno) {
    case excp_udef: return "undefined instruction";
    case excp_swi: return "SVC (supervisor call)";
    case excp_prefetch_abort: return "instruction abort";
    case excp_data_abort: return "data abort";
    case excp_bkpt: return "BRK (breakpoint)";
    case excp_hvc: return "HVC (hypervisor call)";
    case excp_smc: return "SMC (secure monitor call)";
    default: return "exception";
    }
}

void block_hook(uc_engine*, uint64_t address, uint32_t size, void* self) {
    static_cast<arm64_cpu*>(self)->on_block(address, size);
}
void intr_hook(uc_engine*, uint32_t intno, void* self) { static_cast<arm64_cpu*>(self)->on_exception(intno); }
bool unmapped_hook(uc_engine*, uc_mem_type type, uint64_t addr, int size, int64_t value, void* self) {
    return static_cast<arm64_cpu*>(self)->on_unmapped(type, addr, size, value);
}
uint32_t mrs_hook(uc_engine*, uc_arm64_reg reg, const uc_arm64_cp_reg* cp, void* self) {
    return static_cast<arm64_cpu*>(self)->on_sysreg_read(reg, cp) ? 1 : 0;
}
uint32_t msr_hook(uc_engine*, uc_arm64_reg reg, const uc_arm64_cp_reg* cp, void* self) {
    return static_cast<arm64_cpu*>(self)->on_sysreg_write(reg, cp) ? 1 : 0;
}
// Cache maintenance the model acts on: DC by address (SYS #3, C7, Cm, #1) and the instruction
// cache invalidations IC IVAU (SYS #3, C7, C5, #1), IC IALLU (SYS #0, C7, C5, #0) and IC IALLUIS
// (SYS #0, C7, C1, #0).
bool is_dc_by_address(const uc_arm64_cp_reg* cp) { return cp->op0 == 1 && cp->op1 == 3 && cp->crn == 7 && cp->op2 == 1; }
bool is_ic_invalidate(const uc_arm64_cp_reg* cp) {
    if (cp->op0 != 1 || cp->crn != 7) return false;
    return (cp->op1 == 3 && cp->crm == 5 && cp->op2 == 1) || (cp->op1 == 0 && (cp->crm == 5 || cp->crm == 1) && cp->op2 == 0);
}
uint32_t sys_hook(uc_engine*, uc_arm64_reg, const uc_arm64_cp_reg* cp, void* self) {
    // Filter here so that the call into the model is for those only.
    if (is_dc_by_address(cp) || is_ic_invalidate(cp)) static_cast<arm64_cpu*>(self)->on_sys(cp);
    return 0;  // the instruction goes on as usual
}
bool write_prot_hook(uc_engine*, uc_mem_type, uint64_t addr, int size, int64_t value, void* self) {
    return static_cast<arm64_cpu*>(self)->on_write_protected(addr, size, value);
}
bool fetch_prot_hook(uc_engine*, uc_mem_type, uint64_t addr, int, int64_t, void* self) {
    return static_cast<arm64_cpu*>(self)->on_fetch_protected(addr);
}

// Unicorn's register ids: X0..X28 are consecutive, X29 and X30 are not (X0 + 29 is V0).
int x_register(unsigned n) {
    return n < 29 ? UC_ARM64_REG_X0 + static_cast<int>(n) : n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

// The generic timer's registers: op0 3, op1 3, CRn 14.
//   CRm 0: op2 0 CNTFRQ, 1 CNTPCT, 2 CNTVCT; CRm 2: EL1 physical timer, CRm 3: virtual timer,
//   each op2 0 TVAL, 1 CTL, 2 CVAL.
bool is_timer_register(const uc_arm64_cp_reg* cp) { return cp->op0 == 3 && cp->op1 == 3 && cp->crn == 14; }

constexpr uint32_t hvc_instruction = 0xd4000002;  // HVC #0
constexpr uint32_t smc_instruction = 0xd4000003;  // SMC #0

} // namespace

struct arm64_cpu::mmio_region {
    arm64_cpu* cpu;
    uint64_t base;
};

namespace {

// These two are plain functions with nothing to destroy in their frames: on a bus error they
// leave through raise_external_abort's longjmp (unicorn_internals.h).
uint64_t mmio_read_cb(uc_engine* uc, uint64_t offset, unsigned size, void* region) {
    auto* r = static_cast<arm64_cpu::mmio_region*>(region);
    uint64_t data = 0;
    if (r->cpu->mmio_access(tlm::TLM_READ_COMMAND, r->base + offset, size, data) == arm64_cpu::access_result::abort) {
        const arm64_cpu::pending_abort& a = r->cpu->abort_info();
        unicorn_internals::raise_external_abort(uc, a.physical, a.virtual_address, a.size, a.write, a.decode_error);
    }
    return data;
}
void mmio_write_cb(uc_engine* uc, uint64_t offset, unsigned size, uint64_t value, void* region) {
    auto* r = static_cast<arm64_cpu::mmio_region*>(region);
    if (r->cpu->mmio_access(tlm::TLM_WRITE_COMMAND, r->base + offset, size, value) == arm64_cpu::access_result::abort) {
        const arm64_cpu::pending_abort& a = r->cpu->abort_info();
        unicorn_internals::raise_external_abort(uc, a.physical, a.virtual_address, a.size, a.write, a.decode_error);
    }
}

void check(uc_err err, const std::string& what) {
    if (err != UC_ERR_OK) throw core::config_error("cpu: " + what + ": " + uc_strerror(err));
}

} // namespace

// Semihosting reads guest memory as the CPU sees it: by virtual address.
class arm64_cpu::unicorn_memory : public semihosting::guest_memory {
public:
    explicit unicorn_memory(arm64_cpu& cpu) : cpu_(cpu) {}
    bool read(uint64_t addr, void* dst, uint64_t len) override { return cpu_.read_virtual(addr, dst, len); }
    bool write(uint64_t addr, const void* src, uint64_t len) override {
        auto* from = static_cast<const uint8_t*>(src);
        while (len > 0) {
            const uint64_t chunk = std::min(len, page - (addr % page));
            uint64_t pa = 0;
            if (!unicorn_internals::translate(cpu_.uc_, addr, pa) || !cpu_.is_memory(pa, chunk) ||
                uc_mem_write(cpu_.uc_, pa, from, chunk) != UC_ERR_OK)
                return false;
            addr += chunk, from += chunk, len -= chunk;
        }
        return true;
    }

private:
    arm64_cpu& cpu_;
};

arm64_cpu::arm64_cpu(sc_core::sc_module_name name, const config& cfg)
    : sc_module(name), socket("socket"), cfg_(cfg), log_(this->name()) {
    if (cfg.clock_hz == 0 || cfg.clock_hz > 100'000'000'000ull)
        throw core::config_error(std::string(this->name()) + ": clock-frequency " + std::to_string(cfg.clock_hz) +
                                 " Hz is out of range");
    period_ = sc_core::sc_time(1e12 / static_cast<double>(cfg.clock_hz), sc_core::SC_PS);
    timer_ = std::make_unique<generic_timer>(cfg.counter_hz);
    timer_->output(generic_timer::physical).on_change([this](bool level) { timer_phys_irq.set(level); });
    timer_->output(generic_timer::virtual_).on_change([this](bool level) { timer_virt_irq.set(level); });

    unicorn_internals::check();
    check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_), "cannot start Unicorn");
    if (const uint32_t bytes = code_cache_size())
        check(uc_ctl_set_tcg_buffer_size(uc_, bytes), "cannot size the translated-code cache");
    int model = cfg.model == core_model::cortex_a53 ? UC_CPU_ARM64_A53
                : cfg.model == core_model::cortex_a72 ? UC_CPU_ARM64_A72
                                                      : UC_CPU_ARM64_A57;
    check(uc_ctl_set_cpu_model(uc_, model), "cannot select the core model");
    // Only our hooks stop emulation: an `until` address of 0 would stop firmware that jumps to 0.
    check(uc_ctl_exits_enable(uc_), "cannot enable exits");

    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(block_hook), this, 1, 0), "block hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(intr_hook), this, 1, 0), "exception hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(unmapped_hook), this, 1, 0),
          "unmapped-memory hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(mrs_hook), this, 1, 0, UC_ARM64_INS_MRS),
          "MRS hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(msr_hook), this, 1, 0, UC_ARM64_INS_MSR),
          "MSR hook");
    if (cfg_.coherence) add_sys_hook();
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_WRITE_PROT, reinterpret_cast<void*>(write_prot_hook), this, 1, 0),
          "write-protection hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_FETCH_PROT, reinterpret_cast<void*>(fetch_prot_hook), this, 1, 0),
          "fetch-protection hook");

    guest_memory_ = std::make_unique<unicorn_memory>(*this);
    semihosting_ = std::make_unique<semihosting>(*guest_memory_, semihosting::console{&std::cout, &std::cerr, &std::cin},
                                                 cfg.firmware_path);
    semihosting_->set_time_source([this] { return now_ns(); });
    semihosting_->set_exit_handler([this](int status) {
        exit_requested_ = true;
        uc_emu_stop(uc_);
        SOCSIM_LOG(log_, info, "firmware exited with status " << status << " after " << icount_ << " instructions");
        core::trace_event("exit", this->name()).field("status", static_cast<uint64_t>(status)).emit();
        core::run_control::instance().request_exit(core::run_outcome::firmware_exit, status,
                                                   "firmware exited with status " + std::to_string(status));
    });

    socket.register_invalidate_direct_mem_ptr(this, &arm64_cpu::invalidate_direct_mem_ptr);
    SC_HAS_PROCESS(arm64_cpu);
    SC_THREAD(run);
    // Unicorn translates and runs guest code on this thread's stack: give it room.
    set_stack_size(16 * 1024 * 1024);
}

arm64_cpu::~arm64_cpu() {
    if (uc_) uc_close(uc_);
}

void arm64_cpu::add_sys_hook() {
    // Only SYS instructions pay for it; added before any code is translated.
    if (sys_hook_added_) return;
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(sys_hook), this, 1, 0, UC_ARM64_INS_SYS),
          "SYS hook");
    sys_hook_added_ = true;
}

void arm64_cpu::set_cluster(cluster& c) {
    cluster_ = &c;
    if (c.size() > 1) add_sys_hook();  // IC invalidations reach the other cores
}

void arm64_cpu::power_on(uint64_t entry, uint64_t context) {
    start_entry_ = entry;
    start_context_ = context;
    powered_ = true;
    power_event_.notify(sc_core::SC_ZERO_TIME);
    SOCSIM_LOG(log_, info, "powered on at " << core::hex(entry) << " (x0 " << core::hex(context) << ")");
}

bool arm64_cpu::wait_for_power_on(uint64_t& pc) {
    // A powered-off core waits for CPU_ON, then starts as from reset: EL1h, interrupts masked,
    // MMU and caches off, at the entry point with x0 = the context id.
    while (!powered_) {
        if (core::run_control::instance().stopping()) return false;
        wait(power_event_);
    }
    if (core::run_control::instance().stopping()) return false;
    synced_icount_ = icount_;
    stall_ = sc_core::SC_ZERO_TIME;
    uint32_t pstate = 0x3c5;  // EL1h, DAIF set
    uc_reg_write(uc_, UC_ARM64_REG_PSTATE, &pstate);
    uc_arm64_cp_reg sctlr{1, 0, 3, 0, 0, 0};  // SCTLR_EL1
    uc_reg_read(uc_, UC_ARM64_REG_CP_REG, &sctlr);
    sctlr.val &= ~((1ull << 0) | (1ull << 2) | (1ull << 12));  // M, C, I
    uc_reg_write(uc_, UC_ARM64_REG_CP_REG, &sctlr);
    uc_reg_write(uc_, UC_ARM64_REG_X0, &start_context_);
    pc = start_entry_;
    return true;
}

void arm64_cpu::set_irq(bool level) {
    if (level == irq_level_) return;
    irq_level_ = level;
    unicorn_internals::set_line(uc_, unicorn_internals::line::irq, level);
    if (level) {
        kick_ = true;  // the block hook makes QEMU look at the line
        wake_.notify();
    }
}

void arm64_cpu::set_fiq(bool level) {
    if (level == fiq_level_) return;
    fiq_level_ = level;
    unicorn_internals::set_line(uc_, unicorn_internals::line::fiq, level);
    if (level) {
        kick_ = true;
        wake_.notify();
    }
}

void arm64_cpu::set_address_map(const std::vector<core::address_range>& ranges) { address_map_ = ranges; }

void arm64_cpu::set_boot(elf_image firmware, uint64_t dtb_address, std::vector<uint8_t> dtb) {
    firmware_ = std::move(firmware);
    dtb_address_ = dtb_address;
    dtb_ = std::move(dtb);
}

bool arm64_cpu::load_boot_images() {
    try {
        load_elf(firmware_, *socket.operator->());
        tlm::tlm_generic_payload p;
        p.set_write();
        p.set_address(dtb_address_);
        p.set_data_ptr(dtb_.data());
        p.set_data_length(static_cast<unsigned>(dtb_.size()));
        p.set_streaming_width(static_cast<unsigned>(dtb_.size()));
        if (socket->transport_dbg(p) != dtb_.size())
            throw core::config_error("cannot write the device tree at " + core::hex(dtb_address_));
    } catch (const core::config_error& e) {
        std::cerr << "socsim: " << e.what() << std::endl;
        core::run_control::instance().request_exit(core::run_outcome::config_error, core::exit_config_error, e.what());
        return false;
    }
    if (cfg_.coherence) {
        // What the loader placed is in memory (no CPU cache holds it): the walkers' baseline.
        for (const elf_segment& s : firmware_.segments) cfg_.coherence->preload(s.paddr, s.bytes.data(), s.bytes.size());
        cfg_.coherence->preload(dtb_address_, dtb_.data(), dtb_.size());
    }
    // Translated code is cached per page: drop anything cached over what the load wrote. Only
    // those ranges: Unicorn walks a range page by page, and walking every RAM bank costs tens of
    // milliseconds per 16 GiB (pcie-windows has 48 GiB).
    for (const elf_segment& s : firmware_.segments)
        if (s.memsz != 0) uc_ctl_remove_cache(uc_, s.paddr, s.paddr + s.memsz);
    uc_ctl_remove_cache(uc_, dtb_address_, dtb_address_ + dtb_.size());
    return true;
}

uint64_t arm64_cpu::pc() const {
    uint64_t pc = 0;
    uc_reg_read(uc_, UC_ARM64_REG_PC, &pc);
    return pc;
}

void arm64_cpu::end_of_elaboration() { map_memory(); }

void arm64_cpu::map_memory() {
    // RAM is whatever grants read/write DMI; the rest of each range is MMIO, by whole pages.
    std::vector<std::pair<uint64_t, uint64_t>> mmio_pages;  // [first page, last page]
    std::vector<std::pair<uint64_t, uint64_t>> used;         // every mapped run, by pages
    for (const core::address_range& r : address_map_) {
        tlm::tlm_generic_payload p;
        tlm::tlm_dmi dmi;
        p.set_address(r.base);
        p.set_read();
        core::dma_extension ext;
        ext.initiator = name();
        p.set_extension(&ext);
        bool granted = socket->get_direct_mem_ptr(p, dmi);
        p.clear_extension(&ext);
        const bool whole = granted && dmi.get_dmi_ptr() && dmi.get_start_address() == r.base &&
                           dmi.get_end_address() == r.last() && r.base % page == 0 && r.size % page == 0;
        if (whole && dmi.is_read_write_allowed()) {
            check(uc_mem_map_ptr(uc_, r.base, r.size, UC_PROT_ALL, dmi.get_dmi_ptr()),
                  "cannot map RAM at " + core::hex(r.base));
            ram_ranges_.push_back(r);
            used.emplace_back(r.base / page, r.last() / page);
            SOCSIM_LOG(log_, debug, "RAM " << core::hex(r.base) << " + " << core::human_size(r.size) << " mapped directly");
            continue;
        }
        if (whole && dmi.is_read_allowed()) {
            // Unicorn cannot execute from MMIO: read-only memory is mapped by pointer too, and
            // writes to it come to on_write_protected.
            check(uc_mem_map_ptr(uc_, r.base, r.size, UC_PROT_READ | UC_PROT_EXEC, dmi.get_dmi_ptr()),
                  "cannot map ROM at " + core::hex(r.base));
            rom_ranges_.push_back(r);
            used.emplace_back(r.base / page, r.last() / page);
            SOCSIM_LOG(log_, debug, "ROM " << core::hex(r.base) << " + " << core::human_size(r.size) << " mapped directly");
            continue;
        }
        if (r.base >= physical_space_end) continue;  // beyond what the MMU can address
        mmio_pages.emplace_back(r.base / page, std::min(r.last(), physical_space_end - 1) / page);
    }
    // The holes: every page no range covers is MMIO as well, so that an access to nothing goes
    // to the bus (which reports it) and the guest takes an external abort at the instruction.
    std::sort(used.begin(), used.end());
    uint64_t next = 0;
    for (auto [first, last] : used) {
        if (first > next) mmio_pages.emplace_back(next, first - 1);
        next = std::max(next, last + 1);
    }
    if (next < physical_space_end / page) mmio_pages.emplace_back(next, physical_space_end / page - 1);
    std::sort(mmio_pages.begin(), mmio_pages.end());
    // Merge page runs: two devices may share a page; the bus decodes the exact address.
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    for (auto run : mmio_pages) {
        if (!runs.empty() && run.first <= runs.back().second + 1)
            runs.back().second = std::max(runs.back().second, run.second);
        else
            runs.push_back(run);
    }
    for (auto [first, last] : runs) {
        // Pages that RAM or ROM took stay theirs (a device sharing a page with RAM is not
        // possible: both are mapped by whole pages).
        mmio_regions_.push_back(std::make_unique<mmio_region>(mmio_region{this, first * page}));
        check(uc_mmio_map(uc_, first * page, (last - first + 1) * page, mmio_read_cb, mmio_regions_.back().get(),
                          mmio_write_cb, mmio_regions_.back().get()),
              "cannot map MMIO at " + core::hex(first * page));
    }
}

void arm64_cpu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    // RAM never revokes its DMI today; a model that does would need the range remapped as MMIO
    // between slices. Say so loudly rather than keep using a stale pointer silently.
    for (const auto& r : ram_ranges_)
        if (r.overlaps({start, end - start + 1}))
            log_.error("DMI to " + core::hex(start) + ".." + core::hex(end) +
                       " was revoked, but the CPU keeps RAM mapped directly");
    for (const auto& r : rom_ranges_)
        if (r.overlaps({start, end - start + 1}))
            log_.error("DMI to " + core::hex(start) + ".." + core::hex(end) +
                       " was revoked, but the CPU keeps ROM mapped directly");
}

uint64_t arm64_cpu::retired_before(uint64_t pc) const {
    // Blocks are straight-line code: the instruction's index in its block is its offset / 4.
    if (pc >= block_pc_ && pc < block_pc_ + block_size_ * 4) return block_first_ + (pc - block_pc_) / 4;
    return icount_;
}

sc_core::sc_time arm64_cpu::local_time_at(uint64_t pc) const {
    const uint64_t retired = retired_before(pc);
    return period_ * static_cast<double>(retired > synced_icount_ ? retired - synced_icount_ : 0) + stall_;
}

sc_core::sc_time arm64_cpu::local_time() const {
    return period_ * static_cast<double>(icount_ - synced_icount_) + stall_;
}

uint64_t arm64_cpu::now_ns() const {
    return static_cast<uint64_t>((sc_core::sc_time_stamp() + local_time_at(pc())).to_seconds() * 1e9 + 0.5);
}

void arm64_cpu::sync_if_events_due(uint64_t pc) {
    // A device event due at or before this instruction's time (a DMA completing, a timer) must
    // happen before the access sees the device. SystemC runs it when this thread waits; Unicorn
    // is left mid-block meanwhile, which is safe: nothing else runs this engine.
    const sc_core::sc_time local = local_time_at(pc);
    if (local == sc_core::SC_ZERO_TIME) return;
    if (!sc_core::sc_pending_activity() || sc_core::sc_time_to_pending_activity() > local) return;
    // Not past the run's time limit: the simulation stops there, and this thread must not be
    // left suspended inside the engine.
    const sc_core::sc_time limit = core::run_control::instance().time_limit();
    if (limit != sc_core::SC_ZERO_TIME && sc_core::sc_time_stamp() + local >= limit) return;
    wait(local);
    synced_icount_ = retired_before(pc);
    stall_ = sc_core::SC_ZERO_TIME;
    timer_->update(sc_core::sc_time_stamp());
}

sc_core::sc_time arm64_cpu::slice_length() const {
    // Up to the quantum, the next timer deadline and the run's time limit, whichever is first.
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    sc_core::sc_time length = tlm_utils::tlm_quantumkeeper::get_global_quantum();
    const sc_core::sc_time deadline = timer_->next_deadline(now);
    if (deadline != sc_core::SC_ZERO_TIME && deadline > now && deadline - now < length) length = deadline - now;
    const sc_core::sc_time limit = core::run_control::instance().time_limit();
    if (limit != sc_core::SC_ZERO_TIME && limit > now && limit - now < length) length = limit - now;
    return length;
}

void arm64_cpu::run() {
    unicorn_internals::prepare_el1(uc_);
    // FP/SIMD are trapped at reset (CPACR_EL1.FPEN = 0); firmware may use them from the start.
    uint64_t cpacr = 3ull << 20;
    uc_reg_write(uc_, UC_ARM64_REG_CPACR_EL1, &cpacr);
    uint64_t pc = 0;
    if (!firmware_.segments.empty()) {
        if (!load_boot_images()) return;
        pc = firmware_.entry;
        powered_ = true;
        uc_reg_write(uc_, UC_ARM64_REG_X0, &dtb_address_);
    } else if (cluster_ && cluster_->size() > 1) {
        if (!wait_for_power_on(pc)) return;  // a secondary core
    } else {
        core::run_control::instance().request_exit(core::run_outcome::config_error, core::exit_config_error,
                                                   "no firmware loaded");
        return;
    }

    uc_reg_write(uc_, UC_ARM64_REG_PC, &pc);  // what a debugger halted before the first instruction sees
    while (!core::run_control::instance().stopping()) {
        if (drop_code_) {
            drop_code_ = false;
            uc_ctl_flush_tb(uc_);
        }
        block_size_ = 0;
        if (debugger_ && debugger_->halt_wanted()) {
            stop_event e;
            e.why = halt_at_start_ ? stop_event::reason::attached : stop_event::reason::interrupted;
            request_halt(e);
        }
        halt_at_start_ = false;
        if (halt_pending_) {
            service_halt();
            pc = this->pc();
            if (core::run_control::instance().stopping()) return;
        }
        const uint64_t slice_insns = std::max<uint64_t>(1, static_cast<uint64_t>(slice_length() / period_));
        budget_end_ = icount_ + slice_insns;
        budget_stop_ = false;
        // The guest writes RAM through a host pointer: every run may have written memory.
        core::memory_epoch::bump();
        uc_err err = uc_emu_start(uc_, pc, 0, 0, 0);
        core::memory_epoch::bump();
        pc = this->pc();
        while (engine_halted_ && err == UC_ERR_OK && !fault_.pending && !exit_requested_) {
            // A debugger's halt from inside the engine, before the instruction at pc: the rest
            // of the block counted at its start did not run. The slice goes on after the halt.
            engine_halted_ = false;
            if (block_size_ && pc >= block_pc_ && pc < block_pc_ + block_size_ * 4) {
                split_until_ = std::max(split_until_, block_first_ + block_size_);
                icount_ = retired_before(pc);
            }
            block_size_ = 0;
            service_halt();
            if (core::run_control::instance().stopping()) return;
            pc = this->pc();
            core::memory_epoch::bump();
            err = uc_emu_start(uc_, pc, 0, 0, 0);
            core::memory_epoch::bump();
            pc = this->pc();
        }
        engine_halted_ = false;
        block_size_ = 0;  // between runs, no block is executing

        if (fault_.pending || (err != UC_ERR_OK && !exit_requested_)) {
            if (!fault_.pending) raise_fault(std::string("emulation stopped: ") + uc_strerror(err));
            report_fault();
            return;
        }
        if (exit_requested_ || core::run_control::instance().stopping()) return;
        // Catch SystemC up with the instructions run.
        wait(local_time());
        synced_icount_ = icount_;
        stall_ = sc_core::SC_ZERO_TIME;
        timer_->update(sc_core::sc_time_stamp());
        if (!powered_ && !wait_for_power_on(pc)) return;  // PSCI CPU_OFF
        if (!budget_stop_ && instruction_at(pc - 4) == wfi_instruction) wait_for_interrupt();
    }
}

void arm64_cpu::wait_for_interrupt() {
    // WFI completes when an interrupt is pending, masked or not (Arm ARM D1.16.2): the IRQ or FIQ
    // input high. Idle time is skipped up to the next timer deadline or device event.
    while (!irq_level_ && !fiq_level_ && !core::run_control::instance().stopping()) {
        if (halt_pending_) {
            service_halt();  // halted in the WFI; it goes on waiting afterwards
            continue;
        }
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        const sc_core::sc_time deadline = timer_->next_deadline(now);
        const sc_core::sc_time limit = core::run_control::instance().time_limit();
        SOCSIM_LOG(log_, trace, "WFI at " << core::hex(pc() - 4));
        if (deadline == sc_core::SC_ZERO_TIME && !sc_core::sc_pending_activity()) {
            // No timer armed and no event anywhere in the platform: nothing can ever raise an
            // interrupt. Say so instead of idling to --max-time.
            uint64_t at = pc() - 4;
            uc_reg_write(uc_, UC_ARM64_REG_PC, &at);
            raise_fault("WFI with no interrupt pending and nothing scheduled that could raise one");
            fault_.note = "the core would sleep forever";
            report_fault();
            return;
        }
        if (deadline != sc_core::SC_ZERO_TIME && deadline > now) {
            sc_core::sc_time until = deadline - now;
            if (limit != sc_core::SC_ZERO_TIME && limit > now && limit - now < until) until = limit - now;
            wait(until, wake_);
        } else if (limit != sc_core::SC_ZERO_TIME && limit > now) {
            wait(limit - now, wake_);
        } else if (limit != sc_core::SC_ZERO_TIME) {
            return;  // at the time limit: the run ends here
        } else {
            wait(wake_);
        }
        timer_->update(sc_core::sc_time_stamp());
    }
}

uint32_t arm64_cpu::instruction_at(uint64_t addr) const {
    uint32_t insn = 0;
    if (!read_virtual(addr, &insn, 4)) return 0;
    return insn;
}

bool arm64_cpu::is_memory(uint64_t physical, uint64_t len) const {
    for (const auto* ranges : {&ram_ranges_, &rom_ranges_})
        for (const core::address_range& r : *ranges)
            if (r.contains(physical, len)) return true;
    return false;
}

bool arm64_cpu::read_virtual(uint64_t va, void* dst, uint64_t len) const {
    // Page by page through the guest's translation; only memory (never a device) is read.
    auto* to = static_cast<uint8_t*>(dst);
    while (len > 0) {
        const uint64_t chunk = std::min(len, page - (va % page));
        uint64_t pa = 0;
        if (!unicorn_internals::translate(uc_, va, pa) || !is_memory(pa, chunk) ||
            uc_mem_read(uc_, pa, to, chunk) != UC_ERR_OK)
            return false;
        va += chunk, to += chunk, len -= chunk;
    }
    return true;
}

void arm64_cpu::on_block(uint64_t address, uint32_t size) {
    if (exit_requested_ || fault_.pending) {
        uc_emu_stop(uc_);
        return;
    }
    if (icount_ >= budget_end_) {
        if (halt_pending_) {
            // The debugger's halt: this block does not run and is not counted.
            engine_halted_ = true;
            leave_before_block(address);
            uc_emu_stop(uc_);
            return;
        }
        if (icount_ >= split_until_) {
            // Stopped from the block hook, the block does not run: it is not counted.
            budget_stop_ = true;
            leave_before_block(address);
            uc_emu_stop(uc_);
            return;
        }
    }
    if (kick_ && icount_ >= split_until_) {
        // Unicorn 2.1.1 runs the block hook before the block's exit-request check, so the kick
        // makes this block leave before its first instruction (as the budget stop above does):
        // it is not counted now, and will be when it runs (after the interrupt, if taken, whose
        // return address is this block's start).
        kick_ = false;
        leave_before_block(address);
        unicorn_internals::kick(uc_);
        return;
    }
    block_pc_ = address;
    block_first_ = icount_;
    block_size_ = size / 4;
    icount_ += size / 4;
}

void arm64_cpu::leave_before_block(uint64_t address) {
    // A block left from its hook leaves before its exit-request check, with nothing run. Unicorn
    // puts the PC back at the block's start only while no code hook exists; with one (a
    // breakpoint anywhere, a step, a watchpoint) it leaves the PC where the last code hook set
    // it, an instruction that already ran, and the core would run it again (time drifts, an
    // interrupt taken here returns there). So the PC is set here, in every case: writing it
    // makes Unicorn leave the block without touching it.
    uc_reg_write(uc_, UC_ARM64_REG_PC, &address);
    block_size_ = 0;
}

bool arm64_cpu::can_take_exceptions() {
    // The guest has vectors if VBAR_EL1 is set and the synchronous vector translates to memory.
    uint64_t vbar = 0;
    uc_reg_read(uc_, UC_ARM64_REG_VBAR_EL1, &vbar);
    if (vbar == 0) return false;
    // From EL0 the vectors cannot be translated with EL0's permissions (they are privileged
    // memory, often in the TTBR1 half): software running at EL0 was put there by an EL1 that
    // set VBAR_EL1.
    uint32_t pstate = 0;  // 32 bits wide in Unicorn
    uc_reg_read(uc_, UC_ARM64_REG_PSTATE, &pstate);
    if (((pstate >> 2) & 3) == 0) return true;
    uint64_t pa = 0;
    return unicorn_internals::translate(uc_, vbar + 0x200, pa) && is_memory(pa, 4);
}

void arm64_cpu::on_exception(uint32_t intno) {
    // The run is ending (exit, SYSTEM_OFF, a fault): Unicorn may still be finishing the block;
    // nothing after that point may take effect (print, exit again).
    if (exit_requested_ || fault_.pending) {
        uc_emu_stop(uc_);
        return;
    }
    uint64_t pc = this->pc();
    if (intno == excp_udef && instruction_at(pc) == semihosting::hlt_instruction) {
        uint64_t op = 0, param = 0;
        uc_reg_read(uc_, UC_ARM64_REG_X0, &op);
        uc_reg_read(uc_, UC_ARM64_REG_X1, &param);
        uint64_t result = semihosting_->call(static_cast<uint32_t>(op), param);
        uc_reg_write(uc_, UC_ARM64_REG_X0, &result);
        uint64_t next = pc + 4;
        uc_reg_write(uc_, UC_ARM64_REG_PC, &next);
        return;
    }
    if (handle_psci(intno, pc)) return;
    // An SMC goes to EL3 on this core, where no firmware is modelled.
    if (intno != excp_smc && can_take_exceptions()) {
        ++exceptions_taken_;
        SOCSIM_LOG(log_, debug, "exception: " << exception_name(intno) << " at pc " << core::hex(pc));
        unicorn_internals::take_exception(uc_);
        return;
    }
    // For SVC, HVC and SMC Unicorn reports the PC after the instruction.
    if (intno == excp_swi || intno == excp_hvc || intno == excp_smc) {
        uint64_t at = pc - 4;
        uc_reg_write(uc_, UC_ARM64_REG_PC, &at);
    }
    raise_fault(exception_name(intno));
    fault_.note = intno == excp_smc ? "an SMC goes to EL3, where no firmware is modelled"
                                    : "the firmware cannot take it: VBAR_EL1 is 0 or does not point at memory";
}

bool arm64_cpu::handle_psci(uint32_t intno, uint64_t pc) {
    // Unicorn reports HVC and SMC with the PC after the instruction; an HVC that the core treats
    // as undefined (no EL2 to take it) comes as exception 1 at the instruction.
    if (cfg_.psci == psci_conduit::none) return false;
    const uint32_t conduit = cfg_.psci == psci_conduit::hvc ? hvc_instruction : smc_instruction;
    const uint32_t wanted_intno = cfg_.psci == psci_conduit::hvc ? excp_hvc : excp_smc;
    uint64_t at = 0;
    if (intno == wanted_intno && instruction_at(pc - 4) == conduit)
        at = pc - 4;
    else if (intno == excp_udef && instruction_at(pc) == conduit)
        at = pc;
    else
        return false;

    uint64_t x[4] = {};
    for (int i = 0; i < 4; ++i) uc_reg_read(uc_, UC_ARM64_REG_X0 + i, &x[i]);
    const psci::result r = psci(cfg_.mpidr, cluster_).call(x[0], x[1], x[2], x[3]);
    SOCSIM_LOG(log_, debug, "PSCI " << r.what << " (" << core::hex(x[0] & 0xffffffffu) << ") -> " << core::hex(r.x0));
    core::trace_event("psci", name()).field("function", r.what).hex_field("id", x[0] & 0xffffffffu).hex_field("x0", r.x0).emit();
    uint64_t next = at + 4;
    uc_reg_write(uc_, UC_ARM64_REG_X0, &r.x0);
    uc_reg_write(uc_, UC_ARM64_REG_PC, &next);
    auto& control = core::run_control::instance();
    switch (r.then) {
    case psci::action::none:
        break;
    case psci::action::system_off:
        exit_requested_ = true;
        uc_emu_stop(uc_);
        SOCSIM_LOG(log_, info, "PSCI SYSTEM_OFF after " << icount_ << " instructions");
        control.request_exit(core::run_outcome::firmware_exit, 0, "PSCI SYSTEM_OFF");
        break;
    case psci::action::system_reset:
        exit_requested_ = true;
        uc_emu_stop(uc_);
        SOCSIM_LOG(log_, info, "PSCI SYSTEM_RESET after " << icount_ << " instructions");
        control.request_exit(core::run_outcome::firmware_exit, core::exit_system_reset,
                             "PSCI SYSTEM_RESET: the firmware asked for a reset (status " +
                                 std::to_string(core::exit_system_reset) + ")");
        break;
    case psci::action::cpu_off:
        if (cluster_ && cluster_->running() > 1) {
            // This core stops here until a CPU_ON starts it again; CPU_OFF does not return.
            powered_ = false;
            uc_emu_stop(uc_);
            SOCSIM_LOG(log_, info, "PSCI CPU_OFF after " << icount_ << " instructions");
            break;
        }
        uc_reg_write(uc_, UC_ARM64_REG_PC, &at);
        raise_fault("PSCI CPU_OFF on the last running core: nothing could ever run again");
        break;
    }
    return true;
}

bool arm64_cpu::on_write_protected(uint64_t addr, int size, int64_t value) {
    // Let the bus and the ROM see (and log) the write, then stop: the data must not land.
    uint64_t data = static_cast<uint64_t>(value);
    transport(tlm::TLM_WRITE_COMMAND, addr, static_cast<unsigned>(size), data, sc_core::sc_time_stamp() + local_time());
    raise_fault("write of " + std::to_string(size) + " bytes at " + core::hex(addr) + ", which is read-only memory",
                true, addr);
    return false;
}

bool arm64_cpu::on_fetch_protected(uint64_t addr) {
    // Unicorn fetches only from memory mapped by pointer; anything else is a device or nothing.
    raise_fault("instruction fetch from " + core::hex(addr) + ", which is not memory", true, addr);
    return false;
}

bool arm64_cpu::on_unmapped(int type, uint64_t addr, int size, int64_t value) {
    // Every physical address is mapped (the holes as MMIO); this is beyond the 48-bit space.
    uint64_t data = static_cast<uint64_t>(value);
    if (type == UC_MEM_FETCH_UNMAPPED) {
        raise_fault("instruction fetch from " + core::hex(addr) + ", where there is nothing", true, addr);
        return false;
    }
    tlm::tlm_command cmd = type == UC_MEM_WRITE_UNMAPPED ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND;
    transport(cmd, addr, static_cast<unsigned>(size), data, sc_core::sc_time_stamp() + local_time());
    raise_fault(std::string(cmd == tlm::TLM_READ_COMMAND ? "read" : "write") + " of " + std::to_string(size) +
                    " bytes at " + core::hex(addr) + ", where there is nothing",
                true, addr);
    return false;
}

bool arm64_cpu::transport(tlm::tlm_command cmd, uint64_t addr, unsigned size, uint64_t& data,
                          const sc_core::sc_time& at) {
    // Unicorn finishes the current block after a stop request: the accesses that follow a fault
    // or the end of the run must not reach the devices (a real abort is precise).
    if (fault_.pending || core::run_control::instance().stopping()) return true;
    tlm::tlm_generic_payload p;
    core::dma_extension ext;
    ext.initiator = name();
    ext.privileged = true;
    p.set_extension(&ext);
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    p.set_data_length(size);
    p.set_streaming_width(size);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    const sc_core::sc_time before = at - sc_core::sc_time_stamp();
    sc_core::sc_time delay = before;
    socket->b_transport(p, delay);
    if (delay > before) stall_ += delay - before;  // the target's latency
    // A device may have ended the run (sim-control EXIT): stop at this instruction.
    if (core::run_control::instance().stopping()) uc_emu_stop(uc_);
    p.clear_extension(&ext);
    core::trace_event("mmio", name(), at)
        .field("cmd", cmd == tlm::TLM_READ_COMMAND ? "read" : "write")
        .hex_field("addr", addr)
        .field("len", static_cast<uint64_t>(size))
        .hex_field("data", data)
        .field("resp", p.get_response_string())
        .emit();
    if (!p.is_response_ok()) {
        abort_.physical = addr;
        abort_.size = size;
        abort_.write = cmd == tlm::TLM_WRITE_COMMAND;
        abort_.decode_error = p.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
    return p.is_response_ok();
}

arm64_cpu::access_result arm64_cpu::mmio_access(tlm::tlm_command cmd, uint64_t addr, unsigned size, uint64_t& data) {
    const uint64_t pc = unicorn_internals::exact_pc(uc_);
    if (debugger_ && block_size_ > 1 && pc >= block_pc_ && pc + 4 < block_pc_ + block_size_ * 4) {
        // A debugger may want to stop right after this access (a DMA it starts may fault): run
        // the instruction as a block of its own. The instructions after it did not run yet.
        split_until_ = std::max(split_until_, block_first_ + block_size_);
        icount_ = retired_before(pc);
        block_size_ = 0;
        unicorn_internals::run_access_alone(uc_);
    }
    if (cmd == tlm::TLM_READ_COMMAND) {
        data = 0;
        sync_if_events_due(pc);
    }
    // Stores before this access are visible to whatever the access sets off, and stores after
    // it to whatever runs next (core::memory_epoch).
    core::memory_epoch::bump();
    const bool ok = transport(cmd, addr, size, data, now_at(pc));
    core::memory_epoch::bump();
    if (ok || fault_.pending) return access_result::ok;
    if (can_take_exceptions()) {
        // A synchronous external abort at this instruction, FAR = the virtual address it used.
        abort_.virtual_address = fault_virtual_address(pc, addr);
        ++exceptions_taken_;
        SOCSIM_LOG(log_, debug, "external abort: " << (abort_.write ? "write" : "read") << " at " << core::hex(addr)
                                                   << " by pc " << core::hex(pc));
        return access_result::abort;
    }
    const std::string access = cmd == tlm::TLM_READ_COMMAND ? "read" : "write";
    if (abort_.decode_error)
        raise_fault(access + " of " + std::to_string(size) + " bytes at " + core::hex(addr) + ", where there is nothing",
                    true, addr);
    else
        raise_fault("bus error: the device at " + core::hex(addr) + " refused a " + std::to_string(size) + "-byte " +
                        access,
                    true, addr);
    fault_.note = "the firmware cannot take the external abort: VBAR_EL1 is 0 or does not point at memory";
    return access_result::ok;
}

uint64_t arm64_cpu::fault_virtual_address(uint64_t pc, uint64_t physical) const {
    // The bus knows the physical address; the instruction says which virtual address it used
    // (its base register and offset). Checked against the translation: an access that crosses
    // into the faulting page still reports the faulting byte's address. MMU off: the same.
    auto x = [this](unsigned n) -> uint64_t {
        uint64_t v = 0;
        if (n <= 30) uc_reg_read(uc_, x_register(n), &v);
        return v;  // 31 as an index register is XZR
    };
    uint64_t sp = 0;
    uc_reg_read(uc_, UC_ARM64_REG_SP, &sp);
    const std::optional<uint64_t> va = load_store_address(instruction_at(pc), pc, x, sp);
    uint64_t pa = 0;
    if (!va || !unicorn_internals::translate(uc_, *va, pa)) return physical;
    const uint64_t delta = physical - pa;  // the faulting byte within the access (0..63)
    if (delta < 64) return *va + delta;
    uint64_t next_page_pa = 0;  // an access crossing a page boundary: the second page's part
    const uint64_t next_page_va = (*va | (page - 1)) + 1;
    if (unicorn_internals::translate(uc_, next_page_va, next_page_pa) && physical >= next_page_pa &&
        physical - next_page_pa < 64)
        return next_page_va + (physical - next_page_pa);
    return physical;
}

bool arm64_cpu::on_sysreg_read(int reg, const void* cp_void) {
    const auto* cp = static_cast<const uc_arm64_cp_reg*>(cp_void);
    if (cp->op0 == 3 && cp->op1 == 0 && cp->crn == 0 && cp->crm == 0 && cp->op2 == 5) {
        // MPIDR_EL1: every engine is QEMU's CPU 0; the core's affinity is the DT's. Bit 31 RES1.
        uint64_t value = (1ull << 31) | (cfg_.mpidr & psci::affinity_mask);
        if (reg != UC_ARM64_REG_XZR) uc_reg_write(uc_, static_cast<uc_arm64_reg>(reg), &value);
        return true;
    }
    if (!is_timer_register(cp)) return false;
    const sc_core::sc_time now = now_at(pc());
    uint64_t value = 0;
    if (cp->crm == 0) {
        if (cp->op2 > 2) return false;
        value = cp->op2 == 0 ? timer_->frequency_hz() : timer_->counter(now);
    } else if (cp->crm == 2 || cp->crm == 3) {
        const auto w = cp->crm == 2 ? generic_timer::physical : generic_timer::virtual_;
        switch (cp->op2) {
        case 0: value = timer_->read_tval(w, now); break;
        case 1: value = timer_->read_ctl(w, now); break;
        case 2: value = timer_->read_cval(w); break;
        default: return false;
        }
    } else {
        return false;  // CNTKCTL and the rest: Unicorn's own
    }
    if (reg != UC_ARM64_REG_XZR) uc_reg_write(uc_, static_cast<uc_arm64_reg>(reg), &value);
    return true;
}

bool arm64_cpu::on_sysreg_write(int reg, const void* cp_void) {
    const auto* cp = static_cast<const uc_arm64_cp_reg*>(cp_void);
    uint64_t value = 0;
    if (cp->op0 == 3 && cp->op1 == 0 && cp->crn == 1 && cp->crm == 0 && cp->op2 == 0) {
        // SCTLR_EL1: the write is the instruction's own; say when translation turns on or off.
        if (reg != UC_ARM64_REG_XZR) uc_reg_read(uc_, static_cast<uc_arm64_reg>(reg), &value);
        uc_arm64_cp_reg now{1, 0, 3, 0, 0, 0};
        uc_reg_read(uc_, UC_ARM64_REG_CP_REG, &now);
        if ((value ^ now.val) & 1)
            SOCSIM_LOG(log_, info, "MMU " << ((value & 1) ? "on" : "off") << " (SCTLR_EL1 " << core::hex(value)
                                          << ") at pc " << core::hex(pc()));
        return false;
    }
    if (!is_timer_register(cp) || (cp->crm != 2 && cp->crm != 3) || cp->op2 > 2) return false;
    if (reg != UC_ARM64_REG_XZR) uc_reg_read(uc_, static_cast<uc_arm64_reg>(reg), &value);
    const sc_core::sc_time now = now_at(pc());
    const auto w = cp->crm == 2 ? generic_timer::physical : generic_timer::virtual_;
    switch (cp->op2) {
    case 0: timer_->write_tval(w, value, now); break;
    case 1: timer_->write_ctl(w, value, now); break;
    case 2: timer_->write_cval(w, value, now); break;
    }
    // A new deadline may be sooner than the end of this slice: end the slice at this block's
    // end so the next one is sized to it.
    const sc_core::sc_time deadline = timer_->next_deadline(now);
    if (deadline != sc_core::SC_ZERO_TIME) {
        const uint64_t insns = static_cast<uint64_t>((deadline - sc_core::sc_time_stamp()) / period_);
        budget_end_ = std::min(budget_end_, synced_icount_ + std::max<uint64_t>(insns, 1));
        if (halt_pending_)  // budget_end_ is 0 until the halt; the slice's real end is kept here
            saved_budget_end_ = std::min(saved_budget_end_, synced_icount_ + std::max<uint64_t>(insns, 1));
    }
    return true;  // done here: skip the instruction's own write
}

void arm64_cpu::on_sys(const void* cp_void) {
    const auto* cp = static_cast<const uc_arm64_cp_reg*>(cp_void);
    if (is_ic_invalidate(cp)) {
        if (cluster_) cluster_->invalidate_code(*this);
        return;
    }
    if (!cfg_.coherence) return;
    using op = memory::coherence_tracker::maintenance;
    op kind;
    switch (cp->crm) {
    case 10: kind = op::cvac; break;
    case 14: kind = op::civac; break;
    case 11: kind = op::cvau; break;
    case 12: kind = op::cvap; break;
    case 13: kind = op::cvadp; break;
    default: return;  // DC ZVA (CRm 4) and the rest: not a clean
    }
    if (!cfg_.coherence->active()) return;
    constexpr uint64_t line = memory::coherence_tracker::line_bytes;
    uint64_t physical = 0;  // Xt is a virtual address
    if (!unicorn_internals::translate(uc_, cp->val, physical)) return;
    const uint64_t base = physical & ~(line - 1);
    // A clean of memory that is not RAM (MMIO, nothing) has no line to snapshot, and reading a
    // device here would have side effects.
    if (!std::any_of(ram_ranges_.begin(), ram_ranges_.end(),
                     [&](const core::address_range& r) { return r.contains(base, line); }))
        return;
    uint8_t bytes[line];
    if (uc_mem_read(uc_, base, bytes, line) != UC_ERR_OK) return;
    SOCSIM_LOG(log_, trace, memory::coherence_tracker::name(kind) << " " << core::hex(cp->val));
    cfg_.coherence->maintain(kind, base, bytes, now_at(pc()));
}

void arm64_cpu::raise_fault(const std::string& what, bool has_address, uint64_t address) {
    if (fault_.pending) return;
    fault_.pending = true;
    fault_.what = what;
    fault_.pc = pc();
    fault_.has_address = has_address;
    fault_.address = address;
    uc_emu_stop(uc_);
}

void arm64_cpu::report_fault() {
    // The report goes to stderr as one block: what, where, and the register file.
    std::ostringstream os;
    char line[160];
    std::snprintf(line, sizeof line, "firmware fault: %s at pc 0x%llx (instruction 0x%08x)", fault_.what.c_str(),
                  static_cast<unsigned long long>(fault_.pc), instruction_at(fault_.pc));
    os << line << '\n';
    if (!fault_.note.empty()) os << "  (" << fault_.note << ")\n";
    if (fault_.has_address) os << "  address 0x" << std::hex << fault_.address << std::dec << '\n';
    for (int i = 0; i <= 30; ++i) {
        uint64_t v = 0;
        uc_reg_read(uc_, x_register(static_cast<unsigned>(i)), &v);
        std::snprintf(line, sizeof line, "  x%-2d 0x%016llx%s", i, static_cast<unsigned long long>(v),
                      (i % 4 == 3 || i == 30) ? "\n" : "");
        os << line;
    }
    uint64_t sp = 0;
    uint32_t pstate = 0;  // 32 bits wide in Unicorn
    uc_reg_read(uc_, UC_ARM64_REG_SP, &sp);
    uc_reg_read(uc_, UC_ARM64_REG_PSTATE, &pstate);
    std::snprintf(line, sizeof line, "  sp  0x%016llx  pstate 0x%08x  instructions %llu\n",
                  static_cast<unsigned long long>(sp), pstate, static_cast<unsigned long long>(icount_));
    os << line;
    std::cerr << "socsim: " << os.str();
    std::cerr.flush();
    core::trace_event("fault", name())
        .field("what", fault_.what)
        .hex_field("pc", fault_.pc)
        .hex_field("addr", fault_.address)
        .emit();
    core::run_control::instance().request_exit(core::run_outcome::firmware_fault, core::exit_firmware_fault,
                                               "firmware fault: " + fault_.what);
}

} // namespace socsim::cpu

namespace socsim::cpu {
std::string engine_version() { return unicorn_internals::loaded_version(); }
} // namespace socsim::cpu
