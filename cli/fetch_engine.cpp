#include "fetch_engine.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common.hpp"
#include "fetch_forward.hpp"
#include "fetch_run.hpp"
#include "news_fetch.hpp"
#include "oauth2_login.hpp"
#include "pigeon/imap/client.hpp"
#include "pigeon/mime/rfc2047.hpp"
#include "pigeon/pop3/client.hpp"

namespace pigeon::cli {

int exit_code_for_store(const std::error_code& ec) {
    if (ec.category() == store::store_category()) {
        switch (static_cast<store::errc>(ec.value())) {
        case store::errc::bad_spec: return exit_usage;
        case store::errc::cannot_create: return exit_cantcreat;
        case store::errc::locked:
        case store::errc::mda_tempfail:
        case store::errc::forward_deferred:
        case store::errc::forward_unreachable: return exit_tempfail;
        case store::errc::mda_failed:
        case store::errc::forward_refused: return exit_unavailable;
        default: return exit_ioerr;
        }
    }
    return exit_ioerr;
}

account_context::account_context(std::string name, std::string state_dir, std::string destination,
                                 store::destination_options dest_opts, store::lock_mode lock)
    : name_(std::move(name)), state_dir_(std::move(state_dir)), destination_(std::move(destination)),
      dest_opts_(std::move(dest_opts)), lock_(lock) {}

bool account_context::claim_message_id(const std::string& folder, const std::string& message_id) {
    if (!id_owner_) {
        id_owner_.emplace();
        state().for_each_message_id([&](std::string_view f, std::string_view id) {
            id_owner_->emplace(std::string(id), std::string(f));
        });
    }
    auto [it, fresh] = id_owner_->emplace(message_id, folder);
    return fresh || it->second == folder;
}

store::fetch_state& account_context::state() {
    std::lock_guard<std::mutex> g(open_mutex_);
    if (state_) return *state_;
    // Intents left by a crash are settled against the stores they name.
    std::map<std::string, std::unique_ptr<store::destination>> stores;
    auto exists = [&](const store::delivered_record& r) {
        auto it = stores.find(r.destination);
        if (it == stores.end()) {
            std::error_code ec;
            store::destination_options o = dest_opts_;
            o.create = false;
            it = stores.emplace(r.destination, open_fetch_destination(r.destination, o, forward_net_, ec)).first;
        }
        return it->second && it->second->contains(r.location, r.size, r.sha256_hex);
    };
    std::error_code ec;
    auto st = store::fetch_state::open(state_dir_, lock_, exists, ec);
    if (!st) {
        if (ec == store::errc::locked)
            throw exit_error(exit_tempfail, "account " + printable(name_) + " is being fetched by another pigeon (" +
                                                state_dir_ + "/lock is held); try again later, or use --wait");
        throw exit_error(ec == store::errc::cannot_create ? exit_cantcreat : exit_ioerr,
                         "state directory " + printable(state_dir_) + ": " + ec.message());
    }
    state_.emplace(std::move(*st));
    return *state_;
}

namespace {

std::chrono::year_month_day days_ago(double days) {
    auto now = std::chrono::system_clock::now();
    auto then = now - std::chrono::seconds(static_cast<long long>(days * 86400.0));
    return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(then));
}

bool is_pattern(const std::string& f) { return f.find_first_of("*%") != std::string::npos; }

// ---------------------------------------------------------------- IMAP

class imap_fetch {
public:
    imap_fetch(imap::client& c, fetch_run& run, const std::atomic<bool>& stop, job_result& res,
               std::optional<char> delimiter)
        : c_(c), run_(run), stop_(stop), res_(res), job_(run.job()), pol_(job_.policy), delim_(delimiter) {}

    /// The folder as the store sees it: the server's hierarchy delimiter
    /// becomes "/" ("Lists.dev" on a "." server -> "Lists/dev").
    std::string store_folder(const std::string& name) const {
        if (!delim_ || *delim_ == '/') return name;
        std::string out = name;
        for (auto& ch : out)
            if (ch == *delim_) ch = '/';
            else if (ch == '/') ch = *delim_ == '.' ? '_' : ch;
        return out;
    }

