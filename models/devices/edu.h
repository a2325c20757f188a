#pragma once
// QEMU's educational PCI device "edu" (QEMU docs/specs/edu.rst, hw/misc/edu.c), register for
// register, as a PCI function behind the socsim host bridge.
//
// Configuration header (as QEMU 7.2 shows it): vendor 0x1234, device 0x11e8, revision 0x10,
// class 0x00ff00 (PCI_CLASS_OTHERS), subsystem 0x1af4 / 0x1100, interrupt pin A, BAR0 32-bit
// non-prefetchable memory of 1 MiB, an MSI capability at 0x40 (1 vector, 64-bit; status bit 4
// set, capabilities pointer 0x40).
//
// BAR0 registers (4-byte accesses below 0x80; 4- or 8-byte accesses from 0x80):
//   0x00 identification  0x010000ed, read-only
//   0x04 liveness        reads the bitwise NOT of the last value written (0 after reset)
//   0x08 factorial       a write starts computing n! (32-bit, wrapping) unless one is running
//                        (then the write is ignored); reads the argument until done, then n!
//   0x20 status          bit 0 computing (read-only), bit 7 raise interrupt 0x001 when done
//   0x24 interrupt status read-only
//   0x60 raise interrupt write: status |= value (the line is asserted while status != 0)
//   0x64 acknowledge     write: status &= ~value
//   0x80 DMA source, 0x88 DMA destination, 0x90 DMA count (64-bit; ignored while a DMA runs)
//   0x98 DMA command     bit 0 start, bit 1 direction (0: RAM -> device buffer, 1: buffer ->
//                        RAM), bit 2 raise interrupt 0x100 when done. A write without bit 0, or
//                        while a DMA runs, is ignored. Bit 0 clears when the DMA completes.
// The device's 4 KiB DMA buffer lives at 0x40000..0x40fff of the device's own DMA address space
// (the `src` of a device -> RAM transfer, the `dst` of a RAM -> device one); it is not visible
// through BAR0.
//
// As QEMU: reads at offsets with no register (and of 0x60 / 0x64) return all-ones and writes
// there are ignored; an 8-byte access below 0x80 reads all-ones and is ignored; a 4-byte write
// to the low half of a DMA register zero-extends into the whole register. 1- and 2-byte and
// misaligned accesses are refused (TLM error: QEMU's valid sizes are 4 and 8, aligned).
// Choices where this model differs from QEMU, and why:
// - a 4-byte access to the high half of a DMA register (0x84, 0x8c, 0x94, 0x9c) reaches that
//   half (QEMU: all-ones / ignored), because socsim's CPU splits every 8-byte MMIO access into
//   two 4-byte halves, low first, and a 64-bit access must still read and write the whole
//   register;
// - the DMA bus address is clamped to the DMA mask (`socsim,dma-mask`, default 28 bits), with
//   one diagnostic, exactly as QEMU's edu_clamp_addr does (the DMA then goes to the clamped
//   address); a buffer range outside 0x40000..0x40fff is reported and the transfer is skipped
//   (QEMU logs it and overruns its buffer); the command still completes (bit 0 clears and the
//   interrupt is raised if asked) so that a driver waiting for it does not hang;
// - completion: QEMU runs the DMA from a 100 ms timer; here the transfer happens
//   `socsim,dma-delay-ns` (default 1000 ns) after the command write, then the command
//   completes after the transfer's own latency. The factorial completes after
//   `socsim,factorial-delay-ns` (default 100 ns; QEMU uses a host thread). Arguments of 34 and
//   above give 0, as the 32-bit product does;
// - a DMA refused upstream (bus master disabled, Unsupported Request, IOMMU fault) is logged
//   here too and the command completes; the buffer is unchanged for a refused read;
// - interrupts, as QEMU's edu_raise_irq / edu_lower_irq: the interrupt status register (0x24) is
//   set by the raise register, the factorial and the DMA completion, and cleared by the
//   acknowledge register.
//   INTx (`intx`, level, through the endpoint: Command.INTx-disable masks it): asserted while the
//   status is not zero and MSI is off. Routed by the host bridge node's interrupt-map.
//   MSI (capability at 0x40, 1 vector, 64-bit address, 16-bit data, no masking): while MSI
//   Control.Enable is set, every raise that leaves the status non-zero sends one message: a
//   4-byte little-endian write of the message data (zero-extended) to the message address,
//   issued on the endpoint's DMA path (so the host bridge checks bus mastering and windows and the
//   IOMMU translates it like any DMA; on QEMU's virt it lands on the GICv2m frame). Messages go
//   out from a thread of their own, in order, one delta cycle after the raise. Acknowledging sends
//   nothing. Enabling MSI deasserts INTx (as QEMU's msi_write_config does). A message refused
//   upstream is reported (one warning each) and dropped.
//
// DT: compatible "pci1234,11e8" (a child of a PCIe host bridge node, `reg` = devfn << 8);
// `socsim,dma-delay-ns`, `socsim,factorial-delay-ns`, `socsim,dma-mask`.

