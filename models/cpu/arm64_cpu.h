#pragma once
// An AArch64 core: Unicorn 2.0.1 as a loosely timed TLM initiator.
//
// Memory: every address range it is given is offered DMI first; RAM grants it and is mapped
// straight into Unicorn (uc_mem_map_ptr on the RAM model's pointer: one backing store). Every
// other range is mapped as MMIO and each access becomes a b_transport through the socket (an
// 8-byte access arrives as two 4-byte ones: Unicorn splits them). Holes are left unmapped.
//
// Time: a block hook counts executed instructions; simulated time = instructions x clock
// period. The core runs one quantum at a time and then synchronises with SystemC. The generic
// timer counters (CNTVCT_EL0, CNTPCT_EL0) and CNTFRQ_EL0 are answered from simulated time
// (62.5 MHz, as QEMU's virt), so runs are deterministic.
//
// U-Boot uses only CNTFRQ_EL0 and CNTPCT_EL0 (checked in its qemu_arm64 build); the timer's
// compare registers (CNTP/CNTV_CTL, _CVAL, _TVAL) are left to Unicorn and raise no interrupt.
//
// Read-only memory (a ROM granting read-only DMI, e.g. the boot flash) is mapped by pointer for
// reading and execution; a write to it goes to the bus (the ROM logs and refuses it) and stops
// the run as a firmware fault.
//
// Exceptions: Unicorn reports guest exceptions to a hook instead of taking them. HLT #0xF000 is
// semihosting; WFI ends a slice and idles until the next quantum (no interrupt controller yet, so
// WFI behaves as the architecture allows: it may complete early). HVC #0 or SMC #0, whichever
// the platform names as its PSCI conduit, is a PSCI call answered by the model (psci.h):
// SYSTEM_OFF ends the run with status 0, SYSTEM_RESET with status 123. Anything else the
// firmware cannot take (undefined instruction, SVC, the other conduit, BRK, aborts), a fetch or
// access to nothing, and a device's error response stop the run with a report and status 126.
//
// MMU: Unicorn 2.0.1 takes a prefetch abort at the instruction after an MSR that sets
// SCTLR_ELx.M (its TLB and the translated block disagree), and it looks up memory by virtual
// address anyway. Firmware that maps memory with identity page tables (U-Boot does) behaves the
// same with translation off, so the model keeps it off: an MSR to SCTLR_EL1/EL2/EL3 is done by
// the model with M cleared, and MRS of that register returns what the firmware wrote (M set).
// The page tables are not walked: firmware whose mapping is not the identity is not supported.
// The other SCTLR bits the model writes (C, I, SA, ...) do not feed Unicorn's cached flags.
//
// Data-cache maintenance: when the platform has a memory-coherence tracker (config::coherence),
// DC CVAC, CIVAC, CVAU, CVAP and CVADP by address are reported to it with the line's 64 bytes
// (models/memory/coherence_tracker.h), through a Unicorn hook on SYS instructions only: ordinary
// code pays nothing, and the instruction itself still executes (a no-op in Unicorn). The boot
// images the model loads are announced to the tracker as memory content at boot.
//
// DT: a `cpu` node, compatible "arm,cortex-a57" / "arm,cortex-a53" / "arm,cortex-a72";
// `clock-frequency` (Hz, default 1 GHz); the PSCI conduit comes from `/psci` `method`
// (the factory reads it; no `/psci` node: HVC and SMC are faults, as before).

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>  // the global quantum
#include <vector>

#include "models/core/address_range.h"
#include "models/core/irq_line.h"
#include "models/core/log.h"
#include "models/cpu/elf_loader.h"

struct uc_struct;

namespace socsim::memory {
class coherence_tracker;
}

namespace socsim::cpu {

class semihosting;

class arm64_cpu : public sc_core::sc_module {
public:
    enum class core_model { cortex_a53, cortex_a57, cortex_a72 };

    enum class psci_conduit { none, hvc, smc };

    struct config {
        core_model model = core_model::cortex_a57;
        uint64_t clock_hz = 1'000'000'000;
        std::string firmware_path;  // for the semihosting command line
        psci_conduit psci = psci_conduit::none;
        memory::coherence_tracker* coherence = nullptr;  // gets DC maintenance by address, if set
    };

