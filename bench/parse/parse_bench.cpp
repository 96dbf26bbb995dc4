// parse_bench: parses and fully decodes a corpus of messages (every part
// walked, every body transfer-decoded, the subject decoded) with pigeon and
// its peers -- GMime 3, mimetic, VMime and Python's email package -- and
// prints MB/s, peak memory and the ratio to pigeon.
//
//   parse_bench [options] PATH...                 benchmark one corpus
//   parse_bench [options] --corpus NAME=PATH ...  one table per corpus
//   parse_bench --parser NAME PATH...             (internal) one parser, one run
//   parse_bench --emit-facts [--parser NAME] PATH...
//       prints one JSON line per message (file, subject, parts, and per leaf
//       type, filename, decoded size, sha256), the format of the corpus
//       generator's manifest and tests/oracle/python_parse.py, for
//       tests/oracle/compare.py.
//
// PATH is a message file, a directory (recursive; *.jsonl skipped) or @LIST.
//
// Each parser runs in its own child process (this binary re-executed with
// --parser NAME; Python as python3 py_parse_bench.py), so the peak RSS that
// wait4() reports is that parser's alone. In the child, a message of at most
// --load-max bytes is read into memory before its clock starts and parsed
// from memory; a larger one is parsed through the library's own file API
// inside the timed region (the page cache is warmed first), so a 100 MB
// message needs no 100 MB buffer. Small messages are loaded in batches of up
// to --load-max bytes and each batch is timed as a whole (CPU time of the
// process, and wall time). MB/s is corpus bytes (10^6) over the CPU seconds
// of the timed regions (--wall: wall seconds); the best of --runs is kept.
// Peak RSS is wait4()'s ru_maxrss of the child.
#include "bench_common.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;

namespace parse_bench {

#ifdef PARSE_BENCH_WITH_PIGEON
extern const adapter pigeon_adapter;
#endif

namespace {

struct parser_entry {
    const char* name;
    const char* note; ///< caveat printed under the table ("" when none)
};

// Table order. Peers are plugins (parse_bench_<name>.so), loaded only by the
// child that runs them; python is py_parse_bench.py.
const parser_entry kParsers[] = {
#ifdef PARSE_BENCH_WITH_PIGEON
    {"pigeon", ""},
#endif
    {"gmime", ""},
    {"mimetic", "mimetic has no RFC 2047 decoder: subjects are taken as written"},
    {"vmime", "VMime keeps message/rfc822 as a leaf: its content is extracted and parsed as a message"},
    {"python", "Python: email.message_from_bytes(policy=default), get_payload(decode=True); interpreter start-up not timed"},
};

const parser_entry* find_entry(std::string_view name) {
    for (const parser_entry& e : kParsers) {
        if (name == e.name) return &e;
    }
    return nullptr;
}

std::string exe_dir() {
    char b[4096];
    const ssize_t n = ::readlink("/proc/self/exe", b, sizeof b - 1);
    if (n <= 0) return ".";
    std::string p(b, static_cast<std::size_t>(n));
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? std::string(".") : p.substr(0, slash);
}

} // namespace

const adapter* find_adapter(std::string_view name) {
#ifdef PARSE_BENCH_WITH_PIGEON
    if (name == "pigeon") return &pigeon_adapter;
#endif
    if (find_entry(name) == nullptr || name == "python") return nullptr;
    const std::string lib = exe_dir() + "/parse_bench_" + std::string(name) + ".so";
    void* h = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        std::fprintf(stderr, "parse_bench: %s\n", ::dlerror());
        return nullptr;
    }
    auto fn = reinterpret_cast<adapter_fn>(::dlsym(h, PARSE_BENCH_ADAPTER_SYMBOL));
    if (fn == nullptr) {
        std::fprintf(stderr, "parse_bench: %s: no %s\n", lib.c_str(), PARSE_BENCH_ADAPTER_SYMBOL);
        return nullptr;
    }
    return fn();
}

