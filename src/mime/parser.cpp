// The streaming MIME parser. See parser.hpp for the event contract.
//
// Two modes:
//  - headers: lines are classified one at a time (blank / delimiter /
//    continuation / field / not-a-header). A line that crosses feed() calls
//    is copied into line_ (bounded); a complete line inside the input is
//    read in place.
//  - body: memchr finds line ends; only a line starting with '-' can be a
//    delimiter, and only when some multipart is open. The line end before a
//    delimiter belongs to the delimiter, so the last line end seen is held
//    back (with a possible partial delimiter line) in hold_ -- at most one
//    check window -- until the next line shows what it is.
#include <pigeon/mime/error.hpp>
#include <pigeon/mime/header.hpp>
#include <pigeon/mime/parser.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "detail/ascii.hpp"

namespace pigeon::mime {

namespace {

// Header name characters (RFC 5322 ftext: printable ASCII except ':'),
// matching the test Python's email.feedparser uses.
struct name_table {
    bool ok[256];
    constexpr name_table() : ok() {
        for (int c = 33; c <= 126; ++c) ok[c] = (c != ':');
    }
};
constexpr name_table k_name;

inline bool is_name_char(char c) noexcept { return k_name.ok[static_cast<unsigned char>(c)]; }

std::size_t eol_length_at_end(std::string_view s) noexcept {
    if (s.empty() || s.back() != '\n') return 0;
    return (s.size() >= 2 && s[s.size() - 2] == '\r') ? 2 : 1;
}

} // namespace

struct parser::impl {
    parser_handler& h;
    parser_limits lim;

    enum class mode { headers, body, done };
    mode state = mode::headers;
    std::uint64_t offset = 0;
    std::uint32_t all_defects = 0;
    std::size_t parts = 0;

    struct frame {
        part_kind kind;
        std::string boundary;
        std::size_t depth;
        std::uint32_t defects;
        bool digest;
        bool closed;
        bool saw_delimiter;
    };
    std::vector<frame> stack;
    std::vector<std::size_t> active; // indices into stack of open multiparts, outermost first
    std::size_t window = 0;          // longest possible delimiter line (with its line end)

    // ---- header block state
    std::size_t block_depth = 0;
    bool block_digest = false;
    std::uint64_t block_offset = 0;
    std::uint64_t block_bytes = 0;
    bool block_over = false;
    bool block_first_line = true;
    std::uint32_t block_defects = 0;
    std::string line;          // a line crossing feed() calls (capped)
    std::uint64_t line_offset = 0;
    std::uint64_t line_full = 0; // full length of that line so far
    bool line_skip = false;      // classified already; discarding the rest of the line
    std::string field;           // raw lines of the field being read (when copied)
    const char* field_ptr = nullptr; // ... or a view into the current input
    std::size_t field_size = 0;
    bool field_external = false;     // the field is the view above
    std::uint64_t field_offset = 0;
    std::uint64_t field_len = 0;
    bool have_field = false;
    bool field_truncated = false;
    std::string ct_raw, cte_raw;
    bool have_ct = false, have_cte = false;

    // ---- body state
    enum class hold_kind { none, cr, line };
    hold_kind hold_state = hold_kind::none;
    std::string hold;            // [line end][partial line]
    std::size_t hold_eol = 0;    // length of the line end at the front of hold
    std::uint64_t hold_offset = 0;

    impl(parser_handler& handler, const parser_limits& l) : h(handler), lim(l) { begin_headers(0, false, 0); }

    // ------------------------------------------------------------ helpers

    std::size_t line_cap() const noexcept {
        std::size_t w = lim.max_boundary_length + lim.max_boundary_whitespace + 8;
        std::uint64_t left = block_bytes >= lim.max_header_bytes ? 0 : lim.max_header_bytes - block_bytes;
        return std::max<std::size_t>(w, static_cast<std::size_t>(std::min<std::uint64_t>(left, SIZE_MAX / 2)));
    }

