// The AArch64 CPU model in a real design: arm64_cpu -> router -> RAM and a test device. Guest
// code is hand-assembled A64 (the encoders below are checked against GNU as in the first test),
// loaded as an in-memory ELF image. Each test case runs one design, with the global quantum and
// the run's time limit set as `socsim run` sets them, and checks one promise of arm64_cpu.h:
// exception entry, aborts, faults, instruction-exact time, --max-time, WFI and interrupts.
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>
#include <iostream>
#include <sstream>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/bus/router.h"
#include "models/core/run_control.h"
#include "models/cpu/arm64_cpu.h"
#include "models/cpu/elf_loader.h"
#include "models/memory/ram.h"

using namespace socsim;
using sc_core::sc_time;
using sc_core::SC_MS;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {

// ---- A64 encoders (each checked against GNU as in the first TEST_CASE) ----------------------
namespace a64 {
constexpr unsigned xzr = 31;
constexpr uint32_t nop = 0xd503201f;           // NOP
constexpr uint32_t wfi = 0xd503207f;           // WFI
constexpr uint32_t isb = 0xd5033fdf;           // ISB
constexpr uint32_t eret = 0xd69f03e0;          // ERET
constexpr uint32_t hlt_semihosting = 0xd45e0000;  // HLT #0xF000
uint32_t svc(uint16_t imm) { return 0xd4000001u | uint32_t{imm} << 5; }  // SVC #imm
uint32_t udf(uint16_t imm) { return imm; }                               // UDF #imm
// MOVZ Xd, #imm, LSL #shift / MOVK Xd, #imm, LSL #shift (shift 0, 16, 32, 48)
uint32_t movz(unsigned rd, uint16_t imm, unsigned shift = 0) {
    return 0xd2800000u | (shift / 16) << 21 | uint32_t{imm} << 5 | rd;
}
uint32_t movk(unsigned rd, uint16_t imm, unsigned shift = 0) {
    return 0xf2800000u | (shift / 16) << 21 | uint32_t{imm} << 5 | rd;
}
// STR/LDR Wt, [Xn, #off] and STR/LDR Xt, [Xn, #off] (unsigned, scaled offset)
uint32_t str_w(unsigned rt, unsigned rn, unsigned off) { return 0xb9000000u | (off / 4) << 10 | rn << 5 | rt; }
uint32_t ldr_w(unsigned rt, unsigned rn, unsigned off) { return 0xb9400000u | (off / 4) << 10 | rn << 5 | rt; }
uint32_t str_x(unsigned rt, unsigned rn, unsigned off) { return 0xf9000000u | (off / 8) << 10 | rn << 5 | rt; }
uint32_t ldr_x(unsigned rt, unsigned rn, unsigned off) { return 0xf9400000u | (off / 8) << 10 | rn << 5 | rt; }
// ADD Xd, Xn, #imm12
uint32_t add(unsigned rd, unsigned rn, unsigned imm) { return 0x91000000u | imm << 10 | rn << 5 | rd; }
// B, CBZ Wt, CBNZ Xt: PC-relative byte offsets
uint32_t b(int64_t off) { return 0x14000000u | (static_cast<uint32_t>(off >> 2) & 0x3ffffff); }
uint32_t cbz_w(unsigned rt, int64_t off) { return 0x34000000u | (static_cast<uint32_t>(off >> 2) & 0x7ffff) << 5 | rt; }
uint32_t cbnz_x(unsigned rt, int64_t off) { return 0xb5000000u | (static_cast<uint32_t>(off >> 2) & 0x7ffff) << 5 | rt; }

struct sysreg {
    unsigned op0, op1, crn, crm, op2;
    uint32_t field() const { return (op0 & 1) << 19 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5; }
};
constexpr sysreg esr_el1{3, 0, 5, 2, 0}, elr_el1{3, 0, 4, 0, 1}, spsr_el1{3, 0, 4, 0, 0}, far_el1{3, 0, 6, 0, 0},
    vbar_el1{3, 0, 12, 0, 0}, currentel{3, 0, 4, 2, 2}, cntvct_el0{3, 3, 14, 0, 2}, cntv_tval_el0{3, 3, 14, 3, 0},
    cntv_ctl_el0{3, 3, 14, 3, 1}, cntv_cval_el0{3, 3, 14, 3, 2};
uint32_t mrs(unsigned rt, sysreg r) { return 0xd5300000u | r.field() | rt; }  // MRS Xt, <reg>
uint32_t msr(sysreg r, unsigned rt) { return 0xd5100000u | r.field() | rt; }  // MSR <reg>, Xt
uint32_t daifset(unsigned imm) { return 0xd50340dfu | imm << 8; }             // MSR DAIFSet, #imm
uint32_t daifclr(unsigned imm) { return 0xd50340ffu | imm << 8; }             // MSR DAIFClr, #imm
} // namespace a64

// A run of code at a fixed address, written one instruction at a time.
class program {
public:
    explicit program(uint64_t base) : base_(base) {}
    uint64_t here() const { return base_ + 4 * words_.size(); }
    uint64_t emit(uint32_t word) {  // returns the instruction's address
        const uint64_t at = here();
        words_.push_back(word);
        return at;
    }
    // MOVZ/MOVK: Xd = value (one instruction per non-zero half-word, at least one).
    void mov(unsigned rd, uint64_t value) {
        bool first = true;
        for (unsigned shift = 0; shift < 64; shift += 16) {
            const auto half = static_cast<uint16_t>(value >> shift);
            if (half == 0 && !(first && shift == 48)) continue;
            emit(first ? a64::movz(rd, half, shift) : a64::movk(rd, half, shift));
            first = false;
        }
    }
    void b_to(uint64_t target) { emit(a64::b(static_cast<int64_t>(target - here()))); }
    void cbz_w_to(unsigned rt, uint64_t target) { emit(a64::cbz_w(rt, static_cast<int64_t>(target - here()))); }
    void pad_to(uint64_t address) {
        while (here() < address) emit(a64::udf(0xdead));
    }
    cpu::elf_segment segment() const {
        cpu::elf_segment s;
        s.paddr = base_;
        s.bytes.resize(4 * words_.size());
        std::memcpy(s.bytes.data(), words_.data(), s.bytes.size());
        s.memsz = s.bytes.size();
        return s;
    }

private:
    uint64_t base_;
    std::vector<uint32_t> words_;
};

// ---- The design --------------------------------------------------------------------------------
constexpr uint64_t ram_base = 0x40000000, ram_size = 0x100000;
constexpr uint64_t code_base = ram_base;               // the ELF entry
constexpr uint64_t el0_base = ram_base + 0x1000;       // code run at EL0
constexpr uint64_t vector_base = ram_base + 0x10000;   // VBAR_EL1 (2 KiB aligned)
constexpr uint64_t results_base = ram_base + 0x20000;  // what the common handler saves
constexpr uint64_t exit_block = results_base + 0x100;  // semihosting SYS_EXIT parameters
constexpr uint64_t dtb_base = ram_base + 0x80000;
constexpr uint64_t dev_base = 0x09000000, dev_size = 0x1000;
constexpr uint64_t nothing = 0x0a000000;  // no target on the router there

// Registers of the test device (offsets).
constexpr uint64_t reg_log0 = 0x00, reg_log1 = 0x04, reg_log2 = 0x08, reg_doorbell = 0x10, reg_status = 0x14,
                   reg_vector = 0x40, reg_exit = 0x80, error_from = 0x800;

// A target that records every access (offset, data, and the time it happens: sc_time_stamp()
// plus the annotated delay), answers TLM_GENERIC_ERROR_RESPONSE from `error_from` on, ends the
// run on a write to EXIT (status = the data), and on a DOORBELL write completes "work"
// `work_time` later (an event), which STATUS then reads as 1.
class test_device : public sc_core::sc_module {
public:
    struct access {
        bool write;
        uint64_t offset;
        uint64_t data;
        unsigned len;
        sc_time at;
    };
    tlm_utils::simple_target_socket<test_device> socket;
    std::vector<access> log;
    sc_time work_time = sc_time(2, SC_US);
    bool done = false;
    sc_time done_at;
    std::function<void(const access&)> on_access;  // after each successful access

    explicit test_device(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
        socket.register_b_transport(this, &test_device::b_transport);
        SC_HAS_PROCESS(test_device);
        SC_METHOD(complete);
        sensitive << work_;
        dont_initialize();
    }

    std::vector<access> at(uint64_t offset) const {
        std::vector<access> found;
        for (const access& a : log)
            if (a.offset == offset) found.push_back(a);
        return found;
    }

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_time& delay) {
        access a{p.is_write(), p.get_address(), 0, p.get_data_length(), sc_core::sc_time_stamp() + delay};
        if (a.len > 8) {
            p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
            return;
        }
        if (a.write) std::memcpy(&a.data, p.get_data_ptr(), a.len);
        if (a.offset >= error_from) {
            log.push_back(a);
            p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
        if (a.write && a.offset == reg_doorbell) work_.notify(delay + work_time);
        if (!a.write) {
            a.data = a.offset == reg_status ? (done ? 1 : 0) : 0;
            std::memcpy(p.get_data_ptr(), &a.data, a.len);
        }
        log.push_back(a);
        p.set_response_status(tlm::TLM_OK_RESPONSE);
        if (on_access) on_access(a);
        if (a.write && a.offset == reg_exit)
            core::run_control::instance().request_exit(core::run_outcome::firmware_exit, static_cast<int>(a.data),
                                                       "test device exit");
    }
    void complete() {
        done = true;
        done_at = sc_core::sc_time_stamp();
    }
    sc_core::sc_event work_;
};

// Calls `action` at simulated time `at` (an interrupt controller raising the core's line).
class at_time : public sc_core::sc_module {
public:
    at_time(sc_core::sc_module_name name, sc_time at, std::function<void()> action)
        : sc_module(name), at_(at), action_(std::move(action)) {
        SC_HAS_PROCESS(at_time);
        SC_THREAD(run);
    }

private:
    void run() {
        wait(at_);
        action_();
    }
    sc_time at_;
    std::function<void()> action_;
};

cpu::arm64_cpu::config cpu_config(uint64_t clock_hz) {
    cpu::arm64_cpu::config c;
    c.clock_hz = clock_hz;
    c.firmware_path = "test.elf";
    return c;
}

// The common exception handler saves, at results_base (64-bit words):
//   [0] the vector slot (0..15: VBAR + slot * 0x80), [1] CNTVCT_EL0 at entry, [2] ESR_EL1,
//   [3] ELR_EL1, [4] FAR_EL1, [5] SPSR_EL1, [6] x5, [7] x6, [8] x7
// then writes the slot to the device's VECTOR register (its arrival time is the entry's time)
// and exits through semihosting SYS_EXIT with status 100 + slot.
enum result_word { r_slot, r_cntvct, r_esr, r_elr, r_far, r_spsr, r_x5, r_x6, r_x7 };
constexpr int exit_status_of_slot(int slot) { return 100 + slot; }
constexpr int slot_sync_current = 4;  // VBAR + 0x200: synchronous, current EL with SP_ELx
constexpr int slot_irq_current = 5;   // VBAR + 0x280
constexpr int slot_sync_lower = 8;    // VBAR + 0x400: synchronous, lower EL in AArch64

// Instructions from a vector's entry to the handler's store to VECTOR: that store arrives this
// long after the exception was taken (1 ns each at 1 GHz).
uint64_t handler_instructions = 0;

program vector_table() {
    program v(vector_base);
    const uint64_t common = vector_base + 0x800;
    for (unsigned slot = 0; slot < 16; ++slot) {
        v.pad_to(vector_base + slot * 0x80);
        v.emit(a64::movz(9, static_cast<uint16_t>(slot)));  // MOVZ x9, #slot
        v.b_to(common);                                      // B common
    }
    v.pad_to(common);
    v.emit(a64::mrs(10, a64::cntvct_el0));  // MRS x10, CNTVCT_EL0
    v.emit(a64::mrs(11, a64::esr_el1));     // MRS x11, ESR_EL1
    v.emit(a64::mrs(12, a64::elr_el1));     // MRS x12, ELR_EL1
    v.emit(a64::mrs(13, a64::far_el1));     // MRS x13, FAR_EL1
    v.emit(a64::mrs(14, a64::spsr_el1));    // MRS x14, SPSR_EL1
    v.mov(15, results_base);                // MOVZ x15, #results
    for (unsigned i = 0; i < 6; ++i) v.emit(a64::str_x(9 + i, 15, 8 * i));  // STR x9..x14, [x15, #8i]
    v.emit(a64::str_x(5, 15, 48));          // STR x5, [x15, #48]
    v.emit(a64::str_x(6, 15, 56));          // STR x6, [x15, #56]
    v.emit(a64::str_x(7, 15, 64));          // STR x7, [x15, #64]
    v.mov(16, dev_base);                    // MOVZ x16, #device
    const uint64_t vector_store = v.emit(a64::str_w(9, 16, reg_vector));  // STR w9, [x16, #VECTOR]
    handler_instructions = 2 + (vector_store - common) / 4;  // MOVZ, B, then the common part
    v.emit(a64::add(17, 9, 100));           // ADD x17, x9, #100
    v.emit(a64::str_x(17, 15, exit_block - results_base + 8));  // STR x17, [x15, #subcode]
    v.emit(a64::movz(0, 0x18));             // MOVZ x0, #0x18 (SYS_EXIT)
    v.emit(a64::add(1, 15, exit_block - results_base));  // ADD x1, x15, #exit_block
    v.emit(a64::hlt_semihosting);           // HLT #0xF000
    v.b_to(v.here());                       // B .
    return v;
}

// The start of every test program: VBAR_EL1 = the vector table, x16 = the device.
void prologue(program& p) {
    p.mov(0, vector_base);              // MOVZ x0, #vectors
    p.emit(a64::msr(a64::vbar_el1, 0));  // MSR VBAR_EL1, x0
    p.emit(a64::isb);                    // ISB
    p.mov(16, dev_base);                 // MOVZ x16, #device
}

// Ends the run through the device: EXIT = status (x5 is clobbered).
void exit_through_device(program& p, uint16_t status) {
    p.emit(a64::movz(5, status));              // MOVZ x5, #status
    p.emit(a64::str_w(5, 16, reg_exit));       // STR w5, [x16, #EXIT]
    p.b_to(p.here());                          // B .
}

// Captures std::cerr (where the fault report goes) for the lifetime of the object.
struct capture_cerr {
    std::ostringstream text;
    std::streambuf* old = std::cerr.rdbuf(text.rdbuf());
    ~capture_cerr() { std::cerr.rdbuf(old); }
};

struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", ram_size};
    test_device dev{"dev"};
    cpu::arm64_cpu cpu;

    explicit bench(uint64_t clock_hz = 1'000'000'000) : cpu("cpu", cpu_config(clock_hz)) {
        cpu.socket.bind(bus.target_socket);
        bus.map(bus.bind_target(ram.socket), {ram_base, ram_size}, "/memory@40000000");
        bus.map(bus.bind_target(dev.socket), {dev_base, dev_size}, "/test-device@9000000");
        std::vector<core::address_range> map;
        for (const auto& m : bus.mappings()) map.push_back(m.range);
        cpu.set_address_map(map);
    }

    // Boots `code` (entry at its first instruction) with the vector table and, if given, EL0 code.
    void boot(const program& code, const program* el0 = nullptr) {
        cpu::elf_image image;
        image.path = "test.elf";
        image.entry = code_base;
        image.segments.push_back(code.segment());
        if (el0) image.segments.push_back(el0->segment());
        image.segments.push_back(vector_table().segment());
        cpu::elf_segment exit_params;  // {ADP_Stopped_ApplicationExit, subcode (set by the handler)}
        exit_params.paddr = exit_block;
        exit_params.bytes.resize(16);
        const uint64_t reason = 0x20026;
        std::memcpy(exit_params.bytes.data(), &reason, 8);
        exit_params.memsz = 16;
        image.segments.push_back(exit_params);
        cpu.set_boot(std::move(image), dtb_base, std::vector<uint8_t>(8, 0));
    }

    // As `socsim run --quantum Q --max-time T` does.
    void run(sc_time quantum, sc_time limit) {
        tlm_utils::tlm_quantumkeeper::set_global_quantum(quantum);
        core::run_control::instance().set_time_limit(limit);
        sc_core::sc_start(limit);
    }

    uint64_t result(result_word w) const {
        uint64_t v = 0;
        std::memcpy(&v, const_cast<memory::ram&>(ram).host_pointer() + (results_base - ram_base) + 8 * w, 8);
        return v;
    }
};

