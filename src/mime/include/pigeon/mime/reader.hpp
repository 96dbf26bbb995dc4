#pragma once
// A reader's view of a parsed message: decoded subject and addresses, the
// best text and HTML bodies, attachments and inline parts, and streamed
// decoding / saving of any part.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <pigeon/mime/address.hpp>
#include <pigeon/mime/date.hpp>
#include <pigeon/mime/entity.hpp>
#include <pigeon/mime/source.hpp>

namespace pigeon::mime {

struct attachment_info {
    const entity* part = nullptr;
    std::string filename;     ///< decoded, UTF-8; "" if the part names none
    std::string mime_type;    ///< "image/png"
    std::string content_id;   ///< without angle brackets
    std::uint64_t encoded_size = 0; ///< body bytes as stored (before transfer decoding)
    bool is_inline = false;   ///< inline part (Content-Disposition inline, or in multipart/related)
};

/// Streams the transfer-decoded body of e (a leaf, or an enclosed message as
/// raw bytes) to sink in chunks. False if the source could not be read.
bool decode_body(const message& m, const entity& e, const sink_fn& sink);
/// Like decode_body, converting text to UTF-8 from the part's charset
/// (invalid bytes become U+FFFD; no charset: UTF-8 if valid, else Windows-1252).
bool decode_text(const message& m, const entity& e, const sink_fn& sink);
/// Size of the decoded body (decodes it, streaming; no allocation per byte).
std::uint64_t decoded_size(const message& m, const entity& e);
/// Decodes the body of e into a file (created or truncated), streaming.
std::error_code save_part(const message& m, const entity& e, const std::filesystem::path& path);

class message_reader {
public:
    /// m must outlive the reader.
    explicit message_reader(const message& m);

    /// Subject, RFC 2047-decoded to UTF-8 ("" when absent).
    std::string subject() const;
    address_list from() const { return addresses("From"); }
    address_list to() const { return addresses("To"); }
    address_list cc() const { return addresses("Cc"); }
    address_list bcc() const { return addresses("Bcc"); }
    address_list reply_to() const { return addresses("Reply-To"); }
    address_list sender() const { return addresses("Sender"); }
    /// Any address header of the top-level message (fields of that name joined).
    address_list addresses(std::string_view header_name) const;
    std::optional<date_time> date() const;
    /// Message-ID without angle brackets.
    std::string message_id() const;
    /// An unstructured header decoded ("" when absent).
    std::string header_text(std::string_view name) const;

    /// The part a reader would show as text: text/plain, the last plain
    /// alternative of a multipart/alternative, the root of multipart/related,
    /// not an attachment. nullptr if none.
    const entity* text_part() const noexcept { return text_; }
    /// Same for text/html.
    const entity* html_part() const noexcept { return html_; }
    /// Decoded UTF-8 text of text_part() / html_part() ("" when none).
    std::string text_body() const;
    std::string html_body() const;

    /// Attachments and inline parts in document order: leaves other than the
    /// chosen text/HTML bodies (and other than plain inline text), and
    /// enclosed messages as a whole.
    const std::vector<attachment_info>& attachments() const noexcept { return attachments_; }

    const message& msg() const noexcept { return m_; }

private:
    void walk(const entity& e, bool in_alternative, bool in_related, bool is_related_root);
    const message& m_;
    const entity* text_ = nullptr;
    const entity* html_ = nullptr;
    std::vector<attachment_info> attachments_;
};

} // namespace pigeon::mime
