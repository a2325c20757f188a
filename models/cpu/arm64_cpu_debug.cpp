// arm64_cpu: what a debugger needs (halts, breakpoints, watchpoints, single step, registers and
// memory as the core sees them). The mechanism is described in arm64_cpu.h.

#include "models/cpu/arm64_cpu.h"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <cstring>

#include "models/core/run_control.h"
#include "models/cpu/unicorn_internals.h"

namespace socsim::cpu {
namespace {

constexpr uint64_t page = 4096;

void debug_code_hook(uc_engine*, uint64_t address, uint32_t, void* self) {
    static_cast<arm64_cpu*>(self)->on_debug_code(address);
}
// Unicorn calls it before the access. Nothing with a destructor in this frame: it may leave by
// longjmp.
void watch_hook(uc_engine* uc, uc_mem_type type, uint64_t address, int size, int64_t, void* self) {
    if (static_cast<arm64_cpu*>(self)->on_watch(type == UC_MEM_WRITE, address, size))
        unicorn_internals::abandon_instruction(uc);
}

int x_register(unsigned n) {
    return n < 29 ? UC_ARM64_REG_X0 + static_cast<int>(n) : n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

// GDB's AArch64 register numbers (its aarch64-core and aarch64-fpu features), as Unicorn's.
struct register_slot {
    int id;
    unsigned bytes;
};
bool slot_of(unsigned regno, register_slot& s) {
    if (regno <= 30) s = {x_register(regno), 8};
    else if (regno == 31) s = {UC_ARM64_REG_SP, 8};
    else if (regno == 32) s = {UC_ARM64_REG_PC, 8};
    else if (regno == 33) s = {UC_ARM64_REG_PSTATE, 4};
    else if (regno >= 34 && regno <= 65) s = {UC_ARM64_REG_Q0 + static_cast<int>(regno - 34), 16};
    else if (regno == 66) s = {UC_ARM64_REG_FPSR, 4};
    else if (regno == 67) s = {UC_ARM64_REG_FPCR, 4};
    else return false;
    return true;
}

} // namespace

namespace {
uint32_t code_cache_bytes = 0;  // 0: Unicorn's default
}

void arm64_cpu::use_small_code_cache() { code_cache_bytes = 32u << 20; }

uint32_t arm64_cpu::code_cache_size() { return code_cache_bytes; }

void arm64_cpu::attach_debugger(debugger* d, bool halt_at_start) {
    debugger_ = d;
    halt_at_start_ = d && halt_at_start;
    if (d) return;
    // Detached: the core runs on as if no debugger had been there.
    for (auto& b : breakpoints_) uc_hook_del(uc_, b.second);
    breakpoints_.clear();
    watchpoints_.clear();
    stepping_ = false;
    update_watch_hooks();
    update_debug_hooks();
}

void arm64_cpu::request_halt(const stop_event& e) {
    if (!debugger_ || halt_pending_) return;
    halt_pending_ = true;
    pending_stop_ = e;
    // The block hook compares icount_ with budget_end_ anyway: a budget of 0 makes the next
    // block start stop, at no cost to the hot path.
    saved_budget_end_ = budget_end_;
    budget_end_ = 0;
    wake_.notify();  // out of a WFI
}

void arm64_cpu::stop_in_engine(const stop_event& e) {
    request_halt(e);
    engine_halted_ = true;
    uc_emu_stop(uc_);
}

void arm64_cpu::on_debug_code(uint64_t address) {
    if (!debugger_ || engine_halted_) return;
    // Before the instruction at `address` runs.
    if (halt_pending_) return stop_in_engine(pending_stop_);
    const bool resumed_here = address == resume_pc_ && retired_before(address) == resume_icount_;
    if (stepping_) {
        // Each hook on this address calls here (a breakpoint's and the one on every
        // instruction): an instruction is told apart by its address and its place in the count.
        const uint64_t count = retired_before(address);
        if (steps_seen_ == 0) {  // the instruction being stepped
            steps_seen_ = 1;
            step_pc_ = address;
            step_count_ = count;
            return;
        }
        if (address == step_pc_ && count == step_count_) return;
        stop_event e;
        e.why = stop_event::reason::step;
        return stop_in_engine(e);
    }
    if (resumed_here) return;  // resuming from a breakpoint: this one runs
    for (const auto& b : breakpoints_)
        if (b.first == address) {
            stop_event e;
            e.why = stop_event::reason::breakpoint;
            return stop_in_engine(e);
        }
}

bool arm64_cpu::on_watch(bool write, uint64_t physical, int size) {
    if (!debugger_ || engine_halted_) return false;
    // Before the access. GDB treats AArch64 watchpoints as non-steppable: it wants the stop before
    // the accessing instruction completes, then steps it itself with the watchpoints removed. The
    // hook on every instruction (present while a watchpoint is) has set the PC to this one.
    // Continuing from a stop here runs the instruction (a client that does not step it first
    // would otherwise never get past it); a single step of it stops, as on QEMU, and GDB steps it
    // again with its watchpoints removed.
    const uint64_t at = pc();
    if (!stepping_ && at == resume_pc_ && retired_before(at) == resume_icount_) return false;
    for (const watchpoint& w : watchpoints_) {
        uint64_t va = 0;
        if ((w.kind == 4 || (w.kind == 2) == write) && watched_virtual(w, physical, size, va)) {
            stop_event e;
            e.why = stop_event::reason::watchpoint;
            e.data_address = va;
            e.data_write = write;
            stop_in_engine(e);
            return true;  // the hook abandons the instruction: the core stops at it
        }
    }
    return false;
}

bool arm64_cpu::watched_virtual(const watchpoint& w, uint64_t physical, int size, uint64_t& va) const {
    // Unicorn's memory hooks give the physical address. The watched virtual range is translated
    // now, page by page, with the guest's regime as it stands at this access.
    const uint64_t end = physical + static_cast<uint64_t>(size);
    for (uint64_t at = w.va; at < w.va + w.len;) {
        const uint64_t chunk = std::min(w.va + w.len - at, page - (at % page));
        uint64_t pa = 0;
        if (unicorn_internals::translate(uc_, at, pa) && physical < pa + chunk && pa < end) {
            va = at + (std::max(physical, pa) - pa);
            return true;
        }
        at += chunk;
    }
    return false;
}

void arm64_cpu::set_breakpoint(uint64_t va, bool on) {
    auto it = std::find_if(breakpoints_.begin(), breakpoints_.end(), [&](const auto& b) { return b.first == va; });
    if (on && it == breakpoints_.end()) {
        uc_hook h = 0;
        if (uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(debug_code_hook), this, va, va) == UC_ERR_OK)
            breakpoints_.emplace_back(va, h);
    } else if (!on && it != breakpoints_.end()) {
        uc_hook_del(uc_, it->second);
        breakpoints_.erase(it);
    }
    // The code already translated there has no call to the hook: translate it again (Unicorn
    // looks hooks up when it translates).
    uc_ctl_remove_cache(uc_, va, va + 4);
}

void arm64_cpu::set_watchpoint(uint64_t va, uint64_t len, int kind, bool on) {
    if (len == 0) return;
    auto it = std::find_if(watchpoints_.begin(), watchpoints_.end(),
                           [&](const watchpoint& w) { return w.va == va && w.len == len && w.kind == kind; });
    if (on && it == watchpoints_.end())
        watchpoints_.push_back({va, len, kind});
    else if (!on && it != watchpoints_.end())
        watchpoints_.erase(it);
    update_watch_hooks();
    update_debug_hooks();
    uc_ctl_flush_tb(uc_);
}

void arm64_cpu::update_watch_hooks() {
    // One hook for reads and one for writes, on every address: Unicorn bounds a memory hook by
    // physical address, and a watchpoint is on virtual addresses (on_watch translates them).
    bool reads = false, writes = false;
    for (const watchpoint& w : watchpoints_) {
        reads = reads || w.kind != 2;
        writes = writes || w.kind != 3;
    }
    auto update = [this](size_t& hook, bool wanted, int type) {
        if (wanted == (hook != 0)) return;
        if (!wanted) {
            uc_hook_del(uc_, hook);
            hook = 0;
            return;
        }
        uc_hook h = 0;
        if (uc_hook_add(uc_, &h, type, reinterpret_cast<void*>(watch_hook), this, 1, 0) == UC_ERR_OK) hook = h;
    };
    update(watch_read_hook_, reads, UC_HOOK_MEM_READ);
    update(watch_write_hook_, writes, UC_HOOK_MEM_WRITE);
}

void arm64_cpu::update_debug_hooks() {
    // The hook on every instruction exists only while stepping or watching.
    const bool wanted = debugger_ && (stepping_ || !watchpoints_.empty());
    if (wanted == (every_insn_hook_ != 0)) return;
    if (wanted) {
        uc_hook h = 0;
        if (uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(debug_code_hook), this, 1, 0) == UC_ERR_OK)
            every_insn_hook_ = h;
    } else {
        uc_hook_del(uc_, every_insn_hook_);
        every_insn_hook_ = 0;
    }
    uc_ctl_flush_tb(uc_);
}

