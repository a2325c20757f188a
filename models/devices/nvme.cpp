#include "models/devices/nvme.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/core/trace_writer.h"

namespace socsim::devices {
namespace {

constexpr unsigned msix_cap = 0x40, pcie_cap = 0x80;

// Controller register offsets and fields (NVMe 1.4, section 3.1).
constexpr uint64_t reg_cap = 0x00, reg_vs = 0x08, reg_intms = 0x0c, reg_intmc = 0x10, reg_cc = 0x14,
                   reg_csts = 0x1c, reg_aqa = 0x24, reg_asq = 0x28, reg_acq = 0x30, doorbells = 0x1000;
constexpr uint32_t cc_en = 1u << 0, csts_rdy = 1u << 0, csts_cfs = 1u << 1;
constexpr unsigned cc_css_shift = 4, cc_mps_shift = 7, cc_ams_shift = 11, cc_shn_shift = 14, cc_iosqes_shift = 16,
                   cc_iocqes_shift = 20, csts_shst_shift = 2;
constexpr uint64_t cc_writable = 0x00ffc7f1;  // EN, CSS, MPS, AMS, SHN, IOSQES, IOCQES

constexpr uint64_t cap_value = uint64_t{nvme::mqes}  // MQES
                               | uint64_t{1} << 16   // CQR
                               | uint64_t{0x0f} << 24  // TO: 7.5 s
                               | uint64_t{1} << 37;    // CSS: NVM command set

// Opcodes.
enum admin_op : uint8_t {
    op_delete_sq = 0x00, op_create_sq = 0x01, op_get_log = 0x02, op_delete_cq = 0x04, op_create_cq = 0x05,
    op_identify = 0x06, op_abort = 0x08, op_set_features = 0x09, op_get_features = 0x0a, op_aer = 0x0c,
};
enum io_op : uint8_t { op_flush = 0x00, op_write = 0x01, op_read = 0x02 };

constexpr unsigned aer_limit = 4;     // AERL 3
constexpr size_t event_limit = 16;

pcie::pcie_endpoint::identity nvme_identity() {
    pcie::pcie_endpoint::identity id;
    id.vendor = 0x1b36;
    id.device = 0x0010;
    id.revision = 0x02;
    id.class_code = 0x010802;
    id.subsystem_vendor = 0x1af4;
    id.subsystem = 0x1100;
    id.interrupt_pin = 1;
    id.config_size = 4096;
    return id;
}

void put16(uint8_t* p, uint16_t v) { p[0] = static_cast<uint8_t>(v), p[1] = static_cast<uint8_t>(v >> 8); }
void put32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t{p[3]} << 24; }
void put_text(uint8_t* p, size_t len, const std::string& s) {
    std::memset(p, ' ', len);
    std::memcpy(p, s.data(), std::min(len, s.size()));
}

std::string status_name(uint16_t s) {
    switch (s) {
    case nvme::sc_invalid_opcode: return "Invalid Command Opcode";
    case nvme::sc_invalid_field: return "Invalid Field in Command";
    case nvme::sc_data_transfer_error: return "Data Transfer Error";
    case nvme::sc_invalid_namespace: return "Invalid Namespace or Format";
    case nvme::sc_invalid_prp_offset: return "Invalid PRP Offset";
    case nvme::sc_lba_out_of_range: return "LBA Out of Range";
    case nvme::sc_cq_invalid: return "Completion Queue Invalid";
    case nvme::sc_invalid_queue_id: return "Invalid Queue Identifier";
    case nvme::sc_invalid_queue_size: return "Invalid Queue Size";
    case nvme::sc_aer_limit: return "Asynchronous Event Request Limit Exceeded";
    case nvme::sc_invalid_vector: return "Invalid Interrupt Vector";
    case nvme::sc_invalid_log_page: return "Invalid Log Page";
    case nvme::sc_invalid_queue_deletion: return "Invalid Queue Deletion";
    default: return "status " + core::hex(s);
    }
}

} // namespace

nvme::nvme(sc_core::sc_module_name name, const config& cfg)
    : pcie_endpoint(name, nvme_identity()), mmio("mmio"), cfg_(cfg),
      regs_(this->name(), core::register_file::unmapped::read_zero_write_ignore),
      cap_(regs_.add("CAP", reg_cap, 8).reset_value(cap_value).read_only()),
      vs_(regs_.add("VS", reg_vs, 4).reset_value(0x00010400).read_only()),
      intms_(regs_.add("INTMS", reg_intms, 4).on_write(this, &nvme::write_intms)),
      intmc_(regs_.add("INTMC", reg_intmc, 4).on_read(this, &nvme::read_interrupt_mask).on_write(this, &nvme::write_intmc)),
      cc_(regs_.add("CC", reg_cc, 4).read_only(~cc_writable).on_write(this, &nvme::cc_written)),
      csts_(regs_.add("CSTS", reg_csts, 4).read_only()),
      aqa_(regs_.add("AQA", reg_aqa, 4).read_only(0xf000f000)),
      asq_(regs_.add("ASQ", reg_asq, 8).read_only(0xfff)),
      acq_(regs_.add("ACQ", reg_acq, 8).read_only(0xfff)) {
    mmio.register_b_transport(this, &nvme::mmio_transport);
    mmio.register_transport_dbg(this, &nvme::mmio_debug);
    declare_bar(0, bar_kind::memory64, bar0_size, mmio);
    // Capabilities: MSI-X at 0x40 -> PCI Express at 0x80.
    define_config(pcie::cfg::status, 2, 0x0010);
    define_config(pcie::cfg::capabilities, 1, msix_cap);
    define_config(msix_cap + 0, 2, 0x11 | pcie_cap << 8);
    define_config(msix_cap + 2, 2, msix_vectors - 1, 0xc000);  // table size; enable, function mask
    define_config(msix_cap + 4, 4, msix_table | 0);            // table offset, BIR 0
    define_config(msix_cap + 8, 4, msix_pba | 0);              // PBA offset, BIR 0
    define_config(pcie_cap + 0, 2, 0x10);                       // PCI Express, last capability
    define_config(pcie_cap + 2, 2, 0x0002);                     // version 2, endpoint
    for (unsigned v = 0; v < msix_vectors; ++v) msix_table_[4 * v + 3] = 1;  // masked
    open_image();
    SC_THREAD(worker);
    SC_THREAD(msix_thread);
    if (cfg_.touch_after_completion > sc_core::SC_ZERO_TIME) SC_THREAD(late_touch_thread);
}

