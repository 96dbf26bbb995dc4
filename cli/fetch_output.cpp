#include "fetch_output.hpp"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "common.hpp"

namespace pigeon::cli {

std::string human_bytes(std::uint64_t n) {
    char buf[32];
    if (n < 1000) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    else if (n < 1000 * 1000) std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(n) / 1e3);
    else if (n < 1000ull * 1000 * 1000) std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
    else std::snprintf(buf, sizeof buf, "%.2f GB", static_cast<double>(n) / 1e9);
    return buf;
}

int worst_exit(int a, int b) {
    if (a == 0) return b;
    if (b == 0) return a;
    if (a == exit_tempfail) return b;
    return a;
}

nlohmann::json delivered_json(const delivered_message& m) {
    nlohmann::json j;
    j["account"] = m.account;
    if (!m.uidl.empty() && !m.folder.empty()) {
        // News (news_fetch.hpp): the group and the article number.
        j["group"] = m.folder;
        j["number"] = std::stoull(m.uidl);
    } else if (m.uidl.empty()) {
        j["folder"] = m.folder;
        j["uidvalidity"] = m.uidvalidity;
        j["uid"] = m.uid;
    } else {
        j["uidl"] = m.uidl;
    }
    j["message_id"] = m.message_id;
    j["size"] = m.size;
    j["destination"] = m.destination;
    j["location"] = m.location;
    return j;
}

fetch_printer::fetch_printer(output_mode mode, std::string what, std::string command)
    : mode_(mode), what_(std::move(what)), command_(std::move(command)), t0_(std::chrono::steady_clock::now()) {
    if (mode_ == output_mode::live) {
        painter_ = std::thread([this] {
            std::unique_lock<std::mutex> l(m_);
            while (!stop_) {
                draw_locked();
                cv_.wait_for(l, std::chrono::milliseconds(200));
            }
        });
    }
}

fetch_printer::~fetch_printer() {
    {
        std::lock_guard<std::mutex> g(m_);
        stop_ = true;
    }
    cv_.notify_all();
    if (painter_.joinable()) painter_.join();
}

