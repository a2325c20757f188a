#pragma once
// The Arm Power State Coordination Interface (PSCI 1.1, Arm DEN 0022) as firmware running at
// EL1 sees it: the platform's EL2/EL3 firmware answers HVC or SMC calls whose function id is in
// x0 and arguments in x1..x3; the result comes back in x0. socsim has no EL2/EL3 firmware, so
// the CPU model answers here, the way QEMU's built-in PSCI does.
//
// Which instruction is the conduit is the Device Tree's choice (`/psci` node, `method` = "hvc"
// or "smc"); the CPU model checks that before calling here. Function ids (SMC32 / SMC64):
//   PSCI_VERSION       0x84000000          -> 0x00010001 (1.1, what QEMU 7.2's virt answers; its
//                                             DT, and ours, say "arm,psci-1.0": 1.1 is compatible)
//   CPU_SUSPEND        0x84000001/c4000001 -> SUCCESS: treated as a standby state that wakes at
//                                             once (the architecture allows any wake-up event)
//   CPU_OFF            0x84000002          -> the calling core powers off (the CPU model ends the
//                                             run instead if it is the last core on)
//   CPU_ON             0x84000003/c4000003 -> SUCCESS and the core starts at x2 with x0 = x3;
//                                             ALREADY_ON if it runs; INVALID_PARAMETERS for an
//                                             MPIDR no core has; INVALID_ADDRESS for an entry
//                                             point that is not memory
//   AFFINITY_INFO      0x84000004/c4000004 -> ON (0) or OFF (1) at level 0, else INVALID_PARAMETERS
// Which cores exist and whether they run is the `cores` interface's (the CPU cluster); without
// one, the caller is the only core.
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
    static constexpr int32_t invalid_address = -9;
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

    // The cores PSCI powers: found by MPIDR affinity, on or off, started at an entry point.
    class cores {
    public:
        virtual ~cores() = default;
        virtual int find(uint64_t mpidr) const = 0;  // index, or -1
        virtual bool is_on(int index) const = 0;
        virtual void power_on(int index, uint64_t entry, uint64_t context) = 0;
        // Whether a core could start executing at physical address `entry` (memory, not a device).
        virtual bool valid_entry(uint64_t entry) const = 0;
    };

    // `own_mpidr`: the affinity of the calling core; `others`: every core (the caller included),
    // or null when the caller is the only one.
    explicit psci(uint64_t own_mpidr = 0, cores* others = nullptr) : own_mpidr_(own_mpidr), cores_(others) {}

    result call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) const;

    // Affinity fields of an MPIDR (Aff3 in bits 39:32, Aff2..Aff0 in bits 23:0).
    static constexpr uint64_t affinity_mask = 0xff00ffffffull;

    // The name of a function id, "unknown" if it is not a PSCI function.
    static std::string function_name(uint32_t id);

private:
    static uint64_t code(int32_t c) { return static_cast<uint64_t>(static_cast<int64_t>(c)); }
    bool implemented(uint32_t id) const;

    uint64_t own_mpidr_;
    cores* cores_;
};

} // namespace socsim::cpu