const core::run_control& control() { return core::run_control::instance(); }
sc_time ns(uint64_t n) { return sc_time(static_cast<double>(n), SC_NS); }

} // namespace

TEST_CASE("the A64 encoders agree with GNU as") {
    using namespace a64;
    // Expected words: aarch64-linux-gnu-as + objdump of the instruction in the comment.
    CHECK(nop == 0xd503201f);
    CHECK(wfi == 0xd503207f);
    CHECK(isb == 0xd5033fdf);
    CHECK(eret == 0xd69f03e0);
    CHECK(hlt_semihosting == 0xd45e0000);
    CHECK(svc(0x1234) == 0xd4024681);                      // svc #0x1234
    CHECK(svc(7) == 0xd40000e1);                           // svc #7
    CHECK(udf(0x1234) == 0x00001234);                      // udf #0x1234
    CHECK(movz(0, 0x4001, 16) == 0xd2a80020);              // mov x0, #0x40010000
    CHECK(movz(9, 5) == 0xd28000a9);                       // mov x9, #5
    CHECK(movk(1, 0xbeef, 32) == 0xf2d7dde1);              // movk x1, #0xbeef, lsl #32
    CHECK(str_w(1, 16, 4) == 0xb9000601);                  // str w1, [x16, #4]
    CHECK(str_w(9, 16, 0x40) == 0xb9004209);               // str w9, [x16, #64]
    CHECK(ldr_w(6, 16, 0x800) == 0xb9480206);              // ldr w6, [x16, #2048]
    CHECK(ldr_w(1, 16, 0x14) == 0xb9401601);               // ldr w1, [x16, #20]
    CHECK(str_x(9, 15, 0) == 0xf90001e9);                  // str x9, [x15]
    CHECK(str_x(14, 15, 40) == 0xf90015ee);                // str x14, [x15, #40]
    CHECK(ldr_x(3, 2, 8) == 0xf9400443);                   // ldr x3, [x2, #8]
    CHECK(add(3, 3, 1) == 0x91000463);                     // add x3, x3, #1
    CHECK(cbz_w(1, -8) == 0x34ffffc1);                     // cbz w1, .-8
    CHECK(cbnz_x(1, 12) == 0xb5000061);                    // cbnz x1, .+12
    CHECK(b(0) == 0x14000000);                             // b .
    CHECK(b(0x7fc) == 0x140001ff);                         // b .+0x7fc
    CHECK(b(-0x800) == 0x17fffe00);                        // b .-0x800
    CHECK(mrs(11, esr_el1) == 0xd538520b);                 // mrs x11, esr_el1
    CHECK(mrs(12, elr_el1) == 0xd538402c);                 // mrs x12, elr_el1
    CHECK(mrs(13, far_el1) == 0xd538600d);                 // mrs x13, far_el1
    CHECK(mrs(14, spsr_el1) == 0xd538400e);                // mrs x14, spsr_el1
    CHECK(mrs(10, cntvct_el0) == 0xd53be04a);              // mrs x10, cntvct_el0
    CHECK(mrs(1, currentel) == 0xd5384241);                // mrs x1, currentel
    CHECK(msr(vbar_el1, 0) == 0xd518c000);                 // msr vbar_el1, x0
    CHECK(msr(elr_el1, 0) == 0xd5184020);                  // msr elr_el1, x0
    CHECK(msr(spsr_el1, xzr) == 0xd518401f);               // msr spsr_el1, xzr
    CHECK(msr(cntv_tval_el0, 0) == 0xd51be300);            // msr cntv_tval_el0, x0
    CHECK(msr(cntv_ctl_el0, 1) == 0xd51be321);             // msr cntv_ctl_el0, x1
    CHECK(msr(cntv_cval_el0, 2) == 0xd51be342);            // msr cntv_cval_el0, x2
    CHECK(daifset(0xf) == 0xd5034fdf);                     // msr daifset, #0xf
    CHECK(daifclr(2) == 0xd50342ff);                       // msr daifclr, #2
}

