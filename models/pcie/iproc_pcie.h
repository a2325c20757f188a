#pragma once
// A PCIe root complex modelled on Broadcom's iProc PAXB v2 (Stingray's external root complex), as
// Linux's drivers/pci/controller/pcie-iproc.c programs it. What differs from the generic ECAM
// bridge (pcie_host_bridge, whose outbound windows, peer-to-peer decode, iommu-map, requester
// ids and Unsupported Requests it reuses):
//   - no ECAM window: configuration space is reached through register pairs in a 4 KiB block;
//   - the inbound windows are not taken from `dma-ranges`: firmware programs them in the
//     IARR/IMAP registers. At reset no window is valid, so every DMA is an Unsupported Request
//     until firmware has programmed one.
//
// DT: compatible "socsim,iproc-paxb" (not "brcm,iproc-pcie-paxb-v2": the model has no link
// training, PERST, OARR/OMAP outbound programming or MSI steering, and keeps its endpoints on the
// root bus, so Linux's driver for the real binding would not work with it). `reg` = the 4 KiB
// register block; `bus-range` (default 0..255); `ranges` = outbound windows, live from reset (as
// on SoCs whose outbound mapping is set by the ASIC: the binding's `brcm,pcie-ob` absent);
// `dma-ranges` = what firmware should program (the model itself never reads it); `iommu-map`,
// `iommu-map-mask`, `socsim,root-vendor-id`, `socsim,root-device-id` as on the generic bridge.
// Endpoints are child nodes on the root bus.
//
// Registers (32-bit, 4-byte accesses only; any other offset or size: TLM error and a log line):
//   0x000 CLK_CTRL, 0x330 INTX_EN, 0xf40 APB_ERR_EN   storage only (reset, INTx gating and APB
//                                                      error forwarding are not modelled)
//   0x120 CFG_IND_ADDR  bits 12:2: a register of the root complex's own configuration space
//   0x124 CFG_IND_DATA  that register of 00:00.0 (past its configuration space: all-ones)
//   0x1f8 CFG_ADDR      bus << 20 | device << 15 | function << 12 | register (11:2) | type (1:0);
//                       the type bits are kept but not interpreted
//   0x1fc CFG_DATA      that register of that function; absent ones read all-ones, as on ECAM
//   0xee0 CFG_RD_STATUS reads 0 (success: no Configuration Request Retry is ever returned)
//   0xf0c LINK_STATUS   reads PHYLINKUP (bit 3) | DL_ACTIVE (bit 2): the link is always up
//   IARRn_LO/HI, IMAPn_LO/HI[k]: the inbound regions below.
//
// Inbound (the `inbound_regions()` table, from pcie-iproc.c's PAXB v2 table):
//   region  size unit  sizes (size bit 0, 1, ...)        IMAP windows  IARR        IMAP (lo, hi, stride)
//   IARR0   1 KiB      32 KiB                            8             0xd00       0xc00, +0x40, 4
//   IARR1   1 MiB      8 MiB                             8             0xd08       0xd70, +4, 8
//   IARR2   1 MiB      64 MiB .. 16 GiB (9 powers of 2)  1             0xd10       0xcc0, +4, 8
//   IARR3   1 GiB      1 .. 32 GiB (6)                   8             0xe00       0xe08, +4, 8
//   IARR4   1 GiB      32 .. 512 GiB (5)                 8             0xe68       0xe70, +4, 8
//   IARR_LO = PCI address bits 31:0 | BIT(size index); IARR_HI = PCI address bits 63:32. A region
//   of size S with W IMAP windows is cut into W slices of S/W; slice k sends bus addresses
//   [pci + k*S/W, +S/W) to AXI (CPU) address IMAP_k, whose bit 0 is VALID. IARR0 is the region
//   Linux uses to steer MSIs; the model decodes it like the others.
//
// The hardware's rules, and what the model does with a programming it cannot express. The
// registers always hold what was written (they read back as written, as Linux's
// read-modify-write of IMAP expects); the decode follows from their contents:
//   1. a region decodes only when exactly one size bit is set (no size bit: the region is off;
//      two or more: it cannot be expressed, the region stays off);
//   2. the PCI address must be aligned to the selected size, else the region stays off;
//   3. an IMAP window decodes only when VALID and its AXI address is aligned to the slice size,
//      else that slice stays off (a hole inside the region). Linux's driver is stricter (the
//      whole region's AXI base aligned to the region size) and refuses before writing;
//   4. a slice that overlaps a lower-numbered region's slice on the bus stays off (which region
//      wins is not publicly documented: the model picks one rule and says so).
//   A write that leaves its own region (IARR) or window (IMAP) breaking a rule gives one warning
//   line naming the register, the value written and the rule: a size rule at once, an address
//   rule at the write of the high word that completes the address (drivers write the low word
//   first; the decode follows every write, as hardware's would, but the half-written moment is
//   not reported, nor is a stale IMAP window of an earlier programming until it is rewritten). A DMA to a bus address in no decoding slice is an
//   Unsupported Request (pcie_host_bridge's report: the address, every window, the nearest).
//   Slices contiguous on both the bus and the AXI side form one window in reports.
// The facts and their public sources: docs/hardware/iproc-pcie.md.

