// Translation throughput of the IOMMU models, measured through each IOMMU's upstream (DMA)
// target socket, as a DMA master would drive it: 8-byte reads, one translation each.
//
//   <iommu> hit: N M/s     reads of the same few pages over and over (TLB hits), default
//                          configuration (DMA checker on; nothing writes memory, so it re-reads
//                          no walk trail: see core::memory_epoch)
//   <iommu> hit (writes): N M/s  the same with DMA writes: every write may have changed a table,
//                          so the checker re-reads the walk trail on each hit
//   <iommu> hit (check-stale off): N M/s
//   <iommu> miss: N M/s    a stride over more pages than the TLB holds: every access misses
//                          and walks the tables (4 levels for the SMMUv3, 2 for the DART; for
//                          the sun50i the PT read plus its prefetch, the DTE coming from the
//                          PTW cache)
//
// Usage: iommu_translate [CPU seconds per measurement, default 0.5]. Rates are per second of the
// benchmark thread's CPU time, so a busy machine lowers them less than wall-clock rates.
//
// Adding an IOMMU: derive from `iommu_under_test` (build the model, bind a master in
// `bind_master()`, expose `downstream()`, program it in `setup()` and name the IOVAs for hits and misses) and add it
// to `make_benches()`. Everything else (RAM, bus, the DMA master, timing) is shared.
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <vector>

#include "models/bus/router.h"
#include "models/core/dma_extension.h"
#include "models/iommu/dart/dart.h"
#include "models/iommu/smmuv3/smmuv3.h"
#include "models/iommu/sun50i/sun50i_iommu.h"
#include "models/memory/ram.h"

using namespace socsim;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000, RAM_SIZE = 0x10000000;  // 256 MiB

// A DMA master (or register writer) with one reused payload: no allocation per access.
class master : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<master> socket;
    explicit master(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
        ext_ = new core::dma_extension;
        ext_->initiator = name();
        payload_.set_extension(ext_);
        payload_.set_streaming_width(8);
    }
    void set_stream(uint32_t sid) { ext_->stream_id = sid; }
    bool access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
        payload_.set_command(cmd);
        payload_.set_address(addr);
        payload_.set_data_ptr(static_cast<unsigned char*>(data));
        payload_.set_data_length(len);
        payload_.set_streaming_width(len);
        payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        socket->b_transport(payload_, delay_);
        return payload_.is_response_ok();
    }
    void write32(uint64_t a, uint32_t v) { check(access(tlm::TLM_WRITE_COMMAND, a, &v, 4), a); }
    void write64(uint64_t a, uint64_t v) { check(access(tlm::TLM_WRITE_COMMAND, a, &v, 8), a); }
    uint32_t read32(uint64_t a) {
        uint32_t v = 0;
        check(access(tlm::TLM_READ_COMMAND, a, &v, 4), a);
        return v;
    }

private:
    static void check(bool ok, uint64_t a) {
        if (!ok) {
            std::fprintf(stderr, "iommu_translate: access at 0x%llx failed\n", static_cast<unsigned long long>(a));
            std::exit(1);
        }
    }
    tlm::tlm_generic_payload payload_;
    core::dma_extension* ext_;
    sc_core::sc_time delay_;
};

// What the harness needs from an IOMMU.
class iommu_under_test {
public:
    virtual ~iommu_under_test() = default;
    virtual std::string name() const = 0;
    virtual void bind_master(tlm::tlm_initiator_socket<>& dma) = 0;  // to the upstream (DMA) socket
    virtual tlm::tlm_initiator_socket<>& downstream() = 0;
    virtual tlm::tlm_target_socket<>& registers() = 0;
    // Programs the IOMMU and its tables (runs in simulation; `mem` writes RAM, `regs` the registers).
    virtual void setup(const std::function<void(uint64_t, uint64_t)>& mem_write64, master& regs) = 0;
    virtual uint32_t stream() const = 0;
    virtual uint64_t hit_iova(uint64_t i) const = 0;   // few pages: TLB hits
    virtual uint64_t miss_iova(uint64_t i) const = 0;  // more pages than the TLB holds
};

// ---- SMMUv3: linear stream table, one stream, 4 KiB granule, 48-bit input (4-level walks) ----

class smmuv3_under_test : public iommu_under_test {
public:
    static constexpr unsigned miss_pages = 16384;  // 32x the default 512-entry TLB
    static constexpr uint64_t iova_base = 0x0000123400000000ull;