TEST_CASE("an SVC at EL1 is taken to VBAR_EL1 + 0x200 with ESR 0x56000000 | imm and ELR after it") {
    bench t;
    program p(code_base);
    prologue(p);
    p.emit(a64::movz(5, 1));                       // MOVZ x5, #1
    const uint64_t svc_at = p.emit(a64::svc(0x1234));  // SVC #0x1234
    p.emit(a64::movz(5, 2));                       // MOVZ x5, #2 (never runs: the handler exits)
    p.b_to(p.here());                              // B .
    t.boot(p);
    t.run(sc_time(100, SC_US), sc_time(1, SC_MS));

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    CHECK(control().status() == exit_status_of_slot(slot_sync_current));
    CHECK(t.result(r_slot) == slot_sync_current);
    CHECK(t.result(r_esr) == 0x56001234);
    CHECK(t.result(r_elr) == svc_at + 4);
    CHECK((t.result(r_spsr) & 0xf) == 0x5);  // taken from EL1h
    CHECK(t.result(r_x5) == 1);
    CHECK(t.cpu.exceptions_taken() == 1);
}

TEST_CASE("an SVC at EL0 (entered by ERET) is taken to VBAR_EL1 + 0x400 with EC 0x15") {
    bench t;
    program el0(el0_base);
    el0.emit(a64::movz(5, 7));                      // MOVZ x5, #7
    const uint64_t svc_at = el0.emit(a64::svc(7));  // SVC #7
    el0.b_to(el0.here());                           // B .
    program p(code_base);
    prologue(p);
    p.mov(0, el0_base);                         // MOVZ x0, #el0_code
    p.emit(a64::msr(a64::elr_el1, 0));          // MSR ELR_EL1, x0
    p.emit(a64::msr(a64::spsr_el1, a64::xzr));  // MSR SPSR_EL1, xzr (EL0t, DAIF clear)
    p.emit(a64::eret);                          // ERET
    t.boot(p, &el0);
    t.run(sc_time(100, SC_US), sc_time(1, SC_MS));

    CHECK(control().status() == exit_status_of_slot(slot_sync_lower));
    CHECK(t.result(r_slot) == slot_sync_lower);
    CHECK(t.result(r_esr) >> 26 == 0x15);
    CHECK(t.result(r_esr) == 0x56000007);
    CHECK(t.result(r_elr) == svc_at + 4);
    CHECK((t.result(r_spsr) & 0xf) == 0);  // from EL0t
    CHECK(t.result(r_x5) == 7);            // the EL0 code ran
}

