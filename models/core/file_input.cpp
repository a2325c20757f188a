#include "models/core/file_input.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "models/core/config_error.h"

namespace socsim::core {

std::vector<uint8_t> read_input_file(const std::string& path, const std::string& what) {
    const std::string named = what + " '" + path + "'";
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw config_error(named + " is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error(named + ": cannot open it (" + std::strerror(errno) + ")");
    std::vector<uint8_t> bytes;
    if (std::filesystem::is_regular_file(path, ec)) {
        const auto size = std::filesystem::file_size(path, ec);
        if (!ec) bytes.resize(size);
    }
    // libstdc++'s file buffer throws on a failed read(2) even with stream exceptions off.
    try {
        in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        bytes.resize(static_cast<size_t>(in.gcount()));  // the file may have shrunk meanwhile
        char chunk[1 << 16];
        while (in && (in.read(chunk, sizeof chunk) || in.gcount() > 0))
            bytes.insert(bytes.end(), chunk, chunk + in.gcount());
    } catch (const std::ios_base::failure&) {
        throw config_error(named + ": cannot read it (" + std::strerror(errno) + ")");
    }
    if (in.bad()) throw config_error(named + ": cannot read it (" + std::strerror(errno) + ")");
    return bytes;
}

} // namespace socsim::core
