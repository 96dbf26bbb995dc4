// compose_bench: builds and serialises a message with a 5 MB attachment 200
// times, with pigeon::mime::message_builder and with GMime 3, side by side.
//
//   compose_bench                       # every variant, 3 runs each, medians
//   compose_bench --iterations 50 --runs 1 --markdown
//   compose_bench --dump DIR            # one message of each, for checking
//
// The message: From, To (display names), Subject, Date, Message-ID, a short
// text/plain part and a base64 application/octet-stream attachment of
// --size random bytes, in multipart/mixed; serialised to a sink that only
// counts bytes (pigeon: composed_message::write; GMime:
// g_mime_object_write_to_stream to a GMimeStreamNull).
//
// Sources: "memory" (the attachment read into memory once, before timing;
// pigeon attach_data with a shared buffer, GMime a GByteArray memory stream,
// neither copies it) and "file" (read from disk while writing: pigeon
// attach_file, GMime g_mime_stream_fs). Variants: pigeon (CRLF, as sent),
// gmime (its default LF output) and gmime-crlf (GMIME_NEWLINE_FORMAT_DOS).
//
// Each variant runs in a child process of its own (this program, --child),
// so its peak RSS (ru_maxrss) is its own; wall and CPU (user+sys, getrusage)
// cover the build-and-serialise loop only. MB are MiB of serialised output.
#include "gmime_compose.h"

#include <pigeon/mime/compose_builder.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr const char* body_text =
    "Hello,\n\n"
    "Please find attached the quarterly figures. The summary is below; the\n"
    "details are in the attachment, one sheet per region.\n\n"
    "  - North: revenue up 4.2 %, costs flat\n"
    "  - South: revenue up 1.1 %, costs down 0.5 %\n"
    "  - East:  revenue down 0.3 %, one-off charges explained in sheet 3\n"
    "  - West:  revenue up 2.8 %\n\n"
    "Questions to the usual address. Thanks to everyone who sent numbers on\n"
    "time this quarter.\n\n"
    "-- \n"
    "Bench Sender\n";

constexpr const char* attachment_name = "data.bin";

struct options {
    int iterations = 200;
    std::size_t size = 5U * 1024 * 1024;
    int runs = 3;
    std::vector<std::string> impls{"pigeon", "gmime", "gmime-crlf"};
    std::vector<std::string> sources{"memory", "file"};
    std::string dir;
    std::string dump;
    bool markdown = false;
    // child mode
    bool child = false;
    std::string impl;
    std::string source;
    std::string file;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "compose_bench: %s\n"
                 "usage: compose_bench [--iterations N] [--size BYTES] [--runs N]\n"
                 "         [--impls pigeon,gmime,gmime-crlf] [--sources memory,file]\n"
                 "         [--dir DIR] [--markdown] [--dump DIR]\n",
                 why);
    std::exit(64);
}

std::vector<std::string> split(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty()) {
        auto c = s.find(',');
        out.emplace_back(s.substr(0, c));
        if (c == std::string_view::npos) break;
        s.remove_prefix(c + 1);
    }
    return out;
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view k = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (k == "--iterations") o.iterations = std::atoi(val().c_str());
        else if (k == "--size") o.size = static_cast<std::size_t>(std::strtoull(val().c_str(), nullptr, 10));
        else if (k == "--runs") o.runs = std::atoi(val().c_str());
        else if (k == "--impls") o.impls = split(val());
        else if (k == "--sources") o.sources = split(val());
        else if (k == "--dir") o.dir = val();
        else if (k == "--dump") o.dump = val();
        else if (k == "--markdown") o.markdown = true;
        else if (k == "--child") o.child = true;
        else if (k == "--impl") o.impl = val();
        else if (k == "--source") o.source = val();
        else if (k == "--file") o.file = val();
        else usage("unknown option");
    }
    if (o.iterations < 1 || o.runs < 1 || o.size == 0) usage("bad number");
    return o;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return data;
}

void write_random_file(const std::string& path, std::size_t size) {
    std::mt19937_64 rng(20261130);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::vector<std::uint64_t> block(8192);
    std::size_t left = size;
    while (left > 0) {
        for (auto& w : block) w = rng();
        std::size_t n = std::min(left, block.size() * sizeof(std::uint64_t));
        out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
        left -= n;
    }
    if (!out) throw std::runtime_error("cannot write " + path);
}

