#pragma once
// Reading a whole input file (firmware ELF, DTB, kernel Image, initramfs, BIOS image) with one
// kind of error for every way it can go wrong, each naming what the file was for: missing or
// unreadable, a directory, or a read error. A regular file is sized first and read in one call
// (a kernel Image is tens of MiB); a pipe or device is read to its end.

#include <cstdint>
#include <string>
#include <vector>

namespace socsim::core {

// Throws core::config_error "<what> '<path>': cannot open it (<reason>)", "<what> '<path>' is a
// directory" or "<what> '<path>': cannot read it (<reason>)". An empty file is returned empty:
// the caller decides whether that is an error.
std::vector<uint8_t> read_input_file(const std::string& path, const std::string& what);

} // namespace socsim::core