nvme::~nvme() {
    if (fd_ >= 0) ::close(fd_);
}

// ---------------------------------------------------------------------------------------------
// Backing store

void nvme::open_image() {
    uint64_t bytes = cfg_.disk_size;
    if (!cfg_.disk_image.empty()) {
        struct stat st {};
        const bool exists = ::stat(cfg_.disk_image.c_str(), &st) == 0;
        if (exists) {
            fd_ = ::open(cfg_.disk_image.c_str(), cfg_.discard_writes ? O_RDONLY : O_RDWR);
            bytes = static_cast<uint64_t>(st.st_size);
        } else if (cfg_.disk_size == 0) {
            throw core::config_error(std::string(name()) + ": disk image '" + cfg_.disk_image +
                                     "' does not exist and socsim,disk-size is not given");
        } else if (!cfg_.discard_writes) {
            fd_ = ::open(cfg_.disk_image.c_str(), O_RDWR | O_CREAT, 0644);
            if (fd_ >= 0 && ::ftruncate(fd_, static_cast<off_t>(cfg_.disk_size)) != 0) {
                ::close(fd_);
                fd_ = -1;
            }
        }
        if (fd_ < 0 && (exists || !cfg_.discard_writes))
            throw core::config_error(std::string(name()) + ": cannot open disk image '" + cfg_.disk_image +
                                     "': " + std::strerror(errno));
    }
    blocks_ = bytes / lba_size;
    if (blocks_ == 0) throw core::config_error(std::string(name()) + ": the namespace has no 512-byte block");
    SOCSIM_LOG(log_, info, "namespace 1: " << blocks_ << " blocks of 512 bytes"
                                           << (cfg_.disk_image.empty() ? " in memory" : " from " + cfg_.disk_image)
                                           << (cfg_.discard_writes ? " (writes discarded)" : ""));
}

void nvme::store_read(uint64_t lba, unsigned count, uint8_t* out) {
    for (unsigned i = 0; i < count; ++i, out += lba_size) {
        auto it = overlay_.find(lba + i);
        if (it != overlay_.end()) {
            std::memcpy(out, it->second.data(), lba_size);
            continue;
        }
        std::memset(out, 0, lba_size);
        if (fd_ >= 0 && ::pread(fd_, out, lba_size, static_cast<off_t>((lba + i) * lba_size)) < 0)
            log_.warning("disk image read at LBA " + std::to_string(lba + i) + " failed: " + std::strerror(errno));
    }
}

void nvme::store_write(uint64_t lba, unsigned count, const uint8_t* in) {
    if (fd_ >= 0 && !cfg_.discard_writes) {
        const size_t len = size_t{count} * lba_size;
        if (::pwrite(fd_, in, len, static_cast<off_t>(lba * lba_size)) != static_cast<ssize_t>(len))
            log_.warning("disk image write at LBA " + std::to_string(lba) + " failed: " + std::strerror(errno));
        return;
    }
    for (unsigned i = 0; i < count; ++i, in += lba_size) std::memcpy(overlay_[lba + i].data(), in, lba_size);
}

void nvme::store_flush() {
    if (fd_ >= 0 && !cfg_.discard_writes) ::fsync(fd_);
}

void nvme::read_blocks(uint64_t lba, unsigned count, uint8_t* out) { store_read(lba, count, out); }

// ---------------------------------------------------------------------------------------------
// Registers

// INTMS sets mask bits, INTMC clears them; both read the mask.
void nvme::write_intms(uint64_t old, uint64_t now) {
    intms_.set(old | now);
    update_intx();
}

void nvme::write_intmc(uint64_t now) {
    intms_.clear_bits(now);
    update_intx();
}

void nvme::mmio_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    const uint64_t offset = p.get_address();
    const unsigned len = p.get_data_length();
    if ((len != 4 && len != 8) || offset % len != 0 || p.get_byte_enable_ptr() || p.get_streaming_width() < len) {
        log_.warning(std::string(p.is_read() ? "read" : "write") + " of " + std::to_string(len) + " bytes at BAR0 +" +
                     core::hex(offset) + " by " + core::initiator_of(p) +
                     " refused: the NVMe controller accepts naturally aligned 4- and 8-byte accesses");
        p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (offset >= msix_table) {
        msix_access(p, false);
        return;
    }
    if (offset >= doorbells) {
        p.set_response_status(tlm::TLM_OK_RESPONSE);
        if (p.is_read()) {
            std::memset(p.get_data_ptr(), 0, len);
            return;
        }
        const uint8_t* d = p.get_data_ptr();
        doorbell_write(offset, get32(d));
        if (len == 8) doorbell_write(offset + 4, get32(d + 4));
        return;
    }
    regs_.access(p, false);
}

unsigned nvme::mmio_debug(tlm::tlm_generic_payload& p) {
    const uint64_t offset = p.get_address();
    if (offset >= msix_table) {
        msix_access(p, true);
    } else if (offset >= doorbells) {
        if (p.is_read()) std::memset(p.get_data_ptr(), 0, p.get_data_length());
        p.set_response_status(tlm::TLM_OK_RESPONSE);
    } else {
        regs_.access(p, true);
    }
    return p.is_response_ok() ? p.get_data_length() : 0;
}