    void folder(const std::string& name) {
        bool writable = pol_.delete_after || pol_.delete_older_than_days || pol_.mark_seen;
        const imap::mailbox_status& st = writable ? c_.select(name) : c_.examine(name);
        if (!st.uidvalidity)
            throw exit_error(exit_protocol, "folder " + printable(name) + ": the server gave no UIDVALIDITY");
        uidvalidity_ = *st.uidvalidity;
        folder_ = name;
        std::uint32_t exists = st.exists.value_or(0);
        res_.folders.push_back(name);

        std::vector<std::uint32_t> known;
        {
            std::lock_guard<std::mutex> g(job_.account->mutex());
            known = run_.state().uidvalidities(name);
        }
        bool changed = !known.empty() && std::find(known.begin(), known.end(), uidvalidity_) == known.end();

        imap::uid_set all_uids;
        if (exists > 0) all_uids = c_.search(imap::search_query::all());
        std::vector<std::uint32_t> candidates;
        if (exists > 0) {
            imap::uid_set wanted = all_uids;
            if (pol_.unseen || pol_.since) {
                std::vector<imap::search_query> q;
                if (pol_.unseen) q.push_back(imap::search_query::unseen());
                if (pol_.since) q.push_back(imap::search_query::since(*pol_.since));
                wanted = c_.search(q.size() == 1 ? q[0] : imap::search_query::and_(std::move(q)));
            }
            for (std::uint32_t uid : wanted)
                if (!run_.delivered({name, uidvalidity_, uid, {}})) candidates.push_back(uid);
        }
        if (changed) rebaseline(known, candidates);
        if (pol_.limit && candidates.size() > pol_.limit) candidates.resize(pol_.limit);

        // Sizes first (for --max-size and the progress total), holding only
        // the UIDs kept; flags and dates per chunk, with its bodies, so that
        // memory does not grow with the folder.
        std::uint64_t total_bytes = 0;
        if (!candidates.empty()) {
            imap::fetch_items items;
            items.rfc822_size = true;
            std::unordered_map<std::uint32_t, std::uint64_t> size_of;
            c_.fetch_each(imap::uid_set::from_numbers(candidates), items, [&](imap::message_data& m) {
                if (m.uid) size_of[*m.uid] = m.rfc822_size.value_or(0);
            });
            std::vector<std::uint32_t> kept;
            std::uint64_t too_large = 0;
            for (std::uint32_t uid : candidates) {
                auto it = size_of.find(uid);
                if (it == size_of.end()) continue;   // expunged meanwhile
                if (pol_.max_size && it->second > pol_.max_size) {
                    ++too_large;
                    continue;
                }
                total_bytes += it->second;
                kept.push_back(uid);
            }
            if (too_large) {
                res_.skipped += too_large;
                run_.observer().note(job_, "folder " + printable(name) + ": " + std::to_string(too_large) +
                                               " message(s) larger than --max-size kept on the server");
            }
            candidates = std::move(kept);
        }
        run_.set_totals(res_.delivered + candidates.size(), res_.bytes + total_bytes);

        constexpr std::size_t chunk = 500;
        const bool acts = pol_.mark_seen || pol_.delete_after;
        run_.keep_durable(acts);
        for (std::size_t i = 0; i < candidates.size() && !stop_.load(); i += chunk) {
            std::vector<std::uint32_t> part(candidates.begin() + static_cast<std::ptrdiff_t>(i),
                                            candidates.begin() +
                                                static_cast<std::ptrdiff_t>(std::min(candidates.size(), i + chunk)));
            // What the bodies need: flags (Maildir info), date, sequence.
            std::unordered_map<std::uint32_t, message_facts> meta;
            std::unordered_map<std::uint32_t, std::uint32_t> uid_of_seq;
            imap::fetch_items items;
            items.flags = items.internal_date = true;
            c_.fetch_each(imap::uid_set::from_numbers(part), items, [&](imap::message_data& m) {
                if (!m.uid) return;
                uid_of_seq[m.seq] = *m.uid;
                message_facts& f = meta[*m.uid];
                if (m.flags) f.flags = std::move(*m.flags);
                if (m.internal_date) f.date = m.internal_date->time.time_since_epoch().count();
            });
            fetch_bodies(part, meta, uid_of_seq);
            // Deleting or flagging needs the batch durable first; otherwise
            // the batch thresholds decide when to sync.
            if (acts) {
                run_.flush();
                after_delivery(run_.take_durable());
            }
        }
        run_.flush();
        after_delivery(run_.take_durable());
        if (exists > 0 && !stop_.load()) delete_old(all_uids);
        if (!writable) return;
        if (!c_.capabilities().has("UIDPLUS") && deleted_without_uidplus_) c_.close_mailbox();
    }

private:
    struct message_facts {
        std::vector<std::string> flags;
        std::int64_t date = 0;
    };

