// The PCIe host bridge through real sockets: ECAM, the root function, BAR sizing, decode enables,
// outbound windows, inbound windows (sorted, overlaps refused, DMA split across adjacent windows
// and refused at a hole), bus-master enable, iommu-map stream ids and one DMA output per IOMMU,
// debug accesses through the inbound windows, peer-to-peer and its report.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "models/bus/router.h"
#include "models/core/config_error.h"
#include "models/core/dma_extension.h"
#include "models/core/log.h"
#include "models/core/trace_writer.h"
#include "models/pcie/pcie_host_bridge.h"
#include "tests/unit/harness.h"

using namespace socsim;
using bridge_t = pcie::pcie_host_bridge;

namespace {

constexpr uint64_t ecam_base = 0x3f000000;
constexpr uint64_t mem32_cpu = 0x10000000, io_cpu = 0x3eff0000, mem64_cpu = 0x8000000000;

uint64_t ecam(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return ecam_base + (uint64_t{bus} << 20 | dev << 15 | fn << 12 | reg);
}

// A memory-backed target for a BAR or for the upstream side, remembering the last access.
class memory_target : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<memory_target> socket;
    std::vector<uint8_t> bytes;
    uint64_t last_address = ~0ull;
    core::dma_extension last_ext;
    unsigned accesses = 0;
    struct access {
        uint64_t address;
        unsigned length;
        uint32_t stream;
        bool debug;
    };
    std::vector<access> history;  // every access, debug ones included

    memory_target(sc_core::sc_module_name n, size_t size) : sc_module(n), socket("socket"), bytes(size) {
        socket.register_b_transport(this, &memory_target::b_transport);
        socket.register_transport_dbg(this, &memory_target::transport_dbg);
    }

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
        ++accesses;
        copy(p, false);
        p.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    unsigned transport_dbg(tlm::tlm_generic_payload& p) {
        copy(p, true);
        return p.get_data_length();
    }
    void copy(tlm::tlm_generic_payload& p, bool debug) {
        last_address = p.get_address();
        core::dma_extension* ext = nullptr;
        p.get_extension(ext);
        last_ext = ext ? *ext : core::dma_extension();
        history.push_back({p.get_address(), p.get_data_length(), last_ext.stream_id, debug});
        uint64_t off = p.get_address() % bytes.size();
        if (p.is_read())
            std::memcpy(p.get_data_ptr(), &bytes[off], p.get_data_length());
        else
            std::memcpy(&bytes[off], p.get_data_ptr(), p.get_data_length());
    }
};

// A function with a 4 KiB 32-bit BAR0, a 1 MiB 64-bit prefetchable BAR2 and a 256-byte I/O BAR4.
class test_function : public pcie::pcie_endpoint {
public:
    memory_target bar0, bar2, bar4;

    test_function(sc_core::sc_module_name n, uint16_t device)
        : pcie_endpoint(n, identity_for(device)), bar0("bar0", 4096), bar2("bar2", 1 << 20), bar4("bar4", 256) {
        declare_bar(0, bar_kind::memory32, 4096, bar0.socket);
        declare_bar(2, bar_kind::memory64, 1 << 20, bar2.socket, true);
        declare_bar(4, bar_kind::io, 256, bar4.socket);
    }
    tlm::tlm_response_status write(uint64_t bus, uint32_t value) {
        sc_core::sc_time d;
        return dma_write(bus, &value, 4, d);
    }
    tlm::tlm_response_status read(uint64_t bus, uint32_t& value) {
        sc_core::sc_time d;
        return dma_read(bus, &value, 4, d);
    }
    tlm::tlm_response_status write_bytes(uint64_t bus, const void* data, unsigned len) {
        sc_core::sc_time d;
        return dma_write(bus, data, len, d);
    }
    tlm::tlm_response_status read_bytes(uint64_t bus, void* data, unsigned len) {
        sc_core::sc_time d;
        return dma_read(bus, data, len, d);
    }
    // A debugger's access through this function's eyes (transport_dbg on its DMA socket).
    unsigned debug(tlm::tlm_command cmd, uint64_t bus, void* data, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(bus);
        p.set_data_ptr(static_cast<unsigned char*>(data));
        p.set_data_length(len);
        p.set_streaming_width(len);
        return dma->transport_dbg(p);
    }

private:
    static identity identity_for(uint16_t device) {
        identity id;
        id.vendor = 0x1234;
        id.device = device;
        id.revision = 3;
        id.class_code = 0x020000;
        id.interrupt_pin = 1;
        return id;
    }
};