void nvme::cc_written(uint64_t old_cc, uint64_t cc) {
    const unsigned old_shn = (old_cc >> cc_shn_shift) & 3, shn = (cc >> cc_shn_shift) & 3;
    if (!(old_cc & cc_en) && (cc & cc_en)) {
        if (!enable_controller()) csts_.set_bits(csts_cfs);
    } else if ((old_cc & cc_en) && !(cc & cc_en)) {
        reset_controller();
    }
    if (shn && !old_shn && (cc & cc_en)) {
        store_flush();
        csts_.set((csts_.get() & ~(3u << csts_shst_shift)) | 2u << csts_shst_shift);
        SOCSIM_LOG(log_, info, "shutdown: the namespace is flushed, CSTS.SHST = complete");
    } else if (!shn && old_shn) {
        csts_.clear_bits(3u << csts_shst_shift);
    }
}

bool nvme::enable_controller() {
    const uint64_t cc = cc_.get();
    const uint32_t aqa = static_cast<uint32_t>(aqa_.get());
    const unsigned asqs = (aqa & 0xfff) + 1, acqs = ((aqa >> 16) & 0xfff) + 1;
    std::string why;
    if (csts_.get() & csts_cfs)
        why = "the controller is in fatal status";
    else if ((cc >> cc_css_shift) & 7)
        why = "CC.CSS " + std::to_string((cc >> cc_css_shift) & 7) + " is not the NVM command set";
    else if ((cc >> cc_mps_shift) & 0xf)
        why = "CC.MPS " + std::to_string((cc >> cc_mps_shift) & 0xf) + " is not 4 KiB (CAP.MPSMAX 0)";
    else if ((cc >> cc_ams_shift) & 7)
        why = "CC.AMS is not round robin";
    else if (asqs < 2 || acqs < 2 || asqs > mqes + 1 || acqs > mqes + 1)
        why = "admin queue sizes (AQA " + core::hex(aqa) + ") must be 2.." + std::to_string(mqes + 1) + " entries";
    if (!why.empty()) {
        log_.warning("enable refused, CSTS.CFS set: " + why);
        return false;
    }
    sqs_[0] = submission_queue{true, asq_.get(), asqs, 0, 0, 0};
    completion_queue acq;
    acq.valid = true;
    acq.base = acq_.get();
    acq.size = acqs;
    acq.ien = true;
    cqs_[0] = acq;
    csts_.set_bits(csts_rdy);
    SOCSIM_LOG(log_, info, "enabled: admin SQ " << core::hex(sqs_[0].base) << " (" << asqs << " entries), admin CQ "
                                                << core::hex(acq.base) << " (" << acqs << " entries)");
    work_event_.notify(sc_core::SC_ZERO_TIME);
    return true;
}

void nvme::reset_controller() {
    ++epoch_;
    sqs_.fill(submission_queue{});
    cqs_.fill(completion_queue{});
    held_aers_.clear();
    events_.clear();
    rr_next_ = 1;
    csts_.clear_bits(csts_rdy | csts_cfs);
    update_intx();
    SOCSIM_LOG(log_, info, "disabled: controller reset, every queue deleted");
    work_event_.notify(sc_core::SC_ZERO_TIME);
}

void nvme::fatal(const std::string& why) {
    csts_.set_bits(csts_cfs);
    log_.error("controller fatal status (CSTS.CFS): " + why);
}

void nvme::queue_event(uint8_t info, const std::string& why) {
    log_.warning(why + ": ignored" + (events_.size() < event_limit ? ", asynchronous error event queued" : ""));
    if (events_.size() >= event_limit) return;
    events_.push_back(0u /* error status */ | uint32_t{info} << 8 | 0x01u << 16 /* error information log */);
    work_event_.notify(sc_core::SC_ZERO_TIME);
}

void nvme::doorbell_write(uint64_t offset, uint32_t value) {
    const unsigned index = static_cast<unsigned>((offset - doorbells) / 4);
    const unsigned qid = index / 2;
    const bool is_cq = index & 1;
    const std::string what = std::string(is_cq ? "CQ " : "SQ ") + std::to_string(qid) +
                             (is_cq ? " head" : " tail") + " doorbell (BAR0 +" + core::hex(offset) + ") = " +
                             std::to_string(value);
    if (!(csts_.get() & csts_rdy)) {
        log_.warning(what + " while the controller is not ready: ignored");
        return;
    }
    if (qid >= queue_slots || !(is_cq ? cqs_[qid].valid : sqs_[qid].valid)) {
        queue_event(0, what + ": the queue does not exist (invalid doorbell register)");
        return;
    }
    const uint32_t size = is_cq ? cqs_[qid].size : sqs_[qid].size;
    if (value >= size) {
        queue_event(1, what + ": not below the queue size " + std::to_string(size) + " (invalid doorbell write value)");
        return;
    }
    if (is_cq) {
        cqs_[qid].head = value;
        update_intx();
    } else {
        sqs_[qid].tail = value;
    }
    work_event_.notify(sc_core::SC_ZERO_TIME);
}

// ---------------------------------------------------------------------------------------------
// Processing

bool nvme::work_available() const {
    if (!(csts_.get() & csts_rdy) || (csts_.get() & csts_cfs)) return false;
    if (!events_.empty() && !held_aers_.empty() && !cqs_[0].full()) return true;
    for (unsigned q = 0; q < queue_slots; ++q)
        if (sqs_[q].valid && sqs_[q].head != sqs_[q].tail && !cqs_[sqs_[q].cqid].full()) return true;
    return false;
}