namespace {

using clock_type = std::chrono::steady_clock;
constexpr double kMB = 1e6;
double mb(std::uint64_t b) { return static_cast<double>(b) / kMB; }
double dbl(std::uint64_t v) { return static_cast<double>(v); }

struct options {
    std::vector<std::string> parsers; // empty: all
    std::vector<std::pair<std::string, std::vector<std::string>>> corpora;
    std::vector<std::string> paths;
    std::string child_parser;
    std::string python = "/usr/bin/python3";
    std::string python_script = PARSE_BENCH_PY;
    std::string title;
    std::uint64_t load_max = 4U * 1024 * 1024;
    int runs = 1;
    bool emit_facts = false;
    bool markdown = false;
    bool warm = true;
    bool use_wall = false;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "parse_bench: %s\n"
                 "usage: parse_bench [--parsers a,b,...] [--runs N] [--load-max BYTES] [--title T]\n"
                 "                   [--markdown] [--wall] [--no-warm] [--python PY] [--python-script FILE]\n"
                 "                   (PATH... | --corpus NAME=PATH[,PATH...]...)\n"
                 "       parse_bench --emit-facts [--parser NAME] PATH...\n"
                 "       parse_bench --parser NAME [--load-max BYTES] PATH...   (one run, JSON result)\n"
                 "parsers:",
                 why);
    for (const parser_entry& e : kParsers) std::fprintf(stderr, " %s", e.name);
    std::fprintf(stderr, "\n");
    std::exit(2);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= s.size()) {
        const std::size_t j = std::min(s.find(sep, i), s.size());
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--parsers") {
            o.parsers = split(value(), ',');
        } else if (a == "--parser") {
            o.child_parser = value();
        } else if (a == "--runs") {
            o.runs = std::max(1, std::atoi(value().c_str()));
        } else if (a == "--load-max") {
            o.load_max = std::strtoull(value().c_str(), nullptr, 10);
        } else if (a == "--title") {
            o.title = value();
        } else if (a == "--corpus") {
            const std::string v = value();
            const auto eq = v.find('=');
            if (eq == std::string::npos || eq == 0) usage("--corpus wants NAME=PATH[,PATH...]");
            o.corpora.emplace_back(v.substr(0, eq), split(v.substr(eq + 1), ','));
        } else if (a == "--python") {
            o.python = value();
        } else if (a == "--python-script") {
            o.python_script = value();
        } else if (a == "--emit-facts") {
            o.emit_facts = true;
        } else if (a == "--markdown") {
            o.markdown = true;
        } else if (a == "--wall") {
            o.use_wall = true;
        } else if (a == "--no-warm") {
            o.warm = false;
        } else if (a == "-h" || a == "--help") {
            usage("help");
        } else if (!a.empty() && a[0] == '-' && a.size() > 1) {
            usage(("unknown option " + a).c_str());
        } else {
            o.paths.push_back(a);
        }
    }
    return o;
}

// ---------------------------------------------------------------------------
// Child: one parser over the corpus.

class count_visitor final : public visitor {
public:
    std::uint64_t leaves = 0, decoded = 0, subject_bytes = 0, checksum = 0;
    void subject(std::optional<std::string_view> s) override {
        if (s) subject_bytes += s->size();
    }
    void leaf_begin(std::string_view, std::optional<std::string_view>) override { ++leaves; }
    void leaf_data(const char* data, std::size_t n) override {
        decoded += n;
        if (data != nullptr && n != 0) checksum += static_cast<unsigned char>(data[n - 1]);
    }
    void leaf_end() override {}
};

double cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Runs one parser over the corpus. Messages up to --load-max bytes are read
// into one arena of at most --load-max bytes, untimed; then the whole batch
// is parsed with one pair of clock readings (CPU and wall), so neither file
// opening nor the cost of reading the clock is counted. A larger message is
// parsed from its file on its own, timed from open to the last decoded byte.
int run_child(const options& o) {
    const adapter* ad = find_adapter(o.child_parser);
    if (ad == nullptr) usage(("unknown parser " + o.child_parser).c_str());
    ad->init();
    const long base_kib = self_rss_kib();
    count_visitor v;
    std::string arena;
    arena.reserve(static_cast<std::size_t>(o.load_max));
    struct pending {
        std::string name, path;
        std::size_t offset, length;
    };
    std::vector<pending> batch;
    std::uint64_t messages = 0, bytes = 0, streamed = 0, errors = 0;
    double cpu = 0, wall = 0;

    auto timed = [&](auto&& body) {
        const double c0 = cpu_seconds();
        const auto w0 = clock_type::now();
        body();
        wall += std::chrono::duration<double>(clock_type::now() - w0).count();
        cpu += cpu_seconds() - c0;
    };
    auto run_one = [&](message_input& in) {
        try {
            ad->process(in, v);
        } catch (const std::exception& e) {
            ++errors;
            std::fprintf(stderr, "parse_bench(%s): %s: %s\n", ad->name, in.name.c_str(), e.what());
        }
        ++messages;
        bytes += in.size;
    };
    auto flush = [&] {
        if (batch.empty()) return;
        timed([&] {
            message_input in;
            in.in_memory = true;
            for (pending& p : batch) {
                in.name = std::move(p.name);
                in.path = std::move(p.path);
                in.size = p.length;
                in.bytes = std::string_view(arena).substr(p.offset, p.length);
                run_one(in);
            }
        });
        batch.clear();
        arena.clear();
    };
    const auto wall0 = clock_type::now();
    walk_corpus(o.paths, false, [&](const std::string& name, const std::string& path) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            ++errors;
            return;
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        if (size > o.load_max) {
            flush();
            message_input in;
            in.name = name;
            in.path = path;
            in.size = size;
            ++streamed;
            timed([&] { run_one(in); });
            return;
        }
        if (arena.size() + size > o.load_max) flush();
        const std::size_t offset = arena.size();
        std::uint64_t got = 0;
        if (!append_file(path, arena, got)) {
            ++errors;
            return;
        }
        batch.push_back({name, path, offset, static_cast<std::size_t>(got)});
    });
    flush();
    const double total = std::chrono::duration<double>(clock_type::now() - wall0).count();
    nlohmann::json r = {{"parser", ad->name},
                        {"messages", messages},
                        {"bytes", bytes},
                        {"streamed", streamed},
                        {"cpu", cpu},
                        {"seconds", wall},
                        {"wall", total},
                        {"leaves", v.leaves},
                        {"decoded", v.decoded},
                        {"subject_bytes", v.subject_bytes},
                        {"errors", errors},
                        {"vmhwm_kib", self_peak_rss_kib()},
                        {"base_kib", base_kib}};
    std::printf("%s\n", r.dump().c_str());
    return 0;
}

