// The HTML-to-text converter: a small tokenizer (text, character
// references, tags, comments, raw-text elements) driving a line layout
// (collapsed whitespace, block breaks, list bullets, quote markers, links).
// Everything it holds is bounded; see html_text.hpp for the rules.
#include <pigeon/mime/html_text.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "html_text.hpp"

namespace pigeon::mime {

namespace {

constexpr std::size_t k_max_reference = 40;  // characters after '&' looked at
constexpr std::size_t k_max_lists = 256;     // list levels remembered (deeper ones only counted)

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) noexcept { return is_alpha(c) || (c >= '0' && c <= '9'); }
char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_control(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && !is_space(c)) || u == 0x7F;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != prefix[i]) return false;
    return true;
}

// Elements whose content is never shown: skipped as raw text up to their end tag.
bool is_dropped_raw(std::string_view n) noexcept {
    return n == "script" || n == "style" || n == "title" || n == "template" || n == "iframe" || n == "noembed" ||
           n == "noframes";
}

// Elements allowed in <head>; any other start tag ends the head.
bool is_head_element(std::string_view n) noexcept {
    return n == "meta" || n == "link" || n == "base" || n == "basefont" || n == "bgsound" || n == "noscript" ||
           n == "head" || n == "html" || is_dropped_raw(n);
}

// Blocks set off by a blank line.
bool is_paragraph(std::string_view n) noexcept {
    return n == "p" || n == "pre" || n == "blockquote" || n == "dl" || n == "hr" || n == "figure" ||
           (n.size() == 2 && n[0] == 'h' && n[1] >= '1' && n[1] <= '6');
}

// Blocks that start and end a line.
bool is_block(std::string_view n) noexcept {
    static constexpr std::string_view names[] = {
        "address", "article", "aside",  "body",   "caption",  "center", "dd",      "details", "dialog",
        "dir",     "div",     "dt",     "fieldset", "figcaption", "footer", "form", "header",  "hgroup",
        "legend",  "li",      "main",   "menu",   "nav",      "ol",     "option",  "section", "summary",
        "table",   "tbody",   "tfoot",  "thead",  "tr",       "ul",     "html",
    };
    for (auto x : names)
        if (x == n) return true;
    return is_paragraph(n);
}

// The value of attribute `want` in the text of a tag after its name.
bool find_attribute(std::string_view attrs, std::string_view want, std::string& value) {
    std::size_t i = 0;
    const std::size_t n = attrs.size();
    while (i < n) {
        while (i < n && (is_space(attrs[i]) || attrs[i] == '/')) ++i;
        std::size_t name_start = i;
        while (i < n && !is_space(attrs[i]) && attrs[i] != '=' && attrs[i] != '/') ++i;
        std::string_view name = attrs.substr(name_start, i - name_start);
        while (i < n && is_space(attrs[i])) ++i;
        std::string_view val;
        bool has_value = false;
        if (i < n && attrs[i] == '=') {
            ++i;
            while (i < n && is_space(attrs[i])) ++i;
            has_value = true;
            if (i < n && (attrs[i] == '"' || attrs[i] == '\'')) {
                char q = attrs[i++];
                std::size_t vs = i;
                while (i < n && attrs[i] != q) ++i;
                val = attrs.substr(vs, i - vs);
                if (i < n) ++i;
            } else {
                std::size_t vs = i;
                while (i < n && !is_space(attrs[i])) ++i;
                val = attrs.substr(vs, i - vs);
            }
        }
        if (name.empty()) {
            if (i == name_start) ++i; // a stray character: skip it
            continue;
        }
        if (name.size() == want.size() && iequals_prefix(name, want)) {
            value = has_value ? decode_html_entities(val, true) : std::string();
            return true;
        }
    }
    return false;
}

// Cuts s to at most max bytes at a UTF-8 character boundary.
void cut_utf8(std::string& s, std::size_t max) {
    if (s.size() <= max) return;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
}

} // namespace

