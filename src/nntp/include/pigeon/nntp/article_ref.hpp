#pragma once
// How NNTP names an article (RFC 3977 section 3.6 and 6): by its number in a
// group, or by its message-id "<...>". Also the parsers for the listings
// that are nothing but such names: LISTGROUP (numbers) and NEWNEWS
// (message-ids).
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::nntp {

/// RFC 3977 limits article numbers to 1..2^31-1; servers with more articles
/// than that exist (64-bit INN builds), so pigeon keeps 64 bits. 0 appears
/// where the RFC puts it: replies to a request by message-id, empty groups.
using article_number = std::uint64_t;

/// RFC 3977 section 3.6: a message-id is 3 to 250 octets.
inline constexpr std::size_t max_message_id = 250;

/// Parses a run of decimal digits (leading zeros allowed: INN pads the numbers
/// of LIST ACTIVE to ten digits). No sign, no blanks. Errors:
/// codec_errc::invalid_number, codec_errc::number_too_large.
std::optional<article_number> parse_article_number(std::string_view digits, std::error_code& ec) noexcept;

/// RFC 3977 section 3.6: "<", then printable US-ASCII (0x21..0x7E) other
/// than ">", then ">"; 3 to 250 octets in all. No SP, controls, NUL or 8-bit.
bool is_valid_message_id(std::string_view id) noexcept;

/// An article by number or by message-id. Implicit from either, so
/// encode_head(42, ec) and encode_head("<a@example>", ec) both read well.
/// The message-id is checked where it is used (the encoders), not here.
class article_ref {
public:
    /// Any integer type (a template, so the literal 0 is not taken for a
    /// null pointer). A negative value wraps; the server answers 423.
    template <class I>
        requires std::integral<I> && (!std::same_as<I, bool>)
    article_ref(I n) noexcept : number_(static_cast<article_number>(n)) {}
    article_ref(std::string_view message_id) : id_(message_id), by_id_(true) {}
    article_ref(const char* message_id) : article_ref(std::string_view(message_id)) {}
    article_ref(const std::string& message_id) : article_ref(std::string_view(message_id)) {}

    bool is_message_id() const noexcept { return by_id_; }
    /// The number (0 for a message-id reference).
    article_number number() const noexcept { return number_; }
    /// The message-id (empty for a number reference).
    const std::string& message_id() const noexcept { return id_; }

    friend bool operator==(const article_ref&, const article_ref&) = default;

private:
    article_number number_ = 0;
    std::string id_;
    bool by_id_ = false;
};

/// One line of a LISTGROUP response (RFC 3977 section 6.1.2): an article
/// number, blanks around it tolerated.
std::optional<article_number> parse_listgroup_line(std::string_view line, std::error_code& ec) noexcept;

/// One line of a NEWNEWS response (RFC 3977 section 7.4): a message-id,
/// blanks around it tolerated. Error: codec_errc::invalid_message_id.
std::optional<std::string> parse_newnews_line(std::string_view line, std::error_code& ec);

} // namespace pigeon::nntp