int nvme::next_queue() {
    auto ready = [this](unsigned q) {
        return sqs_[q].valid && sqs_[q].head != sqs_[q].tail && !cqs_[sqs_[q].cqid].full();
    };
    if (ready(0)) return 0;
    for (unsigned i = 0; i < max_io_queues; ++i) {
        const unsigned q = 1 + (rr_next_ - 1 + i) % max_io_queues;
        if (ready(q)) {
            rr_next_ = q % max_io_queues + 1;
            return static_cast<int>(q);
        }
    }
    return -1;
}

void nvme::worker() {
    for (;;) {
        if (!work_available()) {
            wait(work_event_);
            continue;
        }
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        if (!events_.empty() && !held_aers_.empty() && !cqs_[0].full()) {
            complete_aers(delay);
            if (delay > sc_core::SC_ZERO_TIME) wait(delay);
            continue;
        }
        const int q = next_queue();
        if (q >= 0) process_one(static_cast<unsigned>(q));
    }
}

void nvme::complete_aers(sc_core::sc_time& delay) {
    while (!events_.empty() && !held_aers_.empty() && !cqs_[0].full()) {
        const uint32_t dw0 = events_.front();
        const uint16_t cid = held_aers_.front();
        events_.pop_front();
        held_aers_.pop_front();
        SOCSIM_LOG(log_, info, "asynchronous event " << core::hex(dw0) << " completes AER command " << cid);
        if (!post_completion(0, 0, cid, sc_success, dw0, delay)) return;
    }
}

void nvme::process_one(unsigned sqid) {
    submission_queue& sq = sqs_[sqid];
    const uint64_t epoch = epoch_;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    uint8_t raw[64];
    const uint64_t at = sq.base + uint64_t{sq.head} * 64;
    if (dma_read(at, raw, sizeof raw, delay) != tlm::TLM_OK_RESPONSE) {
        fatal("fetching SQ " + std::to_string(sqid) + " entry " + std::to_string(sq.head) + " at bus address " +
              core::hex(at) + " failed upstream");
        return;
    }
    command c;
    for (unsigned i = 0; i < 16; ++i) c.dw[i] = get32(raw + 4 * i);
    sq.head = (sq.head + 1) % sq.size;
    const uint16_t cqid = sq.cqid;
    core::trace_event("nvme_command", name())
        .field("sq", uint64_t{sqid})
        .field("cid", uint64_t{c.cid()})
        .hex_field("opcode", c.opcode())
        .emit();
    const outcome r = sqid == 0 ? admin_command(c, delay) : io_command(c, delay);
    wait(cfg_.command_latency + delay);
    if (epoch != epoch_) return;  // reset while the command ran: dropped
    if (r.held) {
        work_event_.notify(sc_core::SC_ZERO_TIME);
        return;
    }
    delay = sc_core::SC_ZERO_TIME;
    const bool posted = post_completion(cqid, sqid, c.cid(), r.status, r.dw0, delay);
    // The entry went out at this time stamp (a DMA only annotates its latency in `delay`).
    const bool data_command = sqid != 0 && (c.opcode() == op_read || c.opcode() == op_write);
    if (posted && data_command && r.status == sc_success) schedule_late_touch(c, sc_core::sc_time_stamp());
    if (delay > sc_core::SC_ZERO_TIME) wait(delay);
}

bool nvme::post_completion(unsigned cqid, unsigned sqid, uint16_t cid, uint16_t status, uint32_t dw0,
                           sc_core::sc_time& delay) {
    const uint64_t epoch = epoch_;
    while (cqs_[cqid].valid && cqs_[cqid].full()) {
        wait(work_event_);
        if (epoch != epoch_) return false;
    }
    completion_queue& cq = cqs_[cqid];
    if (!cq.valid) {
        log_.warning("completion of command " + std::to_string(cid) + " dropped: CQ " + std::to_string(cqid) +
                     " was deleted");
        return false;
    }
    uint8_t entry[16] = {};
    put32(entry + 0, dw0);
    put16(entry + 8, static_cast<uint16_t>(sqs_[sqid].head));
    put16(entry + 10, static_cast<uint16_t>(sqid));
    put32(entry + 12, cid | uint32_t{cq.phase} << 16 | uint32_t{status} << 17);
    const uint64_t at = cq.base + uint64_t{cq.tail} * 16;
    if (dma_write(at, entry, sizeof entry, delay) != tlm::TLM_OK_RESPONSE) {
        fatal("writing CQ " + std::to_string(cqid) + " entry " + std::to_string(cq.tail) + " at bus address " +
              core::hex(at) + " failed upstream");
        return false;
    }
    cq.tail = (cq.tail + 1) % cq.size;
    if (cq.tail == 0) cq.phase = !cq.phase;
    signal_cq(cq);
    return true;
}

uint16_t nvme::reject(const command& c, uint16_t status, const std::string& why) {
    log_.warning("command " + std::to_string(c.cid()) + " (opcode " + core::hex(c.opcode()) + "): " + why + " -> " +
                 status_name(status));
    return status;
}

nvme::outcome nvme::admin_command(const command& c, sc_core::sc_time& delay) {
    outcome r;
    switch (c.opcode()) {
    case op_delete_sq: return delete_sq(c);
    case op_create_sq: return create_sq(c);
    case op_get_log: return get_log_page(c, delay);
    case op_delete_cq: return delete_cq(c);
    case op_create_cq: return create_cq(c);
    case op_identify: return identify(c, delay);
    case op_abort:
        r.dw0 = 1;  // not aborted: commands complete in order and are never found outstanding
        return r;
    case op_set_features: return features(c, true);
    case op_get_features: return features(c, false);
    case op_aer:
        if (held_aers_.size() >= aer_limit) {
            r.status = reject(c, sc_aer_limit, std::to_string(aer_limit) + " requests are already held");
            return r;
        }
        held_aers_.push_back(c.cid());
        r.held = true;
        return r;
    default: r.status = reject(c, sc_invalid_opcode, "unknown admin opcode"); return r;
    }
}

