// pop3_bench: pigeon's side of the POP3S retrieval jobs of bench/retrieve
// (README.md there: the jobs and the JSON-line contract). USER/PASS like the
// peers, STAT, then RETR of every message through retrieve_each (pipelined
// with a window when the server offers PIPELINING) into a sink that drops
// the bytes, QUIT. One JSON line on stdout.
//
//   pop3_bench --job pop3s_retr_all [--window N] [--nopipe] [--count-lines]
//
// Build by hand (no CMake needed):
//   g++ -O2 -std=c++20 -Isrc/{net,sasl,core,pop3}/include bench/retrieve/pop3_bench.cpp \
//       build/libpigeon.a -lssl -lcrypto -lidn -lz -pthread -o build/pop3_bench
// Run with the peers:
//   /usr/bin/python3 bench/retrieve/run.py --jobs pop3s_retr_all --pigeon build/pop3_bench
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "pigeon/pop3/client.hpp"

using namespace pigeon;

namespace {

std::string env(const char* name, const char* fallback = "") {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// VmHWM of this process in KiB (README: not ru_maxrss).
long peak_rss_kb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        out += c;
    }
    return out + "\"";
}

} // namespace

int main(int argc, char** argv) {
    std::string job = env("PIGEON_BENCH_JOB");
    std::size_t window = 0;  // 0: the client's default
    bool nopipe = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--job" && i + 1 < argc) job = argv[++i];
        else if (a == "--window" && i + 1 < argc) window = std::strtoul(argv[++i], nullptr, 10);
        else if (a == "--nopipe") nopipe = true;
        else {
            std::fprintf(stderr, "usage: pop3_bench --job JOB [--window N] [--nopipe]\n");
            return 2;
        }
    }
    if (job != "pop3s_retr_all" && job != "pop3s_retr_huge") {
        std::printf("{\"job\": %s, \"impl\": \"pigeon\", \"skipped\": \"pop3_bench does POP3S jobs only\"}\n",
                    quoted(job).c_str());
        return 0;
    }

    pop3::client_options opts;
    opts.net.tls.ca_file = env("PIGEON_BENCH_CA_FILE");
    if (window) opts.pipeline_window = window;
    if (nopipe) opts.pipeline_window = 1;
    net::endpoint ep;
    ep.proto = net::protocol::pop3;
    ep.host = env("PIGEON_BENCH_HOST", "127.0.0.1");
    ep.port = static_cast<unsigned short>(std::stoi(env("PIGEON_BENCH_POP3S_PORT", "10995")));
    ep.tls = net::tls_mode::implicit;

    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    std::uint64_t bytes = 0, count = 0, refused = 0;
    try {
        pop3::client c;
        c.connect(ep, opts);
        c.login(env("PIGEON_BENCH_USER"), env("PIGEON_BENCH_PASS"));
        const auto st = c.stat();
        std::vector<std::uint32_t> numbers(st.count);
        for (std::uint32_t i = 0; i < st.count; ++i) numbers[i] = i + 1;
        c.retrieve_each(
            numbers, [](std::uint32_t) { return net::sink_fn([](std::string_view) {}); },
            [&](const pop3::retrieve_status& s) {
                if (!s.ok) {
                    ++refused;
                    return;
                }
                ++count;
                bytes += s.bytes;
            });
        c.quit();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pop3_bench: %s\n", e.what());
        return 1;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    std::printf("{\"job\": %s, \"impl\": \"%s\", \"wall\": %.4f, \"cpu\": %.4f, \"bytes\": %llu, \"count\": %llu, "
                "\"peak_rss_kb\": %ld, \"window\": %zu, \"refused\": %llu}\n",
                quoted(job).c_str(), nopipe ? "pigeon-nopipe" : "pigeon", wall, cpu,
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(count), peak_rss_kb(),
                nopipe ? std::size_t{1} : opts.pipeline_window, static_cast<unsigned long long>(refused));
    return refused ? 1 : 0;
}
