#include "regress/results.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace socsim::regress {
namespace {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (unsigned char ch : s) {
        switch (ch) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            // XML 1.0 has no control characters but tab, newline and carriage return.
            if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                out += '?';
            else
                out += static_cast<char>(ch);
        }
    }
    return out;
}

std::string seconds(double s) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(3) << s;
    return o.str();
}

std::string suite_name(const std::string& path) { return suite_label(path); }

} // namespace

std::string to_junit(const std::vector<case_result>& results) {
    std::map<std::string, std::vector<const case_result*>> by_suite;  // file order is kept inside
    std::vector<std::string> order;
    for (const case_result& r : results) {
        if (!by_suite.count(r.suite)) order.push_back(r.suite);
        by_suite[r.suite].push_back(&r);
    }
    unsigned failures = 0;
    double total = 0;
    for (const case_result& r : results) {
        failures += !r.passed;
        total += r.host_seconds;
    }
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x << "<testsuites name=\"socsim regress\" tests=\"" << results.size() << "\" failures=\"" << failures
      << "\" errors=\"0\" time=\"" << seconds(total) << "\">\n";
    for (const std::string& suite : order) {
        const auto& cases = by_suite[suite];
        unsigned f = 0;
        double t = 0;
        for (const case_result* r : cases) {
            f += !r->passed;
            t += r->host_seconds;
        }
        x << "  <testsuite name=\"" << xml_escape(suite_name(suite)) << "\" tests=\"" << cases.size()
          << "\" failures=\"" << f << "\" errors=\"0\" skipped=\"0\" time=\"" << seconds(t) << "\" file=\""
          << xml_escape(suite) << "\">\n";
        for (const case_result* r : cases) {
            x << "    <testcase classname=\"" << xml_escape(suite_name(suite)) << "\" name=\"" << xml_escape(r->name)
              << "\" time=\"" << seconds(r->host_seconds) << "\" file=\"" << xml_escape(suite) << "\" line=\""
              << r->line << "\"";
            if (r->passed) {
                x << "/>\n";
                continue;
            }
            x << ">\n      <failure message=\"" << xml_escape(r->reason) << "\" type=\"socsim\">"
              << xml_escape(r->reason + "\n" + (r->first_difference.empty() ? "" : r->first_difference + "\n") +
                            (r->first_diagnostic.empty() ? "" : "first diagnostic: " + r->first_diagnostic + "\n") +
                            "reproduce: " + r->command + "\n")
              << "</failure>\n    </testcase>\n";
        }
        x << "  </testsuite>\n";
    }
    x << "</testsuites>\n";
    return x.str();
}

namespace {

nlohmann::ordered_json figures_json(const case_figures& f) {
    nlohmann::ordered_json j;
    j["instructions"] = f.instructions;
    j["simulated_seconds"] = f.simulated_seconds;
    j["iommu_faults"] = f.iommu_faults;
    j["checker_reports"] = f.checker_reports;
    j["iommus"] = nlohmann::ordered_json::array();
    for (const iommu_figures& i : f.iommus)
        j["iommus"].push_back({{"name", i.name},
                               {"translated", i.translated},
                               {"tlb_hits", i.tlb_hits},
                               {"tlb_misses", i.tlb_misses},
                               {"bypassed", i.bypassed},
                               {"refused", i.refused},
                               {"invalidation_commands", i.invalidation_commands},
                               {"entries_invalidated", i.entries_invalidated},
                               {"stale_uses", i.stale_uses}});
    return j;
}

} // namespace

