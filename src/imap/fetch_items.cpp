#include "pigeon/imap/fetch_items.hpp"

#include "pigeon/imap/error.hpp"
#include "pigeon/imap/message_data.hpp"

namespace pigeon::imap {

fetch_items fetch_items::whole_message() {
    fetch_items f;
    f.sections.push_back({});
    return f;
}

fetch_items fetch_items::listing() {
    fetch_items f;
    f.flags = f.internal_date = f.rfc822_size = f.envelope = true;
    return f;
}

bool fetch_items::needs_binary() const noexcept {
    for (const auto& s : sections)
        if (s.binary) return true;
    return false;
}

std::optional<std::string> fetch_item_list(const fetch_items& items, std::error_code& ec) {
    ec.clear();
    constexpr std::uint64_t max63 = 0x7fffffffffffffffULL;
    std::string out = "(UID";
    if (items.flags) out += " FLAGS";
    if (items.internal_date) out += " INTERNALDATE";
    if (items.rfc822_size) out += " RFC822.SIZE";
    if (items.envelope) out += " ENVELOPE";
    if (items.body_structure) out += " BODYSTRUCTURE";
    if (items.modseq) out += " MODSEQ";
    for (const auto& s : items.sections) {
        for (char c : s.section)
            if (c == '\r' || c == '\n' || c == '\0' || c == ']' || c == '[') {
                ec = make_error_code(errc::invalid_argument);
                return std::nullopt;
            }
        auto spec = parse_section(s.section);
        if (!spec || (s.binary && !spec->text.empty())) {
            ec = make_error_code(errc::invalid_argument);
            return std::nullopt;
        }
        out += s.binary ? (s.peek ? " BINARY.PEEK[" : " BINARY[") : (s.peek ? " BODY.PEEK[" : " BODY[");
        out += s.section;
        out += ']';
        if (s.offset) {
            if (s.length == 0 || s.length > max63 || *s.offset > max63) {
                ec = make_error_code(errc::invalid_argument);
                return std::nullopt;
            }
            out += '<' + std::to_string(*s.offset) + '.' + std::to_string(s.length) + '>';
        }
    }
    out += ')';
    return out;
}

} // namespace pigeon::imap
