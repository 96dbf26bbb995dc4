#pragma once
// An spdlog sink that forwards records to an alert_mailer (alert_mailer.hpp):
// header-only, so that only programs that use spdlog need it; libpigeon
// itself never includes spdlog.
//
//   auto mail = std::make_shared<outbox::alert_mailer>(opts);
//   auto sink = std::make_shared<outbox::alert_sink_mt>(mail);
//   auto log = std::make_shared<spdlog::logger>("billing", sink);
//   log->error("payment gateway down: {}", why);  // never waits on the network
//
// The subject key of a record is its logger's name ("-" for none), the text
// its message; levels map one to one (spdlog's warn is warning). The sink's
// level starts at the mailer's threshold. flush() does nothing: records are
// mailed on the mailer's schedule (alert_mailer::flush_now to hurry it).
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include <spdlog/details/log_msg.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include "pigeon/outbox/alert_mailer.hpp"

namespace pigeon::outbox {

/// spdlog's level as an alert level (off: critical).
constexpr alert_level alert_level_of(spdlog::level::level_enum l) noexcept {
    switch (l) {
    case spdlog::level::trace: return alert_level::trace;
    case spdlog::level::debug: return alert_level::debug;
    case spdlog::level::info: return alert_level::info;
    case spdlog::level::warn: return alert_level::warning;
    case spdlog::level::err: return alert_level::error;
    default: return alert_level::critical;
    }
}

/// The alert level as spdlog's.
constexpr spdlog::level::level_enum spdlog_level_of(alert_level l) noexcept {
    switch (l) {
    case alert_level::trace: return spdlog::level::trace;
    case alert_level::debug: return spdlog::level::debug;
    case alert_level::info: return spdlog::level::info;
    case alert_level::warning: return spdlog::level::warn;
    case alert_level::error: return spdlog::level::err;
    case alert_level::critical: return spdlog::level::critical;
    }
    return spdlog::level::critical;
}

template <typename Mutex>
class alert_sink final : public spdlog::sinks::base_sink<Mutex> {
public:
    explicit alert_sink(std::shared_ptr<alert_mailer> mailer) : mailer_(std::move(mailer)) {
        this->set_level(spdlog_level_of(mailer_->threshold()));
    }
    const std::shared_ptr<alert_mailer>& mailer() const noexcept { return mailer_; }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const std::string_view key(msg.logger_name.data(), msg.logger_name.size());
        const std::string_view text(msg.payload.data(), msg.payload.size());
        (void)mailer_->post(alert_level_of(msg.level), key.empty() ? std::string_view("-") : key, text, msg.time);
    }
    void flush_() override {}

private:
    std::shared_ptr<alert_mailer> mailer_;
};

using alert_sink_mt = alert_sink<std::mutex>;
using alert_sink_st = alert_sink<spdlog::details::null_mutex>;

} // namespace pigeon::outbox
