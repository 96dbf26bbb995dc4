// Random damage to real responses: the parser and every typed reader must
// answer (a value or an error code), never crash; and streaming content
// literals must hand the sinks exactly the octets the parser would keep.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "pigeon/imap/list_entry.hpp"
#include "pigeon/imap/mailbox_status.hpp"
#include "pigeon/imap/message_data.hpp"
#include "pigeon/imap/search_result.hpp"
#include "pigeon/imap/uidplus.hpp"
#include "pigeon/imap/vanished.hpp"
#include "stream_driver.hpp"

using namespace pigeon::imap;
using pigeon::imap::test::drive;
using pigeon::imap::test::parse_pieces;

namespace {

const char* const samples[] = {
    "* 1 FETCH (UID 1 FLAGS (\\Seen $Label1) INTERNALDATE \"06-Dec-2026 02:52:16 +0000\" RFC822.SIZE 1277 MODSEQ (7) "
    "ENVELOPE (\"Sun, 6 Dec 2026 03:52:16 +0100\" \"s\" ((\"Alice\" NIL \"alice\" \"example.org\")) NIL NIL ((NIL NIL "
    "\"Friends\" NIL)(NIL NIL \"dave\" \"example.org\")(NIL NIL NIL NIL)) NIL NIL \"<m0@x>\" \"<m1@x>\") BODYSTRUCTURE "
    "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 33 1 NIL NIL (\"de\") NIL)(\"message\" "
    "\"rfc822\" NIL NIL NIL \"7bit\" 335 (NIL \"f\" NIL NIL NIL NIL NIL NIL NIL NIL) ((\"text\" \"plain\" NIL NIL NIL "
    "\"7bit\" 10 0)(\"text\" \"html\" NIL NIL NIL \"7bit\" 11 0) \"alternative\") 16 NIL (\"attachment\" (\"filename\" "
    "\"a.eml\")) NIL NIL) \"mixed\" (\"boundary\" \"outer\") NIL NIL NIL))\r\n",
    "* 1 FETCH (UID 1 BODY[1] {5}\r\nHallo BODY[3.1]<0> {5}\r\nplain BINARY[2] ~{3}\r\nabc BINARY.SIZE[2] 3 "
    "RFC822.HEADER {4}\r\nA:b\n)\r\n",
    "* LIST (\\HasChildren \\Archive) \"/\" Archive (CHILDINFO (\"SUBSCRIBED\"))\r\n",
    "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\n",
    "* STATUS INBOX (MESSAGES 3 RECENT 3 UIDNEXT 4 UIDVALIDITY 1796529722 UNSEEN 0 HIGHESTMODSEQ 7 SIZE 1501)\r\n",
    "* ESEARCH (TAG \"c8\") UID MIN 1 MAX 3 ALL 1:3 COUNT 3\r\n",
    "* SEARCH 1 2 (MODSEQ 7)\r\n",
    "* VANISHED (EARLIER) 41,43:116\r\n",
    "* OK [PERMANENTFLAGS (\\Answered \\*)] Flags permitted.\r\n",
    "d1 OK [COPYUID 1796529725 1:3 4,6:7] Copy completed.\r\n",
    "b0 OK [APPENDUID 1796529722 1] Append completed.\r\n",
};

void exercise(const response& r) {
    std::error_code ec;
    if (auto m = parse_fetch(r, ec)) {
        for (const auto& s : m->sections) CHECK((s.streamed || s.nil || s.size == s.bytes.size()));
        if (m->body_structure) CHECK(m->body_structure->find(m->body_structure->section) == &*m->body_structure);
    }
    parse_list_entry(r, ec);
    parse_status(r, ec);
    parse_search(r, ec);
    parse_vanished(r, ec);
    mailbox_status st;
    st.apply(r, ec);
    if (r.code) {
        if (auto c = parse_copy_uid(*r.code, ec)) c->pairs(100000, ec);
        parse_append_uid(*r.code, ec);
    }
}

// The octets of the literals kept in memory, in order.
void collect_literals(const token& t, std::vector<std::string>& out) {
    if (t.kind == token_kind::literal) out.push_back(t.text);
    for (const auto& i : t.items) collect_literals(i, out);
}

} // namespace

TEST_CASE("randomly damaged responses never crash a typed reader") {
    std::mt19937 rng(20261206);
    const std::string alphabet = "()[]{}<>\"\\ *~+0123456789NILnilUIDBODY.:,\r\n\x01\xff";
    std::size_t ready = 0;
    for (const char* sample : samples) {
        for (int round = 0; round < 400; ++round) {
            std::string in = sample;
            int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits && !in.empty(); ++e) {
                std::size_t at = rng() % in.size();
                switch (rng() % 3) {
                case 0: in.erase(at, 1 + rng() % 3); break;
                case 1: in.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
                default: in[at] = alphabet[rng() % alphabet.size()]; break;
                }
            }
            INFO(in);
            auto o = parse_pieces({in});
            for (const auto& r : o.responses) {
                ++ready;
                exercise(r);
            }
        }
    }
    CHECK(ready > 1000);
}

TEST_CASE("streamed sinks hold exactly what the parser would have kept") {
    std::mt19937 rng(7);
    for (int round = 0; round < 300; ++round) {
        // A FETCH with random content and non-content literals of random sizes.
        std::string in = "* " + std::to_string(1 + rng() % 9) + " FETCH (UID " + std::to_string(1 + rng() % 99);
        int items = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < items; ++i) {
            std::string body(rng() % 40, 'x');
            for (auto& c : body) c = static_cast<char>(rng() % 256);
            const char* names[] = {"BODY[]", "BODY[1.2]<0>", "BINARY[1]", "RFC822", "RFC822.TEXT", "X-OTHER"};
            in += std::string(" ") + names[rng() % 6] + " {" + std::to_string(body.size()) + "}\r\n" + body;
        }
        in += ")\r\n";
        auto kept = drive({in}, [](const literal_info&) { return false; });
        auto streamed = drive(pigeon::test::chunks_of(in, 1 + rng() % 13), pigeon::imap::test::stream_content);
        REQUIRE(kept.responses.size() == 1);
        REQUIRE(streamed.responses.size() == 1);
        CHECK_FALSE(streamed.leftover);
        std::vector<std::string> all;
        collect_literals(kept.responses[0].data.at(0), all);
        // Every literal either went to a sink or stayed, in order.
        std::vector<std::string> from_stream;
        std::size_t sink = 0;
        for (const auto& t : streamed.responses[0].data.at(0).items)
            if (t.kind == token_kind::literal) from_stream.push_back(t.streamed ? streamed.sinks.at(sink++) : t.text);
        CHECK(sink == streamed.sinks.size());
        CHECK(from_stream == all);
        // And the typed view agrees on sizes.
        std::error_code ec;
        auto a = parse_fetch(kept.responses[0], ec);
        auto b = parse_fetch(streamed.responses[0], ec);
        REQUIRE(a);
        REQUIRE(b);
        REQUIRE(a->sections.size() == b->sections.size());
        for (std::size_t i = 0; i < a->sections.size(); ++i) {
            CHECK(a->sections[i].size == b->sections[i].size);
            CHECK(b->sections[i].streamed);
            CHECK(b->sections[i].bytes.empty());
        }
    }
}