    void fetch_bodies(const std::vector<std::uint32_t>& uids,
                      const std::unordered_map<std::uint32_t, message_facts>& meta,
                      const std::unordered_map<std::uint32_t, std::uint32_t>& uid_of_seq) {
        imap::fetch_items items = imap::fetch_items::whole_message();
        std::unique_ptr<in_flight> cur;
        std::optional<std::uint32_t> cur_uid;
        std::uint32_t cur_seq = 0;
        std::unordered_set<std::uint32_t> stored;   // UIDs stored by this FETCH
        // The client hands on only FETCH responses with a UID that was asked
        // for: a body that came in any other (no UID, or one not asked for)
        // never completes; it is dropped when the next body starts, or at
        // the end, and not stored (the message stays on the server).
        auto drop_unattributed = [&] {
            if (!cur) return;
            cur->d->abort();
            cur.reset();
            fetch_errors_ = true;
            run_.observer().note(job_, "folder " + printable(folder_) + ": the server sent message " +
                                           std::to_string(cur_seq) +
                                           " without its UID (or under a UID not asked for); not stored (kept on "
                                           "the server)");
        };
        imap::fetch_options fo;
        fo.batch = 100;
        fo.in_flight = 3;
        c_.fetch_each(
            imap::uid_set::from_numbers(uids), items,
            [&](imap::message_data& m) {
                if (!cur) return;   // no body (NIL, or a FETCH of flags only)
                if (!m.uid) return drop_unattributed();
                std::optional<std::uint32_t> uid = m.uid;
                if (cur_uid && *uid != *cur_uid) {
                    cur->d->abort();
                    cur.reset();
                    fetch_errors_ = true;
                    run_.observer().note(job_, "folder " + printable(folder_) + ": body of UID " +
                                                   std::to_string(*uid) + " arrived for another UID; not stored");
                    return;
                }
                if (!stored.insert(*uid).second) {
                    // The same UID twice (one of them in place of another
                    // message): stored once; the other message is not
                    // recorded and comes again next time.
                    cur->d->abort();
                    cur.reset();
                    fetch_errors_ = true;
                    run_.observer().note(job_, "folder " + printable(folder_) + ": the server sent UID " +
                                                   std::to_string(*uid) + " twice; stored once");
                    return;
                }
                std::vector<std::string> flags;
                if (auto it = meta.find(*uid); it != meta.end()) flags = it->second.flags;
                run_.finish(std::move(cur), {folder_, uidvalidity_, *uid, {}}, flags);
                if (stop_.load()) throw stop_requested{};
            },
            [&](const imap::body_target& t) -> net::sink_fn {
                drop_unattributed();
                cur_seq = t.seq;
                std::optional<std::uint32_t> uid = t.uid;
                if (!uid) {
                    if (auto it = uid_of_seq.find(t.seq); it != uid_of_seq.end()) uid = it->second;
                }
                cur_uid = uid;
                store::message_meta mm;
                mm.folder = store_folder(folder_);
                mm.size_hint = t.size;
                if (uid) {
                    if (auto it = meta.find(*uid); it != meta.end()) {
                        mm.flags = it->second.flags;
                        mm.internal_date = it->second.date;
                    }
                }
                cur = run_.begin(mm, t.size);
                return run_.sink(*cur);
            },
            fo);
        drop_unattributed();
    }

    struct stop_requested {};

public:
    /// fetch_bodies, ending early (cleanly) when asked to stop.
    void run_folder(const std::string& name) {
        try {
            folder(name);
        } catch (const stop_requested&) {
            // The message in flight was finished; the connection is in the
            // middle of a FETCH: make what we have durable and leave.
            run_.flush();
            stopped_mid_fetch_ = true;
        }
    }
    bool stopped_mid_fetch() const noexcept { return stopped_mid_fetch_; }
    bool fetch_errors() const noexcept { return fetch_errors_; }

private:
    void after_delivery(const std::vector<store::message_key>& keys) {
        if (keys.empty()) return;
        imap::uid_set set;
        for (const auto& k : keys) set.add(k.uid);
        set.normalize();
        if (pol_.mark_seen) c_.store(set, imap::store_action::add, {"\\Seen"});
        if (pol_.delete_after) expunge(set, keys.size());
    }

