// The IMAP client: APPEND streamed from a source (RFC 9051 section 6.3.12,
// RFC 7888 LITERAL+ / LITERAL-, RFC 3516 literal8, RFC 4315 APPENDUID).
#include <algorithm>
#include <cstring>
#include <vector>

#include "flag_list.hpp"
#include "pigeon/imap/client.hpp"

namespace pigeon::imap {

std::optional<append_uid> client::append(std::string_view mailbox, std::uint64_t size, const net::source_fn& source,
                                         const append_options& opts) {
    require_authenticated("APPEND");
    const auto& caps = session_.caps();
    if (opts.binary) require_cap(caps.has("BINARY") || caps.imap4rev2(), "APPEND", "BINARY");
    if (size > 0x7fffffffffffffffULL) throw request_error(errc::invalid_argument, "APPEND: message too large");
    command_builder b(next_tag(), "APPEND", session_.literals());
    b.astring(wire_name(mailbox, "APPEND"));
    if (!opts.flags.empty()) b.raw(detail::flag_list(opts.flags, "APPEND"));
    if (opts.internal_date) {
        std::string d = format_date_time(*opts.internal_date);
        if (d.empty()) throw request_error(errc::invalid_argument, "APPEND: invalid internal date");
        b.string(d);
    }
    const literal_options lit = session_.literals();
    const bool non_sync = lit.non_synchronizing && size <= lit.non_sync_max;
    b.raw(std::string(opts.binary ? "~{" : "{") + std::to_string(size) + (non_sync ? "+}" : "}"));
    command cmd = finish(b, "APPEND");

    send_command(cmd, {});
    if (!non_sync) wait_continuation(cmd, {});

    // The size went out first, so a NUL (or a source that breaks its word)
    // can only be stopped by abandoning the connection before the literal
    // ends: the server then stores nothing, and no NUL reaches the wire.
    std::vector<char> buf(64 * 1024);
    std::uint64_t left = size;
    std::uint64_t offset = 0;
    try {
        while (left > 0) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
            const std::size_t n = source(buf.data(), want);
            if (n == 0 || n > want)
                fail(errc::invalid_argument, "APPEND: the source gave " + std::to_string(offset + (n > want ? n : 0)) +
                                                 " of " + std::to_string(size) + " announced octets; connection aborted");
            if (!opts.binary) {
                if (const void* nul = std::memchr(buf.data(), 0, n))
                    fail(errc::invalid_argument,
                         "APPEND: NUL byte at offset " +
                             std::to_string(offset + static_cast<std::uint64_t>(static_cast<const char*>(nul) - buf.data())) +
                             " of a text message; connection aborted before the message ended");
            }
            conn_.write_raw(std::string_view(buf.data(), n));
            left -= n;
            offset += n;
        }
        char extra = 0;
        if (source(&extra, 1) != 0)
            fail(errc::invalid_argument, "APPEND: the source holds more than the " + std::to_string(size) +
                                             " announced octets; connection aborted");
    } catch (const protocol_error&) {
        throw;
    } catch (...) {
        close();  // the source failed mid-literal
        throw;
    }
    conn_.write_raw("\r\n");
    response done = await(cmd, {});
    if (!done.code) return std::nullopt;
    std::error_code ec;
    auto r = parse_append_uid(*done.code, ec);
    if (ec) fail(errc::malformed_reply, "APPEND: " + core::excerpt(first_line_));
    return r;
}

std::optional<append_uid> client::append(std::string_view mailbox, std::string_view message, const append_options& opts) {
    if (!opts.binary && message.find('\0') != std::string_view::npos)
        throw request_error(errc::invalid_argument, "APPEND: NUL byte in a text message");
    return append(mailbox, message.size(), net::string_source(message), opts);
}

} // namespace pigeon::imap
