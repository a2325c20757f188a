#include "regress/suite.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>

namespace socsim::regress {
namespace {

namespace fs = std::filesystem;

// Everything the loader needs to name a place in the file.
struct reader {
    std::string file;

    [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
        throw suite_error(file + ":" + std::to_string(at.Mark().line + 1) + ": " + what);
    }

    void check_keys(const YAML::Node& map, const std::string& what, const std::set<std::string>& known) const {
        if (!map.IsMap()) fail(map, what + " must be a mapping (key: value lines)");
        for (const auto& kv : map) {
            const std::string key = kv.first.as<std::string>();
            if (known.count(key)) continue;
            std::string list;
            for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
            fail(kv.first, "unknown key '" + key + "' in " + what + " (known: " + list + ")");
        }
    }

    std::string scalar(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar()) fail(n, "'" + key + "' must be a single value, not a list or mapping");
        return n.Scalar();
    }

    std::vector<std::string> scalars(const YAML::Node& n, const std::string& key) const {
        std::vector<std::string> out;
        if (n.IsScalar()) return {n.Scalar()};
        if (!n.IsSequence()) fail(n, "'" + key + "' must be a value or a list of values");
        for (const auto& item : n) out.push_back(scalar(item, key));
        return out;
    }

    uint64_t number(const YAML::Node& n, const std::string& key, uint64_t max) const {
        const std::string s = scalar(n, key);
        char* end = nullptr;
        errno = 0;
        const unsigned long long v = std::strtoull(s.c_str(), &end, 0);
        if (s.empty() || *end != '\0' || errno != 0 || v > max || s[0] == '-')
            fail(n, "'" + key + "' must be a whole number from 0 to " + std::to_string(max) + ", not '" + s + "'");
        return v;
    }

    double seconds(const YAML::Node& n, const std::string& key) const {
        const std::string s = scalar(n, key);
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || !(v > 0) || v > 86400)
            fail(n, "'" + key + "' must be a number of host seconds above 0 and at most 86400, not '" + s + "'");
        return v;
    }
};

const std::set<std::string> case_keys = {"name", "platform", "firmware", "bios", "kernel", "initrd", "append",
                                         "config", "args", "input", "max-time", "timeout", "tags", "once",
                                         "expect", "matrix"};
const std::set<std::string> default_keys = {"platform", "firmware", "bios", "kernel", "initrd", "append", "config",
                                            "args", "input", "max-time", "timeout", "tags", "once", "expect"};
const std::set<std::string> expect_keys = {"status", "stdout", "stdout-file", "stdout-lines", "stdout-regex", "stderr",
                                           "stderr-contains", "stderr-regex", "stderr-lines", "trace", "png"};

// ${NAME} substitution; an unknown name is an error at the node that used it.
std::string substitute(const reader& r, const YAML::Node& at, const std::string& text,
                       const std::map<std::string, std::string>& vars) {
    std::string out;
    size_t pos = 0;
    while (true) {
        const size_t open = text.find("${", pos);
        if (open == std::string::npos) break;
        const size_t close = text.find('}', open);
        if (close == std::string::npos) r.fail(at, "unterminated ${ in '" + text + "'");
        const std::string name = text.substr(open + 2, close - open - 2);
        out += text.substr(pos, open - pos);
        if (name == "case_dir") {
            out += case_dir_placeholder;  // the runner fills it in
        } else {
            auto it = vars.find(name);
            if (it == vars.end()) {
                std::string known;
                for (const auto& [k, v] : vars) known += (known.empty() ? "" : ", ") + k;
                r.fail(at, "unknown variable ${" + name + "} (defined: " + known + ", case_dir)");
            }
            out += it->second;
        }
        pos = close + 1;
    }
    return out + text.substr(pos);
}

// A path in the suite: relative to the suite's directory; the scratch directory is left alone.
std::string resolve_path(const std::string& dir, const std::string& path) {
    if (path.empty() || fs::path(path).is_absolute() || path.rfind(case_dir_placeholder, 0) == 0) return path;
    return (fs::path(dir) / path).lexically_normal().string();
}

bool is_platform_file(const std::string& platform) {
    return platform.find('/') != std::string::npos ||
           (platform.size() > 4 && (platform.compare(platform.size() - 4, 4, ".dts") == 0 ||
                                    platform.compare(platform.size() - 4, 4, ".dtb") == 0));
}