struct html_text_converter::impl {
    enum class state {
        text,
        reference,  // after '&'
        lt,         // after '<'
        end_open,   // after "</"
        tag,        // inside a start or end tag
        decl,       // after "<!"
        comment,    // inside <!-- -->
        bogus,      // <? ...>, <!DOCTYPE ...>, </ 3>: skipped to '>'
        raw,        // content of script/style/...: skipped to its end tag
        done,
    };
    struct list_level {
        bool ordered = false;
        long counter = 0;
    };

    html_text_options opt;
    state st = state::text;

    // tokenizer
    std::string ref;        // characters after '&'
    std::string tag;        // tag text after '<' (bounded by max_tag_bytes)
    char quote = 0;         // open quote inside a tag
    char last_in_tag = 0;   // last non-blank character of the tag seen
    bool decl_dash = false; // "<!-" seen
    std::size_t comment_len = 0;
    std::size_t dashes = 0;
    std::string raw_name;   // element whose content is being skipped
    std::size_t raw_match = 0;

    // layout
    bool wrote = false;          // some text written
    std::size_t trailing = 0;    // line ends at the end of the output
    std::size_t pending = 0;     // line ends wanted before the next text
    std::size_t break_quote = SIZE_MAX; // quote depth for blank lines of the pending break
    bool space = false;          // a collapsed blank is pending
    std::size_t quote_depth = 0;
    std::size_t pre = 0;
    bool pre_skip_newline = false;
    bool in_head = false;
    std::vector<list_level> lists;
    std::size_t lists_overflow = 0;
    std::string bullet;          // bullet for the next line ("" none)
    bool link = false;
    std::string href;
    std::string link_text;
    bool link_text_overflow = false;

    explicit impl(const html_text_options& o) : opt(o) {}

    // ---- layout -------------------------------------------------------

    std::size_t shown_quotes() const { return std::min(quote_depth, opt.max_nesting); }
    std::size_t list_depth() const { return lists.size() + lists_overflow; }

    void quote_markers(std::string& out, std::size_t depth, bool blank_line) {
        depth = std::min(depth, opt.max_nesting);
        for (std::size_t i = 0; i < depth; ++i) out += (blank_line && i + 1 == depth) ? ">" : "> ";
    }

    void newline(std::string& out) {
        if (trailing > 0) quote_markers(out, std::min(break_quote, quote_depth), true); // a blank line
        out += '\n';
        ++trailing;
    }

    void flush_breaks(std::string& out) {
        if (!wrote) pending = 0;
        while (trailing < pending) newline(out);
        pending = 0;
        break_quote = SIZE_MAX;
    }

    void start_line(std::string& out) {
        quote_markers(out, quote_depth, false);
        std::size_t depth = std::min(list_depth(), opt.max_nesting);
        if (!bullet.empty()) {
            out.append(2 * (depth > 0 ? depth - 1 : 0), ' ');
            out += bullet;
            bullet.clear();
        } else {
            out.append(2 * depth, ' ');
        }
    }

    void emit(std::string_view s, std::string& out) {
        if (s.empty() || in_head) return;
        flush_breaks(out);
        if (!wrote || trailing > 0) {
            start_line(out);
            space = false;
        } else if (space) {
            out += ' ';
            if (link) add_link_text(" ");
        }
        space = false;
        out.append(s);
        if (link) add_link_text(s);
        trailing = 0;
        wrote = true;
    }

    void block(std::size_t lines) {
        space = false;
        if (!wrote) return;
        pending = std::max(pending, lines);
        break_quote = std::min(break_quote, quote_depth);
    }

    void line_break() {
        space = false;
        if (!wrote) return;
        pending = std::min<std::size_t>(std::max(pending, trailing) + 1, 2);
        break_quote = std::min(break_quote, quote_depth);
    }

    void whitespace(char c, std::string& out) {
        if (pre == 0) {
            space = true;
            return;
        }
        if (c == '\r' || c == '\f') return; // CR LF is one line end; CR alone is rare enough to drop
        if (c == '\n') {
            if (pre_skip_newline) {
                pre_skip_newline = false;
                return;
            }
            if (in_head) return;
            flush_breaks(out);
            newline(out);
            wrote = true;
            return;
        }
        pre_skip_newline = false;
        emit(std::string_view(&c, 1), out); // a space or a tab, kept as is
    }

    void text_run(std::string_view s, std::string& out) {
        pre_skip_newline = false;
        emit(s, out);
    }

