#pragma once
// The header fields the fetch engine and the forwarding destination look at,
// found in a message's header block as it streams by (the first 64 KiB at
// most, lines cut at 4 KiB), without holding the message.
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace pigeon::cli {

/// Finds Message-ID, From, Subject and Return-Path in the header block as it streams by
/// (the first 64 KiB at most), without holding the message.
class header_sniffer {
public:
    void feed(std::string_view bytes) {
        if (done_) return;
        for (char ch : bytes) {
            if (ch == '\r') continue;
            if (ch == '\n') {
                if (line_.empty()) {
                    end_field();
                    done_ = true;
                    return;
                }
                if (line_[0] == ' ' || line_[0] == '\t') {
                    field_ += line_;
                } else {
                    end_field();
                    field_ = line_;
                }
                line_.clear();
                continue;
            }
            if (line_.size() < 4096) line_.push_back(ch);
            if (++seen_ > 64 * 1024) {
                done_ = true;
                return;
            }
        }
    }
    void finish() {
        if (!done_ && !line_.empty()) {
            if (line_[0] == ' ' || line_[0] == '\t') field_ += line_;
            else {
                end_field();
                field_ = line_;
            }
        }
        end_field();
        done_ = true;
    }
    std::string message_id, from, subject, return_path;

private:
    void end_field() {
        if (field_.empty()) return;
        auto colon = field_.find(':');
        if (colon != std::string::npos) {
            std::string name = field_.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = field_.substr(colon + 1);
            auto b = value.find_first_not_of(" \t");
            auto e = value.find_last_not_of(" \t");
            value = b == std::string::npos ? std::string() : value.substr(b, e - b + 1);
            if (name == "message-id" && message_id.empty()) message_id = value.substr(0, 998);
            else if (name == "from" && from.empty()) from = value.substr(0, 998);
            else if (name == "subject" && subject.empty()) subject = value.substr(0, 998);
            else if (name == "return-path" && return_path.empty()) return_path = value.substr(0, 998);
        }
        field_.clear();
    }
    std::string line_, field_;
    std::size_t seen_ = 0;
    bool done_ = false;
};

} // namespace pigeon::cli