uint32_t parse_rgb(const reader& r, const YAML::Node& n) {
    std::string s = r.scalar(n, "pixel colour");
    if (!s.empty() && s[0] == '#') s = s.substr(1);
    if (s.rfind("0x", 0) == 0) s = s.substr(2);
    char* end = nullptr;
    const unsigned long v = std::strtoul(s.c_str(), &end, 16);
    if (s.size() != 6 || *end != '\0') r.fail(n, "a pixel colour is six hex digits RRGGBB, not '" + n.Scalar() + "'");
    return static_cast<uint32_t>(v);
}

void check_regex(const reader& r, const YAML::Node& n, const std::string& re) {
    try {
        std::regex probe(re, std::regex::ECMAScript | std::regex::multiline);
    } catch (const std::regex_error& e) {
        r.fail(n, "bad regular expression '" + re + "': " + e.what());
    }
}

// The raw YAML of one case after defaults and matrix: read into a test_case.
struct raw_case {
    YAML::Node start;  // for the line number
    std::map<std::string, YAML::Node> fields;
    std::vector<std::pair<std::string, std::string>> matrix_values;
    std::vector<std::string> matrix_config;  // -c values the matrix adds
};

expectations read_expectations(const reader& r, const YAML::Node& e, const std::map<std::string, std::string>& vars,
                               const std::string& dir) {
    r.check_keys(e, "expect", expect_keys);
    auto sub = [&](const YAML::Node& n, const std::string& key) { return substitute(r, n, r.scalar(n, key), vars); };
    expectations x;
    if (e["status"]) x.status = static_cast<int>(r.number(e["status"], "status", 255));
    if (const YAML::Node n = e["stdout"]) x.stdout_text = sub(n, "stdout");
    if (const YAML::Node n = e["stdout-file"]) {
        if (x.stdout_text) r.fail(n, "give 'stdout' or 'stdout-file', not both");
        const std::string file = resolve_path(dir, sub(n, "stdout-file"));
        std::ifstream in(file, std::ios::binary);
        std::error_code ec;
        if (!in || fs::is_directory(file, ec)) r.fail(n, "cannot read the expected stdout '" + file + "'");
        std::ostringstream text;
        text << in.rdbuf();
        x.stdout_text = text.str();
    }
    if (const YAML::Node n = e["stdout-lines"]) {
        if (!n.IsSequence()) r.fail(n, "'stdout-lines' must be a list of lines");
        for (const auto& l : n) x.stdout_lines.push_back(sub(l, "stdout-lines"));
    }
    if (const YAML::Node n = e["stdout-regex"]) {
        x.stdout_regex = sub(n, "stdout-regex");
        check_regex(r, n, *x.stdout_regex);
    }
    if (const YAML::Node n = e["stderr"]) {
        if (n.IsScalar() && n.Scalar() == "none") {
            x.stderr_none = true;
        } else if (n.IsSequence()) {
            x.stderr_diagnostics.emplace();
            for (const auto& l : n) x.stderr_diagnostics->push_back(sub(l, "stderr"));
        } else {
            r.fail(n, "'stderr' is 'none' or the list of every line socsim prints (time stamps aside)");
        }
    }
    if (const YAML::Node n = e["stderr-contains"])
        for (const std::string& s : r.scalars(n, "stderr-contains")) x.stderr_contains.push_back(substitute(r, n, s, vars));
    if (const YAML::Node n = e["stderr-regex"]) {
        x.stderr_regex = sub(n, "stderr-regex");
        check_regex(r, n, *x.stderr_regex);
    }
    if (const YAML::Node n = e["stderr-lines"]) x.stderr_line_count = static_cast<unsigned>(r.number(n, "stderr-lines", 1000000));
    if (const YAML::Node n = e["trace"]) {
        if (!n.IsSequence()) r.fail(n, "'trace' must be a list of events (mappings of field: value)");
        for (const auto& ev : n) {
            if (!ev.IsMap()) r.fail(ev, "a trace event is a mapping of field: value, with 'kind' among them");
            trace_expectation t;
            t.line = ev.Mark().line + 1;
            for (const auto& kv : ev) {
                const std::string key = kv.first.as<std::string>();
                if (key == "count")
                    t.count = static_cast<unsigned>(r.number(kv.second, "count", 1000000000));
                else
                    t.fields[key] = substitute(r, kv.second, r.scalar(kv.second, key), vars);
            }
            if (!t.fields.count("kind")) r.fail(ev, "a trace event needs its 'kind'");
            x.trace.push_back(std::move(t));
        }
    }
    if (const YAML::Node n = e["png"]) {
        r.check_keys(n, "png", {"file", "width", "height", "fnv1a", "pixels"});
        if (!n["file"]) r.fail(n, "'png' needs the 'file' the run writes");
        png_expectation p;
        p.file = resolve_path(dir, sub(n["file"], "file"));
        if (n["width"]) p.width = static_cast<unsigned>(r.number(n["width"], "width", 65535));
        if (n["height"]) p.height = static_cast<unsigned>(r.number(n["height"], "height", 65535));
        if (n["fnv1a"]) p.fnv1a = static_cast<uint32_t>(r.number(n["fnv1a"], "fnv1a", 0xffffffffu));
        if (const YAML::Node px = n["pixels"]) {
            if (!px.IsMap()) r.fail(px, "'pixels' maps \"x,y\" to a colour RRGGBB");
            for (const auto& kv : px) {
                const std::string where = kv.first.as<std::string>();
                unsigned x0 = 0, y0 = 0;
                char tail = 0;
                if (std::sscanf(where.c_str(), "%u,%u%c", &x0, &y0, &tail) != 2)
                    r.fail(kv.first, "a pixel is named \"x,y\", not '" + where + "'");
                p.pixels.push_back({x0, y0, parse_rgb(r, kv.second)});
            }
        }
        x.png = std::move(p);
    }
    return x;
}