void arm64_cpu::service_halt() {
    // On the simulation's thread, between two runs of the engine: nothing else runs meanwhile.
    const stop_event stop = pending_stop_;
    halt_pending_ = false;
    budget_end_ = saved_budget_end_;
    const resume_mode mode = debugger_ ? debugger_->halted(*this, stop) : resume_mode::run;
    stepping_ = debugger_ && mode == resume_mode::step;
    steps_seen_ = 0;
    resume_pc_ = pc();
    resume_icount_ = icount_;
    update_debug_hooks();
}

bool arm64_cpu::read_register(unsigned regno, std::vector<uint8_t>& bytes) const {
    register_slot s{};
    if (!slot_of(regno, s)) return false;
    uint8_t buffer[16] = {};
    if (s.bytes == 4) {
        uint32_t v = 0;
        uc_reg_read(uc_, s.id, &v);
        std::memcpy(buffer, &v, 4);
    } else if (s.bytes == 8) {
        uint64_t v = 0;
        uc_reg_read(uc_, s.id, &v);
        std::memcpy(buffer, &v, 8);
    } else {
        uc_reg_read(uc_, s.id, buffer);
    }
    bytes.assign(buffer, buffer + s.bytes);
    return true;
}

bool arm64_cpu::write_register(unsigned regno, const std::vector<uint8_t>& bytes) {
    register_slot s{};
    if (!slot_of(regno, s) || bytes.size() != s.bytes) return false;
    uint8_t buffer[16] = {};
    std::memcpy(buffer, bytes.data(), s.bytes);
    if (s.bytes == 4) {
        uint32_t v = 0;
        std::memcpy(&v, buffer, 4);
        return uc_reg_write(uc_, s.id, &v) == UC_ERR_OK;
    }
    if (s.bytes == 8) {
        uint64_t v = 0;
        std::memcpy(&v, buffer, 8);
        return uc_reg_write(uc_, s.id, &v) == UC_ERR_OK;
    }
    return uc_reg_write(uc_, s.id, buffer) == UC_ERR_OK;
}

