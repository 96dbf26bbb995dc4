// pigeon ftp ls|get|put|mkdir|rm|mv URL ...: file transfer over FTP and
// FTPS (src/ftp on libcurl). The URL comes first, as in every pigeon
// command; AUTH TLS is required on ftp:// unless --tls none; ftps:// is
// implicit TLS. Exit codes as everywhere (README): 77 login refused, 69 the
// server refused (no such file) or the certificate failed, 75 connection
// and timeouts, 76 AUTH TLS refused, 66 a local file to send is missing,
// 73 a local file cannot be written.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "common.hpp"
#include "ftp_progress.hpp"
#include "ftp_settings.hpp"
#include "pigeon/core/error.hpp"
#include "pigeon/ftp/client.hpp"

namespace pigeon::cli {
namespace {

namespace fs = std::filesystem;

struct ftp_state {
    ftp_flags flags;
    std::string url;
    std::string local;
    std::string new_name;
    bool json = false;
    bool names_only = false;
    bool recursive = false;
    bool resume = false;
    bool dir = false;
};

std::string iso_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string short_time(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::string dirname_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string basename_of(std::string path) {
    while (!path.empty() && path.back() == '/') path.pop_back();
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// A name from a server that may become a local file name: no '/', not
/// "." or "..", no NUL (a hostile listing must not write outside the target).
bool safe_local_name(const std::string& n) {
    return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos && n.find('\0') == std::string::npos;
}

// ---- local files --------------------------------------------------------------

struct fd_closer {
    int fd = -1;
    ~fd_closer() {
        if (fd >= 0) ::close(fd);
    }
};

net::sink_fn fd_sink(int fd, const std::string& name) {
    return [fd, name](std::string_view b) {
        while (!b.empty()) {
            ssize_t n = ::write(fd, b.data(), b.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw exit_error(exit_ioerr, "cannot write " + printable(name) + ": " + std::strerror(errno));
            }
            b.remove_prefix(static_cast<std::size_t>(n));
        }
    };
}

net::source_fn fd_source(int fd, const std::string& name) {
    return [fd, name](char* buf, std::size_t cap) -> std::size_t {
        for (;;) {
            ssize_t n = ::read(fd, buf, cap);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR)
                throw exit_error(exit_ioerr, "cannot read " + printable(name) + ": " + std::strerror(errno));
        }
    };
}

// ---- operations -----------------------------------------------------------------

void get_file(ftp::client& c, const std::string& remote, const std::string& local, bool resume, progress_bar& bar,
              std::optional<std::uint64_t> remote_size = std::nullopt) {
    if (local == "-") {
        ftp::get_options o;
        c.get(remote, fd_sink(1, "standard output"), o);
        return;
    }
    std::uint64_t have = 0;
    struct stat st {};
    if (resume && ::stat(local.c_str(), &st) == 0 && S_ISREG(st.st_mode)) have = static_cast<std::uint64_t>(st.st_size);
    if (resume && have > 0 && remote_size && *remote_size == have) return;  // complete already
    fd_closer f;
    f.fd = ::open(local.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (have > 0 ? O_APPEND : O_TRUNC), 0644);
    if (f.fd < 0) throw exit_error(exit_cantcreat, "cannot create " + printable(local) + ": " + std::strerror(errno));
    ftp::get_options o;
    o.offset = have;
    bar.start(remote, have);
    o.progress = bar.callback();
    c.get(remote, fd_sink(f.fd, local), o);
    bar.finish();
    if (::close(std::exchange(f.fd, -1)) != 0)
        throw exit_error(exit_ioerr, "cannot write " + printable(local) + ": " + std::strerror(errno));
}

void get_tree(ftp::client& c, const std::string& remote, const std::string& local, bool resume, progress_bar& bar) {
    std::error_code ec;
    fs::create_directories(local, ec);
    if (ec) throw exit_error(exit_cantcreat, "cannot create " + printable(local) + ": " + ec.message());
    for (const auto& e : c.list(remote)) {
        if (!safe_local_name(e.name)) {
            error_line("skipped an entry whose name cannot be a local file name: " + printable(e.name));
            continue;
        }
        std::string r = ftp::join_path(remote, e.name), l = local + "/" + e.name;
        if (e.type == ftp::entry_type::directory) get_tree(c, r, l, resume, bar);
        else if (e.type == ftp::entry_type::file) get_file(c, r, l, resume, bar, e.size);
        else error_line("skipped " + printable(r) + " (" + ftp::to_string(e.type) + ")");
    }
}

void put_file(ftp::client& c, const std::string& local, const std::string& remote, bool resume, progress_bar& bar) {
    fd_closer f;
    if (local == "-") {
        f.fd = ::dup(0);
    } else {
        f.fd = ::open(local.c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (f.fd < 0) throw exit_error(exit_noinput, "cannot open " + printable(local) + ": " + std::strerror(errno));
    struct stat st {};
    std::optional<std::uint64_t> size;
    if (::fstat(f.fd, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
    ftp::put_options o;
    if (resume) {
        if (!size) throw exit_error(exit_usage, "--resume needs a regular file to send");
        std::uint64_t have = 0;
        try {
            have = c.size(remote);
        } catch (const core::command_error&) {
            have = 0;  // not there yet
        }
        if (have > *size)
            throw exit_error(exit_data, printable(remote) + " on the server is larger than " + printable(local) +
                                            ": not resuming");
        if (have == *size) return;
        if (have > 0) {
            if (::lseek(f.fd, static_cast<off_t>(have), SEEK_SET) < 0)
                throw exit_error(exit_ioerr, "cannot seek " + printable(local) + ": " + std::strerror(errno));
            o.append = true;
            o.offset = have;
            *size -= have;
        }
    }
    o.size = size;
    bar.start(local, o.offset);
    o.progress = bar.callback();
    c.put(remote, fd_source(f.fd, local), o);
    bar.finish();
}

void put_tree(ftp::client& c, const std::string& local, const std::string& remote, bool resume, progress_bar& bar) {
    try {
        c.mkdir(remote);
    } catch (const core::command_error&) {
        // it may exist already; a real problem shows at the first file
    }
    std::error_code ec;
    std::vector<fs::directory_entry> items;
    for (fs::directory_iterator it(local, ec), end; !ec && it != end; it.increment(ec)) items.push_back(*it);
    if (ec) throw exit_error(exit_noinput, "cannot read the directory " + printable(local) + ": " + ec.message());
    for (const auto& d : items) {
        std::string name = d.path().filename().string();
        std::string r = ftp::join_path(remote, name);
        if (d.is_directory(ec) && !d.is_symlink(ec)) put_tree(c, d.path().string(), r, resume, bar);
        else if (d.is_regular_file(ec)) put_file(c, d.path().string(), r, resume, bar);
        else error_line("skipped " + printable(d.path().string()) + " (not a regular file or directory)");
    }
}

void remove_tree(ftp::client& c, const std::string& remote) {
    for (const auto& e : c.list(remote)) {
        if (e.name.find('/') != std::string::npos || e.name == "." || e.name == "..") continue;
        std::string r = ftp::join_path(remote, e.name);
        if (e.type == ftp::entry_type::directory) remove_tree(c, r);
        else c.remove(r);
    }
    c.rmdir(remote);
}

nlohmann::json entry_json(const ftp::entry& e) {
    nlohmann::json j;
    j["name"] = e.name;
    j["type"] = ftp::to_string(e.type);
    j["size"] = e.size ? nlohmann::json(*e.size) : nlohmann::json(nullptr);
    j["modified"] = e.modified ? nlohmann::json(iso_time(*e.modified)) : nlohmann::json(nullptr);
    if (!e.permissions.empty()) j["permissions"] = e.permissions;
    if (!e.owner.empty()) j["owner"] = e.owner;
    if (!e.group.empty()) j["group"] = e.group;
    if (!e.link_target.empty()) j["link_target"] = e.link_target;
    return j;
}

int run_ls(ftp::client& c, const ftp_settings& s, const ftp_state& st) {
    std::string out;
    if (st.names_only) {
        auto names = c.names(s.ep.path);
        if (st.json) {
            nlohmann::json j;
            j["url"] = ftp::to_url(s.ep);
            j["names"] = names;
            std::cout << j.dump(2) << std::endl;
            return exit_ok;
        }
        for (const auto& n : names) out += printable(n) + "\n";
    } else {
        auto entries = c.list(s.ep.path);
        if (st.json) {
            nlohmann::json j;
            j["url"] = ftp::to_url(s.ep);
            j["format"] = c.used_mlsd() ? "mlsd" : "list";
            j["entries"] = nlohmann::json::array();
            for (const auto& e : entries) j["entries"].push_back(entry_json(e));
            std::cout << j.dump(2) << std::endl;
            return exit_ok;
        }
        for (const auto& e : entries) {
            char type = e.type == ftp::entry_type::directory ? 'd'
                        : e.type == ftp::entry_type::link    ? 'l'
                        : e.type == ftp::entry_type::file    ? '-'
                                                             : '?';
            char size[24];
            if (e.size) std::snprintf(size, sizeof size, "%14llu", static_cast<unsigned long long>(*e.size));
            else std::snprintf(size, sizeof size, "%14s", "-");
            out += type;
            out += ' ';
            out += size;
            out += ' ';
            out += e.modified ? short_time(*e.modified) : std::string(16, ' ');
            out += "  " + printable(e.name);
            if (e.type == ftp::entry_type::directory) out += '/';
            if (!e.link_target.empty()) out += " -> " + printable(e.link_target);
            out += '\n';
        }
    }
    std::cout << out << std::flush;
    return exit_ok;
}

int run(const std::string& verb, const ftp_state& st) {
    ftp_settings s = resolve_ftp_settings(st.url, st.flags);
    const std::string& path = s.ep.path;
    const bool dir_url = path.empty() || path.back() == '/';
    // Usage problems before connecting.
    if ((verb == "get" || verb == "mv") && dir_url && !st.recursive)
        throw exit_error(exit_usage, "the URL names a directory; give a file" + std::string(verb == "get" ? " or use -r" : ""));
    if ((verb == "mkdir" || verb == "rm" || verb == "mv") && path.empty())
        throw exit_error(exit_usage, "the URL needs a path");
    if (verb == "mv" && (st.new_name.empty() || st.new_name.find_first_of("\r\n") != std::string::npos))
        throw exit_error(exit_usage, "mv: a new name is needed");

    ftp::client c;
    c.connect(s.ep, s.who, s.client);
    progress_bar bar(progress_bar::wanted(st.flags.quiet, st.flags.trace.verbosity));
    if (verb == "ls") {
        int rc = run_ls(c, s, st);
        c.close();
        return rc;
    }
    if (verb == "get") {
        std::string local = st.local.empty() ? basename_of(path) : st.local;
        if (local.empty() || (!st.local.empty() ? false : !safe_local_name(local)))
            throw exit_error(exit_usage, "give a local name for " + printable(path));
        if (st.recursive) get_tree(c, path, local, st.resume, bar);
        else get_file(c, path, local, st.resume, bar);
    } else if (verb == "put") {
        std::string remote = path;
        struct stat lst {};
        bool local_dir = st.local != "-" && ::stat(st.local.c_str(), &lst) == 0 && S_ISDIR(lst.st_mode);
        if (local_dir && !st.recursive) throw exit_error(exit_usage, printable(st.local) + " is a directory: use -r");
        if (dir_url) remote += basename_of(st.local == "-" ? std::string() : st.local);
        if (remote.empty() || remote.back() == '/')
            throw exit_error(exit_usage, "give the remote file name in the URL (reading standard input)");
        if (st.recursive && local_dir) put_tree(c, st.local, remote, st.resume, bar);
        else put_file(c, st.local, remote, st.resume, bar);
    } else if (verb == "mkdir") {
        std::string d = path;
        while (d.size() > 1 && d.back() == '/') d.pop_back();
        c.mkdir(d);
    } else if (verb == "rm") {
        std::string d = path;
        bool as_dir = st.dir || (!d.empty() && d.back() == '/');
        while (d.size() > 1 && d.back() == '/') d.pop_back();
        if (st.recursive) remove_tree(c, d);
        else if (as_dir) c.rmdir(d);
        else c.remove(d);
    } else if (verb == "mv") {
        std::string to = st.new_name.front() == '/' ? st.new_name : ftp::join_path(dirname_of(path), st.new_name);
        c.rename(path, to);
    }
    c.close();
    return exit_ok;
}

const registrar ftp_cmd{command_info{
    "ftp",
    "File transfer over FTP and FTPS: ls, get, put, mkdir, rm, mv",
    [](CLI::App& sub) -> std::function<int()> {
        auto st = std::make_shared<ftp_state>();
        auto verb = std::make_shared<std::string>();
        sub.require_subcommand(1);
        auto add = [&](const char* name, const char* help) {
            CLI::App* v = sub.add_subcommand(name, help);
            v->add_option("url", st->url, "ftp://[user@]host[:port]/path (AUTH TLS required) or ftps://... (implicit TLS)")
                ->required();
            st->flags.add_to(*v);
            v->callback([verb, name] { *verb = name; });
            return v;
        };
        CLI::App* ls = add("ls", "List a directory (MLSD where offered, else LIST)");
        ls->add_flag("--json", st->json, "Print one JSON document");
        ls->add_flag("--names", st->names_only, "Names only (NLST)");
        CLI::App* get = add("get", "Download a file (or a directory with -r)");
        get->add_option("file", st->local, "Local file or directory (default: the remote name; - for standard output)");
        get->add_flag("-r,--recursive", st->recursive, "Download a directory tree");
        get->add_flag("--resume", st->resume, "Continue a partial local file (REST)");
        CLI::App* put = add("put", "Upload a file (or a directory with -r)");
        put->add_option("file", st->local, "Local file or directory (- for standard input)")->required();
        put->add_flag("-r,--recursive", st->recursive, "Upload a directory tree");
        put->add_flag("--resume", st->resume, "Continue a partial remote file (APPE)");
        add("mkdir", "Make a directory");
        CLI::App* rm = add("rm", "Delete a file (a directory with -d or a trailing /, a tree with -r)");
        rm->add_flag("-d,--dir", st->dir, "Remove an empty directory");
        rm->add_flag("-r,--recursive", st->recursive, "Delete a directory tree");
        CLI::App* mv = add("mv", "Rename: NEWNAME is relative to the file's directory unless it starts with /");
        mv->add_option("newname", st->new_name, "The new name")->required();
        return [st, verb]() -> int { return run(*verb, *st); };
    },
    {}}};

} // namespace
} // namespace pigeon::cli
