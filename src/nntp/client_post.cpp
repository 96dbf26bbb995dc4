// The NNTP client's POST (RFC 3977 section 6.3.1): 340, the article through
// the channel's dot-stuffer, 240.
#include "detail/client_util.hpp"
#include "pigeon/nntp/client.hpp"

namespace pigeon::nntp {

reply client::post(const net::source_fn& article) {
    std::error_code ec;
    auto cmd = encode_post(ec);
    detail::require_encoded(cmd, ec, "POST");
    ensure_reader();
    send(cmd, ec, "POST");
    // 440 (posting not allowed), 480 (authenticate first) ...: refused
    // before a byte of the article was read from the source.
    expect(340, "POST");
    std::error_code wec;
    try {
        conn_.channel().write_dot_block(article, wec);
    } catch (...) {
        close();  // the source failed half way: the server holds half an article
        throw;
    }
    if (wec) conn_.transport_failed(wec, "sending the article");
    // 441: the server looked at the article and refused it.
    return expect(240, "POST");
}

reply client::post(std::string_view article) { return post(net::string_source(article)); }

} // namespace pigeon::nntp
