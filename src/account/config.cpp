#include "pigeon/account/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cstdint>

// Hidden: libpigeon.so must not export toml++'s inline functions to a
// program that may use a toml++ of its own (parse errors are caught here).
// The standard headers toml++ uses come first, with default visibility:
// what they declare (libc's, libstdc++'s) must stay visible.
#include <cassert>
#include <cfloat>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <initializer_list>
#include <iomanip>
#include <iosfwd>
#include <istream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif
#pragma GCC visibility push(hidden)
#include <toml++/toml.h>
#pragma GCC visibility pop

#include "pigeon/account/error.hpp"
#include "pigeon/net/proxy_options.hpp"
#include "pigeon/text/printable.hpp"

namespace pigeon::account {
namespace {

constexpr std::size_t max_config_bytes = 1024 * 1024;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw error(errc::config, path + ": " + what);
}

std::string where(const toml::node& n) {
    const auto& src = n.source();
    if (src.begin.line == 0) return {};
    return " (line " + std::to_string(src.begin.line) + ")";
}

std::string expand_home(const std::string& p) {
    if (p.size() >= 2 && p[0] == '~' && p[1] == '/') {
        const char* home = std::getenv("HOME");
        if (home && *home) return std::string(home) + p.substr(1);
    }
    return p;
}

std::string directory_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

using text::printable;

std::string without_userinfo(const std::string& url) {
    auto sep = url.find("://");
    auto at = url.rfind('@');
    if (sep == std::string::npos || at == std::string::npos || at < sep) return url;
    return url.substr(0, sep + 3) + "...@" + url.substr(at + 1);
}

struct reader {
    const std::string& path;
    std::vector<std::string>& warnings;

    void unknown(const std::string& key, const toml::node& n) const {
        warnings.push_back(path + ": unknown key " + printable(key) + where(n) + " ignored");
    }

