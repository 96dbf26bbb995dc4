// The SCRAM-SHA-1 / SCRAM-SHA-256 client (RFC 5802, RFC 7677) fed an
// arbitrary server-first message and then an arbitrary server-final.
//
// Input: one flags byte, then the server-first, a '\n', the server-final
// (a server-first with a '\n' in it is out of reach; it is invalid anyway).
//   bit 0  SHA-1 (else SHA-256)
//   bit 1  server-final delivered with the success reply (on_success_data)
//          instead of as a challenge
//   bit 2  server-first prefixed with "r=<client nonce>" (reach the crypto)
//   bit 3  an authzid (gs2 header "n,a=admin,")
//   bit 4  server-final = the correct "v=<signature>" followed by the input's
//          server-final text (an honest server, plus whatever follows)
// Iterations are capped at 64 so that each run stays fast.
//
// Oracle: the harness recomputes the exchange with libcrypto directly. The
// client proof must be the right one; the server must be accepted when (and,
// for the canonical form, only when) it sends the right signature.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pigeon/sasl/scram.hpp"

namespace {

constexpr std::string_view client_nonce = "fyko+d2lbbFgONRv9qkxdawL";
constexpr std::string_view password = "pencil";
constexpr unsigned max_iterations = 64;

void check(bool c) {
    if (!c) std::abort();
}

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64_encode(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (in.size() - i == 1) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (in.size() - i == 2) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

/// Canonical base64 only: decode, re-encode, compare.
std::optional<std::string> b64_decode(std::string_view in) {
    if (in.size() % 4 != 0) return std::nullopt;
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    std::size_t pad = 0;
    for (char c : in) {
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad) return std::nullopt;
        const auto p = alphabet.find(c);
        if (p == std::string_view::npos) return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(p);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    if (pad > 2 || b64_encode(out) != in) return std::nullopt;
    return out;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view msg) {
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    check(HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
               msg.size(), buf, &len) != nullptr);
    return std::string(reinterpret_cast<char*>(buf), len);
}

std::string hash(const EVP_MD* md, std::string_view msg) {
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    check(EVP_Digest(msg.data(), msg.size(), buf, &len, md, nullptr) == 1);
    return std::string(reinterpret_cast<char*>(buf), len);
}

/// The value of the first attribute of msg if its key is k ("k=value,...").
std::optional<std::string_view> first_attr(std::string_view msg, char k) {
    if (msg.size() < 2 || msg[0] != k || msg[1] != '=') return std::nullopt;
    return msg.substr(2, msg.find(',') == std::string_view::npos ? std::string_view::npos : msg.find(',') - 2);
}

struct expected {
    std::string client_final;  ///< with proof
    std::string server_final;  ///< "v=<b64 ServerSignature>"
};

/// What an RFC 5802 client sends, computed without the library.
std::optional<expected> compute(const EVP_MD* md, std::string_view gs2, std::string_view first_bare,
                                std::string_view server_first) {
    // r=..., s=..., i=... in that order (attributes after them are extensions).
    std::string_view rest = server_first;
    std::string_view v[3];
    for (int n = 0; n < 3; ++n) {
        if (rest.size() < 2 || rest[0] != "rsi"[n] || rest[1] != '=') return std::nullopt;
        const auto comma = rest.find(',');
        v[n] = rest.substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
        if (comma == std::string_view::npos) {
            if (n < 2) return std::nullopt;
            rest = {};
        } else {
            rest.remove_prefix(comma + 1);
        }
    }
    const auto salt = b64_decode(v[1]);
    if (!salt) return std::nullopt;
    unsigned iterations = 0;
    if (v[2].empty()) return std::nullopt;
    for (char c : v[2]) {
        if (c < '0' || c > '9') return std::nullopt;
        iterations = iterations * 10 + static_cast<unsigned>(c - '0');
        if (iterations > max_iterations) return std::nullopt;
    }
    if (iterations == 0 || iterations > max_iterations) return std::nullopt;
    unsigned char salted[EVP_MAX_MD_SIZE];
    const int dlen = EVP_MD_get_size(md);
    check(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                            reinterpret_cast<const unsigned char*>(salt->data()), static_cast<int>(salt->size()),
                            static_cast<int>(iterations), md, dlen, salted) == 1);
    const std::string sp(reinterpret_cast<char*>(salted), static_cast<std::size_t>(dlen));
    const std::string without_proof = "c=" + b64_encode(gs2) + ",r=" + std::string(v[0]);
    const std::string auth = std::string(first_bare) + "," + std::string(server_first) + "," + without_proof;
    const std::string client_key = hmac(md, sp, "Client Key");
    const std::string client_sig = hmac(md, hash(md, client_key), auth);
    std::string proof = client_key;
    for (std::size_t i = 0; i < proof.size(); ++i) proof[i] = static_cast<char>(proof[i] ^ client_sig[i]);
    expected e;
    e.client_final = without_proof + ",p=" + b64_encode(proof);
    e.server_final = "v=" + b64_encode(hmac(md, hmac(md, sp, "Server Key"), auth));
    return e;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace sasl = pigeon::sasl;
    if (size == 0) return 0;
    const unsigned flags = data[0];
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    const bool sha1 = flags & 1;
    const bool as_success_data = flags & 2;
    const bool prefix_nonce = flags & 4;
    const bool authzid = flags & 8;
    const bool honest_final = flags & 16;

