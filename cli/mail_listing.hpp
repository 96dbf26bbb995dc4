#pragma once
// What `pigeon list`, `pigeon search` and `pigeon wait` share: the messages
// of a folder (IMAP: matching a query; POP3: the maildrop) as summaries,
// newest first, a page at a time, fetched in bounded chunks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mail_query.hpp"
#include "mail_render.hpp"
#include "mail_session.hpp"

namespace pigeon::cli::mail {

struct listing_flags {
    std::size_t page = 1;
    std::size_t page_size = 0;  ///< 0: the terminal's height, else 50; --page-size 0 also: all (--all)
    bool all = false;
    void add_to(CLI::App& app);
};

/// UIDs of set, newest (highest) first, the page-th page of page_size (0: all).
std::vector<std::uint32_t> newest_first(const imap::uid_set& set, std::size_t page, std::size_t page_size);
/// The sequence numbers of the page-th page of page_size (0: all) of a
/// mailbox of `exists` messages, newest (highest) first.
std::vector<std::uint32_t> newest_sequence_page(std::uint32_t exists, std::size_t page, std::size_t page_size);

/// The summaries of uids (UID FETCH FLAGS INTERNALDATE RFC822.SIZE
/// ENVELOPE), handed to each in the order of uids; at most a chunk of them
/// is held at once.
void fetch_summaries(imap::client& c, const target& t, const std::vector<std::uint32_t>& uids,
                     const std::function<void(const summary&)>& each);

/// POP3: the summaries of the given message numbers (UIDL, LIST, TOP n 0),
/// in the order given.
void pop3_summaries(pop3::client& c, const target& t, const std::vector<std::uint32_t>& numbers,
                    const std::function<void(const summary&)>& each);

/// What the query's local test needs of POP3 message n (size: from LIST):
/// its header (TOP n 0), and the whole message when whole is set (RETR).
message_facts pop3_facts(pop3::client& c, std::uint32_t n, std::uint64_t size, bool whole);

/// Lists the folder (query: nullptr for all; IMAP: UID SEARCH; POP3: each
/// message tested here, TOP n 0 or RETR) with the flags; returns the exit code.
int run_listing(const mail_flags& f, const listing_flags& l, const target& t, const parsed_query* query);

} // namespace pigeon::cli::mail
