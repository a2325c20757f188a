#include "models/cpu/psci.h"

namespace socsim::cpu {

std::string psci::function_name(uint32_t id) {
    switch (id & ~smc64) {
    case fn_version: return "PSCI_VERSION";
    case fn_cpu_suspend: return "CPU_SUSPEND";
    case fn_cpu_off: return "CPU_OFF";
    case fn_cpu_on: return "CPU_ON";
    case fn_affinity_info: return "AFFINITY_INFO";
    case 0x84000005: return "MIGRATE";
    case fn_migrate_info_type: return "MIGRATE_INFO_TYPE";
    case 0x84000007: return "MIGRATE_INFO_UP_CPU";
    case fn_system_off: return "SYSTEM_OFF";
    case fn_system_reset: return "SYSTEM_RESET";
    case fn_features: return "PSCI_FEATURES";
    case 0x8400000e: return "SYSTEM_SUSPEND";
    case 0x84000012: return "SYSTEM_RESET2";
    default: return "unknown";
    }
}

bool psci::implemented(uint32_t id) const {
    switch (id) {
    case fn_version: case fn_cpu_off: case fn_migrate_info_type: case fn_system_off: case fn_system_reset:
    case fn_features:
        return true;
    // Functions with pointer or affinity arguments exist in both conventions.
    case fn_cpu_suspend: case fn_cpu_suspend | smc64: case fn_cpu_on: case fn_cpu_on | smc64:
    case fn_affinity_info: case fn_affinity_info | smc64:
        return true;
    default:
        return false;
    }
}

psci::result psci::call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) const {
    const uint32_t id = static_cast<uint32_t>(x0);
    const bool is64 = (id & smc64) != 0;
    // SMC32: arguments are the low 32 bits of the registers.
    if (!is64) {
        x1 &= 0xffffffffull;
        x2 &= 0xffffffffull;
        x3 &= 0xffffffffull;
    }
    result r;
    r.what = function_name(id);
    if (!implemented(id)) {  // the id is W0: the upper half of x0 is ignored
        r.x0 = code(not_supported);
        return r;
    }
    switch (id & ~smc64) {
    case fn_version:
        r.x0 = version_1_1;
        break;
    case fn_cpu_suspend:
        r.x0 = code(success);
        break;
    case fn_cpu_off:
        r.x0 = code(denied);  // only seen if the platform refuses to stop
        r.then = action::cpu_off;
        break;
    case fn_cpu_on: {
        const bool self = (x1 & affinity_mask) == (own_mpidr_ & affinity_mask);
        const int index = cores_ ? cores_->find(x1) : -1;
        if (self)
            r.x0 = code(already_on);
        else if (index < 0)
            r.x0 = code(invalid_parameters);
        else if (cores_->is_on(index))
            r.x0 = code(already_on);
        else if (!cores_->valid_entry(x2))
            r.x0 = code(invalid_address);
        else {
            cores_->power_on(index, x2, x3);  // x2: entry point, x3: context id (the new core's x0)
            r.x0 = code(success);
        }
        break;
    }
    case fn_affinity_info: {
        // x2 = lowest affinity level: only level 0 (one core) is meaningful here.
        const bool self = (x1 & affinity_mask) == (own_mpidr_ & affinity_mask);
        const int index = cores_ ? cores_->find(x1) : -1;
        if (x2 != 0 || (!self && index < 0))
            r.x0 = code(invalid_parameters);
        else
            r.x0 = self || cores_->is_on(index) ? 0 : 1;  // ON, OFF
        break;
    }
    case fn_migrate_info_type:
        r.x0 = 2;
        break;
    case fn_system_off:
        r.then = action::system_off;
        break;
    case fn_system_reset:
        r.then = action::system_reset;
        break;
    case fn_features:
        r.x0 = code(implemented(static_cast<uint32_t>(x1)) ? success : not_supported);
        break;
    }
    return r;
}

} // namespace socsim::cpu
