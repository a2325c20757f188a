#pragma once
// A flattened device tree in memory, read with libfdt. `.dts` files are compiled with dtc (with
// -@ so labels can name nodes); `.dtb` files are read as they are. Every problem is a
// core::config_error with one line naming the file.
//
// Nodes are named by libfdt offsets, which change when the blob is modified: resolve nodes again
// after `set_property`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/core/address_range.h"

namespace socsim::platform {

class device_tree {
public:
    static device_tree from_file(const std::string& path);
    device_tree(std::vector<char> blob, std::string source);

    const std::string& source() const { return source_; }
    const std::vector<char>& blob() const { return blob_; }
    uint32_t total_size() const;

    std::vector<int> children(int node) const;
    int parent(int node) const;
    std::string name(int node) const;  // "pl011@9000000"; "/" for the root
    std::string path(int node) const;
    std::string label(int node) const;  // from __symbols__, or empty

    bool has(int node, const std::string& prop) const;
    std::optional<std::string> string(int node, const std::string& prop) const;
    std::vector<std::string> strings(int node, const std::string& prop) const;  // string lists
    std::vector<uint32_t> cells(int node, const std::string& prop) const;
    std::optional<uint64_t> number(int node, const std::string& prop) const;  // 1 or 2 cells
    bool enabled(int node) const;  // status absent, "okay" or "ok"

    // `reg` entries translated to CPU addresses through every ancestor's `ranges`.
    std::vector<core::address_range> reg(int node) const;
    // #interrupt-cells of the node's interrupt parent (0 when it has none).
    int interrupt_parent(int node) const;
    int by_phandle(uint32_t phandle) const;  // -1 if none
    unsigned interrupt_cells(int parent) const;

    // Finds a node by path ("/chosen"), label ("uart0"), alias ("serial0") or unique name
    // ("pl011@9000000", or "pl011" when only one node is called that). Returns -1 if none.
    int find(const std::string& spec) const;
    // The first enabled node compatible with `compatible`, or -1.
    int find_compatible(const std::string& compatible) const;
    // The node's one `compatible` a model was found for, etc.: a one-line description.
    std::string describe(int node) const;

    // Throws the core::config_error of a platform that cannot be built as its tree says:
    // "platform '<source>': <what>", and about one node "platform '<source>': <path>: <what>".
    // Every builder error about the tree names it this way (the builder's one way to fail).
    [[noreturn]] void fail(const std::string& what) const;
    [[noreturn]] void fail(int node, const std::string& what) const;

    // Overrides: sets the property to a string or to cells.
    void set_property(int node, const std::string& prop, const std::string& value);
    void set_property(int node, const std::string& prop, const std::vector<uint32_t>& cells);

private:
    unsigned address_cells(int node) const;
    unsigned size_cells(int node) const;
    uint64_t read_cells(const uint32_t* cells, unsigned count) const;

    std::vector<char> blob_;
    std::string source_;
};

} // namespace socsim::platform
