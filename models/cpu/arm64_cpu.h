#pragma once
// An AArch64 core: Debian's Unicorn 2.1.1 as a loosely timed TLM initiator.
//
// Memory: every address range it is given is offered DMI first; RAM grants it and is mapped
// straight into Unicorn (uc_mem_map_ptr on the RAM model's pointer: one backing store). Every
// other range is mapped as MMIO and each access becomes a b_transport through the socket (an
// 8-byte access arrives as two 4-byte ones: Unicorn splits them). The holes between ranges are
// mapped as MMIO too, up to the 48-bit physical address space, so that an access to nothing
// also reaches the bus, which reports it, and the guest takes the abort it would on hardware.
//
// Translation: the guest's MMU is the guest's (SCTLR_ELx.M is not filtered; EL3 and EL2 are set
// up at reset so that EL1 is AArch64, see unicorn_internals.h). Where socsim reads memory by
// virtual address on the CPU's behalf (the instruction of a fault report, semihosting parameter
// blocks, DC by VA for the coherence tracker), it translates with the guest's current regime.
//
// Exceptions: SVC, HVC/SMC (except the PSCI conduit, served here), undefined instructions, BRK,
// instruction and data aborts (translation faults, and a device's error response or an access to
// nothing: a synchronous external abort at that instruction with ESR and FAR set) and IRQ/FIQ
// are taken to the guest's vectors (VBAR_EL1) as the architecture says. A firmware without
// vectors (VBAR_EL1 = 0, or not pointing at memory) cannot take them: the run stops with a
// report (PC of the exact instruction, its encoding, the registers) and status 126, so bare-metal
// bring-up still fails loudly. Also reported with 126: an SMC that is not the PSCI conduit (no
// EL3 firmware is modelled), an instruction fetch from something that is not memory, a write to
// read-only memory, PSCI CPU_OFF of the last running core. HLT #0xF000 is Arm semihosting.
//
// Interrupts: set_irq / set_fiq are the core's IRQ and FIQ inputs (levels, from the interrupt
// controller); QEMU takes them at the next block boundary when PSTATE.I / F allow. The generic
// timer (generic_timer.h) drives timer_phys_irq and timer_virt_irq; its counter runs at
// config::counter_hz (the DT timer node's `clock-frequency`).
//
// Time: simulated time = instructions x clock period, counted per block. Each slice runs until
// the quantum, the next timer deadline or the run's time limit, whichever is first, and stops at
// the first block boundary at or after it (a stopped block is neither run nor counted). Inside
// a block, time is exact to the instruction: an MMIO access happens at the time of the
// instruction making it (the b_transport's annotated delay and the trace's t_ps), and the
// counter reads the time of the MRS. A device read first lets every SystemC event due before
// the access's time happen (a polling loop sees a DMA complete at its time, not a quantum
// later). WFI waits until an interrupt is pending (IRQ or FIQ input high, masked or not), or
// the next timer deadline, skipping idle time.
//
// Read-only memory (a ROM granting read-only DMI, e.g. the boot flash) is mapped by pointer for
// reading and execution; a write to it goes to the bus (the ROM logs and refuses it) and stops
// the run as a firmware fault.
//
// Data-cache maintenance: when the platform has a memory-coherence tracker (config::coherence),
// DC CVAC, CIVAC, CVAU, CVAP and CVADP by address are reported to it with the line's 64 bytes
// (models/memory/coherence_tracker.h), through a Unicorn hook on SYS instructions. The boot
// images the model loads are announced to the tracker as memory content at boot.
//
// Debugging (a GDB stub, platforms/host/gdb_server.h, attaches through `debugger`): the core
// halts on the simulation's thread, so nothing else runs and simulated time stands still until
// the debugger resumes it. Halts happen at an instruction boundary and leave the run's timing
// untouched: the blocks a halt splits keep the slice, interrupt and time accounting of the
// unsplit block, so a run with a debugger attached gives the same output and trace as without.
// - breakpoints: a code hook on the one address (no cost elsewhere); the core stops before it;
// - single step, and watchpoints (memory hooks on every address, each access matched against
//   the watched virtual ranges as the MMU maps them then): a code hook on every instruction,
//   present only while stepping or while a watchpoint is set; a watchpoint stops the core
//   before the accessing instruction, which has not run (GDB steps it itself);
// - request_halt (a client's interrupt, a diagnostic, a DMA watch): at the next block start;
//   while a debugger is attached an MMIO access that is not the last instruction of its block
//   is re-run as a block of its own (unicorn_internals::run_access_alone), so that a halt
//   requested during the access (a DMA it started faulted) stops right after it.
// Idle cost with a debugger attached: one poll of the debugger per slice.
//
// DT: a `cpu` node, compatible "arm,cortex-a57" / "arm,cortex-a53" / "arm,cortex-a72";
// `clock-frequency` (Hz, default 1 GHz); the PSCI conduit comes from `/psci` `method`
// (the factory reads it; no `/psci` node: HVC and SMC are exceptions like any other).

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
class generic_timer;
class cluster;

