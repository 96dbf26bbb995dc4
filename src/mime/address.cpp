// RFC 5322 address-list parser (section 3.4 plus the obsolete syntax of
// section 4.4), strict where leniency would change which address is read.
#include <pigeon/mime/address.hpp>

#include <pigeon/mime/charset.hpp>
#include <pigeon/mime/rfc2047.hpp>
#include <pigeon/mime/header.hpp>

#include "detail/ascii.hpp"
#include "detail/lexer.hpp"

namespace pigeon::mime {

namespace {

bool is_atext(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return true; // RFC 6532: UTF-8 in atoms
    if (detail::is_alpha(c) || detail::is_digit(c)) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '/':
    case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
        return true;
    default:
        return false;
    }
}

enum class tk { atom, quoted, literal, special, error };

struct token {
    tk type;
    char ch = 0;            // for specials
    std::string text;       // atom text, quoted content, literal "[...]"
    std::size_t begin = 0, end = 0;
    std::string comment;    // text of comments right after this token
    bool space_before = false; // white space or a comment before it
};

struct lexer_out {
    std::vector<token> toks;
    std::string leading_comment;
};

void tokenize(std::string_view s, lexer_out& out) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    auto add_comment = [&](std::string_view c) {
        std::string& dst = out.toks.empty() ? out.leading_comment : out.toks.back().comment;
        if (!dst.empty()) dst.push_back(' ');
        dst.append(c);
    };
    bool gap = false; // white space or a comment since the last token
    std::size_t ntoks = 0;
    while (i < n) {
        if (out.toks.size() != ntoks) {
            out.toks.back().space_before = gap;
            gap = false;
            ntoks = out.toks.size();
        }
        char c = s[i];
        if (detail::is_wsp(c)) {
            gap = true;
            ++i;
            continue;
        }
        if (c == '(') {
            bool closed = false;
            std::size_t e = detail::skip_comment(s, i, &closed);
            if (!closed) {
                out.toks.push_back({tk::error, c, {}, i, n, {}});
                return;
            }
            add_comment(s.substr(i + 1, e - i - 2));
            gap = true;
            i = e;
            continue;
        }
        if (c == '"') {
            token t{tk::quoted, 0, {}, i, 0, {}};
            bool closed = false;
            i = detail::read_quoted(s, i, t.text, &closed);
            t.end = i;
            if (!closed) t.type = tk::error;
            out.toks.push_back(std::move(t));
            if (!closed) return;
            continue;
        }
        if (c == '[') {
            std::size_t e = i + 1;
            bool closed = false;
            for (; e < n; ++e) {
                if (s[e] == '\\') { ++e; continue; }
                if (s[e] == '[') break;
                if (s[e] == ']') { closed = true; break; }
            }
            if (!closed) {
                out.toks.push_back({tk::error, c, {}, i, n, {}});
                return;
            }
            std::string lit;
            for (std::size_t k = i; k <= e; ++k)
                if (s[k] != '\r' && s[k] != '\n') lit.push_back(s[k]);
            out.toks.push_back({tk::literal, 0, std::move(lit), i, e + 1, {}});
            i = e + 1;
            continue;
        }
        if (is_atext(c)) {
            std::size_t a = i;
            while (i < n && is_atext(s[i])) ++i;
            out.toks.push_back({tk::atom, 0, std::string(s.substr(a, i - a)), a, i, {}});
            continue;
        }
        switch (c) {
        case '<': case '>': case ':': case ';': case '@': case ',': case '.':
            out.toks.push_back({tk::special, c, {}, i, i + 1, {}});
            break;
        default: // ')', ']', '\\', controls: never valid here
            out.toks.push_back({tk::error, c, {}, i, i + 1, {}});
            break;
        }
        ++i;
    }
    if (out.toks.size() != ntoks) out.toks.back().space_before = gap;
}

