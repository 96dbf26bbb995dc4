#pragma once
// Private to the composer: the plan a composed_message holds, and the stream
// that turns it into bytes.
#include "pigeon/mime/compose_options.hpp"
#include "pigeon/mime/encode_base64.hpp"
#include "pigeon/mime/encode_qp.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::mime::detail {

struct compose_segment {
    enum class kind { literal, memory, file };
    kind k = kind::literal;
    std::string text;                        // literal bytes
    std::shared_ptr<const std::string> data; // memory body
    std::string path;                        // file body
    std::string display_name;                // for error messages
    std::uint64_t file_size = 0;
    compose_encoding encoding = compose_encoding::seven_bit;
    qp_options qp;
    bool end_line = false; // body of a single-part message: end it with a line break
};

struct compose_plan {
    std::vector<compose_segment> segments;
    std::string headers;
    std::string message_id;
    std::string envelope_sender;
    std::vector<std::string> envelope_recipients;
    bool needs_8bitmime = false;
    bool needs_smtputf8 = false;
    std::size_t chunk_size = 64 * 1024;
};

// Produces the message as a series of views; each stays valid until the
// next call. Throws compose_error on attachment I/O problems.
class compose_stream {
public:
    explicit compose_stream(std::shared_ptr<const compose_plan> plan);
    ~compose_stream();
    compose_stream(const compose_stream&) = delete;
    compose_stream& operator=(const compose_stream&) = delete;

    /// The next piece (never empty); false at the end.
    bool next(std::string_view& piece);

private:
    bool body_step(const compose_segment& s, std::string_view& piece);
    void encode(const compose_segment& s, const char* in, std::size_t n, bool last);
    void note_output(std::string_view out) noexcept;
    void close_file() noexcept;

    std::shared_ptr<const compose_plan> plan_;
    std::size_t seg_ = 0;
    bool in_body_ = false;
    bool body_done_ = false;
    std::size_t pos_ = 0;        // memory body offset
    int fd_ = -1;
    std::uint64_t read_ = 0;     // file bytes read
    base64_encoder b64_{76};
    qp_encoder qp_{};
    std::string in_, out_;
    char last_[2] = {0, 0};      // the body's last two output bytes
    std::uint64_t body_out_ = 0; // body bytes output
};

} // namespace pigeon::mime::detail