    smmuv3_under_test(const char* name, bool check_stale) : label_(name) {
        iommu::smmuv3::config cfg;
        cfg.check_stale = check_stale;
        smmu_ = std::make_unique<iommu::smmuv3>(name, cfg);
    }
    std::string name() const override { return label_; }
    void bind_master(tlm::tlm_initiator_socket<>& dma) override { dma.bind(smmu_->upstream); }
    tlm::tlm_initiator_socket<>& downstream() override { return smmu_->downstream; }
    tlm::tlm_target_socket<>& registers() override { return smmu_->socket; }
    uint32_t stream() const override { return 1; }
    uint64_t hit_iova(uint64_t i) const override { return iova_base + ((i & 15) << 12) + 8 * (i & 7); }
    uint64_t miss_iova(uint64_t i) const override { return iova_base + ((i % miss_pages) << 12); }

    void setup(const std::function<void(uint64_t, uint64_t)>& w64, master& regs) override {
        using namespace iommu::smmuv3_reg;
        uint64_t next = RAM_BASE + 0x08000000 + (label_.size() << 22);  // table area per instance
        auto alloc = [&](uint64_t bytes) {
            uint64_t a = next;
            next += (bytes + 0xfff) & ~0xfffull;
            return a;
        };
        const uint64_t strtab = alloc(64 * 16), cmdq = alloc(16 * 64), eventq = alloc(32 * 32);
        const uint64_t cd = alloc(64), l0 = alloc(4096), l1 = alloc(4096), l2 = alloc(4096);
        // STE 1: stage 1 with the CD; CD: T0SZ=16, 4K, IPS 48, EPD1, AA64, R, A, V, ASID 1.
        w64(strtab + 64, 1 | (5u << 1) | cd);
        const uint64_t d0 = 16 | (1ull << 30) | (1ull << 31) | (5ull << 32) | (1ull << 41) | (1ull << 45) |
                            (1ull << 46) | (1ull << 48);
        w64(cd, d0);
        w64(cd + 8, l0);
        // One L1 and one L2 table, L3 tables for miss_pages pages (all inside one 1 GiB region).
        w64(l0 + ((iova_base >> 39) & 511) * 8, l1 | 3);
        w64(l1 + ((iova_base >> 30) & 511) * 8, l2 | 3);
        for (unsigned t = 0; t < miss_pages / 512; ++t) {
            const uint64_t l3 = alloc(4096);
            w64(l2 + (((iova_base >> 21) & 511) + t) * 8, l3 | 3);
            for (unsigned p = 0; p < 512; ++p) {
                const uint64_t pa = RAM_BASE + ((uint64_t{t} * 512 + p) % 8192) * 4096;  // 32 MiB of data
                w64(l3 + p * 8, pa | 3 | (1 << 10) | (1 << 6) | (1 << 11));
            }
        }
        regs.write32(CR0, 0);
        regs.write32(CR2, 0x6);
        regs.write64(STRTAB_BASE, strtab);
        regs.write32(STRTAB_BASE_CFG, 4);
        regs.write64(CMDQ_BASE, cmdq | 6);
        regs.write64(EVENTQ_BASE, eventq | 5);
        regs.write32(CR0, 0xc);
        w64(cmdq, 0x04);  // CFGI_ALL
        w64(cmdq + 8, 31);
        w64(cmdq + 16, 0x46);  // CMD_SYNC
        w64(cmdq + 24, 0);
        regs.write32(CMDQ_PROD, 2);
        if (regs.read32(CMDQ_CONS) != 2) {
            std::fprintf(stderr, "iommu_translate: %s did not consume its commands\n", label_.c_str());
            std::exit(1);
        }
        regs.write32(CR0, 0xd);
    }

private:
    std::string label_;
    std::unique_ptr<iommu::smmuv3> smmu_;
};

// ---- Apple DART (t8103): stream 1, TTBR0, 16 KiB pages, two-level walks ----

class dart_under_test : public iommu_under_test {
public:
    static constexpr unsigned miss_pages = 4096;  // 16x the default 256-entry TLB (2 L2 tables)
    static constexpr uint64_t iova_base = 0x80000000ull;

    dart_under_test(const char* name, bool check_stale) : label_(name) {
        iommu::dart::config cfg;
        cfg.variant = iommu::find_dart_variant("apple,t8103-dart");
        cfg.check_stale = check_stale;
        dart_ = std::make_unique<iommu::dart>(name, cfg);
    }
    std::string name() const override { return label_; }
    void bind_master(tlm::tlm_initiator_socket<>& dma) override { dma.bind(dart_->upstream); }
    tlm::tlm_initiator_socket<>& downstream() override { return dart_->downstream; }
    tlm::tlm_target_socket<>& registers() override { return dart_->socket; }
    uint32_t stream() const override { return 1; }
    uint64_t hit_iova(uint64_t i) const override { return iova_base + ((i & 15) << 14) + 8 * (i & 7); }
    uint64_t miss_iova(uint64_t i) const override { return iova_base + ((i % miss_pages) << 14); }