    std::string string(const toml::node& n, const std::string& key) const {
        if (auto v = n.value<std::string>(); v && n.is_string()) return *v;
        fail(path, key + " must be a string" + where(n));
    }
    bool boolean(const toml::node& n, const std::string& key) const {
        if (auto v = n.value<bool>(); v && n.is_boolean()) return *v;
        fail(path, key + " must be true or false" + where(n));
    }
    double number(const toml::node& n, const std::string& key) const {
        if (n.is_integer() || n.is_floating_point()) {
            if (auto v = n.value<double>(); v && *v > 0) return *v;
        }
        fail(path, key + " must be a positive number" + where(n));
    }
    /// A string or an array of strings.
    std::vector<std::string> strings(const toml::node& n, const std::string& key) const {
        std::vector<std::string> out;
        if (n.is_string()) {
            out.push_back(*n.value<std::string>());
            return out;
        }
        if (auto* a = n.as_array()) {
            for (const auto& e : *a) out.push_back(string(e, key));
            return out;
        }
        fail(path, key + " must be a string or an array of strings" + where(n));
    }
};

fetch_config read_fetch(const reader& r, const std::string& prefix, const toml::node& node) {
    const auto* t = node.as_table();
    if (!t) fail(r.path, prefix + " must be a table" + where(node));
    fetch_config f;
    for (const auto& [k, v] : *t) {
        const std::string key(k.str());
        const std::string full = prefix + "." + key;
        if (key == "source") f.source = r.string(v, full);
        else if (key == "folders") f.folders = r.strings(v, full);
        else if (key == "destination") {
            f.destination = r.string(v, full);
            // maildir:~/Mail and mbox:~/mbox: the home directory.
            for (const char* kind : {"maildir:", "mbox:"}) {
                std::string pre(kind);
                if (f.destination.rfind(pre, 0) == 0)
                    f.destination = pre + expand_home(f.destination.substr(pre.size()));
            }
        } else if (key == "user") f.user = r.string(v, full);
        else if (key == "keep") f.keep = r.boolean(v, full);
        else if (key == "delete") f.keep = !r.boolean(v, full);
        else if (key == "delete_older_than") f.delete_older_than = r.number(v, full);
        else if (key == "mark_seen") f.mark_seen = r.boolean(v, full);
        else if (key == "unseen") f.unseen = r.boolean(v, full);
        else if (key == "since") f.since = r.string(v, full);
        else if (key == "max_size") f.max_size = r.number(v, full);
        else if (key == "limit") f.limit = r.number(v, full);
        else if (key == "max_connections") f.max_connections = r.number(v, full);
        else if (key == "poll_interval") f.poll_interval = r.number(v, full);
        else r.unknown(full, v);
    }
    return f;
}

oauth2_config read_oauth2(const reader& r, const std::string& prefix, const toml::node& node) {
    const auto* t = node.as_table();
    if (!t) fail(r.path, prefix + " must be a table" + where(node));
    oauth2_config o;
    for (const auto& [k, v] : *t) {
        const std::string key(k.str());
        const std::string full = prefix + "." + key;
        if (key == "provider") o.provider = r.string(v, full);
        else if (key == "tenant") o.tenant = r.string(v, full);
        else if (key == "token_endpoint") o.token_endpoint = r.string(v, full);
        else if (key == "authorization_endpoint") o.authorization_endpoint = r.string(v, full);
        else if (key == "device_endpoint") o.device_endpoint = r.string(v, full);
        else if (key == "client_id") o.client_id = r.string(v, full);
        else if (key == "client_secret") o.client_secret = r.string(v, full);
        else if (key == "client_secret_command") o.client_secret_command = r.string(v, full);
        else if (key == "scopes") o.scopes = r.strings(v, full);
        else if (key == "refresh_token_command") o.refresh_token_command = r.string(v, full);
        else if (key == "tls_ca") {
            o.tls_ca = expand_home(r.string(v, full));
            if (!o.tls_ca.empty() && o.tls_ca[0] != '/') o.tls_ca = directory_of(r.path) + "/" + o.tls_ca;
        } else r.unknown(full, v);
    }
    return o;
}

account_config read_account(const reader& r, const std::string& name, const toml::table& t) {
    const std::string& path = r.path;
    account_config a;
    a.name = name;
    const std::string prefix = "accounts." + name + ".";
    for (const auto& [k, v] : t) {
        const std::string key(k.str());
        const std::string full = prefix + key;
        if (key == "default") a.is_default = r.boolean(v, full);
        else if (key == "server") a.server = r.string(v, full);
        else if (key == "user") a.user = r.string(v, full);
        else if (key == "password_command") a.password_command = r.string(v, full);
        else if (key == "password") a.password = r.string(v, full);
        else if (key == "from") a.from = r.string(v, full);
        else if (key == "domain") a.domain = r.string(v, full);
        else if (key == "tls") {
            a.tls = r.string(v, full);
            if (a.tls != "starttls" && a.tls != "implicit" && a.tls != "none")
                fail(path, full + " must be \"starttls\", \"implicit\" or \"none\"" + where(v));
        } else if (key == "tls_ca") {
            a.tls_ca = expand_home(r.string(v, full));
            if (!a.tls_ca.empty() && a.tls_ca[0] != '/') a.tls_ca = directory_of(path) + "/" + a.tls_ca;
        } else if (key == "pin") a.pins = r.strings(v, full);
        else if (key == "insecure") a.insecure = r.boolean(v, full);
        else if (key == "auth_mech") a.auth_mechanisms = r.strings(v, full);
        else if (key == "timeout") a.timeout = r.number(v, full);
        else if (key == "fetch") a.fetch = read_fetch(r, full, v);
        else if (key == "oauth2") a.oauth2 = read_oauth2(r, full, v);
        else if (key == "proxy") {
            a.proxy = r.string(v, full);
            if (std::string why = check_proxy_spec(a.proxy); !why.empty()) fail(path, full + ": " + why + where(v));
        }
        else r.unknown(full, v);
    }
    return a;
}

} // namespace

std::string check_proxy_spec(const std::string& spec) {
    if (spec == "env" || spec == "none") return {};
    std::error_code ec;
    if (net::parse_proxy_url(spec, ec)) return {};
    return "not a proxy URL: " + printable(without_userinfo(spec)) +
           " (want socks5h://[user[:password]@]host[:port], socks5://..., http://..., env or none)";
}