nvme::outcome nvme::create_cq(const command& c) {
    outcome r;
    const unsigned qid = c.dw[10] & 0xffff, entries = (c.dw[10] >> 16) + 1;
    const bool pc = c.dw[11] & 1, ien = c.dw[11] & 2;
    const unsigned vector = c.dw[11] >> 16;
    const unsigned iocqes = (cc_.get() >> cc_iocqes_shift) & 0xf;
    if (qid == 0 || qid > max_io_queues || cqs_[qid].valid)
        r.status = reject(c, sc_invalid_queue_id, "CQ " + std::to_string(qid) + " cannot be created");
    else if (entries < 2 || entries > mqes + 1)
        r.status = reject(c, sc_invalid_queue_size, std::to_string(entries) + " entries");
    else if (iocqes != 4)
        r.status = reject(c, sc_invalid_field, "CC.IOCQES is " + std::to_string(iocqes) + ", not 4");
    else if (!pc)
        r.status = reject(c, sc_invalid_field, "queue not physically contiguous (CAP.CQR is 1)");
    else if (c.prp1() & (page_size - 1))
        r.status = reject(c, sc_invalid_prp_offset, "queue base " + core::hex(c.prp1()) + " is not page aligned");
    else if (ien && vector >= msix_vectors)
        r.status = reject(c, sc_invalid_vector, "vector " + std::to_string(vector));
    if (r.status != sc_success) return r;
    completion_queue& cq = cqs_[qid];
    cq = completion_queue{};
    cq.valid = true;
    cq.base = c.prp1();
    cq.size = entries;
    cq.ien = ien;
    cq.vector = static_cast<uint16_t>(vector);
    SOCSIM_LOG(log_, info, "I/O CQ " << qid << " created at " << core::hex(cq.base) << ", " << entries
                                     << " entries, vector " << vector << (ien ? "" : " (no interrupts)"));
    return r;
}

nvme::outcome nvme::create_sq(const command& c) {
    outcome r;
    const unsigned qid = c.dw[10] & 0xffff, entries = (c.dw[10] >> 16) + 1;
    const bool pc = c.dw[11] & 1;
    const unsigned cqid = c.dw[11] >> 16;
    const unsigned iosqes = (cc_.get() >> cc_iosqes_shift) & 0xf;
    if (qid == 0 || qid > max_io_queues || sqs_[qid].valid)
        r.status = reject(c, sc_invalid_queue_id, "SQ " + std::to_string(qid) + " cannot be created");
    else if (cqid == 0 || cqid > max_io_queues || !cqs_[cqid].valid)
        r.status = reject(c, sc_cq_invalid, "CQ " + std::to_string(cqid) + " does not exist");
    else if (entries < 2 || entries > mqes + 1)
        r.status = reject(c, sc_invalid_queue_size, std::to_string(entries) + " entries");
    else if (iosqes != 6)
        r.status = reject(c, sc_invalid_field, "CC.IOSQES is " + std::to_string(iosqes) + ", not 6");
    else if (!pc)
        r.status = reject(c, sc_invalid_field, "queue not physically contiguous (CAP.CQR is 1)");
    else if (c.prp1() & (page_size - 1))
        r.status = reject(c, sc_invalid_prp_offset, "queue base " + core::hex(c.prp1()) + " is not page aligned");
    if (r.status != sc_success) return r;
    sqs_[qid] = submission_queue{true, c.prp1(), entries, 0, 0, static_cast<uint16_t>(cqid)};
    SOCSIM_LOG(log_, info, "I/O SQ " << qid << " created at " << core::hex(c.prp1()) << ", " << entries
                                     << " entries, completing to CQ " << cqid);
    return r;
}

nvme::outcome nvme::delete_sq(const command& c) {
    outcome r;
    const unsigned qid = c.dw[10] & 0xffff;
    if (qid == 0 || qid > max_io_queues || !sqs_[qid].valid) {
        r.status = reject(c, sc_invalid_queue_id, "SQ " + std::to_string(qid) + " does not exist");
        return r;
    }
    sqs_[qid] = submission_queue{};
    SOCSIM_LOG(log_, info, "I/O SQ " << qid << " deleted");
    return r;
}

nvme::outcome nvme::delete_cq(const command& c) {
    outcome r;
    const unsigned qid = c.dw[10] & 0xffff;
    if (qid == 0 || qid > max_io_queues || !cqs_[qid].valid) {
        r.status = reject(c, sc_invalid_queue_id, "CQ " + std::to_string(qid) + " does not exist");
        return r;
    }
    for (unsigned q = 1; q < queue_slots; ++q)
        if (sqs_[q].valid && sqs_[q].cqid == qid) {
            r.status = reject(c, sc_invalid_queue_deletion, "SQ " + std::to_string(q) + " still uses CQ " +
                                                                std::to_string(qid));
            return r;
        }
    cqs_[qid] = completion_queue{};
    update_intx();
    SOCSIM_LOG(log_, info, "I/O CQ " << qid << " deleted");
    return r;
}

