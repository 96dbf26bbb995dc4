// Mailbox data: SELECT/EXAMINE state, STATUS, LIST/LSUB, SEARCH/ESEARCH,
// VANISHED, APPENDUID/COPYUID. Samples recorded from Dovecot 2.3.19.1.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <string>

#include "pigeon/imap/error.hpp"
#include "pigeon/imap/list_entry.hpp"
#include "pigeon/imap/mailbox_status.hpp"
#include "pigeon/imap/search_result.hpp"
#include "pigeon/imap/uidplus.hpp"
#include "pigeon/imap/vanished.hpp"
#include "stream_driver.hpp"

using namespace pigeon::imap;
using pigeon::imap::test::parse_one;
using pigeon::imap::test::parse_pieces;

namespace {

std::vector<response> parse_all(std::string_view in) {
    auto o = parse_pieces({in});
    REQUIRE_FALSE(o.error);
    auto bytes = parse_pieces(pigeon::test::bytewise(in));
    CHECK(pigeon::imap::test::dump_all(bytes) == pigeon::imap::test::dump_all(o));
    return o.responses;
}

list_entry list(std::string_view in, name_encoding enc = name_encoding::modified_utf7) {
    std::error_code ec;
    auto e = parse_list_entry(parse_one(in), ec, enc);
    REQUIRE_MESSAGE(e, ec.message());
    CHECK_FALSE(ec);
    return *e;
}

std::error_code list_error(std::string_view in) {
    std::error_code ec;
    CHECK_FALSE(parse_list_entry(parse_one(in), ec));
    return ec;
}

search_result search(std::string_view in) {
    std::error_code ec;
    auto s = parse_search(parse_one(in), ec);
    REQUIRE_MESSAGE(s, ec.message());
    CHECK_FALSE(ec);
    return *s;
}

std::optional<response_code> code_of(std::string_view in) { return parse_one(in).code; }

} // namespace

TEST_CASE("SELECT data from Dovecot (CONDSTORE enabled)") {
    mailbox_status st;
    std::error_code ec;
    std::size_t used = 0;
    for (const auto& r : parse_all("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)\r\n"
                                   "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*)] "
                                   "Flags permitted.\r\n"
                                   "* 3 EXISTS\r\n"
                                   "* 3 RECENT\r\n"
                                   "* OK [UIDVALIDITY 1796529722] UIDs valid\r\n"
                                   "* OK [UIDNEXT 4] Predicted next UID\r\n"
                                   "* OK [HIGHESTMODSEQ 7] Highest\r\n"
                                   "* OK [UNSEEN 2] First unseen.\r\n"
                                   "* OK Still here\r\n"
                                   "c1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n")) {
        if (st.apply(r, ec)) ++used;
        CHECK_FALSE(ec);
    }
    CHECK(used == 9);
    CHECK(st.exists == 3u);
    CHECK(st.recent == 3u);
    CHECK(st.uidvalidity == 1796529722u);
    CHECK(st.uidnext == 4u);
    CHECK(st.unseen == 2u);
    CHECK(st.highest_modseq == 7u);
    CHECK(st.flags->size() == 6);
    CHECK(st.permanent_flags->back() == "\\*");
    CHECK_FALSE(st.read_only);
    CHECK_FALSE(st.nomodseq);
    // Then EXPUNGE and VANISHED shrink it; VANISHED (EARLIER) does not.
    for (const auto& r : parse_all("* 2 EXPUNGE\r\n* VANISHED (EARLIER) 1:2\r\n* VANISHED 3\r\n")) st.apply(r, ec);
    CHECK(st.exists == 1u);
}