// ---------------------------------------------------------------------------
// Facts: the oracle format.

class facts_visitor final : public visitor {
public:
    nlohmann::json rec;
    facts_visitor() : ctx_(EVP_MD_CTX_new()) {}
    ~facts_visitor() override { EVP_MD_CTX_free(ctx_); }
    facts_visitor(const facts_visitor&) = delete;
    facts_visitor& operator=(const facts_visitor&) = delete;

    void start(const std::string& name) {
        rec = nlohmann::json::object();
        rec["file"] = name;
        rec["subject"] = nullptr;
        rec["leaves"] = nlohmann::json::array();
    }
    bool facts() const override { return true; }
    void subject(std::optional<std::string_view> s) override {
        if (s) rec["subject"] = std::string(*s);
    }
    void leaf_begin(std::string_view type, std::optional<std::string_view> filename) override {
        leaf_ = nlohmann::json::object();
        leaf_["type"] = std::string(type);
        leaf_["filename"] = filename ? nlohmann::json(std::string(*filename)) : nlohmann::json(nullptr);
        size_ = 0;
        EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
    }
    void leaf_data(const char* data, std::size_t n) override {
        size_ += n;
        if (data != nullptr) EVP_DigestUpdate(ctx_, data, n);
    }
    void leaf_end() override {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_, md, &len);
        static const char* hex = "0123456789abcdef";
        std::string h;
        for (unsigned int i = 0; i < len; ++i) {
            h += hex[md[i] >> 4];
            h += hex[md[i] & 15];
        }
        leaf_["size"] = size_;
        leaf_["sha256"] = h;
        rec["leaves"].push_back(std::move(leaf_));
    }
    std::string line() {
        rec["parts"] = rec["leaves"].size();
        return rec.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }

private:
    EVP_MD_CTX* ctx_;
    nlohmann::json leaf_;
    std::uint64_t size_ = 0;
};

int run_facts(const options& o) {
    const adapter* ad = find_adapter(o.child_parser.empty() ? std::string_view("pigeon") : o.child_parser);
    if (ad == nullptr) usage(("unknown parser " + o.child_parser).c_str());
    if (!ad->supports_facts) usage((std::string(ad->name) + " does not support --emit-facts").c_str());
    ad->init();
    facts_visitor v;
    std::string buf;
    int errors = 0;
    walk_corpus(o.paths, true, [&](const std::string& name, const std::string& path) {
        message_input in;
        in.name = name;
        in.path = path;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            ++errors;
            return;
        }
        in.size = static_cast<std::uint64_t>(st.st_size);
        if (in.size <= o.load_max) {
            buf.clear();
            if (!append_file(path, buf, in.size)) {
                ++errors;
                return;
            }
            in.in_memory = true;
            in.bytes = buf;
        }
        v.start(name);
        try {
            ad->process(in, v);
        } catch (const std::exception& e) {
            v.rec["error"] = e.what();
        }
        std::string line = v.line();
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stdout);
    });
    return errors == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------
// Driver: one child per parser, a table per corpus.

