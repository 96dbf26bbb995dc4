// nntp_bench: pigeon's side of the NNTP jobs of bench/retrieve (README.md
// there: the jobs and the JSON-line contract).
//   nntp_over           GROUP, OVER low-high (one callback per line)
//   nntp_article        GROUP, LISTGROUP, ARTICLE of every listed number
//   nntps_article       the same over implicit TLS     (pipelined through
//   nntp_article_huge   the same on lab.bench.huge      retrieve_each)
// Articles go to a sink that drops them. One JSON line on stdout.
//
//   nntp_bench --job nntp_article [--window N] [--impl NAME]
//
// Build by hand:
//   g++ -O2 -std=c++20 -Isrc/{net,sasl,core,nntp}/include bench/retrieve/nntp_bench.cpp
//       build/libpigeon.a -lssl -lcrypto -lidn -lz -pthread -o build/nntp_bench
// Run with the peers:
//   /usr/bin/python3 bench/retrieve/run.py --jobs nntp_over,nntp_article,nntps_article --pigeon build/nntp_bench
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/nntp/client.hpp"

using namespace pigeon;

namespace {

std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : std::string(fallback);
}

double cpu_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// VmHWM in KiB (the README explains why not ru_maxrss).
long vm_hwm_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.compare(0, 6, "VmHWM:") == 0) return std::stol(line.substr(6));
    return -1;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    return out + "\"";
}

struct result {
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
};

result run(const std::string& job, std::size_t window) {
    const bool tls = job == "nntps_article";
    net::endpoint ep;
    ep.proto = net::protocol::nntp;
    ep.host = env_or("PIGEON_BENCH_HOST", "127.0.0.1");
    ep.port = static_cast<unsigned short>(
        std::stoi(tls ? env_or("PIGEON_BENCH_NNTPS_PORT", "10563") : env_or("PIGEON_BENCH_NNTP_PORT", "10119")));
    ep.tls = tls ? net::tls_mode::implicit : net::tls_mode::none;
    nntp::client_options o;
    o.net.tls.ca_file = env_or("PIGEON_BENCH_CA_FILE", "");
    o.pipeline_window = window;
    const std::string group = job == "nntp_article_huge" ? std::string("lab.bench.huge")
                                                          : env_or("PIGEON_BENCH_GROUP", "lab.bench");
    result r;
    nntp::client c;
    c.connect(ep, o);
    if (job == "nntp_over") {
        auto g = c.group(group);
        c.over(nntp::range::between(g.low, g.high), [&](const nntp::overview_entry& e) {
            ++r.count;
            r.bytes += e.bytes.value_or(0);
        });
    } else {
        c.group(group);
        std::vector<nntp::article_ref> refs;
        c.listgroup(group, [&](nntp::article_number n) { refs.push_back(n); });
        c.retrieve_each(
            refs, [](const nntp::article_ref&) { return net::sink_fn{}; },
            [&](const nntp::retrieve_status& s) {
                if (!s.ok) return;
                ++r.count;
                r.bytes += s.status.bytes;
            });
    }
    c.quit();
    return r;
}

} // namespace

int main(int argc, char** argv) {
    std::string job = env_or("PIGEON_BENCH_JOB", "");
    std::string impl = "pigeon";
    std::size_t window = nntp::client_options{}.pipeline_window;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--job" && i + 1 < argc) job = argv[++i];
        else if (a == "--window" && i + 1 < argc) window = std::stoul(argv[++i]);
        else if (a == "--impl" && i + 1 < argc) impl = argv[++i];
        else {
            std::fprintf(stderr, "usage: nntp_bench --job JOB [--window N] [--impl NAME]\n");
            return 2;
        }
    }
    if (job != "nntp_over" && job != "nntp_article" && job != "nntps_article" && job != "nntp_article_huge") {
        std::printf("{\"job\": %s, \"impl\": %s, \"skipped\": \"not an NNTP job\"}\n", json_string(job).c_str(),
                    json_string(impl).c_str());
        return 3;
    }
    try {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_now();
        result r = run(job, window);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = cpu_now() - c0;
        std::printf("{\"job\": %s, \"impl\": %s, \"wall\": %.4f, \"cpu\": %.4f, \"bytes\": %llu, \"count\": %llu, "
                    "\"peak_rss_kb\": %ld, \"window\": %zu}\n",
                    json_string(job).c_str(), json_string(impl).c_str(), wall, cpu,
                    static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.count), vm_hwm_kb(),
                    window);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nntp_bench: %s\n", e.what());
        return 1;
    }
}