TEST_CASE("an undefined instruction without vectors ends the run with status 126 naming the exact PC") {
    bench t;
    program p(code_base);  // VBAR_EL1 stays 0
    p.emit(a64::nop);                                // NOP
    p.emit(a64::nop);                                // NOP
    const uint64_t udf_at = p.emit(a64::udf(0x1234));  // UDF #0x1234
    p.emit(a64::nop);                                // NOP
    p.b_to(p.here());                                // B .
    t.boot(p);
    capture_cerr err;
    t.run(sc_time(100, SC_US), sc_time(1, SC_MS));
    const std::string report = err.text.str();
    INFO(report);

    CHECK(control().outcome() == core::run_outcome::firmware_fault);
    CHECK(control().status() == 126);
    CHECK(report.find("firmware fault: undefined instruction at pc 0x40000008 (instruction 0x00001234)") !=
          std::string::npos);
    CHECK(udf_at == 0x40000008);
    CHECK(report.find("VBAR_EL1 is 0") != std::string::npos);
    CHECK(t.cpu.exceptions_taken() == 0);
    CHECK(sc_core::sc_time_stamp() < sc_time(1, SC_US));  // at once, not at the time limit
}

TEST_CASE("a device's error response to a load mid-block is a precise synchronous external abort") {
    bench t;
    program p(code_base);
    prologue(p);
    p.emit(a64::movz(5, 1));                                   // MOVZ x5, #1
    const uint64_t load_at = p.emit(a64::ldr_w(6, 16, 0x800));  // LDR w6, [x16, #0x800] (error)
    p.emit(a64::movz(5, 2));                                   // MOVZ x5, #2 (must not run)
    p.emit(a64::movz(7, 3));                                   // MOVZ x7, #3 (must not run)
    p.b_to(p.here());                                          // B .
    t.boot(p);
    t.run(sc_time(100, SC_US), sc_time(1, SC_MS));

    CHECK(control().status() == exit_status_of_slot(slot_sync_current));
    const uint64_t esr = t.result(r_esr);
    CHECK(esr >> 26 == 0x25);            // data abort, current EL
    CHECK((esr & 0x3f) == 0x10);         // DFSC: synchronous external abort
    CHECK((esr & (1u << 6)) == 0);       // WnR: a read
    CHECK((esr & (1u << 9)) != 0);       // EA: a slave error, not a decode error
    CHECK(t.result(r_elr) == load_at);
    CHECK(t.result(r_far) == dev_base + 0x800);
    CHECK(t.result(r_x5) == 1);
    CHECK(t.result(r_x6) == 0);
    CHECK(t.result(r_x7) == 0);
    REQUIRE(t.dev.at(0x800).size() == 1);
    CHECK_FALSE(t.dev.at(0x800)[0].write);
}

