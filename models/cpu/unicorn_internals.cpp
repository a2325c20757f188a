#include "models/cpu/unicorn_internals.h"

#include <dlfcn.h>
#include <unicorn/unicorn.h>

#include <cstring>
#include <mutex>

#include "models/core/config_error.h"

namespace socsim::cpu::unicorn_internals {
namespace {

// Where 2.1.1 keeps things (see the header).
constexpr size_t uc_cpu_state_offset = 0x1a0;
constexpr size_t cpu_mem_io_pc_offset = 0x8178;

// QEMU's constants of this build (include/exec/cpu-all.h, target/arm/cpu.h).
constexpr int interrupt_hard = 0x0002;                 // CPU_INTERRUPT_HARD: IRQ
constexpr int interrupt_fiq = 0x0010;                  // CPU_INTERRUPT_TGT_EXT_1: FIQ
constexpr int mmu_data_load = 0, mmu_data_store = 1;   // MMUAccessType
constexpr int mmu_index_el0 = 0, mmu_index_el1 = 2;    // core MMU indexes E10_0, E10_1
constexpr int memtx_error = 1, memtx_decode_error = 2; // MemTxResult

// QEMU's MemTxAttrs is a 32-bit bit-field structure passed by value; all zero is a plain
// non-secure privileged access.
struct mem_tx_attrs {
    uint32_t bits;
};

using do_interrupt_fn = void (*)(void* cs);
using interrupt_handler_fn = void (*)(void* cs, int mask);
using reset_interrupt_fn = void (*)(void* cs, int mask);
using exit_fn = void (*)(void* cs);
using restore_state_fn = bool (*)(void* cs, uintptr_t host_pc, bool will_exit);
using transaction_failed_fn = void (*)(void* cs, uint64_t physaddr, uint64_t addr, unsigned size, int access_type,
                                       int mmu_idx, mem_tx_attrs attrs, int response, uintptr_t retaddr);
using io_recompile_fn = void (*)(void* cs, uintptr_t retaddr);
using loop_exit_fn = void (*)(void* cs);
using phys_page_debug_fn = uint64_t (*)(void* cs, uint64_t addr, mem_tx_attrs* attrs);

struct symbols {
    do_interrupt_fn do_interrupt = nullptr;
    interrupt_handler_fn* interrupt_handler = nullptr;  // a variable holding the function
    reset_interrupt_fn reset_interrupt = nullptr;
    exit_fn exit = nullptr;
    restore_state_fn restore_state = nullptr;
    transaction_failed_fn transaction_failed = nullptr;
    phys_page_debug_fn phys_page_debug = nullptr;
    io_recompile_fn io_recompile = nullptr;
    loop_exit_fn loop_exit = nullptr;
};

symbols sym;

void* cpu_state(uc_engine* uc) {
    void* cs = nullptr;
    std::memcpy(&cs, reinterpret_cast<char*>(uc) + uc_cpu_state_offset, sizeof cs);
    return cs;
}

template <typename T>
void find(T& out, const char* name, std::string& missing) {
    void* p = dlsym(RTLD_DEFAULT, name);
    if (!p) missing += std::string(missing.empty() ? "" : ", ") + name;
    out = reinterpret_cast<T>(p);
}

int current_el(uc_engine* uc) {
    uint32_t pstate = 0;  // 32 bits wide in Unicorn
    uc_reg_read(uc, UC_ARM64_REG_PSTATE, &pstate);
    return static_cast<int>((pstate >> 2) & 3);
}

// ---- the self-test -------------------------------------------------------------------------

struct self_test_state {
    uint64_t mmio_pc = 0;
    uint64_t stop_at = 0;
    bool kick = false;
    bool isolate = false;     // the next MMIO read asks to be run alone, once
    unsigned mmio_reads = 0;
    bool block_at_access = false;  // a block started at the MMIO load
    bool abandon = false;          // the next watched store is abandoned, once
};

uint64_t self_test_mmio_read(uc_engine* uc, uint64_t offset, unsigned size, void* user) {
    auto* st = static_cast<self_test_state*>(user);
    ++st->mmio_reads;
    if (st->isolate) {
        st->isolate = false;
        run_access_alone(uc);
    }
    st->mmio_pc = exact_pc(uc);
    if (offset >= 0x800) raise_external_abort(uc, 0x20000 + offset, 0x20000 + offset, size, false, true);
    return 0x1234;
}

void self_test_intr(uc_engine* uc, uint32_t, void*) { take_exception(uc); }
void self_test_code(uc_engine*, uint64_t, uint32_t, void*) {}
void self_test_write(uc_engine* uc, uc_mem_type, uint64_t, int, int64_t, void* user) {
    auto* st = static_cast<self_test_state*>(user);
    if (!st->abandon) return;
    st->abandon = false;
    uc_emu_stop(uc);
    abandon_instruction(uc);
}
void self_test_block(uc_engine* uc, uint64_t address, uint32_t, void* user) {
    auto* st = static_cast<self_test_state*>(user);
    if (address == 0xc) st->block_at_access = true;
    if (address == st->stop_at) uc_emu_stop(uc);  // exact: the block does not run
    if (st->kick) kick(uc);
}

std::string run_self_test() {
    uc_engine* uc = nullptr;
    if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK) return "cannot open an engine";
    struct closer {
        uc_engine* uc;
        ~closer() { uc_close(uc); }
    } close{uc};
    self_test_state st;
    uc_hook h;
    uc_mem_map(uc, 0, 0x10000, UC_PROT_ALL);
    uc_mmio_map(uc, 0x20000, 0x1000, self_test_mmio_read, &st, nullptr, nullptr);
    uc_hook_add(uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(self_test_intr), nullptr, 1, 0);
    uc_hook_add(uc, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(self_test_block), &st, 1, 0);
    prepare_el1(uc);
    const uint32_t svc_0x42 = 0xd4000841, nop = 0xd503201f, ldr_w0_x1 = 0xb9400020, branch_self = 0x14000000;
    const uint32_t code[] = {svc_0x42, nop, nop, ldr_w0_x1, branch_self};
    uc_mem_write(uc, 0, code, sizeof code);
    const uint32_t vector_code[] = {nop, branch_self};
    for (uint64_t v : {0xa00, 0xa80}) uc_mem_write(uc, v, vector_code, sizeof vector_code);
    uint64_t vbar = 0x800, x1 = 0x20000;
    uc_reg_write(uc, UC_ARM64_REG_VBAR_EL1, &vbar);
    uc_reg_write(uc, UC_ARM64_REG_X1, &x1);
    // Runs from `from` until a block starts at `to` (Unicorn's own exits do not mix with a
    // pending interrupt in 2.1.1: the run never ends).
    auto run_to = [&](uint64_t from, uint64_t to) {
        st.stop_at = to;
        return uc_emu_start(uc, from, 0xfff0, 0, 0);
    };

