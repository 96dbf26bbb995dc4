#pragma once
// What the mail commands (folders, list, search, read, flag, copy, move,
// delete, append, wait) share: their common flags, the ACCOUNT or URL they
// act on (resolved as `pigeon fetch` does: cli/fetch_setup), logging in, the
// folder opened, and message ids.
//
// The first argument is the URL when it holds "://" (imaps://user@host/Folder;
// --folder overrides the path); otherwise the account is --account NAME,
// PIGEON_ACCOUNT, or the configuration's default account. Message ids are
// what `pigeon list` prints: the UID, or UIDVALIDITY:UID, refused when the
// folder's UIDVALIDITY is no longer that (the UID may name another message
// now). POP3 ids are the server's UIDL.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fetch_setup.hpp"
#include "pigeon/imap/client.hpp"
#include "pigeon/pop3/client.hpp"

namespace pigeon::cli::mail {

struct mail_flags {
    fetch_flags conn;               ///< only the connection part is used
    std::string account;            ///< --account
    std::string folder;             ///< --folder
    std::vector<std::string> args;  ///< [URL] then the command's own arguments
    bool json = false;

    /// --account, --folder, the connection flags, --json (when json_help is
    /// set) and the positional arguments (args_name / args_help).
    void add_to(CLI::App& app, const std::string& args_name, const std::string& args_help, const char* json_help);
};

/// Where a command acts.
struct target {
    resolved_source src;
    std::string account;             ///< account name, or "user@host" for a URL
    std::string folder;              ///< --folder, else the URL's path, else INBOX ("" for POP3)
    bool folder_given = false;       ///< by --folder or the URL
    bool pop3 = false;
    std::vector<std::string> rest;   ///< the arguments after the URL
};

/// Resolves flags to a target. With account_positional, a first argument
/// without "://" names the account. Throws exit_error (64 usage, 78 config).
target resolve_target(const mail_flags& f, bool account_positional = false);

/// Connected and logged in (when a user is configured).
imap::client open_imap(const target& t);
pop3::client open_pop3(const target& t);

/// SELECT (writable) or EXAMINE the folder; a refusal becomes exit_error(66)
/// naming the folder.
const imap::mailbox_status& open_folder(imap::client& c, const std::string& folder, bool writable);

struct message_id {
    std::optional<std::uint32_t> uidvalidity;
    std::uint32_t uid = 0;
    std::string text;  ///< as given
};
/// "123" or "3857529045:123"; exit_error(64) for anything else.
std::vector<message_id> parse_ids(const std::vector<std::string>& words);
/// The UIDs of ids in the open folder: exit_error(65) when an id carries
/// a UIDVALIDITY that is not the folder's, exit_error(66) when a UID names
/// no message there (checked with UID SEARCH).
imap::uid_set checked_uids(imap::client& c, const std::vector<message_id>& ids, const std::string& folder);

/// A POP3 message number for each UIDL id; exit_error(66) for an unknown one.
std::vector<std::uint32_t> pop3_numbers(pop3::client& c, const std::vector<std::string>& ids);

/// "seen" -> "\Seen" (seen, flagged, answered, deleted, draft, any case);
/// anything else is a keyword, checked to be an atom (exit_error(64)).
std::string flag_name(const std::string& word);

/// "UID 5 -> Archive UID 12" lines for a COPYUID (or "UIDs 5,7 -> Archive"
/// when the server gives none).
std::string copied_text(const char* verb, const imap::uid_set& uids, const std::string& to,
                        const std::optional<imap::copy_uid>& result);

/// A sink writing to fd; a failed write throws exit_error(74).
net::sink_fn fd_sink(int fd);

/// Runs a command body: exceptions become their exit code (printed).
int guarded(const std::function<int()>& body);

} // namespace pigeon::cli::mail