TEST_CASE("EXAMINE after SELECT: [CLOSED] starts afresh (Dovecot, QRESYNC)") {
    mailbox_status st;
    std::error_code ec;
    st.exists = 3;
    st.highest_modseq = 9;
    st.flags = std::vector<std::string>{"\\Seen", "$Label1"};
    for (const auto& r : parse_all("* OK [CLOSED] Previous mailbox closed.\r\n"
                                   "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                                   "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n"
                                   "* 0 EXISTS\r\n"
                                   "* 0 RECENT\r\n"
                                   "* OK [UIDVALIDITY 1796529723] UIDs valid\r\n"
                                   "* OK [UIDNEXT 1] Predicted next UID\r\n"
                                   "* OK [NOMODSEQ] No modseqs\r\n"
                                   "d4 OK [READ-ONLY] Examine completed (0.008 + 0.000 + 0.007 secs).\r\n")) {
        CHECK(st.apply(r, ec));
        CHECK_FALSE(ec);
    }
    CHECK(st.exists == 0u);
    CHECK(st.flags->size() == 5);
    CHECK(st.permanent_flags->empty());
    CHECK(st.read_only);
    CHECK(st.nomodseq);
    CHECK_FALSE(st.highest_modseq);
    CHECK(st.uidvalidity == 1796529723u);
}

TEST_CASE("SELECT data: malformed values are reported and ignored") {
    mailbox_status st;
    std::error_code ec;
    st.uidnext = 5;
    for (const char* in : {"* OK [UIDNEXT 0] x\r\n", "* OK [UIDNEXT 4294967296] x\r\n", "* OK [UIDNEXT] x\r\n",
                           "* OK [UIDNEXT -1] x\r\n", "* OK [UIDVALIDITY abc] x\r\n",
                           "* OK [HIGHESTMODSEQ 9223372036854775808] x\r\n", "* OK [PERMANENTFLAGS \\Seen] x\r\n",
                           "* OK [PERMANENTFLAGS (\\Seen] x\r\n", "* FLAGS \\Seen\r\n", "* FLAGS (\"\\\\Seen\")\r\n",
                           "* VANISHED 1:*\r\n"}) {
        INFO(in);
        CHECK(st.apply(parse_one(in), ec));
        CHECK(ec == make_error_code(errc::malformed_reply));
    }
    CHECK(st.uidnext == 5u);
    CHECK_FALSE(st.flags);
    // Not mailbox data: untouched, no error.
    for (const char* in : {"* CAPABILITY IMAP4rev1\r\n", "* OK [ALERT] hi\r\n", "* NO [UIDNEXT 3] odd\r\n",
                           "A1 OK [UIDNEXT 3] tagged\r\n", "* 1 FETCH (FLAGS ())\r\n", "+ go\r\n", "A1 NO [READ-ONLY] x\r\n"}) {
        INFO(in);
        CHECK_FALSE(st.apply(parse_one(in), ec));
        CHECK_FALSE(ec);
    }
    CHECK(st.apply(parse_one("* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n"), ec));
    CHECK(st.uid_not_sticky);
    CHECK(st.uidnext == 5u);
    CHECK_FALSE(st.read_only);
}