bridge_t::config virt_like() {
    bridge_t::config cfg;
    cfg.ecam_size = 16 << 20;
    cfg.first_bus = 0;
    cfg.last_bus = 15;
    cfg.outbound = {{bridge_t::space::io, false, io_cpu, 0x0, 0x10000},
                    {bridge_t::space::memory32, false, mem32_cpu, 0x10000000, 0x2eff0000},
                    {bridge_t::space::memory64, true, mem64_cpu, 0x8000000000, 0x40000000}};
    return cfg;
}

// The CPU side (router with ECAM and windows) and the upstream side (a recording memory).
struct bench {
    bus::router bus{"bus"};
    bridge_t bridge;
    memory_target upstream{"upstream", 1 << 20};
    test::test_initiator cpu{"cpu"};

    explicit bench(bridge_t::config cfg) : bridge("pcie", std::move(cfg)) {
        cpu.socket.bind(bus.target_socket);
        bus.map(bus.bind_target(bridge.ecam), {ecam_base, bridge.configuration().ecam_size}, "/pcie");
        const auto& out = bridge.configuration().outbound;
        for (unsigned i = 0; i < out.size(); ++i)
            bus.map(bus.bind_target(bridge.window(i)), {out[i].cpu_base, out[i].size}, "/pcie window");
        bridge.dma.bind(upstream.socket);
    }
    test_function& add(uint8_t devfn, uint16_t device) {
        auto f = std::make_unique<test_function>(("f" + std::to_string(devfn)).c_str(), device);
        return static_cast<test_function&>(bridge.attach(devfn, std::move(f)));
    }
};

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

} // namespace

