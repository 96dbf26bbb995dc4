// pigeon's side of bench/retrieve (README.md, "The JSON-line contract"):
// the IMAPS jobs through the library's public API, bodies into a null sink.
//
//   imaps_fetch_all / imaps_fetch_huge: LOGIN, EXAMINE, UID SEARCH ALL, then
//     fetch_each(BODY.PEEK[]) in batches of $PIGEON_BENCH_FETCH_BATCH (500)
//     with 2 in flight; count = messages, bytes = sum of the body sizes.
//   imaps_list: LOGIN, EXAMINE, fetch_each(1:*, FLAGS INTERNALDATE
//     RFC822.SIZE ENVELOPE); count = FETCH responses, bytes = sum of RFC822.SIZE.
//
// Standalone; build by hand against the static library:
//   g++ -std=c++20 -O2 -Isrc/{core,net,sasl,imap,text}/include bench/retrieve/imap_bench.cpp \
//       build/libpigeon.a -lssl -lcrypto -lidn -o build/imap_bench
//   /usr/bin/python3 bench/retrieve/run.py --jobs imaps_fetch_all,imaps_list --pigeon build/imap_bench
// Options: --job JOB (else $PIGEON_BENCH_JOB), --in-flight N (2), --batch N.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "pigeon/imap/client.hpp"

namespace imap = pigeon::imap;
namespace net = pigeon::net;

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

long vm_hwm_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string job = env("PIGEON_BENCH_JOB");
    std::size_t in_flight = 2;
    std::size_t batch = static_cast<std::size_t>(std::stoul(env("PIGEON_BENCH_FETCH_BATCH", "500")));
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--job")) job = argv[i + 1];
        else if (!std::strcmp(argv[i], "--in-flight")) in_flight = std::stoul(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch")) batch = std::stoul(argv[i + 1]);
    }
    if (job != "imaps_fetch_all" && job != "imaps_fetch_huge" && job != "imaps_list") {
        std::printf("{\"job\": \"%s\", \"impl\": \"pigeon\", \"skipped\": \"not an IMAP job\"}\n", job.c_str());
        return 1;
    }
    net::endpoint ep;
    ep.proto = net::protocol::imap;
    ep.host = env("PIGEON_BENCH_HOST", "127.0.0.1");
    ep.port = static_cast<unsigned short>(std::stoi(env("PIGEON_BENCH_IMAPS_PORT", "10993")));
    ep.tls = net::tls_mode::implicit;
    imap::client_options o;
    o.net.tls.ca_file = env("PIGEON_BENCH_CA_FILE");
    // Trust the lab CA alone, as the Python peers do (ssl.create_default_context
    // with cafile): parsing the system bundle costs ~40 ms of CPU per connect.
    o.net.tls.ca_file_only = true;
    const std::string mailbox = env("PIGEON_BENCH_MAILBOX", "INBOX");

    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    std::uint64_t bytes = 0, count = 0;
    imap::client c;
    c.connect(ep, o);
    c.login(env("PIGEON_BENCH_USER"), env("PIGEON_BENCH_PASS"));
    c.examine(mailbox);
    const auto f0 = std::chrono::steady_clock::now();
    const double fc0 = cpu_seconds();
    imap::fetch_options fo;
    fo.batch = batch;
    fo.in_flight = in_flight;
    if (job == "imaps_list") {
        c.fetch_each(imap::uid_set::from_range(1, imap::uid_set::star), imap::fetch_items::listing(),
                     [&](imap::message_data& m) {
                         ++count;
                         bytes += m.rfc822_size.value_or(0);
                     });
    } else {
        const net::sink_fn null_sink = [](std::string_view) {};
        c.fetch_each(
            c.search(imap::search_query::all()), imap::fetch_items::whole_message(),
            [&](imap::message_data&) { ++count; },
            [&](const imap::body_target& t) {
                bytes += t.size;
                return null_sink;
            },
            fo);
    }
    const double fetch_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - f0).count();
    const double fetch_cpu = cpu_seconds() - fc0;
    c.logout();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - c0;
    std::printf("{\"job\": \"%s\", \"impl\": \"pigeon\", \"wall\": %.3f, \"cpu\": %.3f, \"bytes\": %llu, "
                "\"count\": %llu, \"peak_rss_kb\": %ld, \"in_flight\": %zu, "
                "\"fetch_wall\": %.3f, \"fetch_cpu\": %.3f}\n",
                job.c_str(), wall, cpu, static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(count),
                vm_hwm_kb(), in_flight, fetch_wall, fetch_cpu);
    return 0;
}
