#include "pigeon/imap/response_parser.hpp"

#include <cstring>

#include "pigeon/net/ascii.hpp"
#include "pigeon/imap/error.hpp"

namespace pigeon::imap {
namespace {

using net::ascii::to_upper;

// RFC 9051 section 9: ATOM-CHAR is any CHAR except atom-specials
// ( "(" ")" "{" SP CTL list-wildcards quoted-specials resp-specials ).
bool is_atom_char(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']': return false;
    default: return true;
    }
}

// tag = 1*<any ASTRING-CHAR except "+">; ASTRING-CHAR = ATOM-CHAR / "]".
bool is_tag_char(char c) noexcept { return c == ']' || (is_atom_char(c) && c != '+'); }

// Characters of an atom in untagged data. Wider than ATOM-CHAR, as real
// servers send them: "\" starts flags (\Seen, \*), "*" ":" "," make sequence
// sets (ESEARCH ALL 1:*), "]" and "%" appear in mailbox names.
// QUIRK(various): 8-bit bytes in atoms (unencoded mailbox names) are kept.
bool is_data_atom_char(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
    return c != '(' && c != ')' && c != '{' && c != '"';
}

// FETCH items whose values are message content, the literals a driver
// streams: BODY[section]<origin>, BINARY[section]<origin>, RFC822,
// RFC822.HEADER, RFC822.TEXT.
bool is_content_item(std::string_view item) noexcept {
    using net::ascii::iequals;
    using net::ascii::istarts_with;
    return istarts_with(item, "BODY[") || istarts_with(item, "BINARY[") || iequals(item, "RFC822") ||
           iequals(item, "RFC822.HEADER") || iequals(item, "RFC822.TEXT");
}

// Largest literal size accepted at all (number64 in RFC 9051 is 63 bits).
constexpr std::uint64_t max_literal_size = 0x7fffffffffffffffULL;

bool all_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

} // namespace

response_parser::response_parser(parser_limits limits) : limits_(limits) {}

void response_parser::reset() {
    mode_ = mode::line;
    line_.clear();
    literal_left_ = 0;
    literal_size_ = 0;
    literal_fresh_ = false;
    fetch_uid_.reset();
    literal_ = literal_info{};
    total_ = 0;
    tokens_ = 0;
    header_done_ = false;
    need_separator_ = false;
    list_closed_ = false;
    current_ = response{};
    open_.clear();
    error_.clear();
}

response response_parser::take() {
    response r = std::move(current_);
    reset();
    return r;
}

void response_parser::recycle_items(std::vector<token>& items) noexcept {
    for (token& t : items) {
        if (t.kind != token_kind::list || t.items.capacity() == 0) continue;
        recycle_items(t.items);
        if (spare_lists_.size() < spare_lists_max && t.items.capacity() <= spare_list_capacity) {
            t.items.clear();
            spare_lists_.push_back(std::move(t.items));
        }
    }
}

void response_parser::recycle(response&& r) noexcept {
    if (spare_lists_.capacity() == 0) {
        try {
            spare_lists_.reserve(spare_lists_max);
        } catch (...) {
            return;  // nothing kept: r is freed as it would have been
        }
    }
    recycle_items(r.data);
    // The top level's vector too, when no response is being built.
    if (current_.data.capacity() == 0 && mode_ == mode::line && !header_done_ &&
        r.data.capacity() <= spare_list_capacity) {
        r.data.clear();
        current_.data = std::move(r.data);
    }
}

std::vector<token>& response_parser::target() { return open_.empty() ? current_.data : *open_.back(); }

response_parser::status response_parser::fail(std::error_code ec) {
    error_ = ec;
    mode_ = mode::failed;
    return status::error;
}