test_case read_case(const reader& r, const raw_case& raw, std::map<std::string, std::string> vars, const std::string& dir) {
    // An absent key gives an undefined node (a default-constructed YAML::Node is a defined null).
    const YAML::Node undefined = YAML::Node(YAML::NodeType::Map)["absent"];
    auto field = [&](const std::string& key) -> YAML::Node {
        auto it = raw.fields.find(key);
        return it == raw.fields.end() ? undefined : it->second;
    };
    test_case c;
    c.suite = r.file;
    c.line = raw.start.Mark().line + 1;
    if (!field("name")) r.fail(raw.start, "a case needs a 'name'");
    c.name = r.scalar(field("name"), "name");
    static const std::regex good_name("[A-Za-z0-9_.:+-]+");
    if (!std::regex_match(c.name, good_name))
        r.fail(field("name"), "a case name is letters, digits and _ . : + - (it names files and tests), not '" + c.name + "'");
    vars["name"] = c.name;
    if (!field("platform")) r.fail(raw.start, "case '" + c.name + "' needs a 'platform' (a built-in name or a .dts/.dtb path)");
    c.platform = substitute(r, field("platform"), r.scalar(field("platform"), "platform"), vars);
    if (is_platform_file(c.platform)) c.platform = resolve_path(dir, c.platform);
    // ${platform} is the name as the case gave it (a file's stem for a path).
    vars["platform"] = is_platform_file(c.platform) ? fs::path(c.platform).stem().string() : c.platform;

    auto text = [&](const std::string& key) {
        const YAML::Node n = field(key);
        return n ? substitute(r, n, r.scalar(n, key), vars) : std::string();
    };
    c.firmware = resolve_path(dir, text("firmware"));
    c.bios = resolve_path(dir, text("bios"));
    c.kernel = resolve_path(dir, text("kernel"));
    c.initrd = resolve_path(dir, text("initrd"));
    c.append = text("append");
    const int images = !c.firmware.empty() + !c.bios.empty() + !c.kernel.empty();
    if (images == 0) r.fail(raw.start, "case '" + c.name + "' names no firmware: give 'firmware' (ELF), 'bios' or 'kernel'");
    if (images > 1) r.fail(raw.start, "case '" + c.name + "' names more than one of 'firmware', 'bios' and 'kernel'");
    if (const YAML::Node n = field("config"))
        for (const std::string& s : r.scalars(n, "config")) c.config.push_back(substitute(r, n, s, vars));
    c.config.insert(c.config.end(), raw.matrix_config.begin(), raw.matrix_config.end());
    for (const std::string& kv : c.config)
        if (kv.find('=') == std::string::npos || kv.find('.') > kv.find('='))
            r.fail(field("config") ? field("config") : raw.start, "a config value is node.property=value, not '" + kv + "'");
    if (const YAML::Node n = field("args"))
        for (const std::string& s : r.scalars(n, "args")) c.args.push_back(substitute(r, n, s, vars));
    if (field("input")) c.input = text("input");
    c.max_time = text("max-time");
    if (const YAML::Node n = field("timeout")) c.timeout_seconds = r.seconds(n, "timeout");
    if (const YAML::Node n = field("tags")) c.tags = r.scalars(n, "tags");
    c.once = text("once");
    if (const YAML::Node n = field("expect")) c.expect = read_expectations(r, n, vars, dir);
    c.matrix_values = raw.matrix_values;
    if (!c.matrix_values.empty()) {
        std::string suffix;
        for (const auto& [k, v] : c.matrix_values) suffix += (suffix.empty() ? "" : ",") + (k == "platform" ? v : k + "=" + v);
        c.name += "[" + suffix + "]";
    }
    return c;
}

