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
//   0x20 DOORBELL    WO  any write: process descriptors from HEAD until HEAD == TAIL
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
// Time: each descriptor takes socsim,descriptor-ns plus socsim,ps-per-byte per byte plus the
// latency the bus and IOMMU annotate; the engine completes descriptors one at a time.
// Reset values: all zero except ID.

#include <cstdint>
#include <systemc>

#include "models/core/irq_line.h"
#include "models/core/peripheral.h"
#include "models/devices/dma_port.h"

namespace socsim::devices {

class dma_engine : public core::peripheral {
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

    dma_port dma;
    core::irq_line irq;

    SC_HAS_PROCESS(dma_engine);
    dma_engine(sc_core::sc_module_name name, const config& cfg);

private:
    void declare_registers();
    void engine_thread();
    // Runs one descriptor; returns false when the engine must stop.
    bool process(uint32_t index, sc_core::sc_time& delay);
    uint32_t execute(uint32_t control, uint64_t src, uint64_t dst, uint32_t length, sc_core::sc_time& delay);
    void stop(uint32_t code, uint32_t index, uint64_t address);
    void update_irq();

    config cfg_;
    sc_core::sc_event doorbell_;
    uint64_t fail_address_ = 0;  // of the last failed transfer
    uint8_t bounce_[4096];
};

} // namespace socsim::devices