TEST_CASE("STATUS (Dovecot), names decoded from modified UTF-7") {
    std::error_code ec;
    auto s = parse_status(parse_one("* STATUS INBOX (MESSAGES 3 RECENT 3 UIDNEXT 4 UIDVALIDITY 1796529722 UNSEEN 0 "
                                    "HIGHESTMODSEQ 7 SIZE 1501)\r\n"),
                          ec);
    REQUIRE(s);
    CHECK(s->mailbox == "INBOX");
    CHECK(s->messages == 3u);
    CHECK(s->recent == 3u);
    CHECK(s->uidnext == 4u);
    CHECK(s->uidvalidity == 1796529722u);
    CHECK(s->unseen == 0u);
    CHECK(s->highest_modseq == 7u);
    CHECK(s->size == 1501u);
    CHECK_FALSE(s->deleted);
    s = parse_status(parse_one("* STATUS Entw&APw-rfe (MESSAGES 0 UIDNEXT 1)\r\n"), ec);
    REQUIRE(s);
    CHECK(s->mailbox == "Entw\xc3\xbcrfe");
    CHECK(s->wire_mailbox == "Entw&APw-rfe");
    CHECK(s->name_valid);
    s = parse_status(parse_one("* STATUS {5}\r\na b c (DELETED 2 X-FOO (1 2) MESSAGES 9)\r\n"), ec);
    REQUIRE(s);
    CHECK(s->mailbox == "a b c");
    CHECK(s->deleted == 2u);
    CHECK(s->messages == 9u);
    for (const char* in : {"* STATUS INBOX\r\n", "* STATUS INBOX MESSAGES 3\r\n", "* STATUS INBOX (MESSAGES)\r\n",
                           "* STATUS INBOX (MESSAGES x)\r\n", "* STATUS INBOX (MESSAGES 4294967296)\r\n",
                           "* STATUS (a) (MESSAGES 1)\r\n", "* STATUS INBOX (\"MESSAGES\" 1)\r\n",
                           "* STATUS INBOX (SIZE -1)\r\n"}) {
        INFO(in);
        CHECK_FALSE(parse_status(parse_one(in), ec));
        CHECK(ec == make_error_code(errc::malformed_reply));
    }
    CHECK_FALSE(parse_status(parse_one("* LIST () \"/\" INBOX\r\n"), ec));
    CHECK_FALSE(ec);
}

TEST_CASE("LIST from Dovecot: special use, children, LIST-EXTENDED") {
    auto drafts = list("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n");
    CHECK(drafts.use() == special_use::drafts);
    CHECK(drafts.has_children() == false);
    CHECK(drafts.delimiter == '/');
    CHECK(drafts.selectable());
    CHECK_FALSE(drafts.subscribed());
    CHECK(drafts.name == "Drafts");
    CHECK(list("* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n").use() == special_use::sent);
    CHECK(list("* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n").use() == special_use::trash);
    CHECK(list("* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n").use() == special_use::junk);
    auto archive = list("* LIST (\\HasChildren \\Archive) \"/\" Archive\r\n");
    CHECK(archive.use() == special_use::archive);
    CHECK(archive.has_children() == true);
    CHECK(list("* LIST (\\All) \"/\" All\r\n").use() == special_use::all);
    CHECK(list("* LIST (\\flagged) \"/\" F\r\n").use() == special_use::flagged);
    CHECK(list("* LIST () \"/\" X\r\n").use() == special_use::none);
    CHECK_FALSE(list("* LIST () \"/\" X\r\n").has_children().has_value());
    auto inbox = list("* LIST (\\HasNoChildren) \"/\" INBOX\r\n");
    CHECK(inbox.is_inbox());
    CHECK(list("* LIST () \"/\" inbox\r\n").is_inbox());
    CHECK_FALSE(list("* LIST () \"/\" INBOX/x\r\n").is_inbox());
    auto sub = list("* LIST (\\Subscribed \\HasNoChildren) \"/\" Archive/2024\r\n");
    CHECK(sub.subscribed());
    CHECK(sub.name == "Archive/2024");
    // LIST (SUBSCRIBED RECURSIVEMATCH): CHILDINFO.
    auto ci = list("* LIST (\\HasChildren) \"/\" Archive (CHILDINFO (\"SUBSCRIBED\"))\r\n");
    CHECK(ci.child_info == std::vector<std::string>{"SUBSCRIBED"});
    CHECK_FALSE(ci.subscribed());
    auto on = list("* LIST () \"/\" New (\"OLDNAME\" (\"Old&AOQ-\") \"X-OTHER\" (1 (2)))\r\n");
    CHECK(on.old_name == "Old\xc3\xa4");
    auto ls = list("* LSUB () \"/\" Archive/2024\r\n");
    CHECK(ls.lsub);
    CHECK(ls.subscribed());
    CHECK_FALSE(list("* LSUB (\\Noselect) \"/\" Archive\r\n").subscribed());
    CHECK_FALSE(list("* LIST (\\Noselect \\HasChildren) \"/\" a\r\n").selectable());
    CHECK_FALSE(list("* LIST (\\NonExistent) \"/\" a\r\n").selectable());
}

