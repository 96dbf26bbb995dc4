// VMime: vmime::message::parse of a std::string holding the message (copied
// from the batch buffer inside the timed region: a memcpy, well under 1% of
// VMime's time; parsing a range of the larger batch string instead makes
// VMime search past the range's end, several times slower), or for large
// messages from a seekable file stream (bodies then stay in the file as
// stream regions). Every leaf is decoded with contentHandler::extract into a
// counting output stream; VMime keeps message/rfc822 parts as leaves, so
// their content is extracted and parsed as a message of its own (what a VMime
// user does to read a forwarded message). The subject is converted to UTF-8
// with text::getConvertedText.
#include "bench_common.hpp"

#include <vmime/platforms/posix/posixHandler.hpp>
#include <vmime/vmime.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace parse_bench {
namespace {

void init() { vmime::platform::setHandler<vmime::platforms::posix::posixHandler>(); }

// Positioned reads over a file descriptor: a seekable stream, so VMime can
// leave bodies in the file.
class fd_stream final : public vmime::utility::seekableInputStream {
public:
    fd_stream(int fd, std::size_t size) : fd_(fd), size_(size) {}
    ~fd_stream() override { ::close(fd_); }
    bool eof() const override { return pos_ >= size_; }
    void reset() override { pos_ = 0; }
    std::size_t read(vmime::byte_t* const data, const std::size_t count) override {
        const std::size_t want = std::min(count, size_ - std::min(pos_, size_));
        std::size_t got = 0;
        while (got < want) {
            const ssize_t n = ::pread(fd_, data + got, want - got, static_cast<off_t>(pos_ + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        pos_ += got;
        return got;
    }
    std::size_t skip(const std::size_t count) override {
        const std::size_t n = std::min(count, size_ - std::min(pos_, size_));
        pos_ += n;
        return n;
    }
    std::size_t getPosition() const override { return pos_; }
    void seek(const std::size_t pos) override { pos_ = std::min(pos, size_); }

private:
    int fd_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

class counting_stream final : public vmime::utility::outputStream {
public:
    std::uint64_t n = 0;
    void flush() override {}

protected:
    void writeImpl(const vmime::byte_t* const, const std::size_t count) override { n += count; }
};

void walk(const vmime::shared_ptr<const vmime::body>& body, visitor& v, int depth);

void walk_message(const vmime::shared_ptr<const vmime::message>& msg, visitor& v, int depth) {
    walk(msg->getBody(), v, depth);
}

void walk(const vmime::shared_ptr<const vmime::body>& body, visitor& v, int depth) {
    const std::size_t n = body->getPartCount();
    if (n > 0) {
        for (std::size_t i = 0; i < n; ++i) walk(body->getPartAt(i)->getBody(), v, depth);
        return;
    }
    const vmime::mediaType ct = body->getContentType();
    if (ct.getType() == "message" && ct.getSubType() == "rfc822" && depth < 50) {
        std::string raw;
        vmime::utility::outputStreamStringAdapter os(raw);
        body->getContents()->extract(os);
        auto inner = vmime::make_shared<vmime::message>();
        inner->parse(raw);
        walk_message(inner, v, depth + 1);
        return;
    }
    v.leaf_begin({}, std::nullopt);
    counting_stream os;
    body->getContents()->extract(os);
    v.leaf_data(nullptr, os.n);
    v.leaf_end();
}

void process(const message_input& in, visitor& v) {
    try {
        auto msg = vmime::make_shared<vmime::message>();
        if (in.in_memory) {
            const std::string copy(in.bytes);
            msg->parse(copy);
        } else {
            const int fd = ::open(in.path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                std::fprintf(stderr, "parse_bench(vmime): cannot open %s\n", in.path.c_str());
                return;
            }
            auto stream = vmime::make_shared<fd_stream>(fd, static_cast<std::size_t>(in.size));
            msg->parse(stream, static_cast<std::size_t>(in.size));
        }
        auto hdr = msg->getHeader();
        if (hdr->hasField(vmime::fields::SUBJECT)) {
            auto text = hdr->Subject()->getValue<vmime::text>();
            const std::string s = text->getConvertedText(vmime::charset(vmime::charsets::UTF_8));
            v.subject(s);
        } else {
            v.subject(std::nullopt);
        }
        walk_message(msg, v, 0);
    } catch (const vmime::exception& e) {
        std::fprintf(stderr, "parse_bench(vmime): %s: %s\n", in.name.c_str(), e.what());
    }
}

const adapter the_adapter{"vmime", false, init, process};

} // namespace
} // namespace parse_bench

extern "C" __attribute__((visibility("default"))) const parse_bench::adapter* parse_bench_adapter() {
    return &parse_bench::the_adapter;
}
