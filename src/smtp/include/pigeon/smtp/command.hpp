#pragma once
// Encoders of SMTP/LMTP command lines (without the CRLF the channel adds).
// Every encoder checks its arguments and the finished line: CR, LF and NUL
// never reach a command, invalid addresses and parameter values are refused
// with an error code (smtp::errc) and out is left empty. Never throws on bad
// input.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "pigeon/smtp/envelope.hpp"

namespace pigeon::smtp {

enum class hello_kind { ehlo, helo, lhlo };

/// "EHLO domain" / "HELO domain" / "LHLO domain". domain is a host name
/// (letters, digits, "-", "_", ".") or an address literal "[192.0.2.1]",
/// "[IPv6:...]"; anything else is errc::invalid_argument.
std::error_code encode_hello(hello_kind kind, std::string_view domain, std::string& out);

/// ESMTP parameters of MAIL FROM, as they will be written.
struct mail_parameters {
    std::optional<std::uint64_t> size;            ///< SIZE=n
    body_type body = body_type::unspecified;      ///< BODY=... (unspecified: none)
    bool smtputf8 = false;                        ///< SMTPUTF8
    dsn_ret ret = dsn_ret::unspecified;           ///< RET=FULL|HDRS
    std::string envid;                            ///< ENVID=xtext (printable ASCII, <= 100)
};

/// "MAIL FROM:<from> params". from must pass check_address(reverse_path);
/// a non-ASCII address needs params.smtputf8.
std::error_code encode_mail(std::string_view from, const mail_parameters& params, std::string& out);

/// ESMTP parameters of RCPT TO.
struct rcpt_parameters {
    notify notify_on = notify::none;  ///< NOTIFY=...
    std::string orcpt;                ///< ORCPT=rfc822;xtext (or utf-8;... when not ASCII)
    /// SMTPUTF8 is used in this transaction: a non-ASCII forward path is
    /// allowed and a non-ASCII ORCPT is written as utf-8-addr-unitext.
    bool smtputf8 = false;
};

/// "RCPT TO:<to> params". to must pass check_address(forward_path).
std::error_code encode_rcpt(std::string_view to, const rcpt_parameters& params, std::string& out);

/// "AUTH mechanism" or "AUTH mechanism initial". mechanism is 1-20 of
/// A-Z 0-9 - _ (RFC 4422 3.1); initial is base64 or "=". secret_offset is
/// set to where the initial response starts (for trace masking), or npos.
std::error_code encode_auth(std::string_view mechanism, const std::optional<std::string>& initial,
                            std::string& out, std::size_t& secret_offset);

/// "BDAT n" or "BDAT n LAST".
std::string encode_bdat(std::uint64_t chunk_size, bool last);

/// ok if line may be sent as a command: no CR, LF or NUL
/// (errc::invalid_argument otherwise).
std::error_code check_command_line(std::string_view line) noexcept;

/// xtext (RFC 3461 4): "+" , "=" and bytes outside 0x21..0x7E become "+HH".
void xtext_encode(std::string_view in, std::string& out);

/// utf-8-addr-xtext (RFC 6533 3, ascii_only) or utf-8-addr-unitext (with
/// SMTPUTF8): "+", "=", "\\", controls and space become "\x{HH}", non-ASCII
/// code points "\x{HHHH}" (xtext) or stay as UTF-8 (unitext). in must be
/// valid UTF-8 (errc::invalid_parameter otherwise).
std::error_code utf8_addr_encode(std::string_view in, bool unitext, std::string& out);

} // namespace pigeon::smtp
