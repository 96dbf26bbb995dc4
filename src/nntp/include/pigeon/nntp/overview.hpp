#pragma once
// The overview database: LIST OVERVIEW.FMT (RFC 3977 section 8.4) says
// which fields each OVER / XOVER line (section 8.3, RFC 2980 2.8) carries,
// and in which order; one line is the article number and those fields,
// separated by TAB. INN 2.7.1 answers LIST OVERVIEW.FMT with
//   Subject: From: Date: Message-ID: References: Bytes: Lines: Xref:full
// (the RFC 2980 "Bytes:"/"Lines:" spellings of ":bytes"/":lines"), and OVER with
//   1<TAB>first post<TAB>Alice <alice@lab.test><TAB>Sun, 6 Dec 2026 03:56:51 -0000 (UTC)
//    <TAB><first.1@lab.test><TAB><TAB>478<TAB>1<TAB>Xref: news.lab.test lab.test:1
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "pigeon/nntp/article_ref.hpp"

namespace pigeon::nntp {

enum class overview_field_kind {
    subject, from, date, message_id, references,  ///< the five standard headers
    bytes, lines,                                 ///< ":bytes"/"Bytes:", ":lines"/"Lines:"
    header,                                       ///< any other header ("Xref:full")
    metadata,                                     ///< any other metadata item (":x")
};

struct overview_field {
    std::string name;  ///< a header name without its colon ("Xref"), or ":item" for metadata
    overview_field_kind kind = overview_field_kind::header;
    bool full = false; ///< "Name:full": values carry "Name: " in front (removed when parsing)
};

/// The field list of LIST OVERVIEW.FMT, one add() per line.
class overview_format {
public:
    /// At most this many fields are kept; more are ignored (their values
    /// then land among an entry's unnamed extras).
    static constexpr std::size_t max_fields = 256;

    overview_format() = default;
    /// RFC 3977's seven: Subject: From: Date: Message-ID: References: :bytes :lines
    static overview_format standard();
    /// From the lines of a 215 response (without the status line and ".").
    static overview_format parse(const std::vector<std::string>& lines);

    /// Adds one line. Case-insensitive; "Name", "Name:", "Name:full" and
    /// ":item" forms; blanks around ignored; blank lines skipped. A standard
    /// field listed twice counts once, the second time as an extra header.
    /// Never fails: any other line is kept as a header field of that name so
    /// the positions of the later fields stay right.
    void add(std::string_view line);

    const std::vector<overview_field>& fields() const noexcept { return fields_; }
    bool empty() const noexcept { return fields_.empty(); }

private:
    std::vector<overview_field> fields_;
    unsigned seen_ = 0;  // bit per standard kind already placed
};

struct overview_entry {
    article_number number = 0;  ///< 0 for OVER by message-id
    std::string subject;
    std::string from;
    std::string date;
    std::string message_id;     ///< as sent, not checked
    std::string references;
    std::optional<std::uint64_t> bytes;  ///< unknown when absent, empty or not a number
    std::optional<std::uint64_t> lines;
    /// The other fields, in line order: (name as in overview_field, value
    /// without its "Name: " prefix). Fields beyond the format get name "";
    /// at most overview_format::max_fields of them are kept.
    std::vector<std::pair<std::string, std::string>> extra;

    /// The first extra field of that name (ASCII case-insensitive), if present.
    std::optional<std::string_view> extra_value(std::string_view name) const noexcept;
};

/// Parses one OVER / XOVER line by fmt. Best effort for everything but the
/// article number: fields missing at the end stay empty, non-numeric bytes
/// or lines stay unknown, fields beyond the format are kept in `extra`.
/// Errors (for this line only): codec_errc::malformed (empty line),
/// invalid_number or number_too_large (the article number).
std::optional<overview_entry> parse_overview_line(std::string_view line, const overview_format& fmt,
                                                  std::error_code& ec);

} // namespace pigeon::nntp
