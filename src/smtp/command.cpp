#include "pigeon/smtp/command.hpp"

#include "pigeon/text/address_syntax.hpp"

#include "pigeon/net/ascii.hpp"
#include "pigeon/smtp/address.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::smtp {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";
constexpr std::size_t max_envid = 100;  // RFC 3461 4.4
constexpr std::size_t max_orcpt = 500;  // RFC 3461 4.2

bool printable_ascii(std::string_view s) noexcept {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) return false;
    }
    return true;
}

bool valid_hello_domain(std::string_view d) noexcept { return text::valid_domain(d, {false, true}); }

std::error_code finish(std::string& line, std::string& out) {
    if (auto ec = check_command_line(line)) {
        out.clear();
        return ec;
    }
    out = std::move(line);
    return {};
}

} // namespace

std::error_code check_command_line(std::string_view line) noexcept {
    if (line.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) return errc::invalid_argument;
    return {};
}

void xtext_encode(std::string_view in, std::string& out) {
    for (char c : in) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x21 && u <= 0x7e && c != '+' && c != '=') {
            out += c;
        } else {
            out += '+';
            out += hex_digits[u >> 4];
            out += hex_digits[u & 0xf];
        }
    }
}

std::error_code utf8_addr_encode(std::string_view in, bool unitext, std::string& out) {
    if (!is_valid_utf8(in)) return errc::invalid_parameter;
    auto embed = [&out](std::uint32_t cp) {
        out += "\\x{";
        std::string h;
        do {
            h.insert(h.begin(), hex_digits[cp & 0xf]);
            cp >>= 4;
        } while (cp);
        if (h.size() < 2) h.insert(h.begin(), '0');
        out += h;
        out += '}';
    };
    std::size_t i = 0;
    while (i < in.size()) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c < 0x80) {
            // QCHAR = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e
            if (c >= 0x21 && c <= 0x7e && c != '+' && c != '=' && c != '\\') out += in[i];
            else embed(c);
            ++i;
            continue;
        }
        const std::size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        if (unitext) {
            out.append(in.substr(i, len));
        } else {
            std::uint32_t cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
            for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(in[i + k]) & 0x3fu);
            embed(cp);
        }
        i += len;
    }
    return {};
}

std::error_code encode_hello(hello_kind kind, std::string_view domain, std::string& out) {
    out.clear();
    if (!valid_hello_domain(domain)) return errc::invalid_argument;
    std::string line = kind == hello_kind::ehlo ? "EHLO " : kind == hello_kind::helo ? "HELO " : "LHLO ";
    line += domain;
    return finish(line, out);
}

std::error_code encode_mail(std::string_view from, const mail_parameters& p, std::string& out) {
    out.clear();
    bool utf8 = false;
    if (auto ec = check_address(from, address_kind::reverse_path, utf8)) return ec;
    if (utf8 && !p.smtputf8) return errc::need_smtputf8;
    std::string line = "MAIL FROM:<";
    line += from;
    line += '>';
    if (p.size) {
        line += " SIZE=";
        line += std::to_string(*p.size);
    }
    switch (p.body) {
    case body_type::unspecified: break;
    case body_type::seven_bit: line += " BODY=7BIT"; break;
    case body_type::eight_bit: line += " BODY=8BITMIME"; break;
    case body_type::binary: line += " BODY=BINARYMIME"; break;
    }
    if (p.smtputf8) line += " SMTPUTF8";
    if (p.ret == dsn_ret::full) line += " RET=FULL";
    else if (p.ret == dsn_ret::headers) line += " RET=HDRS";
    if (!p.envid.empty()) {
        if (!printable_ascii(p.envid)) return errc::invalid_parameter;
        std::string enc;
        xtext_encode(p.envid, enc);
        if (enc.size() > max_envid) return errc::invalid_parameter;
        line += " ENVID=";
        line += enc;
    }
    return finish(line, out);
}

std::error_code encode_rcpt(std::string_view to, const rcpt_parameters& p, std::string& out) {
    out.clear();
    bool utf8 = false;
    if (auto ec = check_address(to, address_kind::forward_path, utf8)) return ec;
    if (utf8 && !p.smtputf8) return errc::need_smtputf8;
    if (auto ec = check_notify(p.notify_on)) return ec;
    std::string line = "RCPT TO:<";
    line += to;
    line += '>';
    if (p.notify_on != notify::none) {
        line += " NOTIFY=";
        line += to_string(p.notify_on);
    }
    if (!p.orcpt.empty()) {
        for (char c : p.orcpt) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u == 0x7f) return errc::invalid_parameter;
        }
        std::string enc;
        if (is_ascii(p.orcpt)) {
            enc = "rfc822;";
            xtext_encode(p.orcpt, enc);
        } else {
            enc = "utf-8;";
            if (auto ec = utf8_addr_encode(p.orcpt, p.smtputf8, enc)) return ec;
        }
        if (enc.size() > max_orcpt) return errc::invalid_parameter;
        line += " ORCPT=";
        line += enc;
    }
    return finish(line, out);
}

std::error_code encode_auth(std::string_view mechanism, const std::optional<std::string>& initial,
                            std::string& out, std::size_t& secret_offset) {
    out.clear();
    secret_offset = std::string::npos;
    if (mechanism.empty() || mechanism.size() > 20) return errc::invalid_argument;
    for (char c : mechanism)
        if (!(net::ascii::is_alpha(c) || net::ascii::is_digit(c) || c == '-' || c == '_')) return errc::invalid_argument;
    std::string line = "AUTH ";
    line += net::ascii::upper(mechanism);
    if (initial) {
        if (initial->empty()) return errc::invalid_argument;
        for (char c : *initial)
            if (!(net::ascii::is_alpha(c) || net::ascii::is_digit(c) || c == '+' || c == '/' || c == '='))
                return errc::invalid_argument;
        line += ' ';
        secret_offset = line.size();
        line += *initial;
    }
    return finish(line, out);
}

std::string encode_bdat(std::uint64_t chunk_size, bool last) {
    std::string line = "BDAT ";
    line += std::to_string(chunk_size);
    if (last) line += " LAST";
    return line;
}

} // namespace pigeon::smtp
