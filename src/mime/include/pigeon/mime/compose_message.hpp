#pragma once
// A composed message: immutable, made by message_builder::build(). It is a
// plan (headers, boundaries and the body parts with their encodings), not
// the bytes: write() and source() produce the bytes on demand, reading
// attachment files in chunks, so memory stays bounded whatever their size.
// Both can be called any number of times and give the same bytes (as long as
// the attachment files do not change).
#include "pigeon/mime/compose_options.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::mime {

namespace detail {
struct compose_plan;
}

class composed_message {
public:
    composed_message();

    /// Writes the whole message to `sink` in pieces (at most a few hundred
    /// KiB each). Throws compose_error (file_error, file_changed) when an
    /// attachment cannot be read or changed size since it was attached, and
    /// whatever the sink throws.
    void write(const compose_sink& sink) const;

    /// A pull source producing the same bytes incrementally; it holds its own
    /// reference to the plan (it may outlive this object). It throws like
    /// write() from the call that meets the problem.
    compose_source source() const;

    /// The whole message in memory (for small messages and tests).
    std::string str() const;

    /// Exact size in octets, when known without reading files (always, unless
    /// a file is sent quoted-printable by explicit request).
    std::optional<std::uint64_t> size() const;

    /// The top-level header block (without the blank line after it).
    const std::string& headers() const noexcept;
    /// Message-ID without the angle brackets.
    const std::string& message_id() const noexcept;
    /// MAIL FROM: the envelope sender given to the builder, else the From address.
    const std::string& envelope_sender() const noexcept;
    /// RCPT TO: To, Cc and Bcc, in that order, without duplicates (domain
    /// compared without case). Bcc appears here and nowhere in the message.
    const std::vector<std::string>& envelope_recipients() const noexcept;
    /// A part is sent 8bit or the message needs SMTPUTF8 (BODY=8BITMIME).
    bool needs_8bitmime() const noexcept;
    /// An address (header or envelope) is internationalised (SMTPUTF8).
    bool needs_smtputf8() const noexcept;

private:
    friend class message_builder;
    explicit composed_message(std::shared_ptr<const detail::compose_plan> plan);
    std::shared_ptr<const detail::compose_plan> plan_;
};

} // namespace pigeon::mime
