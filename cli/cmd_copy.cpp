// pigeon copy ACCOUNT|URL ID... FOLDER and pigeon move ACCOUNT|URL ID...
// FOLDER: UID COPY / UID MOVE (or COPY + STORE \Deleted + UID EXPUNGE where
// MOVE is missing), printing where each message went (COPYUID).
#include <memory>

#include "command.hpp"
#include "mail_session.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

int run(const mail::mail_flags& f, bool move) {
    mail::target t = mail::resolve_target(f, false);
    if (t.pop3) throw exit_error(exit_usage, "POP3 has no folders");
    if (t.rest.size() < 2) throw exit_error(exit_usage, "give the message ids and the folder to put them in");
    std::string to = t.rest.back();
    t.rest.pop_back();
    imap::client m = mail::open_imap(t);
    mail::open_folder(m, t.folder, move);
    imap::uid_set uids = mail::checked_uids(m, mail::parse_ids(t.rest), t.folder);
    std::optional<imap::copy_uid> r;
    try {
        r = move ? m.move(uids, to) : m.copy(uids, to);
    } catch (const core::command_error& e) {
        if (e.is_transient()) throw;
        throw exit_error(exit_noinput, std::string(move ? "move" : "copy") + " to " + printable(to) +
                                           " refused: " + printable(e.server_reply().text()));
    }
    m.logout();
    show::write_out(mail::copied_text(move ? "moved" : "copied", uids, to, r));
    show::finish_output();
    return exit_ok;
}

/// The options of copy and move (the same), and the command to run.
std::function<int()> setup(CLI::App& sub, bool move) {
    auto f = std::make_shared<mail::mail_flags>();
    f->add_to(sub, "args", "[URL] ID... FOLDER", nullptr);
    return [f, move] { return mail::guarded([&] { return run(*f, move); }); };
}

const registrar copy_cmd{command_info{
    "copy", "Copy messages to another folder",
    [](CLI::App& sub) { return setup(sub, false); },
    {}, true}};

const registrar move_cmd{command_info{
    "move", "Move messages to another folder (MOVE, or COPY + expunge of just these)",
    [](CLI::App& sub) { return setup(sub, true); },
    {}, true}};

} // namespace
} // namespace pigeon::cli