TEST_CASE("ECAM: the host bridge's own header, attached functions, and all-ones for absent ones") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(virt_like());
    b.add(0x08, 0xbeef);  // 00:01.0
    test::run_script([&] {
        // 00:00.0: QEMU's gpex-root.
        CHECK(b.cpu.read32(ecam(0, 0, 0, 0x00)) == 0x00081b36);
        CHECK(b.cpu.read32(ecam(0, 0, 0, 0x04)) == 0x00000000);
        CHECK(b.cpu.read32(ecam(0, 0, 0, 0x08)) == 0x06000000);
        CHECK(b.cpu.read32(ecam(0, 0, 0, 0x0c)) == 0x00000000);
        CHECK(b.cpu.read32(ecam(0, 0, 0, 0x2c)) == 0x11001af4);
        // 00:01.0 in 1-, 2- and 4-byte reads.
        CHECK(b.cpu.read32(ecam(0, 1, 0, 0x00)) == 0xbeef1234);
        uint64_t v = 0;
        CHECK(b.cpu.read(ecam(0, 1, 0, 0x02), v, 2) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xbeef);
        CHECK(b.cpu.read(ecam(0, 1, 0, 0x0b), v, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0x02);  // base class
        CHECK(b.cpu.read32(ecam(0, 1, 0, 0x08)) == 0x02000003);
        CHECK(b.cpu.read32(ecam(0, 1, 0, 0x3c)) == 0x00000100);  // pin A
        // Absent: another device, another function, another bus, past 256 bytes.
        CHECK(b.cpu.read32(ecam(0, 2, 0, 0x00)) == 0xffffffff);
        CHECK(b.cpu.read32(ecam(0, 1, 1, 0x00)) == 0xffffffff);
        CHECK(b.cpu.read32(ecam(1, 0, 0, 0x00)) == 0xffffffff);
        CHECK(b.cpu.read32(ecam(15, 31, 7, 0xffc)) == 0xffffffff);
        CHECK(b.cpu.read32(ecam(0, 1, 0, 0x100)) == 0xffffffff);
        CHECK(b.cpu.read(ecam(0, 2, 0, 0x00), v, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(v == 0xff);
        b.cpu.write32(ecam(0, 2, 0, 0x04), 0x6);  // ignored, no error
        CHECK(b.cpu.read32(ecam(0, 2, 0, 0x04)) == 0xffffffff);
        // The root function's IDs are read-only.
        b.cpu.write32(ecam(0, 0, 0, 0x00), 0);
        CHECK(b.cpu.read32(ecam(0, 0, 0, 0x00)) == 0x00081b36);
        CHECK(log.str().empty());
        // Misaligned and 8-byte configuration accesses are refused, with a log line each.
        CHECK(b.cpu.read(ecam(0, 1, 0, 0x02), v, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE);
        CHECK(b.cpu.read(ecam(0, 1, 0, 0x00), v, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE);
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 2);
    CHECK(log.str().find("configuration accesses are 1, 2 or 4 bytes") != std::string::npos);
}

TEST_CASE("BAR sizing: all-ones reads back the size mask with the type bits, for 32-bit, 64-bit and I/O BARs") {
    bench b(virt_like());
    b.add(0x08, 0x1);
    test::run_script([&] {
        auto bar = [](unsigned i) { return ecam(0, 1, 0, 0x10 + 4 * i); };
        CHECK(b.cpu.read32(bar(0)) == 0x00000000);
        CHECK(b.cpu.read32(bar(2)) == 0x0000000c);  // 64-bit, prefetchable
        CHECK(b.cpu.read32(bar(4)) == 0x00000001);  // I/O
        for (unsigned i = 0; i < 6; ++i) b.cpu.write32(bar(i), 0xffffffff);
        CHECK(b.cpu.read32(bar(0)) == 0xfffff000);  // 4 KiB
        CHECK(b.cpu.read32(bar(1)) == 0x00000000);  // not implemented
        CHECK(b.cpu.read32(bar(2)) == 0xfff0000c);  // 1 MiB, 64-bit prefetchable
        CHECK(b.cpu.read32(bar(3)) == 0xffffffff);  // upper half: all address bits
        CHECK(b.cpu.read32(bar(4)) == 0xffffff01);  // 256 bytes of I/O
        CHECK(b.cpu.read32(bar(5)) == 0x00000000);
        // Assignment keeps only the address bits above the size.
        b.cpu.write32(bar(0), 0x10001234);
        CHECK(b.cpu.read32(bar(0)) == 0x10001000);
        b.cpu.write32(bar(2), 0x00100000);
        b.cpu.write32(bar(3), 0x80);
        CHECK(b.bridge.functions().at(0x08)->bar_address(2) == 0x8000100000);
    });
}

TEST_CASE("command register: writable bits, W1C status, and BAR decode only with memory / I-O enable") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(virt_like());
    test_function& f = b.add(0x08, 0x1);
    test::run_script([&] {
        b.cpu.write32(ecam(0, 1, 0, 0x10), 0x10002000);  // BAR0
        b.cpu.write32(ecam(0, 1, 0, 0x18), 0x00000000);  // BAR2/3 -> 0x80_0000_0000
        b.cpu.write32(ecam(0, 1, 0, 0x1c), 0x00000080);
        b.cpu.write32(ecam(0, 1, 0, 0x20), 0x00000100);  // BAR4 -> I/O 0x100
        uint64_t v = 0;
        // Decode disabled: Unsupported Request for the CPU, one diagnostic.
        CHECK(b.cpu.read(mem32_cpu + 0x2004, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(f.bar0.accesses == 0);
        b.cpu.write(ecam(0, 1, 0, 0x04), 0xffff, 2);
        CHECK(b.cpu.read32(ecam(0, 1, 0, 0x04)) == 0x00000547);  // I/O, MEM, BM, parity, SERR, INTx disable
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0002, 2);             // memory only
        b.cpu.write32(mem32_cpu + 0x2004, 0xcafef00d);
        CHECK(f.bar0.last_address == 4);
        CHECK(b.cpu.read32(mem32_cpu + 0x2004) == 0xcafef00d);
        b.cpu.write32(mem64_cpu + 0x10, 0x64646464);
        CHECK(f.bar2.last_address == 0x10);
        // I/O decode needs Command.IO.
        CHECK(b.cpu.read(io_cpu + 0x104, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0003, 2);
        b.cpu.write32(io_cpu + 0x104, 0x10);
        CHECK(f.bar4.last_address == 4);
        // An address in a window that no BAR claims, and one that runs off the BAR's end.
        CHECK(b.cpu.read(mem32_cpu + 0x100000, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.cpu.read(mem32_cpu + 0x2ffe, v, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        // Status: received-master-abort (bit 13) is write-1-to-clear.
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0000, 2);  // BM off: the next DMA fails
        uint32_t d = 0;
        CHECK(f.read(0x40000000, d) != tlm::TLM_OK_RESPONSE);
        CHECK((b.cpu.read32(ecam(0, 1, 0, 0x04)) >> 16) == 0x2000);
        b.cpu.write(ecam(0, 1, 0, 0x06), 0x2000, 2);
        CHECK((b.cpu.read32(ecam(0, 1, 0, 0x04)) >> 16) == 0x0000);
    });
    core::set_log_stream(nullptr);
    std::string text = log.str();
    CHECK(lines(text) == 5);  // four CPU Unsupported Requests, the refused DMA, and nothing else
    CHECK(text.find("CPU (cpu) read of 4 bytes at bus address 0x10002004 refused: Unsupported Request: no BAR "
                    "claims it in the 32-bit memory window at 0x10002004") != std::string::npos);
}

TEST_CASE("DMA with bus-master enable clear is refused and reported, and with it set the DMA goes upstream with its requester id") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(virt_like());
    test_function& f = b.add(0x08, 0x1);
    test::run_script([&] {
        CHECK(f.write(0x40001000, 0x11) == tlm::TLM_GENERIC_ERROR_RESPONSE);
        CHECK(b.upstream.accesses == 0);
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0004, 2);
        CHECK(f.write(0x40001000, 0x22) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_address == 0x40001000);  // no dma-ranges: unchanged
        CHECK(b.upstream.last_ext.requester_id == 0x0008);
        CHECK_FALSE(b.upstream.last_ext.has_stream_id());  // no iommu-map
        CHECK(b.upstream.last_ext.initiator == f.name());
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 1);
    CHECK(log.str().find("DMA from 00:01.0 (f8) write of 4 bytes at bus address 0x40001000 refused: bus master "
                         "enable is clear") != std::string::npos);
}

TEST_CASE("inbound windows: a DMA in a dma-ranges window is translated and one in no window is an Unsupported Request") {
    std::ostringstream log;
    core::set_log_stream(&log);
    auto cfg = virt_like();
    cfg.inbound = {{0x80000000, 0x40000000, 0x10000000}, {0xc0000000, 0x60000000, 0x1000}};
    bench b(cfg);
    test_function& f = b.add(0x08, 0x1);
    test::run_script([&] {
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0004, 2);
        CHECK(f.write(0x80001000, 0x1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_address == 0x40001000);
        CHECK(f.write(0xc0000ffc, 0x2) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_address == 0x60000ffc);
        const unsigned before = b.upstream.accesses;
        uint32_t d = 0;
        CHECK(f.read(0x40000000, d) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // a hole
        CHECK(f.write(0xc0000ffe, 0x3) == tlm::TLM_ADDRESS_ERROR_RESPONSE);  // runs off the window
        CHECK(b.upstream.accesses == before);
        CHECK((f.status() & pcie::cfg::status_received_master_abort) != 0);
    });
    core::set_log_stream(nullptr);
    CHECK(lines(log.str()) == 2);
    CHECK(log.str().find("read of 4 bytes at bus address 0x40000000 refused: Unsupported Request: the address is in "
                         "no inbound window (dma-ranges)") != std::string::npos);
}

TEST_CASE("stream ids: iommu-map with iommu-map-mask, requester id kept whole") {
    auto cfg = virt_like();
    cfg.iommu_map = {{0x0000, 0x100, 0x10}, {0x0010, 0x400, 0x8}};
    cfg.iommu_map_mask = 0xfff8;  // functions share their device's stream
    bench b(cfg);
    test_function& f8 = b.add(0x08, 0x1);  // 00:01.0
    test_function& f9 = b.add(0x09, 0x2);  // 00:01.1
    test_function& f10 = b.add(0x10, 0x3);  // 00:02.0
    CHECK(b.bridge.stream_id(0x0008) == 0x108u);
    CHECK(b.bridge.stream_id(0x0009) == 0x108u);
    CHECK(b.bridge.stream_id(0x0010) == 0x400u);
    CHECK_FALSE(b.bridge.stream_id(0x0018).has_value());
    // A function that no entry covers cannot be attached: its DMA would have no stream id.
    CHECK_THROWS_AS(b.add(0x18, 0x4), core::config_error);
    test::run_script([&] {
        for (uint8_t devfn : {0x08, 0x09, 0x10}) b.cpu.write(ecam(0, devfn >> 3, devfn & 7, 0x04), 0x0004, 2);
        CHECK(f8.write(0x1000, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_ext.requester_id == 0x08);
        CHECK(b.upstream.last_ext.stream_id == 0x108);
        CHECK(f9.write(0x1000, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_ext.requester_id == 0x09);
        CHECK(b.upstream.last_ext.stream_id == 0x108);
        CHECK(f10.write(0x1000, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_ext.requester_id == 0x10);
        CHECK(b.upstream.last_ext.stream_id == 0x400);
    });
}

TEST_CASE("an iommu-map entry whose base has bits outside iommu-map-mask is a configuration error") {
    auto cfg = virt_like();
    cfg.iommu_map = {{0x0009, 0x0, 0x8}};
    cfg.iommu_map_mask = 0xfff8;
    CHECK_THROWS_WITH(bridge_t("pcie", cfg), Catch::Contains("ignores bits of the iommu-map id base 0x9"));
}

TEST_CASE("a bus-range larger than the ECAM region is a configuration error") {
    auto cfg = virt_like();
    cfg.ecam_size = 2 << 20;
    CHECK_THROWS_WITH(bridge_t("pcie", cfg), Catch::Contains("does not fit the 2 MiB ECAM region (2 buses)"));
}

TEST_CASE("peer-to-peer: a DMA to an address in an outbound window goes to the peer's BAR, never upstream") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(virt_like());
    test_function& a = b.add(0x08, 0x1);
    test_function& c = b.add(0x10, 0x2);
    test::run_script([&] {
        b.cpu.write32(ecam(0, 1, 0, 0x10), 0x10004000);
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0002, 2);  // a: memory decode
        b.cpu.write(ecam(0, 2, 0, 0x04), 0x0004, 2);  // c: bus master
        CHECK(c.write(0x10004010, 0xabcd1234) == tlm::TLM_OK_RESPONSE);
        CHECK(a.bar0.last_address == 0x10);
        uint32_t v = 0;
        std::memcpy(&v, &a.bar0.bytes[0x10], 4);
        CHECK(v == 0xabcd1234);
        CHECK(b.upstream.accesses == 0);
        // In the window, but no BAR there: Unsupported Request.
        CHECK(c.write(0x20000000, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.upstream.accesses == 0);
        // Outside the windows: upstream as usual.
        CHECK(c.write(0x40000000, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.accesses == 1);
    });
    core::set_log_stream(nullptr);
    std::string text = log.str();
    CHECK(lines(text) == 2);
    CHECK(text.find("DMA from 00:02.0 (f16) write of 4 bytes at bus address 0x10004010 went peer-to-peer to 00:01.0 "
                    "BAR0 (f8)") != std::string::npos);
    CHECK(text.find("outbound window but no BAR claims it") != std::string::npos);
}

namespace {

// Bus 0x8000_0000.. in two adjacent 4 KiB windows (to CPU 0x4000_0000 and 0x6000_0000), a hole,
// and a third window at bus 0x8000_3000 (to CPU 0x7000_0000); given out of order.
bridge_t::config three_windows() {
    auto cfg = virt_like();
    cfg.inbound = {{0x80003000, 0x70000000, 0x1000}, {0x80001000, 0x60000000, 0x1000}, {0x80000000, 0x40000000, 0x1000}};
    return cfg;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::string line, all;
    while (std::getline(in, line)) all += line + "\n";
    return all;
}

} // namespace

TEST_CASE("inbound windows are kept sorted by bus address whatever the configuration order") {
    bench b(three_windows());
    const auto& in = b.bridge.configuration().inbound;
    REQUIRE(in.size() == 3);
    CHECK(in[0].bus_base == 0x80000000);
    CHECK(in[1].bus_base == 0x80001000);
    CHECK(in[2].bus_base == 0x80003000);
    test_function& f = b.add(0x08, 0x1);
    test::run_script([&] {
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0004, 2);
        CHECK(f.write(0x80000010, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_address == 0x40000010);
        CHECK(f.write(0x80001010, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_address == 0x60000010);
        CHECK(f.write(0x80003010, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.last_address == 0x70000010);
    });
}

TEST_CASE("inbound windows that overlap on the bus are a configuration error naming both, a CPU-side alias is allowed") {
    auto cfg = virt_like();
    cfg.inbound = {{0x80000000, 0x40000000, 0x10000}, {0xc0000000, 0x50000000, 0x1000}, {0x8000f000, 0x60000000, 0x2000}};
    CHECK_THROWS_WITH(bridge_t("pcie", cfg),
                      Catch::Contains("inbound windows (dma-ranges) 0 (bus 0x80000000-0x8000ffff -> cpu "
                                      "0x40000000-0x4000ffff) and 2 (bus 0x8000f000-0x80010fff -> cpu "
                                      "0x60000000-0x60001fff) overlap on the bus"));
    auto ok = bridge_t::overlapping({{0x0, 0x40000000, 0x1000}, {0x1000, 0x40000000, 0x1000}});
    CHECK_FALSE(ok.has_value());  // two bus windows onto the same memory: an alias, not an overlap
}

TEST_CASE("a DMA that straddles two adjacent inbound windows is split, each part translated by its own window") {
    std::ostringstream log;
    core::set_log_stream(&log);
    auto cfg = three_windows();
    cfg.iommu_map = {{0x0, 0x100, 0x100}};
    bench b(cfg);
    test_function& f = b.add(0x08, 0x1);
    test::run_script([&] {
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0004, 2);
        const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        CHECK(f.write_bytes(0x80000ffc, data, 8) == tlm::TLM_OK_RESPONSE);
        REQUIRE(b.upstream.history.size() == 2);
        CHECK(b.upstream.history[0].address == 0x40000ffc);
        CHECK(b.upstream.history[0].length == 4);
        CHECK(b.upstream.history[0].stream == 0x108);
        CHECK(b.upstream.history[1].address == 0x60000000);
        CHECK(b.upstream.history[1].length == 4);
        CHECK(b.upstream.history[1].stream == 0x108);
        CHECK(std::memcmp(&b.upstream.bytes[0xffc], data, 4) == 0);      // 0x40000ffc in the 1 MiB store
        CHECK(std::memcmp(&b.upstream.bytes[0x0], data + 4, 4) == 0);    // 0x60000000
        // Read back across the same boundary.
        uint8_t back[8] = {};
        CHECK(f.read_bytes(0x80000ffc, back, 8) == tlm::TLM_OK_RESPONSE);
        CHECK(std::memcmp(back, data, 8) == 0);
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().empty());
}

TEST_CASE("a DMA that runs into a hole is refused at the hole, nothing of it done, one diagnostic naming the windows and the nearest") {
    std::ostringstream log;
    core::set_log_stream(&log);
    const std::string trace = "test_pcie_host_hole.jsonl";
    core::trace_writer::instance().open(trace);
    bench b(three_windows());
    test_function& f = b.add(0x08, 0x1);
    test::run_script([&] {
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0004, 2);
        const uint8_t data[16] = {};
        // Through window 0 and window 1 into the hole at 0x8000_2000.
        CHECK(f.write_bytes(0x80001ff8, data, 16) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.upstream.accesses == 0);
        CHECK((f.status() & pcie::cfg::status_received_master_abort) != 0);
        // Starting in the hole, nearer the window above.
        uint32_t v = 0;
        CHECK(f.read(0x80002f00, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(b.upstream.accesses == 0);
    });
    core::set_log_stream(nullptr);
    core::trace_writer::instance().close();
    const std::string text = log.str();
    CHECK(lines(text) == 2);
    CHECK(text.find("DMA from 00:01.0 (f8) write of 16 bytes at bus address 0x80001ff8 refused: Unsupported "
                    "Request: it runs into a hole at bus address 0x80002000 after 8 bytes inside inbound windows "
                    "(dma-ranges); inbound windows (dma-ranges, by bus address): bus 0x80000000-0x80000fff -> cpu "
                    "0x40000000-0x40000fff, bus 0x80001000-0x80001fff -> cpu 0x60000000-0x60000fff, bus "
                    "0x80003000-0x80003fff -> cpu 0x70000000-0x70000fff; the nearest is bus 0x80001000-0x80001fff "
                    "-> cpu 0x60000000-0x60000fff, ending 0x1 below it") != std::string::npos);
    CHECK(text.find("read of 4 bytes at bus address 0x80002f00 refused: Unsupported Request: the address is in no "
                    "inbound window (dma-ranges); ") != std::string::npos);
    CHECK(text.find("the nearest is bus 0x80003000-0x80003fff -> cpu 0x70000000-0x70000fff, starting 0x100 above "
                    "it") != std::string::npos);
    const std::string events = read_all(trace);
    CHECK(events.find("\"kind\":\"pcie_refused\"") != std::string::npos);
    CHECK(events.find("\"hole_addr\":\"0x80002000\"") != std::string::npos);
}

TEST_CASE("iommu-map entries naming different IOMMUs: one DMA output each, every requester on its own IOMMU's") {
    auto cfg = virt_like();
    cfg.iommu_map = {{0x0000, 0x100, 0x10, 0}, {0x0010, 0x200, 0x8, 1}, {0x0018, 0x300, 0x8, 0}};
    bench b(cfg);
    memory_target second("second", 1 << 20);
    REQUIRE(b.bridge.dma_outputs() == 2);
    b.bridge.dma_output(1).bind(second.socket);
    test_function& f8 = b.add(0x08, 0x1);    // 00:01.0 -> first IOMMU, stream 0x108
    test_function& f10 = b.add(0x10, 0x2);   // 00:02.0 -> second IOMMU, stream 0x200
    test_function& f18 = b.add(0x18, 0x3);   // 00:03.0 -> first IOMMU again, stream 0x300
    CHECK(b.bridge.dma_output_of(0x08) == 0);
    CHECK(b.bridge.dma_output_of(0x10) == 1);
    CHECK(b.bridge.dma_output_of(0x18) == 0);
    test::run_script([&] {
        for (unsigned dev : {1, 2, 3}) b.cpu.write(ecam(0, dev, 0, 0x04), 0x0004, 2);
        CHECK(f8.write(0x1000, 1) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.accesses == 1);
        CHECK(b.upstream.last_ext.stream_id == 0x108);
        CHECK(f10.write(0x2000, 2) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.accesses == 1);
        CHECK(second.accesses == 1);
        CHECK(second.last_address == 0x2000);
        CHECK(second.last_ext.stream_id == 0x200);
        CHECK(second.last_ext.requester_id == 0x10);
        CHECK(f18.write(0x3000, 3) == tlm::TLM_OK_RESPONSE);
        CHECK(b.upstream.accesses == 2);
        CHECK(b.upstream.last_ext.stream_id == 0x300);
        // Debug accesses take the same output.
        uint32_t v = 0;
        CHECK(f10.debug(tlm::TLM_READ_COMMAND, 0x2000, &v, 4) == 4);
        CHECK(v == 2);
        CHECK(second.history.back().debug);
        CHECK(second.history.back().stream == 0x200);
    });
}

TEST_CASE("an iommu-map output number that skips one is a configuration error") {
    auto cfg = virt_like();
    cfg.iommu_map = {{0x0000, 0x100, 0x10, 0}, {0x0010, 0x200, 0x8, 2}};
    CHECK_THROWS_WITH(bridge_t("pcie", cfg), Catch::Contains("uses DMA output 2 before output 1"));
}

TEST_CASE("debug accesses apply the inbound offsets as real DMA does: split across adjacent windows, stopped at a hole, peer BARs") {
    std::ostringstream log;
    core::set_log_stream(&log);
    auto cfg = three_windows();
    cfg.iommu_map = {{0x0, 0x0, 0x100}};
    bench b(cfg);
    test_function& f = b.add(0x08, 0x1);
    test_function& peer = b.add(0x10, 0x2);
    test::run_script([&] {
        // No bus-master enable needed: a debugger looks whatever the command register says.
        uint8_t data[8] = {9, 8, 7, 6, 5, 4, 3, 2};
        CHECK(f.debug(tlm::TLM_WRITE_COMMAND, 0x80000ffc, data, 8) == 8);
        REQUIRE(b.upstream.history.size() == 2);
        CHECK(b.upstream.history[0].address == 0x40000ffc);
        CHECK(b.upstream.history[1].address == 0x60000000);
        CHECK(b.upstream.history[0].stream == 0x8);
        CHECK(b.upstream.history[1].debug);
        CHECK(std::memcmp(&b.upstream.bytes[0xffc], data, 4) == 0);
        CHECK(std::memcmp(&b.upstream.bytes[0x0], data + 4, 4) == 0);
        uint8_t back[8] = {};
        CHECK(f.debug(tlm::TLM_READ_COMMAND, 0x80000ffc, back, 8) == 8);
        CHECK(std::memcmp(back, data, 8) == 0);
        // Into the hole after window 1: the bytes before it, then nothing.
        CHECK(f.debug(tlm::TLM_READ_COMMAND, 0x80001ffe, back, 8) == 2);
        CHECK(b.upstream.history.back().address == 0x60000ffe);
        CHECK(f.debug(tlm::TLM_READ_COMMAND, 0x80002000, back, 4) == 0);
        // A peer's BAR: the debug access goes peer to peer as the DMA would.
        b.cpu.write32(ecam(0, 2, 0, 0x10), 0x10004000);
        b.cpu.write(ecam(0, 2, 0, 0x04), 0x0002, 2);
        uint32_t word = 0x5eed;
        CHECK(f.debug(tlm::TLM_WRITE_COMMAND, 0x10004020, &word, 4) == 4);
        CHECK(peer.bar0.last_address == 0x20);
        std::memcpy(&word, &peer.bar0.bytes[0x20], 4);
        CHECK(word == 0x5eed);
        CHECK(b.upstream.accesses == 0);  // nothing but debug accesses
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().empty());  // debug accesses report nothing
}

TEST_CASE("peer-to-peer is reported as pcie_p2p: requester, bus address, the BAR it hit, and that the IOMMU never saw it") {
    std::ostringstream log;
    core::set_log_stream(&log);
    const std::string trace = "test_pcie_host_p2p.jsonl";
    core::trace_writer::instance().open(trace);
    auto cfg = virt_like();
    cfg.iommu_map = {{0x0, 0x0, 0x100}};
    bench b(cfg);
    test_function& a = b.add(0x08, 0x1);
    test_function& c = b.add(0x10, 0x2);
    test::run_script([&] {
        b.cpu.write32(ecam(0, 1, 0, 0x10), 0x10004000);
        b.cpu.write(ecam(0, 1, 0, 0x04), 0x0002, 2);
        b.cpu.write(ecam(0, 2, 0, 0x04), 0x0004, 2);
        uint32_t v = 0;
        CHECK(c.read(0x10004ff0, v) == tlm::TLM_OK_RESPONSE);
        CHECK(a.bar0.last_address == 0xff0);
        CHECK(b.upstream.accesses == 0);
        // Running off the end of the BAR: refused, nothing sent anywhere.
        const uint8_t data[32] = {};
        CHECK(c.write_bytes(0x10004ff0, data, 32) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        CHECK(a.bar0.accesses == 1);
        CHECK(b.upstream.accesses == 0);
    });
    core::set_log_stream(nullptr);
    core::trace_writer::instance().close();
    const std::string text = log.str();
    CHECK(lines(text) == 2);
    CHECK(text.find("pcie_p2p: DMA from 00:02.0 (f16) read of 4 bytes at bus address 0x10004ff0 went peer-to-peer "
                    "to 00:01.0 BAR0 (f8) at bus 0x10004000-0x10004fff, offset 0xff0: no ACS, so the root complex "
                    "never sent it upstream and the IOMMU never saw it (stream 0x10 was not translated or "
                    "checked)") != std::string::npos);
    CHECK(text.find("write of 32 bytes at bus address 0x10004ff0 refused: Unsupported Request: peer-to-peer into "
                    "00:01.0 BAR0 (f8) runs off the end of the BAR") != std::string::npos);
    const std::string events = read_all(trace);
    CHECK(events.find("\"kind\":\"pcie_p2p\"") != std::string::npos);
    CHECK(events.find("\"requester\":\"00:02.0\"") != std::string::npos);
    CHECK(events.find("\"bus_addr\":\"0x10004ff0\"") != std::string::npos);
    CHECK(events.find("\"target_bdf\":\"00:01.0\"") != std::string::npos);
    CHECK(events.find("\"bar\":0") != std::string::npos);
    CHECK(events.find("\"bar_base\":\"0x10004000\"") != std::string::npos);
    CHECK(events.find("\"iommu_saw_it\":false") != std::string::npos);
    CHECK(events.find("\"stream\":\"0x10\"") != std::string::npos);
}
