// pigeon fetch [ACCOUNT|URL ...] --into DEST: copies new messages from IMAP
// folders and POP3 maildrops into a Maildir, an mbox or an MDA, exactly
// once (fetch_engine.hpp), with a pool of --jobs workers, at most
// --max-connections per server.
#include <atomic>

#include "command.hpp"
#include "common.hpp"
#include "fetch_output.hpp"
#include "fetch_setup.hpp"

namespace pigeon::cli {
namespace {

struct fetch_cmd {
    fetch_flags flags;
    std::size_t jobs = 1;
    bool json = false;
    bool quiet = false;
    bool no_progress = false;
};

int run_fetch(const fetch_cmd& cmd) {
    std::size_t max_conn = 4;
    std::vector<fetch_job> jobs = make_fetch_jobs(cmd.flags, max_conn);

    fetch_printer printer(choose_output_mode(cmd.json, cmd.quiet, cmd.no_progress));
    const std::atomic<bool>& stop = stop_on_signals();
    std::vector<job_result> results = run_job_pool(jobs, cmd.jobs, max_conn, printer, stop);
    return printer.summarize(jobs, results, stop.load());
}

const registrar reg{{"fetch", "Copy new mail from IMAP folders and POP3 maildrops into a Maildir, an mbox or an MDA",
                     [](CLI::App& sub) -> std::function<int()> {
                         auto c = std::make_shared<fetch_cmd>();
                         c->flags.add_to(sub, false);
                         sub.add_option("-j,--jobs", c->jobs, "Fetch N accounts or folders at once (default 1)")
                             ->check(CLI::Range(1, 64));
                         sub.add_flag("--json", c->json,
                                      "JSON Lines on standard output: one per delivered message, then a summary");
                         sub.add_flag("-q,--quiet", c->quiet, "Print nothing but errors");
                         sub.add_flag("--no-progress", c->no_progress, "No live progress display on a terminal");
                         return [c] {
                             try {
                                 return run_fetch(*c);
                             } catch (const std::exception& e) {
                                 return report_exception(e);
                             }
                         };
                     },
                     {},
                     true}};

} // namespace
} // namespace pigeon::cli
