#pragma once
// IMAP commands as the client sends them (sans-I/O). A command is a tag, a
// name and arguments; each argument goes through one checked path: atoms are
// verified, strings are encoded by string_encoding.hpp, and a literal splits
// the command into segments: each segment is a line sent with CRLF, followed
// by the literal's octets (after the server's "+" unless non-synchronizing).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/net/channel.hpp"

namespace pigeon::imap {

/// When literals may be sent without waiting for "+" (RFC 7888).
struct literal_options {
    bool non_synchronizing = false;   ///< LITERAL+ or LITERAL- offered
    std::size_t non_sync_max = 4096;  ///< largest non-synchronizing literal (LITERAL-: 4096)
};

struct command_segment {
    std::string line;                  ///< sent first, then CRLF; ends with "{n}" / "{n+}" when a literal follows
    net::secret_span secret{0, 0};     ///< part of line to mask in traces
    bool has_literal = false;
    std::string literal;               ///< the literal's octets
    bool literal_sync = true;          ///< wait for "+" before sending them
    bool literal_secret = false;       ///< never show them in traces
};

struct command {
    std::string tag;
    std::string name;                       ///< upper case
    std::vector<command_segment> segments;  ///< at least one
    /// The command as one string, literals inline and secrets replaced by
    /// net::redacted (for tests and messages).
    std::string describe() const;
};

/// Builds a command argument by argument. The first invalid argument makes
/// finish() fail with errc::invalid_argument; nothing is half-built.
class command_builder {
public:
    command_builder(std::string_view tag, std::string_view name, literal_options lit = {});

    /// An atom (keyword, mechanism name, base64 initial response): refused
    /// unless non-empty and every byte is an ATOM-CHAR.
    command_builder& atom(std::string_view a, bool secret = false);
    /// An astring: atom, quoted or literal as string_encoding chooses.
    command_builder& astring(std::string_view s, bool secret = false);
    /// A string: quoted or literal.
    command_builder& string(std::string_view s, bool secret = false);
    /// Text inserted as is after a space (sequence sets, parenthesized
    /// lists built by the caller); refused if it holds CR, LF or NUL.
    command_builder& raw(std::string_view text);

    /// "(" before the next argument, with no space after it, and ")" right
    /// after the last one: parenthesized lists like SEARCH's "(FROM x TO y)".
    /// finish() fails unless every list is closed.
    command_builder& open_list();
    command_builder& close_list();

    /// The finished command, or nullopt with ec = errc::invalid_argument.
    std::optional<command> finish(std::error_code& ec);

private:
    void append(std::string_view text, bool secret);
    void add_literal(std::string_view data, bool secret);

    command cmd_;
    literal_options lit_;
    bool bad_ = false;
    bool glue_ = false;          // the next argument follows "(" without a space
    std::size_t open_lists_ = 0;
};

/// Unpredictable tags (defence in depth against a peer that predicts tags,
/// net-imap CVE-2026-42246): a random 4-letter prefix and a counter.
class tag_generator {
public:
    tag_generator();                            ///< random prefix
    explicit tag_generator(std::string prefix); ///< fixed prefix (tests)
    std::string next();
    const std::string& prefix() const noexcept { return prefix_; }

private:
    std::string prefix_;
    unsigned long counter_ = 0;
};

} // namespace pigeon::imap