nvme::outcome nvme::identify(const command& c, sc_core::sc_time& delay) {
    outcome r;
    const unsigned cns = c.dw[10] & 0xff;
    std::vector<uint8_t> d(4096, 0);
    switch (cns) {
    case 0x00:  // namespace
        if (c.nsid() != 1) {
            r.status = reject(c, sc_invalid_namespace, "Identify namespace " + std::to_string(c.nsid()));
            return r;
        }
        put64(&d[0], blocks_);   // NSZE
        put64(&d[8], blocks_);   // NCAP
        put64(&d[16], blocks_);  // NUSE
        d[25] = 0;               // NLBAF: one format
        d[26] = 0;               // FLBAS: format 0
        d[128 + 2] = 9;          // LBAF0: LBADS 2^9, no metadata
        break;
    case 0x01: {  // controller
        put16(&d[0], vendor());
        put16(&d[2], 0x1af4);
        put_text(&d[4], 20, cfg_.serial);
        put_text(&d[24], 40, "QEMU NVMe Ctrl");
        put_text(&d[64], 8, "1.0");
        d[72] = 6;  // RAB
        d[73] = 0x00, d[74] = 0x54, d[75] = 0x52;  // IEEE OUI 52:54:00
        d[77] = mdts;
        put32(&d[80], 0x00010400);  // VER
        d[111] = 1;                 // CNTRLTYPE: I/O controller
        d[258] = 3;                 // ACL
        d[259] = aer_limit - 1;     // AERL
        d[260] = 0x03;              // FRMW: slot 1 read-only, one slot
        d[262] = 3;                 // ELPE
        put16(&d[266], 0x0157);     // WCTEMP
        put16(&d[268], 0x0175);     // CCTEMP
        d[512] = 0x66;              // SQES
        d[513] = 0x44;              // CQES
        put32(&d[516], 1);          // NN
        d[525] = 1;                 // VWC present
        const std::string nqn = "nqn.2019-08.org.qemu:" + cfg_.serial;  // SUBNQN, NUL padded
        std::memcpy(&d[768], nqn.data(), std::min<size_t>(nqn.size(), 255));
        put16(&d[2048], 0x09c4);  // PSD0: MP 25 W
        put32(&d[2048 + 4], 0x10);
        put32(&d[2048 + 8], 0x4);
        break;
    }
    case 0x02: {  // active namespace list: ids above NSID
        if (c.nsid() >= 0xfffffffe) {
            r.status = reject(c, sc_invalid_namespace, "active namespace list after " + core::hex(c.nsid()));
            return r;
        }
        if (c.nsid() < 1) put32(&d[0], 1);
        break;
    }
    case 0x03:  // namespace identification descriptors: one UUID
        if (c.nsid() != 1) {
            r.status = reject(c, sc_invalid_namespace, "descriptors of namespace " + std::to_string(c.nsid()));
            return r;
        }
        d[0] = 3, d[1] = 16;  // NIDT UUID, NIDL 16
        for (unsigned i = 0; i < 16; ++i) d[4 + i] = static_cast<uint8_t>(0x50 + i);
        d[4 + 6] = 0x40 | (d[4 + 6] & 0x0f), d[4 + 8] = 0x80 | (d[4 + 8] & 0x3f);  // version 4, variant 1
        break;
    case 0x06:  // I/O command set specific controller data: for the NVM set (CSI 0) no limit is
                // reported (all zero), as QEMU answers; Linux asks for it at probe
        if ((c.dw[11] >> 24) != 0) {
            r.status = reject(c, sc_invalid_field, "Identify CNS 0x6 for command set " + std::to_string(c.dw[11] >> 24));
            return r;
        }
        break;
    default: r.status = reject(c, sc_invalid_field, "Identify CNS " + core::hex(cns) + " not supported"); return r;
    }
    r.status = to_host(c, d.data(), d.size(), delay);
    return r;
}

nvme::outcome nvme::get_log_page(const command& c, sc_core::sc_time& delay) {
    outcome r;
    const unsigned lid = c.dw[10] & 0xff;
    const uint64_t dwords = ((c.dw[10] >> 16) | uint64_t{c.dw[11] & 0xffff} << 16) + 1;
    const uint64_t offset = c.dw[12] | uint64_t{c.dw[13]} << 32;
    std::vector<uint8_t> log;
    switch (lid) {
    case 0x01: log.assign(64 * 4, 0); break;  // error information: 4 empty entries
    case 0x02:
        log.assign(512, 0);
        put16(&log[1], 0x0141);  // composite temperature 321 K, as QEMU's default
        log[3] = 100;            // available spare
        log[4] = 10;             // threshold
        break;
    case 0x03:
        log.assign(512, 0);
        log[0] = 1;  // active slot 1
        put_text(&log[8], 8, "1.0");
        break;
    default: r.status = reject(c, sc_invalid_log_page, "log page " + core::hex(lid)); return r;
    }
    const uint64_t length = dwords * 4;
    if (offset & 3 || length > (uint64_t{page_size} << mdts)) {
        r.status = reject(c, sc_invalid_field, "log page offset " + core::hex(offset) + " / length " + core::hex(length));
        return r;
    }
    std::vector<uint8_t> out(length, 0);
    if (offset < log.size())
        std::copy(log.begin() + static_cast<long>(offset),
                  log.begin() + static_cast<long>(std::min<uint64_t>(log.size(), offset + length)), out.begin());
    r.status = to_host(c, out.data(), out.size(), delay);
    return r;
}

nvme::outcome nvme::features(const command& c, bool set) {
    outcome r;
    const uint32_t fid = c.dw[10] & 0xff;
    const unsigned sel = (c.dw[10] >> 8) & 7;
    switch (fid) {
    case 0x01: case 0x02: case 0x04: case 0x05: case 0x06: case 0x08: case 0x09: case 0x0a: case 0x0b:
        break;
    case 0x07: {  // number of queues
        if (set) {
            const unsigned nsqr = c.dw[11] & 0xffff, ncqr = c.dw[11] >> 16;
            if (nsqr == 0xffff || ncqr == 0xffff) {
                r.status = reject(c, sc_invalid_field, "Number of Queues 65536");
                return r;
            }
        }
        r.dw0 = (max_io_queues - 1) | (max_io_queues - 1) << 16;
        return r;
    }
    default: r.status = reject(c, sc_invalid_field, "feature " + core::hex(fid) + " not supported"); return r;
    }
    if (set) {
        features_[fid] = c.dw[11];
        SOCSIM_LOG(log_, debug, "feature " << core::hex(fid) << " = " << core::hex(c.dw[11]));
    } else {
        auto it = features_.find(fid);
        r.dw0 = sel == 1 || it == features_.end() ? 0 : it->second;  // default values are 0
        if (fid == 0x04 && (sel == 1 || it == features_.end())) r.dw0 = 0x0157;  // temperature threshold
    }
    return r;
}

