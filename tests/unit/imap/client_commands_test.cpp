// The typed IMAP commands over an in-memory stream: the state machine
// checked before sending, SELECT / EXAMINE data, LIST with SPECIAL-USE and
// LIST-STATUS, STATUS, mailbox names in modified UTF-7 and UTF-8, UID
// SEARCH with and without ESEARCH, STORE, COPY, MOVE and its fallback,
// EXPUNGE, ENABLE, ID, NAMESPACE.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pigeon/imap/client.hpp"
#include "support/code_of.hpp"
#include "support/duplex_client.hpp"

using namespace pigeon;
using namespace pigeon::imap;
using pigeon::test::code_of;

namespace {

constexpr const char* caps =
    "* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ ESEARCH UIDPLUS MOVE UNSELECT ENABLE CONDSTORE QRESYNC ID NAMESPACE "
    "LIST-EXTENDED LIST-STATUS SPECIAL-USE BINARY IDLE UTF8=ACCEPT] ready\r\n";

test::duplex_fixture<client> start(std::vector<std::string> chunks, const char* greeting = caps) {
    chunks.insert(chunks.begin(), greeting);
    client_options o;
    o.tag_prefix = "A";
    return test::start_on_duplex<client>(std::move(chunks), net::tls_mode::none, {}, o);
}

const char* select_reply =
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
    "* 10000 EXISTS\r\n* 0 RECENT\r\n"
    "* OK [UIDVALIDITY 1765000000] UIDs valid\r\n* OK [UIDNEXT 10001] Predicted next UID\r\n"
    "* OK [HIGHESTMODSEQ 12] Highest\r\n";

} // namespace

TEST_CASE("the state machine: wrong-state commands are refused before anything is sent") {
    auto f = start({}, "* OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] hi\r\n");
    REQUIRE(f.c->state() == state::not_authenticated);
    auto invalid = make_error_code(errc::invalid_state);
    CHECK(code_of([&] { f.c->select("INBOX"); }) == invalid);
    CHECK(code_of([&] { f.c->list(); }) == invalid);
    CHECK(code_of([&] { f.c->create("x"); }) == invalid);
    CHECK(code_of([&] { f.c->append("INBOX", std::string_view("a")); }) == invalid);
    CHECK(code_of([&] { f.c->search(search_query::all()); }) == invalid);
    CHECK(code_of([&] { f.c->fetch(uid_set::from_range(1, 2), fetch_items::listing()); }) == invalid);
    CHECK(code_of([&] { f.c->idle([](const mailbox_event&) { return true; }, std::chrono::milliseconds(1)); }) ==
          invalid);
    CHECK(f.peer.written().empty());
    CHECK_THROWS_AS(f.c->close_mailbox(), request_error);
    f.c->close();
    CHECK(code_of([&] { f.c->status("INBOX"); }) == invalid);
    CHECK(f.peer.written().empty());
}

TEST_CASE("authenticated but nothing selected: mailbox commands only") {
    auto f = start({});
    REQUIRE(f.c->state() == state::authenticated);
    auto invalid = make_error_code(errc::invalid_state);
    CHECK(code_of([&] { f.c->search(search_query::all()); }) == invalid);
    CHECK(code_of([&] { f.c->fetch_each(uid_set::from_range(1, 9), fetch_items::whole_message(), [](message_data&) {}); }) ==
          invalid);
    CHECK(code_of([&] { f.c->store(uid_set::from_range(1, 2), store_action::add, {"\\Seen"}); }) == invalid);
    CHECK(code_of([&] { f.c->copy(uid_set::from_range(1, 2), "x"); }) == invalid);
    CHECK(code_of([&] { f.c->move(uid_set::from_range(1, 2), "x"); }) == invalid);
    CHECK(code_of([&] { f.c->expunge(); }) == invalid);
    CHECK(code_of([&] { f.c->unselect(); }) == invalid);
    CHECK(f.peer.written().empty());
}