TEST_CASE("LIST names: modified UTF-7, UTF8=ACCEPT, quirks, hostile names") {
    auto e = list("* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\n");
    CHECK(e.name == "Entw\xc3\xbcrfe");
    CHECK(e.wire_name == "Entw&APw-rfe");
    CHECK(e.name_valid);
    // With UTF8=ACCEPT the name is UTF-8 and "&" is literal.
    auto u = list("* LIST () \"/\" \"Entw\xc3\xbcrfe &APw-\"\r\n", name_encoding::utf8);
    CHECK(u.name == "Entw\xc3\xbcrfe &APw-");
    // QUIRK: raw UTF-8 without UTF8=ACCEPT is taken as UTF-8.
    auto raw = list("* LIST () \"/\" {8}\r\nEntw\xc3\xbcrf\r\n");
    CHECK(raw.name == "Entw\xc3\xbcrf");
    CHECK(raw.name_valid);
    // Neither: kept as sent, marked invalid.
    auto junk = list("* LIST () \"/\" {3}\r\na\xff" "b\r\n");
    CHECK_FALSE(junk.name_valid);
    CHECK(junk.name == "a\xff" "b");
    // QUIRK: an unencoded "&" is taken as UTF-8 text too.
    auto amp = list("* LIST () \"/\" \"a&b\"\r\n");
    CHECK(amp.name_valid);
    CHECK(amp.name == "a&b");
    // Delimiters: NIL, an escaped backslash, a dot.
    CHECK_FALSE(list("* LIST (\\Noselect) NIL \"\"\r\n").delimiter);
    CHECK(list("* LIST () \"\\\\\" a\r\n").delimiter == '\\');
    CHECK(list("* LIST () \".\" INBOX.Sent\r\n").delimiter == '.');
    // Hostile names are data, not paths.
    CHECK(list("* LIST () \"/\" \"../../.ssh/x\"\r\n").name == "../../.ssh/x");
    CHECK(list("* LIST () \"/\" \"`touch /tmp/pwned`\"\r\n").name == "`touch /tmp/pwned`");
    const auto bad = make_error_code(errc::malformed_reply);
    for (const char* in : {"* LIST \\Noselect \"/\" a\r\n", "* LIST () \"//\" a\r\n", "* LIST () \"\" a\r\n",
                           "* LIST () / a\r\n", "* LIST () \"/\"\r\n", "* LIST () \"/\" (a)\r\n",
                           "* LIST () \"/\" NIL\r\n", "* LIST (\"\\\\Seen\") \"/\" a\r\n",
                           "* LIST () \"/\" a (CHILDINFO)\r\n", "* LIST () \"/\" a (CHILDINFO \"x\")\r\n",
                           "* LIST () \"/\" a b c\r\n", "* LIST () \"/\" a (OLDNAME (1 2))\r\n"}) {
        INFO(in);
        CHECK(list_error(in) == bad);
    }
    std::error_code ec;
    CHECK_FALSE(parse_list_entry(parse_one("* STATUS a (MESSAGES 1)\r\n"), ec));
    CHECK_FALSE(ec);
}

