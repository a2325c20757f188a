#pragma once
// An NVM Express 1.4 controller with one namespace, compatible with what QEMU's `-device nvme`
// shows a driver (hw/nvme/ctrl.c), as a PCI function behind the socsim host bridge. The facts it
// follows are in docs/hardware/nvme.md.
//
// Configuration header: vendor 0x1b36, device 0x0010, revision 0x02, class 0x010802 (mass
// storage, NVM, NVM Express programming interface), subsystem 0x1af4 / 0x1100, interrupt pin A,
// 4 KiB (PCI Express) configuration space. BAR0 (+ BAR1) 64-bit non-prefetchable memory of
// 16 KiB:
//   0x0000..0x0fff controller registers, 0x1000..0x1207 doorbells (DSTRD 0: SQ y tail at
//   0x1000 + 8y, CQ y head at 0x1004 + 8y, y = 0..64), 0x2000 MSI-X table (65 vectors of 16
//   bytes), 0x3000 MSI-X pending-bit array; as QEMU lays out its BAR0.
// Capabilities: MSI-X at 0x40 (65 vectors, table and PBA in BAR0), PCI Express (version 2,
// endpoint, every other field 0) at 0x80.
//
// Controller registers (4-byte accesses; CAP, ASQ and ACQ also 8-byte), reset values:
//   CAP   0x00  MQES 0x7ff (2048 entries), CQR 1, AMS 0, TO 0x0f (7.5 s), DSTRD 0, NSSRS 0,
//               CSS bit 37 (NVM command set), MPSMIN 0 and MPSMAX 0 (4 KiB pages only)
//   VS    0x08  0x00010400 (1.4)
//   INTMS 0x0c  write 1 to set the INTx mask bit (bit 0 masks the pin; other vectors' bits are
//   INTMC 0x10  kept but only bit 0 matters), INTMC clears; both read the mask
//   CC    0x14  EN, CSS, MPS, AMS, SHN, IOSQES, IOCQES writable, 0 at reset
//   CSTS  0x1c  RDY, CFS, SHST read-only, 0 at reset
//   AQA   0x24  ASQS / ACQS (0-based), ASQ 0x28 and ACQ 0x30 (page aligned: low 12 bits read 0)
// Anything else below 0x1000 reads 0 and ignores writes (NSSR, CMBLOC, CMBSZ: not supported).
//
// Enable (CC.EN 0 -> 1): the admin queues are set up from AQA/ASQ/ACQ; CSTS.RDY is set at once.
// Refused with CSTS.CFS = 1 and a log line (choices: QEMU refuses to start the same way) when
// CC.CSS is not NVM, CC.MPS is not 4 KiB, CC.AMS is not round robin, an admin queue size is 0 or
// over MQES, or the controller is already fatal. Disable (1 -> 0): a controller reset: all I/O
// queues deleted, held Asynchronous Event Requests and queued events dropped, a command in
// flight is dropped without completion, RDY = 0, CFS = 0, INTx deasserted. Shutdown (CC.SHN 01
// or 10 while enabled): the backing file is flushed and CSTS.SHST becomes 10 (complete) at once;
// clearing SHN clears SHST.
//
// Commands are fetched by one SC_THREAD, one at a time, admin queue first, then the I/O
// submission queues round robin. Every submission queue entry fetch, completion entry write,
// PRP list read, data transfer and MSI-X message is a DMA on the endpoint's path (host bridge ->
// IOMMU -> memory). A command completes `socsim,command-latency-ns` (default 10000 ns) plus the
// annotated latency of its DMAs after its fetch. Queue entries: 64-byte SQ entries, 16-byte CQ
// entries (CC.IOSQES must be 6 and CC.IOCQES 4 when an I/O queue is created, else Invalid
// Field in Command); queues must be physically contiguous (CAP.CQR).
//   Admin: Delete/Create I/O SQ (0x00/0x01), Get Log Page (0x02: error information 0x01 reads
//   zeros, SMART / health 0x02 with a fixed temperature and 100 % spare, firmware slot 0x03),
//   Delete/Create I/O CQ (0x04/0x05), Identify (0x06: CNS 0 namespace, 1 controller, 2 active
//   namespace list, 3 namespace identification descriptors: one UUID), Abort (0x08: the command
//   is never found, DW0 bit 0 = 1), Set/Get Features (0x09/0x0a: Arbitration, Power Management,
//   Temperature Threshold, Error Recovery, Volatile Write Cache, Number of Queues, Interrupt
//   Coalescing, Interrupt Vector Configuration, Write Atomicity, Asynchronous Event
//   Configuration: stored and returned, no other effect), Asynchronous Event Request (0x0c:
//   held, up to 4).
//   I/O on namespace 1: Flush (0x00), Write (0x01), Read (0x02); 512-byte LBAs; PRP1/PRP2 and PRP
//   lists with 4 KiB pages, at most 512 KiB per command (MDTS 7).
// Completion status for bad guest input (plus one log line each): unknown opcode -> Invalid
// Command Opcode; namespace other than 1 -> Invalid Namespace or Format; SLBA + NLB past the
// end -> LBA Out of Range; a transfer over MDTS or a bad field -> Invalid Field in Command; a
// PRP entry whose offset is not dword aligned (PRP1), not 0 (later entries) or a list pointer
// not qword aligned -> Invalid PRP Offset; a PRP list read or data transfer refused upstream
// -> Data Transfer Error; queue creation: Invalid Queue Identifier, Invalid Queue Size (0 or over
// MQES), Completion Queue Invalid, Invalid Interrupt Vector, Invalid Queue Deletion (a CQ still
// used by an SQ). An SQ entry fetch or CQ entry write refused upstream is a controller fatal
// status (CSTS.CFS = 1; processing stops until the controller is reset).
// Doorbells: a write for a queue that does not exist, or a value not below the queue size, is
// ignored with a warning and queues an error asynchronous event (type 0, information 0 "invalid
// doorbell register" or 1 "invalid doorbell write value", log page 1), completed through a held
// Asynchronous Event Request (at most 16 events are kept; more are dropped with a warning).
// Doorbell writes while CSTS.RDY = 0 are ignored with a warning. Doorbells read 0.
//
// Interrupts: without MSI-X, INTx (level) is asserted while any completion queue with interrupts
// enabled holds entries the host has not consumed (head != tail) and INTMS bit 0 is clear. With
// MSI-X enabled (Message Control bit 15), each completion posted to such a queue sends its
// vector's message (a 4-byte write of the data to the address) unless the function or the
// vector is masked, in which case the pending bit is set and the message goes out when unmasked.
// Vectors reset masked. No interrupt coalescing.
//
// Namespace: 512-byte LBAs over the disk image `socsim,disk-image` (a path; created sparse with
// `socsim,disk-size` bytes if missing; otherwise its size, rounded down to 512, is the
// namespace size). `socsim,discard-writes` = 1 keeps the file unchanged: writes go to an
// in-memory overlay read back by later reads. Without an image, the namespace is an in-memory
// disk of `socsim,disk-size` bytes (zeros).
//
// Choices where this model differs from QEMU's device, and why:
// - CAP.CSS reports the NVM command set only and CAP.MPSMAX is 0 (QEMU: also the I/O command
//   set / admin-only bits, MPSMAX 4): one command set and 4 KiB pages keep the PRP walker to the
//   one page size Linux and U-Boot use on arm64 with 4 KiB pages;
// - no power-management capability, no CMB/PMR, no SGLs, no namespace management, no Dataset
//   Management / Write Zeroes / Compare (ONCS 0), no Commands Supported and Effects log (LPA 0),
//   no timestamps, no interrupt coalescing (the feature is stored only), no controller memory
//   buffer for queues;
// - commands run one at a time in submission order (QEMU runs them through its block layer
//   asynchronously), so Abort never finds its target;
// - an I/O queue creation checks CC.IOSQES/IOCQES (QEMU checks them at enable).
//
// Fault injection, `socsim,touch-after-completion-ns` (0, the default: off): that many ns after
// the completion entry of a successful I/O Read or Write is posted, the controller reads 8 bytes
// at the command's PRP1 again (4 when PRP1 sits 4 bytes before a page end: the read stays in
// PRP1's page), as a DMA on the same path as every other. It plays a device, or its firmware,
// that touches a data page after completing the command: once the completion is posted the
// driver unmaps the buffer, so the touch is a use after unmap that Linux's dma-iommu cannot see.
// What the IOMMU makes of it is the point: a translation fault when the unmap was invalidated
// (strict), a stale translation reported by the DMA checker when the TLB still holds it (lazy),
// nothing at all when the IOVA already belongs to a new mapping. The touches run in their own
// SC_THREAD from a queue, so commands are never delayed; a controller reset drops those pending;
// a touch refused upstream changes nothing (an info line). Each touch is an info line and an
// "nvme_late_touch" trace event (cid, address); any warning comes from the IOMMU.
//
// DT: compatible "pci1b36,10" (a child of a PCIe host bridge node, `reg` = devfn << 8), with
// `socsim,disk-image`, `socsim,disk-size`, `socsim,discard-writes`, `socsim,command-latency-ns`,
// `socsim,touch-after-completion-ns`.

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <unordered_map>
#include <vector>