TEST_CASE("SELECT: the mailbox data, state selected, EXAMINE read-only, CLOSE and UNSELECT") {
    auto f = start({select_reply, "A1 OK [READ-WRITE] Select completed.\r\n", "A2 OK Close completed.\r\n",
                    select_reply, "A3 OK [READ-ONLY] Examine completed.\r\n", "A4 OK Unselect completed.\r\n"});
    const auto& m = f.c->select("INBOX");
    CHECK(f.peer.written() == "A1 SELECT INBOX\r\n");
    CHECK(f.c->state() == state::selected);
    CHECK(f.c->selected_mailbox() == "INBOX");
    CHECK(m.exists == 10000u);
    CHECK(m.recent == 0u);
    CHECK(m.uidvalidity == 1765000000u);
    CHECK(m.uidnext == 10001u);
    CHECK(m.highest_modseq == 12u);
    REQUIRE(m.permanent_flags);
    CHECK(m.permanent_flags->size() == 6);
    CHECK_FALSE(m.read_only);
    f.c->close_mailbox();
    CHECK(f.c->state() == state::authenticated);
    CHECK(f.c->selected_mailbox().empty());
    CHECK(f.c->examine("INBOX").read_only);
    f.c->unselect();
    CHECK(f.peer.written() == "A1 SELECT INBOX\r\nA2 CLOSE\r\nA3 EXAMINE INBOX\r\nA4 UNSELECT\r\n");
}

TEST_CASE("a failed SELECT leaves no mailbox selected, the connection stays usable") {
    auto f = start({select_reply, "A1 OK [READ-WRITE] done\r\n", "A2 NO [NONEXISTENT] Mailbox doesn't exist\r\n"});
    f.c->select("INBOX");
    try {
        f.c->select("Nope");
        FAIL("no exception");
    } catch (const command_error& e) {
        CHECK(e.server_reply().response_code == "NONEXISTENT");
    }
    CHECK(f.c->state() == state::authenticated);
    CHECK(f.c->is_connected());
    CHECK_FALSE(f.c->mailbox().exists.has_value());
}

TEST_CASE("mailbox names: modified UTF-7, literal-safe, UTF-8 once UTF8=ACCEPT is enabled") {
    auto f = start({"A1 OK\r\n", "A2 OK\r\n", "A3 OK\r\n", "* ENABLED UTF8=ACCEPT\r\nA4 OK\r\n", "A5 OK\r\n"});
    f.c->create("Entw\xc3\xbcrfe");
    f.c->rename("Entw\xc3\xbcrfe", "Drafts & old");
    f.c->subscribe("a\"b");
    CHECK(f.c->enable({"UTF8=ACCEPT"}) == std::vector<std::string>{"UTF8=ACCEPT"});
    CHECK(f.c->utf8_enabled());
    f.c->delete_mailbox("Entw\xc3\xbcrfe");
    CHECK(f.peer.written() ==
          "A1 CREATE Entw&APw-rfe\r\n"
          "A2 RENAME Entw&APw-rfe \"Drafts &- old\"\r\n"
          "A3 SUBSCRIBE \"a\\\"b\"\r\n"
          "A4 ENABLE UTF8=ACCEPT\r\n"
          "A5 DELETE {9+}\r\nEntw\xc3\xbcrfe\r\n");
    CHECK(code_of([&] { f.c->create(std::string_view("a\0b", 3)); }) == make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { f.c->create("\xff"); }) == make_error_code(errc::invalid_argument));
}