pigeon::mime::composed_message pigeon_build(const std::shared_ptr<const std::string>& data,
                                            const std::string& path) {
    namespace mime = pigeon::mime;
    mime::message_builder b;
    b.from("Bench Sender <bench@example.org>")
        .to("Sink <sink@example.org>")
        .subject("Quarterly figures")
        .date(std::chrono::sys_days{std::chrono::year{2026} / 11 / 30}, std::chrono::minutes{0})
        .message_id("bench.1234567890@example.org")
        .text(body_text);
    mime::attachment_options ao;
    ao.media_type = "application/octet-stream";
    ao.encoding = mime::compose_encoding::base64;
    if (data) {
        b.attach_data(attachment_name, data, std::move(ao));
    } else {
        ao.filename = attachment_name;
        b.attach_file(path, std::move(ao));
    }
    return b.build();
}

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Child: one variant, prints {"bytes":..,"wall":..,"cpu":..,"maxrss_kb":..}.
int run_child(const options& o) {
    std::shared_ptr<std::string> data;
    if (o.source == "memory") data = std::make_shared<std::string>(read_file(o.file));
    else if (o.source != "file") usage("bad --source");
    const bool gm = o.impl == "gmime" || o.impl == "gmime-crlf";
    if (!gm && o.impl != "pigeon") usage("bad --impl");
    if (gm) gmime_compose_init();

    unsigned long long bytes = 0;
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    if (gm) {
        auto* p = data ? reinterpret_cast<unsigned char*>(data->data()) : nullptr;
        int rc = gmime_compose_run(body_text, p, data ? data->size() : 0, data ? nullptr : o.file.c_str(),
                                   attachment_name, o.iterations, o.impl == "gmime-crlf", &bytes);
        gmime_compose_shutdown();
        if (rc != 0) return 1;
    } else {
        std::shared_ptr<const std::string> shared = data;
        for (int i = 0; i < o.iterations; ++i) {
            auto msg = pigeon_build(shared, o.file);
            msg.write([&bytes](std::string_view piece) { bytes += piece.size(); });
        }
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - c0;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"bytes\": %llu, \"wall\": %.6f, \"cpu\": %.6f, \"maxrss_kb\": %ld}\n", bytes, wall, cpu,
                ru.ru_maxrss);
    return 0;
}

struct result {
    double bytes = 0, wall = 0, cpu = 0, rss_kb = 0;
    bool ok = false;
};

double number_after(const std::string& json, const char* key) {
    auto p = json.find(key);
    if (p == std::string::npos) return -1;
    p = json.find(':', p);
    return std::strtod(json.c_str() + p + 1, nullptr);
}

