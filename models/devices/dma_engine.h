#pragma once
// socsim's platform DMA engine: copy and fill operations from a descriptor ring in memory, with
// completion status written back into each descriptor. It stands in for the USB controllers'
// DMA behind the Apple DARTs (and any platform DMA master): every access it makes (descriptor
// fetch, source read, destination write, status write-back) carries its stream id.
//
// DT: compatible "socsim,dma-engine"; reg (0x1000); interrupts; `iommus = <&iommu stream>` or
// `socsim,iommus` (the stream id is the first cell after the phandle; none: no stream id);
// `socsim,descriptor-ns` (time per descriptor, default 100), `socsim,ps-per-byte` (time per
// byte moved, default 250: 4 GB/s).
//
// Registers (32-bit unless noted; 64-bit ones accept two 32-bit halves, low first):
//   0x00 ID          RO  0x444d4145 ("DMAE")
//   0x08 RING_BASE   RW  64-bit bus address of the ring (32-byte aligned; low 5 bits read 0)
//   0x10 RING_SIZE   RW  descriptors in the ring, 1..65536 (0 or more: the ring is invalid)
//   0x14 CONTROL     RW  bit 0 ENABLE (0: the doorbell is ignored; clearing it resets HEAD to 0)
//   0x18 HEAD        RO  index of the next descriptor the engine processes
//   0x1c TAIL        RW  index one past the last descriptor software queued (mod RING_SIZE)
//   0x20 DOORBELL    WO  any write: process descriptors from HEAD until HEAD == TAIL (the TAIL
//                        written before this doorbell; a later TAIL needs another doorbell)
//   0x24 STATUS      RO  bit 0 BUSY, bit 1 ERROR (stopped on an error; see ERROR_*)
//   0x28 INT_STATUS  W1C bit 0 DONE (a descriptor with the IRQ flag completed), bit 1 ERROR
//   0x2c INT_ENABLE  RW  same bits; the interrupt line is INT_STATUS & INT_ENABLE != 0
//   0x30 ERROR_CODE  RO  status code of the failure (below)   0x34 ERROR_INDEX RO  its descriptor
//   0x38 ERROR_ADDR  RO  64-bit bus address that failed
//   0x40 COMPLETED   RO  descriptors completed successfully since reset
//   0x44 ERROR_CLEAR WO  write 1: clear STATUS.ERROR (and ERROR_*), so the next doorbell resumes
// Descriptor (32 bytes, little-endian, at RING_BASE + 32 * index):
//   +0x00 u32 control: bits 7:0 opcode (1 COPY src -> dst, 2 FILL dst with the 32-bit pattern in
//         src's low word), bit 31 IRQ (raise INT_STATUS.DONE when it completes)
//   +0x04 u32 status, written by the engine: 1 OK, 0x81 SRC_ERROR (a source read failed),
//         0x82 DST_ERROR (a destination write failed), 0x83 BAD_OPCODE, 0x84 BAD_LENGTH (0)
//   +0x08 u64 src (COPY) or pattern (FILL)   +0x10 u64 dst   +0x18 u32 length   +0x1c reserved
// Errors: a descriptor that fails gets its status code written back, HEAD moves past it, the
// engine stops with STATUS.ERROR and INT_STATUS.ERROR; the doorbell is ignored (with a
// diagnostic) until ERROR_CLEAR. A descriptor that cannot be fetched (0x85 DESC_READ: HEAD stays)
// or whose status cannot be written back (0x86 DESC_WRITE: HEAD moves on) stops the engine the
// same way; so does a doorbell with an invalid ring (0x87 BAD_RING: RING_SIZE 0 or too large,
// TAIL >= RING_SIZE). A transfer is done in 4 KiB-bounded bursts through a 4 KiB bounce buffer;
// bytes written before a failing burst stay written.
// Timeline (every step at its own simulated time; the access time of a register write is the
// time the initiator annotates, e.g. the CPU instruction's):
//   - doorbell written at t: STATUS.BUSY reads 1 from the write on; the engine starts at t;
//   - descriptor i starting at s: the fetch is issued at s, then descriptor-ns, then each burst
//     (up to 4 KiB): the source read, the destination write, ps-per-byte per byte; every access
//     is issued once the previous one's latency (as the bus and IOMMU annotate it) has passed;
//   - descriptor i completes at c = s + fetch latency + descriptor-ns + the bursts' latencies +
//     ps-per-byte * length: at c its status is written back, HEAD becomes i + 1, COMPLETED and
//     INT_STATUS.DONE are updated, and, when HEAD has reached the doorbell's TAIL (and no later
//     doorbell is pending), BUSY clears at that same time c: never before, not later. The next
//     descriptor starts when the write-back's latency has passed;
//   - a failure stops the engine when it is found (a failing access: its issue time plus its
//     latency; a bad opcode or length: after descriptor-ns): the status write-back, HEAD (moved
//     past it, except for DESC_READ), ERROR and the error registers at that time, and BUSY
//     clears at that same time (doorbells written meanwhile are dropped, with a diagnostic).
// So data is in memory before its status, and the status before HEAD says so. Clearing
// CONTROL.ENABLE resets HEAD to 0, drops pending doorbells and clears BUSY once the descriptor
// in progress (if any) has finished (its status is written back, HEAD is not advanced).
// Reset values: all zero except ID.

