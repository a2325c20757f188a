// The virtual address of an A64 load/store from its encoding (FAR of a bus abort with the MMU on).
// Encodings from aarch64-linux-gnu-as; registers: x1 = 0x1000, x2 = 0x20 (w2 = -2 as 32 bits for
// the SXTW case), sp = 0x8000, pc = 0x400000.
#include <catch2/catch.hpp>

#include "models/cpu/load_store_address.h"

using socsim::cpu::load_store_address;

namespace {

std::optional<uint64_t> address_of(uint32_t insn, uint64_t x2 = 0x20) {
    auto x = [x2](unsigned n) -> uint64_t { return n == 1 ? 0x1000 : n == 2 ? x2 : 0; };
    return load_store_address(insn, 0x400000, x, 0x8000);
}

} // namespace

TEST_CASE("load_store_address: immediate offsets are scaled by the access size") {
    CHECK(address_of(0xb9400020) == 0x1000u);       // ldr w0, [x1]
    CHECK(address_of(0xf9400820) == 0x1010u);       // ldr x0, [x1, #16]
    CHECK(address_of(0x39400c20) == 0x1003u);       // ldrb w0, [x1, #3]
    CHECK(address_of(0x3dc00820) == 0x1020u);       // ldr q0, [x1, #32]
    CHECK(address_of(0xb90007e2) == 0x8004u);       // str w2, [sp, #4]: base 31 is SP
}

TEST_CASE("load_store_address: unscaled, pre-index and post-index") {
    CHECK(address_of(0xf85f8020) == 0xff8u);   // ldur x0, [x1, #-8]
    CHECK(address_of(0xf8408c20) == 0x1008u);  // ldr x0, [x1, #8]!  (the updated base)
    CHECK(address_of(0xf8408420) == 0x1000u);  // ldr x0, [x1], #8   (the base before)
}

TEST_CASE("load_store_address: register offsets, shifted and sign-extended") {
    CHECK(address_of(0xf8627820) == 0x1100u);                           // ldr x0, [x1, x2, lsl #3]
    CHECK(address_of(0xb862c820, 0xfffffffeull) == 0xffeu);            // ldr w0, [x1, w2, sxtw]
    CHECK(address_of(0xb862c820, 0xffffffff00000004ull) == 0x1004u);   // only W2 counts
}

TEST_CASE("load_store_address: pairs, exclusives, acquire/release, literal and SIMD structures") {
    CHECK(address_of(0xa97f0440) == 0x10u);      // ldp x0, x1, [x2, #-16]
    CHECK(address_of(0xa8810440) == 0x20u);      // stp x0, x1, [x2], #16 (post-index)
    CHECK(address_of(0xc85f7c20) == 0x1000u);    // ldxr x0, [x1]
    CHECK(address_of(0x889ffc20) == 0x1000u);    // stlr w0, [x1]
    CHECK(address_of(0x58000080) == 0x400010u);  // ldr x0, .+16
    CHECK(address_of(0x4c407020) == 0x1000u);    // ld1 {v0.16b}, [x1]
}

TEST_CASE("load_store_address: anything else is not a load or store") {
    CHECK_FALSE(address_of(0x8b020020).has_value());  // add x0, x1, x2
    CHECK_FALSE(address_of(0xd503201f).has_value());  // nop
}
