// The host side of the UARTs (platforms/host/serial_backend.h): input files read a byte at a time
// without waiting, then idle for ever; output files opened once and shared; errors name the file.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "models/core/config_error.h"
#include "platforms/host/serial_backend.h"

using namespace socsim;

namespace {

std::string temp_path(const char* name) { return std::string(P_tmpdir) + "/socsim_serial_" + name; }

} // namespace

TEST_CASE("serial backend: an input file gives its bytes, then -1 for ever") {
    const std::string path = temp_path("in.txt");
    std::ofstream(path) << "ab";
    host::serial_backend backend;
    auto next = backend.input(path);
    CHECK(next() == 'a');
    CHECK(next() == 'b');
    CHECK(next() == -1);
    CHECK(next() == -1);
    std::remove(path.c_str());
}

TEST_CASE("serial backend: one output file per path, shared, and the console for an empty path") {
    const std::string path = temp_path("out.txt");
    {
        host::serial_backend backend;
        std::ostream& first = backend.output(path);
        CHECK(&backend.output(path) == &first);
        CHECK(&backend.output("") == &std::cout);
        first << "hello";
    }
    std::ifstream in(path);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "hello");
    std::remove(path.c_str());
}

TEST_CASE("serial backend: a file that cannot be opened is a configuration error naming it") {
    host::serial_backend backend;
    CHECK_THROWS_WITH(backend.input("/nonexistent/in.txt"),
                      Catch::StartsWith("cannot read input file '/nonexistent/in.txt': "));
    CHECK_THROWS_AS(backend.output("/nonexistent/out.txt"), core::config_error);
}