#include <array>
#include <cstdint>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/register_file.h"
#include "models/pcie/pcie_endpoint.h"

namespace socsim::devices {

class edu : public pcie::pcie_endpoint {
public:
    static constexpr uint32_t identification = 0x010000ed;
    static constexpr uint64_t buffer_base = 0x40000;
    static constexpr uint64_t buffer_size = 4096;
    static constexpr uint32_t irq_factorial = 0x001;
    static constexpr uint32_t irq_dma = 0x100;
    static constexpr uint64_t bar0_size = 1u << 20;

    struct config {
        sc_core::sc_time dma_delay = sc_core::sc_time(1, sc_core::SC_US);
        sc_core::sc_time factorial_delay = sc_core::sc_time(100, sc_core::SC_NS);
        uint64_t dma_mask = (uint64_t{1} << 28) - 1;
    };

    tlm_utils::simple_target_socket<edu> mmio;  // BAR0

    SC_HAS_PROCESS(edu);
    edu(sc_core::sc_module_name name, const config& cfg);

    // The DMA buffer (0x40000 in the device's address space), for tests and inspection.
    std::array<uint8_t, buffer_size>& buffer() { return buffer_; }

private:
    static constexpr uint32_t status_computing = 0x01, status_irq_factorial = 0x80;  // STATUS
    static constexpr uint64_t dma_run = 0x1, dma_to_ram = 0x2, dma_irq = 0x4;        // DMA_CMD

    void mmio_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned mmio_debug(tlm::tlm_generic_payload& p);
    void write_liveness(uint64_t now) { liveness_.set(~now); }
    void write_factorial(uint64_t old, uint64_t now);
    static uint64_t all_ones(const core::reg&, bool) { return 0xffffffff; }
    void write_intr_raise(uint64_t now) { raise(static_cast<uint32_t>(now)); }
    void write_intr_ack(uint64_t now) { lower(static_cast<uint32_t>(now)); }
    void write_dma_field(core::reg& r, uint64_t old, uint64_t now);
    void write_dma_cmd(uint64_t old, uint64_t now);
    void raise(uint32_t bits);
    void lower(uint32_t bits);
    bool dma_running() const;
    void factorial_done();
    void dma_thread();
    void run_dma();
    uint64_t clamp(uint64_t address) const;
    void config_written(unsigned offset, unsigned len) override;
    bool msi_enabled() const;
    void msi_thread();
    void send_msi();

    config cfg_;
    core::register_file regs_;
    std::array<uint8_t, buffer_size> buffer_{};
    sc_core::sc_event factorial_event_;
    sc_core::sc_event dma_event_;
    bool low_half_write_ = false;  // the access in progress is a 4-byte write to a DMA register's low half
    bool msi_on_ = false;          // MSI Control.Enable as last written
    unsigned msi_pending_ = 0;     // messages raised and not yet sent
    sc_core::sc_event msi_event_;

    core::reg& id_ = regs_.add("ID", 0x00, 4).reset_value(identification).read_only();
    core::reg& liveness_ = regs_.add("LIVENESS", 0x04, 4).on_write(this, &edu::write_liveness);
    core::reg& factorial_ = regs_.add("FACTORIAL", 0x08, 4).on_write(this, &edu::write_factorial);
    core::reg& status_ = regs_.add("STATUS", 0x20, 4).read_only(~uint64_t{status_irq_factorial});
    core::reg& intr_status_ = regs_.add("INTR_STATUS", 0x24, 4).read_only();
    core::reg& intr_raise_ = regs_.add("INTR_RAISE", 0x60, 4).on_read(all_ones).on_write(this, &edu::write_intr_raise);
    core::reg& intr_ack_ = regs_.add("INTR_ACK", 0x64, 4).on_read(all_ones).on_write(this, &edu::write_intr_ack);
    core::reg& dma_src_ = regs_.add("DMA_SRC", 0x80, 8).access_sizes({4, 8}).on_write(this, &edu::write_dma_field);
    core::reg& dma_dst_ = regs_.add("DMA_DST", 0x88, 8).access_sizes({4, 8}).on_write(this, &edu::write_dma_field);
    core::reg& dma_cnt_ = regs_.add("DMA_CNT", 0x90, 8).access_sizes({4, 8}).on_write(this, &edu::write_dma_field);
    core::reg& dma_cmd_ = regs_.add("DMA_CMD", 0x98, 8).access_sizes({4, 8}).on_write(this, &edu::write_dma_cmd);
};

} // namespace socsim::devices
