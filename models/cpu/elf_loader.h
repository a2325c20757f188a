#pragma once
// Loads a firmware ELF: checks that it is a 64-bit little-endian AArch64 executable, then writes
// its PT_LOAD segments at their physical addresses (p_paddr, as QEMU does: picolibc images keep
// initialised data at a load address different from its run address) through a debug transport.
// Up to p_memsz nothing is written: memory at power-on reads zero, and a zero-fill of a huge
// p_memsz through the bus would cost seconds and gigabytes; each page of it must be memory (a
// target's DMI region vouches for all of its pages at once).
// Segments that overlap are refused. Every problem is a core::config_error with one clear line.

#include <cstdint>
#include <string>
#include <tlm>
#include <vector>

namespace socsim::cpu {

struct elf_segment {
    uint64_t paddr = 0;
    uint64_t memsz = 0;
    std::vector<uint8_t> bytes;  // file contents; memsz - bytes.size() zeros follow
};

struct elf_image {
    std::string path;
    uint64_t entry = 0;
    std::vector<elf_segment> segments;

    uint64_t lowest_address() const;
    uint64_t highest_address() const;  // one past the last byte of any segment
};

elf_image read_elf(const std::string& path);
// The same checks on an ELF already in memory (`path` names it in messages).
elf_image parse_elf(const std::vector<uint8_t>& file, const std::string& path);
// Writes every segment through `memory` (an initiator's forward path, e.g. into the router), into
// memory as it is at power-on (the bss is not written).
void load_elf(const elf_image& image, tlm::tlm_fw_transport_if<>& memory);

} // namespace socsim::cpu