    void recompute_active() {
        active.clear();
        std::size_t longest = 0;
        for (std::size_t i = 0; i < stack.size(); ++i) {
            const frame& f = stack[i];
            if (f.kind == part_kind::multipart && !f.closed) {
                active.push_back(i);
                longest = std::max(longest, f.boundary.size());
            }
        }
        window = 2 + longest + 2 + lim.max_boundary_whitespace + 2;
    }

    body_section section() const noexcept {
        if (stack.empty()) return body_section::content;
        const frame& f = stack.back();
        if (f.kind == part_kind::multipart)
            return f.closed || f.saw_delimiter ? body_section::epilogue : body_section::preamble;
        return body_section::content;
    }

    void emit(const char* p, std::size_t n, std::uint64_t off) {
        if (n > 0) h.on_body(std::string_view(p, n), off, section());
    }

    struct match {
        std::size_t frame;
        bool close;
    };

    // Is line (without its LF) a delimiter of an open multipart? Innermost first.
    bool match_boundary(std::string_view ln, match& m) {
        if (ln.size() < 2 || ln[0] != '-' || ln[1] != '-' || active.empty()) return false;
        if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
        std::size_t ws = 0;
        while (!ln.empty() && detail::is_blank(ln.back())) {
            ln.remove_suffix(1);
            ++ws;
        }
        if (ws > lim.max_boundary_whitespace) return false;
        std::string_view rest = ln.substr(2);
        for (std::size_t k = active.size(); k-- > 0;) {
            const frame& f = stack[active[k]];
            const std::string& b = f.boundary;
            bool close;
            if (rest.size() == b.size()) close = false;
            else if (rest.size() == b.size() + 2 && rest[b.size()] == '-' && rest[b.size() + 1] == '-') close = true;
            else continue;
            if (std::memcmp(rest.data(), b.data(), b.size()) != 0) continue;
            if (!close && parts >= lim.max_parts) {
                stack[active[k]].defects |= part_limit;
                all_defects |= part_limit;
                return false;
            }
            m = {active[k], close};
            return true;
        }
        return false;
    }