    void code_point(char32_t cp, std::string& out) {
        if (cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r' || cp == U'\f') {
            whitespace(static_cast<char>(cp), out);
            return;
        }
        if (cp == 0xAD) return; // soft hyphen: invisible
        pre_skip_newline = false;
        if (cp == 0xA0) { // no-break space: a blank that does not collapse
            emit(" ", out);
            return;
        }
        std::string u;
        detail::append_utf8(u, cp);
        emit(u, out);
    }

    // ---- links and elements --------------------------------------------

    void add_link_text(std::string_view s) {
        if (link_text.size() + s.size() > opt.max_url_bytes + 16) link_text_overflow = true;
        else link_text.append(s);
    }

    void start_link(std::string_view attrs, std::string& out) {
        end_link(out);
        std::string value;
        if (!find_attribute(attrs, "href", value)) return;
        href.clear();
        for (char c : value)
            if (!is_space(c) && !is_control(c)) href.push_back(c);
        link = true;
        link_text.clear();
        link_text_overflow = false;
    }

    void end_link(std::string& out) {
        if (!link) return;
        link = false;
        if (!opt.show_links || href.empty() || href[0] == '#' || iequals_prefix(href, "javascript:") ||
            iequals_prefix(href, "data:"))
            return;
        std::string_view text = link_text;
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
        if (!link_text_overflow) {
            if (text == href) return;
            if (iequals_prefix(href, "mailto:") && text == std::string_view(href).substr(7)) return;
        }
        std::string shown = href;
        if (shown.size() > opt.max_url_bytes) {
            cut_utf8(shown, opt.max_url_bytes);
            shown += "...";
        }
        if (!text.empty()) space = true;
        emit("<" + shown + ">", out);
    }

    void image(std::string_view attrs, std::string& out) {
        if (!opt.show_image_alt) return;
        std::string alt;
        if (!find_attribute(attrs, "alt", alt)) return;
        std::string collapsed;
        bool blank = false;
        for (char c : alt) {
            if (is_space(c) || is_control(c)) {
                blank = !collapsed.empty();
                continue;
            }
            if (blank) collapsed += ' ';
            blank = false;
            collapsed += c;
        }
        if (collapsed.empty()) return;
        emit("[" + collapsed + "]", out);
    }

    void start_list(bool ordered, std::string_view attrs) {
        block(list_depth() == 0 ? 2 : 1);
        if (lists.size() >= k_max_lists) {
            ++lists_overflow;
            return;
        }
        list_level l;
        l.ordered = ordered;
        if (ordered) {
            std::string v;
            if (find_attribute(attrs, "start", v)) {
                long n = 0;
                bool neg = !v.empty() && v[0] == '-';
                for (std::size_t i = neg ? 1 : 0; i < v.size() && v[i] >= '0' && v[i] <= '9' && n < 1000000000; ++i)
                    n = n * 10 + (v[i] - '0');
                l.counter = (neg ? -n : n) - 1;
            }
        }
        lists.push_back(l);
    }

    void end_list() {
        if (lists_overflow > 0) --lists_overflow;
        else if (!lists.empty()) lists.pop_back();
        block(list_depth() == 0 ? 2 : 1);
    }

    void list_item() {
        block(1);
        if (lists_overflow > 0 || lists.empty() || !lists.back().ordered) {
            bullet = "* ";
        } else {
            bullet = std::to_string(++lists.back().counter) + ". ";
        }
    }

    void start_tag(std::string_view name, std::string_view attrs, std::string& out) {
        if (in_head && !is_head_element(name)) in_head = false;
        if (is_dropped_raw(name)) {
            raw_name.assign(name);
            raw_match = 0;
            st = state::raw;
            return;
        }
        if (name == "head") { in_head = true; return; }
        if (name == "body") { in_head = false; }
        if (name == "br") { line_break(); return; }
        if (name == "a") { start_link(attrs, out); return; }
        if (name == "img") { image(attrs, out); return; }
        if (name == "ul" || name == "ol" || name == "dir" || name == "menu") {
            start_list(name == "ol", attrs);
            return;
        }
        if (name == "li") { list_item(); return; }
        if (name == "td" || name == "th") { space = true; return; }
        if (name == "hr") {
            block(2);
            emit("----------", out);
            block(2);
            return;
        }
        if (name == "blockquote") {
            block(2);
            ++quote_depth;
            return;
        }
        if (name == "pre" || name == "listing" || name == "xmp") {
            block(2);
            ++pre;
            pre_skip_newline = true;
            return;
        }
        if (is_block(name)) block(is_paragraph(name) ? 2 : 1);
    }

