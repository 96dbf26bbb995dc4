// COMPRESS=DEFLATE (IMAP RFC 4978, NNTP RFC 8054) against the lab's Dovecot
// and INN: a compressed client and a plain one see the same data, in both
// directions (a message appended / an article posted through the compressed
// connection reads back byte for byte through the plain one).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "pigeon/imap/client.hpp"
#include "pigeon/nntp/client.hpp"
#include "support/lab.hpp"
#include "support/lab_options.hpp"

using namespace pigeon;
namespace lab = pigeon::test::lab;

namespace {

std::string message(const std::string& subject) {
    std::string m = "From: Alice <alice@lab.test>\r\nTo: alice@lab.test\r\nSubject: " + subject +
                    "\r\nMessage-ID: <" + subject + "@lab.test>\r\nNewsgroups: lab.test\r\n\r\n";
    // Compressible and not: repeated text, then bytes of every value but NUL/CR/LF.
    for (int i = 0; i < 2000; ++i) m += "line " + std::to_string(i) + " of the compressed round trip\r\n";
    for (int i = 0; i < 200; ++i) {
        std::string line;
        for (int k = 0; k < 70; ++k) line += static_cast<char>(33 + (i * 31 + k * 7) % 94);
        m += line + "\r\n";
    }
    return m;
}

} // namespace

TEST_CASE("IMAP COMPRESS=DEFLATE: the same data both ways") {
    imap::client_options plain_opts;
    plain_opts.net = lab::session_options();
    imap::client_options z_opts = plain_opts;
    z_opts.compress = true;

    imap::client z;
    z.connect(lab::endpoint(net::protocol::imap, net::tls_mode::implicit), z_opts);
    z.authenticate(lab::creds(lab::alice));
    REQUIRE(z.is_compressed());
    imap::client plain;
    plain.connect(lab::endpoint(net::protocol::imap, net::tls_mode::implicit), plain_opts);
    plain.authenticate(lab::creds(lab::alice));
    CHECK_FALSE(plain.is_compressed());

    // Listings agree.
    auto names = [](const std::vector<imap::mailbox_info>& v) {
        std::vector<std::string> out;
        for (const auto& m : v) out.push_back(m.entry.name);
        std::sort(out.begin(), out.end());
        return out;
    };
    const std::string folder = "compress-" + std::to_string(::getpid());
    z.create(folder);
    CHECK(names(z.list()) == names(plain.list()));

    // Up through the compressed connection, down through the plain one.
    const std::string msg = message("deflate-imap-" + std::to_string(::getpid()));
    auto appended = z.append(folder, msg);
    plain.examine(folder);
    auto got = plain.fetch(plain.search(imap::search_query::all()), imap::fetch_items::whole_message());
    REQUIRE(got.size() == 1);
    REQUIRE(got[0].sections.size() == 1);
    CHECK(got[0].sections[0].bytes == msg);
    // And down through the compressed one.
    z.examine(folder);
    auto got_z = z.fetch(z.search(imap::search_query::all()), imap::fetch_items::whole_message());
    REQUIRE(got_z.size() == 1);
    CHECK(got_z[0].sections[0].bytes == msg);
    if (appended) CHECK(appended->uids.contains(got_z[0].uid.value_or(0)));
    z.close_mailbox();
    plain.close_mailbox();
    z.delete_mailbox(folder);
    z.logout();
    plain.logout();
}

TEST_CASE("NNTP COMPRESS DEFLATE: post compressed, read back plain and compressed") {
    nntp::client_options plain_opts;
    plain_opts.net = lab::session_options();
    nntp::client_options z_opts = plain_opts;
    z_opts.compress = true;

    nntp::client z;
    z.connect(lab::endpoint(net::protocol::nntp, net::tls_mode::implicit), z_opts);
    REQUIRE(z.capabilities().has_argument("COMPRESS", "DEFLATE"));
    z.authenticate(lab::creds(lab::alice));
    REQUIRE(z.is_compressed());

    const std::string id = "deflate-nntp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    const std::string art = message(id);
    auto r = z.post(art);
    CHECK(r.code == 240);

    nntp::client plain;
    plain.connect(lab::endpoint(net::protocol::nntp, net::tls_mode::implicit), plain_opts);
    CHECK_FALSE(plain.is_compressed());
    const std::string ref = "<" + id + "@lab.test>";
    // INN stores the article with a Path and Xref of its own: compare bodies.
    auto body_of = [](const std::string& a) { return a.substr(a.find("\r\n\r\n") + 4); };
    std::string via_plain, via_z;
    for (int tries = 0; tries < 50 && via_plain.empty(); ++tries) {
        try {
            via_plain = plain.body(nntp::article_ref(ref));
        } catch (const core::command_error&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // INN files it in a moment
        }
    }
    via_z = z.body(nntp::article_ref(ref));
    CHECK(via_plain == body_of(art));
    CHECK(via_z == body_of(art));
    // Overview through the compressed connection matches the plain one.
    auto g1 = z.group("lab.test");
    auto g2 = plain.group("lab.test");
    CHECK(g1.high == g2.high);
    const auto from = g1.high > 20 ? g1.high - 20 : g1.low;
    auto o1 = z.over(nntp::range::between(from, g1.high));
    auto o2 = plain.over(nntp::range::between(from, g2.high));
    REQUIRE(o1.size() == o2.size());
    for (std::size_t i = 0; i < o1.size(); ++i) CHECK(o1[i].message_id == o2[i].message_id);
    z.quit();
    plain.quit();
}
