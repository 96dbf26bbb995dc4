// The IMAP client: UID FETCH with typed items, bodies streamed to the
// caller's sinks, several batches in flight.
#include <algorithm>
#include <optional>
#include <vector>

#include "pigeon/imap/client.hpp"
#include "pigeon/imap/mailbox_event.hpp"

namespace pigeon::imap {
namespace {

// Cuts a UID set into sets of at most `batch` numbers, in order, without
// expanding it ("1:10000" with 500 gives "1:500", "501:1000", ...).
class batcher {
public:
    /// descending: from the highest numbers down; the set must have no "*".
    batcher(const uid_set& s, std::size_t batch, bool descending = false)
        : ranges_(s.ranges()), batch_(std::max<std::size_t>(batch, 1)) {
        if (descending) {
            // The same walk over mirrored numbers (n -> 2^32 - n), whose
            // ranges come out ascending; next() mirrors them back.
            mirrored_ = true;
            std::vector<uid_set::range> m;
            m.reserve(ranges_.size());
            for (auto it = ranges_.rbegin(); it != ranges_.rend(); ++it) m.push_back({mirror(it->last), mirror(it->first)});
            ranges_ = std::move(m);
        }
        if (!ranges_.empty()) next_ = ranges_[0].first;
    }
    bool done() const noexcept { return index_ >= ranges_.size(); }
    uid_set next() {
        uid_set out = next_ascending();
        if (!mirrored_) return out;
        uid_set back;
        for (const auto& r : out.ranges()) back.add_range(mirror(r.last), mirror(r.first));
        back.normalize();  // ascending, as a set is written
        return back;
    }

private:
    static std::uint32_t mirror(std::uint32_t n) noexcept { return static_cast<std::uint32_t>(0x100000000ULL - n); }

    uid_set next_ascending() {
        uid_set out;
        std::uint64_t room = batch_;
        while (room > 0 && index_ < ranges_.size()) {
            const auto& r = ranges_[index_];
            const std::uint64_t last = r.last == uid_set::star ? 0xffffffffULL : r.last;
            const std::uint64_t take = std::min<std::uint64_t>(room, last - next_ + 1);
            const std::uint64_t end = next_ + take - 1;
            if (r.last == uid_set::star && end == last) out.add_range(static_cast<std::uint32_t>(next_), uid_set::star);
            else out.add_range(static_cast<std::uint32_t>(next_), static_cast<std::uint32_t>(end));
            room -= take;
            if (end == last) {
                ++index_;
                if (index_ < ranges_.size()) next_ = ranges_[index_].first;
            } else {
                next_ = end + 1;
            }
        }
        return out;
    }