class arm64_cpu : public sc_core::sc_module {
public:
    enum class core_model { cortex_a53, cortex_a57, cortex_a72 };

    enum class psci_conduit { none, hvc, smc };

    struct config {
        core_model model = core_model::cortex_a57;
        uint64_t clock_hz = 1'000'000'000;
        uint64_t counter_hz = 62'500'000;  // the generic timer's (QEMU virt's CNTFRQ_EL0 by default)
        uint64_t mpidr = 0;                // affinity (the DT cpu node's `reg`); MPIDR_EL1 reads it
        std::string firmware_path;  // for the semihosting command line
        psci_conduit psci = psci_conduit::none;
        memory::coherence_tracker* coherence = nullptr;  // gets DC maintenance by address, if set
    };

    tlm_utils::simple_initiator_socket<arm64_cpu> socket;

    // The generic timer's outputs (levels: ISTATUS and not IMASK, with ENABLE). The DT's
    // `arm,armv8-timer` node names them in this order: secure physical, non-secure physical,
    // virtual, hypervisor physical. The builder wires them to the interrupt controller. The
    // secure and hypervisor timers are not modelled: those two lines never rise.
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

    // Several cores (cluster.h): every core but the boot core (the one given set_boot) waits,
    // powered off, for PSCI CPU_ON.
    void set_cluster(cluster& c);
    uint64_t mpidr() const { return cfg_.mpidr; }
    bool powered_on() const { return powered_; }
    // Starts a powered-off core at `entry` (EL1h, MMU off, interrupts masked) with x0 = `context`.
    void power_on(uint64_t entry, uint64_t context);
    // Another core invalidated its instruction cache: drop translated code before the next slice.
    void drop_translated_code() { drop_code_ = true; }

    uint64_t instructions() const { return icount_; }
    // Whether [physical, physical + len) is RAM or ROM mapped into the core.
    bool is_memory(uint64_t physical, uint64_t len = 1) const;
    uint64_t exceptions_taken() const { return exceptions_taken_; }
    uint64_t pc() const;