TEST_CASE("SEARCH and ESEARCH (Dovecot)") {
    auto e = search("* ESEARCH (TAG \"c8\") UID MIN 1 MAX 3 ALL 1:3 COUNT 3\r\n");
    CHECK(e.extended);
    CHECK(e.tag == "c8");
    CHECK(e.uid);
    CHECK(e.min == 1u);
    CHECK(e.max == 3u);
    CHECK(e.count == 3u);
    CHECK(e.all.to_string() == "1:3");
    auto e2 = search("* ESEARCH (TAG \"e5\") UID ALL 1,3\r\n");
    CHECK(e2.all.to_string() == "1,3");
    CHECK_FALSE(e2.count);
    auto none = search("* ESEARCH (TAG \"A1\") UID COUNT 0\r\n");
    CHECK(none.count == 0u);
    CHECK(none.all.empty());
    auto bare = search("* ESEARCH\r\n");
    CHECK(bare.tag.empty());
    auto ext = search("* ESEARCH (TAG \"x\" MAILBOX \"INBOX\" UIDVALIDITY \"7\") ALL 3:1 MODSEQ 917162500 "
                      "PARTIAL (1:10 NIL) RELEVANCY (4 9)\r\n");
    CHECK(ext.all.to_string() == "1:3");
    CHECK(ext.modseq == 917162500u);
    auto plain = search("* SEARCH 1 2 3\r\n");
    CHECK_FALSE(plain.extended);
    CHECK(plain.all.to_string() == "1:3");
    CHECK(search("* SEARCH\r\n").all.empty());
    auto ms = search("* SEARCH 2 1 (MODSEQ 7)\r\n");
    CHECK(ms.all.to_string() == "1:2");
    CHECK(ms.modseq == 7u);
    auto big = search("* SEARCH 5 4294967295 4 9 7 6\r\n");
    CHECK(big.all.to_string() == "4:7,9,4294967295");

    const auto bad = make_error_code(errc::malformed_reply);
    std::error_code ec;
    for (const char* in : {"* SEARCH 0\r\n", "* SEARCH a\r\n", "* SEARCH 4294967296\r\n", "* SEARCH (MODSEQ 7) 1\r\n",
                           "* SEARCH 1 (MODSEQ)\r\n", "* SEARCH 1 (MODSEQ x)\r\n", "* ESEARCH (TAG) ALL 1\r\n",
                           "* ESEARCH (TAG \"x\") MIN\r\n", "* ESEARCH MIN 0\r\n", "* ESEARCH ALL 1:0\r\n",
                           "* ESEARCH ALL \"1\"\r\n", "* ESEARCH COUNT x\r\n", "* ESEARCH (TAG (a)) COUNT 1\r\n",
                           "* ESEARCH \"MIN\" 1\r\n"}) {
        INFO(in);
        CHECK_FALSE(parse_search(parse_one(in), ec));
        CHECK(ec == bad);
    }
    CHECK_FALSE(parse_search(parse_one("* 3 EXISTS\r\n"), ec));
    CHECK_FALSE(ec);
    // A hostile result of 100 000 numbers becomes a few ranges.
    std::string many = "* SEARCH";
    for (int i = 1; i <= 100000; ++i) many += " " + std::to_string(i * 2 <= 100000 ? i : 200000 - i);
    many += "\r\n";
    auto r = parse_pieces({many});
    auto s = parse_search(r.responses.at(0), ec);
    REQUIRE(s);
    CHECK(s->all.ranges().size() == 2);
}

TEST_CASE("VANISHED (Dovecot, QRESYNC)") {
    std::error_code ec;
    auto v = parse_vanished(parse_one("* VANISHED (EARLIER) 2\r\n"), ec);
    REQUIRE(v);
    CHECK(v->earlier);
    CHECK(v->uids.to_string() == "2");
    v = parse_vanished(parse_one("* VANISHED 41,43:116,118,120:211,214:540\r\n"), ec);
    REQUIRE(v);
    CHECK_FALSE(v->earlier);
    CHECK(v->uids.count() == 1u + 74u + 1u + 92u + 327u);
    v = parse_vanished(parse_one("* VANISHED (EARLIER) 1:4294967295\r\n"), ec);
    REQUIRE(v);
    CHECK(v->uids.ranges().size() == 1);
    for (const char* in : {"* VANISHED\r\n", "* VANISHED (EARLIER)\r\n", "* VANISHED (LATER) 1\r\n", "* VANISHED 1:*\r\n",
                           "* VANISHED 1 2\r\n", "* VANISHED \"1\"\r\n", "* VANISHED 0\r\n", "* VANISHED (EARLIER X) 1\r\n"}) {
        INFO(in);
        CHECK_FALSE(parse_vanished(parse_one(in), ec));
        CHECK(ec == make_error_code(errc::malformed_reply));
    }
    CHECK_FALSE(parse_vanished(parse_one("* 1 EXPUNGE\r\n"), ec));
    CHECK_FALSE(ec);
}