nvme::outcome nvme::io_command(const command& c, sc_core::sc_time& delay) {
    outcome r;
    if (c.opcode() > op_read) {
        r.status = reject(c, sc_invalid_opcode, "unknown I/O opcode");
        return r;
    }
    if (c.nsid() != 1 && !(c.opcode() == op_flush && c.nsid() == 0xffffffff)) {
        r.status = reject(c, sc_invalid_namespace, "namespace " + std::to_string(c.nsid()));
        return r;
    }
    switch (c.opcode()) {
    case op_flush: return flush();
    case op_write: return read_write(c, true, delay);
    default: return read_write(c, false, delay);
    }
}

nvme::outcome nvme::flush() {
    store_flush();
    return {};
}

nvme::outcome nvme::read_write(const command& c, bool write, sc_core::sc_time& delay) {
    outcome r;
    const uint64_t slba = c.dw[10] | uint64_t{c.dw[11]} << 32;
    const unsigned nlb = (c.dw[12] & 0xffff) + 1;
    const uint64_t length = uint64_t{nlb} * lba_size;
    if (slba >= blocks_ || nlb > blocks_ - slba) {
        r.status = reject(c, sc_lba_out_of_range, "LBAs " + std::to_string(slba) + " + " + std::to_string(nlb) +
                                                      " past the namespace's " + std::to_string(blocks_));
        return r;
    }
    if (length > (uint64_t{page_size} << mdts)) {
        r.status = reject(c, sc_invalid_field, std::to_string(length) + " bytes exceed MDTS");
        return r;
    }
    std::vector<uint8_t> data(length);
    if (write) {
        r.status = from_host(c, data.data(), length, delay);
        if (r.status == sc_success) store_write(slba, nlb, data.data());
    } else {
        store_read(slba, nlb, data.data());
        r.status = to_host(c, data.data(), length, delay);
    }
    return r;
}

uint16_t nvme::map_prps(const command& c, uint64_t length, std::vector<segment>& out, sc_core::sc_time& delay) {
    const uint64_t page_mask = page_size - 1;
    const uint64_t prp1 = c.prp1(), prp2 = c.prp2();
    if (prp1 & 3) return reject(c, sc_invalid_prp_offset, "PRP1 " + core::hex(prp1) + " is not dword aligned");
    const uint64_t first = std::min<uint64_t>(length, page_size - (prp1 & page_mask));
    out.push_back({prp1, static_cast<uint32_t>(first)});
    uint64_t left = length - first;
    if (left == 0) return sc_success;
    if (left <= page_size) {
        if (prp2 & page_mask)
            return reject(c, sc_invalid_prp_offset, "PRP2 " + core::hex(prp2) + " has a page offset");
        out.push_back({prp2, static_cast<uint32_t>(left)});
        return sc_success;
    }
    uint64_t list = prp2;
    if (list & 7) return reject(c, sc_invalid_prp_offset, "PRP list pointer " + core::hex(list) + " is not qword aligned");
    // A list page holding only its chain entry moves nothing: bound the pages read so that a
    // chain looping on itself cannot hold the controller.
    const uint64_t list_page_limit = (length / page_size) + 2;
    for (uint64_t pages = 0; left > 0; ++pages) {
        if (pages == list_page_limit)
            return reject(c, sc_invalid_field, "the PRP list chain does not advance (" + std::to_string(pages) +
                                                   " list pages read)");
        // Entries left in this list page; the last one chains to the next page when more follow.
        const uint64_t in_page = (page_size - (list & page_mask)) / 8;
        const uint64_t needed = (left + page_size - 1) / page_size;
        const uint64_t count = std::min(in_page, needed);
        std::vector<uint8_t> raw(count * 8);
        if (dma_read(list, raw.data(), static_cast<unsigned>(raw.size()), delay) != tlm::TLM_OK_RESPONSE)
            return reject(c, sc_data_transfer_error, "PRP list read at bus address " + core::hex(list) + " failed");
        for (uint64_t i = 0; i < count; ++i) {
            const uint64_t entry = get32(&raw[8 * i]) | uint64_t{get32(&raw[8 * i + 4])} << 32;
            if (i == count - 1 && needed > in_page) {
                if (entry & 7)
                    return reject(c, sc_invalid_prp_offset, "chained PRP list pointer " + core::hex(entry));
                list = entry;
                break;
            }
            if (entry & page_mask)
                return reject(c, sc_invalid_prp_offset, "PRP list entry " + core::hex(entry) + " has a page offset");
            const uint64_t n = std::min<uint64_t>(left, page_size);
            out.push_back({entry, static_cast<uint32_t>(n)});
            left -= n;
        }
    }
    return sc_success;
}

uint16_t nvme::to_host(const command& c, const uint8_t* data, uint64_t length, sc_core::sc_time& delay) {
    std::vector<segment> segs;
    if (uint16_t s = map_prps(c, length, segs, delay)) return s;
    for (const segment& s : segs) {
        if (dma_write(s.address, data, s.length, delay) != tlm::TLM_OK_RESPONSE)
            return reject(c, sc_data_transfer_error, "data write to bus address " + core::hex(s.address) + " failed");
        data += s.length;
    }
    return sc_success;
}

uint16_t nvme::from_host(const command& c, uint8_t* data, uint64_t length, sc_core::sc_time& delay) {
    std::vector<segment> segs;
    if (uint16_t s = map_prps(c, length, segs, delay)) return s;
    for (const segment& s : segs) {
        if (dma_read(s.address, data, s.length, delay) != tlm::TLM_OK_RESPONSE)
            return reject(c, sc_data_transfer_error, "data read from bus address " + core::hex(s.address) + " failed");
        data += s.length;
    }
    return sc_success;
}