TEST_CASE("LIST with SPECIAL-USE and LIST-STATUS, LSUB without LIST-EXTENDED") {
    auto f = start({"* LIST (\\HasNoChildren) \".\" INBOX\r\n"
                    "* STATUS INBOX (MESSAGES 3 UNSEEN 1)\r\n"
                    "* LIST (\\HasNoChildren \\Sent) \".\" Sent\r\n"
                    "* LIST (\\HasNoChildren) \".\" Entw&APw-rfe\r\n"
                    "* STATUS Entw&APw-rfe (MESSAGES 0 UNSEEN 0)\r\n"
                    "A1 OK List completed\r\n"});
    list_options o;
    o.status = status_items{};
    o.status->uidnext = o.status->uidvalidity = false;
    auto all = f.c->list("", "*", o);
    CHECK(f.peer.written() == "A1 LIST \"\" \"*\" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))\r\n");
    REQUIRE(all.size() == 3);
    CHECK(all[0].entry.is_inbox());
    REQUIRE(all[0].status);
    CHECK(all[0].status->messages == 3u);
    CHECK(all[1].entry.use() == special_use::sent);
    CHECK_FALSE(all[1].status);
    CHECK(all[2].entry.name == "Entw\xc3\xbcrfe");
    REQUIRE(all[2].status);
    CHECK(all[2].status->messages == 0u);

    auto g = start({"* LSUB () \"/\" INBOX\r\nA1 OK\r\n"}, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    list_options sub;
    sub.subscribed_only = true;
    sub.status = status_items{};
    auto subs = g.c->list("", "*", sub);
    CHECK(g.peer.written() == "A1 LSUB \"\" \"*\"\r\n");  // nothing the server does not offer
    REQUIRE(subs.size() == 1);
    CHECK(subs[0].entry.lsub);
}

TEST_CASE("STATUS: typed items, extensions checked") {
    auto f = start({"* STATUS \"Lists.dev\" (MESSAGES 300 UIDNEXT 301 UIDVALIDITY 7 UNSEEN 12)\r\nA1 OK\r\n"});
    auto s = f.c->status("Lists.dev");
    CHECK(f.peer.written() == "A1 STATUS Lists.dev (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)\r\n");
    CHECK(s.messages == 300u);
    CHECK(s.unseen == 12u);
    status_items size;
    size.size = true;
    CHECK(code_of([&] { f.c->status("x", size); }) == make_error_code(errc::not_supported));
}

TEST_CASE("UID SEARCH: ESEARCH RETURN when offered, plain SEARCH otherwise, CHARSET for 8-bit") {
    auto f = start({select_reply, "A1 OK [READ-WRITE] done\r\n",
                    "* ESEARCH (TAG \"A2\") UID ALL 1:3,7\r\nA2 OK\r\n",
                    "* ESEARCH (TAG \"A3\") UID MIN 1 MAX 7 COUNT 4\r\nA3 OK\r\n"});
    f.c->select("INBOX");
    auto u = f.c->search(search_query::unseen() && search_query::from("alice"));
    CHECK(u.to_string() == "1:3,7");
    search_return r;
    r.all = false;
    r.min = r.max = r.count = true;
    auto s = f.c->search(search_query::subject("Gr\xc3\xbc\xc3\x9f" "e"), r);
    CHECK(s.min == 1u);
    CHECK(s.max == 7u);
    CHECK(s.count == 4u);
    CHECK(f.peer.written() ==
          std::string("A1 SELECT INBOX\r\nA2 UID SEARCH RETURN (ALL) UNSEEN FROM alice\r\n"
                      "A3 UID SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 SUBJECT {7+}\r\nGr\xc3\xbc\xc3\x9f" "e\r\n"));

    auto g = start({select_reply, "A1 OK done\r\n", "* SEARCH 9 2 3 1\r\n* SEARCH 20\r\nA2 OK\r\n",
                    "* SEARCH\r\nA3 OK\r\n"},
                   "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    g.c->select("INBOX");
    auto c = g.c->search(search_query::all(), r);
    CHECK(c.min == 1u);
    CHECK(c.max == 20u);
    CHECK(c.count == 5u);
    CHECK(c.all.empty());  // not asked for
    CHECK(g.c->search(search_query::all()).empty());
    CHECK(g.peer.written() == "A1 SELECT INBOX\r\nA2 UID SEARCH ALL\r\nA3 UID SEARCH ALL\r\n");
}

TEST_CASE("STORE: flags checked, UNCHANGEDSINCE reports MODIFIED, updates typed") {
    auto f = start({select_reply, "A1 OK done\r\n",
                    "A2 OK [MODIFIED 7,9] Conditional STORE failed\r\n",
                    "* 3 FETCH (UID 3 FLAGS (\\Seen $Work) MODSEQ (20))\r\n* 1 FETCH (FLAGS (\\Seen))\r\nA3 OK\r\n"});
    f.c->select("INBOX");
    store_options o;
    o.unchanged_since = 12;
    auto r = f.c->store(uid_set::from_numbers({3, 7, 9}), store_action::add, {"\\Deleted"}, o);
    CHECK(r.modified.to_string() == "7,9");
    std::vector<std::uint32_t> updated;
    int events = 0;
    f.c->set_event_handler([&](const mailbox_event& e) {
        CHECK(e.type == mailbox_event::kind::fetch);
        ++events;
    });
    store_options loud;
    loud.silent = false;
    f.c->store(uid_set::from_range(3, 3), store_action::replace, {"\\Seen", "$Work"}, loud,
               [&](message_data& m) { updated.push_back(*m.uid); });
    CHECK(updated == std::vector<std::uint32_t>{3});
    CHECK(events == 1);  // the FETCH without UID 3 is someone else's change
    CHECK(f.peer.written() ==
          "A1 SELECT INBOX\r\nA2 UID STORE 3,7,9 (UNCHANGEDSINCE 12) +FLAGS.SILENT (\\Deleted)\r\n"
          "A3 UID STORE 3 FLAGS (\\Seen $Work)\r\n");
    CHECK(code_of([&] { f.c->store(uid_set::from_range(1, 1), store_action::add, {"\\"}); }) ==
          make_error_code(errc::invalid_argument));
    CHECK(code_of([&] { f.c->store(uid_set::from_range(1, 1), store_action::add, {"a b"}); }) ==
          make_error_code(errc::invalid_argument));
}

TEST_CASE("COPY and MOVE report COPYUID, MOVE without MOVE falls back only with UIDPLUS") {
    auto f = start({select_reply, "A1 OK done\r\n", "A2 OK [COPYUID 99 1:2 11:12] Copied\r\n",
                    "* OK [COPYUID 99 3 13] Moved\r\n* 3 EXPUNGE\r\nA3 OK Done\r\n"});
    f.c->select("INBOX");
    auto c = f.c->copy(uid_set::from_range(1, 2), "Archive");
    REQUIRE(c);
    CHECK(c->uidvalidity == 99u);
    CHECK(c->destination.to_string() == "11:12");
    auto m = f.c->move(uid_set::from_range(3, 3), "Archive");
    REQUIRE(m);
    CHECK(m->destination.to_string() == "13");
    CHECK(f.c->mailbox().exists == 9999u);
    CHECK(f.peer.written() == "A1 SELECT INBOX\r\nA2 UID COPY 1:2 Archive\r\nA3 UID MOVE 3 Archive\r\n");

    auto g = start({select_reply, "A1 OK done\r\n", "A2 OK [COPYUID 5 4 1] ok\r\n", "A3 OK\r\n",
                    "* 4 EXPUNGE\r\nA4 OK\r\n"},
                   "* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] hi\r\n");
    g.c->select("INBOX");
    auto fb = g.c->move(uid_set::from_range(4, 4), "Trash");
    REQUIRE(fb);
    CHECK(fb->destination.to_string() == "1");
    CHECK(g.peer.written() ==
          "A1 SELECT INBOX\r\nA2 UID COPY 4 Trash\r\nA3 UID STORE 4 +FLAGS.SILENT (\\Deleted)\r\nA4 UID EXPUNGE 4\r\n");

    auto h = start({select_reply, "A1 OK done\r\n"}, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    h.c->select("INBOX");
    CHECK(code_of([&] { h.c->move(uid_set::from_range(4, 4), "Trash"); }) == make_error_code(errc::not_supported));
    CHECK(code_of([&] { h.c->expunge(uid_set::from_range(4, 4)); }) == make_error_code(errc::not_supported));
    CHECK(h.peer.written() == "A1 SELECT INBOX\r\n");  // nothing else sent
}

TEST_CASE("EXPUNGE: each removal to the event handler, EXISTS follows") {
    auto f = start({select_reply, "A1 OK done\r\n", "* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 7 EXPUNGE\r\nA2 OK\r\n"});
    f.c->select("INBOX");
    std::vector<std::uint32_t> gone;
    f.c->set_event_handler([&](const mailbox_event& e) {
        if (e.type == mailbox_event::kind::expunge) gone.push_back(e.number);
    });
    CHECK(f.c->expunge() == 3u);
    CHECK(gone == std::vector<std::uint32_t>{3, 3, 7});
    CHECK(f.c->mailbox().exists == 9997u);
}

TEST_CASE("ENABLE only before SELECT, QRESYNC SELECT with VANISHED (EARLIER) as events") {
    auto f = start({"* ENABLED QRESYNC\r\nA1 OK\r\n", select_reply,
                    "* VANISHED (EARLIER) 41,43:116\r\n* 49 FETCH (UID 117 FLAGS (\\Seen) MODSEQ (90060115205545359))\r\n"
                    "A2 OK [READ-WRITE] done\r\n"});
    select_options early;
    early.qresync = select_options::qresync_params{};
    CHECK(code_of([&] { f.c->select("INBOX", early); }) ==
          make_error_code(errc::not_supported));
    f.c->enable({"QRESYNC"});
    CHECK(f.c->qresync_enabled());
    CHECK(f.c->condstore_enabled());
    std::vector<mailbox_event> events;
    f.c->set_event_handler([&](const mailbox_event& e) { events.push_back(e); });
    select_options o;
    o.qresync = select_options::qresync_params{67890007, 90060115194045000, uid_set::from_range(41, 211)};
    f.c->select("INBOX", o);
    CHECK(f.peer.written() ==
          "A1 ENABLE QRESYNC\r\nA2 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211))\r\n");
    REQUIRE(events.size() == 2);
    CHECK(events[0].type == mailbox_event::kind::vanished);
    CHECK(events[0].gone.earlier);
    CHECK(events[0].gone.uids.to_string() == "41,43:116");
    CHECK(events[1].type == mailbox_event::kind::fetch);
    CHECK(events[1].message.uid == 117u);
    CHECK(f.c->mailbox().exists == 10000u);  // EARLIER does not change EXISTS
    CHECK(code_of([&] { f.c->enable({"CONDSTORE"}); }) == make_error_code(errc::invalid_state));
}

TEST_CASE("ID and NAMESPACE") {
    auto f = start({"* ID (\"name\" \"Dovecot\" \"version\" NIL)\r\nA1 OK\r\n",
                    "* NAMESPACE ((\"\" \".\")) NIL ((\"Shared.\" \".\"))\r\nA2 OK\r\n"});
    auto id = f.c->id({{"name", "pigeon"}});
    REQUIRE(id.size() == 2);
    CHECK(id[0] == std::pair<std::string, std::string>{"name", "Dovecot"});
    CHECK(id[1].second.empty());
    auto ns = f.c->get_namespaces();
    REQUIRE(ns.personal.size() == 1);
    CHECK(ns.personal[0].delimiter == '.');
    CHECK(ns.other_users.empty());
    REQUIRE(ns.shared.size() == 1);
    CHECK(ns.shared[0].prefix == "Shared.");
    CHECK(f.peer.written() == "A1 ID (\"name\" \"pigeon\")\r\nA2 NAMESPACE\r\n");
}