void fetch_printer::out_line(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void fetch_printer::delivered(const fetch_job& j, const delivered_message& m) {
    if (mode_ == output_mode::json) {
        std::lock_guard<std::mutex> g(m_);
        out_line(delivered_json(m).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    if (on_delivered) on_delivered(j, m);
}

std::string fetch_printer::count_of(std::uint64_t n) const {
    std::string w = what_;
    if (n == 1 && !w.empty() && w.back() == 's') w.pop_back();
    return std::to_string(n) + " " + w;
}

void fetch_printer::progress(const fetch_job& j, std::uint64_t messages, std::uint64_t bytes,
                             std::uint64_t total_messages, std::uint64_t total_bytes) {
    if (mode_ != output_mode::live) return;
    std::lock_guard<std::mutex> g(m_);
    auto& l = lines_[&j];
    l.messages = messages;
    l.bytes = bytes;
    l.total_messages = total_messages;
    l.total_bytes = total_bytes;
}

void fetch_printer::note(const fetch_job& j, const std::string& text) {
    if (mode_ == output_mode::quiet) return;
    std::lock_guard<std::mutex> g(m_);
    clear_locked();
    error_line(printable(j.label) + ": " + text);
}

void fetch_printer::started(const fetch_job& j) {
    std::lock_guard<std::mutex> g(m_);
    auto& l = lines_[&j];
    l.label = j.label;
    l.start = std::chrono::steady_clock::now();
    order_.push_back(&j);
}

void fetch_printer::finished(const fetch_job& j, const job_result& r) {
    std::lock_guard<std::mutex> g(m_);
    lines_[&j].done = true;
    if (r.exit_code != 0 && mode_ == output_mode::live) {
        clear_locked();
        error_line(printable(j.label) + ": " + printable(r.error));
    }
}

void fetch_printer::clear_locked() {
    if (mode_ != output_mode::live || drawn_ == 0) return;
    std::string s;
    for (std::size_t i = 0; i < drawn_; ++i) s += "\x1b[1A\r\x1b[2K";
    std::fwrite(s.data(), 1, s.size(), stderr);
    std::fflush(stderr);
    drawn_ = 0;
}

void fetch_printer::draw_locked() {
    clear_locked();
    // Every line fits the terminal's width (a wrapped line would make the
    // next clear miss it) and the block its height (a line scrolled off
    // cannot be cleared): jobs beyond that are counted on one line.
    const terminal_size term = terminal_size_of(2);
    const std::size_t width = term.columns > 1 ? term.columns - 1 : 1;
    const std::size_t max_jobs = term.rows > 3 ? term.rows - 3 : 0;
    std::string s;
    std::uint64_t msgs = 0, bytes = 0;
    std::size_t lines = 0, running = 0, hidden = 0;
    auto now = std::chrono::steady_clock::now();
    for (const auto* j : order_) {
        const auto& l = lines_[j];
        msgs += l.messages;
        bytes += l.bytes;
        if (l.done) continue;
        if (running++ >= max_jobs) {
            ++hidden;
            continue;
        }
        double secs = std::chrono::duration<double>(now - l.start).count();
        double rate = secs > 0.2 ? static_cast<double>(l.bytes) / secs : 0;
        // The figures stay whole; the label gives way.
        const std::string figures = "  " + std::to_string(l.messages) + "/" + std::to_string(l.total_messages) +
                                    " " + what_ + "  " + human_bytes(l.bytes) + "/" + human_bytes(l.total_bytes) + "  " +
                                    human_bytes(static_cast<std::uint64_t>(rate)) + "/s";
        const std::size_t room = width > figures.size() + 2 + 12 ? width - figures.size() - 2 : 12;
        s += fit_columns("  " + fit_columns(printable(l.label), room) + figures, width) + "\n";
        ++lines;
    }
    if (hidden) {
        s += fit_columns("  ... and " + std::to_string(hidden) + " more", width) + "\n";
        ++lines;
    }
    double secs = std::chrono::duration<double>(now - t0_).count();
    s += fit_columns(command_ + ": " + count_of(msgs) + ", " + human_bytes(bytes) + ", " +
                         human_bytes(secs > 0.2 ? static_cast<std::uint64_t>(static_cast<double>(bytes) / secs) : 0) +
                         "/s",
                     width) +
         "\n";
    ++lines;
    std::fwrite(s.data(), 1, s.size(), stderr);
    std::fflush(stderr);
    drawn_ = lines;
}

int fetch_printer::summarize(const std::vector<fetch_job>& jobs, const std::vector<job_result>& results,
                             bool stopped) {
    {
        std::lock_guard<std::mutex> g(m_);
        stop_ = true;
        clear_locked();
    }
    cv_.notify_all();
    if (painter_.joinable()) painter_.join();

    struct account_sum {
        std::string name, destination;
        std::vector<std::string> folders;
        job_result total;
        std::vector<std::string> errors;
        int code = 0;
    };
    std::vector<account_sum> sums;
    int code = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const auto& j = jobs[i];
        const auto& r = results[i];
        account_sum* s = nullptr;
        for (auto& x : sums)
            if (x.name == j.account->name()) s = &x;
        if (!s) {
            sums.push_back({});
            s = &sums.back();
            s->name = j.account->name();
            s->destination = j.account->destination_spec();
        }
        for (const auto& f : r.folders) s->folders.push_back(f);
        s->total.delivered += r.delivered;
        s->total.bytes += r.bytes;
        s->total.skipped += r.skipped;
        s->total.deleted += r.deleted;
        s->total.rebaselined += r.rebaselined;
        if (r.exit_code) {
            s->errors.push_back((j.folder.empty() ? std::string() : j.folder + ": ") + r.error);
            s->code = worst_exit(s->code, r.exit_code);
        }
        code = worst_exit(code, r.exit_code);
    }
    for (const auto& s : sums) {
        // (The live display printed each failure as its job ended.)
        if (mode_ != output_mode::live)
            for (const auto& e : s.errors) error_line(printable(s.name) + ": " + printable(e));
        if (mode_ == output_mode::json) {
            nlohmann::json j;
            j["summary"] = true;
            j["account"] = s.name;
            j["folders"] = s.folders;
            j["delivered"] = s.total.delivered;
            j["bytes"] = s.total.bytes;
            j["skipped"] = s.total.skipped;
            j["deleted"] = s.total.deleted;
            j["rebaselined"] = s.total.rebaselined;
            j["destination"] = s.destination;
            j["exit_code"] = s.code;
            j["errors"] = s.errors;
            if (stopped) j["stopped"] = true;
            out_line(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        } else if (mode_ != output_mode::quiet) {
            std::string line = printable(s.name) + ": ";
            if (s.total.delivered == 0)
                line += s.code ? "nothing fetched" : what_ == "messages" ? std::string("no new mail") : "no new " + what_;
            else
                line += count_of(s.total.delivered) +
                        " (" + human_bytes(s.total.bytes) + ") into " + printable(s.destination);
            if (s.total.deleted) line += "; " + std::to_string(s.total.deleted) + " deleted on the server";
            if (s.total.skipped) line += "; " + std::to_string(s.total.skipped) + " left on the server";
            if (s.code) line += " [failed, exit " + std::to_string(s.code) + "]";
            if (stopped) line += " [stopped]";
            out_line(line);
        }
    }
    return code;
}

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int sig) {
    g_stop.store(true);
    // A second signal ends the process at once.
    std::signal(sig, SIG_DFL);
}

/// Counting semaphore per server (host:port).
class connection_limiter {
public:
    explicit connection_limiter(std::size_t max) : max_(max) {}
    void acquire(const std::string& server) {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return used_[server] < max_; });
        ++used_[server];
    }
    void release(const std::string& server) {
        {
            std::lock_guard<std::mutex> g(m_);
            --used_[server];
        }
        cv_.notify_all();
    }

private:
    std::size_t max_;
    std::mutex m_;
    std::condition_variable cv_;
    std::map<std::string, std::size_t> used_;
};

} // namespace