// ---------------------------------------------------------------------------------------------
// Fault injection: a read of a completed command's data page (socsim,touch-after-completion-ns)

void nvme::schedule_late_touch(const command& c, sc_core::sc_time posted) {
    if (cfg_.touch_after_completion == sc_core::SC_ZERO_TIME) return;
    late_touches_.push_back({posted + cfg_.touch_after_completion, c.prp1(), c.cid(), epoch_});
    late_touch_event_.notify(sc_core::SC_ZERO_TIME);
}

// Its own thread, so that the command worker never waits for a touch.
void nvme::late_touch_thread() {
    for (;;) {
        if (late_touches_.empty()) {
            wait(late_touch_event_);
            continue;
        }
        const late_touch t = late_touches_.front();
        if (t.at > sc_core::sc_time_stamp()) {
            wait(t.at - sc_core::sc_time_stamp());
            continue;
        }
        late_touches_.pop_front();
        if (t.epoch != epoch_) continue;  // the controller was reset since the command completed
        // 8 bytes, or 4 when PRP1 is 4 bytes before its page's end: the command's own page only.
        const unsigned len = std::min<unsigned>(8, page_size - (t.address & (page_size - 1)));
        core::trace_event("nvme_late_touch", name())
            .field("cid", uint64_t{t.cid})
            .hex_field("address", t.address)
            .emit();
        SOCSIM_LOG(log_, info, "command " << t.cid << ": reading " << len << " bytes at its PRP1, bus address "
                                          << core::hex(t.address) << ", " << cfg_.touch_after_completion
                                          << " after its completion (socsim,touch-after-completion-ns)");
        uint8_t bytes[8];
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        if (dma_read(t.address, bytes, len, delay) != tlm::TLM_OK_RESPONSE)
            SOCSIM_LOG(log_, info, "command " << t.cid << ": the late read at " << core::hex(t.address)
                                              << " was refused upstream: ignored");
        if (delay > sc_core::SC_ZERO_TIME) wait(delay);
    }
}

// ---------------------------------------------------------------------------------------------
// Interrupts

bool nvme::msix_enabled() const { return config_read(msix_cap + 2, 2) & 0x8000; }
bool nvme::msix_function_masked() const { return config_read(msix_cap + 2, 2) & 0x4000; }
bool nvme::vector_masked(unsigned v) const { return msix_function_masked() || (msix_table_[4 * v + 3] & 1); }

void nvme::update_intx() {
    bool level = false;
    if (!msix_enabled() && !(intms_.get() & 1))
        for (const completion_queue& cq : cqs_)
            if (cq.valid && cq.ien && cq.head != cq.tail) level = true;
    set_intx(level);
}

void nvme::signal_cq(const completion_queue& cq) {
    if (!cq.ien) return;
    if (!msix_enabled()) {
        update_intx();
        return;
    }
    msix_pending_[cq.vector / 64] |= uint64_t{1} << (cq.vector % 64);
    msix_check_pending();
}

void nvme::msix_check_pending() {
    if (!msix_enabled()) return;
    for (unsigned v = 0; v < msix_vectors; ++v) {
        const uint64_t bit = uint64_t{1} << (v % 64);
        if ((msix_pending_[v / 64] & bit) && !vector_masked(v)) {
            msix_pending_[v / 64] &= ~bit;
            msix_queue_.push_back(v);
            msix_event_.notify(sc_core::SC_ZERO_TIME);
        }
    }
}

void nvme::msix_thread() {
    for (;;) {
        wait(msix_event_);
        while (!msix_queue_.empty()) {
            const unsigned v = msix_queue_.front();
            msix_queue_.pop_front();
            const uint64_t address = msix_table_[4 * v] | uint64_t{msix_table_[4 * v + 1]} << 32;
            const uint32_t data = msix_table_[4 * v + 2];
            uint8_t bytes[4];
            put32(bytes, data);
            core::trace_event("nvme_msix", name()).field("vector", uint64_t{v}).hex_field("address", address).hex_field("data", data).emit();
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            if (dma_write(address, bytes, sizeof bytes, delay) != tlm::TLM_OK_RESPONSE)
                log_.warning("MSI-X vector " + std::to_string(v) + " message to bus address " + core::hex(address) +
                             " failed upstream: the interrupt is lost");
            if (delay > sc_core::SC_ZERO_TIME) wait(delay);
        }
    }
}

void nvme::msix_access(tlm::tlm_generic_payload& p, bool debug) {
    const uint64_t offset = p.get_address();
    const unsigned len = p.get_data_length();
    uint8_t* d = p.get_data_ptr();
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    for (unsigned i = 0; i < len; i += 4) {
        const uint64_t at = offset + i;
        uint32_t* word = nullptr;
        uint32_t pba_word = 0;
        if (at >= msix_table && at < msix_table + msix_vectors * 16) {
            word = &msix_table_[(at - msix_table) / 4];
        } else if (at >= msix_pba && at < msix_pba + msix_pending_.size() * 8) {
            const uint64_t w = msix_pending_[(at - msix_pba) / 8];
            pba_word = static_cast<uint32_t>(((at - msix_pba) & 4) ? w >> 32 : w);
        }
        if (p.is_read()) {
            put32(d + i, word ? *word : pba_word);
        } else if (word) {  // the PBA and the rest are read-only
            const bool control = ((at - msix_table) & 0xc) == 0xc;
            *word = control ? (get32(d + i) & 1) : get32(d + i);
            if (control && !debug) msix_check_pending();
        }
    }
}

void nvme::config_written(unsigned offset, unsigned len) {
    const unsigned control = msix_cap + 2;
    if (offset + len <= control || offset >= control + 2) return;
    update_intx();  // enabling MSI-X deasserts INTx
    msix_check_pending();
}

} // namespace socsim::devices
