#pragma once
// message_builder: collects headers, bodies and attachments, checks every
// value as it is given (CR, LF, NUL, Unicode line separators, bad names and
// addresses are refused with compose_error, nothing is written), and makes a
// composed_message.
//
// Structure of the result, from what was given:
//   text only            text/plain
//   html only            text/html
//   text and html        multipart/alternative (text/plain, text/html)
//   inline images        the HTML part becomes multipart/related
//                        (text/html, images with Content-ID)
//   attachments          multipart/mixed (the above, then the attachments)
// Transfer encodings: text bodies and data attachments are scanned
// (choose_transfer_encoding); file attachments are sent base64 unless asked
// otherwise: it keeps their bytes exact, lets size() be known before reading
// them, and needs one read of the file only.
//
//   auto msg = mime::message_builder{}
//                  .from("Ann <ann@example.org>").to("bob@example.net, Cy <cy@example.com>")
//                  .subject("Réunion").text("Hello\n").attach_file("report.pdf").build();
//   smtp.send(msg.envelope_sender(), msg.envelope_recipients(), msg.source());
#include "pigeon/mime/compose_address.hpp"
#include "pigeon/mime/compose_error.hpp"
#include "pigeon/mime/compose_message.hpp"
#include "pigeon/mime/compose_options.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pigeon::mime {

class message_builder {
public:
    explicit message_builder(compose_options options = {});

    /// Addresses: one address, or (string forms) a comma-separated list of
    /// `Name <a@b>` / `a@b` items. Each call adds to the list.
    message_builder& from(std::string_view address);
    message_builder& from(const compose_address& address);
    message_builder& to(std::string_view list);
    message_builder& to(const compose_address& address);
    message_builder& cc(std::string_view list);
    message_builder& cc(const compose_address& address);
    /// Envelope only: never written into the message.
    message_builder& bcc(std::string_view list);
    message_builder& bcc(const compose_address& address);
    message_builder& reply_to(std::string_view list);
    message_builder& reply_to(const compose_address& address);
    /// MAIL FROM when it differs from From (bounces go here).
    message_builder& envelope_from(std::string_view addr_spec);

    message_builder& subject(std::string_view utf8);
    /// Date header; default: the time of build() in the local zone.
    message_builder& date(std::chrono::system_clock::time_point t);
    message_builder& date(std::chrono::system_clock::time_point t, std::chrono::minutes utc_offset);
    /// Message-ID (with or without <>); default: random @ the From domain.
    message_builder& message_id(std::string_view id);
    /// Any other header (unstructured: non-ASCII words are RFC 2047-encoded).
    /// Refused: bad names, the headers the builder writes itself (From, To,
    /// Cc, Bcc, Reply-To, Subject, Date, Message-ID, MIME-Version, Content-*).
    message_builder& header(std::string_view name, std::string_view value);

    /// Bodies (replace any earlier one). The text must be valid UTF-8 when
    /// the charset is utf-8 (invalid_utf8 otherwise).
    message_builder& text(std::string_view body, std::string_view charset = "utf-8");
    message_builder& html(std::string_view body, std::string_view charset = "utf-8");

    /// An attachment read from disk while the message is written. The file is
    /// checked now (a readable regular file) and its size recorded; sending
    /// fails with file_changed if the size differs then.
    message_builder& attach_file(const std::filesystem::path& path, attachment_options options = {});
    /// An attachment from memory (shared: not copied again by build()).
    message_builder& attach_data(std::string_view filename, std::string data, attachment_options options = {});
    message_builder& attach_data(std::string_view filename, std::shared_ptr<const std::string> data,
                                 attachment_options options = {});
    /// Inline parts (images the HTML shows): returns the Content-ID without
    /// brackets, for `<img src="cid:...">`.
    std::string inline_file(const std::filesystem::path& path, attachment_options options = {});
    std::string inline_data(std::string_view filename, std::string data, attachment_options options = {});

    /// Checks what remains (From present) and makes the message. Draws the
    /// boundaries (checked against every part sent unencoded), Message-ID and
    /// Date now. The builder can build again.
    composed_message build() const;

    const compose_options& options() const noexcept { return opt_; }

    struct body_spec {
        std::shared_ptr<const std::string> data; // in canonical form (CRLF)
        std::string charset;
        compose_encoding encoding = compose_encoding::seven_bit;
    };
    struct attachment_spec {
        std::string path; // file attachments (empty for data)
        std::shared_ptr<const std::string> data;
        std::uint64_t size = 0;
        std::string filename;
        std::string media_type;
        std::string charset;
        compose_encoding encoding = compose_encoding::base64; // decided when attached
        std::string content_id; // inline parts
    };

private:
    void add_list(std::vector<compose_address>& list, std::string_view text, const char* field);
    void add_one(std::vector<compose_address>& list, const compose_address& a, const char* field);
    attachment_spec make_file(const std::filesystem::path& path, attachment_options&& o) const;
    attachment_spec make_data(std::string_view filename, std::shared_ptr<const std::string> data,
                              attachment_options&& o) const;
    body_spec make_body(std::string_view body, std::string_view charset, const char* what) const;
    std::string random_token(std::size_t chars) const;
    std::string id_domain() const;

    compose_options opt_;
    std::vector<compose_address> from_, to_, cc_, bcc_, reply_to_;
    std::optional<std::string> envelope_from_;
    std::optional<std::string> subject_;
    std::optional<std::chrono::system_clock::time_point> date_;
    std::optional<std::chrono::minutes> date_offset_;
    std::string message_id_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::optional<body_spec> text_, html_;
    std::vector<attachment_spec> attachments_, inlines_;
    mutable std::uint64_t rng_state_ = 0; // splitmix64 state when seeded
};

} // namespace pigeon::mime