    // 1. SVC #0x42 at EL1 enters the current-EL synchronous vector with ESR = SVC64, imm 0x42.
    if (run_to(0, 0xa00) != UC_ERR_OK) return "SVC: the run failed";
    uint64_t esr = 0, elr = 0, pc = 0;
    uc_reg_read(uc, UC_ARM64_REG_ESR_EL1, &esr);
    uc_reg_read(uc, UC_ARM64_REG_ELR_EL1, &elr);
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    if (pc != 0xa00 || esr != 0x56000042 || elr != 4) return "SVC: not taken to the vector with ESR 0x56000042";

    // 2. The exact PC of an MMIO load in the middle of a block.
    if (run_to(4, 0x10) != UC_ERR_OK) return "MMIO: the run failed";
    uint64_t x0 = 0;
    uc_reg_read(uc, UC_ARM64_REG_X0, &x0);
    if (st.mmio_pc != 0xc || x0 != 0x1234) return "MMIO: the access's PC was not recovered";

    // 2b. The same load run again as a block of its own: the access is made once, the
    // instructions before it in the block are not run again.
    uint64_t x2 = 0;
    uc_reg_write(uc, UC_ARM64_REG_X0, &x2);
    st.isolate = true;
    st.mmio_reads = 0;
    st.block_at_access = false;
    if (run_to(4, 0x10) != UC_ERR_OK) return "isolated MMIO: the run failed";
    uc_reg_read(uc, UC_ARM64_REG_X0, &x0);
    if (st.mmio_reads != 2 || !st.block_at_access || st.mmio_pc != 0xc || x0 != 0x1234)
        return "isolated MMIO: the load was not run again alone";

