// CRAM-MD5 (RFC 2195): the answer to the server's challenge is
// "<username> <hex(HMAC-MD5(password, challenge))>", hex in lower case.
#include "detail/crypto.hpp"
#include "detail/mechanisms.hpp"
#include "pigeon/sasl/error.hpp"
#include "pigeon/sasl/saslprep.hpp"

namespace pigeon::sasl::detail {
namespace {

class cram_md5_mechanism final : public mechanism {
public:
    explicit cram_md5_mechanism(const credentials& c) : creds_(c) {}
    ~cram_md5_mechanism() override { wipe_secrets(creds_); }
    cram_md5_mechanism(const cram_md5_mechanism&) = delete;
    cram_md5_mechanism& operator=(const cram_md5_mechanism&) = delete;

    std::string_view name() const noexcept override { return "CRAM-MD5"; }

    std::optional<std::string> initial_response(std::error_code& ec) override {
        ec.clear();
        return std::nullopt;  // server speaks first
    }

    std::string respond(std::string_view challenge, std::error_code& ec) override {
        ec.clear();
        if (answered_ || challenge.empty()) {
            ec = errc::bad_challenge;
            return {};
        }
        if (creds_.username.empty() || creds_.password.empty()) {
            ec = errc::missing_credentials;
            return {};
        }
        // The key is the SASLprep'd password. RFC 2195 predates SASLprep; its
        // revision drafts (draft-ietf-sasl-crammd5) prepare the password the
        // way SCRAM does, since the server keys the same HMAC with what it
        // stored. For printable ASCII, SASLprep changes nothing.
        std::string key = saslprep(creds_.password, ec);
        if (ec) return {};
        const std::string mac = hmac(digest::md5, key, challenge);
        wipe(key);
        if (mac.empty()) {
            ec = errc::bad_challenge;
            return {};
        }
        answered_ = true;
        return creds_.username + ' ' + hex_lower(mac);
    }

    bool exposes_secret() const noexcept override { return false; }

private:
    credentials creds_;
    bool answered_ = false;
};

} // namespace

std::unique_ptr<mechanism> make_cram_md5(const credentials& creds) {
    return std::make_unique<cram_md5_mechanism>(creds);
}

} // namespace pigeon::sasl::detail
