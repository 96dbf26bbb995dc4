// The handoff destination: the function gets the message byte for byte
// (memory and spilled to a temporary file), the head, the meta; its verdict
// becomes commit()'s; abort and misuse.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "destination_test_util.hpp"
#include "pigeon/store/destination.hpp"

using namespace pigeon;
using pigeon::test::delivered;

namespace {

struct recorder {
    std::string body, head, folder;
    std::uint64_t size = 0;
    int calls = 0;
    store::handoff_result verdict{{}, "250 2.0.0 queued as X", ""};
    std::size_t read_cap = 4096;
};

std::unique_ptr<store::destination> open_recording(recorder& r) {
    std::error_code ec;
    auto d = store::open_handoff("lmtp:/test/socket", [&r](const store::handoff_message& m) {
        ++r.calls;
        r.head = std::string(m.head);
        r.size = m.size;
        r.folder = m.meta.folder;
        r.body.clear();
        std::string buf(r.read_cap, '\0');
        while (std::size_t n = m.read(buf.data(), buf.size())) r.body.append(buf.data(), n);
        return r.verdict;
    }, ec);
    REQUIRE_MESSAGE(d, ec.message());
    return d;
}

} // namespace

TEST_CASE("handoff: a small message reaches the function unchanged, with its head and meta") {
    recorder r;
    auto dest = open_recording(r);
    const std::string msg = pigeon::test::sample_message();
    store::message_meta meta;
    meta.folder = "Lists/dev";
    const delivered d = pigeon::test::deliver(*dest, meta, std::vector<std::string_view>{msg.substr(0, 10), msg.substr(10)});
    REQUIRE_MESSAGE(!d.ec, d.ec.message());
    CHECK(r.calls == 1);
    CHECK(r.body == msg);
    CHECK(r.head == msg);
    CHECK(r.size == msg.size());
    CHECK(r.folder == "Lists/dev");
    CHECK(d.location == "250 2.0.0 queued as X");
    CHECK(d.bytes == msg.size());
    CHECK(d.sha == pigeon::test::sha256_of(msg));
    CHECK(dest->describe() == "lmtp:/test/socket");
    CHECK_FALSE(dest->contains(d.location, d.bytes, d.sha));
}

TEST_CASE("handoff: a message over the memory limit is spilled to a file and read back whole") {
    recorder r;
    r.read_cap = 7777;  // reads that do not line up with anything
    auto dest = open_recording(r);
    std::string msg = "Subject: big\r\n\r\n";
    while (msg.size() < 3 * 1024 * 1024) msg += "line " + std::to_string(msg.size()) + " of a large message\r\n";
    std::vector<std::string_view> pieces;
    for (std::size_t at = 0; at < msg.size(); at += 100000) pieces.push_back(std::string_view(msg).substr(at, 100000));
    const delivered d = pigeon::test::deliver(*dest, {}, pieces);
    REQUIRE_MESSAGE(!d.ec, d.ec.message());
    CHECK(r.body.size() == msg.size());
    CHECK(r.body == msg);
    CHECK(r.head.size() == 64 * 1024);
    CHECK(r.head == msg.substr(0, 64 * 1024));
    CHECK(d.sha == pigeon::test::sha256_of(msg));
}

TEST_CASE("handoff: the function's refusal is commit()'s error, with its detail, the next message goes on") {
    recorder r;
    r.verdict = {make_error_code(store::errc::forward_deferred), "", "451 4.3.0 try later"};
    auto dest = open_recording(r);
    std::error_code ec;
    auto d = dest->begin({}, ec);
    REQUIRE(d);
    d->write("Subject: x\r\n\r\nbody\r\n", ec);
    d->commit(ec);
    CHECK(ec == store::errc::forward_deferred);
    CHECK(d->failure_detail() == "451 4.3.0 try later");
    CHECK(d->location().empty());
    d.reset();

    r.verdict = {};
    r.verdict.location = "ok";
    const delivered ok = pigeon::test::deliver(*dest, {}, "Subject: y\r\n\r\n");
    CHECK_FALSE(ok.ec);
    CHECK(ok.location == "ok");
    CHECK(r.calls == 2);
}

TEST_CASE("handoff: a function that throws is forward_unreachable with the exception's text") {
    std::error_code ec;
    auto dest = store::open_handoff("smtp://x", [](const store::handoff_message&) -> store::handoff_result {
        throw std::runtime_error("connection reset by peer");
    }, ec);
    REQUIRE(dest);
    auto d = dest->begin({}, ec);
    REQUIRE(d);
    d->write("x", ec);
    d->commit(ec);
    CHECK(ec == store::errc::forward_unreachable);
    CHECK(d->failure_detail() == "connection reset by peer");
}

TEST_CASE("handoff: abort never calls the function, one delivery at a time, bad arguments") {
    recorder r;
    auto dest = open_recording(r);
    std::error_code ec;
    {
        auto d = dest->begin({}, ec);
        REQUIRE(d);
        auto second = dest->begin({}, ec);
        CHECK_FALSE(second);
        CHECK(ec == store::errc::bad_state);
        d->write("half a mess", ec);
        d->abort();
        d->write("more", ec);
        CHECK(ec == store::errc::bad_state);
    }
    CHECK(r.calls == 0);
    {
        auto d = dest->begin({}, ec);  // the abort freed the slot; destruction aborts
        REQUIRE(d);
        d->write("x", ec);
    }
    CHECK(r.calls == 0);
    CHECK_FALSE(store::open_handoff("", [](const store::handoff_message&) { return store::handoff_result{}; }, ec));
    CHECK(ec == store::errc::bad_spec);
    CHECK_FALSE(store::open_handoff("x", nullptr, ec));
    CHECK(ec == store::errc::bad_spec);
}