#include "models/core/register_file.h"
#include "models/pcie/pcie_endpoint.h"

namespace socsim::devices {

class nvme : public pcie::pcie_endpoint {
public:
    static constexpr uint64_t bar0_size = 0x4000;
    static constexpr unsigned max_io_queues = 64;
    static constexpr unsigned queue_slots = max_io_queues + 1;
    static constexpr unsigned msix_vectors = queue_slots;
    static constexpr uint64_t msix_table = 0x2000, msix_pba = 0x3000;
    static constexpr unsigned mqes = 0x7ff;  // 0-based
    static constexpr unsigned lba_size = 512;
    static constexpr unsigned page_size = 4096;
    static constexpr unsigned mdts = 7;  // 2^7 pages

    struct config {
        std::string disk_image;      // empty: an in-memory disk
        uint64_t disk_size = 0;      // bytes; used to create the image or for the in-memory disk
        bool discard_writes = false;
        sc_core::sc_time command_latency = sc_core::sc_time(10, sc_core::SC_US);
        sc_core::sc_time touch_after_completion = sc_core::SC_ZERO_TIME;  // zero: no late touch
        std::string serial = "socsim-nvme";
    };

    // Status codes (status field bits 7:0 code, 10:8 type).
    enum status : uint16_t {
        sc_success = 0x000,
        sc_invalid_opcode = 0x001,
        sc_invalid_field = 0x002,
        sc_data_transfer_error = 0x004,
        sc_invalid_namespace = 0x00b,
        sc_invalid_prp_offset = 0x013,
        sc_lba_out_of_range = 0x080,
        sc_cq_invalid = 0x100,
        sc_invalid_queue_id = 0x101,
        sc_invalid_queue_size = 0x102,
        sc_aer_limit = 0x105,
        sc_invalid_vector = 0x108,
        sc_invalid_log_page = 0x109,
        sc_invalid_queue_deletion = 0x10c,
    };

