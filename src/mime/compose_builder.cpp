#include "pigeon/mime/compose_builder.hpp"

#include "pigeon/mime/compose_content.hpp"
#include "pigeon/mime/compose_media_type.hpp"
#include "pigeon/mime/encode_header.hpp"
#include "pigeon/mime/encode_param.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace pigeon::mime {
namespace {

[[noreturn]] void fail(std::error_code ec, const std::string& where)
{
    throw compose_error(ec, where + ": " + ec.message());
}

// For error messages: control characters shown as '?', length capped.
std::string printable(std::string_view s)
{
    std::string out;
    for (char c : s.substr(0, 200)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7F) ? '?' : c;
    }
    if (s.size() > 200) out += "...";
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool is_utf8_charset(std::string_view cs) noexcept { return iequals(cs, "utf-8") || iequals(cs, "utf8"); }

bool reserved_header(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 9> names = {
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version"};
    for (auto n : names)
        if (iequals(name, n)) return true;
    return name.size() >= 8 && iequals(name.substr(0, 8), "content-");
}

std::uint64_t splitmix64(std::uint64_t& state) noexcept
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

} // namespace

message_builder::message_builder(compose_options options) : opt_(std::move(options))
{
    if (opt_.seed) rng_state_ = *opt_.seed;
    if (opt_.chunk_size < 4096) opt_.chunk_size = 4096;
    if (opt_.chunk_size > (16u << 20)) opt_.chunk_size = 16u << 20;
    if (opt_.max_unencoded_line > 998) opt_.max_unencoded_line = 998;
    if (!opt_.message_id_domain.empty()) {
        auto ec = check_addr_spec("x@" + opt_.message_id_domain, true);
        if (ec || opt_.message_id_domain.find('@') != std::string::npos)
            fail(ec ? ec : make_error_code(compose_errc::invalid_argument), "message_id_domain");
    }
}

std::string message_builder::random_token(std::size_t chars) const
{
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuv"; // 5 bits a character
    std::string out;
    out.reserve(chars);
    if (opt_.seed) {
        while (out.size() < chars) {
            std::uint64_t v = splitmix64(rng_state_);
            for (int k = 0; k < 12 && out.size() < chars; ++k, v >>= 5) out += alphabet[v & 31];
        }
    } else {
        std::random_device rd;
        while (out.size() < chars) {
            std::uint32_t v = rd();
            for (int k = 0; k < 6 && out.size() < chars; ++k, v >>= 5) out += alphabet[v & 31];
        }
    }
    return out;
}

std::string message_builder::id_domain() const
{
    if (!opt_.message_id_domain.empty()) return opt_.message_id_domain;
    if (!from_.empty()) {
        const auto& a = from_.front().address;
        return a.substr(a.rfind('@') + 1);
    }
    return "pigeon.invalid";
}

void message_builder::add_one(std::vector<compose_address>& list, const compose_address& a, const char* field)
{
    if (auto ec = check_compose_address(a, opt_.smtputf8)) fail(ec, field);
    list.push_back(a);
}

void message_builder::add_list(std::vector<compose_address>& list, std::string_view text, const char* field)
{
    std::vector<compose_address> got;
    if (auto ec = parse_compose_address_list(text, got, opt_.smtputf8)) fail(ec, field);
    if (got.empty()) fail(make_error_code(compose_errc::invalid_address), std::string(field) + " (empty list)");
    list.insert(list.end(), got.begin(), got.end());
}

message_builder& message_builder::from(std::string_view address)
{
    std::vector<compose_address> got;
    add_list(got, address, "From");
    if (got.size() != 1) fail(make_error_code(compose_errc::invalid_argument), "From (exactly one address)");
    from_ = std::move(got);
    return *this;
}

message_builder& message_builder::from(const compose_address& address)
{
    std::vector<compose_address> got;
    add_one(got, address, "From");
    from_ = std::move(got);
    return *this;
}

message_builder& message_builder::to(std::string_view list) { add_list(to_, list, "To"); return *this; }
message_builder& message_builder::to(const compose_address& a) { add_one(to_, a, "To"); return *this; }
message_builder& message_builder::cc(std::string_view list) { add_list(cc_, list, "Cc"); return *this; }
message_builder& message_builder::cc(const compose_address& a) { add_one(cc_, a, "Cc"); return *this; }
message_builder& message_builder::bcc(std::string_view list) { add_list(bcc_, list, "Bcc"); return *this; }
message_builder& message_builder::bcc(const compose_address& a) { add_one(bcc_, a, "Bcc"); return *this; }
message_builder& message_builder::reply_to(std::string_view list)
{
    add_list(reply_to_, list, "Reply-To");
    return *this;
}
message_builder& message_builder::reply_to(const compose_address& a)
{
    add_one(reply_to_, a, "Reply-To");
    return *this;
}

message_builder& message_builder::envelope_from(std::string_view addr_spec)
{
    if (auto ec = check_addr_spec(addr_spec, opt_.smtputf8)) fail(ec, "envelope sender");
    envelope_from_ = std::string(addr_spec);
    return *this;
}

message_builder& message_builder::subject(std::string_view utf8)
{
    if (auto ec = check_header_text(utf8)) fail(ec, "Subject");
    subject_ = std::string(utf8);
    return *this;
}

message_builder& message_builder::date(std::chrono::system_clock::time_point t)
{
    date_ = t;
    date_offset_.reset();
    return *this;
}

message_builder& message_builder::date(std::chrono::system_clock::time_point t, std::chrono::minutes utc_offset)
{
    if (utc_offset.count() < -(23 * 60 + 59) || utc_offset.count() > 23 * 60 + 59)
        fail(make_error_code(compose_errc::invalid_argument), "Date offset");
    date_ = t;
    date_offset_ = utc_offset;
    return *this;
}

message_builder& message_builder::message_id(std::string_view id)
{
    if (auto ec = check_header_text(id)) fail(ec, "Message-ID");
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
    bool ok = !id.empty() && id.size() <= 250 && id.find('@') != std::string_view::npos;
    for (char ch : id) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 32 || c >= 127 || c == '<' || c == '>' || c == '"' || c == '\\') ok = false;
    }
    if (!ok) fail(make_error_code(compose_errc::invalid_argument), "Message-ID (id-left@id-right)");
    message_id_ = std::string(id);
    return *this;
}