#include <cstdint>
#include <string>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

#include "models/core/log.h"
#include "models/core/register_file.h"
#include "models/pcie/pcie_host_bridge.h"

namespace socsim::pcie {

class iproc_pcie : public pcie_host_bridge {
public:
    // One IARR/IMAP inbound region (a row of pcie-iproc.c's per-SoC table).
    struct inbound_region {
        const char* name;             // "IARR2"
        uint64_t size_unit;
        std::vector<uint64_t> sizes;  // in size units; size bit i selects sizes[i]
        unsigned windows;             // IMAP windows: equal slices of the region
        uint32_t iarr;                // IARR_LO offset (IARR_HI follows at +4)
        uint32_t imap;                // IMAP_LO of window 0
        uint32_t imap_high;           // IMAP_HI = IMAP_LO + imap_high
        uint32_t imap_stride;         // IMAP_LO of window k = imap + k * imap_stride
        bool memory;                  // Linux programs dma-ranges only into memory regions
    };
    static const std::vector<inbound_region>& inbound_regions();

    static constexpr uint32_t clk_ctrl = 0x000, cfg_ind_addr = 0x120, cfg_ind_data = 0x124, cfg_addr = 0x1f8,
                              cfg_data = 0x1fc, intx_en = 0x330, cfg_rd_status = 0xee0, link_status = 0xf0c,
                              apb_err_en = 0xf40;
    static constexpr uint32_t link_up = 1u << 3 | 1u << 2;  // PHYLINKUP | DL_ACTIVE
    static constexpr uint32_t imap_valid = 1u << 0;
    static constexpr uint64_t register_block = 0x1000;
    // The configuration space CFG_ADDR reaches, as an ECAM size: 8 bus bits, every bus 0..255.
    static constexpr uint64_t config_space = 256ull << 20;

    tlm_utils::simple_target_socket<iproc_pcie> regs;

    // Throws core::config_error for what pcie_host_bridge refuses, or when cfg.inbound is not
    // empty (this root complex's inbound windows are programmed, not configured).
    iproc_pcie(sc_core::sc_module_name name, config cfg);

    // Where a driver following Linux's iproc_pcie_setup_ib would put one dma-ranges entry: the
    // first memory region not in `used` whose allowed sizes include `size` exactly, with both
    // addresses aligned to it. On failure `region` is -1 and `error` says why, as the driver
    // reports it ("unable to configure inbound mapping").
    struct placement {
        int region = -1;
        unsigned size_bit = 0;
        std::string error;
    };
    static placement place(uint64_t pci, uint64_t cpu, uint64_t size, const std::vector<bool>& used);
    // For `socsim info` (iproc_describe.cpp): each dma-ranges window (what firmware is to program)
    // with the IARR region `place` gives it, or why none can hold it; then the holes below,
    // between and above the windows, where a DMA is an Unsupported Request.
    static std::vector<std::string> describe_dma_ranges(std::vector<inbound_window> declared);

private:
    void register_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned register_debug(tlm::tlm_generic_payload& p);
    uint64_t config_data(bool indirect, bool is_read, uint32_t value, bool debug);
    void inbound_changed(const std::string& reg, uint64_t value);
    // A rule the register contents break. `scope`: the register pair it belongs to ("IARR2",
    // "IMAP3[5]"). `address`: it depends on a 64-bit address, whose high word a driver writes
    // after the low one, so it is judged at the write of the high word.
    struct problem {
        std::string text;
        std::string scope;
        bool address;
    };
    // The windows the IARR/IMAP registers decode, and every rule they break.
    std::vector<inbound_window> decode_inbound(std::vector<problem>& problems) const;

    // CFG_DATA and CFG_IND_DATA accesses become ECAM-form accesses to the generic bridge's
    // configuration space (its `ecam` socket, reachable only from here).
    tlm_utils::simple_initiator_socket<iproc_pcie> config_port_;
    core::register_file regs_;
    core::logger log_;
};

} // namespace socsim::pcie