TEST_CASE("a store where nothing is mapped is a synchronous external abort (decode error)") {
    bench t;
    program p(code_base);
    prologue(p);
    p.mov(17, nothing);                                         // MOVZ x17, #nothing
    p.emit(a64::movz(5, 1));                                    // MOVZ x5, #1
    const uint64_t store_at = p.emit(a64::str_w(5, 17, 0x24));  // STR w5, [x17, #0x24]
    p.emit(a64::movz(5, 2));                                    // MOVZ x5, #2 (must not run)
    p.b_to(p.here());                                           // B .
    t.boot(p);
    t.run(sc_time(100, SC_US), sc_time(1, SC_MS));

    CHECK(control().status() == exit_status_of_slot(slot_sync_current));
    const uint64_t esr = t.result(r_esr);
    CHECK(esr >> 26 == 0x25);
    CHECK((esr & 0x3f) == 0x10);
    CHECK((esr & (1u << 6)) != 0);  // WnR: a write
    CHECK((esr & (1u << 9)) == 0);  // EA: decode error
    CHECK(t.result(r_elr) == store_at);
    CHECK(t.result(r_far) == nothing + 0x24);
    CHECK(t.result(r_x5) == 1);
}

TEST_CASE("MMIO happens at its instruction's time, not at the quantum's start") {
    bench t;  // 1 GHz: 1 ns per instruction
    program p(code_base);
    prologue(p);
    p.emit(a64::movz(5, 0xa));                            // MOVZ x5, #0xa
    const uint64_t first = p.emit(a64::str_w(5, 16, reg_log0));  // STR w5, [x16, #LOG0]
    for (int i = 0; i < 10; ++i) p.emit(a64::nop);        // NOP x 10
    const uint64_t second = p.emit(a64::str_w(5, 16, reg_log1));  // STR w5, [x16, #LOG1]
    exit_through_device(p, 0);
    t.boot(p);
    t.run(sc_time(1, SC_MS), sc_time(10, SC_MS));

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    CHECK(control().status() == 0);
    REQUIRE(t.dev.at(reg_log0).size() == 1);
    REQUIRE(t.dev.at(reg_log1).size() == 1);
    const sc_time t1 = t.dev.at(reg_log0)[0].at, t2 = t.dev.at(reg_log1)[0].at;
    // Straight-line code from the entry: the store's time is the instructions retired before it.
    CHECK(t1 == sc_time(static_cast<double>((first - code_base) / 4), SC_NS));
    CHECK(t2 - t1 == sc_time(static_cast<double>((second - first) / 4), SC_NS));
    CHECK(t2 - t1 == sc_time(11, SC_NS));
    REQUIRE(t.dev.at(reg_exit).size() == 1);
    CHECK(t.dev.at(reg_exit)[0].at == t2 + sc_time(2, SC_NS));
}

TEST_CASE("the time limit (--max-time) with a large quantum stops the core at the limit, within one block") {
    bench t;
    program p(code_base);
    prologue(p);
    const uint64_t loop = p.here();
    for (int i = 0; i < 9; ++i) p.emit(a64::nop);  // NOP x 9
    p.b_to(loop);                                  // B loop (blocks of 10 instructions)
    t.boot(p);
    t.run(sc_time(10, SC_MS), sc_time(1, SC_US));

    CHECK(control().outcome() == core::run_outcome::running);  // the CLI reports 124 from this
    CHECK(sc_core::sc_time_stamp() == sc_time(1, SC_US));
    INFO("instructions: " << t.cpu.instructions());
    CHECK(t.cpu.instructions() >= 1000);
    CHECK(t.cpu.instructions() < 1000 + 10);
}

TEST_CASE("WFI with PSTATE.I masked completes when the IRQ input rises, at that time") {
    bench t;
    program p(code_base);
    p.emit(a64::daifset(0xf));                  // MSR DAIFSet, #0xf
    prologue(p);
    p.emit(a64::str_w(5, 16, reg_log0));        // STR w5, [x16, #LOG0] (before WFI)
    p.emit(a64::wfi);                           // WFI
    p.emit(a64::mrs(10, a64::cntvct_el0));      // MRS x10, CNTVCT_EL0
    p.emit(a64::str_w(10, 16, reg_log1));       // STR w10, [x16, #LOG1]
    exit_through_device(p, 0);
    t.boot(p);
    at_time irq("irq", sc_time(5, SC_US), [&] { t.cpu.set_irq(true); });
    t.run(sc_time(1, SC_MS), sc_time(1, SC_MS));

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    CHECK(control().status() == 0);
    CHECK(t.cpu.exceptions_taken() == 0);  // masked: no IRQ taken
    CHECK(t.dev.at(reg_vector).empty());
    REQUIRE(t.dev.at(reg_log0).size() == 1);
    CHECK(t.dev.at(reg_log0)[0].at < sc_time(20, SC_NS));
    REQUIRE(t.dev.at(reg_log1).size() == 1);
    // The counter right after WFI: 5 us at 62.5 MHz is 312.5 ticks.
    CHECK(t.dev.at(reg_log1)[0].data == 312);
    // MRS then STR: the store is the second instruction after WFI completes at 5 us.
    CHECK(t.dev.at(reg_log1)[0].at == sc_time(5001, SC_NS));
}