    void expunge(const imap::uid_set& set, std::size_t n) {
        for (std::uint32_t uid : set) removed_.insert(uid);
        c_.store(set, imap::store_action::add, {"\\Deleted"});
        if (c_.capabilities().has("UIDPLUS")) c_.expunge(set);
        else deleted_without_uidplus_ = true;   // CLOSE at the end expunges
        res_.deleted += n;
    }

    /// --delete / --delete-older-than for messages delivered in earlier runs.
    void delete_old(const imap::uid_set& all_uids) {
        if (!pol_.delete_after && !pol_.delete_older_than_days) return;
        imap::uid_set pool = all_uids;
        if (pol_.delete_older_than_days)
            pool = c_.search(imap::search_query::before(days_ago(*pol_.delete_older_than_days)));
        imap::uid_set set;
        std::size_t n = 0;
        {
            std::lock_guard<std::mutex> g(job_.account->mutex());
            for (std::uint32_t uid : pool)
                if (!removed_.count(uid) && run_.state().delivered({folder_, uidvalidity_, uid, {}})) {
                    set.add(uid);
                    ++n;
                }
        }
        if (n == 0) return;
        set.normalize();
        expunge(set, n);
    }

    /// UIDVALIDITY changed: messages delivered under an earlier one are
    /// matched by (Message-ID, size) and recorded under the new one instead
    /// of being fetched again.
    void rebaseline(const std::vector<std::uint32_t>& old_validities, std::vector<std::uint32_t>& candidates) {
        if (candidates.empty()) {
            run_.observer().note(job_, "folder " + printable(folder_) + ": UIDVALIDITY changed to " +
                                           std::to_string(uidvalidity_) + "; the folder is empty");
            return;
        }
        imap::fetch_items items;
        items.rfc822_size = true;
        items.sections.push_back({"HEADER.FIELDS (MESSAGE-ID)", std::nullopt, 0, false, true});
        std::vector<store::delivered_record> matched;
        std::set<std::string> used;   // old records taken (one server message each)
        std::unordered_set<std::uint32_t> matched_uids;
        c_.fetch_each(imap::uid_set::from_numbers(candidates), items, [&](imap::message_data& m) {
            if (!m.uid || !m.rfc822_size) return;
            const auto* sec = m.find_section("HEADER.FIELDS (MESSAGE-ID)");
            if (!sec) {
                for (const auto& s : m.sections)
                    if (s.section.rfind("HEADER.FIELDS", 0) == 0) sec = &s;
            }
            if (!sec) return;
            header_sniffer h;
            h.feed(sec->bytes);
            h.finish();
            if (h.message_id.empty()) return;
            std::lock_guard<std::mutex> g(job_.account->mutex());
            const auto* old = run_.state().find_by_message_id(h.message_id, *m.rfc822_size);
            if (!old || old->key.folder != folder_ || old->key.uidvalidity == uidvalidity_) return;
            std::string id = std::to_string(old->key.uidvalidity) + ":" + std::to_string(old->key.uid);
            if (!used.insert(id).second) return;
            store::delivered_record r = *old;
            r.key = {folder_, uidvalidity_, *m.uid, {}};
            matched.push_back(std::move(r));
            matched_uids.insert(*m.uid);
        });
        std::vector<store::message_key> old_keys;
        {
            std::lock_guard<std::mutex> g(job_.account->mutex());
            run_.state().for_each_record(folder_, [&](const store::delivered_record& r) {
                if (r.key.uidvalidity != uidvalidity_) old_keys.push_back(r.key);
            });
            std::error_code ec;
            run_.state().confirm(matched, ec);
            if (!ec) run_.state().sync(ec);
            if (!ec) run_.state().forget(old_keys, ec);
            if (ec) run_.fail_store(ec);
        }
        std::vector<std::uint32_t> rest;
        for (auto uid : candidates)
            if (!matched_uids.count(uid)) rest.push_back(uid);
        res_.rebaselined += matched.size();
        std::string was;
        for (auto v : old_validities) was += (was.empty() ? "" : ",") + std::to_string(v);
        run_.observer().note(job_, "folder " + printable(folder_) + ": UIDVALIDITY changed (" + was + " -> " +
                                       std::to_string(uidvalidity_) + "): " + std::to_string(matched.size()) +
                                       " message(s) already delivered, matched by Message-ID and size; " +
                                       std::to_string(rest.size()) + " to fetch");
        candidates = std::move(rest);
    }

