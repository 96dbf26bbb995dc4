#include "pigeon/smtp/reply_parser.hpp"

#include <utility>

#include "detail/text.hpp"
#include "pigeon/net/ascii.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::smtp {

reply_parser::status reply_parser::fail(std::error_code ec) {
    error_ = ec;
    state_ = status::error;
    partial_.clear();
    return state_;
}

void reply_parser::reset() noexcept {
    state_ = status::need_more;
    reply_ = reply{};
    error_.clear();
    partial_.clear();
}

reply reply_parser::take() {
    reply out = std::move(reply_);
    reply_ = reply{};
    if (state_ == status::ready) state_ = status::need_more;
    return out;
}

reply_parser::status reply_parser::feed_line(std::string_view line) {
    if (state_ == status::error) return state_;
    if (state_ == status::ready) {
        reply_ = reply{};
        state_ = status::need_more;
    }
    if (line.size() > limits_.max_line_length) return fail(errc::line_too_long);
    if (line.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos)
        return fail(errc::nul_in_reply);
    // Reply-code: %x32-35 %x30-35 %x30-39 (RFC 5321 4.2)
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
        !net::ascii::is_digit(line[2]))
        return fail(errc::malformed_reply);
    bool last = true;
    std::string_view text;
    if (line.size() > 3) {
        if (line[3] == '-') last = false;
        else if (line[3] != ' ') return fail(errc::malformed_reply);
        text = line.substr(4);
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (reply_.lines.empty()) {
        reply_.code = code;
    } else if (code != reply_.code) {
        return fail(errc::inconsistent_reply);
    }
    if (reply_.lines.size() >= limits_.max_lines) return fail(errc::response_too_large);
    if (reply_.lines.empty() && enhanced_) {
        unsigned subject = 0, detail_code = 0;
        if (detail::enhanced_status_prefix(text, code / 100, &subject, &detail_code) != 0)
            reply_.status = enhanced_status{static_cast<unsigned>(code / 100), subject, detail_code};
    }
    reply_.lines.emplace_back(text);
    if (last) state_ = status::ready;
    return state_;
}

reply_parser::status reply_parser::feed(std::string_view data, std::size_t& consumed) {
    consumed = 0;
    if (state_ == status::error) return state_;
    if (state_ == status::ready) {
        reply_ = reply{};
        state_ = status::need_more;
    }
    while (consumed < data.size()) {
        const std::string_view rest = data.substr(consumed);
        const std::size_t nl = rest.find('\n');
        if (nl == std::string_view::npos) {
            // +1: room for the CR of a CRLF that has not arrived yet.
            if (partial_.size() + rest.size() > limits_.max_line_length + 1)
                return fail(errc::line_too_long);
            partial_.append(rest);
            consumed = data.size();
            return state_;
        }
        if (partial_.size() + nl > limits_.max_line_length + 1) return fail(errc::line_too_long);
        consumed += nl + 1;
        status st;
        if (partial_.empty()) {
            std::string_view line = rest.substr(0, nl);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            st = feed_line(line);
        } else {
            partial_.append(rest.substr(0, nl));
            std::string_view line = partial_;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            st = feed_line(line);
            partial_.clear();
        }
        if (st != status::need_more) return st;
    }
    return state_;
}

} // namespace pigeon::smtp