struct result {
    std::string parser;
    bool ok = false;
    std::uint64_t messages = 0, bytes = 0, streamed = 0, leaves = 0, decoded = 0, errors = 0;
    double cpu = 0;     ///< CPU seconds of the timed regions
    double seconds = 0; ///< wall seconds of the timed regions
    double wall = 0;    ///< the child's whole run, loading included
    long maxrss_kib = 0, vmhwm_kib = 0, base_kib = 0;
};

std::string self_exe() {
    char b[4096];
    const ssize_t n = ::readlink("/proc/self/exe", b, sizeof b - 1);
    if (n <= 0) return "parse_bench";
    b[n] = 0;
    return b;
}

std::optional<result> spawn_one(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    std::vector<char*> av;
    for (const std::string& s : argv) av.push_back(const_cast<char*>(s.c_str()));
    av.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, av[0], &fa, nullptr, av.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        std::fprintf(stderr, "parse_bench: cannot run %s: %s\n", av[0], std::strerror(rc));
        return std::nullopt;
    }
    std::string out;
    char b[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], b, sizeof b);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(b, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    struct rusage ru {};
    while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    result r;
    r.maxrss_kib = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "parse_bench: %s failed (status %d)\n", argv[0].c_str(), status);
        return r;
    }
    const auto nl = out.find_last_of('{');
    if (nl == std::string::npos) return r;
    try {
        const auto j = nlohmann::json::parse(out.substr(nl));
        r.parser = j.at("parser").get<std::string>();
        r.messages = j.at("messages").get<std::uint64_t>();
        r.bytes = j.at("bytes").get<std::uint64_t>();
        r.streamed = j.value("streamed", std::uint64_t{0});
        r.seconds = j.at("seconds").get<double>();
        r.cpu = j.value("cpu", r.seconds);
        r.wall = j.value("wall", 0.0);
        r.leaves = j.at("leaves").get<std::uint64_t>();
        r.decoded = j.at("decoded").get<std::uint64_t>();
        r.errors = j.value("errors", std::uint64_t{0});
        r.vmhwm_kib = j.value("vmhwm_kib", 0L);
        r.base_kib = j.value("base_kib", 0L);
        r.ok = true;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "parse_bench: bad result from %s: %s\n", argv[0].c_str(), e.what());
    }
    return r;
}

void warm_cache(const std::vector<std::string>& paths) {
    std::vector<char> b(1 << 20);
    walk_corpus(paths, false, [&](const std::string&, const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return;
        while (::read(fd, b.data(), b.size()) > 0) {
        }
        ::close(fd);
    });
}