    imap::client& c_;
    fetch_run& run_;
    const std::atomic<bool>& stop_;
    job_result& res_;
    const fetch_job& job_;
    const fetch_policy& pol_;
    std::string folder_;
    std::uint32_t uidvalidity_ = 0;
    std::optional<char> delim_;
    std::unordered_set<std::uint32_t> removed_;   // deleted in this session
    bool deleted_without_uidplus_ = false;
    bool stopped_mid_fetch_ = false;
    bool fetch_errors_ = false;
};

void run_imap(const fetch_job& job, fetch_observer& obs, const std::atomic<bool>& stop, job_result& res) {
    imap::client c;
    imap::client_options o;
    o.net = job.source.net;
    c.connect(job.source.ep, o);
    if (!job.source.user.empty() && c.state() == imap::state::not_authenticated)
        oauth2::authenticate_with_token(c, credentials_of(job.source), selection_of(job.source), job.source.oauth2.get());

    // LIST gives the names a pattern matches and the hierarchy delimiter
    // (for Maildir++ subfolders).
    std::vector<std::pair<std::string, std::optional<char>>> folders;
    std::string wanted = job.folder.empty() ? "INBOX" : job.folder;
    for (const auto& mb : c.list("", wanted)) {
        const auto& e = mb.entry;
        if (e.has_attribute("\\Noselect") || e.has_attribute("\\NonExistent") || !e.name_valid) continue;
        folders.emplace_back(e.name, e.delimiter);
    }
    if (folders.empty()) {
        if (is_pattern(job.folder)) obs.note(job, "no folder matches " + printable(job.folder));
        else throw exit_error(exit_unavailable, "folder " + printable(wanted) + " does not exist on the server");
    }
    fetch_run run(job, obs, res);
    bool errors = false;
    for (const auto& [f, delim] : folders) {
        if (stop.load()) break;
        imap_fetch one(c, run, stop, res, delim);
        try {
            one.run_folder(f);
        } catch (...) {
            // A store that cannot take more, a cut connection, a server
            // breaking the protocol: the messages received whole before it
            // are still made durable and recorded (a link that always breaks
            // within the batch thresholds still makes progress); nothing
            // more is deleted on the server.
            try {
                run.flush();
            } catch (...) {
            }
            throw;
        }
        errors = errors || one.fetch_errors();
        if (one.stopped_mid_fetch()) {
            c.close();
            return;
        }
    }
    try {
        c.logout();
    } catch (const std::exception&) {
        // Everything is recorded; a failed LOGOUT changes nothing.
    }
    if (errors && res.exit_code == 0) {
        res.exit_code = exit_protocol;
        res.error = "the server sent FETCH responses pigeon could not attribute (see above); those messages were "
                    "kept on the server";
    }
    run.report_kept(res);
}

// ---------------------------------------------------------------- POP3

/// A maildrop's UIDL answers: (message number, UIDL) with the UIDLs in one
/// block of text (a std::string each was 40 bytes plus a heap block).
class uidl_table {
public:
    void add(std::uint32_t number, std::string_view uid) {
        entries_.push_back({number, static_cast<std::uint32_t>(uid.size()), text_.size()});
        text_.append(uid);
    }
    std::size_t size() const noexcept { return entries_.size(); }
    std::uint32_t number(std::size_t i) const noexcept { return entries_[i].number; }
    std::string_view uid(std::size_t i) const noexcept {
        return std::string_view(text_).substr(entries_[i].offset, entries_[i].length);
    }
    /// Renames the second and later copies of a UIDL listed more than once
    /// to "uidl 2", "uidl 3"..., in the order listed; true if there were any.
    bool number_duplicates() {
        std::vector<std::uint32_t> order(entries_.size());
        for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return uid(a) < uid(b); });
        std::vector<std::pair<std::uint32_t, std::size_t>> renamed;  // index, its copy number
        for (std::size_t i = 1, run = 1; i < order.size(); ++i) {
            run = uid(order[i]) == uid(order[i - 1]) ? run + 1 : 1;
            if (run > 1) renamed.emplace_back(order[i], run);
        }
        for (const auto& [i, n] : renamed) {
            std::string u(uid(i));
            u += " " + std::to_string(n);
            entries_[i].offset = text_.size();
            entries_[i].length = static_cast<std::uint32_t>(u.size());
            text_ += u;
        }
        return !renamed.empty();
    }
    void sort_by_number() {
        std::stable_sort(entries_.begin(), entries_.end(),
                         [](const entry& a, const entry& b) { return a.number < b.number; });
        entries_.shrink_to_fit();
        text_.shrink_to_fit();
    }
    /// The UIDL of message n (after sort_by_number), empty if not listed.
    std::string_view uid_of(std::uint32_t n) const noexcept {
        auto it = std::lower_bound(entries_.begin(), entries_.end(), n,
                                   [](const entry& e, std::uint32_t v) { return e.number < v; });
        return it != entries_.end() && it->number == n ? uid(static_cast<std::size_t>(it - entries_.begin()))
                                                       : std::string_view();
    }