response_parser::result response_parser::feed(std::string_view data) {
    result r;
    if (mode_ == mode::done) {
        r.state = status::ready;
        return r;
    }
    if (mode_ == mode::failed) {
        r.state = status::error;
        r.error = error_;
        return r;
    }
    if (!data.empty()) literal_fresh_ = false;
    std::size_t i = 0;
    while (i < data.size()) {
        if (mode_ == mode::literal) {
            if (literal_.must_stream) {
                // The driver chose to feed a literal over max_body_literal.
                r.consumed = i;
                r.state = fail(make_error_code(errc::literal_too_large));
                r.error = error_;
                return r;
            }
            auto n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, data.size() - i));
            target().back().text.append(data.substr(i, n));
            i += n;
            literal_left_ -= n;
            total_ += n;
            if (literal_left_ == 0) mode_ = mode::line;
            continue;
        }
        auto nl = data.find('\n', i);
        std::size_t end = nl == std::string_view::npos ? data.size() : nl;
        if (line_.size() + (end - i) > limits_.max_line + 1) {  // +1: room for the CR
            r.consumed = i;
            r.state = fail(make_error_code(errc::line_too_long));
            r.error = error_;
            return r;
        }
        line_.append(data.substr(i, end - i));
        total_ += end - i;
        if (nl == std::string_view::npos) {
            i = data.size();
            break;
        }
        i = nl + 1;
        total_ += 1;
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        status st = total_ > limits_.max_response ? fail(make_error_code(errc::response_too_large)) : parse_segment();
        line_.clear();
        r.consumed = i;
        switch (st) {
        case status::error:
            r.state = status::error;
            r.error = error_;
            return r;
        case status::ready:
            mode_ = mode::done;
            r.state = status::ready;
            return r;
        case status::need_literal:
            literal_left_ = literal_size_;
            literal_fresh_ = true;
            mode_ = literal_left_ ? mode::literal : mode::line;
            r.state = status::need_literal;
            r.literal_size = literal_size_;
            return r;
        case status::need_more: break;
        }
    }
    if (total_ > limits_.max_response) {
        r.consumed = i;
        r.state = fail(make_error_code(errc::response_too_large));
        r.error = error_;
        return r;
    }
    r.consumed = i;
    r.state = status::need_more;
    return r;
}

response_parser::status response_parser::parse_segment() {
    std::string_view s = line_;
    // CR and NUL may appear only inside literals.
    if (s.find('\r') != std::string_view::npos || s.find('\0') != std::string_view::npos)
        return fail(make_error_code(errc::malformed_reply));
    std::size_t p = 0;
    if (!header_done_) {
        status st = parse_header(s, p);
        if (st != status::need_more) return st;
    }
    return parse_tokens(s, p);
}

// Reads what starts a response: "+", "*" [number] name, or tag name. Returns
// ready for responses that end on this line (continuations, status
// responses), need_more to go on with the untagged data tokens at p.
response_parser::status response_parser::parse_header(std::string_view s, std::size_t& p) {
    if (s.empty()) return fail(make_error_code(errc::malformed_reply));
    if (s[0] == '+') {
        // continue-req = "+" SP (resp-text / base64) CRLF. QUIRK(various):
        // a bare "+" without the space.
        current_.kind = response_kind::continuation;
        current_.text.assign(s.size() > 1 && s[1] == ' ' ? s.substr(2) : s.substr(1));
        return status::ready;
    }
    if (s[0] == '*') {
        if (s.size() < 2 || s[1] != ' ') return fail(make_error_code(errc::malformed_reply));
        current_.kind = response_kind::untagged;
        p = 2;
        if (p < s.size() && s[p] >= '0' && s[p] <= '9') {
            std::uint64_t n = 0;
            while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
                n = n * 10 + static_cast<std::uint64_t>(s[p] - '0');
                if (n > 0xffffffffULL) return fail(make_error_code(errc::malformed_reply));
                ++p;
            }
            if (p >= s.size() || s[p] != ' ') return fail(make_error_code(errc::malformed_reply));
            ++p;
            current_.number = static_cast<std::uint32_t>(n);
        }
    } else {
        while (p < s.size() && s[p] != ' ') {
            if (!is_tag_char(s[p])) return fail(make_error_code(errc::malformed_reply));
            ++p;
        }
        if (p == 0 || p >= s.size()) return fail(make_error_code(errc::malformed_reply));
        current_.kind = response_kind::tagged;
        current_.tag.assign(s.substr(0, p));
        ++p;
    }
    std::size_t start = p;
    while (p < s.size() && s[p] != ' ') {
        if (!is_atom_char(s[p])) return fail(make_error_code(errc::malformed_reply));
        current_.name += to_upper(s[p]);
        ++p;
    }
    if (p == start) return fail(make_error_code(errc::malformed_reply));
    header_done_ = true;

    const std::string& n = current_.name;
    condition c = condition::none;
    if (n == "OK") c = condition::ok;
    else if (n == "NO") c = condition::no;
    else if (n == "BAD") c = condition::bad;
    else if (n == "PREAUTH") c = condition::preauth;
    else if (n == "BYE") c = condition::bye;

    if (current_.kind == response_kind::tagged) {
        if (c != condition::ok && c != condition::no && c != condition::bad)
            return fail(make_error_code(errc::malformed_reply));
    }
    if (c != condition::none && !current_.number) {
        current_.cond = c;
        // QUIRK(various): "A1 NO" without text (RFC 9051 wants text).
        if (p < s.size()) parse_resp_text(s.substr(p + 1));
        return status::ready;
    }
    if (current_.kind == response_kind::tagged) return fail(make_error_code(errc::malformed_reply));
    return status::need_more;
}