#include <cstdint>
#include <deque>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/irq_line.h"
#include "models/core/log.h"
#include "models/core/register_file.h"
#include "models/devices/dma_port.h"
#include "models/devices/interrupt_registers.h"

namespace socsim::devices {

// Not a core::peripheral: the doorbell needs the access's annotated time, which the shared
// register-socket glue does not pass on.
class dma_engine : public sc_core::sc_module {
public:
    static constexpr uint32_t id_value = 0x444d4145;
    static constexpr unsigned descriptor_size = 32;
    static constexpr uint32_t max_ring = 65536;
    enum opcode : uint32_t { op_copy = 1, op_fill = 2 };
    enum code : uint32_t {
        st_ok = 1, st_src_error = 0x81, st_dst_error = 0x82, st_bad_opcode = 0x83, st_bad_length = 0x84,
        st_desc_read = 0x85, st_desc_write = 0x86, st_bad_ring = 0x87
    };
    static constexpr uint32_t desc_irq = 1u << 31;
    static constexpr uint32_t int_done = 1, int_error = 2;
    static constexpr uint32_t status_busy = 1, status_error = 2;

    struct config {
        uint32_t stream_id = core::dma_extension::no_id;
        sc_core::sc_time per_descriptor = sc_core::sc_time(100, sc_core::SC_NS);
        sc_core::sc_time per_byte = sc_core::sc_time(250, sc_core::SC_PS);
    };

    tlm_utils::simple_target_socket<dma_engine> socket;  // registers
    dma_port dma;
    core::irq_line irq;

    SC_HAS_PROCESS(dma_engine);
    dma_engine(sc_core::sc_module_name name, const config& cfg);

private:
    struct doorbell {
        sc_core::sc_time at;  // the write's time
        uint32_t tail;        // TAIL when it was written
    };

    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& p);
    void write_control(uint64_t old, uint64_t now);
    void write_error_clear(uint64_t now);
    void ring_doorbell();
    void engine_thread();
    // Takes the doorbells whose time has come: the engine's target becomes their TAIL.
    void take_due_doorbells();
    // BUSY clears when nothing is left to do: HEAD at the target (or stopped, or disabled) and no
    // doorbell pending.
    void clear_busy_if_idle();
    bool has_work() const;
    // Lets `delay` pass (the thread waits) and zeroes it.
    void settle(sc_core::sc_time& delay);
    // Runs one descriptor, returning at its completion time (HEAD advanced or the engine
    // stopped); `after` receives the status write-back's latency. False when the engine stopped.
    bool process(uint32_t index, sc_core::sc_time& after);
    uint32_t execute(uint32_t control, uint64_t src, uint64_t dst, uint32_t length, sc_core::sc_time& delay);
    void stop(uint32_t code, uint32_t index, uint64_t address);

    config cfg_;
    core::register_file regs_;
    core::logger log_;
    sc_core::sc_time access_time_;      // of the register access in progress
    std::deque<doorbell> doorbells_;    // accepted, not yet taken by the engine
    sc_core::sc_event doorbell_;
    uint32_t target_ = 0;               // the TAIL the engine works towards
    bool running_ = false;              // inside process()
    sc_core::sc_time port_free_at_;     // the last write-back's latency has passed
    uint64_t fail_address_ = 0;         // of the last failed transfer
    uint8_t bounce_[4096];

    core::reg& id_ = regs_.add("ID", 0x00, 4).reset_value(id_value).read_only();
    core::reg& ring_base_ = regs_.add("RING_BASE", 0x08, 8).read_only(descriptor_size - 1);
    core::reg& ring_size_ = regs_.add("RING_SIZE", 0x10, 4);
    core::reg& control_ = regs_.add("CONTROL", 0x14, 4).read_only(~uint64_t{1}).on_write(this, &dma_engine::write_control);
    core::reg& head_ = regs_.add("HEAD", 0x18, 4).read_only();
    core::reg& tail_ = regs_.add("TAIL", 0x1c, 4);
    core::reg& doorbell_reg_ = regs_.add("DOORBELL", 0x20, 4).write_only().on_write(this, &dma_engine::ring_doorbell);
    core::reg& status_ = regs_.add("STATUS", 0x24, 4).read_only();
    interrupt_registers interrupts_{regs_, 0x28, int_done | int_error, irq};  // INT_STATUS, INT_ENABLE
    core::reg& error_code_ = regs_.add("ERROR_CODE", 0x30, 4).read_only();
    core::reg& error_index_ = regs_.add("ERROR_INDEX", 0x34, 4).read_only();
    core::reg& error_addr_ = regs_.add("ERROR_ADDR", 0x38, 8).read_only();
    core::reg& completed_ = regs_.add("COMPLETED", 0x40, 4).read_only();
    core::reg& error_clear_ = regs_.add("ERROR_CLEAR", 0x44, 4).write_only().on_write(this, &dma_engine::write_error_clear);
};

} // namespace socsim::devices
