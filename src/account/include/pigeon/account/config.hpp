#pragma once
// The account file, shared by the pigeon command and programs on the
// library (outbox::send with an account): TOML at $XDG_CONFIG_HOME/pigeon/config.toml (falling
// back to ~/.config/pigeon/config.toml), or the file named by --config or
// PIGEON_CONFIG. docs/config.example.toml shows every key.
//
//   [accounts.work]
//   default = true
//   server = "smtp://mail.example.org:587"
//   user = "alice@example.org"
//   password_command = "pass show mail/work"
//   from = "Alice Example <alice@example.org>"
//
//   [aliases]                 # sendmail mode: bare local recipients
//   root = "alice@example.org"
//
// A file holding a `password` must not be readable by group or others:
// loading it then fails (the CLI exits 78, EX_CONFIG), as msmtp does.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::account {

/// [accounts.NAME.fetch]: where `pigeon fetch` and `pigeon watch` take mail
/// from and put it. Unset keys fall back to the account's (user,
/// password_command, TLS keys); the source server may differ from `server`.
struct fetch_config {
    std::string source;                 ///< imap://, imaps://, pop3://, pop3s:// (path: the folder)
    std::vector<std::string> folders;   ///< IMAP folders or patterns ("INBOX", "Lists/*")
    std::string destination;            ///< maildir:PATH, mbox:PATH, mda:COMMAND, lmtp:..., smtp:...
    std::string user;                   ///< "" = the account's user (or the URL's)
    bool keep = true;                   ///< false (or delete = true): delete after delivery
    std::optional<double> delete_older_than;  ///< days
    bool mark_seen = false;
    bool unseen = false;
    std::string since;                  ///< YYYY-MM-DD
    std::optional<double> max_size;     ///< bytes
    std::optional<double> limit;        ///< messages per folder and run
    std::optional<double> max_connections;  ///< per server
    std::optional<double> poll_interval;    ///< seconds (`watch` over POP3)
};

/// [accounts.NAME.oauth2]: log in with an OAuth2 access token (XOAUTH2 or
/// OAUTHBEARER, whichever the server offers) instead of a password. The
/// refresh token comes from refresh_token_command, else from the state
/// directory (written by `pigeon oauth2 authorize NAME`).
struct oauth2_config {
    std::string provider;                ///< "google", "microsoft" (presets) or "" (endpoints given)
    std::string tenant;                  ///< Microsoft's tenant ("" : common)
    std::string token_endpoint;          ///< https:// (overrides the preset's)
    std::string authorization_endpoint;  ///< loopback flow
    std::string device_endpoint;         ///< device flow
    std::string client_id;
    std::string client_secret;
    std::string client_secret_command;   ///< run with /bin/sh -c, like password_command
    std::vector<std::string> scopes;     ///< overrides the preset's
    std::string refresh_token_command;
    std::string tls_ca;                  ///< extra CA for the endpoints ("" : the account's tls_ca)
};

struct account_config {
    std::string name;
    bool is_default = false;
    std::string server;            ///< URL: smtp://, smtps://, lmtp://, or a socket path
    std::string user;
    std::string password_command;  ///< run with /bin/sh -c
    std::optional<std::string> password;
    std::string from;              ///< "Name <addr>" or "addr"
    std::string domain;            ///< qualifies bare local names (sendmail mode)
    std::string tls;               ///< starttls | implicit | none ("" = from the URL)
    std::string tls_ca;            ///< absolute, or relative to the file's directory
    std::vector<std::string> pins;
    bool insecure = false;
    std::vector<std::string> auth_mechanisms;
    std::optional<double> timeout; ///< seconds
    std::string proxy;             ///< socks5h://, socks5://, http:// URL, "env" or "none" ("": none)
    std::optional<fetch_config> fetch;
    std::optional<oauth2_config> oauth2;
};

struct config_file {
    /// The file read, or the one that would have been (when absent).
    std::string path;
    bool loaded = false;
    std::vector<account_config> accounts;
    /// Local name -> comma list of addresses; "default" catches the rest.
    std::map<std::string, std::string> aliases;
    /// What the file holds that pigeon does not know (unknown keys), as
    /// "PATH: unknown key K (line N) ignored": for the caller to show.
    std::vector<std::string> warnings;

    const account_config* find(const std::string& name) const;
    /// The account marked default = true, or the only account, or nullptr.
    const account_config* default_account() const;
};

/// $XDG_CONFIG_HOME/pigeon/config.toml if XDG_CONFIG_HOME is an absolute
/// path, else $HOME/.config/pigeon/config.toml ("" when neither is known).
std::string default_config_path();

/// Reads the file: explicit (must exist) or, when explicit is empty, the
/// default path (absent: an empty config, loaded == false). Throws
/// account::error (errc::config) for an unreadable or invalid file, a type
/// error, two default accounts, or a password in a file that group or others
/// can read. Unknown keys become warnings.
config_file load_config(const std::string& explicit_path);

/// The text of a configuration file as load_config reads it (path names
/// the file in messages and anchors relative tls_ca paths). Throws
/// account::error (errc::config) for what is not valid; no file access.
config_file parse_config(std::string_view text, const std::string& path);

/// Does cfg hold a secret in clear (a password, a proxy password, an OAuth2
/// client secret)? load_config then wants a file only its owner can read.
bool holds_secret(const config_file& cfg);

/// The account `name` of cfg, or its default account when name is empty;
/// account::error (errc::config) naming the file when there is none.
const account_config& find_account(const config_file& cfg, const std::string& name);

/// The proxy text of a config file or a flag, checked: a proxy URL, "env"
/// or "none"; empty when fine, else what is wrong. Never echoes a password.
std::string check_proxy_spec(const std::string& spec);

} // namespace pigeon::account