message_builder& message_builder::header(std::string_view name, std::string_view value)
{
    if (auto ec = check_header_name(name)) fail(ec, "header name " + printable(name));
    if (reserved_header(name))
        fail(make_error_code(compose_errc::reserved_header), "header " + std::string(name));
    if (auto ec = check_header_text(value)) fail(ec, std::string(name));
    headers_.emplace_back(std::string(name), std::string(value));
    return *this;
}

message_builder::body_spec message_builder::make_body(std::string_view body, std::string_view charset,
                                                      const char* what) const
{
    if (!is_mime_token(charset)) fail(make_error_code(compose_errc::invalid_argument), std::string(what) + " charset");
    body_spec b;
    b.charset = is_utf8_charset(charset) ? "utf-8" : std::string(charset);
    auto data = std::make_shared<std::string>(opt_.normalize_line_endings ? normalize_crlf(body) : std::string(body));
    const content_stats st = scan_content(*data);
    const bool utf8 = b.charset == "utf-8";
    if (utf8 && !st.valid_utf8) fail(make_error_code(compose_errc::invalid_utf8), what);
    b.encoding = choose_transfer_encoding(st, true, utf8, opt_);
    b.data = std::move(data);
    return b;
}

message_builder& message_builder::text(std::string_view body, std::string_view charset)
{
    text_ = make_body(body, charset, "text body");
    return *this;
}

message_builder& message_builder::html(std::string_view body, std::string_view charset)
{
    html_ = make_body(body, charset, "HTML body");
    return *this;
}

namespace {

void check_common(message_builder::attachment_spec& a, const attachment_options& o, bool system_types)
{
    if (a.filename.empty()) fail(make_error_code(compose_errc::invalid_filename), "attachment file name");
    if (auto ec = check_header_text(a.filename)) fail(ec, "attachment file name " + printable(a.filename));
    a.media_type = o.media_type.empty() ? media_type_for_filename(a.filename, system_types) : o.media_type;
    if (!is_valid_media_type(a.media_type))
        fail(make_error_code(compose_errc::invalid_media_type), "attachment " + printable(a.filename));
    if (!o.charset.empty() && !is_mime_token(o.charset))
        fail(make_error_code(compose_errc::invalid_argument), "attachment charset");
    a.charset = o.charset;
}

} // namespace