output_mode choose_output_mode(bool json, bool quiet, bool no_progress) {
    return json ? output_mode::json
           : quiet ? output_mode::quiet
           : (!no_progress && ::isatty(2)) ? output_mode::live
                                           : output_mode::summary;
}

const std::atomic<bool>& stop_on_signals() {
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);
    return g_stop;
}

std::vector<job_result> run_job_pool(const std::vector<fetch_job>& jobs, std::size_t workers,
                                     std::size_t max_connections, fetch_printer& printer,
                                     const std::atomic<bool>& stop) {
    connection_limiter limiter(max_connections);
    std::mutex qm;
    std::deque<std::size_t> queue;
    for (std::size_t i = 0; i < jobs.size(); ++i) queue.push_back(i);
    std::vector<job_result> results(jobs.size());

    auto worker = [&] {
        for (;;) {
            std::size_t i;
            {
                std::lock_guard<std::mutex> g(qm);
                if (queue.empty() || stop.load()) return;
                i = queue.front();
                queue.pop_front();
            }
            const fetch_job& j = jobs[i];
            std::string server = j.source.ep.host + ":" + std::to_string(j.source.ep.port);
            limiter.acquire(server);
            printer.started(j);
            results[i] = run_fetch_job(j, printer, stop);
            limiter.release(server);
            printer.finished(j, results[i]);
        }
    };
    std::size_t n = std::max<std::size_t>(1, std::min(workers, jobs.size()));
    if (n == 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        for (std::size_t k = 0; k < n; ++k) pool.emplace_back(worker);
        for (auto& t : pool) t.join();
    }
    return results;
}

} // namespace pigeon::cli
