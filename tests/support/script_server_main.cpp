// pigeon-script-server: plays one transcript (tests/scripts/README.md) on
// 127.0.0.1 for CLI tests that run pigeon as a separate process.
//
//   pigeon-script-server SCRIPT [--port-file F] [--ca-file F]
//                        [--cert F --key F] [--timeout MS] [--connections N]
//
// SCRIPT is a path; when it does not exist relative to the working directory
// it is taken relative to the source tree's tests/scripts/. The CA file is
// written before the port is published, so a test that sees the port can
// trust the certificate. The port goes to the port file (written atomically)
// or, without one, to stdout as the first line. Exit status: 0 when the
// script passed, 1 with the failure on stderr when it did not, 2 on a usage
// or setup error.
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "support/script_server.hpp"

namespace {

int usage(const std::string& why) {
    std::cerr << "pigeon-script-server: " << why << "\n"
              << "usage: pigeon-script-server SCRIPT [--port-file F] [--ca-file F] [--cert F --key F]\n"
              << "                            [--timeout MS] [--connections N]\n";
    return 2;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Writes text to path through a temporary file and a rename, so that a
/// reader polling for path never sees it half written.
void write_file_atomically(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

bool parse_count(const std::string& s, long max, long& out) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stol(s);
    return out >= 1 && out <= max;
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::string script, port_file, ca_file, cert_file, key_file;
    pigeon::test::script_options opts;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        std::string v;
        if (a == "--port-file") {
            if (!value(port_file)) return usage("--port-file needs a file name");
        } else if (a == "--ca-file") {
            if (!value(ca_file)) return usage("--ca-file needs a file name");
        } else if (a == "--cert") {
            if (!value(cert_file)) return usage("--cert needs a file name");
        } else if (a == "--key") {
            if (!value(key_file)) return usage("--key needs a file name");
        } else if (a == "--timeout") {
            long ms = 0;
            if (!value(v) || !parse_count(v, 3600 * 1000, ms)) return usage("--timeout needs milliseconds");
            opts.timeout = std::chrono::milliseconds(ms);
        } else if (a == "--connections") {
            long n = 0;
            if (!value(v) || !parse_count(v, 1000, n)) return usage("--connections needs a count");
            opts.connections = static_cast<int>(n);
        } else if (a == "-h" || a == "--help") {
            usage("plays a scripted server transcript once");
            return 0;
        } else if (!a.empty() && a.front() == '-') {
            return usage("unknown option " + a);
        } else if (script.empty()) {
            script = a;
        } else {
            return usage("only one SCRIPT may be given");
        }
    }
    if (script.empty()) return usage("no SCRIPT given");
    if (cert_file.empty() != key_file.empty()) return usage("--cert and --key go together");

    std::unique_ptr<pigeon::test::script_server> server;
    try {
        if (!cert_file.empty()) {
            opts.cert_pem = read_file(cert_file);
            opts.key_pem = read_file(key_file);
        }
        std::error_code ec;
        if (std::filesystem::exists(script, ec)) script = std::filesystem::absolute(script).string();
        server = std::make_unique<pigeon::test::script_server>(
            pigeon::test::script_server::from_file(script, opts));
        if (!ca_file.empty()) write_file_atomically(ca_file, server->ca_pem());
        if (!port_file.empty()) {
            write_file_atomically(port_file, std::to_string(server->port()) + "\n");
        } else {
            std::cout << server->port() << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << "pigeon-script-server: " << e.what() << "\n";
        return 2;
    }

    pigeon::test::script_result r = server->wait();
    if (!r.ok) {
        std::cerr << "pigeon-script-server: " << script << ": " << r.error << "\n";
        return 1;
    }
    return 0;
}
