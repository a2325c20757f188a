// The display scanout through real sockets: frames at the frame rate, the pixels of the last
// frame, stream ids, read errors counted, bad geometry, a frame larger than RAM, and the PNG.
#include <catch2/catch.hpp>

#include <png.h>

#include <cstdio>
#include <cstring>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/devices/scanout.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using devices::scanout;
using sc_core::sc_time;
using sc_core::SC_MS;

namespace {

constexpr uint64_t regs = 0x1000, ram_base = 0x100000, ram_size = 0x100000, fb = ram_base + 0x1000;

struct bench {
    bus::router bus{"bus"};
    memory::ram ram{"ram", ram_size};
    scanout display;
    test::dma_tap tap{"tap"};
    test::test_initiator cpu{"cpu"};

    explicit bench(scanout::config c) : display("display", c) {
        cpu.socket.bind(bus.target_socket);
        display.dma.socket.bind(tap.upstream);
        tap.downstream.bind(bus.target_socket);
        bus.map(bus.bind_target(display.socket), {regs, 0x1000}, "/display");
        bus.map(bus.bind_target(ram.socket), {ram_base, ram_size}, "/memory");
    }
    void pixel(unsigned x, unsigned y, uint32_t stride, uint32_t v) {
        std::memcpy(ram.host_pointer() + (fb - ram_base) + y * stride + x * 4, &v, 4);
    }
    void geometry(uint64_t base, uint32_t w, uint32_t h, uint32_t stride) {
        cpu.write64(regs + 0x08, base);
        cpu.write32(regs + 0x10, w);
        cpu.write32(regs + 0x14, h);
        cpu.write32(regs + 0x18, stride);
    }
};

scanout::config cfg(const std::string& png = "") {
    scanout::config c;
    c.stream_id = 2;
    c.frame_rate_hz = 100;  // one frame every 10 ms
    c.png_path = png;
    return c;
}

} // namespace

TEST_CASE("scanout: frames at the frame rate, the pixels read, stream ids, interrupts") {
    bench b(cfg());
    for (unsigned y = 0; y < 3; ++y)
        for (unsigned x = 0; x < 1100; ++x) b.pixel(x, y, 4608, (y << 16) | x);
    test::run_script([&] {
        CHECK(b.cpu.read32(regs + 0x00) == scanout::id_value);
        CHECK(b.cpu.read32(regs + 0x1c) == scanout::format_xr24);
        b.geometry(fb, 1100, 3, 4608);
        b.cpu.write32(regs + 0x30, scanout::int_frame);
        CHECK(b.cpu.read32(regs + 0x20) == 0);
        b.cpu.write32(regs + 0x04, 1);
        sc_core::wait(sc_time(1, SC_MS));
        CHECK(b.cpu.read32(regs + 0x20) == 1);  // the first frame at once
        CHECK(b.cpu.read32(regs + 0x28) == scanout::status_active);
        CHECK(b.display.irq.level());
        b.cpu.write32(regs + 0x2c, scanout::int_frame);
        CHECK_FALSE(b.display.irq.level());
        sc_core::wait(sc_time(30, SC_MS));
        CHECK(b.cpu.read32(regs + 0x20) == 4);  // 0, 10, 20, 30 ms
        CHECK(b.cpu.read32(regs + 0x24) == 0);
        b.cpu.write32(regs + 0x04, 0);
        sc_core::wait(sc_time(50, SC_MS));
        CHECK(b.cpu.read32(regs + 0x20) == 4);
        CHECK(b.cpu.read32(regs + 0x28) == 0);
    });
    REQUIRE(b.display.last_width() == 1100);
    REQUIRE(b.display.last_height() == 3);
    CHECK(b.display.last_frame()[0] == 0);
    CHECK(b.display.last_frame()[1099] == 1099);
    CHECK(b.display.last_frame()[2 * 1100 + 1024] == ((2u << 16) | 1024));
    for (const auto& a : b.tap.log) {
        CHECK(a.stream == 2);
        CHECK_FALSE(a.write);
        CHECK((a.addr & 0xfff) + a.len <= 4096);
    }
}