TEST_CASE("WFI with PSTATE.I clear: the rising IRQ input is taken at VBAR_EL1 + 0x280") {
    bench t;
    program p(code_base);
    prologue(p);
    p.emit(a64::daifclr(2));                // MSR DAIFClr, #2 (unmask IRQ)
    const uint64_t wfi_at = p.emit(a64::wfi);  // WFI
    p.emit(a64::movz(5, 1));                // MOVZ x5, #1 (not before the handler)
    p.b_to(p.here());                       // B .
    t.boot(p);
    at_time irq("irq", sc_time(5, SC_US), [&] { t.cpu.set_irq(true); });
    t.run(sc_time(1, SC_MS), sc_time(1, SC_MS));

    CHECK(control().status() == exit_status_of_slot(slot_irq_current));
    CHECK(t.result(r_slot) == slot_irq_current);
    CHECK(t.result(r_elr) == wfi_at + 4);
    CHECK(t.result(r_x5) == 0);
    CHECK(t.result(r_cntvct) == 312);  // 5 us and a few instructions at 62.5 MHz
    REQUIRE(t.dev.at(reg_vector).size() == 1);
    const sc_time entry = t.dev.at(reg_vector)[0].at;
    INFO("vector store at " << entry << ", " << handler_instructions << " instructions into the handler");
    // Taken at 5 us exactly: the store is the handler's own instructions later.
    CHECK(entry == sc_time(5, SC_US) + ns(handler_instructions));
}

namespace {
// CNTV_TVAL = 625 ticks (10 us at 62.5 MHz), CNTV_CTL = ENABLE, IRQs unmasked, then `wait`.
void arm_virtual_timer(program& p) {
    prologue(p);
    p.emit(a64::daifclr(2));                     // MSR DAIFClr, #2
    p.emit(a64::movz(0, 625));                   // MOVZ x0, #625
    p.emit(a64::msr(a64::cntv_tval_el0, 0));     // MSR CNTV_TVAL_EL0, x0
    p.emit(a64::movz(1, 1));                     // MOVZ x1, #1
    p.emit(a64::msr(a64::cntv_ctl_el0, 1));      // MSR CNTV_CTL_EL0, x1
}

struct line_watch {
    std::vector<std::pair<bool, sc_time>> edges;
};
} // namespace

TEST_CASE("the virtual timer's deadline wakes WFI: its line rises at the deadline, the IRQ is taken") {
    bench t;
    program p(code_base);
    arm_virtual_timer(p);
    const uint64_t wfi_at = p.emit(a64::wfi);  // WFI
    p.b_to(p.here());                          // B .
    t.boot(p);
    line_watch w;
    t.cpu.timer_virt_irq.on_change([&](bool level) {
        w.edges.emplace_back(level, sc_core::sc_time_stamp());
        t.cpu.set_irq(level);  // as the interrupt controller would
    });
    t.run(sc_time(1, SC_MS), sc_time(1, SC_MS));

    REQUIRE_FALSE(w.edges.empty());
    CHECK(w.edges[0].first);
    CHECK(w.edges[0].second == sc_time(10, SC_US));  // the TVAL write was at counter 0
    CHECK(t.cpu.timer_phys_irq.level() == false);
    CHECK(control().status() == exit_status_of_slot(slot_irq_current));
    CHECK(t.result(r_elr) == wfi_at + 4);
    CHECK(t.result(r_cntvct) == 625);
    REQUIRE(t.dev.at(reg_vector).size() == 1);
    const sc_time entry = t.dev.at(reg_vector)[0].at;
    INFO("vector store at " << entry << ", " << handler_instructions << " instructions into the handler");
    CHECK(entry == sc_time(10, SC_US) + ns(handler_instructions));
}

TEST_CASE("the virtual timer interrupts a busy loop at its deadline, within one block") {
    bench t;
    program p(code_base);
    arm_virtual_timer(p);
    const uint64_t loop = p.here();
    for (int i = 0; i < 9; ++i) p.emit(a64::nop);  // NOP x 9
    p.b_to(loop);                                  // B loop (blocks of 10 instructions)
    t.boot(p);
    line_watch w;
    t.cpu.timer_virt_irq.on_change([&](bool level) {
        w.edges.emplace_back(level, sc_core::sc_time_stamp());
        t.cpu.set_irq(level);
    });
    t.run(sc_time(1, SC_MS), sc_time(1, SC_MS));

    REQUIRE_FALSE(w.edges.empty());
    INFO("line rose at " << w.edges[0].second);
    CHECK(w.edges[0].second >= sc_time(10, SC_US));
    CHECK(w.edges[0].second < sc_time(10, SC_US) + sc_time(10, SC_NS));
    CHECK(control().status() == exit_status_of_slot(slot_irq_current));
    const uint64_t elr = t.result(r_elr);
    CHECK(elr >= loop);
    CHECK(elr <= loop + 36);  // somewhere in the loop
    CHECK(t.result(r_cntvct) == 625);
    REQUIRE(t.dev.at(reg_vector).size() == 1);
    const sc_time entry = t.dev.at(reg_vector)[0].at;
    INFO("vector store at " << entry << ", " << handler_instructions << " instructions into the handler");
    // Taken at the block boundary where the line rose.
    CHECK(entry == w.edges[0].second + ns(handler_instructions));
}

