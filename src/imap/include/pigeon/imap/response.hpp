#pragma once
// IMAP server responses as values (RFC 9051 section 7, grammar names from
// section 9): continuation requests, tagged and untagged status responses
// with their response codes, and untagged data as a tree of tokens.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::imap {

/// One element of untagged data.
enum class token_kind {
    atom,     ///< atom, including flags (\Seen) and sections (BODY[HEADER]<0>)
    number,   ///< an atom of digits only (number / number64 / nz-number)
    quoted,   ///< quoted string, unescaped
    literal,  ///< literal or literal8 ("~{n}"), the raw octets (none if streamed)
    nil,      ///< NIL
    list,     ///< parenthesized list
};

struct token {
    token_kind kind = token_kind::atom;
    std::string text;           ///< atom / number / string content (empty for nil and list)
    std::vector<token> items;   ///< members of a list
    /// literal: its size in octets (text.size() unless streamed; up to 2^63 - 1).
    std::uint64_t size = 0;
    /// literal: the driver sent the octets to its own sink
    /// (response_parser::literal_streamed()); text is empty.
    bool streamed = false;
    /// literal: sent as literal8 ("~{n}", RFC 3516), may hold NUL.
    bool binary = false;

    /// An atom equal to name, ASCII case-insensitive.
    bool is_atom(std::string_view name) const noexcept;
    /// quoted, literal or atom content: what an astring / string means.
    bool is_string() const noexcept {
        return kind == token_kind::quoted || kind == token_kind::literal || kind == token_kind::atom ||
               kind == token_kind::number;
    }
    /// The value of a number token (nullopt if not a number or out of range).
    std::optional<std::uint64_t> as_number() const noexcept;
};

/// resp-text-code: "[" name [SP text] "]".
struct response_code {
    std::string name;   ///< upper case: "CAPABILITY", "ALERT", "UIDNEXT"
    std::string text;   ///< everything after the name and its space, as sent
    /// text split on spaces (CAPABILITY atoms, PERMANENTFLAGS, UIDVALIDITY number).
    std::vector<std::string> arguments() const;
};

enum class response_kind {
    continuation,  ///< "+ " resp-text / base64
    tagged,        ///< tag SP resp-cond-state
    untagged,      ///< "*" SP (status or data)
};

/// The condition of a status response (resp-cond-state, resp-cond-auth,
/// resp-cond-bye); none for untagged data.
enum class condition { none, ok, no, bad, preauth, bye };

struct response {
    response_kind kind = response_kind::untagged;
    std::string tag;                         ///< tagged responses only
    condition cond = condition::none;        ///< status responses
    std::optional<std::uint32_t> number;     ///< "* 12 EXISTS": 12
    std::string name;                        ///< upper case: "OK", "CAPABILITY", "FETCH", "EXISTS"
    std::optional<response_code> code;       ///< status responses with "[...]"
    std::string text;                        ///< resp-text of a status, or a continuation's text
    std::vector<token> data;                 ///< untagged data after the name

    bool is_status() const noexcept { return cond != condition::none; }
};

const char* to_string(condition c) noexcept;

} // namespace pigeon::imap
