// The ELF loader: format checks with one clear message each, and segments written through a
// socket at their physical addresses with the bss zero-filled.
#include <catch2/catch.hpp>

#include <elf.h>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/core/config_error.h"
#include "models/cpu/elf_loader.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;

namespace {

// A minimal AArch64 executable: one segment with `code` at paddr 0x1000 (vaddr 0x8000 to show
// that the physical address is used), memsz = filesz + 16 (bss).
std::vector<uint8_t> make_elf(uint16_t machine = EM_AARCH64) {
    const std::vector<uint8_t> code = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = machine;
    eh.e_version = EV_CURRENT;
    eh.e_entry = 0x1004;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 1;
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_offset = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
    ph.p_vaddr = 0x8000;
    ph.p_paddr = 0x1000;
    ph.p_filesz = code.size();
    ph.p_memsz = code.size() + 16;
    std::vector<uint8_t> file(sizeof eh + sizeof ph + code.size());
    std::memcpy(file.data(), &eh, sizeof eh);
    std::memcpy(file.data() + sizeof eh, &ph, sizeof ph);
    std::memcpy(file.data() + sizeof eh + sizeof ph, code.data(), code.size());
    return file;
}

// Between the loader and memory: counts the debug accesses and, unless `grant_dmi`, refuses DMI
// (as a device, or a memory under a debugger's watchpoint, does).
struct counting_link : sc_core::sc_module {
    tlm_utils::simple_target_socket<counting_link> in{"in"};
    tlm_utils::simple_initiator_socket<counting_link> out{"out"};
    bool grant_dmi = true;
    unsigned debug_accesses = 0;

    explicit counting_link(sc_core::sc_module_name name) : sc_core::sc_module(name) {
        in.register_b_transport(this, &counting_link::b_transport);
        in.register_transport_dbg(this, &counting_link::transport_dbg);
        in.register_get_direct_mem_ptr(this, &counting_link::get_direct_mem_ptr);
    }
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& t) { out->b_transport(p, t); }
    unsigned transport_dbg(tlm::tlm_generic_payload& p) {
        ++debug_accesses;
        return out->transport_dbg(p);
    }
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi) {
        if (!grant_dmi) {
            dmi.allow_none();
            return false;
        }
        return out->get_direct_mem_ptr(p, dmi);
    }
};

std::string error_of(const std::vector<uint8_t>& bytes) {
    test::temp_file f(bytes);
    try {
        cpu::read_elf(f.path);
    } catch (const core::config_error& e) {
        return e.what();
    }
    return "(accepted)";
}

template <typename T>
void poke(std::vector<uint8_t>& file, size_t offset, T value) {
    std::memcpy(file.data() + offset, &value, sizeof value);
}

} // namespace

TEST_CASE("ELF loader writes segments at p_paddr through a socket, the bss left to power-on zeros") {
    test::temp_file f(make_elf());
    cpu::elf_image image = cpu::read_elf(f.path);
    CHECK(image.entry == 0x1004);
    CHECK(image.lowest_address() == 0x1000);
    CHECK(image.highest_address() == 0x1000 + 8 + 16);
    memory::ram mem("ram", 0x4000);
    // The bss is not written (RAM reads zero at power-on; a huge p_memsz must not cost a
    // zero-fill through the bus): bytes already there stay.
    std::memset(mem.host_pointer() + 0x1008, 0xff, 64);
    test::test_initiator loader("loader");
    loader.socket.bind(mem.socket);
    test::run_script([&] {
        cpu::load_elf(image, *loader.socket.operator->());
        CHECK(loader.read32(0x1000) == 0xefbeadde);
        CHECK(loader.read32(0x1004) == 0x04030201);
        CHECK(loader.read64(0x1008) == ~uint64_t{0});  // bss: not written
        CHECK(loader.read32(0x1018) == 0xffffffff);
    });
}

TEST_CASE("ELF loader refuses a huge bss past the end of memory at once, without filling it") {
    auto bytes = make_elf();
    poke<uint64_t>(bytes, sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_memsz), uint64_t{4} << 30);  // 4 GiB
    test::temp_file f(bytes);
    cpu::elf_image image = cpu::read_elf(f.path);
    memory::ram mem("ram", 0x4000);
    test::test_initiator loader("loader");
    loader.socket.bind(mem.socket);
    test::run_script([&] {
        CHECK_THROWS_WITH(cpu::load_elf(image, *loader.socket.operator->()),
                          Catch::Contains("does not fit in memory at 0x4000"));
    });
}

// An ELF whose segment at 0x1000 has a 16 MiB bss.
cpu::elf_image image_with_16_mib_bss() {
    auto bytes = make_elf();
    poke<uint64_t>(bytes, sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_memsz), uint64_t{16} << 20);
    test::temp_file f(bytes);
    return cpu::read_elf(f.path);
}

// A loader reaching a RAM bank through a counting_link.
struct linked_ram {
    memory::ram mem;
    counting_link link{"link"};
    test::test_initiator loader{"loader"};
    explicit linked_ram(uint64_t size) : mem("ram", size) {
        loader.socket.bind(link.in);
        link.out.bind(mem.socket);
    }
    void load(const cpu::elf_image& image) { cpu::load_elf(image, *loader.socket.operator->()); }
};

