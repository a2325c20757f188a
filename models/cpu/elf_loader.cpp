#include "models/cpu/elf_loader.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/file_input.h"

namespace socsim::cpu {
namespace {

std::string machine_name(uint16_t machine) {
    switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "x86";
    case EM_ARM: return "32-bit Arm";
    case EM_RISCV: return "RISC-V";
    case EM_AARCH64: return "AArch64";
    default: return "machine " + std::to_string(machine);
    }
}

} // namespace

uint64_t elf_image::lowest_address() const {
    uint64_t low = ~0ull;
    for (const auto& s : segments) low = std::min(low, s.paddr);
    return segments.empty() ? 0 : low;
}

uint64_t elf_image::highest_address() const {
    uint64_t high = 0;
    for (const auto& s : segments) high = std::max(high, s.paddr + s.memsz);
    return high;
}

elf_image read_elf(const std::string& path) { return parse_elf(core::read_input_file(path, "firmware"), path); }

elf_image parse_elf(const std::vector<uint8_t>& file, const std::string& path) {
    auto fail = [&](const std::string& why) { throw core::config_error("firmware '" + path + "': " + why); };

    if (file.size() < EI_NIDENT || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0) fail("not an ELF file");
    if (file[EI_CLASS] != ELFCLASS64) fail("a 32-bit ELF; socsim runs 64-bit AArch64 firmware");
    if (file[EI_DATA] != ELFDATA2LSB) fail("a big-endian ELF; socsim runs little-endian AArch64 firmware");
    if (file.size() < sizeof(Elf64_Ehdr)) fail("truncated ELF header");
    Elf64_Ehdr eh;
    std::memcpy(&eh, file.data(), sizeof eh);
    if (eh.e_machine != EM_AARCH64) fail("an ELF for " + machine_name(eh.e_machine) + ", not AArch64");
    if (eh.e_type != ET_EXEC) fail("not an executable ELF (relocatable or shared object)");
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0) fail("no program headers");
    if (eh.e_phoff > file.size() || uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr) > file.size() - eh.e_phoff)
        fail("program headers lie outside the file");

    elf_image image;
    image.path = path;
    image.entry = eh.e_entry;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        std::memcpy(&ph, file.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_filesz > ph.p_memsz) fail("segment " + std::to_string(i) + " is larger in the file than in memory");
        if (ph.p_offset > file.size() || ph.p_filesz > file.size() - ph.p_offset)
            fail("segment " + std::to_string(i) + " lies outside the file (truncated ELF?)");
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr) fail("segment " + std::to_string(i) + " wraps the address space");
        elf_segment seg;
        seg.paddr = ph.p_paddr;
        seg.memsz = ph.p_memsz;
        seg.bytes.assign(file.begin() + ph.p_offset, file.begin() + ph.p_offset + ph.p_filesz);
        image.segments.push_back(std::move(seg));
    }
    if (image.segments.empty()) fail("no loadable segments");
    // Two segments over the same bytes: which one wins would depend on the load order.
    for (size_t a = 0; a < image.segments.size(); ++a)
        for (size_t b = a + 1; b < image.segments.size(); ++b) {
            const elf_segment& x = image.segments[a];
            const elf_segment& y = image.segments[b];
            if (x.paddr < y.paddr + y.memsz && y.paddr < x.paddr + x.memsz)
                fail("segments at [" + core::hex(x.paddr) + ".." + core::hex(x.paddr + x.memsz - 1) + "] and [" +
                     core::hex(y.paddr) + ".." + core::hex(y.paddr + y.memsz - 1) + "] overlap");
        }
    bool entry_inside = std::any_of(image.segments.begin(), image.segments.end(), [&](const elf_segment& s) {
        return core::address_range{s.paddr, s.memsz}.contains(image.entry);
    });
    if (!entry_inside) fail("entry point " + core::hex(image.entry) + " is in no loadable segment");
    return image;
}

void load_elf(const elf_image& image, tlm::tlm_fw_transport_if<>& memory) {
    auto no_fit = [&](const elf_segment& seg, uint64_t at) {
        return core::config_error("firmware '" + image.path + "': segment [" + core::hex(seg.paddr) + ".." +
                                  core::hex(seg.paddr + seg.memsz - 1) + "] does not fit in memory at " +
                                  core::hex(at));
    };
    constexpr uint64_t chunk = 64 * 1024;
    for (const elf_segment& seg : image.segments) {
        // The file's bytes, written through the bus's debug path.
        for (uint64_t done = 0; done < seg.bytes.size();) {
            const uint64_t len = std::min<uint64_t>(chunk, seg.bytes.size() - done);
            tlm::tlm_generic_payload p;
            p.set_write();
            p.set_address(seg.paddr + done);
            p.set_data_ptr(const_cast<uint8_t*>(seg.bytes.data() + done));
            p.set_data_length(static_cast<unsigned>(len));
            p.set_streaming_width(static_cast<unsigned>(len));
            if (memory.transport_dbg(p) != len) throw no_fit(seg, seg.paddr + done);
            done += len;
        }
        // The rest (BSS) is not written: memory reads zero until written, and zero-filling a
        // huge p_memsz through the bus would cost seconds and gigabytes. It must still be
        // memory. Where the target grants DMI, its region is memory up to the region's end;
        // elsewhere one byte is read at every 4 KiB page and at the end.
        uint8_t probe = 0;
        for (uint64_t at = seg.bytes.size(); at < seg.memsz;) {
            const uint64_t addr = seg.paddr + at;
            tlm::tlm_generic_payload p;
            p.set_read();
            p.set_address(addr);
            p.set_data_ptr(&probe);
            p.set_data_length(1);
            p.set_streaming_width(1);
            tlm::tlm_dmi dmi;
            if (memory.get_direct_mem_ptr(p, dmi) && dmi.is_read_allowed() && dmi.get_start_address() <= addr &&
                addr <= dmi.get_end_address()) {
                if (dmi.get_end_address() - seg.paddr >= seg.memsz - 1) break;
                at = dmi.get_end_address() + 1 - seg.paddr;
                continue;
            }
            p.set_address(addr);  // a target may have changed it
            p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            if (memory.transport_dbg(p) != 1) throw no_fit(seg, addr);
            if (at == seg.memsz - 1) break;
            at = std::min((addr | 0xfff) + 1 - seg.paddr, seg.memsz - 1);
        }
    }
}

} // namespace socsim::cpu