    tlm_utils::simple_initiator_socket<arm64_cpu> socket;

    // The generic timer's outputs (levels: ISTATUS and not IMASK, with ENABLE). The DT's
    // `arm,armv8-timer` node names them in this order: secure physical, non-secure physical,
    // virtual, hypervisor physical. The builder wires them to the interrupt controller.
    core::irq_line timer_secure_irq, timer_phys_irq, timer_virt_irq, timer_hyp_irq;

    // The core's interrupt inputs (levels), driven by the interrupt controller's outputs.
    void set_irq(bool level);
    void set_fiq(bool level);

    arm64_cpu(sc_core::sc_module_name name, const config& cfg);
    ~arm64_cpu() override;

    // The system address map (every mapping of the bus); call before the simulation starts.
    void set_address_map(const std::vector<core::address_range>& ranges);
    // What to load before the first instruction: the firmware's segments and the DTB, written
    // through the socket; execution starts at the ELF's entry with x0 = the DTB's address.
    void set_boot(elf_image firmware, uint64_t dtb_address, std::vector<uint8_t> dtb);

    uint64_t instructions() const { return icount_; }
    uint64_t pc() const;

    struct mmio_region;  // one MMIO run as Unicorn sees it

    // Hooks from Unicorn (public for the C callbacks; not part of the model's interface).
    void on_block(uint32_t size);
    void on_exception(uint32_t intno);
    bool on_unmapped(int type, uint64_t addr, int size, int64_t value);
    uint64_t mmio_read(uint64_t addr, unsigned size);
    void mmio_write(uint64_t addr, unsigned size, uint64_t value);
    bool on_sysreg_read(int reg, const void* cp);
    bool on_sysreg_write(int reg, const void* cp);
    bool on_write_protected(uint64_t addr, int size, int64_t value);
    void on_sys(const void* cp);

private:
    struct fault {
        bool pending = false;
        std::string what;
        uint64_t pc = 0;
        bool has_address = false;
        uint64_t address = 0;
    };

    void run();
    bool load_boot_images();
    void map_memory();
    void end_of_elaboration() override;
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
    sc_core::sc_time local_time() const;
    uint64_t now_ns() const;
    void raise_fault(const std::string& what, bool has_address = false, uint64_t address = 0);
    void report_fault();
    bool handle_wfi(uint64_t pc);
    bool handle_psci(uint32_t intno, uint64_t pc);
    uint32_t instruction_at(uint64_t addr) const;
    bool transport(tlm::tlm_command cmd, uint64_t addr, unsigned size, uint64_t& data);

    config cfg_;
    uc_struct* uc_ = nullptr;
    std::unique_ptr<semihosting> semihosting_;
    class unicorn_memory;
    std::unique_ptr<unicorn_memory> guest_memory_;
    std::vector<core::address_range> address_map_;
    std::vector<core::address_range> ram_ranges_;  // mapped by pointer
    std::vector<core::address_range> rom_ranges_;  // mapped by pointer, read and execute only
    uint64_t sctlr_[4] = {};                       // SCTLR_EL1..EL3 as the firmware wrote them
    std::vector<std::unique_ptr<mmio_region>> mmio_regions_;  // outlive nothing but the engine
    sc_core::sc_time period_;
    sc_core::sc_time stall_;     // device latency added within this slice
    elf_image firmware_;
    uint64_t dtb_address_ = 0;
    std::vector<uint8_t> dtb_;
    uint64_t icount_ = 0;        // instructions counted so far (whole blocks)
    uint64_t slice_start_ = 0;   // icount_ at the start of this slice
    uint64_t budget_end_ = 0;    // icount_ at which the slice stops
    bool budget_stop_ = false;
    bool irq_level_ = false;     // the IRQ input as the interrupt controller drives it
    bool fiq_level_ = false;
    bool exit_requested_ = false;
    fault fault_;
    sc_core::sc_event wake_;
    core::logger log_;
};

} // namespace socsim::cpu

namespace socsim::cpu {
// "Unicorn 2.0.1", for --version.
std::string engine_version();
}
