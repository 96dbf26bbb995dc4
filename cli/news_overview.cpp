#include "news_overview.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "common.hpp"
#include "json_writer.hpp"
#include "pigeon/mime/address.hpp"
#include "pigeon/mime/date.hpp"
#include "pigeon/mime/rfc2047.hpp"

namespace pigeon::cli {
namespace {


} // namespace

std::vector<std::string_view> reference_ids(std::string_view refs) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while ((i = refs.find('<', i)) != std::string_view::npos) {
        auto end = refs.find('>', i);
        if (end == std::string_view::npos) break;
        out.push_back(refs.substr(i, end - i + 1));
        i = end + 1;
    }
    return out;
}

std::vector<thread_row> thread_entries(const std::vector<nntp::overview_entry>& entries) {
    const std::size_t n = entries.size();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return entries[a].number < entries[b].number; });
    std::unordered_map<std::string_view, std::size_t> by_id;   // Message-ID -> position in order
    std::vector<std::vector<std::size_t>> children(n);           // by position
    std::vector<std::size_t> roots;
    for (std::size_t pos = 0; pos < n; ++pos) {
        const auto& e = entries[order[pos]];
        std::optional<std::size_t> parent;
        auto refs = reference_ids(e.references);
        for (auto it = refs.rbegin(); it != refs.rend(); ++it) {
            if (auto f = by_id.find(*it); f != by_id.end()) {
                parent = f->second;
                break;
            }
        }
        if (parent) children[*parent].push_back(pos);
        else roots.push_back(pos);
        if (!e.message_id.empty()) by_id.emplace(e.message_id, pos);
    }
    std::vector<thread_row> rows;
    rows.reserve(n);
    // Iterative depth-first walk: chains can be thousands deep.
    std::vector<std::pair<std::size_t, std::size_t>> stack;   // (position, depth)
    for (std::size_t r : roots) {
        stack.emplace_back(r, 0);
        while (!stack.empty()) {
            auto [pos, depth] = stack.back();
            stack.pop_back();
            rows.push_back({order[pos], depth});
            const auto& kids = children[pos];
            for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth + 1);
        }
    }
    return rows;
}

std::string short_date(std::string_view date) {
    if (auto d = mime::parse_date(date)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d->year % 10000, d->month, d->day);
        return buf;
    }
    return printable(date.substr(0, 10));
}

std::string short_from(std::string_view from) {
    auto list = mime::parse_address_list(from);
    auto boxes = list.mailboxes();
    if (!boxes.empty()) {
        if (!boxes.front().display_name.empty()) return boxes.front().display_name;
        return boxes.front().address();
    }
    return mime::decode_unstructured(from);
}

std::vector<std::string> overview_table(const std::vector<nntp::overview_entry>& entries,
                                        const std::vector<thread_row>& rows, std::size_t width) {
    std::uint64_t max_number = 0;
    for (const auto& e : entries) max_number = std::max(max_number, e.number);
    const std::size_t num_w = std::to_string(max_number).size();
    const std::size_t from_w = width >= 100 ? 24 : 18;
    const std::size_t lines_w = 6;
    // number, blank, date (10), blank, from, blank, subject, blank, lines
    std::size_t fixed = num_w + 1 + 10 + 1 + from_w + 1 + 1 + lines_w;
    std::size_t subject_w = width > fixed + 10 ? width - fixed : 10;
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        const auto& e = entries[r.index];
        std::string num = std::to_string(e.number);
        std::string line(num_w - std::min(num_w, num.size()), ' ');
        line += num + ' ';
        line += pad_columns(short_date(e.date), 10) + ' ';
        line += pad_columns(printable(short_from(e.from)), from_w) + ' ';
        // Two blanks a level, at most half the subject column: a chain 60
        // deep still shows its subjects.
        std::string subject(std::min<std::size_t>(r.depth * 2, subject_w / 2), ' ');
        subject += printable(mime::decode_unstructured(e.subject));
        line += pad_columns(subject, subject_w) + ' ';
        std::string size = e.lines ? std::to_string(*e.lines) : e.bytes ? std::to_string(*e.bytes) + "B" : "?";
        if (size.size() < lines_w) line += std::string(lines_w - size.size(), ' ');
        line += size;
        out.push_back(std::move(line));
    }
    return out;
}

std::string overview_json(const nntp::overview_entry& e) {
    // Keys in the order nlohmann::json (a sorted map) wrote them before.
    return json_object_writer{}
        .number_or_null("bytes", e.bytes)
        .string("date", e.date)
        .string("from", mime::decode_unstructured(e.from))
        .number_or_null("lines", e.lines)
        .string("message_id", e.message_id)
        .number("number", e.number)
        .string("references", e.references)
        .string("subject", mime::decode_unstructured(e.subject))
        .finish();
}

} // namespace pigeon::cli