    // 3. A bus error on that load is a synchronous external abort at it (EC 0x25, FAR).
    x1 = 0x20800;
    uc_reg_write(uc, UC_ARM64_REG_X1, &x1);
    if (run_to(4, 0xa00) != UC_ERR_OK) return "abort: the run failed";
    uint64_t far = 0;
    uc_reg_read(uc, UC_ARM64_REG_ESR_EL1, &esr);
    uc_reg_read(uc, UC_ARM64_REG_ELR_EL1, &elr);
    uc_reg_read(uc, UC_ARM64_REG_FAR_EL1, &far);
    if ((esr >> 26) != 0x25 || elr != 0xc || far != 0x20800) return "abort: not taken precisely with EC 0x25 and FAR";

    // 4. A raised IRQ line is taken at the IRQ vector once PSTATE.I is clear.
    uint32_t pstate = 0x5;  // EL1h, DAIF clear
    uc_reg_write(uc, UC_ARM64_REG_PSTATE, &pstate);
    set_line(uc, line::irq, true);
    st.kick = true;
    if (run_to(0x10, 0xa80) != UC_ERR_OK) return "IRQ: the run failed";
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    set_line(uc, line::irq, false);
    if (pc != 0xa80) return "IRQ: not taken at VBAR + 0x280";

    // 5. A store abandoned from its memory hook (a code hook on every instruction exists): the
    // instruction before it ran, the store did not, the PC is at it; run again, it stores.
    st.kick = false;
    const uint32_t movz_x3_0x77 = 0xd2800ee3, str_x3_x4 = 0xf9000083;
    const uint32_t store_code[] = {movz_x3_0x77, str_x3_x4, branch_self};
    uc_mem_write(uc, 0x100, store_code, sizeof store_code);
    uint64_t x4 = 0x2000, x3 = 0, stored = 0;
    uc_reg_write(uc, UC_ARM64_REG_X4, &x4);
    uc_hook_add(uc, &h, UC_HOOK_CODE, reinterpret_cast<void*>(self_test_code), nullptr, 1, 0);
    uc_hook_add(uc, &h, UC_HOOK_MEM_WRITE, reinterpret_cast<void*>(self_test_write), &st, 0x2000, 0x2007);
    st.abandon = true;
    if (run_to(0x100, 0x108) != UC_ERR_OK) return "abandoned store: the run failed";
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    uc_reg_read(uc, UC_ARM64_REG_X3, &x3);
    uc_mem_read(uc, 0x2000, &stored, sizeof stored);
    if (pc != 0x104 || x3 != 0x77 || stored != 0) return "abandoned store: not stopped before the store";
    if (run_to(0x104, 0x108) != UC_ERR_OK) return "abandoned store: the run again failed";
    uc_mem_read(uc, 0x2000, &stored, sizeof stored);
    if (stored != 0x77) return "abandoned store: not made when run again";
    return "";
}

} // namespace

void prepare_el1(uc_struct* uc) {
    // Unicorn leaves EL3 and EL2 in their reset state: SCR_EL3.RW = 0 and HCR_EL2.RW = 0, so
    // QEMU treats EL1 as AArch32 for translation and exception entry. Make EL1 AArch64 and
    // non-secure: SCR_EL3 = RW | NS (HCE = 0: HVC is undefined, as with no EL2), HCR_EL2 = RW.
    uc_arm64_cp_reg scr{1, 1, 3, 6, 0, 0x401};  // crn 1, crm 1, op0 3, op1 6, op2 0
    uc_arm64_cp_reg hcr{1, 1, 3, 4, 0, 1ull << 31};
    uc_reg_write(uc, UC_ARM64_REG_CP_REG, &scr);
    uc_reg_write(uc, UC_ARM64_REG_CP_REG, &hcr);
}

