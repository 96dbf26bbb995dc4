// parse_fetch_line: the FETCH responses of a listing read straight from
// their line, without the token tree. A listing of 10,000 messages spent
// half of its CPU building, reading and freeing that tree (callgrind: 220 M
// of 430 M instructions); this reader does the same work in a fraction.
//
// It is deliberately narrow: it takes the shape servers send for the items
// a listing asks for (UID, FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE,
// MODSEQ), written the usual way (single spaces, quoted strings or NIL,
// addresses without group syntax), and gives up on anything else. Giving up
// is always safe: the caller then parses the line with response_parser and
// parse_fetch as before, which also reports what is malformed. Whenever it
// does answer, the answer equals parse_fetch's for the same line
// (fuzz_imap_fetch checks this on every line it generates).
#include <cstddef>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "pigeon/imap/message_data.hpp"
#include "pigeon/net/ascii.hpp"

namespace pigeon::imap {
namespace {

using net::ascii::iequals;

// An atom's bytes as response_parser reads them in data (is_data_atom_char),
// without "[" (a section, which the parser reads to its "]").
constexpr bool atom_byte(unsigned char c) noexcept {
    return c > 0x20 && c != 0x7f && c != '(' && c != ')' && c != '{' && c != '"' && c != '[';
}

struct atom_table {
    bool ok[256] = {};
    constexpr atom_table() {
        for (int c = 0; c < 256; ++c) ok[c] = atom_byte(static_cast<unsigned char>(c));
    }
};
constexpr atom_table atom_bytes;

class line_reader {
public:
    explicit line_reader(std::string_view s) : s_(s) {}

    bool done() const noexcept { return p_ == s_.size(); }
    bool at(char c) const noexcept { return p_ < s_.size() && s_[p_] == c; }
    bool eat(char c) noexcept {
        if (!at(c)) return false;
        ++p_;
        return true;
    }
    // After a token the parser wants a space, a ")" or (lists only) a "(".
    bool at_delimiter() const noexcept { return at(' ') || at(')'); }

    std::string_view atom() noexcept {
        const std::size_t start = p_;
        while (p_ < s_.size() && atom_bytes.ok[static_cast<unsigned char>(s_[p_])]) ++p_;
        return s_.substr(start, p_ - start);
    }

    // A number token (all digits, then a delimiter) of at most max.
    bool number(std::uint64_t max, std::uint64_t& v) noexcept {
        const std::size_t start = p_;
        v = 0;
        while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') {
            if (p_ - start == 19) return false;  // long enough to overflow: the parser decides
            v = v * 10 + static_cast<std::uint64_t>(s_[p_] - '0');
            ++p_;
        }
        return p_ > start && v <= max && at_delimiter();
    }

    // NIL (then a delimiter), as the parser tells it from an atom.
    bool nil() noexcept {
        if (s_.size() - p_ < 3 || !iequals(s_.substr(p_, 3), "NIL")) return false;
        if (p_ + 3 < s_.size() && s_[p_ + 3] != ' ' && s_[p_ + 3] != ')') return false;
        p_ += 3;
        return true;
    }

    // A quoted string, then a delimiter: a view of the line when it has no
    // escapes, else unescaped into buf as the parser does ("\" and the byte
    // after it stand for that byte) and a view of buf.
    bool quoted_text(std::string_view& out, std::string& buf) {
        if (!eat('"')) return false;
        const char* base = s_.data();
        const void* dq = std::memchr(base + p_, '"', s_.size() - p_);
        if (!dq) return false;
        const auto quote = static_cast<std::size_t>(static_cast<const char*>(dq) - base);
        if (!std::memchr(base + p_, '\\', quote - p_)) {
            out = s_.substr(p_, quote - p_);
            p_ = quote + 1;
            return at_delimiter();
        }
        buf.clear();
        for (;;) {
            const std::size_t left = s_.size() - p_;
            dq = std::memchr(base + p_, '"', left);
            if (!dq) return false;
            const auto upto = static_cast<std::size_t>(static_cast<const char*>(dq) - (base + p_));
            const void* bs = std::memchr(base + p_, '\\', upto);
            if (!bs) {
                buf.append(base + p_, upto);
                p_ += upto + 1;
                out = buf;
                return at_delimiter();
            }
            const auto esc = static_cast<std::size_t>(static_cast<const char*>(bs) - (base + p_));
            buf.append(base + p_, esc);
            if (esc + 1 >= left) return false;
            buf += base[p_ + esc + 1];
            p_ += esc + 2;
        }
    }

    // A quoted string into out (its storage reused).
    bool quoted(std::string& out) {
        std::string_view v;
        if (!quoted_text(v, out)) return false;
        if (v.data() != out.data()) out.assign(v);  // not unescaped into out already
        return true;
    }

