// pigeon append ACCOUNT|URL FILE|-: stores a message in a folder (APPEND,
// streamed from the file; standard input is first copied to an unlinked
// temporary file) and prints its id from APPENDUID. Bare LF line ends are
// sent as CRLF, as IMAP wants. --flag adds flags (seen, draft, ...).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "command.hpp"
#include "mail_session.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

struct append_cmd {
    mail::mail_flags f;
    std::vector<std::string> flags;
};

/// Reads fd from its start with bare LF made CRLF.
class crlf_reader {
public:
    explicit crlf_reader(int fd) : fd_(fd) {}
    /// Fills out with up to cap bytes; 0 at the end. Throws exit_error(74).
    std::size_t read(char* out, std::size_t cap) {
        std::size_t n = 0;
        while (n < cap) {
            if (pending_lf_) {
                out[n++] = '\n';
                pending_lf_ = false;
                continue;
            }
            if (pos_ == len_) {
                ssize_t r = ::read(fd_, buf_, sizeof buf_);
                if (r < 0) {
                    if (errno == EINTR) continue;
                    throw exit_error(exit_ioerr, std::string("reading the message: ") + std::strerror(errno));
                }
                if (r == 0) break;
                pos_ = 0;
                len_ = static_cast<std::size_t>(r);
            }
            char ch = buf_[pos_++];
            if (ch == '\n' && !prev_cr_) {
                out[n++] = '\r';
                pending_lf_ = true;
            } else {
                out[n++] = ch;
            }
            prev_cr_ = ch == '\r';
        }
        return n;
    }

private:
    int fd_;
    char buf_[64 * 1024];
    std::size_t pos_ = 0, len_ = 0;
    bool prev_cr_ = false, pending_lf_ = false;
};

int run(const append_cmd& c) {
    mail::target t = mail::resolve_target(c.f, false);
    if (t.pop3) throw exit_error(exit_usage, "POP3 cannot store messages");
    if (t.rest.size() != 1) throw exit_error(exit_usage, "give one message FILE, or - for standard input");
    const std::string& name = t.rest.front();
    imap::append_options ao;
    for (const auto& fl : c.flags) ao.flags.push_back(mail::flag_name(fl));
    int fd = -1;
    if (name == "-") {
        fd = show::open_temp_file();
        net::sink_fn sink = mail::fd_sink(fd);
        crlf_reader in(STDIN_FILENO);
        char buf[64 * 1024];
        try {
            while (std::size_t n = in.read(buf, sizeof buf)) sink(std::string_view(buf, n));
        } catch (...) {
            ::close(fd);
            throw;
        }
    } else {
        fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw exit_error(exit_noinput, "cannot open " + printable(name) + ": " + std::strerror(errno));
    }
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } close_fd{fd};
    // The size as sent: count first (a file may use LF line ends).
    std::uint64_t size = 0;
    {
        ::lseek(fd, 0, SEEK_SET);
        crlf_reader counter(fd);
        char buf[64 * 1024];
        while (std::size_t n = counter.read(buf, sizeof buf)) size += n;
    }
    if (size == 0) throw exit_error(exit_data, printable(name == "-" ? "standard input" : name) + " is empty: not a message");
    ::lseek(fd, 0, SEEK_SET);
    auto reader = std::make_shared<crlf_reader>(fd);
    imap::client m = mail::open_imap(t);
    std::optional<imap::append_uid> r;
    try {
        r = m.append(t.folder, size, [reader](char* b, std::size_t cap) { return reader->read(b, cap); }, ao);
    } catch (const core::command_error& e) {
        if (e.is_transient()) throw;
        throw exit_error(exit_noinput, "append to " + printable(t.folder) + " refused: " +
                                           printable(e.server_reply().text()));
    }
    m.logout();
    std::string id;
    if (r && r->uids.count() == 1) id = std::to_string(r->uidvalidity) + ":" + r->uids.to_string();
    if (c.f.json) {
        nlohmann::ordered_json j{{"account", t.account},
                                 {"folder", t.folder},
                                 {"uidvalidity", r ? nlohmann::ordered_json(r->uidvalidity) : nullptr},
                                 {"uid", !id.empty() ? nlohmann::ordered_json(*r->uids.begin()) : nullptr},
                                 {"id", id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(id)},
                                 {"size", size}};
        show::write_out(j.dump(2) + "\n");
    } else {
        show::write_out("appended to " + printable(t.folder) +
                        (id.empty() ? std::string(" (the server gave no APPENDUID)") : " as " + id) + "\n");
    }
    show::finish_output();
    return exit_ok;
}

const registrar append_cmd_reg{command_info{
    "append", "Store a message file in a folder; prints its id (APPENDUID)",
    [](CLI::App& sub) -> std::function<int()> {
        auto c = std::make_shared<append_cmd>();
        c->f.add_to(sub, "args", "[URL] FILE|-", "{account, folder, uidvalidity, uid, id, size}");
        sub.add_option("--flag", c->flags, "Store with FLAG (seen, flagged, draft, a keyword; repeatable)")
            ->type_name("FLAG");
        return [c] { return mail::guarded([&] { return run(*c); }); };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