void check() {
    static std::once_flag once;
    static std::string error;
    std::call_once(once, [] {
        unsigned major = 0, minor = 0;
        uc_version(&major, &minor);
        if (major != 2 || minor != 1 || ((uc_version(nullptr, nullptr) >> 8) & 0xff) != 1) {
            error = "the Unicorn library loaded is " + loaded_version() + "; socsim is built for 2.1.1";
            return;
        }
        std::string missing;
        find(sym.do_interrupt, "arm_cpu_do_interrupt_aarch64", missing);
        find(sym.interrupt_handler, "cpu_interrupt_handler", missing);
        find(sym.reset_interrupt, "cpu_reset_interrupt", missing);
        find(sym.exit, "cpu_exit", missing);
        find(sym.restore_state, "cpu_restore_state_aarch64", missing);
        find(sym.transaction_failed, "arm_cpu_do_transaction_failed_aarch64", missing);
        find(sym.phys_page_debug, "arm_cpu_get_phys_page_attrs_debug_aarch64", missing);
        find(sym.io_recompile, "cpu_io_recompile_aarch64", missing);
        find(sym.loop_exit, "cpu_loop_exit_aarch64", missing);
        if (!missing.empty()) {
            error = "the Unicorn library lacks " + missing;
            return;
        }
        const std::string failed = run_self_test();
        if (!failed.empty()) error = "Unicorn self-test failed (" + failed + ")";
    });
    if (!error.empty())
        throw core::config_error("cpu: " + error +
                                 ": exceptions and interrupts cannot be delivered; run scripts/bootstrap to get "
                                 "Debian trixie's Unicorn 2.1.1");
}

void take_exception(uc_struct* uc) { sym.do_interrupt(cpu_state(uc)); }

void set_line(uc_struct* uc, line which, bool level) {
    void* cs = cpu_state(uc);
    const int mask = which == line::irq ? interrupt_hard : interrupt_fiq;
    if (level) {
        (*sym.interrupt_handler)(cs, mask);
    } else {
        sym.reset_interrupt(cs, mask);
    }
}

void kick(uc_struct* uc) { sym.exit(cpu_state(uc)); }

uint64_t exact_pc(uc_struct* uc) {
    void* cs = cpu_state(uc);
    uintptr_t host_pc = 0;
    std::memcpy(&host_pc, static_cast<char*>(cs) + cpu_mem_io_pc_offset, sizeof host_pc);
    sym.restore_state(cs, host_pc, false);
    uint64_t pc = 0;
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    return pc;
}

void raise_external_abort(uc_struct* uc, uint64_t physical_address, uint64_t virtual_address, unsigned size,
                          bool write, bool decode_error) {
    void* cs = cpu_state(uc);
    uintptr_t host_pc = 0;
    std::memcpy(&host_pc, static_cast<char*>(cs) + cpu_mem_io_pc_offset, sizeof host_pc);
    const int mmu_idx = current_el(uc) == 0 ? mmu_index_el0 : mmu_index_el1;
    sym.transaction_failed(cs, physical_address, virtual_address, size, write ? mmu_data_store : mmu_data_load,
                           mmu_idx, mem_tx_attrs{0}, decode_error ? memtx_decode_error : memtx_error, host_pc);
    __builtin_unreachable();  // QEMU left through cpu_loop_exit
}

void run_access_alone(uc_struct* uc) {
    void* cs = cpu_state(uc);
    uintptr_t host_pc = 0;
    std::memcpy(&host_pc, static_cast<char*>(cs) + cpu_mem_io_pc_offset, sizeof host_pc);
    sym.io_recompile(cs, host_pc);
    __builtin_unreachable();  // QEMU left through cpu_loop_exit_noexc
}

void abandon_instruction(uc_struct* uc) {
    sym.loop_exit(cpu_state(uc));
    __builtin_unreachable();  // QEMU left through siglongjmp
}

bool translate(uc_struct* uc, uint64_t virtual_address, uint64_t& physical_address) {
    mem_tx_attrs attrs{0};
    const uint64_t page = sym.phys_page_debug(cpu_state(uc), virtual_address & ~0xfffull, &attrs);
    if (page == ~0ull) return false;
    physical_address = page | (virtual_address & 0xfff);
    return true;
}

std::string loaded_version() {
    unsigned major = 0, minor = 0;
    const unsigned combined = uc_version(&major, &minor);
    // uc_version's result carries the patch level of the library in bits [15:8] (2.1.x).
    return "Unicorn " + std::to_string(major) + "." + std::to_string(minor) + "." +
           std::to_string((combined >> 8) & 0xff);
}

} // namespace socsim::cpu::unicorn_internals