TEST_CASE("APPENDUID and COPYUID (Dovecot)") {
    std::error_code ec;
    auto a = parse_append_uid(*code_of("b0 OK [APPENDUID 1796529722 1] Append completed (0.017 + 0.000 secs).\r\n"), ec);
    REQUIRE(a);
    CHECK(a->uidvalidity == 1796529722u);
    CHECK(a->uids.to_string() == "1");
    a = parse_append_uid(*code_of("A1 OK [APPENDUID 38505 3955:3957] MULTIAPPEND\r\n"), ec);
    REQUIRE(a);
    CHECK(a->uids.count() == 3u);
    auto c = parse_copy_uid(*code_of("d1 OK [COPYUID 1796529725 1:3 1:3] Copy completed (0.009 + 0.000 secs).\r\n"), ec);
    REQUIRE(c);
    CHECK(c->uidvalidity == 1796529725u);
    // RFC 4315's example: the pairs follow the order written.
    c = parse_copy_uid(*code_of("A003 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"), ec);
    REQUIRE(c);
    auto pairs = c->pairs(10, ec);
    REQUIRE(pairs);
    CHECK(*pairs == std::vector<std::pair<std::uint32_t, std::uint32_t>>{{304, 3956}, {319, 3957}, {320, 3958}});
    CHECK_FALSE(c->pairs(2, ec));
    CHECK(ec == make_error_code(errc::too_many_tokens));
    // MOVE sends it untagged before the EXPUNGEs.
    c = parse_copy_uid(*code_of("* OK [COPYUID 432432 42:43 1:2] Moved\r\n"), ec);
    REQUIRE(c);
    // A hostile huge mapping is refused without expanding it.
    c = parse_copy_uid(*code_of("A1 OK [COPYUID 1 1:4294967295 1:4294967295] x\r\n"), ec);
    REQUIRE(c);
    CHECK_FALSE(c->pairs(1000000, ec));
    CHECK(ec == make_error_code(errc::too_many_tokens));

    for (const char* in : {"A1 OK [APPENDUID 0 1] x\r\n", "A1 OK [APPENDUID 1] x\r\n", "A1 OK [APPENDUID 1 2 3] x\r\n",
                           "A1 OK [APPENDUID 1 *] x\r\n", "A1 OK [APPENDUID x 1] x\r\n", "A1 OK [APPENDUID 1 0] x\r\n"}) {
        INFO(in);
        CHECK_FALSE(parse_append_uid(*code_of(in), ec));
        CHECK(ec == make_error_code(errc::malformed_reply));
    }
    for (const char* in : {"A1 OK [COPYUID 1 1:3 1:2] x\r\n", "A1 OK [COPYUID 1 1:3] x\r\n",
                           "A1 OK [COPYUID 1 1:* 1:3] x\r\n", "A1 OK [COPYUID 0 1 1] x\r\n",
                           "A1 OK [COPYUID 1 1 1 1] x\r\n"}) {
        INFO(in);
        CHECK_FALSE(parse_copy_uid(*code_of(in), ec));
        CHECK(ec == make_error_code(errc::malformed_reply));
    }
    CHECK_FALSE(parse_copy_uid(*code_of("A1 OK [APPENDUID 1 1] x\r\n"), ec));
    CHECK_FALSE(ec);
    CHECK_FALSE(parse_append_uid(*code_of("A1 OK [READ-WRITE] x\r\n"), ec));
    CHECK_FALSE(ec);
}
