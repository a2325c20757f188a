#include "models/cpu/load_store_address.h"

namespace socsim::cpu {
namespace {

uint64_t bits(uint32_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((1ull << (hi - lo + 1)) - 1); }
int64_t sign_extend(uint64_t v, unsigned width) {
    const uint64_t m = 1ull << (width - 1);
    return static_cast<int64_t>((v ^ m) - m);
}

// An index register extended as the option field says (UXTW, LSL/UXTX, SXTW, SXTX), then shifted.
uint64_t extend(uint64_t value, unsigned option, unsigned shift) {
    switch (option) {
    case 2: value &= 0xffffffffull; break;                                         // UXTW
    case 6: value = static_cast<uint64_t>(sign_extend(value & 0xffffffffull, 32)); break;  // SXTW
    default: break;                                                                // LSL (3), SXTX (7)
    }
    return value << shift;
}

} // namespace

std::optional<uint64_t> load_store_address(uint32_t insn, uint64_t pc, const std::function<uint64_t(unsigned)>& x,
                                           uint64_t sp) {
    // Loads and stores: op0 (bits 28:25) = x1x0.
    if ((insn & 0x0a000000) != 0x08000000) return std::nullopt;
    const unsigned rn = static_cast<unsigned>(bits(insn, 9, 5));
    auto base = [&]() { return rn == 31 ? sp : x(rn); };
    const unsigned op0 = static_cast<unsigned>(bits(insn, 31, 28)), op1 = static_cast<unsigned>(bits(insn, 26, 26)),
                   op2 = static_cast<unsigned>(bits(insn, 24, 23)), op3 = static_cast<unsigned>(bits(insn, 21, 16)),
                   op4 = static_cast<unsigned>(bits(insn, 11, 10));
    (void)op3;
    const unsigned bits29_27 = static_cast<unsigned>(bits(insn, 29, 27));

    // SIMD structure loads/stores (LD1..ST4): 0x00110 with op1 = 1, bits 29:27 = 001.
    if ((op0 & 0xb) == 0 && bits29_27 == 1 && op1 == 1) return base();
    // Load/store exclusive, ordered (LDAR/STLR): bits 29:24 = 001000.
    if (bits(insn, 29, 24) == 0x08) return base();
    // LDR (literal): bits 29:27 = 011, bits 25:24 = 00.
    if (bits29_27 == 3 && bits(insn, 25, 24) == 0) return pc + static_cast<uint64_t>(sign_extend(bits(insn, 23, 5), 19) * 4);
    // Load/store pair: bits 29:27 = 101.
    if (bits29_27 == 5) {
        const unsigned opc = static_cast<unsigned>(bits(insn, 31, 30));
        const unsigned scale = op1 ? 2 + opc : 2 + (opc >> 1);  // SIMD: 4/8/16 bytes; else 4 or 8
        const int64_t offset = sign_extend(bits(insn, 21, 15), 7) * (int64_t{1} << scale);
        return op2 == 1 ? base() : base() + static_cast<uint64_t>(offset);  // post-index uses the base
    }
    // Load/store register: bits 29:27 = 111.
    if (bits29_27 != 7) return std::nullopt;
    const unsigned size = static_cast<unsigned>(bits(insn, 31, 30));
    const unsigned opc = static_cast<unsigned>(bits(insn, 23, 22));
    const unsigned scale = (op1 && size == 0 && (opc & 2)) ? 4 : size;  // 128-bit SIMD
    if (op2 >= 2)  // unsigned immediate offset (bit 24 set)
        return base() + (bits(insn, 21, 10) << scale);
    if (bits(insn, 21, 21) == 0) {
        const int64_t imm9 = sign_extend(bits(insn, 20, 12), 9);
        return op4 == 1 ? base() : base() + static_cast<uint64_t>(imm9);  // post-index uses the base
    }
    if (op4 == 2) {  // register offset
        const unsigned option = static_cast<unsigned>(bits(insn, 15, 13));
        const unsigned shift = bits(insn, 12, 12) ? scale : 0;
        return base() + extend(x(static_cast<unsigned>(bits(insn, 20, 16))), option, shift);
    }
    return std::nullopt;  // atomic memory operations (not in ARMv8.0) and the rest
}

} // namespace socsim::cpu
