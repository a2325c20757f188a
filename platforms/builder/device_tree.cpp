#include "platforms/builder/device_tree.h"

extern "C" {
#include <libfdt.h>
}
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/file_input.h"
#include "models/core/log.h"

extern char** environ;

namespace socsim::platform {
namespace {

std::vector<char> read_file(const std::string& path) {
    const std::vector<uint8_t> bytes = core::read_input_file(path, "platform");
    return std::vector<char>(bytes.begin(), bytes.end());
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A temporary file removed when it goes out of scope.
struct temp_file {
    std::string path;
    explicit temp_file(const char* pattern) {
        std::string p = std::string(P_tmpdir) + "/" + pattern;
        std::vector<char> buf(p.begin(), p.end());
        buf.push_back('\0');
        int fd = mkstemp(buf.data());
        if (fd < 0) throw core::config_error(std::string("cannot create a temporary file: ") + std::strerror(errno));
        close(fd);
        path = buf.data();
    }
    ~temp_file() { unlink(path.c_str()); }
};

// Compiles a .dts with dtc; warnings go to the log, the first error line to the exception.
std::vector<char> compile_dts(const std::string& path) {
    temp_file out("socsim-dtb-XXXXXX"), err("socsim-dtc-XXXXXX");
    std::vector<std::string> args = {"dtc", "-@", "-I", "dts", "-O", "dtb", "-o", out.path, path};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, err.path.c_str(), O_WRONLY | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawnp(&pid, "dtc", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw core::config_error("platform '" + path + "': cannot run dtc (install device-tree-compiler): " +
                                 std::strerror(rc));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::ifstream err_in(err.path);
    std::string line, first_error;
    core::logger log("dtc");
    while (std::getline(err_in, line)) {
        if (line.empty()) continue;
        if (line.find("Warning") != std::string::npos)
            log.warning(line);
        else if (first_error.empty())
            first_error = line;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw core::config_error("platform '" + path + "': " +
                                 (first_error.empty() ? std::string("dtc failed") : "dtc: " + first_error));
    return read_file(out.path);
}

// libfdt 1.6.1 (Debian 12) steps over a property by adding its length to the offset in int
// arithmetic. It refuses a step that lands past the structure block, but not one that wraps
// around: a length of 0xfffffff4 brings the next offset back to the property's own tag, and
// fdt_check_full (and every later walk) reads that tag forever. fuzz_device_tree found it as a
// hang. So the tags are walked once before libfdt checks the tree, and the first property whose
// value does not fit in the block is named; any other damage is left to fdt_check_full, which
// reports it. Returns that property's offset in the block, or -1 if there is none. The header
// must have passed fdt_check_header and be version 17, the first to give the block's size.
int property_past_structure_block(const void* fdt) {
    const int64_t block_size = fdt_size_dt_struct(fdt);
    int offset = 0;
    for (;;) {
        int next = 0;
        const uint32_t tag = fdt_next_tag(fdt, offset, &next);
        if (tag == FDT_END || next < 0) return -1;
        if (tag == FDT_PROP) {
            // fdt_next_tag has read the length word (the tag's second), so it is in the block; the
            // name offset after it need not be, and counts in the end below.
            const auto* length = static_cast<const fdt32_t*>(fdt_offset_ptr(fdt, offset + 4, sizeof(fdt32_t)));
            const int64_t value_end = int64_t{offset} + int64_t{sizeof(struct fdt_property)} + fdt32_to_cpu(*length);
            if (value_end > block_size) return offset;
        }
        if (next <= offset) return offset; // no progress: cannot happen once the length fits
        offset = next;
    }
}

} // namespace

device_tree device_tree::from_file(const std::string& path) {
    if (access(path.c_str(), R_OK) != 0)
        throw core::config_error("platform '" + path + "': cannot open: " + std::strerror(errno));
    if (ends_with(path, ".dts")) return device_tree(compile_dts(path), path);
    return device_tree(read_file(path), path);
}

device_tree::device_tree(std::vector<char> blob, std::string source)
    : blob_(std::move(blob)), source_(std::move(source)) {
    if (blob_.size() < sizeof(fdt_header) || fdt_magic(blob_.data()) != FDT_MAGIC)
        fail("not a device tree blob (.dtb) or source (.dts)");
    if (fdt_totalsize(blob_.data()) > blob_.size()) fail("device tree blob is truncated");
    int err = fdt_check_header(blob_.data());
    if (err != 0) fail(std::string("malformed device tree blob: ") + fdt_strerror(err));
    // Before version 16 node names were full paths, and libfdt 1.6.1's fdt_check_full follows a
    // null pointer on a root node named otherwise (fuzz_device_tree found it); version 16 lacks
    // the structure block's size that the walk needs. dtc writes version 17, so socsim reads
    // only that (and later versions compatible with it).
    if (fdt_version(blob_.data()) < 17)
        fail("device tree blob version " + std::to_string(fdt_version(blob_.data())) +
             " is too old: socsim reads version 17, which dtc writes");
    const int bad_property = property_past_structure_block(blob_.data());
    if (bad_property >= 0) {
        std::ostringstream what;
        what << "malformed device tree blob: the property at structure offset 0x" << std::hex << bad_property
             << " has a length past the block's end";
        fail(what.str());
    }
    err = fdt_check_full(blob_.data(), blob_.size());
    if (err != 0) fail(std::string("malformed device tree blob: ") + fdt_strerror(err));
    blob_.resize(fdt_totalsize(blob_.data()));
}

void device_tree::fail(const std::string& what) const { throw core::config_error("platform '" + source_ + "': " + what); }

void device_tree::fail(int node, const std::string& what) const { fail(path(node) + ": " + what); }

uint32_t device_tree::total_size() const { return fdt_totalsize(blob_.data()); }

std::vector<int> device_tree::children(int node) const {
    std::vector<int> out;
    int child;
    fdt_for_each_subnode(child, blob_.data(), node) out.push_back(child);
    return out;
}

int device_tree::parent(int node) const { return fdt_parent_offset(blob_.data(), node); }

std::string device_tree::name(int node) const {
    if (node == 0) return "/";
    const char* n = fdt_get_name(blob_.data(), node, nullptr);
    return n ? n : "?";
}

std::string device_tree::path(int node) const {
    char buf[512];
    if (fdt_get_path(blob_.data(), node, buf, sizeof buf) != 0) return name(node);
    return buf;
}

std::string device_tree::label(int node) const {
    int symbols = fdt_path_offset(blob_.data(), "/__symbols__");
    if (symbols < 0) return "";
    std::string mine = path(node);
    int prop;
    fdt_for_each_property_offset(prop, blob_.data(), symbols) {
        const char* name;
        int len;
        const char* value = static_cast<const char*>(fdt_getprop_by_offset(blob_.data(), prop, &name, &len));
        if (value && len > 0 && mine == std::string(value, strnlen(value, len))) return name;
    }
    return "";
}

bool device_tree::has(int node, const std::string& prop) const {
    return fdt_getprop(blob_.data(), node, prop.c_str(), nullptr) != nullptr;
}

std::optional<std::string> device_tree::string(int node, const std::string& prop) const {
    int len = 0;
    const char* v = static_cast<const char*>(fdt_getprop(blob_.data(), node, prop.c_str(), &len));
    if (!v || len <= 0) return std::nullopt;
    return std::string(v, strnlen(v, len));
}

std::vector<std::string> device_tree::strings(int node, const std::string& prop) const {
    std::vector<std::string> out;
    int len = 0;
    const char* v = static_cast<const char*>(fdt_getprop(blob_.data(), node, prop.c_str(), &len));
    for (int pos = 0; v && pos < len;) {
        size_t n = strnlen(v + pos, len - pos);
        out.emplace_back(v + pos, n);
        pos += static_cast<int>(n) + 1;
    }
    return out;
}

std::vector<uint32_t> device_tree::cells(int node, const std::string& prop) const {
    int len = 0;
    const auto* v = static_cast<const fdt32_t*>(fdt_getprop(blob_.data(), node, prop.c_str(), &len));
    std::vector<uint32_t> out;
    if (!v || len < 0) return out;
    if (len % 4 != 0) fail(node, "property '" + prop + "' is not a list of 32-bit cells");
    for (int i = 0; i < len / 4; ++i) out.push_back(fdt32_to_cpu(v[i]));
    return out;
}

std::optional<uint64_t> device_tree::number(int node, const std::string& prop) const {
    auto c = cells(node, prop);
    if (c.empty()) return std::nullopt;
    if (c.size() == 1) return c[0];
    if (c.size() == 2) return (uint64_t(c[0]) << 32) | c[1];
    fail(node, "property '" + prop + "' has " + std::to_string(c.size()) + " cells, expected 1 or 2");
}

bool device_tree::enabled(int node) const {
    auto status = string(node, "status");
    return !status || *status == "okay" || *status == "ok";
}

unsigned device_tree::address_cells(int node) const {
    auto c = cells(node, "#address-cells");
    unsigned n = c.empty() ? 2 : c[0];
    if (n > 3) fail(node, "#address-cells = " + std::to_string(n) + " is not supported");
    return n;
}

unsigned device_tree::size_cells(int node) const {
    auto c = cells(node, "#size-cells");
    unsigned n = c.empty() ? 1 : c[0];
    if (n > 2) fail(node, "#size-cells = " + std::to_string(n) + " is not supported");
    return n;
}

uint64_t device_tree::read_cells(const uint32_t* c, unsigned count) const {
    uint64_t v = 0;
    for (unsigned i = 0; i < count; ++i) v = (v << 32) | c[i];  // a 3-cell PCI address keeps its low 64 bits
    return v;
}

std::vector<core::address_range> device_tree::reg(int node) const {
    std::vector<core::address_range> out;
    int bus = parent(node);
    if (bus < 0) return out;
    unsigned ac = address_cells(bus), sc = size_cells(bus);
    auto c = cells(node, "reg");
    if (c.empty()) return out;
    if (ac == 0 || c.size() % (ac + sc) != 0)
        fail(node, "'reg' has " + std::to_string(c.size()) + " cells, not a multiple of #address-cells (" +
             std::to_string(ac) + ") + #size-cells (" + std::to_string(sc) + ")");
    for (size_t i = 0; i < c.size(); i += ac + sc) {
        core::address_range r{read_cells(&c[i], ac), sc ? read_cells(&c[i + ac], sc) : 0};
        // Translate up through each bus's `ranges` (absent: not memory-mapped; empty: identity).
        int child_bus = bus;
        while (child_bus > 0) {
            int up = parent(child_bus);
            if (!has(child_bus, "ranges")) return {};
            auto ranges = cells(child_bus, "ranges");
            if (!ranges.empty()) {
                unsigned cac = address_cells(child_bus), pac = address_cells(up), csc = size_cells(child_bus);
                unsigned entry = cac + pac + csc;
                if (ranges.size() % entry != 0) fail(child_bus, "malformed 'ranges'");
                bool mapped = false;
                for (size_t k = 0; k < ranges.size(); k += entry) {
                    uint64_t child = read_cells(&ranges[k], cac), parent_addr = read_cells(&ranges[k + cac], pac);
                    uint64_t len = read_cells(&ranges[k + cac + pac], csc);
                    if (core::address_range{child, len}.contains(r.base)) {
                        r.base = r.base - child + parent_addr;
                        mapped = true;
                        break;
                    }
                }
                if (!mapped) fail(node, "'reg' at " + core::hex(r.base) + " is outside the 'ranges' of " + path(child_bus));
            }
            child_bus = up;
        }
        out.push_back(r);
    }
    return out;
}

int device_tree::interrupt_parent(int node) const {
    for (int n = node; n >= 0; n = parent(n)) {
        auto phandle = cells(n, "interrupt-parent");
        if (!phandle.empty()) return fdt_node_offset_by_phandle(blob_.data(), phandle[0]);
        if (n == 0) break;
    }
    return -1;
}

int device_tree::by_phandle(uint32_t phandle) const {
    int n = fdt_node_offset_by_phandle(blob_.data(), phandle);
    return n >= 0 ? n : -1;
}

unsigned device_tree::interrupt_cells(int node) const {
    auto c = cells(node, "#interrupt-cells");
    return c.empty() ? 0 : c[0];
}

int device_tree::find(const std::string& spec) const {
    if (spec.empty()) return -1;
    if (spec[0] == '/') {
        int n = fdt_path_offset(blob_.data(), spec.c_str());
        return n >= 0 ? n : -1;
    }
    // Labels and aliases resolve to a path.
    for (const char* table : {"/__symbols__", "/aliases"}) {
        int t = fdt_path_offset(blob_.data(), table);
        if (t < 0) continue;
        auto target = string(t, spec);
        if (target) {
            int n = fdt_path_offset(blob_.data(), target->c_str());
            if (n >= 0) return n;
        }
    }
    // A unique node name, with or without its unit address.
    int found = -1, count = 0;
    for (int n = fdt_next_node(blob_.data(), -1, nullptr); n >= 0; n = fdt_next_node(blob_.data(), n, nullptr)) {
        std::string nm = name(n);
        if (nm == spec || nm.substr(0, nm.find('@')) == spec) {
            found = n;
            ++count;
        }
    }
    if (count > 1) fail("node name '" + spec + "' is ambiguous (" + std::to_string(count) + " nodes); use its path");
    return found;
}

std::string device_tree::describe(int node) const {
    auto compat = strings(node, "compatible");
    return path(node) + (compat.empty() ? "" : " (" + compat[0] + ")");
}

void device_tree::set_property(int node, const std::string& prop, const std::string& value) {
    blob_.resize(blob_.size() + value.size() + prop.size() + 64);
    fdt_open_into(blob_.data(), blob_.data(), static_cast<int>(blob_.size()));
    int err = fdt_setprop_string(blob_.data(), node, prop.c_str(), value.c_str());
    if (err) fail("cannot set " + path(node) + " " + prop + ": " + fdt_strerror(err));
    fdt_pack(blob_.data());
    blob_.resize(fdt_totalsize(blob_.data()));
}

void device_tree::set_property(int node, const std::string& prop, const std::vector<uint32_t>& values) {
    blob_.resize(blob_.size() + values.size() * 4 + prop.size() + 64);
    fdt_open_into(blob_.data(), blob_.data(), static_cast<int>(blob_.size()));
    std::vector<fdt32_t> be;
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    int err = fdt_setprop(blob_.data(), node, prop.c_str(), be.data(), static_cast<int>(be.size() * 4));
    if (err) fail("cannot set " + path(node) + " " + prop + ": " + fdt_strerror(err));
    fdt_pack(blob_.data());
    blob_.resize(fdt_totalsize(blob_.data()));
}

int device_tree::find_compatible(const std::string& compatible) const {
    for (int node = fdt_node_offset_by_compatible(blob_.data(), -1, compatible.c_str()); node >= 0;
         node = fdt_node_offset_by_compatible(blob_.data(), node, compatible.c_str()))
        if (enabled(node)) return node;
    return -1;
}

} // namespace socsim::platform