    // ---- Debugging ----------------------------------------------------------------------
    struct stop_event {
        enum class reason { attached, interrupted, breakpoint, step, watchpoint, diagnostic, dma_watch };
        reason why = reason::interrupted;
        uint64_t data_address = 0;  // watchpoint: the address accessed
        bool data_write = false;     // watchpoint: a write (else a read)
        std::string text;            // diagnostic, DMA watch: what happened
    };
    enum class resume_mode { run, step };
    class debugger {
    public:
        virtual ~debugger() = default;
        // On the simulation's thread, with the core halted; returns when the client resumes it.
        virtual resume_mode halted(arm64_cpu& cpu, const stop_event& stop) = 0;
        // Polled once per slice while the core runs: whether the client asks for a halt.
        virtual bool halt_wanted() = 0;
    };
    // Cores made after this call translate into a small code cache (Unicorn's default is 1 GiB):
    // a debugger invalidates all translated code when it starts or stops single-stepping or
    // watching, and Unicorn clears the whole cache then, which costs about a second per GiB.
    // Call before building the platform of a run with a debugger.
    static void use_small_code_cache();
    // `halt_at_start`: the core halts before its first instruction. Null detaches: breakpoints,
    // watchpoints and stepping end, and the core runs on.
    void attach_debugger(debugger* d, bool halt_at_start);
    // Halts at the next opportunity (see above); the first request wins until the halt.
    void request_halt(const stop_event& e);
    // GDB's Z0/Z1 (one address, by virtual address) and Z2/Z3/Z4 (kind 2 write, 3 read, 4 both).
    void set_breakpoint(uint64_t va, bool on);
    void set_watchpoint(uint64_t va, uint64_t len, int kind, bool on);
    // Registers by GDB's AArch64 numbers: x0..x30 0..30, sp 31, pc 32, cpsr 33 (4 bytes), v0..v31
    // 34..65 (16 bytes), fpsr 66, fpcr 67 (4 bytes). Little-endian bytes; false: no such register.
    bool read_register(unsigned regno, std::vector<uint8_t>& bytes) const;
    bool write_register(unsigned regno, const std::vector<uint8_t>& bytes);
    static constexpr unsigned register_count = 68;
    // Memory as the core sees it: virtual addresses through the guest's translation, then RAM and
    // ROM directly and devices by debug transport (no side effects). Returns the bytes done.
    size_t debug_read(uint64_t va, uint8_t* dst, size_t len);
    size_t debug_write(uint64_t va, const uint8_t* src, size_t len);
    // The time of the next instruction (the core's local time included).
    sc_core::sc_time now() const { return sc_core::sc_time_stamp() + local_time(); }

    // Hooks from Unicorn for debugging (public for the C callbacks).
    void on_debug_code(uint64_t address);
    // True: stop before this access (the caller abandons the instruction).
    bool on_watch(bool write, uint64_t physical, int size);

    struct mmio_region;  // one MMIO run as Unicorn sees it

    // Hooks from Unicorn (public for the C callbacks; not part of the model's interface).
    enum class access_result { ok, abort };
    void on_block(uint64_t address, uint32_t size);
    void on_exception(uint32_t intno);
    bool on_unmapped(int type, uint64_t addr, int size, int64_t value);
    access_result mmio_access(tlm::tlm_command cmd, uint64_t addr, unsigned size, uint64_t& data);
    // After mmio_access returned abort: what the guest's abort needs.
    struct pending_abort {
        uint64_t physical = 0, virtual_address = 0;
        unsigned size = 0;
        bool write = false, decode_error = false;
    };
    const pending_abort& abort_info() const { return abort_; }
    bool on_sysreg_read(int reg, const void* cp);
    bool on_sysreg_write(int reg, const void* cp);
    bool on_write_protected(uint64_t addr, int size, int64_t value);
    bool on_fetch_protected(uint64_t addr);
    void on_sys(const void* cp);

private:
    // debug_read and debug_write, page by page.
    size_t debug_access(uint64_t va, uint8_t* data, size_t len, bool write);
    struct fault {
        bool pending = false;
        std::string what;
        std::string note;  // why the guest could not take it, if it is an exception
        uint64_t pc = 0;
        bool has_address = false;
        uint64_t address = 0;
    };

    void run();
    void service_halt();
    void stop_in_engine(const stop_event& e);
    void update_debug_hooks();
    void update_watch_hooks();
    static uint32_t code_cache_size();
    bool wait_for_power_on(uint64_t& pc);
    void add_sys_hook();
    bool load_boot_images();
    void map_memory();
    void end_of_elaboration() override;
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
    // Instructions retired before the one executing now (exact inside a block, given its PC).
    uint64_t retired_before(uint64_t pc) const;
    // Time of the instruction at `pc` relative to sc_time_stamp(), and the absolute time.
    sc_core::sc_time local_time_at(uint64_t pc) const;
    sc_core::sc_time local_time() const;  // at the end of the blocks counted so far
    sc_core::sc_time now_at(uint64_t pc) const { return sc_core::sc_time_stamp() + local_time_at(pc); }
    // Lets SystemC catch up to the instruction at `pc` if an event is due before it.
    void sync_if_events_due(uint64_t pc);
    sc_core::sc_time slice_length() const;
    uint64_t now_ns() const;
    void raise_fault(const std::string& what, bool has_address = false, uint64_t address = 0);
    void report_fault();
    // From the block hook: the block at `address` will not run now (a stop or a kick follows).
    void leave_before_block(uint64_t address);
    bool can_take_exceptions();
    void wait_for_interrupt();
    bool handle_psci(uint32_t intno, uint64_t pc);