    // Could a line starting with prefix p (no LF yet) still become a delimiter?
    bool could_be_delimiter(std::string_view p) const noexcept {
        if (p.empty()) return true;
        if (p[0] != '-') return false;
        if (p.size() == 1) return true;
        if (p[1] != '-') return false;
        std::string_view rest = p.substr(2);
        for (std::size_t idx : active) {
            const std::string& b = stack[idx].boundary;
            if (rest.size() <= b.size()) {
                if (std::string_view(b).substr(0, rest.size()) == rest) return true;
            } else if (rest.substr(0, b.size()) == b) {
                std::string_view tail = rest.substr(b.size());
                bool ok = true;
                for (char c : tail)
                    if (c != '-' && c != ' ' && c != '\t' && c != '\r') { ok = false; break; }
                if (ok) return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ structure

    void begin_headers(std::size_t depth, bool digest, std::uint64_t at) {
        state = mode::headers;
        block_depth = depth;
        block_digest = digest;
        block_offset = at;
        block_bytes = 0;
        block_over = false;
        block_first_line = true;
        block_defects = 0;
        line.clear();
        line_full = 0;
        line_skip = false;
        field.clear();
        have_field = false;
        field_external = false;
        field_truncated = false;
        have_ct = have_cte = false;
        ct_raw.clear();
        cte_raw.clear();
    }

    // A field read in place points into the caller's input, which is only
    // valid during feed(): copy it before returning.
    void materialize_field() {
        if (have_field && field_external) {
            field.assign(field_ptr, field_size);
            field_external = false;
        }
    }

    void flush_field() {
        if (!have_field) return;
        have_field = false;
        std::string_view f = field_external ? std::string_view(field_ptr, field_size) : std::string_view(field);
        field_external = false;
        f.remove_suffix(eol_length_at_end(f));
        std::size_t colon = f.find(':');
        std::string_view name = f.substr(0, colon);
        std::string_view value = f.substr(colon + 1);
        while (!value.empty() && detail::is_blank(value.front())) value.remove_prefix(1);
        if (!have_ct && iequals(name, "content-type")) {
            have_ct = true;
            ct_raw.assign(value);
        } else if (!have_cte && iequals(name, "content-transfer-encoding")) {
            have_cte = true;
            cte_raw.assign(value);
        }
        h.on_header(header_event{name, value, field_offset, field_len, field_truncated});
        field_truncated = false;
    }

    // Ends the header block at sep_offset with a blank line of sep_len bytes,
    // announces the part and enters its body (or its enclosed message).
    void end_headers(std::uint64_t sep_offset, std::size_t sep_len) {
        flush_field();
        h.on_headers_end(sep_offset, sep_len);
        std::uint64_t body_offset = sep_offset + sep_len;

        content_type ct;
        if (have_ct) {
            auto r = parse_content_type(ct_raw);
            if (r.ok) ct = std::move(r.value);
            else {
                ct = default_content_type(block_digest);
                block_defects |= bad_content_type;
            }
        } else {
            ct = default_content_type(block_digest);
        }
        const std::size_t depth = block_depth;
        part_kind kind = part_kind::leaf;
        std::string boundary;
        if (ct.is_multipart()) {
            std::string_view b = ct.boundary();
            if (b.empty()) block_defects |= missing_boundary;
            else if (b.size() > lim.max_boundary_length) block_defects |= boundary_too_long;
            else if (depth >= lim.max_depth) block_defects |= depth_limit;
            else {
                kind = part_kind::multipart;
                boundary.assign(b);
            }
        } else if (ct.is_message()) {
            if (!is_identity(parse_transfer_encoding(cte_raw))) block_defects |= encoded_message;
            else if (depth >= lim.max_depth) block_defects |= depth_limit;
            else if (parts + 1 >= lim.max_parts) block_defects |= part_limit;
            else kind = part_kind::message;
        }
        all_defects |= block_defects;
        part_info info{ct, std::string_view(cte_raw), kind, depth, parts, block_offset, body_offset, block_defects};
        ++parts;
        h.on_part_begin(info);
        stack.push_back(frame{kind, std::move(boundary), depth, block_defects, ct.is("multipart", "digest"), false, false});
        if (kind == part_kind::multipart) recompute_active();
        if (kind == part_kind::message) {
            begin_headers(depth + 1, false, body_offset);
        } else {
            state = mode::body;
            hold.clear();
            hold_eol = 0;
            hold_offset = body_offset;
            hold_state = hold_kind::line; // at a line start, no line end before it
        }
    }

    void end_part(std::uint64_t end) {
        frame& f = stack.back();
        std::uint32_t d = f.defects;
        if (f.kind == part_kind::multipart && !f.closed) {
            d |= missing_close_boundary;
            if (!f.saw_delimiter) d |= missing_first_boundary;
        }
        all_defects |= d;
        const bool was_active = f.kind == part_kind::multipart && !f.closed;
        part_end_info e{f.depth, end, end, d};
        stack.pop_back();
        if (was_active) recompute_active();
        h.on_part_end(e);
    }

    // A delimiter line [off, off + len) of stack[m.frame] was found; any body
    // bytes before it have been emitted.
    void on_delimiter(const match& m, std::uint64_t off, std::uint64_t len) {
        while (stack.size() > m.frame + 1) end_part(off);
        hold.clear();
        hold_state = hold_kind::none;
        h.on_boundary(off, len, m.close);
        frame& f = stack[m.frame];
        if (m.close) {
            f.closed = true;
            recompute_active();
            state = mode::body;
            hold_offset = off + len;
            hold_eol = 0;
            hold_state = hold_kind::line;
        } else {
            f.saw_delimiter = true;
            const std::size_t d = f.depth + 1;
            const bool dg = f.digest;
            begin_headers(d, dg, off + len);
        }
    }

    // ------------------------------------------------------------ headers

    enum class line_result { header, ended, to_body };

    // Classifies one header line: ln is the complete line (with its LF, if
    // any) or, when complete is false, its first line_cap() bytes. full is
    // the number of bytes ln stands for, off its offset. to_body means the
    // line is not a header: the block ended before it and the caller passes
    // the line on as body.
    line_result header_line(std::string_view ln, std::uint64_t full, std::uint64_t off, bool complete,
                            bool in_place = false) {
        if (full > lim.max_line_length + 2) block_defects |= long_line;
        // Delimiter of an enclosing multipart? (checked first, like Python's
        // feedparser: a delimiter ends the part wherever it appears)
        if (complete && !active.empty() && ln.size() >= 2 && ln[0] == '-' && ln[1] == '-') {
            std::string_view body = ln;
            if (body.back() == '\n') body.remove_suffix(1);
            match m;
            if (match_boundary(body, m)) {
                block_defects |= missing_header_separator;
                end_block_at(off);
                on_delimiter(m, off, full);
                return line_result::ended;
            }
        }
        if (complete && (ln == "\n" || ln == "\r\n")) {
            flush_field();
            end_headers(off, ln.size());
            return line_result::ended;
        }
        const bool first = block_first_line;
        block_first_line = false;
        const std::uint64_t before = block_bytes;
        block_bytes += full;
        bool store = !block_over;
        if (store && block_bytes > lim.max_header_bytes) {
            block_over = true;
            block_defects |= header_limit;
            store = false;
            if (have_field) field_truncated = true;
        }
        if (detail::is_blank(ln[0])) {
            if (!have_field) {
                block_defects |= orphan_continuation;
            } else if (store) {
                if (field_external && in_place && ln.data() == field_ptr + field_size) {
                    field_size += ln.size();
                } else {
                    materialize_field();
                    field.append(ln);
                }
                field_len += full;
                if (!complete) field_truncated = true;
            }
            return line_result::header;
        }
        // mbox envelope line at the very top: kept in the raw block only.
        if (first && stack.empty() && ln.size() >= 5 && ln.compare(0, 5, "From ") == 0) return line_result::header;
        std::size_t k = 0;
        while (k < ln.size() && is_name_char(ln[k])) ++k;
        if (k < ln.size() && ln[k] == ':') {
            flush_field();
            if (store) {
                if (in_place) {
                    field_ptr = ln.data();
                    field_size = ln.size();
                    field_external = true;
                } else {
                    field.assign(ln);
                    field_external = false;
                }
                field_offset = off;
                field_len = full;
                have_field = true;
                field_truncated = !complete;
            }
            return line_result::header;
        }
        // Name characters up to the cap and no colon: unreadable, skipped.
        if (k == ln.size() && !complete) return line_result::header;
        // Not a header line: the body starts here.
        block_bytes = before;
        block_defects |= missing_header_separator;
        end_block_at(off);
        return line_result::to_body;
    }

    // Ends the header block at off without a blank line; enclosed messages
    // that would start at the same point get empty header blocks too.
    void end_block_at(std::uint64_t off) {
        flush_field();
        end_headers(off, 0);
        while (state == mode::headers) end_headers(off, 0);
    }

    // Reads header lines from p[0..n) at stream offset off.
    std::size_t do_headers(const char* p, std::size_t n, std::uint64_t off) {
        std::size_t used = read_header_lines(p, n, off);
        if (state == mode::headers) materialize_field();
        return used;
    }

    std::size_t read_header_lines(const char* p, std::size_t n, std::uint64_t off) {
        std::size_t i = 0;
        while (i < n && state == mode::headers) {
            if (line_skip) {
                // The rest of a line already classified on its first bytes.
                const void* lf = std::memchr(p + i, '\n', n - i);
                std::size_t take = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - (p + i)) + 1 : n - i;
                i += take;
                block_bytes += take;
                if (!block_over && block_bytes > lim.max_header_bytes) {
                    block_over = true;
                    block_defects |= header_limit;
                }
                if (have_field) field_len += take;
                if (lf) line_skip = false;
                continue;
            }
            const void* lfp = std::memchr(p + i, '\n', n - i);
            std::size_t avail = lfp ? static_cast<std::size_t>(static_cast<const char*>(lfp) - (p + i)) + 1 : n - i;
            const std::size_t cap = line_cap();
            if (line.empty() && lfp && avail <= cap) {
                // The whole line is here: read it in place.
                if (header_line(std::string_view(p + i, avail), avail, off + i, true, true) == line_result::to_body)
                    scan_body(p + i, avail, off + i);
                i += avail;
                continue;
            }
            if (line.empty()) {
                line_offset = off + i;
                line_full = 0;
            }
            const std::size_t room = cap > line.size() ? cap - line.size() : 0;
            if (avail <= room) {
                line.append(p + i, avail);
                line_full += avail;
                i += avail;
                if (!lfp) return i; // the line goes on in the next feed()
                std::string ln(std::move(line));
                line.clear();
                if (header_line(ln, line_full, line_offset, true) == line_result::to_body)
                    scan_body(ln.data(), ln.size(), line_offset);
                ln.clear();
                line.swap(ln);
                continue;
            }
            // Longer than the cap: decide on its first cap bytes.
            line.append(p + i, room);
            line_full += room;
            i += room;
            std::string ln(std::move(line));
            line.clear();
            const line_result r = header_line(ln, line_full, line_offset, false);
            if (r == line_result::to_body) scan_body(ln.data(), ln.size(), line_offset);
            ln.clear();
            line.swap(ln);
            if (r == line_result::to_body) return i; // the rest of the line is body
            line_skip = true;
        }
        return i;
    }

    // ------------------------------------------------------------ body

    void emit_hold() {
        emit(hold.data(), hold.size(), hold_offset);
        hold.clear();
        hold_eol = 0;
        hold_state = hold_kind::none;
    }

    // Emits the held bytes, known not to start a delimiter, except a final
    // CR: it may be the first half of the line end before one.
    void emit_hold_keep_cr() {
        if (hold.size() > 0 && hold.back() == '\r') {
            emit(hold.data(), hold.size() - 1, hold_offset);
            hold_offset += hold.size() - 1;
            hold.assign(1, '\r');
            hold_eol = 1;
            hold_state = hold_kind::cr;
        } else {
            emit_hold();
        }
    }

    // Scans body bytes p[0..n) at stream offset off. Returns how many were
    // consumed: all of them, or up to the end of a delimiter line (after
    // which the state has changed).
    std::size_t scan_body(const char* p, std::size_t n, std::uint64_t off) {
        if (n == 0) return 0;
        if (active.empty()) {
            // Nothing but the end of input can end this body.
            if (hold_state != hold_kind::none) emit_hold();
            emit(p, n, off);
            return n;
        }
        std::size_t i = 0;

        // 1. Resolve what the previous call held back.
        for (;;) {
            if (hold_state == hold_kind::cr) {
                if (i == n) return n;
                if (p[i] == '\n') {
                    hold.push_back('\n');
                    hold_eol = 2;
                    hold_state = hold_kind::line;
                    ++i;
                } else {
                    emit_hold();
                }
            }
            if (hold_state != hold_kind::line || hold.size() == hold_eol) break;
            if (i == n) return n;
            // A partial line that may be a delimiter: extend it.
            std::size_t have = hold.size() - hold_eol;
            std::size_t room = window > have ? window - have : 0;
            std::size_t look = std::min(n - i, room);
            const void* lf = std::memchr(p + i, '\n', look);
            std::size_t take = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - (p + i)) + 1 : look;
            hold.append(p + i, take);
            i += take;
            std::string_view ln(hold.data() + hold_eol, hold.size() - hold_eol);
            if (lf) {
                ln.remove_suffix(1);
                match m;
                if (match_boundary(ln, m)) {
                    on_delimiter(m, hold_offset, hold.size());
                    return i;
                }
                // Not a delimiter: emit all but the line end, which is held.
                std::size_t e = eol_length_at_end(hold);
                emit(hold.data(), hold.size() - e, hold_offset);
                hold_offset += hold.size() - e;
                hold.erase(0, hold.size() - e);
                hold_eol = e;
                break;
            }
            if (ln.size() >= window || !could_be_delimiter(ln)) {
                emit_hold_keep_cr();
                continue;
            }
            return i; // still undecided: everything is held
        }

        // 2. Scan. At position i we are at a line start iff hold_state ==
        // line (the line end before it, if any, is in hold) or the byte
        // before i is a LF inside p.
        std::size_t from = i; // p[from..) not yet emitted
        bool line_start = hold_state == hold_kind::line;
        while (true) {
            if (line_start) {
                if (i == n) {
                    // Input ends at a line start: hold the line end.
                    if (from < i) {
                        std::size_t e = i - from >= 2 && p[i - 2] == '\r' ? 2 : 1;
                        emit(p + from, i - e - from, off + from);
                        hold.assign(p + i - e, e);
                        hold_offset = off + i - e;
                        hold_eol = e;
                        hold_state = hold_kind::line;
                    }
                    return n;
                }
                if (p[i] == '-' && active.size() > 0) {
                    std::size_t avail = n - i;
                    std::size_t look = std::min(avail, window);
                    const void* lf = std::memchr(p + i, '\n', look);
                    if (lf) {
                        std::size_t lend = static_cast<std::size_t>(static_cast<const char*>(lf) - p);
                        match m;
                        if (match_boundary(std::string_view(p + i, lend - i), m)) {
                            std::uint64_t doff;
                            if (from == i) {
                                // line end (if any) is in hold
                                doff = hold_state == hold_kind::line ? hold_offset : off + i;
                            } else {
                                std::size_t e = (i - from >= 2 && p[i - 2] == '\r') ? 2 : 1;
                                emit(p + from, i - e - from, off + from);
                                doff = off + i - e;
                            }
                            std::uint64_t dend = off + lend + 1;
                            on_delimiter(m, doff, dend - doff);
                            return lend + 1;
                        }
                    } else if (avail < window && could_be_delimiter(std::string_view(p + i, avail))) {
                        // Hold the line end and the partial line.
                        if (from == i && hold_state == hold_kind::line) {
                            hold.append(p + i, avail);
                        } else {
                            std::size_t e = (i - from >= 2 && p[i - 2] == '\r') ? 2 : (i > from ? 1 : 0);
                            emit(p + from, i - e - from, off + from);
                            hold.assign(p + i - e, avail + e);
                            hold_offset = off + i - e;
                            hold_eol = e;
                        }
                        hold_state = hold_kind::line;
                        return n;
                    }
                }
                // Not a delimiter: a held line end is body.
                if (from == i && hold_state == hold_kind::line && !hold.empty()) emit_hold();
                hold_state = hold_kind::none;
                hold.clear();
                line_start = false;
                if (i < n && p[i] != '-') {
                    // Only a line starting with '-' can be a delimiter: jump
                    // to the next '-' (one memchr for a whole base64 body).
                    const void* dash = std::memchr(p + i, '-', n - i);
                    if (!dash) {
                        if (p[n - 1] == '\n') { // input ends at a line start
                            i = n;
                            line_start = true;
                            continue;
                        }
                        i = n; // mid-line end: handled below
                    } else {
                        std::size_t q = static_cast<std::size_t>(static_cast<const char*>(dash) - p);
                        if (p[q - 1] == '\n') { // q > i here, since p[i] != '-'
                            i = q;
                            line_start = true;
                            continue;
                        }
                        i = q; // a '-' inside a line: skip to the line's end
                    }
                }
            }
            const void* lfp = i < n ? std::memchr(p + i, '\n', n - i) : nullptr;
            if (!lfp) {
                std::size_t end = n;
                if (p[n - 1] == '\r' && n - 1 >= from) {
                    end = n - 1;
                    emit(p + from, end - from, off + from);
                    hold.assign(1, '\r');
                    hold_offset = off + end;
                    hold_eol = 1;
                    hold_state = hold_kind::cr;
                    return n;
                }
                emit(p + from, end - from, off + from);
                return n;
            }
            i = static_cast<std::size_t>(static_cast<const char*>(lfp) - p) + 1;
            line_start = true;
        }
    }

    // ------------------------------------------------------------ driver

    void feed(const char* p, std::size_t n) {
        while (n > 0 && state != mode::done) {
            std::size_t used = state == mode::headers ? do_headers(p, n, offset) : scan_body(p, n, offset);
            p += used;
            n -= used;
            offset += used;
        }
    }

    void finish() {
        if (state == mode::done) return;
        if (state == mode::headers) {
            if (line_skip) {
                line_skip = false;
            } else if (!line.empty()) {
                std::string ln;
                ln.swap(line);
                auto r = header_line(ln, line_full, line_offset, true);
                if (r == line_result::to_body) scan_body(ln.data(), ln.size(), line_offset);
            }
            if (state == mode::headers) {
                if (block_bytes > 0) block_defects |= unterminated_header;
                end_block_at(offset);
            }
        }
        if (state == mode::body && hold_state != hold_kind::none) {
            std::string_view ln(hold.data() + hold_eol, hold.size() - hold_eol);
            match m;
            if (hold_state == hold_kind::line && !ln.empty() && match_boundary(ln, m)) {
                on_delimiter(m, hold_offset, hold.size());
                if (state == mode::headers) end_block_at(offset);
            } else if (hold_state == hold_kind::line && hold.size() == hold_eol && hold_eol > 0 &&
                       stack.back().kind == part_kind::leaf && !active.empty()) {
                // The input ends inside an open multipart: like a delimiter
                // would, the last line end closes the part, and goes to the
                // multipart's (empty) epilogue instead of the body.
                const std::uint64_t at = hold_offset;
                std::string eol(std::move(hold));
                hold.clear();
                hold_state = hold_kind::none;
                while (stack.size() > active.back() + 1) end_part(at);
                emit(eol.data(), eol.size(), at);
            } else {
                emit_hold();
            }
        }
        while (!stack.empty()) end_part(offset);
        state = mode::done;
    }

    void reset() {
        stack.clear();
        active.clear();
        window = 0;
        offset = 0;
        all_defects = 0;
        parts = 0;
        hold.clear();
        hold_eol = 0;
        hold_state = hold_kind::none;
        begin_headers(0, false, 0);
    }
};

parser::parser(parser_handler& handler, const parser_limits& limits)
    : impl_(std::make_unique<impl>(handler, limits)) {}
parser::~parser() = default;

void parser::feed(std::string_view bytes) { impl_->feed(bytes.data(), bytes.size()); }
void parser::finish() { impl_->finish(); }
void parser::reset() { impl_->reset(); }
std::uint32_t parser::defects() const noexcept { return impl_->all_defects; }
std::uint64_t parser::offset() const noexcept { return impl_->offset; }
std::size_t parser::parts() const noexcept { return impl_->parts; }
bool parser::finished() const noexcept { return impl_->state == impl::mode::done; }

} // namespace pigeon::mime
