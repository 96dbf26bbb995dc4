#include "compose_plan.hpp"

#include "pigeon/mime/compose_error.hpp"
#include "pigeon/mime/compose_message.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace pigeon::mime {
namespace detail {

compose_stream::compose_stream(std::shared_ptr<const compose_plan> plan) : plan_(std::move(plan)) {}

compose_stream::~compose_stream() { close_file(); }

void compose_stream::close_file() noexcept
{
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void compose_stream::note_output(std::string_view out) noexcept
{
    if (out.empty()) return;
    if (out.size() >= 2) {
        last_[0] = out[out.size() - 2];
        last_[1] = out.back();
    } else {
        last_[0] = last_[1];
        last_[1] = out.back();
    }
    body_out_ += out.size();
}

void compose_stream::encode(const compose_segment& s, const char* in, std::size_t n, bool last)
{
    out_.clear();
    if (s.encoding == compose_encoding::base64) {
        out_.resize(b64_.max_output(n) + 8);
        std::size_t w = b64_.feed(in, n, out_.data());
        if (last) w += b64_.finish(out_.data() + w);
        out_.resize(w);
    } else {
        out_.resize(qp_.max_output(n) + 16);
        std::size_t w = qp_.feed(in, n, out_.data());
        if (last) w += qp_.finish(out_.data() + w);
        out_.resize(w);
    }
}

bool compose_stream::body_step(const compose_segment& s, std::string_view& piece)
{
    const std::size_t chunk = plan_->chunk_size;
    if (s.k == compose_segment::kind::memory) {
        const std::string& d = *s.data;
        if (s.encoding == compose_encoding::seven_bit || s.encoding == compose_encoding::eight_bit) {
            body_done_ = true;
            if (d.empty()) return false;
            piece = d;
            note_output(piece);
            return true;
        }
        const std::size_t n = std::min(chunk, d.size() - pos_);
        const bool last = pos_ + n == d.size();
        encode(s, d.data() + pos_, n, last);
        pos_ += n;
        if (last) body_done_ = true;
        if (out_.empty()) return false;
        piece = out_;
        note_output(piece);
        return true;
    }
    // File: read a chunk, encode it.
    if (in_.size() != chunk) in_.resize(chunk);
    ssize_t got;
    do {
        got = ::read(fd_, in_.data(), chunk);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        const int e = errno;
        close_file();
        throw compose_error(make_error_code(compose_errc::file_error),
                            "attachment " + s.display_name + ": " + std::generic_category().message(e));
    }
    const auto n = static_cast<std::size_t>(got);
    if (n == 0 && read_ != s.file_size) {
        close_file();
        throw compose_error(make_error_code(compose_errc::file_changed),
                            "attachment " + s.display_name + ": shorter than when it was attached");
    }
    read_ += n;
    if (read_ > s.file_size) {
        close_file();
        throw compose_error(make_error_code(compose_errc::file_changed),
                            "attachment " + s.display_name + ": longer than when it was attached");
    }
    encode(s, in_.data(), n, n == 0);
    if (n == 0) {
        body_done_ = true;
        close_file();
    }
    if (out_.empty()) return false;
    piece = out_;
    note_output(piece);
    return true;
}

bool compose_stream::next(std::string_view& piece)
{
    const auto& segs = plan_->segments;
    while (seg_ < segs.size()) {
        const compose_segment& s = segs[seg_];
        if (s.k == compose_segment::kind::literal) {
            ++seg_;
            if (s.text.empty()) continue;
            piece = s.text;
            return true;
        }
        if (!in_body_) {
            in_body_ = true;
            body_done_ = false;
            pos_ = 0;
            read_ = 0;
            body_out_ = 0;
            last_[0] = last_[1] = 0;
            b64_ = base64_encoder(76);
            qp_ = qp_encoder(s.qp);
            if (s.k == compose_segment::kind::file) {
                do {
                    fd_ = ::open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
                } while (fd_ < 0 && errno == EINTR);
                if (fd_ < 0)
                    throw compose_error(make_error_code(compose_errc::file_error),
                                        "attachment " + s.display_name + ": " +
                                            std::generic_category().message(errno));
#ifdef POSIX_FADV_SEQUENTIAL
                (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
            }
        }
        if (!body_done_) {
            if (body_step(s, piece)) return true;
            continue;
        }
        in_body_ = false;
        ++seg_;
        if (s.end_line && body_out_ > 0 && !(last_[0] == '\r' && last_[1] == '\n')) {
            piece = s.encoding == compose_encoding::quoted_printable ? std::string_view("=\r\n")
                                                                      : std::string_view("\r\n");
            return true;
        }
    }
    return false;
}

} // namespace detail

composed_message::composed_message() : plan_(std::make_shared<detail::compose_plan>()) {}

composed_message::composed_message(std::shared_ptr<const detail::compose_plan> plan) : plan_(std::move(plan)) {}

void composed_message::write(const compose_sink& sink) const
{
    detail::compose_stream st(plan_);
    std::string_view piece;
    while (st.next(piece)) sink(piece);
}

compose_source composed_message::source() const
{
    struct state {
        explicit state(std::shared_ptr<const detail::compose_plan> p) : st(std::move(p)) {}
        detail::compose_stream st;
        std::string_view pending;
        bool done = false;
    };
    auto s = std::make_shared<state>(plan_);
    return [s](char* out, std::size_t cap) -> std::size_t {
        std::size_t n = 0;
        while (n < cap) {
            if (s->pending.empty()) {
                if (s->done || !s->st.next(s->pending)) {
                    s->done = true;
                    break;
                }
                continue;
            }
            const std::size_t k = std::min(cap - n, s->pending.size());
            std::memcpy(out + n, s->pending.data(), k);
            s->pending.remove_prefix(k);
            n += k;
        }
        return n;
    };
}

std::string composed_message::str() const
{
    std::string out;
    if (auto sz = size()) out.reserve(static_cast<std::size_t>(*sz));
    write([&out](std::string_view p) { out.append(p); });
    return out;
}

std::optional<std::uint64_t> composed_message::size() const
{
    std::uint64_t total = 0;
    for (const auto& s : plan_->segments) {
        if (s.k == detail::compose_segment::kind::literal) {
            total += s.text.size();
            continue;
        }
        std::uint64_t body = 0;
        bool ends_crlf = false;
        if (s.encoding == compose_encoding::base64) {
            body = base64_encoded_size(s.k == detail::compose_segment::kind::file ? s.file_size : s.data->size(), 76);
        } else if (s.k == detail::compose_segment::kind::file) {
            return std::nullopt; // quoted-printable from a file: known only by reading it
        } else if (s.encoding == compose_encoding::quoted_printable) {
            qp_encoder enc(s.qp);
            std::string buf;
            const std::string& d = *s.data;
            for (std::size_t pos = 0; pos < d.size() || pos == 0;) {
                const std::size_t n = std::min<std::size_t>(64 * 1024, d.size() - pos);
                buf.clear();
                enc.feed(std::string_view(d).substr(pos, n), buf);
                pos += n;
                if (pos == d.size()) enc.finish(buf);
                body += buf.size();
                if (!buf.empty()) ends_crlf = buf.size() >= 2 && buf[buf.size() - 2] == '\r' && buf.back() == '\n';
                if (n == 0) break;
            }
        } else {
            body = s.data->size();
            ends_crlf = body >= 2 && (*s.data)[body - 2] == '\r' && s.data->back() == '\n';
        }
        total += body;
        if (s.end_line && body > 0 && !ends_crlf)
            total += s.encoding == compose_encoding::quoted_printable ? 3 : 2;
    }
    return total;
}

const std::string& composed_message::headers() const noexcept { return plan_->headers; }
const std::string& composed_message::message_id() const noexcept { return plan_->message_id; }
const std::string& composed_message::envelope_sender() const noexcept { return plan_->envelope_sender; }
const std::vector<std::string>& composed_message::envelope_recipients() const noexcept
{
    return plan_->envelope_recipients;
}
bool composed_message::needs_8bitmime() const noexcept { return plan_->needs_8bitmime; }
bool composed_message::needs_smtputf8() const noexcept { return plan_->needs_smtputf8; }

} // namespace pigeon::mime