bool needs_quoting(std::string_view local) {
    if (local.empty() || local.front() == '.' || local.back() == '.') return true;
    char prev = 0;
    for (char c : local) {
        if (c == '.' && prev == '.') return true;
        if (c != '.' && !is_atext(c)) return true;
        prev = c;
    }
    return false;
}

std::string quote(std::string_view s) {
    std::string r = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') r.push_back('\\');
        r.push_back(c);
    }
    r.push_back('"');
    return r;
}

struct parser {
    const std::vector<token>& t;
    std::size_t pos = 0;

    bool at_end() const { return pos >= t.size(); }
    bool is_special(char c) const { return !at_end() && t[pos].type == tk::special && t[pos].ch == c; }
    bool is_word() const { return !at_end() && (t[pos].type == tk::atom || t[pos].type == tk::quoted); }

    // phrase / obs-phrase / local-part candidates: words and dots.
    struct phrase_tok {
        const token* tok;
    };

    std::vector<const token*> read_words_and_dots() {
        std::vector<const token*> w;
        while (!at_end() && (is_word() || is_special('.'))) w.push_back(&t[pos++]);
        return w;
    }

    static std::string display_from(const std::vector<const token*>& w) {
        std::string joined;
        bool first = true;
        for (const token* k : w) {
            // joined is still empty after a leading empty quoted string ("").
            if (!first && (k->space_before || (k->type != tk::special && !joined.empty() && joined.back() != '.')))
                joined.push_back(' ');
            first = false;
            if (k->type == tk::special) joined.push_back('.'); // obs-phrase
            else joined += k->text;
        }
        return std::string(detail::trim(decode_phrase_words(joined)));
    }

    static std::string comment_of(const std::vector<const token*>& w) {
        for (auto it = w.rbegin(); it != w.rend(); ++it)
            if (!(*it)->comment.empty()) return (*it)->comment;
        return {};
    }

    // local-part from words and dots; false if two words are not separated by a dot.
    static bool local_from(const std::vector<const token*>& w, std::string& out) {
        if (w.empty()) return false;
        bool prev_word = false;
        for (const token* k : w) {
            if (k->type == tk::special) {
                out.push_back('.');
                prev_word = false;
                continue;
            }
            if (prev_word) return false;
            out += k->text;
            prev_word = true;
        }
        return true;
    }

    // domain after '@': dot-atom / obs-domain or a domain literal.
    bool domain(std::string& out) {
        if (at_end()) return false;
        if (t[pos].type == tk::literal) {
            out = t[pos++].text;
            return true;
        }
        if (t[pos].type != tk::atom) return false;
        out = t[pos++].text;
        while (is_special('.')) {
            ++pos;
            if (at_end() || t[pos].type != tk::atom) return false;
            out.push_back('.');
            out += t[pos++].text;
        }
        return true;
    }

    // addr-spec inside angle brackets (after an optional obs-route).
    bool angle_addr(mailbox& mb) {
        // '<' consumed
        if (is_special('@')) {
            // obs-route: "@a,@b:" -- ignored (RFC 5322 section 4.4)
            while (true) {
                while (is_special(',')) ++pos;
                if (!is_special('@')) break;
                ++pos;
                std::string ignored;
                if (!domain(ignored)) return false;
            }
            if (!is_special(':')) return false;
            ++pos;
        }
        auto w = read_words_and_dots();
        if (!local_from(w, mb.local_part)) return false;
        if (!is_special('@')) return false;
        ++pos;
        if (!domain(mb.domain)) return false;
        if (!is_special('>')) return false;
        ++pos;
        return true;
    }

