#pragma once
// What every subcommand shares: exit codes (sysexits.h), TLS and trace
// flags, printing server text safely, and mapping exceptions to exit codes.
#include <exception>
#include <stdexcept>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/proxy_options.hpp"
#include "pigeon/account/config.hpp"
#include "pigeon/text/percent.hpp"
#include "pigeon/text/printable.hpp"
#include "pigeon/net/tls_options.hpp"
#include "pigeon/net/trace.hpp"

namespace pigeon::cli {

// sysexits.h values, spelled out so the meaning is visible where used.
inline constexpr int exit_ok = 0;
inline constexpr int exit_usage = 64;        // EX_USAGE
inline constexpr int exit_data = 65;         // EX_DATAERR
inline constexpr int exit_noinput = 66;      // EX_NOINPUT
inline constexpr int exit_nouser = 67;       // EX_NOUSER
inline constexpr int exit_unavailable = 69;  // EX_UNAVAILABLE
inline constexpr int exit_software = 70;     // EX_SOFTWARE
inline constexpr int exit_oserr = 71;        // EX_OSERR
inline constexpr int exit_cantcreat = 73;    // EX_CANTCREAT
inline constexpr int exit_ioerr = 74;        // EX_IOERR
inline constexpr int exit_tempfail = 75;     // EX_TEMPFAIL
inline constexpr int exit_protocol = 76;     // EX_PROTOCOL
inline constexpr int exit_noperm = 77;       // EX_NOPERM
inline constexpr int exit_config = 78;       // EX_CONFIG

/// The TLS flags of every networked subcommand, and --proxy with them.
struct tls_flags {
    std::string mode;          ///< "", "starttls", "implicit", "none"
    std::string ca_file;
    std::vector<std::string> pins;
    std::string client_cert;
    std::string client_key;
    bool insecure = false;
    std::string proxy;         ///< --proxy: a URL, "env" or "none" ("": not given)

    void add_to(CLI::App& app);
    /// Applies --tls to the endpoint and returns the TLS options.
    /// Throws CLI::ValidationError on a bad combination.
    net::tls_options apply(net::endpoint& ep) const;
    /// The proxy to use (for net::session_options::proxy): --proxy, else
    /// PIGEON_PROXY, else `configured` (an account's proxy, named by origin
    /// in messages). "none": none; "env": ALL_PROXY, else all_proxy, else
    /// none (the environment is read only then). A URL with a user but no
    /// password takes PIGEON_PROXY_PASSWORD. A bad URL throws exit_error
    /// (64 from --proxy, 78 otherwise).
    net::proxy_options proxy_options(const std::string& configured = {}, const std::string& origin = {}) const;
};

using account::check_proxy_spec;

/// -v / --trace-secrets: prints the protocol dialogue on standard error,
/// swaks-style markers (-> sent, <- received, ~> and <~ under TLS, === info).
struct trace_flags {
    int verbosity = 0;
    bool show_secrets = false;
    bool show_data = false;

    void add_to(CLI::App& app);
    /// Options for the library: a hook writing to stderr, or none.
    net::trace_options options() const;
};

/// Server-supplied text made safe for a terminal: C0/C1 controls and DEL
/// escaped as \xNN (terminal escape injection), invalid UTF-8 escaped.
using text::printable;
using text::percent_decode;

struct terminal_size {
    std::size_t columns = 80;
    std::size_t rows = 24;
};
/// The size of the terminal on fd (TIOCGWINSZ); nullopt when fd is not one.
std::optional<terminal_size> tty_size(int fd);
/// tty_size(fd), else $COLUMNS / $LINES, else `fallback`.
terminal_size terminal_size_of(int fd, terminal_size fallback = {});

/// Columns a UTF-8 string takes on a terminal (wide East Asian characters
/// and emoji 2, combining marks and zero-width spaces 0, others 1).
std::size_t display_width(std::string_view text);
/// text (UTF-8, already printable()) cut to at most `columns` columns,
/// ending in "…" when cut.
std::string fit_columns(std::string_view text, std::size_t columns);
/// The same, padded with blanks to exactly `columns` (table cells).
std::string pad_columns(std::string_view text, std::size_t columns);


/// The value of an environment variable, "" when unset.
std::string env_value(const char* name);

/// The first non-empty of the arguments ("" when all are empty): flags over
/// the environment over the account.
template <class... T> std::string first_of(const std::string& a, const T&... rest) {
    if (!a.empty()) return a;
    if constexpr (sizeof...(rest) > 0) return first_of(rest...);
    else return {};
}

/// Prints "pigeon: message" on standard error.
void error_line(std::string_view message);

/// An error the CLI itself detects (configuration, password command, usage
/// found after parsing) with the exit code it means. what() is printed as is.
class exit_error : public std::runtime_error {
public:
    exit_error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

/// Prints a message for e and returns its exit code.
int report_exception(const std::exception& e);
/// The exit code for an exception without printing anything.
int exit_code_for(const std::exception& e);

} // namespace pigeon::cli
