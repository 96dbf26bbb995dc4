// The lab's vsftpd instances (lab/README.md) and helpers for the FTP tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>

#include "pigeon/ftp/client.hpp"
#include "support/lab.hpp"

namespace pigeon::test::ftp_lab {

inline constexpr std::uint16_t explicit_port = 10021;    // AUTH TLS required, PROT P
inline constexpr std::uint16_t implicit_port = 10990;    // ftps://
inline constexpr std::uint16_t plain_port = 10022;       // no TLS at all (no AUTH TLS)
inline constexpr std::uint16_t wrong_host_port = 10991;  // implicit, certificate for wrong.example

inline std::string home(std::string_view user) { return lab::dir() + "/ftp/home/" + std::string(user); }
inline std::string log_file() { return lab::log_dir() + "/vsftpd.log"; }

inline std::string url(const char* scheme, std::uint16_t port, std::string_view path = "") {
    return std::string(scheme) + "://localhost:" + std::to_string(port) + "/" + std::string(path);
}

inline ftp::endpoint endpoint(net::tls_mode mode, std::uint16_t port) {
    ftp::endpoint ep;
    ep.host = "localhost";
    ep.port = port;
    ep.tls = mode;
    return ep;
}

inline ftp::client_options options() {
    ftp::client_options o;
    o.tls.ca_file = lab::ca_file();
    o.connect_timeout = std::chrono::seconds(10);
    o.reply_timeout = std::chrono::seconds(20);
    o.idle_timeout = std::chrono::seconds(20);
    return o;
}

inline ftp::credentials alice() { return {std::string(lab::alice.name), std::string(lab::alice.password)}; }

/// The size of a file (the log), 0 if missing.
inline std::uint64_t file_size(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    return in ? static_cast<std::uint64_t>(in.tellg()) : 0;
}

/// What was appended to a file since offset.
inline std::string read_from(const std::string& path, std::uint64_t offset) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace pigeon::test::ftp_lab