// The cartesian product of the matrix's axes, each a list of (axis, value).
std::vector<std::vector<std::pair<std::string, std::string>>> expand_matrix(const reader& r, const YAML::Node& m) {
    r.check_keys(m, "matrix", {"platform", "config"});
    std::vector<std::pair<std::string, std::vector<std::string>>> axes;
    if (const YAML::Node p = m["platform"]) axes.push_back({"platform", r.scalars(p, "platform")});
    if (const YAML::Node c = m["config"]) {
        if (!c.IsMap()) r.fail(c, "'matrix: config' maps node.property to a list of values");
        for (const auto& kv : c) {
            const std::string prop = kv.first.as<std::string>();
            if (prop.find('.') == std::string::npos) r.fail(kv.first, "a matrix config key is node.property, not '" + prop + "'");
            axes.push_back({prop, r.scalars(kv.second, prop)});
        }
    }
    std::vector<std::vector<std::pair<std::string, std::string>>> out{{}};
    for (const auto& [axis, values] : axes) {
        if (values.empty()) r.fail(m, "matrix axis '" + axis + "' has no values");
        std::vector<std::vector<std::pair<std::string, std::string>>> next;
        for (const auto& partial : out)
            for (const std::string& v : values) {
                next.push_back(partial);
                next.back().push_back({axis, v});
            }
        out = std::move(next);
    }
    return out;
}

} // namespace

std::vector<test_case> load_suite(const std::string& path, const std::map<std::string, std::string>& cli_vars) {
    reader r{path};
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw suite_error(path + ": is a directory, not a suite file");
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw suite_error(path + ": cannot open the suite file");
    } catch (const YAML::Exception& e) {
        throw suite_error(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
    }
    if (!root.IsMap()) throw suite_error(path + ":1: a suite is a mapping with 'cases' (and optionally 'vars', 'defaults')");
    r.check_keys(root, "the suite", {"vars", "defaults", "cases"});
    const std::string dir = fs::absolute(fs::path(path)).parent_path().lexically_normal().string();

    std::map<std::string, std::string> vars{{"suite_dir", dir}};
    if (const YAML::Node v = root["vars"]) {
        if (!v.IsMap()) r.fail(v, "'vars' maps names to values");
        for (const auto& kv : v) vars[kv.first.as<std::string>()] = r.scalar(kv.second, kv.first.as<std::string>());
    }
    for (const auto& [k, v] : cli_vars) vars[k] = v;
    for (auto& [k, v] : vars)
        if (k != "suite_dir" && !cli_vars.count(k)) v = substitute(r, root["vars"][k], v, vars);

    std::map<std::string, YAML::Node> defaults;
    if (const YAML::Node d = root["defaults"]) {
        r.check_keys(d, "defaults", default_keys);
        for (const auto& kv : d) defaults[kv.first.as<std::string>()] = kv.second;
    }
    const YAML::Node cases = root["cases"];
    if (!cases) throw suite_error(path + ":1: the suite has no 'cases'");
    if (!cases.IsSequence()) r.fail(cases, "'cases' must be a list of cases");

    std::vector<test_case> out;
    std::set<std::string> names;
    for (const auto& node : cases) {
        r.check_keys(node, "a case", case_keys);
        raw_case raw{node, defaults, {}, {}};
        for (const auto& kv : node) raw.fields[kv.first.as<std::string>()] = kv.second;
        std::vector<std::vector<std::pair<std::string, std::string>>> combos{{}};
        if (const YAML::Node m = node["matrix"]) combos = expand_matrix(r, m);
        for (const auto& combo : combos) {
            raw_case one = raw;
            for (const auto& [axis, value] : combo) {
                if (axis == "platform") {
                    YAML::Node p(value);
                    one.fields["platform"] = p;
                } else {
                    one.matrix_config.push_back(axis + "=" + value);
                }
            }
            one.matrix_values = combo;
            test_case c = read_case(r, one, vars, dir);
            if (!names.insert(c.name).second) r.fail(node, "a second case named '" + c.name + "'");
            out.push_back(std::move(c));
        }
    }
    return out;
}

} // namespace socsim::regress