// resp-text = ["[" resp-text-code "]" SP] [text]
void response_parser::parse_resp_text(std::string_view t) {
    if (!t.empty() && t.front() == '[') {
        auto close = t.find(']');
        if (close != std::string_view::npos) {
            std::string_view inner = t.substr(1, close - 1);
            auto sp = inner.find(' ');
            response_code code;
            for (char c : inner.substr(0, sp)) code.name += to_upper(c);
            if (sp != std::string_view::npos) code.text.assign(inner.substr(sp + 1));
            current_.code = std::move(code);
            t.remove_prefix(close + 1);
            if (!t.empty() && t.front() == ' ') t.remove_prefix(1);
        }
    }
    current_.text.assign(t);
}

std::error_code response_parser::literal_streamed() {
    if (!literal_fresh_ || mode_ == mode::failed || mode_ == mode::done || target().empty())
        return make_error_code(errc::invalid_state);
    token& t = target().back();
    t.streamed = true;
    t.text.clear();
    literal_fresh_ = false;
    literal_left_ = 0;
    mode_ = mode::line;
    return {};
}

// Fills literal_ for the literal of n octets about to be announced; the
// literal's token is not in the tree yet.
void response_parser::describe_literal(std::uint64_t n, bool binary) {
    literal_ = literal_info{};
    literal_.size = n;
    literal_.binary = binary;
    literal_.kind = current_.kind;
    literal_.response_name = current_.name;
    literal_.number = current_.number;
    literal_.depth = open_.size();
    if (in_fetch_items()) {
        const auto& items = *open_.front();
        // FETCH items alternate name, value: a value stands at an odd index.
        if (items.size() % 2 == 1 && items.back().kind == token_kind::atom) {
            literal_.fetch_item = items.back().text;
            literal_.message_content = is_content_item(literal_.fetch_item);
        }
        literal_.uid = fetch_uid_;
    }
}

// The innermost open list is the item list of "* n FETCH (...)" (an open
// list is already in its parent, the last of its items).
bool response_parser::in_fetch_items() const noexcept {
    return open_.size() == 1 && current_.kind == response_kind::untagged && current_.number &&
           current_.data.size() == 1 && current_.name == "FETCH";
}

token* response_parser::new_token(token_kind kind) {
    if (++tokens_ > limits_.max_tokens) return nullptr;
    token& t = target().emplace_back();
    t.kind = kind;
    return &t;
}

void response_parser::note_number(const token& t) {
    // "UID n" among the FETCH items: literals that follow know their UID.
    if (!in_fetch_items()) return;
    const auto& items = *open_.front();
    if (items.size() >= 2 && items.size() % 2 == 0 && items[items.size() - 2].is_atom("UID")) {
        auto v = t.as_number();
        if (v && *v >= 1 && *v <= 0xffffffffULL) fetch_uid_ = static_cast<std::uint32_t>(*v);
    }
}

