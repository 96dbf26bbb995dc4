// pigeon news read: one article, by number (in the URL's group or --group)
// or by Message-ID, shown with the reader view of `pigeon show` (decoded
// headers, the text, the attachment list; --headers, --part, --save-
// attachments, --json), or as the server sent it (--raw). The article goes
// to an unlinked temporary file, never whole into memory. Reading by number
// marks it read in the server's .newsrc (news_newsrc.hpp) unless --no-mark.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "common.hpp"
#include "news_commands.hpp"
#include "news_newsrc.hpp"
#include "news_setup.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

struct read_cmd {
    news_flags flags;
    std::string group;
    bool headers = false;
    std::string part;
    std::string save_dir;
    bool json = false;
    bool raw = false;
    bool no_mark = false;
};

/// A temporary file removed when the guard goes.
struct temp_file {
    std::string path;
    int fd = -1;
    temp_file() {
        std::string dir = "/tmp";
        if (const char* t = std::getenv("TMPDIR"); t && *t) dir = t;
        path = dir + "/pigeon-news-XXXXXX";
        fd = ::mkostemp(path.data(), O_CLOEXEC);
        if (fd < 0)
            throw exit_error(exit_ioerr, "cannot create a temporary file in " + printable(dir) + ": " + std::strerror(errno));
    }
    ~temp_file() {
        if (fd >= 0) ::close(fd);
        ::unlink(path.c_str());
    }
    void write(std::string_view bytes) {
        while (!bytes.empty()) {
            ssize_t w = ::write(fd, bytes.data(), bytes.size());
            if (w < 0) {
                if (errno == EINTR) continue;
                throw exit_error(exit_ioerr, "writing " + printable(path) + ": " + std::strerror(errno));
            }
            bytes.remove_prefix(static_cast<std::size_t>(w));
        }
    }
};

int run_read(const read_cmd& r) {
    news_target t = resolve_news(r.flags);
    if (t.rest.size() != 1) throw exit_error(exit_usage, "give one article: a number or a <Message-ID>");
    const std::string& which = t.rest.front();
    std::string group = !r.group.empty() ? r.group : t.job.folder;
    std::optional<nntp::article_ref> ref;
    if (!which.empty() && which.front() == '<') {
        if (!nntp::is_valid_message_id(which)) throw exit_error(exit_usage, "not a Message-ID: " + printable(which));
        ref.emplace(which);
    } else {
        std::error_code ec;
        auto n = nntp::parse_article_number(which, ec);
        if (!n) throw exit_error(exit_usage, "not an article number or <Message-ID>: " + printable(which));
        if (group.empty()) throw exit_error(exit_usage, "an article number needs its group: nntps://host/GROUP or --group");
        ref.emplace(*n);
    }

    nntp::client c;
    connect_news(c, t.job.source, news_client_options(t, r.flags));
    if (!ref->is_message_id()) c.group(group);
    int rc = exit_ok;
    if (r.raw) {
        c.article(*ref, [](std::string_view bytes) { show::write_out(bytes); });
        show::finish_output();
    } else {
        temp_file tmp;
        c.article(*ref, [&tmp](std::string_view bytes) { tmp.write(bytes); });
        ::close(tmp.fd);
        tmp.fd = -1;
        mime::message m = show::load_message(tmp.path);
        if (!r.part.empty()) rc = show::print_part(m, r.part);
        else if (!r.save_dir.empty()) rc = show::save_attachments(m, r.save_dir);
        else if (r.json) rc = show::print_json(m);
        else rc = show::print_view(m, r.headers);
        show::finish_output();
    }
    try {
        c.quit();
    } catch (const std::exception&) {
    }
    if (rc == exit_ok && !r.no_mark && !ref->is_message_id()) {
        update_newsrc(newsrc_path(t.job.account->state_directory()),
                      [&](newsrc& n) { n.get(group).read.add(ref->number()); });
    }
    return rc;
}

} // namespace

std::function<int()> setup_news_read(CLI::App& sub) {
    auto r = std::make_shared<read_cmd>();
    r->flags.add_to(sub, "ACCOUNT or URL (nntps://host/GROUP), then the article: a number or a <Message-ID>");
    sub.add_option("--group", r->group, "The group of a numbered article (instead of the URL path)")->type_name("GROUP");
    auto* headers = sub.add_flag("--headers", r->headers, "Show every header field (unfolded, decoded)");
    auto* part = sub.add_option("--part", r->part, "Print the decoded content of part N (as in --json)")->type_name("N");
    auto* save = sub.add_option("--save-attachments", r->save_dir,
                                "Save every attachment and inline part into DIR (never overwrites)")
                     ->type_name("DIR");
    auto* json = sub.add_flag("--json", r->json, "The whole structure as one JSON document (as pigeon show --json)");
    auto* raw = sub.add_flag("--raw", r->raw, "The article as the server sent it (CRLF line ends)");
    sub.add_flag("--no-mark", r->no_mark, "Do not mark the article read");
    part->excludes(headers)->excludes(save)->excludes(json)->excludes(raw);
    save->excludes(headers)->excludes(json)->excludes(raw);
    json->excludes(headers)->excludes(raw);
    raw->excludes(headers);
    return [r] { return run_news_command([r] { return run_read(*r); }); };
}

} // namespace pigeon::cli