    // mailbox: name-addr or addr-spec.
    bool mailbox_(mailbox& mb) {
        auto w = read_words_and_dots();
        if (is_special('<')) {
            mb.display_name = display_from(w);
            const std::string c = w.empty() ? std::string() : comment_of(w);
            ++pos;
            if (!angle_addr(mb)) return false;
            if (mb.display_name.empty()) {
                const std::string& after = t[pos - 1].comment;
                if (!after.empty()) mb.display_name = std::string(detail::trim(decode_phrase_words(after)));
                else if (!c.empty()) mb.display_name = std::string(detail::trim(decode_phrase_words(c)));
            }
            return true;
        }
        if (is_special('@')) {
            if (!local_from(w, mb.local_part)) return false;
            ++pos;
            if (!domain(mb.domain)) return false;
            const std::string& after = t[pos - 1].comment;
            if (!after.empty()) mb.display_name = std::string(detail::trim(decode_phrase_words(after)));
            return true;
        }
        return false;
    }

    // One element of an address list; false on any syntax error.
    bool address_(address& a) {
        std::size_t save = pos;
        auto w = read_words_and_dots();
        if (is_special(':') && !w.empty()) {
            // group
            a.is_group = true;
            a.group_name = display_from(w);
            ++pos;
            while (true) {
                while (is_special(',')) ++pos;
                if (is_special(';')) {
                    ++pos;
                    return true;
                }
                if (at_end()) return true; // tolerated: group without its ';' at the end
                mailbox mb;
                if (!mailbox_(mb)) return false;
                a.mailboxes.push_back(std::move(mb));
                if (!is_special(',') && !is_special(';') && !at_end()) return false;
            }
        }
        pos = save;
        mailbox mb;
        if (!mailbox_(mb)) return false;
        a.mailboxes.push_back(std::move(mb));
        return true;
    }
};

} // namespace

std::string mailbox::address() const {
    std::string lp = needs_quoting(local_part) ? quote(local_part) : local_part;
    return lp + '@' + domain;
}

std::string mailbox::to_string() const {
    if (display_name.empty()) return address();
    bool special = false;
    for (char c : display_name)
        if (!(is_atext(c) || c == ' ')) { special = true; break; }
    return (special ? quote(display_name) : display_name) + " <" + address() + '>';
}

std::vector<mailbox> address_list::mailboxes() const {
    std::vector<mailbox> r;
    for (const auto& a : items)
        for (const auto& m : a.mailboxes) r.push_back(m);
    return r;
}

address_list parse_address_list(std::string_view raw, const address_options& opts) {
    address_list out;
    std::string s = unfold(raw);
    lexer_out lx;
    tokenize(s, lx);
    const auto& t = lx.toks;
    parser p{t};
    std::size_t count = 0;
    while (!p.at_end()) {
        while (p.is_special(',')) ++p.pos; // obs-addr-list: empty elements
        if (p.at_end()) break;
        std::size_t start = p.pos;
        if (++count > opts.max_items) {
            out.errors.emplace_back(detail::trim(std::string_view(s).substr(t[start].begin)));
            break;
        }
        address a;
        bool ok = p.address_(a) && (p.at_end() || p.is_special(','));
        if (ok) {
            out.items.push_back(std::move(a));
            continue;
        }
        // Reject the whole element: skip to the next comma outside a group.
        p.pos = start;
        bool in_group = false;
        while (!p.at_end()) {
            const token& k = t[p.pos];
            if (k.type == tk::special && k.ch == ':') in_group = true;
            else if (k.type == tk::special && k.ch == ';') in_group = false;
            else if (k.type == tk::special && k.ch == ',' && !in_group) break;
            ++p.pos;
        }
        std::size_t b = t[start].begin;
        std::size_t e = p.at_end() ? s.size() : t[p.pos].begin;
        out.errors.emplace_back(detail::trim(std::string_view(s).substr(b, e - b)));
    }
    return out;
}

mailbox_result parse_mailbox(std::string_view raw) {
    mailbox_result r;
    address_list l = parse_address_list(raw);
    if (l.ok() && l.items.size() == 1 && !l.items[0].is_group && l.items[0].mailboxes.size() == 1) {
        r.value = std::move(l.items[0].mailboxes[0]);
        r.ok = true;
    }
    return r;
}

} // namespace pigeon::mime
