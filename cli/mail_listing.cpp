#include "mail_listing.hpp"

#include <algorithm>
#include <map>

#include "common.hpp"
#include "listing_order.hpp"
#include "show_common.hpp"

namespace pigeon::cli::mail {

void listing_flags::add_to(CLI::App& app) {
    app.add_option("--page", page, "Page N of the listing, newest first (default 1)")
        ->type_name("N")
        ->check(CLI::PositiveNumber);
    app.add_option("--page-size", page_size,
                   "Messages per page (default: the terminal's height, else 50; 0: all)")
        ->type_name("N");
    app.add_flag("--all", all, "Every message, no paging");
}

std::vector<std::uint32_t> newest_first(const imap::uid_set& set, std::size_t page, std::size_t page_size) {
    imap::uid_set s = set;
    s.normalize();
    std::vector<std::uint32_t> out;
    std::uint64_t skip = page_size ? static_cast<std::uint64_t>(page - 1) * page_size : 0;
    const auto& r = s.ranges();
    for (auto it = r.rbegin(); it != r.rend(); ++it) {
        if (it->last == imap::uid_set::star) continue;  // never in a search answer
        std::uint64_t n = std::uint64_t(it->last) - it->first + 1;
        if (skip >= n) {
            skip -= n;
            continue;
        }
        for (std::uint64_t u = it->last - skip; u >= it->first; --u) {
            out.push_back(static_cast<std::uint32_t>(u));
            if (page_size && out.size() >= page_size) return out;
            if (u == 0) break;
        }
        skip = 0;
    }
    return out;
}

namespace {

/// Fetches the listing items of `numbers` (UIDs, or sequence numbers when
/// by_sequence; newest first, descending) and hands make(summary) of each
/// to emit in that order. The set goes in descending batches of 2,000,
/// pipelined: a batch's rows are written once its command and those of
/// every newer batch have completed, while the server works on the next
/// (one command stream, no stall between chunks); at most the batches in
/// flight are held. A message expunged meanwhile is left out.
template <class Make, class Emit>
void fetch_listing(imap::client& c, const target& t, const std::vector<std::uint32_t>& numbers, bool by_sequence,
                   Make make, Emit emit) {
    if (numbers.empty()) return;
    const std::uint32_t uidvalidity = c.mailbox().uidvalidity.value_or(0);
    using item = decltype(make(std::declval<summary&>()));
    constexpr std::size_t batch = 2000;
    listing_order<item> rows(numbers, batch);
    imap::fetch_options o;
    o.batch = batch;
    o.in_flight = 2;
    o.by_sequence = by_sequence;
    o.descending = true;
    o.on_batch_done = [&](const imap::uid_set& set, bool) {
        if (!set.ranges().empty()) rows.batch_done(set.ranges().back().last, emit);
    };
    summary s;   // one for every message: its strings keep their storage
    s.account = t.account;
    s.folder = t.folder;
    if (uidvalidity) s.uidvalidity = uidvalidity;
    c.fetch_each(imap::uid_set::from_numbers(numbers), imap::fetch_items::listing(),
                 [&](imap::message_data& m) {
                     // A FETCH without ENVELOPE is not the answer but another
                     // session's flag change announced meanwhile.
                     if (!m.envelope) return;
                     const std::uint32_t n = by_sequence ? m.seq : m.uid.value_or(0);
                     if (!rows.wants(n)) return;
                     fill_summary(s, m);
                     rows.add(n, make(s));
                 },
                 {}, o);
}

} // namespace

void fetch_summaries(imap::client& c, const target& t, const std::vector<std::uint32_t>& uids,
                     const std::function<void(const summary&)>& each) {
    fetch_listing(
        c, t, uids, false, [](const summary& s) { return s; }, [&](const summary& s) { each(s); });
}

std::vector<std::uint32_t> newest_sequence_page(std::uint32_t exists, std::size_t page, std::size_t page_size) {
    std::vector<std::uint32_t> out;
    const std::uint64_t skip = page_size ? static_cast<std::uint64_t>(page - 1) * page_size : 0;
    if (skip >= exists) return out;
    const std::uint64_t hi = exists - skip;
    const std::uint64_t lo = page_size && hi > page_size ? hi - page_size + 1 : 1;
    out.reserve(static_cast<std::size_t>(hi - lo + 1));
    for (std::uint64_t n = hi; n >= lo; --n) out.push_back(static_cast<std::uint32_t>(n));
    return out;
}

void pop3_summaries(pop3::client& c, const target& t, const std::vector<std::uint32_t>& numbers,
                    const std::function<void(const summary&)>& each) {
    std::map<std::uint32_t, std::string> uids;
    std::map<std::uint32_t, std::uint64_t> sizes;
    c.uidl([&](const pop3::message_uid& m) { uids[m.number] = m.uid; });
    c.list([&](const pop3::message_size& m) { sizes[m.number] = m.size; });
    for (std::uint32_t n : numbers) {
        summary s = summary_of_header(c.top(n, 0));
        s.account = t.account;
        s.folder = t.folder;
        s.number = n;
        s.uidl = uids.count(n) ? uids[n] : std::to_string(n);
        s.size = sizes.count(n) ? sizes[n] : 0;
        each(s);
    }
}

message_facts pop3_facts(pop3::client& c, std::uint32_t n, std::uint64_t size, bool whole) {
    message_facts m;
    m.header = c.top(n, 0);
    m.size = size;
    if (whole) m.whole = c.retrieve(n);
    return m;
}

int run_listing(const mail_flags& f, const listing_flags& l, const target& t, const parsed_query* query) {
    show::buffer_bulk_output();
    std::size_t page_size = l.page_size;
    if (l.all) page_size = 0;
    else if (page_size == 0 && !l.all) {
        // Not given: a screenful on a terminal, else 50. (Given as 0: all.)
        page_size = 50;
        if (auto term = tty_size(1); term && term->rows > 4 && !f.json) page_size = term->rows - 3;
    }
    summary_printer out(f.json, t.pop3 ? 16 : 8);
    std::uint64_t total = 0;
    if (t.pop3) {
        pop3::client c = open_pop3(t);
        std::vector<std::uint32_t> numbers;
        c.list([&](const pop3::message_size& m) { numbers.push_back(m.number); });
        std::sort(numbers.rbegin(), numbers.rend());
        if (query && !query->empty) {
            std::map<std::uint32_t, std::uint64_t> sizes;
            c.list([&](const pop3::message_size& m) { sizes[m.number] = m.size; });
            std::vector<std::uint32_t> kept;
            for (std::uint32_t n : numbers)
                if (query->matches(pop3_facts(c, n, sizes[n], query->needs_whole))) kept.push_back(n);
            numbers = std::move(kept);
        }
        total = numbers.size();
        std::size_t skip = page_size ? (l.page - 1) * page_size : 0;
        std::vector<std::uint32_t> page;
        for (std::size_t i = skip; i < numbers.size() && (!page_size || page.size() < page_size); ++i)
            page.push_back(numbers[i]);
        pop3_summaries(c, t, page, [&](const summary& s) { out.add(s); });
        c.quit();
    } else {
        imap::client c = open_imap(t);
        open_folder(c, t.folder, false);
        auto line = [&](const summary& s) { return out.line(s); };
        auto add = [&](const std::string& row) { out.add_line(row); };
        if ((!query || query->empty) && c.mailbox().exists) {
            // Every message: EXISTS counts them, and the newest are the
            // highest sequence numbers; no SEARCH round trip.
            total = *c.mailbox().exists;
            fetch_listing(c, t, newest_sequence_page(*c.mailbox().exists, l.page, page_size), true, line, add);
        } else {
            imap::search_result r = c.search(query ? *query->query : imap::search_query::all(), imap::search_return{});
            total = r.all.count().value_or(0);
            fetch_listing(c, t, newest_first(r.all, l.page, page_size), false, line, add);
        }
        c.logout();
    }
    std::string note;
    if (page_size && total > page_size) {
        std::uint64_t pages = (total + page_size - 1) / page_size;
        note = "-- page " + std::to_string(l.page) + " of " + std::to_string(pages) + ", " + std::to_string(total) +
               " messages (--page N, --page-size N, --all) --";
    }
    out.finish(note);
    show::finish_output();
    return exit_ok;
}

} // namespace pigeon::cli::mail
