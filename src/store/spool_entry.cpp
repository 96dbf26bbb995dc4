// The ".meta" text of a spool entry (spool_entry.hpp): one record per line,
// tab-separated fields percent-escaped as in the fetch-state journal
// (fetch_state_format.hpp), a version header first and an "end" line last
// so that a torn file is recognised as such.
#include "pigeon/store/spool_entry.hpp"

#include <charconv>

#include "fetch_state_format.hpp"
#include "pigeon/store/destination.hpp"

namespace pigeon::store {
namespace {

constexpr std::string_view header_line = "pigeon-spool 1";

template <class Int> bool get_number(std::string_view in, Int& out) {
    auto [p, ec] = std::from_chars(in.data(), in.data() + in.size(), out);
    return ec == std::errc() && p == in.data() + in.size();
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> f;
    std::size_t start = 0;
    while (start <= line.size()) {
        const auto sp = line.find('\t', start);
        f.push_back(line.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start));
        if (sp == std::string_view::npos) break;
        start = sp + 1;
    }
    return f;
}


void line(std::string& out, std::string_view key, std::initializer_list<std::string_view> fields) {
    out += key;
    for (auto f : fields) {
        out += '\t';
        detail::append_escaped(out, f);
    }
    out += '\n';
}

std::error_code corrupt() { return make_error_code(errc::corrupt_entry); }

} // namespace

std::string spool_entry::setting(std::string_view name) const {
    for (const auto& [k, v] : settings)
        if (k == name) return v;
    return {};
}

std::size_t spool_entry::count(recipient_state s) const noexcept {
    std::size_t n = 0;
    for (const auto& r : recipients) n += r.state == s ? 1 : 0;
    return n;
}

const char* to_string(recipient_state s) noexcept {
    switch (s) {
    case recipient_state::pending: return "pending";
    case recipient_state::delivered: return "delivered";
    case recipient_state::failed: return "failed";
    }
    return "pending";
}

bool valid_entry_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 64 || id.front() == '.') return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.'))
            return false;
    return true;
}

std::string encode_entry(const spool_entry& e) {
    std::string out;
    out += header_line;
    out += '\n';
    line(out, "id", {e.id});
    line(out, "created", {std::to_string(e.created)});
    line(out, "next", {std::to_string(e.next_attempt)});
    line(out, "last", {std::to_string(e.last_attempt)});
    line(out, "attempts", {std::to_string(e.attempts)});
    line(out, "size", {std::to_string(e.size)});
    line(out, "from", {e.from});
    for (const auto& r : e.recipients) line(out, "rcpt", {to_string(r.state), r.address, r.last_reply});
    line(out, "notify", {e.notify});
    line(out, "ret", {e.ret});
    line(out, "envid", {e.envid});
    line(out, "error", {e.last_error});
    for (const auto& [k, v] : e.settings) line(out, "set", {k, v});
    out += "end\n";
    return out;
}

std::error_code parse_entry(std::string_view text, spool_entry& out) {
    out = spool_entry{};
    if (text.substr(0, header_line.size() + 1) != std::string(header_line) + "\n") return corrupt();
    text.remove_prefix(header_line.size() + 1);
    bool ended = false, has_from = false;
    std::string a, b, c;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos) return corrupt();  // a torn last line
        const std::string_view l = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        if (ended) return corrupt();  // bytes after "end"
        if (l == "end") {
            ended = true;
            continue;
        }
        const auto f = split_fields(l);
        const std::string_view key = f[0];
        auto arg = [&](std::size_t i, std::string& into) { return i < f.size() && detail::unescape(f[i], into); };
        auto number = [&](auto& into) { return f.size() == 2 && get_number(f[1], into); };
        if (key == "id") {
            if (f.size() != 2 || !arg(1, a) || !valid_entry_id(a)) return corrupt();
            out.id = a;
        } else if (key == "created") {
            if (!number(out.created)) return corrupt();
        } else if (key == "next") {
            if (!number(out.next_attempt)) return corrupt();
        } else if (key == "last") {
            if (!number(out.last_attempt)) return corrupt();
        } else if (key == "attempts") {
            if (!number(out.attempts)) return corrupt();
        } else if (key == "size") {
            if (!number(out.size)) return corrupt();
        } else if (key == "from") {
            if (f.size() != 2 || !arg(1, out.from)) return corrupt();
            has_from = true;
        } else if (key == "rcpt") {
            if (f.size() != 4 || !arg(1, a) || !arg(2, b) || !arg(3, c) || b.empty()) return corrupt();
            spool_recipient r{b, recipient_state::pending, c};
            if (a == "delivered") r.state = recipient_state::delivered;
            else if (a == "failed") r.state = recipient_state::failed;
            else if (a != "pending") return corrupt();
            out.recipients.push_back(std::move(r));
        } else if (key == "notify" || key == "ret" || key == "envid" || key == "error") {
            std::string& into = key == "notify" ? out.notify : key == "ret" ? out.ret : key == "envid" ? out.envid
                                                                                                        : out.last_error;
            if (f.size() != 2 || !arg(1, into)) return corrupt();
        } else if (key == "set") {
            if (f.size() != 3 || !arg(1, a) || !arg(2, b) || a.empty()) return corrupt();
            out.settings.emplace_back(a, b);
        }
        // other keys: written by a newer version; skipped
    }
    if (!ended || out.id.empty() || !has_from || out.recipients.empty()) return corrupt();
    return {};
}

} // namespace pigeon::store