std::string fmt(const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

// The time a rate is computed from: CPU seconds of the timed regions
// (robust when other work shares the machine), or wall seconds with --wall.
double timed_seconds(const options& o, const result& r) { return o.use_wall ? r.seconds : r.cpu; }

void print_table(const options& o, const std::string& title, const std::vector<result>& rs) {
    const result* pigeon = nullptr;
    const result* any = nullptr;
    for (const result& r : rs) {
        if (!r.ok) continue;
        if (any == nullptr) any = &r;
        if (r.parser == "pigeon") pigeon = &r;
    }
    if (any == nullptr) {
        std::printf("%s: no parser finished\n", title.c_str());
        return;
    }
    const double pigeon_mbs = pigeon != nullptr ? mb(pigeon->bytes) / timed_seconds(o, *pigeon) : 0;
    const char* basis = o.use_wall ? "wall" : "CPU";
    std::printf("\n%s%s: %llu messages, %.1f MB (%llu parsed from file: larger than %llu bytes)\n",
                o.markdown ? "### " : "", title.c_str(), static_cast<unsigned long long>(any->messages),
                mb(any->bytes), static_cast<unsigned long long>(any->streamed),
                static_cast<unsigned long long>(o.load_max));
    if (o.markdown) {
        std::printf("\n| parser | MB/s (%s) | MB/s (wall) | messages/s | peak RSS (MiB) | RSS at start (MiB) | pigeon speed-up | %s s | leaves | decoded MB |\n"
                    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
                    basis, basis);
    } else {
        std::printf("%-8s %10s %10s %11s %13s %10s %16s %8s %8s %11s\n", "parser", o.use_wall ? "MB/s wall" : "MB/s CPU",
                    "MB/s wall", "messages/s", "peak RSS MiB", "start MiB", "pigeon speed-up",
                    o.use_wall ? "wall s" : "CPU s", "leaves", "decoded MB");
    }
    for (const result& r : rs) {
        if (!r.ok) {
            std::printf(o.markdown ? "| %s | failed | | | | | | | | |\n" : "%-8s failed\n", r.parser.c_str());
            continue;
        }
        const double t = timed_seconds(o, r);
        const double mbs = mb(r.bytes) / t;
        const double wall_mbs = mb(r.bytes) / r.seconds;
        const std::string ratio = pigeon != nullptr ? fmt("%.2fx", pigeon_mbs / mbs) : std::string("-");
        const double rss = static_cast<double>(r.maxrss_kib) / 1024.0;
        const double base = static_cast<double>(r.base_kib) / 1024.0;
        if (o.markdown) {
            std::printf("| %s | %.1f | %.1f | %.0f | %.1f | %.1f | %s | %.2f | %llu | %.1f |\n", r.parser.c_str(), mbs,
                        wall_mbs, dbl(r.messages) / t, rss, base, ratio.c_str(), t,
                        static_cast<unsigned long long>(r.leaves), mb(r.decoded));
        } else {
            std::printf("%-8s %10.1f %10.1f %11.0f %13.1f %10.1f %16s %8.2f %8llu %11.1f\n", r.parser.c_str(), mbs,
                        wall_mbs, dbl(r.messages) / t, rss, base, ratio.c_str(), t,
                        static_cast<unsigned long long>(r.leaves), mb(r.decoded));
        }
        if (r.errors != 0) {
            std::printf("    (%s: %llu errors)\n", r.parser.c_str(), static_cast<unsigned long long>(r.errors));
        }
    }
    if (o.markdown) std::printf("\n");
    for (const result& r : rs) {
        const parser_entry* e = find_entry(r.parser);
        if (e != nullptr && e->note[0] != 0) std::printf("%s%s\n", o.markdown ? "- " : "  note: ", e->note);
    }
    std::fflush(stdout);
}

int run_driver(const options& o) {
    std::vector<std::string> names = o.parsers;
    if (names.empty()) {
        for (const parser_entry& e : kParsers) names.emplace_back(e.name);
    }
    for (const std::string& n : names) {
        if (find_entry(n) == nullptr) usage(("unknown parser " + n).c_str());
    }
    auto corpora = o.corpora;
    if (!o.paths.empty()) corpora.emplace_back(o.title.empty() ? o.paths.front() : o.title, o.paths);
    if (corpora.empty()) usage("no corpus given");
    const std::string exe = self_exe();
    int failures = 0;
    for (const auto& [title, paths] : corpora) {
        if (o.warm) warm_cache(paths);
        std::vector<result> rs;
        for (const std::string& n : names) {
            std::vector<std::string> argv;
            if (n == "python") {
                argv = {o.python, o.python_script, "--load-max", std::to_string(o.load_max)};
            } else {
                argv = {exe, "--parser", n, "--load-max", std::to_string(o.load_max)};
            }
            argv.insert(argv.end(), paths.begin(), paths.end());
            result best;
            best.parser = n;
            for (int run = 0; run < o.runs; ++run) {
                auto r = spawn_one(argv);
                if (!r || !r->ok) {
                    ++failures;
                    break;
                }
                r->parser = n;
                std::fprintf(stderr,
                             "  %s %s run %d: %.1f MB/s CPU (%.2f s), %.1f MB/s wall (%.2f s), maxrss %.1f MiB "
                             "(VmHWM %.1f MiB), whole run %.2f s\n",
                             title.c_str(), n.c_str(), run + 1, mb(r->bytes) / r->cpu, r->cpu,
                             mb(r->bytes) / r->seconds, r->seconds, static_cast<double>(r->maxrss_kib) / 1024.0,
                             static_cast<double>(r->vmhwm_kib) / 1024.0, r->wall);
                if (!best.ok || timed_seconds(o, *r) < timed_seconds(o, best)) {
                    const long rss = std::max(best.maxrss_kib, r->maxrss_kib);
                    best = *r;
                    best.maxrss_kib = rss;
                } else {
                    best.maxrss_kib = std::max(best.maxrss_kib, r->maxrss_kib);
                }
            }
            rs.push_back(best);
        }
        print_table(o, title, rs);
    }
    return failures == 0 ? 0 : 1;
}

} // namespace
} // namespace parse_bench

int main(int argc, char** argv) {
    using namespace parse_bench;
    const options o = parse_args(argc, argv);
    if (o.emit_facts) {
        if (o.paths.empty()) usage("no messages given");
        return run_facts(o);
    }
    if (!o.child_parser.empty()) {
        if (o.paths.empty()) usage("no messages given");
        return run_child(o);
    }
    return run_driver(o);
}