    void setup(const std::function<void(uint64_t, uint64_t)>& w64, master& regs) override {
        const iommu::dart_format& f = dart_->format();
        uint64_t next = RAM_BASE + 0x08000000 + (label_.size() << 22);  // table area per instance
        auto alloc = [&] {
            next = (next + 0x3fff) & ~0x3fffull;
            const uint64_t a = next;
            next += 0x4000;
            return a;
        };
        const uint64_t l1 = alloc();
        for (unsigned t = 0; t < miss_pages / 2048; ++t) {
            const uint64_t l2 = alloc();
            w64(l1 + (((iova_base >> 25) & 0x7ff) + t) * 8, f.table_descriptor(l2));
            for (unsigned p = 0; p < 2048; ++p) {
                const uint64_t pa = RAM_BASE + ((uint64_t{t} * 2048 + p) % 2048) * 0x4000;  // 32 MiB of data
                w64(l2 + p * 8, f.leaf_descriptor(pa, true, true));
            }
        }
        regs.write32(0x200 + 16 * 1, static_cast<uint32_t>(l1 >> 12) | (1u << 31));  // TTBR[1][0]
        regs.write32(0x100 + 4 * 1, 1u << 7);                                         // TCR[1] translate
        regs.write32(0x34, 1u << 1);                                                   // STREAM_SELECT
        regs.write32(0x20, 1u << 20);                                                  // INVALIDATE
        while (regs.read32(0x20) & 4) {
        }
    }

private:
    std::string label_;
    std::unique_ptr<iommu::dart> dart_;
};

// ---- Allwinner H6: one shared table, master 0, 4 KiB pages (2-level walks, PTW cache hits) ----

class sun50i_under_test : public iommu_under_test {
public:
    static constexpr unsigned miss_pages = 4096;  // 16 x the 256-entry macro TLB; 16 PTs (1 MiB slots)
    static constexpr uint32_t iova_base = 0x10000000;

    sun50i_under_test(const char* name, bool check_stale) : label_(name) {
        iommu::sun50i_iommu::config cfg;
        cfg.check_stale = check_stale;
        h6_ = std::make_unique<iommu::sun50i_iommu>(name, cfg);
    }
    std::string name() const override { return label_; }
    void bind_master(tlm::tlm_initiator_socket<>& dma) override { dma.bind(h6_->upstream); }
    tlm::tlm_initiator_socket<>& downstream() override { return h6_->downstream; }
    tlm::tlm_target_socket<>& registers() override { return h6_->socket; }
    uint32_t stream() const override { return 0; }
    uint64_t hit_iova(uint64_t i) const override { return iova_base + ((i & 7) << 12) + 8 * (i & 7); }
    // Every other page: the neighbour each walk prefetches is never the next access, so every
    // access walks (the PT read; the DTE comes from the PTW cache, which holds all 16 slots).
    uint64_t miss_iova(uint64_t i) const override { return iova_base + (((2 * i) % miss_pages) << 12); }

    void setup(const std::function<void(uint64_t, uint64_t)>& w64, master& regs) override {
        using namespace iommu::sun50i_reg;
        const uint64_t dt = RAM_BASE + 0x0c000000 + (label_.size() << 22);  // 16 KiB aligned, per instance
        const uint64_t pts = dt + 0x4000;
        // Pairs of 32-bit entries written as 64-bit words.
        for (unsigned s = 0; s < miss_pages / 256; s += 2) {
            const uint64_t lo = (pts + s * 0x400) | 1, hi = (pts + (s + 1) * 0x400) | 1;
            w64(dt + ((iova_base >> 20) + s) * 4, lo | (hi << 32));
        }
        for (unsigned p = 0; p < miss_pages; p += 2) {
            auto pte = [](unsigned page) { return (RAM_BASE + (page % 8192) * 4096ull) | 2; };  // 32 MiB of data
            w64(pts + p * 4, pte(p) | (pte(p + 1) << 32));
        }
        regs.write32(TTB, static_cast<uint32_t>(dt));
        regs.write32(TLB_PREFETCH, 0x3f);
        regs.write32(BYPASS, 0);
        regs.write32(INT_ENABLE, 0x3003f);
        regs.write32(TLB_FLUSH_ENABLE, 0x3003f);
        regs.write32(AUTO_GATING, 1);
        regs.write32(ENABLE, 1);
    }

private:
    std::string label_;
    std::unique_ptr<iommu::sun50i_iommu> h6_;
};