    void end_tag(std::string_view name, std::string& out) {
        if (name == "head") { in_head = false; return; }
        if (name == "a") { end_link(out); return; }
        if (name == "br") { line_break(); return; } // </br> acts as <br>, as in browsers
        if (name == "ul" || name == "ol" || name == "dir" || name == "menu") { end_list(); return; }
        if (name == "blockquote") {
            if (quote_depth > 0) --quote_depth;
            block(2);
            return;
        }
        if (name == "pre" || name == "listing" || name == "xmp") {
            if (pre > 0) --pre;
            pre_skip_newline = false;
            block(2);
            return;
        }
        if (is_block(name)) block(is_paragraph(name) ? 2 : 1);
    }

    void handle_tag(std::string& out) {
        std::string_view t = tag;
        bool end = !t.empty() && t[0] == '/';
        if (end) t.remove_prefix(1);
        std::size_t n = 0;
        while (n < t.size() && !is_space(t[n]) && t[n] != '/') ++n;
        std::string name(t.substr(0, n));
        for (char& c : name) c = lower(c);
        std::string_view attrs = t.substr(n);
        st = state::text;
        if (end) end_tag(name, out);
        else start_tag(name, attrs, out);
    }

    // ---- character references -------------------------------------------

    void flush_reference(bool semicolon, int next, std::string& out) {
        detail::html_reference r = detail::resolve_html_reference(ref, semicolon, next, false);
        if (r.code_point == 0) {
            text_run("&", out);
            if (!ref.empty()) text_run(ref, out);
        } else {
            code_point(r.code_point, out);
            if (r.used < ref.size()) text_run(std::string_view(ref).substr(r.used), out);
        }
        if (semicolon && !r.used_semicolon) text_run(";", out);
        ref.clear();
    }

    // ---- tokenizer --------------------------------------------------------

    void feed(std::string_view in, std::string& out) {
        std::size_t i = 0;
        while (i < in.size()) {
            if (st == state::text) {
                // Fast path: a run of ordinary characters.
                std::size_t j = i;
                while (j < in.size()) {
                    char c = in[j];
                    if (c == '<' || c == '&' || is_space(c) || is_control(c)) break;
                    ++j;
                }
                if (j > i) {
                    text_run(in.substr(i, j - i), out);
                    i = j;
                    continue;
                }
            }
            step(in[i], out);
            ++i;
        }
    }

    void step(char c, std::string& out) {
        switch (st) {
        case state::text:
            if (c == '<') st = state::lt;
            else if (c == '&') { st = state::reference; ref.clear(); }
            else if (is_space(c)) whitespace(c, out);
            else if (is_control(c)) code_point(0xFFFD, out);
            else text_run(std::string_view(&c, 1), out);
            return;
        case state::reference:
            if (ref.size() < k_max_reference && (is_alnum(c) || (c == '#' && ref.empty()))) {
                ref.push_back(c);
                return;
            }
            st = state::text;
            if (c == ';') {
                flush_reference(true, ';', out);
                return;
            }
            flush_reference(false, static_cast<unsigned char>(c), out);
            step(c, out);
            return;
        case state::lt:
            if (c == '!') { st = state::decl; decl_dash = false; }
            else if (c == '/') st = state::end_open;
            else if (is_alpha(c)) begin_tag(std::string(1, c));
            else if (c == '?') st = state::bogus;
            else {
                st = state::text;
                text_run("<", out);
                step(c, out);
            }
            return;
        case state::end_open:
            if (is_alpha(c)) begin_tag(std::string{'/', c});
            else if (c == '>') st = state::text;
            else st = state::bogus;
            return;
        case state::tag:
            tag_char(c, out);
            return;
        case state::decl:
            if (c == '-' && !decl_dash) decl_dash = true;
            else if (c == '-' && decl_dash) { st = state::comment; comment_len = 0; dashes = 0; }
            else if (c == '>') st = state::text;
            else st = state::bogus;
            return;
        case state::comment:
            if (c == '>' && (dashes >= 2 || comment_len == 0 || (comment_len == 1 && dashes == 1))) {
                st = state::text;
                return;
            }
            dashes = c == '-' ? dashes + 1 : 0;
            if (comment_len < 2) ++comment_len;
            return;
        case state::bogus:
            if (c == '>') st = state::text;
            return;
        case state::raw:
            raw_char(c, out);
            return;
        case state::done:
            return;
        }
    }

