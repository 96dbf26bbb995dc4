#pragma once
// The 220, 221, 222 and 223 replies of ARTICLE, HEAD, BODY, STAT, NEXT and
// LAST (RFC 3977 section 6.2): "22x n <message-id> text". The number is 0
// when the article was asked for by message-id (INN: "221 0 <a@b> head").
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "pigeon/nntp/article_ref.hpp"
#include "pigeon/nntp/reply.hpp"

namespace pigeon::nntp {

struct article_status {
    int code = 0;                ///< 220 article, 221 head, 222 body, 223 status
    article_number number = 0;
    std::string message_id;      ///< valid per is_valid_message_id
    /// Not part of the reply: the client sets it to the bytes it gave the
    /// caller's sink (un-stuffed, CRLF line ends); 0 for STAT, NEXT, LAST.
    std::uint64_t bytes = 0;
};

/// Errors: codec_errc::unexpected_code (not 220..223), malformed,
/// invalid_number, number_too_large, invalid_message_id.
std::optional<article_status> parse_article_reply(const reply& r, std::error_code& ec);

} // namespace pigeon::nntp
