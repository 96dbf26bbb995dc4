// SCRAM-SHA-1 / SCRAM-SHA-256 client (RFC 5802, RFC 7677), without channel
// binding (gs2 header "n,,").
//
//   client-first  n,[a=authzid],n=<saslname>,r=<cnonce>
//   server-first  r=<cnonce+snonce>,s=<salt b64>,i=<count>[,ext...]
//   client-final  c=<b64 gs2 header>,r=<nonce>,p=<b64 ClientProof>
//   server-final  v=<b64 ServerSignature> | e=<server-error>
//
// The server-final may arrive as a challenge (answered with an empty
// response) or as data with the success reply (on_success_data). Until the
// signature has been verified, server_verified() is false and the exchange
// refuses success: a server that skips the proof gets nothing.
#include <cstdint>
#include <vector>

#include "detail/crypto.hpp"
#include "detail/mechanisms.hpp"
#include "pigeon/sasl/error.hpp"
#include "pigeon/sasl/saslprep.hpp"
#include "pigeon/sasl/scram.hpp"

namespace pigeon::sasl {
namespace {

using detail::digest;

struct attribute {
    char key = 0;
    std::string_view value;
};

/// Splits "k=v,k=v,..." into attributes. False unless every part is a
/// letter, '=' and a value (possibly empty).
bool split_attributes(std::string_view msg, std::vector<attribute>& out) {
    out.clear();
    if (msg.empty()) return false;
    for (;;) {
        const std::size_t comma = msg.find(',');
        const std::string_view part = msg.substr(0, comma);
        if (part.size() < 2 || part[1] != '=') return false;
        const char k = part[0];
        if (!((k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z'))) return false;
        out.push_back({k, part.substr(2)});
        if (comma == std::string_view::npos) return true;
        msg.remove_prefix(comma + 1);
    }
}

/// printable = %x21-2B / %x2D-7E (RFC 5802): the nonce alphabet.
bool printable_nonce(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (const char c : s)
        if (c < 0x21 || c > 0x7E || c == ',') return false;
    return true;
}

enum class count_result { ok, malformed, out_of_range };

/// The decimal iteration count, checked against [min, max] before any work.
count_result parse_iterations(std::string_view s, const mechanism_limits& limits, unsigned& out) noexcept {
    if (s.empty()) return count_result::malformed;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return count_result::malformed;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (v > limits.scram_max_iterations) return count_result::out_of_range;  // also stops overflow
    }
    if (v == 0 || v < limits.scram_min_iterations) return count_result::out_of_range;
    out = static_cast<unsigned>(v);
    return count_result::ok;
}

std::string xor_bytes(std::string_view a, std::string_view b) {
    std::string out(a.size(), '\0');
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        out[i] = static_cast<char>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
    return out;
}

class scram_mechanism final : public mechanism {
public:
    scram_mechanism(scram_hash h, const credentials& c, const mechanism_limits& l, const scram_options& o)
        : digest_(h == scram_hash::sha1 ? digest::sha1 : digest::sha256),
          name_(h == scram_hash::sha1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256"),
          creds_(c),
          limits_(l),
          fixed_nonce_(o.client_nonce) {}
    ~scram_mechanism() override {
        detail::wipe_secrets(creds_);
        detail::wipe(prepared_);
        detail::wipe(server_signature_);
    }
    scram_mechanism(const scram_mechanism&) = delete;
    scram_mechanism& operator=(const scram_mechanism&) = delete;

    std::string_view name() const noexcept override { return name_; }
    bool exposes_secret() const noexcept override { return false; }
    bool server_verified() const noexcept override { return verified_; }

    std::optional<std::string> initial_response(std::error_code& ec) override {
        ec.clear();
        if (state_ != state::start) {
            fail(ec, errc::bad_challenge);
            return std::nullopt;
        }
        if (creds_.username.empty() || creds_.password.empty()) {
            fail(ec, errc::missing_credentials);
            return std::nullopt;
        }
        if (detail::contains(creds_.username, '\0') || detail::contains(creds_.authzid, '\0')) {
            fail(ec, errc::invalid_credentials);
            return std::nullopt;
        }

        // RFC 5802 section 5.1: Normalize(password) is SASLprep. The username
        // is sent as given (RFC 5802 says SHOULD prepare): servers look it up
        // as stored, and preparing could turn it into a different account name.
        prepared_ = saslprep(creds_.password, ec);
        if (ec) {
            fail(ec, errc::saslprep_failed);
            return std::nullopt;
        }
        if (prepared_.empty()) {
            fail(ec, errc::saslprep_failed);
            return std::nullopt;
        }

        if (!fixed_nonce_.empty()) {
            if (!printable_nonce(fixed_nonce_)) {
                fail(ec, errc::invalid_credentials);
                return std::nullopt;
            }
            client_nonce_ = fixed_nonce_;
        } else {
            std::string raw;
            if (!detail::random_bytes(18, raw)) {
                fail(ec, errc::bad_challenge);
                return std::nullopt;
            }
            client_nonce_ = detail::base64_encode(raw);  // 24 printable characters, no ','
        }

        gs2_header_ = "n,";
        if (!creds_.authzid.empty()) gs2_header_ += "a=" + detail::gs2_saslname(creds_.authzid);
        gs2_header_ += ',';
        client_first_bare_ = "n=" + detail::gs2_saslname(creds_.username) + ",r=" + client_nonce_;
        state_ = state::wait_server_first;
        return gs2_header_ + client_first_bare_;
    }

    std::string respond(std::string_view challenge, std::error_code& ec) override {
        ec.clear();
        switch (state_) {
        case state::wait_server_first: return on_server_first(challenge, ec);
        case state::wait_server_final:
            if (check_server_final(challenge, ec)) {
                state_ = state::done;
                verified_ = true;
            }
            return {};  // the empty response that lets the server finish
        case state::start:
        case state::done:
        case state::failed: break;
        }
        fail(ec, errc::bad_challenge);
        return {};
    }

    void on_success_data(std::string_view data, std::error_code& ec) override {
        ec.clear();
        switch (state_) {
        case state::wait_server_final:
            if (check_server_final(data, ec)) {
                state_ = state::done;
                verified_ = true;
            }
            return;
        case state::done:
            // Already verified as a challenge; a repeat must still be right.
            check_server_final(data, ec);
            return;
        case state::start:
        case state::wait_server_first:
        case state::failed: break;
        }
        // Success before the server could have proved anything.
        fail(ec, errc::bad_server_signature);
    }

private:
    enum class state { start, wait_server_first, wait_server_final, done, failed };

    void fail(std::error_code& ec, errc e) {
        ec = e;
        state_ = state::failed;
        verified_ = false;
        detail::wipe(prepared_);
    }

    std::string on_server_first(std::string_view msg, std::error_code& ec) {
        std::vector<attribute> attrs;
        if (!split_attributes(msg, attrs)) {
            fail(ec, errc::bad_challenge);
            return std::string();
        }
        if (attrs[0].key == 'e') {  // server-error
            fail(ec, errc::rejected);
            return std::string();
        }
        // 'm' is a mandatory extension this client does not know: must fail.
        if (attrs.size() < 3 || attrs[0].key != 'r' || attrs[1].key != 's' || attrs[2].key != 'i') {
            fail(ec, errc::bad_challenge);
            return std::string();
        }

        const std::string_view nonce = attrs[0].value;
        if (!printable_nonce(nonce) || nonce.size() <= client_nonce_.size() ||
            nonce.substr(0, client_nonce_.size()) != client_nonce_) {
            fail(ec, errc::bad_server_nonce);
            return std::string();
        }

        unsigned iterations = 0;
        switch (parse_iterations(attrs[2].value, limits_, iterations)) {
        case count_result::ok: break;
        case count_result::malformed: fail(ec, errc::bad_challenge); return std::string();
        case count_result::out_of_range: fail(ec, errc::iteration_count); return std::string();
        }

        const std::optional<std::string> salt = detail::base64_decode(attrs[1].value);
        if (!salt || salt->empty()) {
            fail(ec, errc::bad_challenge);
            return std::string();
        }

        std::string salted;
        if (!detail::pbkdf2(digest_, prepared_, *salt, iterations, salted)) {
            fail(ec, errc::iteration_count);
            return std::string();
        }
        detail::wipe(prepared_);

        const std::string without_proof =
            "c=" + detail::base64_encode(gs2_header_) + ",r=" + std::string(nonce);
        std::string auth_message = client_first_bare_;
        auth_message += ',';
        auth_message += msg;
        auth_message += ',';
        auth_message += without_proof;

        std::string client_key = detail::hmac(digest_, salted, "Client Key");
        std::string stored_key = detail::hash(digest_, client_key);
        std::string client_signature = detail::hmac(digest_, stored_key, auth_message);
        std::string server_key = detail::hmac(digest_, salted, "Server Key");
        server_signature_ = detail::hmac(digest_, server_key, auth_message);
        std::string proof = xor_bytes(client_key, client_signature);
        const bool ok = !client_key.empty() && !stored_key.empty() && !client_signature.empty() &&
                        !server_key.empty() && !server_signature_.empty();
        detail::wipe(salted);
        detail::wipe(client_key);
        detail::wipe(stored_key);
        detail::wipe(client_signature);
        detail::wipe(server_key);
        if (!ok) {
            detail::wipe(proof);
            fail(ec, errc::bad_challenge);
            return std::string();
        }
        std::string out = without_proof + ",p=" + detail::base64_encode(proof);
        detail::wipe(proof);
        state_ = state::wait_server_final;
        return out;
    }

    /// Verifies "v=<ServerSignature>"; "e=..." is the server's refusal.
    bool check_server_final(std::string_view msg, std::error_code& ec) {
        std::vector<attribute> attrs;
        if (!split_attributes(msg, attrs)) {
            fail(ec, errc::bad_server_signature);
            return false;
        }
        if (attrs[0].key == 'e') {
            fail(ec, errc::rejected);
            return false;
        }
        if (attrs[0].key != 'v') {
            fail(ec, errc::bad_server_signature);
            return false;
        }
        const std::optional<std::string> sig = detail::base64_decode(attrs[0].value);
        if (!sig || !detail::equal_constant_time(*sig, server_signature_)) {
            fail(ec, errc::bad_server_signature);
            return false;
        }
        return true;
    }

    digest digest_;
    std::string_view name_;
    credentials creds_;
    mechanism_limits limits_;
    std::string fixed_nonce_;
    state state_ = state::start;
    bool verified_ = false;
    std::string prepared_;  ///< SASLprep'd password, wiped once used
    std::string client_nonce_;
    std::string gs2_header_;
    std::string client_first_bare_;
    std::string server_signature_;
};

} // namespace

std::unique_ptr<mechanism> make_scram(scram_hash hash, const credentials& creds, const mechanism_limits& limits,
                                      const scram_options& opts) {
    return std::make_unique<scram_mechanism>(hash, creds, limits, opts);
}

} // namespace pigeon::sasl