std::vector<std::unique_ptr<iommu_under_test>> make_benches() {
    std::vector<std::unique_ptr<iommu_under_test>> v;
    v.push_back(std::make_unique<smmuv3_under_test>("smmuv3", true));
    v.push_back(std::make_unique<smmuv3_under_test>("smmuv3_nocheck", false));
    v.push_back(std::make_unique<dart_under_test>("dart", true));
    v.push_back(std::make_unique<dart_under_test>("dart_nocheck", false));
    v.push_back(std::make_unique<sun50i_under_test>("sun50i", true));
    v.push_back(std::make_unique<sun50i_under_test>("sun50i_nocheck", false));
    return v;
}

class harness : public sc_core::sc_module {
public:
    bus::router bus{"bus"};
    memory::ram ram{"ram", RAM_SIZE};
    master loader{"loader"};
    std::vector<std::unique_ptr<iommu_under_test>> iommus;
    std::vector<std::unique_ptr<master>> dmas, regs;
    double seconds;

    harness(sc_core::sc_module_name n, double secs) : sc_module(n), seconds(secs) {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, RAM_SIZE}, "/memory");
        loader.socket.bind(bus.target_socket);
        iommus = make_benches();
        for (auto& u : iommus) {
            dmas.push_back(std::make_unique<master>((u->name() + "_dma").c_str()));
            regs.push_back(std::make_unique<master>((u->name() + "_cpu").c_str()));
            u->bind_master(dmas.back()->socket);
            regs.back()->socket.bind(u->registers());
            u->downstream().bind(bus.target_socket);
        }
        SC_HAS_PROCESS(harness);
        SC_THREAD(run);
    }

private:
    // Runs accesses in batches until `seconds` of this thread's CPU time pass; returns
    // translations per CPU second. CPU time rather than wall time: the machine is shared, and
    // time spent descheduled says nothing about the model.
    static double cpu_seconds() {
        timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec + ts.tv_nsec * 1e-9;
    }
    template <class Iova>
    double measure(master& dma, Iova&& iova, uint64_t& count, tlm::tlm_command cmd = tlm::TLM_READ_COMMAND) {
        uint64_t data = 0;
        count = 0;
        const double start = cpu_seconds();
        double elapsed = 0;
        do {
            for (unsigned k = 0; k < 65536; ++k, ++count)
                if (!dma.access(cmd, iova(count), &data, 8)) {
                    std::fprintf(stderr, "iommu_translate: DMA at 0x%llx failed\n",
                                 static_cast<unsigned long long>(iova(count)));
                    std::exit(1);
                }
            elapsed = cpu_seconds() - start;
        } while (elapsed < seconds);
        return count / elapsed;
    }

    void run() {
        auto w64 = [this](uint64_t a, uint64_t v) {
            tlm::tlm_generic_payload p;
            p.set_write();
            p.set_address(a);
            p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
            p.set_data_length(8);
            p.set_streaming_width(8);
            loader.socket->transport_dbg(p);
        };
        for (size_t i = 0; i < iommus.size(); ++i) {
            iommu_under_test& u = *iommus[i];
            master& dma = *dmas[i];
            u.setup(w64, *regs[i]);
            dma.set_stream(u.stream());
            uint64_t n = 0;
            const bool checker = u.name().find("nocheck") == std::string::npos;
            const std::string base = checker ? u.name() : u.name().substr(0, u.name().find("_nocheck"));
            double hit = measure(dma, [&](uint64_t k) { return u.hit_iova(k); }, n);
            std::printf("%s hit%s: %.1f M/s (%llu translations)\n", base.c_str(),
                        checker ? "" : " (check-stale off)", hit / 1e6, static_cast<unsigned long long>(n));
            if (checker) {
                double writes = measure(dma, [&](uint64_t k) { return u.hit_iova(k); }, n, tlm::TLM_WRITE_COMMAND);
                std::printf("%s hit (writes): %.1f M/s (%llu translations)\n", base.c_str(), writes / 1e6,
                            static_cast<unsigned long long>(n));
                double miss = measure(dma, [&](uint64_t k) { return u.miss_iova(k); }, n);
                std::printf("%s miss: %.1f M/s (%llu translations)\n", base.c_str(), miss / 1e6,
                            static_cast<unsigned long long>(n));
            }
            std::fflush(stdout);
        }
        sc_core::sc_stop();
    }
};

struct quiet_systemc_banner {
    quiet_systemc_banner() { setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1); }
} const quiet_banner;

} // namespace

int sc_main(int argc, char* argv[]) {
    double seconds = argc > 1 ? std::atof(argv[1]) : 0.5;
    if (seconds <= 0) seconds = 0.5;
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    harness h("bench", seconds);
    sc_core::sc_start();
    return 0;
}