TEST_CASE("polling a device's status sees its work complete at its time, without a quantum of polls") {
    bench t;
    program p(code_base);
    prologue(p);
    p.emit(a64::movz(3, 0));                       // MOVZ x3, #0
    p.emit(a64::str_w(5, 16, reg_doorbell));       // STR w5, [x16, #DOORBELL]
    const uint64_t loop = p.here();
    p.emit(a64::ldr_w(1, 16, reg_status));         // loop: LDR w1, [x16, #STATUS]
    p.emit(a64::add(3, 3, 1));                     // ADD x3, x3, #1
    p.cbz_w_to(1, loop);                           // CBZ w1, loop
    p.emit(a64::str_w(3, 16, reg_log2));           // STR w3, [x16, #LOG2] (the number of polls)
    exit_through_device(p, 0);
    t.boot(p);
    t.run(sc_time(1, SC_MS), sc_time(10, SC_MS));

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    REQUIRE(t.dev.at(reg_doorbell).size() == 1);
    REQUIRE(t.dev.done);
    const sc_time rung = t.dev.at(reg_doorbell)[0].at;
    CHECK(t.dev.done_at == rung + sc_time(2, SC_US));
    const auto polls = t.dev.at(reg_status);
    REQUIRE(t.dev.at(reg_log2).size() == 1);
    CHECK(t.dev.at(reg_log2)[0].data == polls.size());
    INFO("doorbell at " << rung << ", done at " << t.dev.done_at << ", " << polls.size() << " polls, last at "
                        << polls.back().at);
    // Each poll at its own instruction's time: 3 instructions (3 ns) apart.
    for (size_t i = 1; i < polls.size(); ++i) CHECK(polls[i].at - polls[i - 1].at == sc_time(3, SC_NS));
    // The first poll that sees the work done comes within one loop iteration of its completion.
    CHECK(polls.back().data == 1);
    CHECK(polls.back().at >= t.dev.done_at);
    CHECK(polls.back().at < t.dev.done_at + sc_time(3, SC_NS));
    CHECK(polls[polls.size() - 2].data == 0);
    // ~2 us / 3 ns of polls, not a quantum's worth (1 ms / 3 ns).
    CHECK(polls.size() <= 2000 / 3 + 2);
    CHECK(sc_core::sc_time_stamp() < sc_time(3, SC_US));
}

TEST_CASE("WFI with nothing scheduled anywhere is a fault (status 126) at once, not at the time limit") {
    bench t;
    program p(code_base);
    p.emit(a64::nop);                        // NOP
    const uint64_t wfi_at = p.emit(a64::wfi);  // WFI
    p.b_to(p.here());                        // B .
    t.boot(p);
    capture_cerr err;
    t.run(sc_time(100, SC_US), sc_time(1, sc_core::SC_SEC));
    const std::string report = err.text.str();
    INFO(report);

    CHECK(control().outcome() == core::run_outcome::firmware_fault);
    CHECK(control().status() == 126);
    CHECK(report.find("WFI with no interrupt pending") != std::string::npos);
    CHECK(report.find("at pc 0x40000004 (instruction 0xd503207f)") != std::string::npos);
    CHECK(wfi_at == 0x40000004);
    CHECK(sc_core::sc_time_stamp() < sc_time(1, SC_US));
}

// ---- Debugging (arm64_cpu_debug.cpp) -------------------------------------------------------------

namespace {

using stop_reason = cpu::arm64_cpu::stop_event::reason;
using resume_mode = cpu::arm64_cpu::resume_mode;

// A debugger that halts the core before its first instruction, records every halt (why, the pc,
// the core's time, a watchpoint's address) and answers each with `on_halt`.
struct scripted_debugger : cpu::arm64_cpu::debugger {
    struct halt {
        stop_reason why;
        uint64_t pc;
        sc_time at;
        uint64_t data_address;  // a watchpoint's
        bool data_write;
    };
    std::vector<halt> halts;
    std::function<resume_mode(cpu::arm64_cpu&, size_t)> on_halt;
    bool attach_pending = true;

    resume_mode halted(cpu::arm64_cpu& core, const cpu::arm64_cpu::stop_event& stop) override {
        std::vector<uint8_t> bytes;
        core.read_register(32, bytes);
        uint64_t pc = 0;
        std::memcpy(&pc, bytes.data(), 8);
        halts.push_back({stop.why, pc, core.now(), stop.data_address, stop.data_write});
        return on_halt ? on_halt(core, halts.size() - 1) : resume_mode::run;
    }
    bool halt_wanted() override {
        const bool want = attach_pending;
        attach_pending = false;
        return want;
    }
};

uint64_t read_x(cpu::arm64_cpu& core, unsigned n) {
    std::vector<uint8_t> bytes;
    core.read_register(n, bytes);
    uint64_t v = 0;
    std::memcpy(&v, bytes.data(), bytes.size());
    return v;
}

} // namespace

TEST_CASE("a breakpoint mid-block and a step halt at their instructions and leave the run's timing unchanged") {
    cpu::arm64_cpu::use_small_code_cache();  // as socsim run --gdb: flushes are cheap
    bench t;  // 1 GHz: 1 ns per instruction
    program p(code_base);
    prologue(p);
    p.emit(a64::movz(5, 0xa));
    const uint64_t first = p.emit(a64::str_w(5, 16, reg_log0));
    uint64_t breakpoint = 0;
    for (int i = 0; i < 10; ++i) {
        const uint64_t at = p.emit(a64::nop);
        if (i == 5) breakpoint = at;
    }
    const uint64_t second = p.emit(a64::str_w(5, 16, reg_log1));
    exit_through_device(p, 0);
    t.boot(p);

    scripted_debugger d;
    d.on_halt = [&](cpu::arm64_cpu& core, size_t n) {
        if (n == 0) core.set_breakpoint(breakpoint, true);
        if (n == 1) {
            // Registers read and written while halted.
            std::vector<uint8_t> x7(8, 0);
            x7[0] = 0x42;
            core.write_register(7, x7);
            return resume_mode::step;
        }
        return resume_mode::run;
    };
    t.cpu.attach_debugger(&d, true);
    t.run(sc_time(1, SC_MS), sc_time(10, SC_MS));

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    REQUIRE(d.halts.size() == 3);
    CHECK(d.halts[0].why == stop_reason::attached);
    CHECK(d.halts[0].pc == code_base);
    CHECK(d.halts[1].why == stop_reason::breakpoint);
    CHECK(d.halts[1].pc == breakpoint);
    CHECK(d.halts[1].at == ns((breakpoint - code_base) / 4));  // the instructions before it, no more
    CHECK(d.halts[2].why == stop_reason::step);
    CHECK(d.halts[2].pc == breakpoint + 4);
    CHECK(read_x(t.cpu, 7) == 0x42);
    // The stores happen at the times of a run without a debugger.
    REQUIRE(t.dev.at(reg_log0).size() == 1);
    REQUIRE(t.dev.at(reg_log1).size() == 1);
    CHECK(t.dev.at(reg_log0)[0].at == ns((first - code_base) / 4));
    CHECK(t.dev.at(reg_log1)[0].at == ns((second - code_base) / 4));
}

