#pragma once
// What POP3 says about a maildrop (RFC 1939 section 5): the STAT reply, LIST
// and UIDL lines. Sans-I/O: parsing never throws; a line that does not parse
// gives nullopt.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::pop3 {

/// STAT: "+OK nn mm".
struct maildrop_stat {
    std::uint32_t count = 0;  ///< messages not marked deleted
    std::uint64_t size = 0;   ///< their size in octets
};

/// A LIST line: message number and size in octets.
struct message_size {
    std::uint32_t number = 0;
    std::uint64_t size = 0;
};

/// A UIDL line: message number and unique-id (1 to 70 characters 0x21-0x7E).
struct message_uid {
    std::uint32_t number = 0;
    std::string uid;
};

/// The text of a +OK STAT reply ("2 320", anything after ignored).
std::optional<maildrop_stat> parse_stat(std::string_view text);
/// "1 120" (a LIST line, or the text of "+OK 1 120" for LIST n); whatever
/// follows the size after a space is ignored (RFC 1939 section 5).
std::optional<message_size> parse_list_line(std::string_view line);
/// "1 whqtswO00WBw418f9t5JxYwZ" (a UIDL line, or the text of +OK for UIDL n):
/// the uid is 1 to 70 characters 0x21-0x7E and the last token of the line.
std::optional<message_uid> parse_uidl_line(std::string_view line);

/// The APOP timestamp of a greeting ("<1896.697170952@dbc.mtview.ca.us>"),
/// or empty when it has none (RFC 1939 section 7).
std::string apop_timestamp(std::string_view greeting);

} // namespace pigeon::pop3
