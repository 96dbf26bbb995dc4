#include "pigeon/nntp/command.hpp"

#include "pigeon/nntp/error.hpp"

namespace pigeon::nntp {
namespace {

bool has_line_break_or_nul(std::string_view s) noexcept {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return false;
    }
    return true;
}

std::optional<command_line> refuse(std::error_code& ec) {
    ec = make_error_code(errc::invalid_argument);
    return std::nullopt;
}

std::optional<command_line> done(std::string line, net::secret_span secret, std::error_code& ec) {
    if (line.size() + 2 > max_command_line) return refuse(ec);
    ec.clear();
    return command_line{std::move(line), secret};
}

} // namespace

std::optional<command_line> encode_command(std::initializer_list<std::string_view> words, std::error_code& ec) {
    if (words.size() == 0) return refuse(ec);
    std::string line;
    for (auto w : words) {
        if (!is_token(w)) return refuse(ec);
        if (!line.empty()) line += ' ';
        line.append(w);
    }
    return done(std::move(line), {0, 0}, ec);
}

std::optional<command_line> encode_authinfo_user(std::string_view user, std::error_code& ec) {
    if (!is_token(user)) return refuse(ec);
    return done("AUTHINFO USER " + std::string(user), {0, 0}, ec);
}

std::optional<command_line> encode_authinfo_pass(std::string_view password, std::error_code& ec) {
    if (password.empty() || has_line_break_or_nul(password)) return refuse(ec);
    return done("AUTHINFO PASS " + std::string(password), {14, std::string_view::npos}, ec);
}

std::optional<command_line> encode_authinfo_sasl(std::string_view mechanism,
                                                 const std::optional<std::string>& initial_b64, std::error_code& ec) {
    if (!is_token(mechanism)) return refuse(ec);
    std::string line = "AUTHINFO SASL " + std::string(mechanism);
    net::secret_span secret{0, 0};
    if (initial_b64) {
        if (!is_token(*initial_b64)) return refuse(ec);
        line += ' ';
        secret = {line.size(), std::string_view::npos};
        line += *initial_b64;
    }
    return done(std::move(line), secret, ec);
}

std::optional<command_line> encode_sasl_response(std::string_view b64, std::error_code& ec) {
    if (has_line_break_or_nul(b64) || b64.find(' ') != std::string_view::npos) return refuse(ec);
    ec.clear();
    // RFC 4643 section 2.4.1: an empty response is sent as "=".
    return command_line{b64.empty() ? std::string("=") : std::string(b64), {0, std::string_view::npos}};
}

} // namespace pigeon::nntp