message_builder::attachment_spec message_builder::make_file(const std::filesystem::path& path,
                                                            attachment_options&& o) const
{
    attachment_spec a;
    a.path = path.string();
    if (a.path.find('\0') != std::string::npos)
        fail(make_error_code(compose_errc::file_error), "attachment path (NUL)");
    a.filename = o.filename.empty() ? path.filename().string() : o.filename;
    check_common(a, o, opt_.system_mime_types);
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::is_regular_file(st))
        throw compose_error(make_error_code(compose_errc::file_error),
                            "attachment " + printable(a.path) + ": not a regular file" +
                                (ec ? " (" + ec.message() + ")" : std::string()));
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw compose_error(make_error_code(compose_errc::file_error), "attachment " + printable(a.path) + ": " + ec.message());
    int fd;
    do {
        fd = ::open(a.path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        throw compose_error(make_error_code(compose_errc::file_error),
                            "attachment " + printable(a.path) + ": " + std::generic_category().message(errno));
    ::close(fd);
    a.size = size;
    switch (o.encoding) {
    case compose_encoding::automatic:
    case compose_encoding::base64: a.encoding = compose_encoding::base64; break;
    case compose_encoding::quoted_printable: a.encoding = compose_encoding::quoted_printable; break;
    case compose_encoding::seven_bit:
    case compose_encoding::eight_bit:
        // Unencoded content would have to be read twice: once to check it
        // (line lengths, bytes, the boundary) and once to send it.
        fail(make_error_code(compose_errc::invalid_argument),
             "attachment " + printable(a.filename) + " (a file is sent base64 or quoted-printable)");
    }
    return a;
}

message_builder::attachment_spec message_builder::make_data(std::string_view filename,
                                                            std::shared_ptr<const std::string> data,
                                                            attachment_options&& o) const
{
    attachment_spec a;
    a.filename = o.filename.empty() ? std::string(filename) : o.filename;
    check_common(a, o, opt_.system_mime_types);
    if (!data) data = std::make_shared<const std::string>();
    a.size = data->size();
    const bool is_text = a.media_type.size() > 5 && iequals(std::string_view(a.media_type).substr(0, 5), "text/");
    if (o.encoding == compose_encoding::base64) {
        a.encoding = compose_encoding::base64;
    } else if (o.encoding == compose_encoding::quoted_printable) {
        a.encoding = compose_encoding::quoted_printable;
    } else {
        // Binary content shows itself early: stop at the first such byte.
        bool binary = false;
        if (!is_text) {
            for (char ch : *data) {
                const auto c = static_cast<unsigned char>(ch);
                if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\r' && c != '\n')) {
                    binary = true;
                    break;
                }
            }
        }
        const content_stats st = binary ? content_stats{} : scan_content(*data);
        const compose_encoding chosen =
            binary ? compose_encoding::base64
                   : choose_transfer_encoding(st, is_text, is_utf8_charset(a.charset), opt_);
        if (o.encoding == compose_encoding::automatic) {
            a.encoding = chosen;
        } else {
            // 7bit or 8bit asked: allowed only when the content fits it.
            const bool ok = o.encoding == compose_encoding::seven_bit
                                ? chosen == compose_encoding::seven_bit
                                : (chosen == compose_encoding::seven_bit ||
                                   (st.nul == 0 && st.bare_cr == 0 && st.bare_lf == 0 && st.max_line <= 998));
            if (!ok)
                fail(make_error_code(compose_errc::invalid_argument),
                     "attachment " + printable(a.filename) + " (content does not fit the asked transfer encoding)");
            a.encoding = o.encoding;
        }
    }
    a.data = std::move(data);
    return a;
}

message_builder& message_builder::attach_file(const std::filesystem::path& path, attachment_options options)
{
    attachments_.push_back(make_file(path, std::move(options)));
    return *this;
}

message_builder& message_builder::attach_data(std::string_view filename, std::string data, attachment_options options)
{
    return attach_data(filename, std::make_shared<const std::string>(std::move(data)), std::move(options));
}

message_builder& message_builder::attach_data(std::string_view filename, std::shared_ptr<const std::string> data,
                                              attachment_options options)
{
    attachments_.push_back(make_data(filename, std::move(data), std::move(options)));
    return *this;
}

std::string message_builder::inline_file(const std::filesystem::path& path, attachment_options options)
{
    attachment_spec a = make_file(path, std::move(options));
    a.content_id = random_token(20) + "@" + id_domain();
    inlines_.push_back(std::move(a));
    return inlines_.back().content_id;
}

std::string message_builder::inline_data(std::string_view filename, std::string data, attachment_options options)
{
    attachment_spec a = make_data(filename, std::make_shared<const std::string>(std::move(data)), std::move(options));
    a.content_id = random_token(20) + "@" + id_domain();
    inlines_.push_back(std::move(a));
    return inlines_.back().content_id;
}

} // namespace pigeon::mime