TEST_CASE("scanout: a faulting page blanks the rest of its line, errors are counted, scanning goes on") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(cfg());
    for (unsigned y = 0; y < 4; ++y)
        for (unsigned x = 0; x < 2048; ++x) b.pixel(x, y, 8192, 0xffffff);
    b.tap.fault_base = fb + 8192 + 4096;  // the second page of line 1 faults in the IOMMU
    b.tap.fault_size = 4096;
    test::run_script([&] {
        b.geometry(fb, 2048, 4, 8192);
        b.cpu.write32(regs + 0x30, scanout::int_error);
        b.cpu.write32(regs + 0x04, 1);
        sc_core::wait(sc_time(15, SC_MS));
        CHECK(b.cpu.read32(regs + 0x20) == 2);
        CHECK(b.cpu.read32(regs + 0x24) == 2);
        CHECK(b.cpu.read32(regs + 0x28) == (scanout::status_active | scanout::status_frame_error));
        CHECK(b.cpu.read64(regs + 0x38) == fb + 8192 + 4096);
        CHECK(b.display.irq.level());
        b.tap.fault_size = 0;  // fixed: the next frame is clean
        sc_core::wait(sc_time(10, SC_MS));
        CHECK(b.cpu.read32(regs + 0x24) == 2);
        CHECK((b.cpu.read32(regs + 0x28) & scanout::status_frame_error) == 0);
        b.tap.fault_size = 4096;
        sc_core::wait(sc_time(10, SC_MS));
    });
    core::set_log_stream(nullptr);
    const auto& f = b.display.last_frame();
    CHECK(f[2048 + 1023] == 0xffffff);
    CHECK(f[2048 + 1024] == 0);
    CHECK(f[2048 + 2047] == 0);
    CHECK(f[2 * 2048] == 0xffffff);
    CHECK(f[3 * 2048 + 2047] == 0xffffff);
    CHECK(log.str().find("frame read failed at bus address") != std::string::npos);
}

TEST_CASE("scanout: bad geometry reads nothing, a frame larger than RAM counts as an error frame") {
    std::ostringstream log;
    core::set_log_stream(&log);
    bench b(cfg());
    test::run_script([&] {
        b.geometry(fb, 0, 10, 4096);  // width 0
        b.cpu.write32(regs + 0x04, 1);
        sc_core::wait(sc_time(1, SC_MS));
        CHECK(b.cpu.read32(regs + 0x28) == (scanout::status_active | scanout::status_bad_config));
        CHECK(b.cpu.read32(regs + 0x20) == 1);
        CHECK(b.tap.log.empty());
        b.geometry(fb, 4097, 10, 65536);  // too wide
        sc_core::wait(sc_time(10, SC_MS));
        CHECK((b.cpu.read32(regs + 0x28) & scanout::status_bad_config) != 0);
        b.geometry(fb, 1024, 10, 1024);  // stride < 4 * width
        sc_core::wait(sc_time(10, SC_MS));
        CHECK((b.cpu.read32(regs + 0x28) & scanout::status_bad_config) != 0);
        CHECK(b.tap.log.empty());
        b.geometry(fb, 4096, 4096, 16384);  // 64 MiB from a 1 MiB RAM: most lines hit nothing
        sc_core::wait(sc_time(10, SC_MS));
        CHECK(b.cpu.read32(regs + 0x28) == (scanout::status_active | scanout::status_frame_error));
        CHECK(b.cpu.read32(regs + 0x24) == 1);
        CHECK(b.cpu.read64(regs + 0x38) == ram_base + ram_size);
    });
    core::set_log_stream(nullptr);
    CHECK(b.display.last_width() == 4096);
}

TEST_CASE("scanout: the last frame is written as a PNG at the end of the simulation") {
    const std::string path = "test_scanout_frame.png";
    std::remove(path.c_str());
    {
        bench b(cfg(path));
        for (unsigned y = 0; y < 2; ++y)
            for (unsigned x = 0; x < 3; ++x) b.pixel(x, y, 12, 0xff000000u | (x * 0x40) << 16 | (y * 0x80) << 8 | 0x11);
        test::run_script([&] {
            b.geometry(fb, 3, 2, 12);
            b.cpu.write32(regs + 0x04, 1);
            sc_core::wait(sc_time(1, SC_MS));
        });
    }
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    REQUIRE(png_image_begin_read_from_file(&image, path.c_str()));
    CHECK(image.width == 3);
    CHECK(image.height == 2);
    image.format = PNG_FORMAT_RGB;
    std::vector<uint8_t> rgb(PNG_IMAGE_SIZE(image));
    REQUIRE(png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr));
    CHECK(rgb[0] == 0x00);
    CHECK(rgb[2] == 0x11);
    CHECK(rgb[3 * 2 + 0] == 0x80);  // (2, 0): red 0x80
    CHECK(rgb[3 * 4 + 1] == 0x80);  // (1, 1): green 0x80
    CHECK(rgb[3 * 4 + 0] == 0x40);
    std::remove(path.c_str());
}