TEST_CASE("a breakpoint that is never reached leaves the timing of a loop across slice ends unchanged") {
    // Any code hook changes how Unicorn leaves a block from the block hook (the end of each
    // slice); the core must resume at that block, not at an instruction that already ran.
    cpu::arm64_cpu::use_small_code_cache();
    bench t;  // 1 GHz: 1 ns per instruction
    program p(code_base);
    prologue(p);
    constexpr unsigned iterations = 300;
    p.emit(a64::movz(1, iterations));
    p.emit(a64::movz(5, 0xa));
    const uint64_t loop = p.emit(0xd1000421);  // SUB x1, x1, #1  } two blocks per iteration
    p.emit(a64::b(4));                          // B next            }
    p.emit(a64::cbnz_x(1, static_cast<int64_t>(loop) - static_cast<int64_t>(p.here())));  // next: CBNZ x1, loop
    p.emit(a64::str_w(5, 16, reg_log1));
    exit_through_device(p, 0);
    t.boot(p);

    scripted_debugger d;
    d.on_halt = [&](cpu::arm64_cpu& core, size_t n) {
        if (n == 0) core.set_breakpoint(code_base + 0x800, true);  // nothing there runs
        return resume_mode::run;
    };
    t.cpu.attach_debugger(&d, true);
    t.run(sc_time(37, SC_NS), sc_time(10, SC_MS));  // a slice end every 37 instructions or so

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    CHECK(d.halts.size() == 1);
    REQUIRE(t.dev.at(reg_log1).size() == 1);
    CHECK(t.dev.at(reg_log1)[0].at == ns((loop - code_base) / 4 + 3 * iterations));
}

TEST_CASE("a halt requested during a device access mid-block stops the core right after that instruction") {
    cpu::arm64_cpu::use_small_code_cache();
    bench t;
    program p(code_base);
    prologue(p);
    p.emit(a64::movz(5, 0xa));
    const uint64_t first = p.emit(a64::str_w(5, 16, reg_log0));  // the device asks for a halt here
    for (int i = 0; i < 10; ++i) p.emit(a64::nop);
    const uint64_t second = p.emit(a64::str_w(5, 16, reg_log1));
    exit_through_device(p, 0);
    t.boot(p);

    scripted_debugger d;
    d.attach_pending = false;
    t.dev.on_access = [&](const test_device::access& a) {
        if (a.offset != reg_log0) return;
        cpu::arm64_cpu::stop_event e;
        e.why = stop_reason::diagnostic;
        t.cpu.request_halt(e);
    };
    t.cpu.attach_debugger(&d, false);
    t.run(sc_time(1, SC_MS), sc_time(10, SC_MS));

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    REQUIRE(d.halts.size() == 1);
    CHECK(d.halts[0].why == stop_reason::diagnostic);
    CHECK(d.halts[0].pc == first + 4);
    REQUIRE(t.dev.at(reg_log0).size() == 1);  // the access was made once
    REQUIRE(t.dev.at(reg_log1).size() == 1);
    CHECK(t.dev.at(reg_log1)[0].at == ns((second - code_base) / 4));
}

TEST_CASE("a write watchpoint stops the core before the storing instruction, naming the address") {
    // As GDB expects of AArch64 (non-steppable) watchpoints: the store has not happened and the PC
    // is at it; resuming runs it, even with the watchpoint still set.
    cpu::arm64_cpu::use_small_code_cache();
    bench t;
    program p(code_base);
    prologue(p);
    const uint64_t variable = results_base + 0x80;
    p.mov(6, variable);
    p.emit(a64::movz(5, 0x7));
    p.emit(a64::nop);
    const uint64_t store = p.emit(a64::str_w(5, 6, 0));  // STR w5, [x6]
    p.emit(a64::nop);
    exit_through_device(p, 0);
    t.boot(p);

    scripted_debugger d;
    uint8_t at_stop[4] = {0xff, 0xff, 0xff, 0xff};
    uint64_t x5_at_stop = 0;
    d.on_halt = [&](cpu::arm64_cpu& core, size_t n) {
        if (n == 0) core.set_watchpoint(variable, 4, 2, true);
        if (n == 1) {
            core.debug_read(variable, at_stop, 4);
            std::vector<uint8_t> bytes;
            core.read_register(5, bytes);
            std::memcpy(&x5_at_stop, bytes.data(), 8);
        }
        return resume_mode::run;
    };
    t.cpu.attach_debugger(&d, true);
    t.run(sc_time(1, SC_MS), sc_time(10, SC_MS));

    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    REQUIRE(d.halts.size() == 2);
    CHECK(d.halts[1].why == stop_reason::watchpoint);
    CHECK(d.halts[1].pc == store);
    CHECK(d.halts[1].data_address == variable);
    CHECK(d.halts[1].data_write);
    CHECK(x5_at_stop == 7);      // the instructions before the store ran
    CHECK(at_stop[0] == 0);      // the store did not
    uint8_t word[4] = {};
    CHECK(t.cpu.debug_read(variable, word, 4) == 4);
    CHECK(word[0] == 7);         // resumed, it did
}

TEST_CASE("a write watchpoint on a device register stops the core before the device sees the write") {
    cpu::arm64_cpu::use_small_code_cache();
    bench t;
    program p(code_base);
    prologue(p);
    p.emit(a64::nop);
    const uint64_t store = p.here() + 4;  // exit_through_device: MOVZ, then the STR to EXIT
    exit_through_device(p, 3);
    t.boot(p);

    scripted_debugger d;
    bool exited_at_stop = true;
    d.on_halt = [&](cpu::arm64_cpu& core, size_t n) {
        if (n == 0) core.set_watchpoint(dev_base + reg_exit, 4, 2, true);
        if (n == 1) exited_at_stop = control().stopping();
        return resume_mode::run;
    };
    t.cpu.attach_debugger(&d, true);
    t.run(sc_time(1, SC_MS), sc_time(10, SC_MS));

    REQUIRE(d.halts.size() == 2);
    CHECK(d.halts[1].why == stop_reason::watchpoint);
    CHECK(d.halts[1].pc == store);
    CHECK(d.halts[1].data_address == dev_base + reg_exit);
    CHECK_FALSE(exited_at_stop);  // the device had not seen the write
    CHECK(control().outcome() == core::run_outcome::firmware_exit);
    CHECK(control().status() == 3);
}