const account_config& find_account(const config_file& cfg, const std::string& name) {
    const account_config* a = name.empty() ? cfg.default_account() : cfg.find(name);
    if (a) return *a;
    const std::string file = cfg.path.empty() ? std::string("config.toml") : cfg.path;
    if (!cfg.loaded) throw error(errc::config, "no configuration file (" + file + ")");
    if (name.empty()) throw error(errc::config, file + ": no default account (set default = true in one)");
    throw error(errc::config, file + ": no account named " + printable(name));
}

const account_config* config_file::find(const std::string& name) const {
    for (const auto& a : accounts)
        if (a.name == name) return &a;
    return nullptr;
}

const account_config* config_file::default_account() const {
    for (const auto& a : accounts)
        if (a.is_default) return &a;
    return accounts.size() == 1 ? &accounts.front() : nullptr;
}

std::string default_config_path() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/') return std::string(xdg) + "/pigeon/config.toml";
    const char* home = std::getenv("HOME");
    if (home && *home) return std::string(home) + "/.config/pigeon/config.toml";
    return {};
}

config_file parse_config(std::string_view text, const std::string& path) {
    config_file cfg;
    cfg.path = path;
    toml::table root;
    try {
        root = toml::parse(text, cfg.path);
    } catch (const toml::parse_error& e) {
        fail(cfg.path, "line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }

    reader r{cfg.path, cfg.warnings};
    for (const auto& [k, v] : root) {
        const std::string key(k.str());
        if (key == "accounts") {
            const auto* accounts = v.as_table();
            if (!accounts) fail(cfg.path, "accounts must be a table of [accounts.NAME] tables" + where(v));
            for (const auto& [name, acc] : *accounts) {
                const auto* t = acc.as_table();
                if (!t) fail(cfg.path, "accounts." + std::string(name.str()) + " must be a table" + where(acc));
                cfg.accounts.push_back(read_account(r, std::string(name.str()), *t));
            }
        } else if (key == "aliases") {
            const auto* t = v.as_table();
            if (!t) fail(cfg.path, "aliases must be a table" + where(v));
            for (const auto& [name, target] : *t) {
                auto list = r.strings(target, "aliases." + std::string(name.str()));
                std::string joined;
                for (const auto& s : list) joined += (joined.empty() ? "" : ", ") + s;
                cfg.aliases[std::string(name.str())] = joined;
            }
        } else {
            r.unknown(key, v);
        }
    }

    int defaults = 0;
    for (const auto& a : cfg.accounts) defaults += a.is_default ? 1 : 0;
    if (defaults > 1) fail(cfg.path, "more than one account has default = true");
    cfg.loaded = true;
    return cfg;
}

bool holds_secret(const config_file& cfg) {
    for (const auto& a : cfg.accounts) {
        std::error_code ec;
        auto proxy = net::parse_proxy_url(a.proxy, ec);
        if (a.password || (proxy && !proxy->password.empty()) || (a.oauth2 && !a.oauth2->client_secret.empty()))
            return true;
    }
    return false;
}

config_file load_config(const std::string& explicit_path) {
    config_file cfg;
    cfg.path = explicit_path.empty() ? default_config_path() : expand_home(explicit_path);
    if (cfg.path.empty()) return cfg;

    // Open once and examine what was opened (no race between the permission
    // check and the read).
    int fd = ::open(cfg.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT && explicit_path.empty()) return cfg;
        fail(cfg.path, std::string("cannot open: ") + std::strerror(err));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(cfg.path, "not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_config_bytes) {
        ::close(fd);
        fail(cfg.path, "larger than 1 MiB");
    }
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            fail(cfg.path, std::string("cannot read: ") + std::strerror(err));
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > max_config_bytes) {
            ::close(fd);
            fail(cfg.path, "larger than 1 MiB");
        }
    }
    ::close(fd);

    cfg = parse_config(text, cfg.path);
    // msmtp's rule: a password in clear only in a file nobody else can read.
    if (holds_secret(cfg) && (st.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH)) != 0)
        fail(cfg.path, "holds a password but is readable by group or others; run chmod 600 on it "
                       "or use password_command");
    return cfg;
}

} // namespace pigeon::account