std::string to_json(const std::vector<case_result>& results) {
    nlohmann::ordered_json cases = nlohmann::ordered_json::array();
    for (const case_result& r : results) {
        nlohmann::ordered_json j;
        j["name"] = r.name;
        j["suite"] = r.suite;
        j["line"] = r.line;
        j["tags"] = r.tags;
        j["passed"] = r.passed;
        j["reason"] = r.reason;
        j["first_difference"] = r.first_difference;
        j["first_diagnostic"] = r.first_diagnostic;
        j["command"] = r.command;
        j["host_seconds"] = r.host_seconds;
        j["exit_status"] = r.exit_status;
        if (r.figures) j["figures"] = figures_json(*r.figures);
        cases.push_back(std::move(j));
    }
    nlohmann::ordered_json root;
    root["cases"] = std::move(cases);
    // Invalid UTF-8 in a diagnostic must not stop the report.
    return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::vector<case_result> from_json(const std::string& text, const std::string& file) {
    std::vector<case_result> out;
    try {
        const nlohmann::json root = nlohmann::json::parse(text);
        for (const nlohmann::json& j : root.at("cases")) {
            case_result r;
            r.name = j.at("name").get<std::string>();
            r.suite = j.at("suite").get<std::string>();
            r.line = j.at("line").get<int>();
            r.tags = j.at("tags").get<std::vector<std::string>>();
            r.passed = j.at("passed").get<bool>();
            r.reason = j.at("reason").get<std::string>();
            r.first_difference = j.at("first_difference").get<std::string>();
            r.first_diagnostic = j.at("first_diagnostic").get<std::string>();
            r.command = j.at("command").get<std::string>();
            r.host_seconds = j.at("host_seconds").get<double>();
            r.exit_status = j.at("exit_status").get<int>();
            if (j.contains("figures")) {
                const nlohmann::json& f = j["figures"];
                case_figures fig;
                fig.instructions = f.at("instructions").get<uint64_t>();
                fig.simulated_seconds = f.at("simulated_seconds").get<double>();
                fig.iommu_faults = f.at("iommu_faults").get<unsigned>();
                fig.checker_reports = f.at("checker_reports").get<unsigned>();
                for (const nlohmann::json& i : f.at("iommus"))
                    fig.iommus.push_back({i.at("name").get<std::string>(), i.at("translated").get<uint64_t>(),
                                          i.at("tlb_hits").get<uint64_t>(), i.at("tlb_misses").get<uint64_t>(),
                                          i.at("bypassed").get<uint64_t>(), i.at("refused").get<uint64_t>(),
                                          i.at("invalidation_commands").get<uint64_t>(),
                                          i.at("entries_invalidated").get<uint64_t>(), i.at("stale_uses").get<uint64_t>()});
                r.figures = std::move(fig);
            }
            out.push_back(std::move(r));
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(file + ": not a results file written by socsim regress --json (" + e.what() + ")");
    }
    return out;
}

std::string figures_table(const std::vector<case_result>& results, bool csv) {
    // Every IOMMU any case reports gets its columns, in the order first seen.
    std::vector<std::string> iommus;
    for (const case_result& r : results)
        if (r.figures)
            for (const iommu_figures& i : r.figures->iommus)
                if (std::find(iommus.begin(), iommus.end(), i.name) == iommus.end()) iommus.push_back(i.name);
    const char* counters[] = {"translated", "tlb_hits", "tlb_misses", "refused", "stale_uses"};
    if (!csv) {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const case_result& r : results) {
            nlohmann::ordered_json j;
            j["name"] = r.name;
            j["passed"] = r.passed;
            j["host_seconds"] = r.host_seconds;
            if (r.figures) {
                const nlohmann::ordered_json f = figures_json(*r.figures);
                for (auto it = f.begin(); it != f.end(); ++it) j[it.key()] = it.value();
            }
            rows.push_back(std::move(j));
        }
        return rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    std::ostringstream o;
    o << "name,passed,host_seconds,simulated_seconds,instructions,iommu_faults,checker_reports";
    for (const std::string& i : iommus)
        for (const char* c : counters) o << "," << i << "." << c;
    o << "\n";
    for (const case_result& r : results) {
        // A name with a comma (a matrix) is quoted, as CSV readers expect.
        std::string name = r.name;
        if (name.find_first_of(",\"") != std::string::npos) {
            std::string q = "\"";
            for (char ch : name) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
            name = q + "\"";
        }
        o << name << "," << (r.passed ? "1" : "0") << "," << seconds(r.host_seconds);
        if (!r.figures) {
            o << ",,,,";
            for (size_t k = 0; k < iommus.size() * std::size(counters); k++) o << ",";
            o << "\n";
            continue;
        }
        const case_figures& f = *r.figures;
        o << "," << std::setprecision(9) << f.simulated_seconds << "," << f.instructions << "," << f.iommu_faults << ","
          << f.checker_reports;
        for (const std::string& name_i : iommus) {
            const iommu_figures* found = nullptr;
            for (const iommu_figures& i : f.iommus)
                if (i.name == name_i) found = &i;
            if (!found) {
                for (size_t k = 0; k < std::size(counters); k++) o << ",";
                continue;
            }
            o << "," << found->translated << "," << found->tlb_hits << "," << found->tlb_misses << "," << found->refused
              << "," << found->stale_uses;
        }
        o << "\n";
    }
    return o.str();
}

} // namespace socsim::regress