    std::vector<uid_set::range> ranges_;
    bool mirrored_ = false;
    std::size_t batch_;
    std::size_t index_ = 0;
    std::uint64_t next_ = 0;
};

} // namespace

namespace {
const char* fetch_command(const fetch_options& opts) noexcept { return opts.by_sequence ? "FETCH" : "UID FETCH"; }
} // namespace

void client::fetch_each(const uid_set& uids, const fetch_items& items, const message_handler& on_message,
                        const body_opener& open, const fetch_options& opts) {
    const char* const command = fetch_command(opts);
    const std::string what = std::string(command) + ": ";
    require_selected(command);
    const auto& caps = session_.caps();
    if (items.needs_binary()) require_cap(caps.has("BINARY") || caps.imap4rev2(), command, "BINARY");
    if (items.modseq || opts.changed_since) require_cap(caps.has("CONDSTORE") || caps.has("QRESYNC"), command, "CONDSTORE");
    if (opts.vanished && (!qresync_ || !opts.changed_since || opts.by_sequence))
        throw request_error(errc::not_supported, "UID FETCH: VANISHED needs QRESYNC enabled, changed_since and UIDs");
    std::error_code ec;
    auto item_text = fetch_item_list(items, ec);
    if (!item_text) throw request_error(errc::invalid_argument, what + "invalid fetch items");
    if (opts.changed_since && *opts.changed_since > 0x7fffffffffffffffULL)
        throw request_error(errc::invalid_argument, what + "CHANGEDSINCE beyond 2^63 - 1");
    std::string suffix = " " + *item_text;
    if (opts.changed_since) {
        suffix += " (CHANGEDSINCE " + std::to_string(*opts.changed_since);
        if (opts.vanished) suffix += " VANISHED";
        suffix += ")";
    }
    if (uids.empty()) return;

    uid_set wanted = uids;
    wanted.normalize();
    if (opts.descending && wanted.has_star())
        throw request_error(errc::invalid_argument, what + "descending batches of a set with \"*\"");
    // A set with "*" goes whole: how far "*" reaches is the server's to say.
    batcher batches(wanted, wanted.has_star() ? 0xffffffffULL : opts.batch, opts.descending);
    const std::size_t window = std::max<std::size_t>(opts.in_flight, 1);
    struct sent {
        std::string tag;
        uid_set set;  // for on_batch_done
    };
    std::vector<sent> in_flight;  // in the order sent
    std::optional<command_error> refusal;
    std::vector<std::string> lines;

    auto send_more = [&] {
        lines.clear();
        while (in_flight.size() < window && !batches.done()) {
            std::string tag = next_tag();
            uid_set part = batches.next();
            lines.push_back(tag + " " + command + " " + part.to_string() + suffix);
            in_flight.push_back({std::move(tag), std::move(part)});
        }
        if (lines.size() == 1) conn_.write_line(lines.front());
        else if (!lines.empty()) conn_.write_lines(lines);
    };

    literal_router router = [&](const literal_info& li) -> net::sink_fn {
        if (!open || li.response_name != "FETCH" || li.fetch_item.empty()) return {};
        body_target t;
        t.seq = li.number.value_or(0);
        t.uid = li.uid;
        t.item = li.fetch_item;
        t.size = li.size;
        t.binary = li.binary;
        return open(t);
    };

    // An answer goes to on_message, any other FETCH (another session's
    // flag change) to the event handler.
    auto deliver = [&](message_data& m) {
        if (m.uid && wanted.contains(opts.by_sequence ? m.seq : *m.uid)) on_message(m);
        else if (on_event_) on_event_(fetch_event(std::move(m)));
    };
    message_data one_line;  // a FETCH read from its line (parse_fetch_line)
    response r;
    try {
        send_more();
        while (!in_flight.empty()) {
            if (read_response_into(r, &one_line, &router)) {
                // (handle_untagged has nothing to do for a FETCH.)
                deliver(one_line);
                continue;
            }
            if (r.kind == response_kind::continuation)
                fail(errc::unexpected_continuation, "response: " + core::excerpt(first_line_));
            if (r.kind == response_kind::untagged) {
                handle_untagged(r);
                if (!r.is_status() && r.name == "FETCH") {
                    // Parsed once, its strings moved into the message_data.
                    auto m = parse_fetch(std::move(r), ec);
                    if (!m) fail(errc::malformed_reply, what + core::excerpt(first_line_));
                    parser_.recycle(std::move(r));  // its lists' storage serves the next FETCH
                    deliver(*m);
                    continue;
                }
                unsolicited(r);
                continue;
            }
            // Completions may come in any order among the commands in
            // flight (RFC 9051 section 5.5); any other tag is forged.
            auto it = std::find_if(in_flight.begin(), in_flight.end(), [&](const sent& s) { return s.tag == r.tag; });
            if (it == in_flight.end()) fail(errc::unknown_tag, "response: " + core::excerpt(first_line_));
            uid_set done = std::move(it->set);
            in_flight.erase(it);
            if (r.cond != condition::ok && !refusal)
                refusal.emplace(errc::command_failed, what + core::excerpt(first_line_),
                                to_server_reply(r, first_line_));
            if (opts.on_batch_done) opts.on_batch_done(done, r.cond == condition::ok);
            send_more();
        }
    } catch (const protocol_error&) {
        throw;
    } catch (...) {
        // The caller's callback or sink gave up with commands in flight:
        // their answers cannot be told from the next command's.
        if (!in_flight.empty()) close();
        throw;
    }
    if (refusal) throw *refusal;
}

std::vector<message_data> client::fetch(const uid_set& uids, const fetch_items& items, const fetch_options& opts) {
    std::vector<message_data> out;
    fetch_each(
        uids, items,
        [&](message_data& m) {
            if (out.size() >= opts_.limits.max_entries_kept)
                fail(errc::response_too_large,
                     std::string(fetch_command(opts)) + ": more than " + std::to_string(opts_.limits.max_entries_kept) + " messages");
            out.push_back(std::move(m));
        },
        {}, opts);
    return out;
}

} // namespace pigeon::imap
