#pragma once
// What `pigeon send` and `pigeon sendmail` share: where the server and the
// credentials come from (command line > PIGEON_* environment > account),
// one delivery (connect, STARTTLS, AUTH, send, QUIT), and how its outcome
// becomes an exit code, lines on standard error and a JSON document.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "config.hpp"
#include "oauth2_login.hpp"
#include "pigeon/net/bytes.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/tls_options.hpp"
#include "pigeon/smtp/client.hpp"
#include "pigeon/smtp/envelope.hpp"
#include "pigeon/smtp/result.hpp"

namespace pigeon::cli {

/// Server, account and credential flags as given (empty: not given).
struct connection_flags {
    std::string server;
    std::string user;
    std::string password_command;
    std::string account;
    std::string config;
    std::string from;
    std::vector<std::string> auth_mechanisms;
    bool allow_cleartext = false;  ///< --allow-cleartext-login
    tls_flags tls;
    trace_flags trace;
    double timeout = 0;  ///< seconds; 0: the account's, else 60
    bool strip_nul = false;  ///< --strip-nul: drop NUL bytes from the message instead of refusing it

    /// --server, --account, --config, --user, --password-command,
    /// --auth-mech, --timeout, the TLS flags and -v/--trace-secrets
    /// (--from is the caller's: its help differs).
    void add_to(CLI::App& app);
};

/// Everything needed to deliver, resolved.
struct send_settings {
    std::string account;           ///< the account used ("" when none)
    std::string server_url;        ///< as configured (for messages)
    net::endpoint ep;
    smtp::client_options client;
    std::string user;              ///< empty: no authentication
    std::string password_command;  ///< run by credentials()
    std::string password_origin;   ///< names the password's source in messages
    std::chrono::milliseconds password_timeout{60000};  ///< the --timeout
    std::optional<std::string> password;
    std::vector<std::string> auth_mechanisms;
    /// A password may go over a connection without TLS (--tls none to a
    /// local test server): only when asked for.
    bool allow_cleartext = false;
    /// The account's OAuth2 login (an oauth2 section and no --password-command).
    std::shared_ptr<oauth2_login> oauth2;
    std::string from;              ///< header form, "" when not configured
    std::string domain;            ///< for bare local names ("" when unknown)
    std::map<std::string, std::string> aliases;
};

/// Reads the configuration and merges it with the flags and the PIGEON_*
/// environment (PIGEON_CONFIG, PIGEON_ACCOUNT, PIGEON_SERVER, PIGEON_USER,
/// PIGEON_PASSWORD, PIGEON_PASSWORD_COMMAND, PIGEON_FROM, PIGEON_TLS,
/// PIGEON_TLS_CA, PIGEON_PROXY, PIGEON_PROXY_PASSWORD). With need_server, a missing or bad server URL throws
/// exit_error(missing_server_code); other problems throw exit_error
/// (exit_config) or CLI::ValidationError.
send_settings resolve_settings(const connection_flags& flags, bool need_server, int missing_server_code);

/// The TLS flags merged with the environment (PIGEON_TLS, PIGEON_TLS_CA) and
/// the account: flags first. Throws exit_error(exit_config) for a bad
/// PIGEON_TLS or an unreadable CA file.
tls_flags merged_tls(const tls_flags& flags, const account_config& a);

/// The SASL credentials, running the password command now if there is one,
/// or with the OAuth2 access token (refreshed if needed).
/// Throws exit_error(exit_config) when no password source is configured.
sasl::credentials credentials(const send_settings& s);

/// What a delivery learned on the way, also when it failed.
struct delivery_report {
    std::string stage = "config";  ///< config, connect, auth, send, quit, done
    bool auth_offered = false;
    std::vector<std::string> auth_offer;
    std::string auth_mechanism;
    std::optional<net::tls_info> tls;
    smtp::send_result result;
};

/// Called after the opening (and AUTH) to adjust the envelope to what the
/// server offers (sendmail mode: BODY=8BITMIME, DSN only when offered).
using envelope_adjuster = std::function<void(const smtp::capabilities&, smtp::envelope&)>;

/// Called when the server has answered for the message, before QUIT (the
/// outbox records the outcome there: nothing may be sent twice).
using sent_hook = std::function<void(const delivery_report&)>;

/// Connects, authenticates when s.user is set, sends, quits. Throws what the
/// library throws; report holds what was learned until then.
void deliver(const send_settings& s, smtp::envelope env, const net::source_fn& source, delivery_report& report,
             const envelope_adjuster& adjust = {}, const sent_hook& on_sent = {});

/// 0 when every recipient accepted; 75 when every refusal was temporary;
/// 67 otherwise.
int exit_code_for_result(const smtp::send_result& r);

/// Prints one line per refused recipient, and a summary when some were
/// accepted, on standard error.
void report_refusals(const smtp::send_result& r);

/// Prints the failure on standard error (with hints: a server that wants
/// AUTH when no user is configured) and returns its exit code. Recipients
/// refused one by one are listed.
int report_failure(const std::exception& e, const send_settings* s, const delivery_report& report);

/// The JSON forms.
nlohmann::json reply_json(const smtp::reply& r);
nlohmann::json result_json(const smtp::send_result& r);
/// The queue id from a final reply ("queued as X", "id=X"), or "".
std::string queue_id(const smtp::reply& r);
/// {"status", "exit_code", "server", "tls", "auth_mechanism", "recipients",
/// "final_reply", "queue_id"} from a report, and "error" for a failure.
nlohmann::json report_json(const send_settings* s, const delivery_report& report, int exit_code,
                           const std::exception* error);

/// Reads a whole file or standard input ("-") into memory (bodies, HTML).
/// Throws exit_error(exit_noinput).
std::string read_text_input(const std::string& path, const char* what);

} // namespace pigeon::cli
