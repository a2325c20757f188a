#pragma once
// The virtual address an A64 load or store accesses, from its encoding and the registers before
// it executes. The CPU model needs it for one thing: FAR_ELx of a synchronous external abort
// raised from the bus, where the bus knows only the physical address (with the MMU on, a device
// mapped at another virtual address must still be reported by the address the software used).
//
// Covered (Arm ARM C4.1.66 "Loads and Stores"): LDR/STR and their byte, halfword, signed, FP/SIMD
// forms with an unsigned offset, unscaled (LDUR), pre- and post-index, unprivileged and register
// offset (extended or shifted index); LDP/STP (signed offset, pre, post, no-allocate); load/store
// exclusive and acquire/release (base register only); LDR literal (PC-relative); the SIMD
// structure loads and stores (LD1..ST4, base register). Base register 31 is SP. Anything else is
// not a load or store this function knows: nullopt (the caller falls back to the physical
// address).

#include <cstdint>
#include <functional>
#include <optional>

namespace socsim::cpu {

// `x(n)` reads Xn (0..30); `sp` is the stack pointer in use.
std::optional<uint64_t> load_store_address(uint32_t insn, uint64_t pc, const std::function<uint64_t(unsigned)>& x,
                                           uint64_t sp);

} // namespace socsim::cpu
