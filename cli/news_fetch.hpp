#pragma once
// The NNTP runner of the fetch engine (fetch_engine.hpp): copies the new
// articles of one group into the job's destination, exactly once, with
// pipelined ARTICLE commands. What is new: an article whose number is not
// recorded as delivered for the group (fetch_state key: folder = group,
// uidl = the number) and not marked read in the server's .newsrc; and when
// the group was renumbered (the numbers of recorded articles now carry other
// Message-IDs, or the high-water mark went below them), the Message-IDs of
// the overview decide: a Message-ID already delivered from the group is
// recorded under its new number, never fetched again.
#include <atomic>

#include "fetch_engine.hpp"

namespace pigeon::cli {

void run_nntp(const fetch_job& job, fetch_observer& obs, const std::atomic<bool>& stop, job_result& res);

} // namespace pigeon::cli
