#include "pigeon/mime/encode_qp.hpp"

#include <array>
#include <cstring>

namespace pigeon::mime {
namespace {

enum : unsigned char { c_literal = 0, c_ws = 1, c_cr = 2, c_lf = 3, c_escape = 4 };

constexpr std::array<unsigned char, 256> make_classes()
{
    std::array<unsigned char, 256> t{};
    for (std::size_t i = 0; i < 256; ++i) {
        if (i >= 33 && i <= 126 && i != '=') t[i] = c_literal;
        else t[i] = c_escape;
    }
    t[' '] = c_ws;
    t['\t'] = c_ws;
    t['\r'] = c_cr;
    t['\n'] = c_lf;
    return t;
}
constexpr std::array<unsigned char, 256> classes = make_classes();
constexpr char hex[] = "0123456789ABCDEF";

} // namespace

qp_encoder::qp_encoder(qp_options options) noexcept : opt_(options)
{
    if (opt_.line_length < 4) opt_.line_length = 4;
    max_col_ = opt_.line_length - 1;
}

void qp_encoder::reset() noexcept
{
    column_ = 0;
    pending_ws_ = 0;
    pending_cr_ = false;
}

std::size_t qp_encoder::max_output(std::size_t in_len) const noexcept
{
    // Worst case 3 characters per byte, a soft break (3) per max_col_ - 2 output
    // characters, plus the held-back bytes.
    const std::size_t chars = 3 * (in_len + 2);
    return chars + 3 * (chars / (max_col_ - 2) + 2) + 16;
}

char* qp_encoder::put_escape(unsigned char c, char* out) noexcept
{
    if (column_ + 3 > max_col_) {
        std::memcpy(out, "=\r\n", 3);
        out += 3;
        column_ = 0;
    }
    out[0] = '=';
    out[1] = hex[c >> 4];
    out[2] = hex[c & 15];
    column_ += 3;
    return out + 3;
}

char* qp_encoder::put_literal(char c, char* out) noexcept
{
    if (column_ + 1 > max_col_) {
        std::memcpy(out, "=\r\n", 3);
        out += 3;
        column_ = 0;
    }
    if (column_ == 0 && ((c == 'F' && opt_.encode_from) || (c == '.' && opt_.encode_leading_dot)))
        return put_escape(static_cast<unsigned char>(c), out);
    *out++ = c;
    ++column_;
    return out;
}

char* qp_encoder::flush_ws(bool at_line_end, char* out) noexcept
{
    if (pending_ws_ == 0) return out;
    const char c = pending_ws_;
    pending_ws_ = 0;
    return at_line_end ? put_escape(static_cast<unsigned char>(c), out) : put_literal(c, out);
}

std::size_t qp_encoder::feed(const char* in_chars, std::size_t in_len, char* out) noexcept
{
    const auto* in = reinterpret_cast<const unsigned char*>(in_chars);
    const auto* const end = in + in_len;
    char* const start = out;
    while (in < end) {
        const unsigned char c = *in;
        if (pending_cr_) {
            pending_cr_ = false;
            if (c == '\n') {
                out = flush_ws(true, out);
                out[0] = '\r';
                out[1] = '\n';
                out += 2;
                column_ = 0;
                ++in;
                continue;
            }
            out = flush_ws(false, out);
            out = put_escape('\r', out);
            // fall through to handle c normally
        }
        switch (classes[c]) {
        case c_literal: {
            out = flush_ws(false, out);
            // Fast path: a run of literal characters that fits on the line.
            if (column_ > 0 || !(opt_.encode_from || opt_.encode_leading_dot)) {
                std::size_t room = column_ < max_col_ ? max_col_ - column_ : 0;
                const unsigned char* p = in;
                while (room > 0 && p < end && classes[*p] == c_literal) {
                    ++p;
                    --room;
                }
                const auto n = static_cast<std::size_t>(p - in);
                if (n > 0) {
                    std::memcpy(out, in, n);
                    out += n;
                    column_ += n;
                    in = p;
                    continue;
                }
            }
            out = put_literal(static_cast<char>(c), out);
            ++in;
            break;
        }
        case c_ws:
            out = flush_ws(false, out);
            pending_ws_ = static_cast<char>(c);
            ++in;
            break;
        case c_cr:
            if (opt_.binary) {
                out = flush_ws(false, out);
                out = put_escape(c, out);
            } else {
                pending_cr_ = true;
            }
            ++in;
            break;
        case c_lf:
        default:
            out = flush_ws(false, out);
            out = put_escape(c, out);
            ++in;
            break;
        }
    }
    return static_cast<std::size_t>(out - start);
}

std::size_t qp_encoder::finish(char* out) noexcept
{
    char* const start = out;
    if (pending_cr_) {
        pending_cr_ = false;
        out = flush_ws(false, out);
        out = put_escape('\r', out);
    } else {
        out = flush_ws(true, out);
    }
    reset();
    return static_cast<std::size_t>(out - start);
}

void qp_encoder::feed(std::string_view in, std::string& out)
{
    const std::size_t old = out.size();
    out.resize(old + max_output(in.size()));
    const std::size_t n = feed(in.data(), in.size(), out.data() + old);
    out.resize(old + n);
}

void qp_encoder::finish(std::string& out)
{
    char buf[16];
    const std::size_t n = finish(buf);
    out.append(buf, n);
}

std::string encode_qp(std::string_view in, qp_options options)
{
    qp_encoder enc(options);
    std::string out;
    enc.feed(in, out);
    enc.finish(out);
    return out;
}

} // namespace pigeon::mime
