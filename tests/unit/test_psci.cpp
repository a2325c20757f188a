// PSCI: function decoding and results for the one simulated core (no SystemC needed).
#include <catch2/catch.hpp>

#include "models/cpu/psci.h"

using socsim::cpu::psci;

namespace {
int64_t ret(const psci::result& r) { return static_cast<int64_t>(r.x0); }
} // namespace

TEST_CASE("PSCI_VERSION answers 1.1, as QEMU's virt does") {
    psci p;
    auto r = p.call(0x84000000, 0, 0, 0);
    CHECK(r.x0 == 0x00010001);
    CHECK(r.then == psci::action::none);
    CHECK(r.what == "PSCI_VERSION");
}

TEST_CASE("PSCI function ids are W0: the upper half of x0 is ignored") {
    psci p;
    CHECK(p.call(0xffffffff84000000ull, 0, 0, 0).x0 == 0x00010001);
}

TEST_CASE("PSCI_FEATURES: 0 for implemented functions in their conventions, NOT_SUPPORTED else") {
    psci p;
    for (uint32_t id : {0x84000000u, 0x84000001u, 0xc4000001u, 0x84000002u, 0x84000003u, 0xc4000003u, 0x84000004u,
                        0xc4000004u, 0x84000006u, 0x84000008u, 0x84000009u, 0x8400000au})
        CHECK(ret(p.call(0x8400000a, id, 0, 0)) == 0);
    // SMC64 forms of functions without 64-bit arguments do not exist; nor do MIGRATE,
    // SYSTEM_SUSPEND, SYSTEM_RESET2 or vendor ids.
    for (uint32_t id : {0xc4000000u, 0xc4000002u, 0xc4000008u, 0x84000005u, 0x8400000eu, 0x84000012u, 0x8400ff00u,
                        0x12345678u})
        CHECK(ret(p.call(0x8400000a, id, 0, 0)) == psci::not_supported);
}

TEST_CASE("PSCI unknown functions return NOT_SUPPORTED and do nothing") {
    psci p;
    for (uint64_t id : {0x84000005ull, 0xc4000012ull, 0x8400ff00ull, 0x0ull, 0xc2000000ull}) {
        auto r = p.call(id, 0, 0, 0);
        CHECK(ret(r) == psci::not_supported);
        CHECK(r.then == psci::action::none);
    }
    CHECK(psci::function_name(0x84000012) == "SYSTEM_RESET2");
    CHECK(psci::function_name(0x8400ff00) == "unknown");
}

TEST_CASE("PSCI CPU_ON: ALREADY_ON for the caller, INVALID_PARAMETERS for absent cores") {
    psci p(0);
    CHECK(ret(p.call(0xc4000003, 0, 0x40000000, 0)) == psci::already_on);
    CHECK(ret(p.call(0xc4000003, 1, 0x40000000, 0)) == psci::invalid_parameters);
    CHECK(ret(p.call(0xc4000003, 0x100, 0x40000000, 0)) == psci::invalid_parameters);  // Aff1 = 1
    CHECK(ret(p.call(0xc4000003, 0x100000000ull, 0x40000000, 0)) == psci::invalid_parameters);  // Aff3
    // SMC32 CPU_ON sees only the low 32 bits of the target: 0x1_0000_0000 is core 0.
    CHECK(ret(p.call(0x84000003, 0x100000000ull, 0x40000000, 0)) == psci::already_on);
    // Non-affinity MPIDR bits (U, MT, RES1 bit 31) do not name another core.
    CHECK(ret(p.call(0xc4000003, 0x80000000ull, 0x40000000, 0)) == psci::already_on);
}

TEST_CASE("PSCI AFFINITY_INFO: ON for the caller at level 0, INVALID_PARAMETERS otherwise") {
    psci p(0);
    CHECK(ret(p.call(0xc4000004, 0, 0, 0)) == 0);
    CHECK(ret(p.call(0xc4000004, 1, 0, 0)) == psci::invalid_parameters);
    CHECK(ret(p.call(0xc4000004, 0, 1, 0)) == psci::invalid_parameters);
}

TEST_CASE("PSCI SYSTEM_OFF, SYSTEM_RESET and CPU_OFF ask the platform to act") {
    psci p;
    CHECK(p.call(0x84000008, 0, 0, 0).then == psci::action::system_off);
    CHECK(p.call(0x84000009, 0, 0, 0).then == psci::action::system_reset);
    CHECK(p.call(0x84000002, 0, 0, 0).then == psci::action::cpu_off);
    // Their SMC64 forms do not exist.
    CHECK(p.call(0xc4000008, 0, 0, 0).then == psci::action::none);
}

TEST_CASE("PSCI CPU_SUSPEND returns SUCCESS at once, MIGRATE_INFO_TYPE says no migration") {
    psci p;
    CHECK(ret(p.call(0xc4000001, 0, 0x40000000, 0)) == psci::success);
    CHECK(ret(p.call(0x84000006, 0, 0, 0)) == 2);
}

namespace {
// Two cores: the caller (MPIDR 0, on) and MPIDR 1 (off until started); memory at 0x40000000.
struct two_cores : socsim::cpu::psci::cores {
    bool on1 = false;
    uint64_t entry = 0, context = 0;
    int find(uint64_t mpidr) const override { return (mpidr & 0xff) <= 1 ? static_cast<int>(mpidr & 0xff) : -1; }
    bool is_on(int index) const override { return index == 0 || on1; }
    void power_on(int, uint64_t e, uint64_t c) override { on1 = true, entry = e, context = c; }
    bool valid_entry(uint64_t e) const override { return e >= 0x40000000 && e < 0x48000000; }
};
} // namespace

TEST_CASE("PSCI CPU_ON with several cores: SUCCESS starts the core, then ALREADY_ON, a bad entry is INVALID_ADDRESS") {
    using socsim::cpu::psci;
    two_cores cores;
    const psci p(0, &cores);
    CHECK(p.call(0xc4000004, 1, 0, 0).x0 == 1);  // AFFINITY_INFO: OFF
    CHECK(p.call(0xc4000003, 1, 0x1000, 7).x0 == static_cast<uint64_t>(int64_t{psci::invalid_address}));
    CHECK_FALSE(cores.on1);
    CHECK(p.call(0xc4000003, 1, 0x40100000, 7).x0 == 0);  // SUCCESS
    CHECK((cores.on1 && cores.entry == 0x40100000 && cores.context == 7));
    CHECK(p.call(0xc4000003, 1, 0x40100000, 7).x0 == static_cast<uint64_t>(int64_t{psci::already_on}));
    CHECK(p.call(0xc4000004, 1, 0, 0).x0 == 0);  // AFFINITY_INFO: ON
    CHECK(p.call(0xc4000003, 2, 0x40100000, 7).x0 == static_cast<uint64_t>(int64_t{psci::invalid_parameters}));
}
