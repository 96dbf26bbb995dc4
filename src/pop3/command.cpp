#include "pigeon/pop3/command.hpp"

#include "pigeon/pop3/error.hpp"

namespace pigeon::pop3 {
namespace {

using core::has_line_break_or_nul;
using core::is_token;

bool is_keyword(std::string_view s) noexcept {
    if (s.size() < 3 || s.size() > 4) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    return true;
}

std::optional<command_line> refuse(std::error_code& ec) {
    ec = make_error_code(errc::invalid_argument);
    return std::nullopt;
}

} // namespace

std::optional<command_line> encode_simple(std::string_view keyword, std::error_code& ec) {
    if (!is_keyword(keyword)) return refuse(ec);
    ec.clear();
    return command_line{std::string(keyword), {0, 0}};
}

std::optional<command_line> encode_user(std::string_view name, std::error_code& ec) {
    if (!is_token(name)) return refuse(ec);
    ec.clear();
    return command_line{"USER " + std::string(name), {0, 0}};
}

std::optional<command_line> encode_pass(std::string_view password, std::error_code& ec) {
    if (password.empty() || has_line_break_or_nul(password)) return refuse(ec);
    ec.clear();
    return command_line{"PASS " + std::string(password), {5, std::string_view::npos}};
}

std::optional<command_line> encode_auth(std::string_view mechanism, const std::optional<std::string>& initial_b64,
                                        std::error_code& ec) {
    return core::encode_sasl_start("AUTH", mechanism, initial_b64, max_command_line, ec);
}

std::optional<command_line> encode_sasl_response(std::string_view b64, std::error_code& ec) {
    // An empty response is an empty line (RFC 5034 section 4).
    if (has_line_break_or_nul(b64) || b64.find(' ') != std::string_view::npos) return refuse(ec);
    ec.clear();
    return command_line{std::string(b64), {0, std::string_view::npos}};
}

std::optional<command_line> encode_message(std::string_view keyword, std::uint32_t number, std::error_code& ec) {
    if (!is_keyword(keyword) || number == 0) return refuse(ec);
    ec.clear();
    return command_line{std::string(keyword) + ' ' + std::to_string(number), {0, 0}};
}

std::optional<command_line> encode_top(std::uint32_t number, std::uint32_t lines, std::error_code& ec) {
    if (number == 0) return refuse(ec);
    ec.clear();
    return command_line{"TOP " + std::to_string(number) + ' ' + std::to_string(lines), {0, 0}};
}

std::optional<command_line> encode_apop(std::string_view name, std::string_view digest_hex, std::error_code& ec) {
    if (!is_token(name) || digest_hex.size() != 32) return refuse(ec);
    for (char c : digest_hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return refuse(ec);
    ec.clear();
    std::string line = "APOP " + std::string(name) + ' ';
    const std::size_t at = line.size();
    line += digest_hex;
    return command_line{std::move(line), {at, std::string_view::npos}};
}

} // namespace pigeon::pop3
