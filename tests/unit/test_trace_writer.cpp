// The JSON Lines trace writer: one object per line, every key once, write errors reported.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "models/core/trace_writer.h"

using socsim::core::trace_event;
using socsim::core::trace_writer;

namespace {
std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
} // namespace

TEST_CASE("trace: an event is one JSON object on one line, t_ps, kind and src first") {
    const std::string path = "test_trace_writer.jsonl";
    trace_writer::instance().open(path);
    trace_event("demo", "unit").field("count", uint64_t{3}).hex_field("addr", 0x1000).field("ok", true).emit();
    CHECK(trace_writer::instance().close());
    CHECK(read_all(path) == "{\"t_ps\":0,\"kind\":\"demo\",\"src\":\"unit\",\"count\":3,\"addr\":\"0x1000\",\"ok\":true}\n");
    std::remove(path.c_str());
}

TEST_CASE("trace: a key given twice (or one of t_ps, kind, src) is a programming error") {
    const std::string path = "test_trace_writer_keys.jsonl";
    trace_writer::instance().open(path);
    CHECK_THROWS_AS(trace_event("demo", "unit").field("kind", "other"), std::logic_error);
    CHECK_THROWS_WITH(trace_event("demo", "unit").hex_field("addr", 1).field("addr", uint64_t{2}),
                      "trace event 'demo': field 'addr' given twice");
    trace_writer::instance().close();
    std::remove(path.c_str());
    // Without a trace file nothing is checked or built.
    CHECK_NOTHROW(trace_event("demo", "unit").field("kind", "other").emit());
}

TEST_CASE("trace: a file that cannot be written is reported when closed") {
    trace_writer::instance().open("/dev/full");
    for (int i = 0; i < 10000; ++i) trace_event("demo", "unit").field("i", uint64_t(i)).emit();
    CHECK_FALSE(trace_writer::instance().close());
}