result spawn_child(const options& o, const std::string& impl, const std::string& source, const std::string& file) {
    int fds[2];
    if (pipe(fds) != 0) return {};
    std::string iters = std::to_string(o.iterations);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        const char* argv[] = {"compose_bench", "--child", "--impl", impl.c_str(), "--source", source.c_str(),
                              "--file", file.c_str(), "--iterations", iters.c_str(), nullptr};
        execv("/proc/self/exe", const_cast<char* const*>(argv));
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result r;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return r;
    r.bytes = number_after(out, "\"bytes\"");
    r.wall = number_after(out, "\"wall\"");
    r.cpu = number_after(out, "\"cpu\"");
    r.rss_kb = number_after(out, "\"maxrss_kb\"");
    r.ok = r.bytes > 0;
    return r;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int dump(const options& o, const std::string& file) {
    fs::create_directories(o.dump);
    auto data = std::make_shared<std::string>(read_file(file));
    {
        auto msg = pigeon_build(data, file);
        std::ofstream out(o.dump + "/pigeon.eml", std::ios::binary);
        msg.write([&out](std::string_view s) { out.write(s.data(), static_cast<std::streamsize>(s.size())); });
    }
    gmime_compose_init();
    auto* p = reinterpret_cast<unsigned char*>(data->data());
    if (gmime_compose_dump(body_text, p, data->size(), attachment_name, 0, (o.dump + "/gmime.eml").c_str()) != 0 ||
        gmime_compose_dump(body_text, p, data->size(), attachment_name, 1, (o.dump + "/gmime-crlf.eml").c_str()) != 0)
        return 1;
    gmime_compose_shutdown();
    std::ofstream(o.dump + "/attachment.bin", std::ios::binary) << *data;
    std::printf("wrote %s/{pigeon,gmime,gmime-crlf}.eml and attachment.bin\n", o.dump.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        options o = parse(argc, argv);
        if (o.child) return run_child(o);

        std::string dir = o.dir;
        bool temp = false;
        if (dir.empty()) {
            char tmpl[] = "/tmp/pigeon-compose-bench-XXXXXX";
            if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
            dir = tmpl;
            temp = true;
        }
        const std::string file = dir + "/attachment.bin";
        write_random_file(file, o.size);
        if (!o.dump.empty()) {
            const int rc = dump(o, file);
            if (temp) fs::remove_all(dir);
            return rc;
        }

        std::printf("# compose_bench: %d messages with a %zu-byte attachment per run, %d runs, medians\n",
                    o.iterations, o.size, o.runs);
        // rows[source][impl] = runs
        struct row {
            std::string source, impl;
            std::vector<result> runs;
        };
        std::vector<row> rows;
        for (const auto& s : o.sources)
            for (const auto& i : o.impls) rows.push_back({s, i, {}});
        for (int r = 0; r < o.runs; ++r)
            for (auto& rw : rows) rw.runs.push_back(spawn_child(o, rw.impl, rw.source, file));

        const char* head[] = {"source", "impl", "MB/s", "msgs/s", "MB out", "wall s", "CPU s", "peak RSS MB",
                              "speed", "CPU"};
        if (o.markdown) {
            std::printf("| source | impl | MB/s | msgs/s | MB out | wall s | CPU s | peak RSS MB | speed | CPU |\n");
            std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        } else {
            std::printf("%-7s %-11s %8s %8s %8s %8s %8s %12s %7s %7s\n", head[0], head[1], head[2], head[3], head[4],
                        head[5], head[6], head[7], head[8], head[9]);
        }
        for (const auto& s : o.sources) {
            double base_rate = 0, base_cpu = 0;
            for (const auto& rw : rows) {
                if (rw.source != s) continue;
                std::vector<double> w, c, m, b;
                for (const auto& x : rw.runs)
                    if (x.ok) {
                        w.push_back(x.wall);
                        c.push_back(x.cpu);
                        m.push_back(x.rss_kb);
                        b.push_back(x.bytes);
                    }
                if (w.empty()) {
                    std::printf("%-7s %-11s FAILED\n", s.c_str(), rw.impl.c_str());
                    continue;
                }
                const double wall = median(w), cpu = median(c), rss = median(m) / 1024, mb = median(b) / (1 << 20);
                const double rate = mb / wall;
                // CPU-based rate, for the ratio on a noisy machine
                const double cpu_rate = mb / cpu;
                if (rw.impl == "pigeon") {
                    base_rate = rate;
                    base_cpu = cpu_rate;
                }
                char speed[32] = "-", cpur[32] = "-";
                if (base_rate > 0) {
                    std::snprintf(speed, sizeof speed, "%.2fx", base_rate / rate);
                    std::snprintf(cpur, sizeof cpur, "%.2fx", base_cpu / cpu_rate);
                }
                if (o.markdown)
                    std::printf("| %s | %s | %.0f | %.1f | %.1f | %.3f | %.3f | %.1f | %s | %s |\n", s.c_str(),
                                rw.impl.c_str(), rate, o.iterations / wall, mb, wall, cpu, rss, speed, cpur);
                else
                    std::printf("%-7s %-11s %8.0f %8.1f %8.1f %8.3f %8.3f %12.1f %7s %7s\n", s.c_str(),
                                rw.impl.c_str(), rate, o.iterations / wall, mb, wall, cpu, rss, speed, cpur);
            }
        }
        std::printf("speed: pigeon's MB/s over the variant's (wall); CPU: pigeon's MB per CPU second over the "
                    "variant's (above 1: pigeon better).\n");
        if (temp) fs::remove_all(dir);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "compose_bench: %s\n", e.what());
        return 1;
    }
}
