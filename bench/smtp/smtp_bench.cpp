// smtp_bench: sends one message file N times over one SMTP connection with
// pigeon::smtp::client, as a peer of smtp-source, Python's smtplib, msmtp and
// curl in bench/smtp/run.py (which measures this process from the outside:
// wall time, user+sys CPU, peak RSS).
//
//   smtp_bench --host 127.0.0.1 --port 2525 --count 2000 --file msg.eml
//   smtp_bench --port 10587 --tls starttls --ca lab/run/certs/ca.pem
//              --user alice@lab.test --password alice-pass-1 --file big.eml
//
// With --ca, only that CA is trusted (as the peers are set up), unless
// --system-ca. A file up to --load-max bytes (default 4 MiB) is read into
// memory once, as every peer does; a larger one is streamed from disk in
// chunks for each message (pread, no copy of the whole), so memory stays
// bounded.
//
// Prints one JSON line on stdout: messages, bytes, seconds (from connect to
// QUIT, as seen inside the process), chunked (BDAT used).
#include <pigeon/net/bytes.hpp>
#include <pigeon/net/endpoint.hpp>
#include <pigeon/smtp/client.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>

namespace {

struct args {
    std::string host = "127.0.0.1";
    unsigned short port = 25;
    std::string tls = "none";  // none | starttls | implicit
    std::string ca;
    std::string user;
    std::string password;
    std::string from = "bench@example.org";
    std::string to = "sink@example.org";
    std::string file;
    std::size_t count = 1;
    std::size_t load_max = 4U * 1024 * 1024;
    bool prefer_data = false;
    bool pipelining = true;
    bool system_ca = false;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "smtp_bench: %s\n"
                 "usage: smtp_bench --file MSG [--count N] [--host H] [--port P]\n"
                 "         [--tls none|starttls|implicit] [--ca PEM] [--user U --password P]\n"
                 "         [--from ADDR] [--to ADDR] [--load-max BYTES] [--prefer-data]\n"
                 "         [--no-pipelining] [--system-ca]\n",
                 why);
    std::exit(64);
}

std::size_t to_size(const char* s) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') usage("bad number");
    return static_cast<std::size_t>(v);
}

args parse(int argc, char** argv) {
    args a;
    for (int i = 1; i < argc; ++i) {
        std::string_view k = argv[i];
        auto val = [&]() -> const char* {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (k == "--host") a.host = val();
        else if (k == "--port") a.port = static_cast<unsigned short>(to_size(val()));
        else if (k == "--tls") a.tls = val();
        else if (k == "--ca") a.ca = val();
        else if (k == "--user") a.user = val();
        else if (k == "--password") a.password = val();
        else if (k == "--from") a.from = val();
        else if (k == "--to") a.to = val();
        else if (k == "--file") a.file = val();
        else if (k == "--count") a.count = to_size(val());
        else if (k == "--load-max") a.load_max = to_size(val());
        else if (k == "--prefer-data") a.prefer_data = true;
        else if (k == "--no-pipelining") a.pipelining = false;
        else if (k == "--system-ca") a.system_ca = true;
        else usage("unknown option");
    }
    if (a.file.empty()) usage("--file is required");
    return a;
}

// The message file: in memory when small, otherwise read by chunks.
class message_file {
public:
    explicit message_file(const std::string& path, std::size_t load_max) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + path);
        struct stat st {};
        if (::fstat(fd_, &st) != 0) throw std::system_error(errno, std::generic_category(), "stat");
        size_ = static_cast<std::uint64_t>(st.st_size);
        if (size_ <= load_max) {
            data_.resize(static_cast<std::size_t>(size_));
            std::size_t got = 0;
            while (got < data_.size()) {
                ssize_t n = ::pread(fd_, data_.data() + got, data_.size() - got, static_cast<off_t>(got));
                if (n <= 0) throw std::system_error(errno, std::generic_category(), "read");
                got += static_cast<std::size_t>(n);
            }
            loaded_ = true;
        }
    }
    ~message_file() {
        if (fd_ >= 0) ::close(fd_);
    }
    message_file(const message_file&) = delete;
    message_file& operator=(const message_file&) = delete;

    std::uint64_t size() const noexcept { return size_; }
    bool loaded() const noexcept { return loaded_; }
    std::string_view data() const noexcept { return data_; }

    // A fresh source reading the file from the start.
    pigeon::net::source_fn source() const {
        return [fd = fd_, off = std::uint64_t{0}](char* buf, std::size_t cap) mutable -> std::size_t {
            for (;;) {
                ssize_t n = ::pread(fd, buf, cap, static_cast<off_t>(off));
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
                off += static_cast<std::uint64_t>(n);
                return static_cast<std::size_t>(n);
            }
        };
    }

private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
    bool loaded_ = false;
    std::string data_;
};

} // namespace

int main(int argc, char** argv) {
    namespace net = pigeon::net;
    namespace smtp = pigeon::smtp;
    args a = parse(argc, argv);
    try {
        message_file msg(a.file, a.load_max);

        net::endpoint ep;
        ep.proto = net::protocol::smtp;
        ep.host = a.host;
        ep.port = a.port;
        if (a.tls == "none") ep.tls = net::tls_mode::none;
        else if (a.tls == "starttls") ep.tls = net::tls_mode::starttls;
        else if (a.tls == "implicit") ep.tls = net::tls_mode::implicit;
        else usage("bad --tls");

        smtp::client_options opts;
        // Trust --ca alone, as the peers do (smtplib's cafile=, curl's
        // --cacert, msmtp's tls_trust_file); --system-ca adds the system store.
        opts.net.tls.ca_file = a.ca;
        opts.net.tls.ca_file_only = !a.ca.empty() && !a.system_ca;
        opts.use_pipelining = a.pipelining;
        opts.prefer_data = a.prefer_data;

        smtp::envelope env;
        env.from = a.from;
        smtp::recipient rcpt;
        rcpt.address = a.to;
        env.recipients.push_back(rcpt);
        env.size_hint = msg.size();

        auto t0 = std::chrono::steady_clock::now();
        smtp::client c;
        c.connect(ep, opts);
        if (!a.user.empty()) {
            pigeon::sasl::credentials creds;
            creds.username = a.user;
            creds.password = a.password;
            c.authenticate(creds);
        }
        std::uint64_t bytes = 0;
        bool chunked = false;
        for (std::size_t i = 0; i < a.count; ++i) {
            smtp::send_result r = msg.loaded() ? c.send(env, msg.data()) : c.send(env, msg.source());
            if (!r.all_accepted()) {
                std::fprintf(stderr, "smtp_bench: message %zu not accepted\n", i);
                return 1;
            }
            bytes += r.message_bytes;
            chunked = r.chunked;
        }
        bool tls = c.info().tls_active;
        c.quit();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("{\"messages\": %zu, \"bytes\": %llu, \"seconds\": %.6f, \"chunked\": %s, \"tls\": %s}\n",
                    a.count, static_cast<unsigned long long>(bytes), secs, chunked ? "true" : "false",
                    tls ? "true" : "false");
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "smtp_bench: %s\n", e.what());
        return 1;
    }
}