private:
    struct entry {
        std::uint32_t number;
        std::uint32_t length;
        std::size_t offset;
    };
    std::vector<entry> entries_;
    std::string text_;
};

void run_pop3(const fetch_job& job, fetch_observer& obs, const std::atomic<bool>& stop, job_result& res) {
    pop3::client c;
    pop3::client_options o;
    o.net = job.source.net;
    c.connect(job.source.ep, o);
    oauth2::authenticate_with_token(c, credentials_of(job.source), selection_of(job.source), job.source.oauth2.get());
    const fetch_policy& pol = job.policy;

    // The maildrop's listing, kept compact (10,000 messages: a few hundred
    // KB): the UIDLs in one block of text, the UIDL and LIST answers in
    // vectors sorted by message number, no per-message maps or strings.
    uidl_table keyed;
    try {
        c.uidl([&](const pop3::message_uid& m) { keyed.add(m.number, m.uid); });
    } catch (const core::command_error& e) {
        throw exit_error(exit_protocol, std::string("the server refused UIDL (") + e.what() +
                                            "): without unique ids pigeon cannot tell new messages from old ones");
    }
    std::vector<pop3::message_size> sizes;
    c.list([&](const pop3::message_size& m) { sizes.push_back(m); });
    sizes.shrink_to_fit();
    auto by_number = [](const auto& a, const auto& b) { return a.number < b.number; };
    std::stable_sort(sizes.begin(), sizes.end(), by_number);
    auto size_of = [&](std::uint32_t n) -> std::uint64_t {
        auto it = std::lower_bound(sizes.begin(), sizes.end(), n,
                                   [](const pop3::message_size& m, std::uint32_t v) { return m.number < v; });
        return it != sizes.end() && it->number == n ? it->size : 0;
    };

    // A UIDL listed twice (a broken server): each copy gets its own key
    // ("uidl 2" for the second: a space never occurs in a UIDL), in the
    // order the server listed them.
    if (keyed.number_duplicates())
        obs.note(job, "the server lists some UIDLs more than once; each copy is fetched and recorded on its own");
    keyed.sort_by_number();
    auto key_of = [&](std::uint32_t n) { return std::string(keyed.uid_of(n)); };

    fetch_run run(job, obs, res);
    std::vector<std::uint32_t> wanted;
    std::uint64_t total_bytes = 0, too_large = 0;
    for (std::size_t i = 0; i < keyed.size(); ++i) {
        const std::uint32_t num = keyed.number(i);
        if (run.delivered({"", 0, 0, std::string(keyed.uid(i))})) continue;
        std::uint64_t size = size_of(num);
        if (pol.max_size && size > pol.max_size) {
            ++too_large;
            continue;
        }
        if (pol.limit && wanted.size() >= pol.limit) continue;
        wanted.push_back(num);
        total_bytes += size;
    }
    if (too_large) {
        res.skipped += too_large;
        obs.note(job, std::to_string(too_large) + " message(s) larger than --max-size kept on the server");
    }
    run.set_totals(wanted.size(), total_bytes);

    std::unique_ptr<in_flight> cur;
    bool stopped = false;
    try {
        c.retrieve_each(
            wanted,
            [&](std::uint32_t n) -> net::sink_fn {
                store::message_meta mm;
                mm.size_hint = size_of(n);
                cur = run.begin(mm, mm.size_hint);
                return run.sink(*cur);
            },
            [&](const pop3::retrieve_status& s) {
                if (!cur) return;
                if (!s.retrieved) {
                    cur->d->abort();
                    cur.reset();
                    obs.note(job, "message " + std::to_string(s.number) + ": the server refused RETR (" +
                                      printable(s.refusal.lines.empty() ? std::string() : s.refusal.lines.front()) +
                                      "); kept on the server");
                    return;
                }
                run.finish(std::move(cur), {"", 0, 0, key_of(s.number)}, {});
                if (stop.load()) throw std::runtime_error("stop");
            });
    } catch (const std::exception& e) {
        if (stop.load() && std::string(e.what()) == "stop" && !dynamic_cast<const store_failure*>(&e)) {
            stopped = true;
        } else {
            // As for IMAP: what was received whole is kept, nothing deleted.
            run.salvage(cur);
            throw;
        }
    }
    run.flush();
    if (stopped) {
        c.close();   // no QUIT: nothing is deleted
        return;
    }

    // Deletion, only of what is recorded as delivered (durably).
    if (pol.delete_after || pol.delete_older_than_days) {
        std::vector<std::uint32_t> del;
        {
            std::lock_guard<std::mutex> g(job.account->mutex());
            auto& st = job.account->state();
            std::unordered_map<std::string, std::int64_t> when;
            if (!pol.delete_after)
                st.for_each_record("", [&](const store::delivered_record& r) { when[r.key.uidl] = r.delivered_at; });
            for (std::size_t i = 0; i < keyed.size(); ++i) {
                const std::uint32_t num = keyed.number(i);
                const std::string key(keyed.uid(i));
                if (!st.delivered({"", 0, 0, key})) continue;
                if (!pol.delete_after) {
                    // POP3 has no dates: the age is the time since delivery.
                    auto it = when.find(key);
                    if (it == when.end() || it->second == 0) continue;
                    double age_days = static_cast<double>(std::time(nullptr) - it->second) / 86400.0;
                    if (age_days < *pol.delete_older_than_days) continue;
                }
                del.push_back(num);
            }
        }
        for (auto n : del) {
            c.mark_deleted(n);
            ++res.deleted;
        }
    }
    // Forget what the server no longer has (keeps the state small).
    {
        std::unordered_set<std::string_view> present;
        present.reserve(keyed.size());
        for (std::size_t i = 0; i < keyed.size(); ++i) present.insert(keyed.uid(i));
        std::vector<store::message_key> gone;
        std::lock_guard<std::mutex> g(job.account->mutex());
        job.account->state().for_each_record("", [&](const store::delivered_record& r) {
            if (!present.count(r.key.uidl)) gone.push_back(r.key);
        });
        if (!gone.empty()) {
            std::error_code ec;
            job.account->state().forget(gone, ec);
        }
    }
    c.quit();
    run.report_kept(res);
}

} // namespace

