// Device Tree access: dtc compilation and its errors, lookup, address translation, overrides.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

extern "C" {
#include <libfdt.h>
}

#include "models/core/config_error.h"
#include "platforms/builder/device_tree.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

const char* sample = R"(/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    model = "sample";
    aliases { serial0 = &uart; };
    memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x1000000>; };
    soc {
        compatible = "simple-bus";
        #address-cells = <1>;
        #size-cells = <1>;
        ranges = <0x0 0x0 0x10000000 0x100000>;
        uart: serial@2000 { compatible = "arm,pl011", "arm,primecell"; reg = <0x2000 0x1000>; };
        timer@3000 { compatible = "vendor,timer"; reg = <0x3000 0x100>; status = "disabled"; };
    };
};
)";

} // namespace

TEST_CASE("device tree: reg is translated through the bus ranges") {
    test::temp_file f(sample, ".dts");
    auto dt = platform::device_tree::from_file(f.path);
    int uart = dt.find("uart");
    REQUIRE(uart >= 0);
    auto reg = dt.reg(uart);
    REQUIRE(reg.size() == 1);
    CHECK(reg[0].base == 0x10002000);
    CHECK(reg[0].size == 0x1000);
    CHECK(dt.reg(dt.find("/memory@80000000"))[0].base == 0x80000000);
    CHECK(dt.strings(uart, "compatible") == std::vector<std::string>{"arm,pl011", "arm,primecell"});
}

TEST_CASE("device tree: nodes are found by path, label, alias and name") {
    test::temp_file f(sample, ".dts");
    auto dt = platform::device_tree::from_file(f.path);
    int uart = dt.find("/soc/serial@2000");
    CHECK(uart >= 0);
    CHECK(dt.find("uart") == uart);
    CHECK(dt.find("serial0") == uart);
    CHECK(dt.find("serial@2000") == uart);
    CHECK(dt.find("serial") == uart);
    CHECK(dt.find("nothing") == -1);
    CHECK(dt.label(uart) == "uart");
    CHECK_FALSE(dt.enabled(dt.find("timer")));
}

TEST_CASE("device tree: overrides set strings and cells and nodes are found again after them") {
    test::temp_file f(sample, ".dts");
    auto dt = platform::device_tree::from_file(f.path);
    dt.set_property(dt.find("uart"), "socsim,output", "uart.txt");
    dt.set_property(dt.find("/"), "socsim,cells", std::vector<uint32_t>{1, 2});
    CHECK(dt.string(dt.find("uart"), "socsim,output") == std::optional<std::string>("uart.txt"));
    CHECK(dt.number(dt.find("/"), "socsim,cells") == std::optional<uint64_t>((1ull << 32) | 2));
    CHECK(dt.reg(dt.find("uart"))[0].base == 0x10002000);
}

TEST_CASE("device tree: a syntax error gives one line with dtc's location") {
    test::temp_file f("/dts-v1/;\n/ {\n  oops = ;\n};\n", ".dts");
    try {
        platform::device_tree::from_file(f.path);
        FAIL("accepted");
    } catch (const core::config_error& e) {
        std::string what = e.what();
        CHECK(what.find(f.path) != std::string::npos);
        CHECK(what.find("dtc:") != std::string::npos);
        CHECK(what.find('\n') == std::string::npos);
    }
}

TEST_CASE("device tree: garbage, truncated and missing files are refused") {
    CHECK_THROWS_WITH(platform::device_tree(std::vector<char>(100, 'x'), "junk.dtb"), Catch::Contains("not a device tree"));
    CHECK_THROWS_WITH(platform::device_tree::from_file("/nonexistent.dtb"), Catch::Contains("cannot open"));
    test::temp_file f(sample, ".dts");
    auto dt = platform::device_tree::from_file(f.path);
    std::vector<char> cut(dt.blob().begin(), dt.blob().begin() + dt.blob().size() / 2);
    CHECK_THROWS_WITH(platform::device_tree(cut, "cut.dtb"), Catch::Contains("truncated"));
    std::vector<char> scrambled = dt.blob();
    for (size_t i = 64; i < scrambled.size(); i += 7) scrambled[i] ^= 0x5a;
    CHECK_THROWS_AS(platform::device_tree(scrambled, "scrambled.dtb"), core::config_error);
}

TEST_CASE("device tree: a property whose length runs past the structure block is refused, not walked forever") {
    test::temp_file f(sample, ".dts");
    const std::vector<char> good = platform::device_tree::from_file(f.path).blob();
    const int model = fdt_first_property_offset(good.data(), 0); // the root's first property
    REQUIRE(model >= 0);
    const size_t length_word = fdt_off_dt_struct(good.data()) + model + 4;
    auto with_length = [&](uint32_t length) {
        std::vector<char> bad = good;
        const fdt32_t be = cpu_to_fdt32(length);
        std::memcpy(&bad[length_word], &be, sizeof be);
        return bad;
    };
    // 0xfffffff4 brings libfdt's next offset back to the property's own tag: before the check,
    // the constructor never returned (found by fuzz_device_tree).
    const std::string expected = "has a length past the block's end";
    CHECK_THROWS_WITH(platform::device_tree(with_length(0xfffffff4), "wrap.dtb"), Catch::Contains(expected));
    // A length that merely runs past the end is refused by libfdt's own check.
    CHECK_THROWS_WITH(platform::device_tree(with_length(0x10000), "long.dtb"), Catch::Contains("malformed device tree blob"));
    // The same blob with the length it had is accepted.
    const fdt32_t* own = reinterpret_cast<const fdt32_t*>(&good[length_word]);
    CHECK_NOTHROW(platform::device_tree(with_length(fdt32_to_cpu(*own)), "same.dtb"));
}

TEST_CASE("device tree: a blob older than version 17 is refused with its version") {
    test::temp_file f(sample, ".dts");
    std::vector<char> old = platform::device_tree::from_file(f.path).blob();
    // Version 3 with a root node named "" is what made libfdt 1.6.1's fdt_check_full follow a null
    // pointer (found by fuzz_device_tree); the last compatible version must drop with it.
    fdt_set_version(old.data(), 3);
    fdt_set_last_comp_version(old.data(), 2);
    CHECK_THROWS_WITH(platform::device_tree(old, "old.dtb"), Catch::Contains("version 3 is too old"));
}
