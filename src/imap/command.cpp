#include "pigeon/imap/command.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "pigeon/imap/error.hpp"
#include "pigeon/imap/string_encoding.hpp"

namespace pigeon::imap {
namespace {

bool valid_tag(std::string_view t) noexcept {
    if (t.empty()) return false;
    for (char c : t)
        if (c == '+' || !is_astring_char(c)) return false;
    return true;
}

bool valid_atom(std::string_view a) noexcept {
    if (a.empty()) return false;
    for (char c : a)
        if (!is_atom_char(c)) return false;
    return true;
}

} // namespace

std::string command::describe() const {
    std::string out;
    for (const auto& seg : segments) {
        if (seg.secret.length == 0) {
            out += seg.line;
        } else {
            std::size_t off = std::min(seg.secret.offset, seg.line.size());
            std::size_t len = std::min(seg.secret.length, seg.line.size() - off);
            out.append(seg.line, 0, off);
            out += net::redacted;
            out.append(seg.line, off + len);
        }
        if (seg.has_literal) {
            out += "\r\n";
            out += seg.literal_secret ? std::string(net::redacted) : seg.literal;
        }
    }
    return out;
}

command_builder::command_builder(std::string_view tag, std::string_view name, literal_options lit) : lit_(lit) {
    cmd_.tag.assign(tag);
    for (char c : name) cmd_.name += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (!valid_tag(tag) || !valid_atom(name)) bad_ = true;
    cmd_.segments.emplace_back();
    cmd_.segments.back().line = cmd_.tag + " " + cmd_.name;
}

void command_builder::append(std::string_view text, bool secret) {
    auto& seg = cmd_.segments.back();
    if (!glue_) seg.line += ' ';
    glue_ = false;
    if (secret) {
        // One secret span per line: a second one widens the first to the end.
        if (seg.secret.length == 0) seg.secret = {seg.line.size(), text.size()};
        else seg.secret.length = std::string_view::npos;
    }
    seg.line.append(text);
}

void command_builder::add_literal(std::string_view data, bool secret) {
    bool non_sync = lit_.non_synchronizing && data.size() <= lit_.non_sync_max;
    std::string header = "{" + std::to_string(data.size()) + (non_sync ? "+}" : "}");
    append(header, false);
    auto& seg = cmd_.segments.back();
    seg.has_literal = true;
    seg.literal.assign(data);
    seg.literal_sync = !non_sync;
    seg.literal_secret = secret;
    cmd_.segments.emplace_back();  // the rest of the command follows the octets
}

command_builder& command_builder::atom(std::string_view a, bool secret) {
    if (!valid_atom(a)) bad_ = true;
    else append(a, secret);
    return *this;
}

command_builder& command_builder::astring(std::string_view s, bool secret) {
    switch (astring_form(s)) {
    case string_form::atom: append(s, secret); break;
    case string_form::quoted: append(quote(s), secret); break;
    case string_form::literal: add_literal(s, secret); break;
    case string_form::invalid: bad_ = true; break;
    }
    return *this;
}

command_builder& command_builder::string(std::string_view s, bool secret) {
    switch (string_form_of(s)) {
    case string_form::atom:
    case string_form::quoted: append(quote(s), secret); break;
    case string_form::literal: add_literal(s, secret); break;
    case string_form::invalid: bad_ = true; break;
    }
    return *this;
}

command_builder& command_builder::raw(std::string_view text) {
    if (text.empty() || text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) bad_ = true;
    else append(text, false);
    return *this;
}

command_builder& command_builder::open_list() {
    append("(", false);
    glue_ = true;
    ++open_lists_;
    return *this;
}

command_builder& command_builder::close_list() {
    if (open_lists_ == 0) {
        bad_ = true;
        return *this;
    }
    --open_lists_;
    glue_ = false;
    cmd_.segments.back().line += ')';
    return *this;
}

std::optional<command> command_builder::finish(std::error_code& ec) {
    if (bad_ || open_lists_ != 0) {
        ec = make_error_code(errc::invalid_argument);
        return std::nullopt;
    }
    ec.clear();
    return cmd_;
}

// ---- tags ----------------------------------------------------------------------

tag_generator::tag_generator() {
    // getrandom(2), not std::random_device: that one probes the CPU for
    // RDRAND first, a trap to the hypervisor on a virtual machine, for
    // every process. The prefix only has to differ between sessions.
    unsigned char r[4] = {};
    if (::getrandom(r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r)) {
        const auto t = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        for (int i = 0; i < 4; ++i) r[i] = static_cast<unsigned char>(t >> (8 * i) ^ static_cast<unsigned>(::getpid()));
    }
    for (unsigned char b : r) prefix_ += static_cast<char>('A' + b % 26);
}

tag_generator::tag_generator(std::string prefix) : prefix_(std::move(prefix)) {}

std::string tag_generator::next() { return prefix_ + std::to_string(++counter_); }

} // namespace pigeon::imap