response_parser::status response_parser::parse_tokens(std::string_view s, std::size_t p) {
    // The last "]" of the segment: a "[" after it has no partner, so the
    // search below never rescans the line (no quadratic time on "[[[[...").
    // Looked for at the first "[" in an atom only (most lines have none).
    std::size_t last_close = std::string_view::npos;
    bool last_close_known = false;
    for (;;) {
        if (p >= s.size()) {
            if (!open_.empty()) return fail(make_error_code(errc::malformed_reply));
            return status::ready;
        }
        char c = s[p];
        if (c == ' ') {
            // QUIRK(various): runs of spaces and a trailing space are tolerated.
            need_separator_ = false;
            list_closed_ = false;
            ++p;
            continue;
        }
        if (c == ')') {
            if (open_.empty()) return fail(make_error_code(errc::malformed_reply));
            open_.pop_back();  // the list is in its parent already
            need_separator_ = true;
            list_closed_ = true;
            ++p;
            continue;
        }
        // Lists may follow each other without a space: "1*body" in a
        // multipart BODYSTRUCTURE, "1*address" in ENVELOPE, NAMESPACE.
        if (need_separator_ && !(c == '(' && list_closed_)) return fail(make_error_code(errc::malformed_reply));
        list_closed_ = false;
        if (c == '(') {
            if (open_.size() >= limits_.max_depth) return fail(make_error_code(errc::too_deep));
            // The list goes into its parent now and is filled in place:
            // its parent does not change while it is open, so the pointer
            // to its items stays valid (no list is moved when it closes).
            token* list = new_token(token_kind::list);
            if (!list) return fail(make_error_code(errc::too_many_tokens));
            if (current_.name == "FETCH" && current_.kind == response_kind::untagged) {
                // Room for an address (4 items), an ENVELOPE or most FETCH
                // item lists at once (growing 1, 2, 4, 8 moved every token
                // each time). The room counts as tokens, so max_tokens
                // still bounds the memory: "()()()..." cannot multiply it.
                // Counted the same for a recycled list's storage, so that a
                // response is refused or taken alike with or without
                // recycling.
                tokens_ += 7;
                if (tokens_ > limits_.max_tokens) return fail(make_error_code(errc::too_many_tokens));
                if (spare_lists_.empty()) list->items.reserve(8);
            }
            if (!spare_lists_.empty() && list->items.capacity() == 0) {
                // A recycled list's storage (at most spare_list_capacity
                // tokens each, spare_lists_max of them).
                list->items = std::move(spare_lists_.back());
                spare_lists_.pop_back();
            }
            open_.push_back(&list->items);
            need_separator_ = false;
            ++p;
            continue;
        }
        if (c == '"') {
            token* tp = new_token(token_kind::quoted);
            if (!tp) return fail(make_error_code(errc::too_many_tokens));
            token& t = *tp;
            std::size_t q = p + 1;
            const char* base = s.data();
            std::size_t quote_at = 0;  // the next '"' at or after q (found again only once passed)
            for (;;) {
                // Runs between escapes are copied whole.
                // (Two memchr, not find_first_of: that calls memchr on
                // the two-byte set for every byte of the string. The '"'
                // is searched for again only when an escape went past it,
                // so many escapes before it stay linear.)
                if (quote_at < q) {
                    const void* dq = std::memchr(base + q, '"', s.size() - q);
                    if (!dq) return fail(make_error_code(errc::malformed_reply));
                    quote_at = static_cast<std::size_t>(static_cast<const char*>(dq) - base);
                }
                const void* bs = std::memchr(base + q, '\\', quote_at - q);
                const std::size_t stop = bs ? static_cast<std::size_t>(static_cast<const char*>(bs) - base) : quote_at;
                t.text.append(s.substr(q, stop - q));
                q = stop;
                if (s[q] == '"') break;
                // quoted-specials are the only escapes; QUIRK(various):
                // another escaped character stands for itself.
                if (q + 1 >= s.size()) return fail(make_error_code(errc::malformed_reply));
                t.text += s[q + 1];
                q += 2;
            }
            p = q + 1;
            need_separator_ = true;
            continue;
        }
        if (c == '{' || (c == '~' && p + 1 < s.size() && s[p + 1] == '{')) {
            // literal = "{" number64 ["+"] "}" CRLF *CHAR8; literal8 = "~{" ...
            const bool binary = c == '~';
            std::size_t q = p + (binary ? 2 : 1);
            std::size_t digits_start = q;
            std::uint64_t n = 0;
            while (q < s.size() && s[q] >= '0' && s[q] <= '9') {
                auto d = static_cast<std::uint64_t>(s[q] - '0');
                if (n > (max_literal_size - d) / 10) return fail(make_error_code(errc::literal_too_large));
                n = n * 10 + d;
                ++q;
            }
            if (q == digits_start) return fail(make_error_code(errc::malformed_reply));
            if (q < s.size() && s[q] == '+') ++q;
            if (q >= s.size() || s[q] != '}' || q + 1 != s.size()) return fail(make_error_code(errc::malformed_reply));
            describe_literal(n, binary);
            if (literal_.message_content) literal_.must_stream = n > limits_.max_body_literal;
            else if (n > limits_.max_literal) return fail(make_error_code(errc::literal_too_large));
            token* t = new_token(token_kind::literal);
            if (!t) return fail(make_error_code(errc::too_many_tokens));
            t->size = n;
            t->binary = binary;
            literal_size_ = n;
            need_separator_ = true;
            return status::need_literal;
        }
        // An atom. "[" opens a section that runs to its "]" and may hold
        // spaces and parentheses: BODY[HEADER.FIELDS (FROM TO)]<0>.
        std::size_t q = p;
        while (q < s.size()) {
            char d = s[q];
            if (d == '[' && !last_close_known) {
                last_close = s.rfind(']');
                last_close_known = true;
            }
            if (d == '[' && last_close != std::string_view::npos && last_close > q) {
                q = s.find(']', q + 1) + 1;
                continue;
            }
            if (!is_data_atom_char(d)) break;
            ++q;
        }
        if (q == p) return fail(make_error_code(errc::malformed_reply));  // '{' or CTL where a token was due
        const std::string_view a = s.substr(p, q - p);
        const bool nil = net::ascii::iequals(a, "NIL");
        const bool number = !nil && all_digits(a);
        token* t = new_token(nil ? token_kind::nil : number ? token_kind::number : token_kind::atom);
        if (!t) return fail(make_error_code(errc::too_many_tokens));
        if (!nil) t->text.assign(a);
        if (number) note_number(*t);
        p = q;
        need_separator_ = true;
    }
}

} // namespace pigeon::imap