TEST_CASE("ELF loader checks a large bss is memory by the target's DMI region, page by page without DMI") {
    const cpu::elf_image image = image_with_16_mib_bss();
    linked_ram bench(uint64_t{32} << 20);
    counting_link& link = bench.link;
    test::run_script([&] {
        // The file's bytes in one write; the RAM's DMI region covers the bss.
        bench.load(image);
        CHECK(link.debug_accesses == 1);
        // Without DMI: the write, then a byte read at the bss's start, at each 4 KiB page after
        // it (0x2000..0x1000000) and at its last byte.
        link.grant_dmi = false;
        link.debug_accesses = 0;
        bench.load(image);
        CHECK(link.debug_accesses == 1 + 1 + 4095 + 1);
        CHECK(bench.loader.read32(0x1000) == 0xefbeadde);
    });
}

TEST_CASE("ELF loader refuses a bss that runs past the memory's end, with DMI or without") {
    const cpu::elf_image image = image_with_16_mib_bss();
    linked_ram bench(uint64_t{8} << 20);
    test::run_script([&] {
        CHECK_THROWS_WITH(bench.load(image), Catch::Contains("does not fit in memory at 0x800000"));
        bench.link.grant_dmi = false;
        CHECK_THROWS_WITH(bench.load(image), Catch::Contains("does not fit in memory at 0x800000"));
    });
}

TEST_CASE("ELF loader refuses segments that overlap in memory") {
    // A second PT_LOAD header over the first one's bss.
    auto bytes = make_elf();
    Elf64_Phdr second{};
    std::memcpy(&second, bytes.data() + sizeof(Elf64_Ehdr), sizeof second);
    second.p_paddr = 0x1010;
    second.p_filesz = 0;
    second.p_memsz = 0x100;
    bytes.insert(bytes.end(), reinterpret_cast<uint8_t*>(&second), reinterpret_cast<uint8_t*>(&second) + sizeof second);
    // The header table moves to the end of the file.
    poke<uint64_t>(bytes, offsetof(Elf64_Ehdr, e_phoff), bytes.size() - 2 * sizeof(Elf64_Phdr));
    std::vector<uint8_t> first(bytes.begin() + sizeof(Elf64_Ehdr), bytes.begin() + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr));
    bytes.insert(bytes.end() - sizeof(Elf64_Phdr), first.begin(), first.end());
    poke<uint64_t>(bytes, offsetof(Elf64_Ehdr, e_phoff), bytes.size() - 2 * sizeof(Elf64_Phdr));
    poke<uint16_t>(bytes, offsetof(Elf64_Ehdr, e_phnum), 2);
    CHECK_THAT(error_of(bytes), Catch::Contains("segments at [0x1000..0x1017] and [0x1010..0x110f] overlap"));
}

TEST_CASE("ELF loader refuses a segment that does not fit in memory") {
    test::temp_file f(make_elf());
    cpu::elf_image image = cpu::read_elf(f.path);
    memory::ram mem("ram", 0x1008);  // the bss runs off the end
    test::test_initiator loader("loader");
    loader.socket.bind(mem.socket);
    test::run_script([&] {
        CHECK_THROWS_WITH(cpu::load_elf(image, *loader.socket.operator->()),
                          Catch::Contains("does not fit in memory"));
    });
}

TEST_CASE("ELF loader gives one clear error for each kind of bad file") {
    CHECK_THAT(error_of({}), Catch::Contains("not an ELF file"));
    CHECK_THAT(error_of({'#', '!', '/', 'b', 'i', 'n'}), Catch::Contains("not an ELF file"));
    CHECK_THAT(error_of(make_elf(EM_X86_64)), Catch::Contains("an ELF for x86-64, not AArch64"));
    CHECK_THAT(error_of(make_elf(EM_RISCV)), Catch::Contains("RISC-V"));

    auto elf32 = make_elf();
    elf32[EI_CLASS] = ELFCLASS32;
    CHECK_THAT(error_of(elf32), Catch::Contains("32-bit"));

    auto big = make_elf();
    big[EI_DATA] = ELFDATA2MSB;
    CHECK_THAT(error_of(big), Catch::Contains("big-endian"));

    auto relocatable = make_elf();
    poke<uint16_t>(relocatable, offsetof(Elf64_Ehdr, e_type), ET_REL);
    CHECK_THAT(error_of(relocatable), Catch::Contains("not an executable"));

    auto truncated = make_elf();
    truncated.resize(truncated.size() - 4);
    CHECK_THAT(error_of(truncated), Catch::Contains("outside the file"));

    auto header_only = make_elf();
    header_only.resize(sizeof(Elf64_Ehdr) + 8);
    CHECK_THAT(error_of(header_only), Catch::Contains("program headers lie outside the file"));

    auto bad_entry = make_elf();
    poke<uint64_t>(bad_entry, offsetof(Elf64_Ehdr, e_entry), 0x9000);
    CHECK_THAT(error_of(bad_entry), Catch::Contains("entry point 0x9000"));

    auto huge_phnum = make_elf();
    poke<uint16_t>(huge_phnum, offsetof(Elf64_Ehdr, e_phnum), 0xffff);
    CHECK_THAT(error_of(huge_phnum), Catch::Contains("outside the file"));

    CHECK_THROWS_WITH(cpu::read_elf("/nonexistent/firmware.elf"), Catch::Contains("cannot open"));
    CHECK(error_of(make_elf()) == "(accepted)");
}
