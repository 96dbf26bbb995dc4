#include "pigeon/nntp/overview.hpp"

#include "detail/line_text.hpp"
#include "pigeon/net/ascii.hpp"
#include "pigeon/nntp/codec_error.hpp"

namespace pigeon::nntp {

using net::ascii::iequals;

namespace {

struct standard_name {
    std::string_view name;
    overview_field_kind kind;
};

// Header spellings; "Bytes" and "Lines" are the RFC 2980 names of the
// metadata items :bytes and :lines.
constexpr standard_name standard_headers[] = {
    {"Subject", overview_field_kind::subject},
    {"From", overview_field_kind::from},
    {"Date", overview_field_kind::date},
    {"Message-ID", overview_field_kind::message_id},
    {"References", overview_field_kind::references},
    {"Bytes", overview_field_kind::bytes},
    {"Lines", overview_field_kind::lines},
};

unsigned bit(overview_field_kind k) noexcept { return 1u << static_cast<unsigned>(k); }

/// value without a leading "name:" (case-insensitive) and the blanks after it.
std::string_view strip_name(std::string_view value, std::string_view name) noexcept {
    if (name.empty() || value.size() <= name.size() || value[name.size()] != ':') return value;
    if (!iequals(value.substr(0, name.size()), name)) return value;
    value.remove_prefix(name.size() + 1);
    while (!value.empty() && detail::is_blank(value.front())) value.remove_prefix(1);
    return value;
}

std::optional<std::uint64_t> number_or_unknown(std::string_view s) noexcept {
    std::error_code ignored;
    return parse_article_number(detail::trim(s), ignored);
}

} // namespace

overview_format overview_format::standard() {
    overview_format f;
    for (auto line : {"Subject:", "From:", "Date:", "Message-ID:", "References:", ":bytes", ":lines"}) f.add(line);
    return f;
}

overview_format overview_format::parse(const std::vector<std::string>& lines) {
    overview_format f;
    for (const auto& l : lines) f.add(l);
    return f;
}

void overview_format::add(std::string_view line) {
    line = detail::trim(line);
    if (line.empty() || fields_.size() >= max_fields) return;
    overview_field f;
    if (line.front() == ':') {
        auto item = line.substr(1);
        f.name.assign(line);
        f.kind = iequals(item, "bytes")   ? overview_field_kind::bytes
                 : iequals(item, "lines") ? overview_field_kind::lines
                                          : overview_field_kind::metadata;
    } else {
        auto colon = line.find(':');
        auto name = detail::trim(line.substr(0, colon));
        if (colon != std::string_view::npos) f.full = iequals(detail::trim(line.substr(colon + 1)), "full");
        f.name.assign(name);
        f.kind = overview_field_kind::header;
        for (const auto& s : standard_headers)
            if (iequals(name, s.name)) f.kind = s.kind;
    }
    if (f.kind != overview_field_kind::header && f.kind != overview_field_kind::metadata) {
        if (seen_ & bit(f.kind)) f.kind = f.name.front() == ':' ? overview_field_kind::metadata
                                                                 : overview_field_kind::header;
        else seen_ |= bit(f.kind);
    }
    fields_.push_back(std::move(f));
}

std::optional<std::string_view> overview_entry::extra_value(std::string_view name) const noexcept {
    for (const auto& [n, v] : extra)
        if (iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

std::optional<overview_entry> parse_overview_line(std::string_view line, const overview_format& fmt,
                                                  std::error_code& ec) {
    if (line.empty()) return detail::fail_with(ec, codec_errc::malformed);
    auto tab = line.find('\t');
    auto number = parse_article_number(detail::trim(line.substr(0, tab)), ec);
    if (!number) return std::nullopt;
    overview_entry e;
    e.number = *number;
    const auto& fields = fmt.fields();
    std::size_t index = 0;
    while (tab != std::string_view::npos) {
        std::size_t start = tab + 1;
        tab = line.find('\t', start);
        auto value = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
        if (index >= fields.size()) {
            // A line of a million TABs must not become a million strings.
            if (e.extra.size() >= overview_format::max_fields) break;
            e.extra.emplace_back(std::string(), std::string(value));
            ++index;
            continue;
        }
        const auto& f = fields[index++];
        // RFC 3977 8.3.2 puts "Name: " before the header fields after the
        // seventh; "full" in the format says so for any field. A standard
        // header without "full" keeps its value as is: a subject may well
        // begin with "Subject:".
        bool prefixed = f.full || f.kind == overview_field_kind::header || f.kind == overview_field_kind::bytes ||
                        f.kind == overview_field_kind::lines;
        if (prefixed) value = strip_name(value, f.name);
        switch (f.kind) {
        case overview_field_kind::subject: e.subject.assign(value); break;
        case overview_field_kind::from: e.from.assign(value); break;
        case overview_field_kind::date: e.date.assign(value); break;
        case overview_field_kind::message_id: e.message_id.assign(value); break;
        case overview_field_kind::references: e.references.assign(value); break;
        case overview_field_kind::bytes: e.bytes = number_or_unknown(value); break;
        case overview_field_kind::lines: e.lines = number_or_unknown(value); break;
        case overview_field_kind::header:
        case overview_field_kind::metadata: e.extra.emplace_back(f.name, std::string(value)); break;
        }
    }
    ec.clear();
    return e;
}

} // namespace pigeon::nntp