    // nstring: NIL (nil set, out empty) or a quoted string. Atoms and
    // literals where a string is due are left to the parser.
    bool nstring(std::string& out, bool& was_nil) {
        was_nil = nil();
        if (was_nil) {
            out.clear();
            return true;
        }
        return quoted(out);
    }

private:
    std::string_view s_;
    std::size_t p_ = 0;
};

bool read_address(line_reader& r, address& a) {
    if (!r.eat('(')) return false;
    std::string* fields[4] = {&a.name, &a.route, &a.mailbox, &a.host};
    bool nil = false;
    for (std::size_t k = 0; k < 4; ++k) {
        if (k && !r.eat(' ')) return false;
        if (!r.nstring(*fields[k], nil)) return false;
    }
    // A NIL host is group syntax: the parser's reader handles it.
    return !nil && r.eat(')');
}

// NIL or one or more addresses, with or without a space between them;
// into out's elements and their strings where it has them.
bool read_address_list(line_reader& r, address_list& out) {
    if (r.nil()) {
        out.clear();
        return true;
    }
    if (!r.eat('(')) return false;
    std::size_t n = 0;
    do {
        if (n == out.size()) out.emplace_back(std::in_place_type<address>);
        else if (!std::holds_alternative<address>(out[n])) out[n].emplace<address>();
        if (!read_address(r, std::get<address>(out[n]))) return false;
        ++n;
        if (r.eat(')')) {
            out.erase(out.begin() + static_cast<std::ptrdiff_t>(n), out.end());
            return r.at_delimiter();
        }
        r.eat(' ');
    } while (r.at('('));
    return false;
}

bool read_envelope(line_reader& r, envelope& e) {
    if (!r.eat('(')) return false;
    bool nil = false;
    if (!r.nstring(e.date, nil) || !r.eat(' ') || !r.nstring(e.subject, nil)) return false;
    address_list* lists[6] = {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc};
    for (auto* l : lists)
        if (!r.eat(' ') || !read_address_list(r, *l)) return false;
    if (!r.eat(' ') || !r.nstring(e.in_reply_to, nil) || !r.eat(' ') || !r.nstring(e.message_id, nil)) return false;
    return r.eat(')') && r.at_delimiter();
}

// Into out's strings where it has them.
bool read_flags(line_reader& r, std::vector<std::string>& out) {
    if (!r.eat('(')) return false;
    std::size_t n = 0;
    if (!r.eat(')')) {
        for (;;) {
            std::string_view f = r.atom();
            // Empty (a byte the parser reads otherwise), NIL or a number:
            // not an atom token, which parse_fetch refuses; let it.
            if (f.empty() || iequals(f, "NIL") || f.find_first_not_of("0123456789") == std::string_view::npos)
                return false;
            if (n == out.size()) out.emplace_back(f);
            else out[n].assign(f);
            ++n;
            if (r.eat(')')) break;
            if (!r.eat(' ')) return false;
        }
    }
    out.resize(n);
    return r.at_delimiter();
}

} // namespace

bool parse_fetch_line(std::string_view line, message_data& m, const parser_limits& limits) {
    // What the parser would refuse or count against its limits: it decides.
    if (line.size() > limits.max_line || line.size() + 2 > limits.max_response ||
        line.size() > limits.max_tokens / 4 || limits.max_depth < 4)
        return false;
    if (std::memchr(line.data(), '\r', line.size()) || std::memchr(line.data(), '\0', line.size())) return false;

    line_reader r(line);
    // "* " nz-number " FETCH ("
    if (!r.eat('*') || !r.eat(' ')) return false;
    std::uint64_t seq = 0;
    if (!r.number(0xffffffffULL, seq) || seq == 0 || !r.eat(' ')) return false;
    std::string_view name = r.atom();
    if (!iequals(name, "FETCH") || !r.eat(' ') || !r.eat('(')) return false;

    // m's strings and lists are written over (a listing reads every
    // message into the same message_data: no allocation once they are
    // big enough); what this line does not have is cleared at the end.
    m.seq = static_cast<std::uint32_t>(seq);
    m.uid.reset();
    m.rfc822_size.reset();
    m.internal_date.reset();
    m.body_structure.reset();
    m.modseq.reset();
    m.email_id.reset();
    m.thread_id.reset();
    m.sections.clear();
    m.binary_sizes.clear();
    bool flags = false, env = false;
    if (r.at(')')) return false;  // no items: rare, the parser's
    for (;;) {
        std::string_view item = r.atom();
        if (item.empty() || !r.eat(' ')) return false;
        std::uint64_t v = 0;
        if (iequals(item, "UID")) {
            if (!r.number(0xffffffffULL, v) || v == 0) return false;
            m.uid = static_cast<std::uint32_t>(v);
        } else if (iequals(item, "FLAGS")) {
            if (!m.flags) m.flags.emplace();
            if (!read_flags(r, *m.flags)) return false;
            flags = true;
        } else if (iequals(item, "RFC822.SIZE")) {
            if (!r.number(0x7fffffffffffffffULL, v)) return false;
            m.rfc822_size = v;
        } else if (iequals(item, "INTERNALDATE")) {
            std::string buf;  // only if the date has escapes
            std::string_view text;
            if (!r.quoted_text(text, buf)) return false;
            auto d = parse_date_time(text);
            if (!d) return false;
            m.internal_date = *d;
        } else if (iequals(item, "ENVELOPE")) {
            if (!m.envelope) m.envelope.emplace();
            if (!read_envelope(r, *m.envelope)) return false;
            env = true;
        } else if (iequals(item, "MODSEQ")) {
            if (!r.eat('(') || !r.number(0x7fffffffffffffffULL, v) || !r.eat(')')) return false;
            m.modseq = v;
        } else {
            return false;  // any other item: the parser's
        }
        if (r.eat(')')) break;
        if (!r.eat(' ')) return false;
    }
    if (!r.done()) return false;
    if (!flags) m.flags.reset();
    if (!env) m.envelope.reset();
    return true;
}

} // namespace pigeon::imap