    void begin_tag(std::string start) {
        tag = std::move(start);
        quote = 0;
        last_in_tag = tag.back();
        st = state::tag;
    }

    void tag_char(char c, std::string& out) {
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '>') {
            handle_tag(out);
            return;
        } else if ((c == '"' || c == '\'') && last_in_tag == '=') {
            quote = c;
        }
        if (!is_space(c)) last_in_tag = c;
        if (tag.size() < opt.max_tag_bytes) tag.push_back(c);
    }

    void raw_char(char c, std::string& out) {
        // raw_match: 0 nothing, 1 "<", 2 "</", 2+k "</" and k letters of the name.
        if (raw_match == 0) {
            if (c == '<') raw_match = 1;
            return;
        }
        if (raw_match == 1) {
            raw_match = c == '/' ? 2 : c == '<' ? 1 : 0;
            return;
        }
        std::size_t k = raw_match - 2;
        if (k < raw_name.size()) {
            if (lower(c) == raw_name[k]) ++raw_match;
            else raw_match = c == '<' ? 1 : 0;
            return;
        }
        if (is_space(c) || c == '/' || c == '>') {
            begin_tag("/" + raw_name);
            tag_char(c, out);
            return;
        }
        raw_match = c == '<' ? 1 : 0;
    }

    void finish(std::string& out) {
        switch (st) {
        case state::reference: flush_reference(false, -1, out); break;
        case state::lt: text_run("<", out); break;
        case state::end_open: text_run("</", out); break;
        default: break; // an unfinished tag, comment or skipped element is dropped
        }
        st = state::done;
        end_link(out);
        in_head = false;
        if (wrote && trailing == 0) {
            out += '\n';
            trailing = 1;
        }
    }
};

html_text_converter::html_text_converter(const html_text_options& opts) : impl_(std::make_unique<impl>(opts)) {}
html_text_converter::~html_text_converter() = default;
html_text_converter::html_text_converter(html_text_converter&&) noexcept = default;
html_text_converter& html_text_converter::operator=(html_text_converter&&) noexcept = default;

void html_text_converter::feed(std::string_view html, std::string& out) { impl_->feed(html, out); }
void html_text_converter::finish(std::string& out) {
    if (impl_->st != impl::state::done) impl_->finish(out);
}
void html_text_converter::reset() { impl_ = std::make_unique<impl>(impl_->opt); }

std::string html_to_text(std::string_view html, const html_text_options& opts) {
    html_text_converter c(opts);
    std::string out;
    c.feed(html, out);
    c.finish(out);
    return out;
}

std::string decode_html_entities(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c != '&') {
            out.push_back(c);
            ++i;
            continue;
        }
        std::size_t j = i + 1;
        while (j < text.size() && j - i - 1 < k_max_reference && (is_alnum(text[j]) || (text[j] == '#' && j == i + 1)))
            ++j;
        std::string_view name = text.substr(i + 1, j - i - 1);
        bool semicolon = j < text.size() && text[j] == ';';
        int next = j < text.size() ? static_cast<unsigned char>(text[j]) : -1;
        detail::html_reference r = detail::resolve_html_reference(name, semicolon, next, attribute);
        if (r.code_point == 0) {
            out.push_back('&');
            i += 1;
            continue;
        }
        detail::append_utf8(out, r.code_point);
        i += 1 + r.used + (r.used_semicolon ? 1 : 0);
    }
    return out;
}

} // namespace pigeon::mime
