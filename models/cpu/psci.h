#pragma once
// The Arm Power State Coordination Interface (PSCI 1.1, Arm DEN 0022) as firmware running at
// EL1 sees it: the platform's EL2/EL3 firmware answers HVC or SMC calls whose function id is in
// x0 and arguments in x1..x3; the result comes back in x0. socsim has no EL2/EL3 firmware, so
// the CPU model answers here, for one core (MPIDR 0), the way QEMU's built-in PSCI does.
//
// Which instruction is the conduit is the Device Tree's choice (`/psci` node, `method` = "hvc"
// or "smc"); the CPU model checks that before calling here. Function ids (SMC32 / SMC64):
//   PSCI_VERSION       0x84000000          -> 0x00010001 (1.1, what QEMU 7.2's virt answers; its
//                                             DT, and ours, say "arm,psci-1.0": 1.1 is compatible)
//   CPU_SUSPEND        0x84000001/c4000001 -> SUCCESS: treated as a standby state that wakes at
//                                             once (the architecture allows any wake-up event)
//   CPU_OFF            0x84000002          -> the run stops: the only core is off for good
//   CPU_ON             0x84000003/c4000003 -> ALREADY_ON for MPIDR 0, INVALID_PARAMETERS for any
//                                             other core (none is simulated)
//   AFFINITY_INFO      0x84000004/c4000004 -> ON (0) for MPIDR 0 at level 0, else INVALID_PARAMETERS
//   MIGRATE_INFO_TYPE  0x84000006          -> 2 (no Trusted OS, no migration needed)
//   SYSTEM_OFF         0x84000008          -> the run ends with status 0
//   SYSTEM_RESET       0x84000009          -> the run ends (status 123) or restarts (see cpu)
//   PSCI_FEATURES      0x8400000a          -> 0 for every function above, NOT_SUPPORTED else
// Every other id (MIGRATE, SYSTEM_RESET2, SYSTEM_SUSPEND, vendor ranges...) -> NOT_SUPPORTED.
// SMC32 calls use only the low 32 bits of their arguments, as the calling convention says.

#include <cstdint>
#include <string>

namespace socsim::cpu {

class psci {
public:
    // Return codes (x0), as signed 32-bit values sign-extended to 64 bits.
    static constexpr int32_t success = 0;
    static constexpr int32_t not_supported = -1;
    static constexpr int32_t invalid_parameters = -2;
    static constexpr int32_t denied = -3;
    static constexpr int32_t already_on = -4;
    static constexpr uint32_t version_1_1 = 0x00010001;

    // Function ids (SMC32 form; the SMC64 form sets bit 30).
    static constexpr uint32_t fn_version = 0x84000000;
    static constexpr uint32_t fn_cpu_suspend = 0x84000001;
    static constexpr uint32_t fn_cpu_off = 0x84000002;
    static constexpr uint32_t fn_cpu_on = 0x84000003;
    static constexpr uint32_t fn_affinity_info = 0x84000004;
    static constexpr uint32_t fn_migrate_info_type = 0x84000006;
    static constexpr uint32_t fn_system_off = 0x84000008;
    static constexpr uint32_t fn_system_reset = 0x84000009;
    static constexpr uint32_t fn_features = 0x8400000a;
    static constexpr uint32_t smc64 = 0x40000000;

    // What the platform must do after the call returns its value.
    enum class action { none, cpu_off, system_off, system_reset };

    struct result {
        uint64_t x0 = 0;
        action then = action::none;
        std::string what;  // the function's name, for logs
    };

    // `own_mpidr`: the affinity of the calling (and only) core.
    explicit psci(uint64_t own_mpidr = 0) : own_mpidr_(own_mpidr) {}

    result call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) const;

    // The name of a function id, "unknown" if it is not a PSCI function.
    static std::string function_name(uint32_t id);

private:
    static uint64_t code(int32_t c) { return static_cast<uint64_t>(static_cast<int64_t>(c)); }
    bool implemented(uint32_t id) const;

    uint64_t own_mpidr_;
};

} // namespace socsim::cpu