    const auto nl = in.find('\n');
    std::string server_first(prefix_nonce ? "r=" + std::string(client_nonce) : std::string());
    server_first += in.substr(0, nl);
    const bool has_final = nl != std::string_view::npos;
    std::string server_final(has_final ? in.substr(nl + 1) : std::string_view());

    sasl::credentials creds;
    creds.username = "user";
    creds.password = std::string(password);
    if (authzid) creds.authzid = "admin";
    sasl::mechanism_limits limits;
    limits.scram_max_iterations = max_iterations;
    sasl::scram_options opts;
    opts.client_nonce = std::string(client_nonce);
    auto mech = sasl::make_scram(sha1 ? sasl::scram_hash::sha1 : sasl::scram_hash::sha256, creds, limits, opts);
    check(mech != nullptr);

    std::error_code ec;
    const auto first = mech->initial_response(ec);
    check(!ec && first.has_value());
    const std::string gs2 = authzid ? "n,a=admin," : "n,,";
    const std::string first_bare = "n=user,r=" + std::string(client_nonce);
    check(*first == gs2 + first_bare);
    check(!mech->server_verified());

    const std::string client_final = mech->respond(server_first, ec);
    check(!mech->server_verified());
    const EVP_MD* md = sha1 ? EVP_sha1() : EVP_sha256();
    const auto want = compute(md, gs2, first_bare, server_first);
    if (ec) {
        check(client_final.empty());
        // A failed mechanism stays failed.
        std::error_code ec2;
        (void)mech->respond(want ? want->server_final : server_final, ec2);
        check(ec2 && !mech->server_verified());
        return 0;
    }
    // Accepted: the server nonce extends ours and the proof is the right one.
    const auto nonce = first_attr(server_first, 'r');
    check(nonce && nonce->size() > client_nonce.size() && nonce->substr(0, client_nonce.size()) == client_nonce);
    check(want.has_value() && client_final == want->client_final);

    if (honest_final) {
        server_final = want->server_final + server_final;
    } else if (!has_final) {
        return 0;
    }
    if (as_success_data) {
        mech->on_success_data(server_final, ec);
    } else {
        const std::string empty = mech->respond(server_final, ec);
        check(empty.empty());
    }
    check(mech->server_verified() == !ec);
    if (!ec) {
        // Accepted only with the right signature first (extensions may follow).
        check(server_final.compare(0, want->server_final.size(), want->server_final) == 0);
        check(server_final.size() == want->server_final.size() || server_final[want->server_final.size()] == ',');
        // A repeat of the same data with the success reply is still fine.
        mech->on_success_data(server_final, ec);
        check(!ec && mech->server_verified());
    } else {
        check(server_final != want->server_final);
    }
    return 0;
}