sasl::credentials credentials_of(const fetch_source& s) {
    sasl::credentials c;
    c.username = s.user;
    c.host = s.ep.host;
    c.port = s.ep.port;
    c.password = s.password ? s.password() : std::string();
    if (s.oauth2) c.oauth_token = s.oauth2->access_token();
    return c;
}

sasl::selection_options selection_of(const fetch_source& s) {
    sasl::selection_options sel;
    sel.allowed = s.auth_mechanisms;
    sel.allow_cleartext_secrets = s.allow_cleartext;
    return sel;
}

job_result run_fetch_job(const fetch_job& job, fetch_observer& obs, const std::atomic<bool>& stop) {
    job_result res;
    try {
        job.account->state();   // the lock first: a second run stops here
        if (job.source.ep.proto == net::protocol::imap) run_imap(job, obs, stop, res);
        else if (job.source.ep.proto == net::protocol::pop3) run_pop3(job, obs, stop, res);
        else if (job.source.ep.proto == net::protocol::nntp) run_nntp(job, obs, stop, res);
        else throw exit_error(exit_usage, "pigeon fetch reads imap://, imaps://, pop3:// and pop3s:// sources");
    } catch (const store_failure& e) {
        res.exit_code = e.code;
        res.error = std::string(e.what()) + "; nothing more was deleted on the server";
    } catch (const std::exception& e) {
        res.exit_code = exit_code_for(e);
        std::string msg = e.what();
        if (dynamic_cast<const net::tls_error*>(&e)) msg = "TLS: " + msg;
        res.error = msg;
    }
    return res;
}

} // namespace pigeon::cli