    tlm_utils::simple_target_socket<nvme> mmio;  // BAR0

    SC_HAS_PROCESS(nvme);
    nvme(sc_core::sc_module_name name, const config& cfg);
    ~nvme() override;

    uint64_t namespace_blocks() const { return blocks_; }
    // The namespace's content, as the guest sees it (overlay included), for tests.
    void read_blocks(uint64_t lba, unsigned count, uint8_t* out);

private:
    struct submission_queue {
        bool valid = false;
        uint64_t base = 0;
        uint32_t size = 0;  // entries
        uint32_t head = 0, tail = 0;
        uint16_t cqid = 0;
    };
    struct completion_queue {
        bool valid = false;
        uint64_t base = 0;
        uint32_t size = 0;
        uint32_t head = 0, tail = 0;
        bool phase = true;
        bool ien = false;
        uint16_t vector = 0;
        bool full() const { return (tail + 1) % size == head; }
    };
    struct command {
        uint32_t dw[16];
        uint8_t opcode() const { return static_cast<uint8_t>(dw[0]); }
        uint16_t cid() const { return static_cast<uint16_t>(dw[0] >> 16); }
        uint32_t nsid() const { return dw[1]; }
        uint64_t prp1() const { return dw[6] | uint64_t{dw[7]} << 32; }
        uint64_t prp2() const { return dw[8] | uint64_t{dw[9]} << 32; }
    };
    struct outcome {
        uint16_t status = sc_success;
        uint32_t dw0 = 0;
        bool held = false;  // an Asynchronous Event Request: no completion yet
    };
    struct segment {
        uint64_t address;
        uint32_t length;
    };