// Page by page through the core's translation: RAM and ROM directly, a device through its debug
// transport (its registers' values, without the side effects of an access).
size_t arm64_cpu::debug_access(uint64_t va, uint8_t* data, size_t len, bool write) {
    size_t done = 0;
    while (done < len) {
        const uint64_t at = va + done;
        const size_t chunk = std::min<uint64_t>(len - done, page - (at % page));
        uint64_t pa = 0;
        if (!unicorn_internals::translate(uc_, at, pa)) break;
        if (is_memory(pa, chunk)) {
            const uc_err err = write ? uc_mem_write(uc_, pa, data + done, chunk) : uc_mem_read(uc_, pa, data + done, chunk);
            if (err != UC_ERR_OK) break;
        } else {
            tlm::tlm_generic_payload p;
            p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            p.set_address(pa);
            p.set_data_ptr(data + done);
            p.set_data_length(static_cast<unsigned>(chunk));
            p.set_streaming_width(static_cast<unsigned>(chunk));
            if (socket->transport_dbg(p) != chunk) break;
        }
        done += chunk;
    }
    return done;
}

size_t arm64_cpu::debug_read(uint64_t va, uint8_t* dst, size_t len) { return debug_access(va, dst, len, false); }

size_t arm64_cpu::debug_write(uint64_t va, const uint8_t* src, size_t len) {
    const size_t done = debug_access(va, const_cast<uint8_t*>(src), len, true);
    // The bytes may be code: translate those pages again.
    for (uint64_t at = va & ~(page - 1); at < va + done; at += page) uc_ctl_remove_cache(uc_, at, at + page);
    return done;
}

} // namespace socsim::cpu
