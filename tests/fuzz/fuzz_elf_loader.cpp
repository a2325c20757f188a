// Fuzz harness: the firmware ELF loader (models/cpu/elf_loader) on bytes from the fuzzer: its
// checks (parse_elf), then loading into a memory map of two RAM banks, a ROM and a hole. A bad
// ELF, or one that does not fit, must give a core::config_error; anything else is a finding.
// Seeds: minimal ELFs written here (scripts/fuzz adds the scenario firmware, stripped).
#include <elf.h>

#include <cstring>

#include "models/bus/router.h"
#include "models/core/config_error.h"
#include "models/cpu/elf_loader.h"
#include "models/memory/ram.h"
#include "models/memory/rom.h"
#include "tests/fuzz/rig.h"

using namespace socsim;

namespace {

struct bench {
    bus::router bus{"bus"};
    memory::rom flash{"flash", 0x100000};
    memory::ram low{"low", 0x04000000};
    memory::ram high{"high", 0x01000000};
    fuzz::initiator loader{"loader"};
    bench() {
        loader.socket.bind(bus.target_socket);
        bus.map(bus.bind_target(flash.socket), {0x0, 0x100000}, "/flash");
        bus.map(bus.bind_target(low.socket), {0x40000000, 0x04000000}, "/memory@40000000");
        bus.map(bus.bind_target(high.socket), {0x800000000ull, 0x01000000}, "/memory@800000000");
    }
};

// An AArch64 executable: one header, the given segments (paddr, file bytes, memsz), entry in the
// first.
std::vector<uint8_t> elf(const std::vector<std::tuple<uint64_t, unsigned, uint64_t>>& segments) {
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_AARCH64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = std::get<0>(segments.front());
    eh.e_phoff = sizeof eh;
    eh.e_ehsize = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = static_cast<uint16_t>(segments.size());
    std::vector<uint8_t> out(sizeof eh + segments.size() * sizeof(Elf64_Phdr));
    std::memcpy(out.data(), &eh, sizeof eh);
    for (size_t i = 0; i < segments.size(); ++i) {
        const auto& [paddr, filesz, memsz] = segments[i];
        Elf64_Phdr ph{};
        ph.p_type = PT_LOAD;
        ph.p_flags = PF_R | PF_X;
        ph.p_offset = out.size();
        ph.p_vaddr = ph.p_paddr = paddr;
        ph.p_filesz = filesz;
        ph.p_memsz = memsz;
        std::memcpy(out.data() + sizeof eh + i * sizeof ph, &ph, sizeof ph);
        out.insert(out.end(), filesz, static_cast<uint8_t>(0xd5));
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::initialize([] {
        return std::vector<std::vector<uint8_t>>{
            elf({{0x40080000, 64, 0x1000}}),
            elf({{0x0, 32, 32}, {0x40000000, 16, 0x20000}}),
            elf({{0x800000000ull, 8, 0x00fff000}, {0x40100000, 0, 0x100}}),
        };
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    cpu::elf_image image;
    try {
        image = cpu::parse_elf(std::vector<uint8_t>(data, data + size), "fuzz.elf");
    } catch (const core::config_error&) {
        return 0;
    }
    fuzz::fresh_simulation sim;
    bench b;
    sim.run(sc_core::SC_ZERO_TIME);
    try {
        cpu::load_elf(image, *b.loader.socket.operator->());
    } catch (const core::config_error&) {
    }
    return 0;
}