    void mmio_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned mmio_debug(tlm::tlm_generic_payload& p);
    void write_intms(uint64_t old, uint64_t now);
    uint64_t read_interrupt_mask(bool) const { return intms_.get(); }
    void write_intmc(uint64_t now);
    void doorbell_write(uint64_t offset, uint32_t value);
    void msix_access(tlm::tlm_generic_payload& p, bool debug);
    void cc_written(uint64_t old_cc, uint64_t cc);
    bool enable_controller();
    void reset_controller();
    void fatal(const std::string& why);
    void queue_event(uint8_t info, const std::string& why);

    void worker();
    bool work_available() const;
    int next_queue();
    void process_one(unsigned sqid);
    bool post_completion(unsigned cqid, unsigned sqid, uint16_t cid, uint16_t status, uint32_t dw0,
                         sc_core::sc_time& delay);
    void complete_aers(sc_core::sc_time& delay);

    outcome admin_command(const command& c, sc_core::sc_time& delay);
    outcome io_command(const command& c, sc_core::sc_time& delay);
    outcome create_cq(const command& c);
    outcome create_sq(const command& c);
    outcome delete_sq(const command& c);
    outcome delete_cq(const command& c);
    outcome identify(const command& c, sc_core::sc_time& delay);
    outcome get_log_page(const command& c, sc_core::sc_time& delay);
    outcome features(const command& c, bool set);
    outcome read_write(const command& c, bool write, sc_core::sc_time& delay);
    outcome flush();

    // PRP walking: the data segments of a `length`-byte transfer, or a status.
    uint16_t map_prps(const command& c, uint64_t length, std::vector<segment>& out, sc_core::sc_time& delay);
    uint16_t to_host(const command& c, const uint8_t* data, uint64_t length, sc_core::sc_time& delay);
    uint16_t from_host(const command& c, uint8_t* data, uint64_t length, sc_core::sc_time& delay);
    uint16_t reject(const command& c, uint16_t status, const std::string& why);

    // Backing store.
    void open_image();
    void store_read(uint64_t lba, unsigned count, uint8_t* out);
    void store_write(uint64_t lba, unsigned count, const uint8_t* in);
    void store_flush();

    // Interrupts.
    void update_intx();
    void signal_cq(const completion_queue& cq);
    bool msix_enabled() const;
    bool msix_function_masked() const;
    bool vector_masked(unsigned v) const;
    void msix_check_pending();
    void msix_thread();
    void config_written(unsigned offset, unsigned len) override;

    // Fault injection (socsim,touch-after-completion-ns).
    void schedule_late_touch(const command& c, sc_core::sc_time posted);
    void late_touch_thread();

    config cfg_;
    core::register_file regs_;
    std::array<submission_queue, queue_slots> sqs_{};
    std::array<completion_queue, queue_slots> cqs_{};
    unsigned rr_next_ = 1;
    uint64_t epoch_ = 0;  // incremented on every controller reset
    sc_core::sc_event work_event_;

    std::deque<uint16_t> held_aers_;  // command ids
    std::deque<uint32_t> events_;     // DW0 of pending asynchronous events
    std::unordered_map<uint32_t, uint32_t> features_;

    std::array<uint32_t, msix_vectors * 4> msix_table_{};
    std::array<uint64_t, (msix_vectors + 63) / 64> msix_pending_{};
    std::deque<unsigned> msix_queue_;
    sc_core::sc_event msix_event_;

    struct late_touch {
        sc_core::sc_time at;
        uint64_t address;
        uint16_t cid;
        uint64_t epoch;  // a touch from before a controller reset is dropped
    };
    std::deque<late_touch> late_touches_;  // in time order: every touch waits the same delay
    sc_core::sc_event late_touch_event_;

    int fd_ = -1;
    uint64_t blocks_ = 0;
    std::unordered_map<uint64_t, std::array<uint8_t, lba_size>> overlay_;

    // Registers, declared in the constructor (offsets and fields in nvme.cpp).
    core::reg& cap_;
    core::reg& vs_;
    core::reg& intms_;
    core::reg& intmc_;
    core::reg& cc_;
    core::reg& csts_;
    core::reg& aqa_;
    core::reg& asq_;
    core::reg& acq_;
};

} // namespace socsim::devices