    bool read_virtual(uint64_t va, void* dst, uint64_t len) const;
    uint32_t instruction_at(uint64_t addr) const;
    uint64_t fault_virtual_address(uint64_t pc, uint64_t physical) const;
    bool transport(tlm::tlm_command cmd, uint64_t addr, unsigned size, uint64_t& data, const sc_core::sc_time& at);

    config cfg_;
    uc_struct* uc_ = nullptr;
    std::unique_ptr<semihosting> semihosting_;
    class unicorn_memory;
    std::unique_ptr<unicorn_memory> guest_memory_;
    std::unique_ptr<generic_timer> timer_;
    std::vector<core::address_range> address_map_;
    std::vector<core::address_range> ram_ranges_;  // mapped by pointer
    std::vector<core::address_range> rom_ranges_;  // mapped by pointer, read and execute only
    std::vector<std::unique_ptr<mmio_region>> mmio_regions_;  // outlive nothing but the engine
    sc_core::sc_time period_;
    elf_image firmware_;
    uint64_t dtb_address_ = 0;
    std::vector<uint8_t> dtb_;
    // Time accounting: icount_ counts whole blocks as they start; the block running now began
    // at block_pc_ with block_first_ instructions retired before it. synced_icount_ is the
    // count at sc_time_stamp(); stall_ the device latency added since.
    uint64_t icount_ = 0;
    uint64_t block_pc_ = 0, block_first_ = 0, block_size_ = 0;
    uint64_t synced_icount_ = 0;
    sc_core::sc_time stall_;
    uint64_t budget_end_ = 0;    // icount_ at which the slice stops
    bool budget_stop_ = false;
    bool irq_level_ = false;     // the IRQ input as the interrupt controller drives it
    bool fiq_level_ = false;
    bool kick_ = false;          // an input rose: make QEMU look at the lines at the next block
    bool exit_requested_ = false;
    uint64_t exceptions_taken_ = 0;
    pending_abort abort_;
    fault fault_;
    cluster* cluster_ = nullptr;
    bool powered_ = false;
    bool drop_code_ = false;
    bool sys_hook_added_ = false;
    uint64_t start_entry_ = 0, start_context_ = 0;
    sc_core::sc_event power_event_;
    sc_core::sc_event wake_;
    // Debugging (see the header comment). split_until_: the icount_ at which the block a halt
    // or an isolated MMIO access split would have ended; blocks starting before it neither end
    // the slice nor take interrupts, as that block would not have.
    debugger* debugger_ = nullptr;
    bool halt_at_start_ = false;
    bool halt_pending_ = false;
    bool engine_halted_ = false;   // the stop came from inside the engine (block or code hook)
    stop_event pending_stop_;
    uint64_t saved_budget_end_ = 0;
    uint64_t split_until_ = 0;
    bool stepping_ = false;
    unsigned steps_seen_ = 0;
    uint64_t step_pc_ = 0, step_count_ = 0;  // the instruction a step runs
    uint64_t resume_pc_ = 0, resume_icount_ = 0;
    struct watchpoint {
        uint64_t va, len;
        int kind;
    };
    std::vector<watchpoint> watchpoints_;
    size_t watch_read_hook_ = 0, watch_write_hook_ = 0;  // Unicorn hook handles, 0 if none
    // Whether the access [physical, physical + size) touches w's range as the guest's MMU maps it
    // now; if so, `va` is the first virtual address of the range it touches.
    bool watched_virtual(const watchpoint& w, uint64_t physical, int size, uint64_t& va) const;
    std::vector<std::pair<uint64_t, size_t>> breakpoints_;  // address, Unicorn hook handle
    size_t every_insn_hook_ = 0;
    core::logger log_;
};

} // namespace socsim::cpu

namespace socsim::cpu {
// "Unicorn 2.1.1", for --version.
std::string engine_version();
}
