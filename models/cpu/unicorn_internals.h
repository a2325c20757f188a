#pragma once
// The few things the CPU model needs that Unicorn's public API does not offer, done through
// functions and structure offsets of the one library build socsim is made for: Debian trixie's
// Unicorn 2.1.1 (libunicorn2t64 2.1.1-2+b2). Unicorn is QEMU underneath and the library exports
// QEMU's whole symbol table; these calls are undocumented and change between versions, so they
// live in this file only, the build refuses any other Unicorn version (CMakeLists.txt), and
// check() looks each symbol up and runs a self-test once per process before a core uses them.
//
// What they give the model:
// - architectural exception entry (ESR, FAR, ELR, SPSR, PSTATE, SP banking, the vector, QEMU's
//   cached translation flags) for the exceptions Unicorn hands to its interrupt hook instead of
//   taking them: QEMU's arm_cpu_do_interrupt_aarch64;
// - the IRQ and FIQ input lines: QEMU's cpu_interrupt_handler / cpu_reset_interrupt, which QEMU's
//   own loop then masks with PSTATE.I/F and takes at the next block boundary;
// - the exact guest PC inside an MMIO callback (QEMU keeps the host return address of the
//   access in CPUState::mem_io_pc; cpu_restore_state maps it back to the guest instruction);
// - a precise synchronous external abort for a device's error response or an access to
//   nothing, raised from inside the MMIO callback the way QEMU's own memory path does it
//   (arm_cpu_do_transaction_failed: restores the state of the faulting instruction, sets
//   ESR/FAR and leaves the translated block);
// - re-running an MMIO instruction as a block of its own, so that the debugger can stop right
//   after it (QEMU's cpu_io_recompile);
// - abandoning an instruction from a memory hook, before its access (QEMU's cpu_loop_exit), so
//   that a watchpoint stops the core before the accessing instruction, as GDB expects;
// - a debug translation of a virtual address with the guest's current translation regime
//   (arm_cpu_get_phys_page_attrs_debug: the walk QEMU's gdbstub uses, no side effects).
//
// Offsets, read off the library's own code: the CPUState pointer sits at 0x1a0 in 2.1.1's
// uc_struct (uc_emu_stop loads it from there before calling cpu_exit); mem_io_pc at 0x8178 in
// CPUState (found by restoring a known MMIO load: the self-test checks it every start).

#include <cstdint>
#include <string>

struct uc_struct;

namespace socsim::cpu::unicorn_internals {

// Looks up every symbol and runs the self-test (an SVC taken to a vector with the right ESR, an
// IRQ taken when unmasked, the exact PC of an MMIO load, that load run again alone, a store
// abandoned from its memory hook). Throws core::config_error naming what is missing or wrong.
// Cheap after the first call.
void check();

// Makes EL1 AArch64 and non-secure (SCR_EL3 and HCR_EL2, which Unicorn leaves at their reset
// values); call before the first instruction. Public API, but needed by everything below.
void prepare_el1(uc_struct* uc);

enum class line { irq, fiq };

// Inside Unicorn's interrupt hook: take the pending exception (the one QEMU raised) at the
// guest's vectors, as the hardware would.
void take_exception(uc_struct* uc);

// Drives the core's IRQ or FIQ input; QEMU takes the interrupt when PSTATE allows, but only
// looks at the line when the chain of translated blocks is left: call kick() from a block hook
// (or an MMIO callback) after raising it. A kick made while the engine is not running is lost
// (uc_emu_start clears it), so the CPU model kicks from its block hook.
void set_line(uc_struct* uc, line which, bool level);
void kick(uc_struct* uc);

// Inside an MMIO callback: the guest PC of the instruction making the access.
uint64_t exact_pc(uc_struct* uc);

// Inside an MMIO callback, as the last thing it does: the access failed on the bus (a device's
// error response, or nothing at the address). Takes a synchronous external abort at the
// instruction making it (data abort, ESR.EA from `decode_error`, FAR = `virtual_address`), and
// never returns: it leaves the callback by QEMU's longjmp. The callback's frame must therefore
// hold nothing with a destructor.
[[noreturn]] void raise_external_abort(uc_struct* uc, uint64_t physical_address, uint64_t virtual_address,
                                       unsigned size, bool write, bool decode_error);

// Inside an MMIO callback, before the access has had any effect: abandons the access and runs
// its instruction again as a translated block of its own (QEMU's cpu_io_recompile: the state is
// restored to that instruction, whose predecessors in the block have run, and the next block
// holds it alone). A stop requested during the access then takes effect right after it instead
// of at the end of the original block. Leaves the callback by longjmp, as raise_external_abort.
[[noreturn]] void run_access_alone(uc_struct* uc);

// Inside a memory hook (UC_HOOK_MEM_READ / WRITE: Unicorn calls them before the access), after
// uc_emu_stop, while a code hook on every instruction exists (its call sets the PC to the
// instruction's address; without one the PC is stale): abandons the instruction making the
// access, and the engine stops with the PC at it. Its registers are as before it (QEMU writes an
// instruction's registers after its accesses, so that a fault at any access can restart it); an
// earlier access of the same instruction (the first half of a pair) may have been made, and is
// made again with the same data when it runs. Leaves the hook by longjmp, as
// raise_external_abort.
[[noreturn]] void abandon_instruction(uc_struct* uc);

// The physical address of `virtual_address` under the guest's current translation regime
// (MMU off: the same address); false if it does not translate.
bool translate(uc_struct* uc, uint64_t virtual_address, uint64_t& physical_address);

// "Unicorn 2.1.1", the library actually loaded.
std::string loaded_version();

} // namespace socsim::cpu::unicorn_internals
