// Deadlines of the prober's scheduled probes (prober.cc): the next start of each job and the
// timeout of each probe under way, earliest first, on one libuv timer.
//
// Entries are never removed in place. A job that is re-armed, disarmed or finished bumps its
// sequence number, and an entry whose number no longer matches is dropped when it reaches the
// top. A job re-arms at most once per check, so stale entries stay about as many as jobs.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace switchyard {

struct Deadline {
  double when;   // loop time (uv_now, ms)
  uint32_t job;  // the job's id
  uint32_t seq;  // the job's sequence number when this was pushed
  bool timeout;  // false: the probe starts; true: the probe under way times out
};

struct DeadlineLater {
  bool operator()(const Deadline& a, const Deadline& b) const { return a.when > b.when; }
};

using DeadlineHeap = std::priority_queue<Deadline, std::vector<Deadline>, DeadlineLater>;

}  // namespace switchyard
