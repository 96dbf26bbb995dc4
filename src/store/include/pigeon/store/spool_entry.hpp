#pragma once
// One message waiting in the outbox (store/spool.hpp): its envelope, the
// state of each recipient, the retry bookkeeping and the settings it is to
// be sent with. Sans-I/O: encode_entry() and parse_entry() turn it into the
// text of the entry's ".meta" file and back; parse_entry never throws on bad
// input, it returns an error (the spool then moves the entry aside).
//
// The file is lines of tab-separated fields, each percent-escaped as the
// fetch-state journal's ('%', controls and DEL as %XX), so any address or
// server text fits; a header line first, "end" last:
//
//   pigeon-spool 1
//   id<TAB>20261206T101500Z-3f9a2c1e07b4
//   created<TAB>1796551200
//   ...
//   rcpt<TAB>pending<TAB>bob@example.org<TAB>
//   rcpt<TAB>failed<TAB>carol@example.org<TAB>550 5.1.1 no such user
//   set<TAB>server<TAB>smtp://mail.example.org:587
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace pigeon::store {

enum class recipient_state {
    pending,    ///< not delivered yet: tried at the next attempt
    delivered,  ///< the server accepted it; never sent again
    failed,     ///< refused permanently (5xx) or given up (lifetime over)
};

struct spool_recipient {
    std::string address;
    recipient_state state = recipient_state::pending;
    std::string last_reply;  ///< the server's last word on it ("" when none)
    bool operator==(const spool_recipient&) const = default;
};

struct spool_entry {
    std::string id;                 ///< letters, digits, '-' and '.' only
    std::int64_t created = 0;       ///< seconds since the epoch
    std::int64_t next_attempt = 0;  ///< not tried before this (seconds since the epoch)
    std::int64_t last_attempt = 0;  ///< 0: never tried
    std::uint32_t attempts = 0;
    std::string from;               ///< reverse path; "" for the null path
    std::vector<spool_recipient> recipients;
    /// DSN parameters as written on the wire ("SUCCESS,FAILURE", "HDRS",
    /// the ENVID); "" for none. The store does not interpret them.
    std::string notify, ret, envid;
    std::uint64_t size = 0;         ///< message bytes
    std::string last_error;         ///< why the last attempt did not finish
    /// How to send it (server, account, TLS mode...): names and values the
    /// caller chose, kept in order. Never a password.
    std::vector<std::pair<std::string, std::string>> settings;

    /// The value of a setting, "" when absent.
    std::string setting(std::string_view name) const;
    std::size_t count(recipient_state s) const noexcept;
    bool operator==(const spool_entry&) const = default;
};

/// "pending", "delivered", "failed".
const char* to_string(recipient_state s) noexcept;

/// The ".meta" text of an entry.
std::string encode_entry(const spool_entry& e);

/// Parses ".meta" text. errc::corrupt_entry (store category) for anything
/// that is not a whole, well-formed entry: a missing header or "end" line
/// (a torn write), an unknown recipient state, a bad number, no id or no
/// recipients. Unknown keys are skipped (a newer pigeon's additions).
std::error_code parse_entry(std::string_view text, spool_entry& out);

/// True for an id the spool may use as a file name: 1 to 64 letters,
/// digits, '-' or '.', not starting with '.'.
bool valid_entry_id(std::string_view id) noexcept;

} // namespace pigeon::store
