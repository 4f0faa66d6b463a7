#include "loop_acceptor.h"

#if defined(__linux__)
#include <sys/epoll.h>
#endif

#include <climits>
#include <utility>

namespace switchyard {

#if defined(__linux__)

int LoopAcceptors::Add(int epfd, uint64_t token, std::shared_ptr<ListenState> s) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = token;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->lfd, &ev) != 0) return errno;
  int lid = s->lid;
  entries_[lid] = Entry{std::move(s)};  // ready: connections may be queued already
  return 0;
}

void LoopAcceptors::Remove(int epfd, int lid) {
  auto it = entries_.find(lid);
  if (it == entries_.end()) return;
  epoll_ctl(epfd, EPOLL_CTL_DEL, it->second.s->lfd, nullptr);
  entries_.erase(it);
}

void LoopAcceptors::RemoveAll(int epfd) {
  for (auto& entry : entries_) epoll_ctl(epfd, EPOLL_CTL_DEL, entry.second.s->lfd, nullptr);
  entries_.clear();
}

void LoopAcceptors::OnReadable(int lid) {
  auto it = entries_.find(lid);
  if (it != entries_.end()) it->second.ready = true;
}

bool LoopAcceptors::Runnable(const Entry& e, int64_t now) const {
  return e.ready && now >= e.retryAt && !e.s->parked.load();
}

void LoopAcceptors::Run(int epfd, int64_t now, std::vector<Accepted>* out) {
  std::vector<int> failed;
  for (auto& entry : entries_) {
    if (Runnable(entry.second, now) && !AcceptOn(entry.second, now, out)) failed.push_back(entry.first);
  }
  for (int lid : failed) Remove(epfd, lid);
}

int64_t LoopAcceptors::NextRun(int64_t now) const {
  int64_t next = INT64_MAX;
  for (const auto& entry : entries_) {
    const Entry& e = entry.second;
    if (!e.ready || e.s->parked.load()) continue;
    next = std::min(next, std::max(now, e.retryAt));
  }
  return next;
}

bool LoopAcceptors::AcceptOn(Entry& e, int64_t now, std::vector<Accepted>* out) {
  ListenState& s = *e.s;
  int pending = s.pending.load();
  if (pending >= kMaxPendingAccepts) {
    s.parked.store(true);
    if (s.pending.load() >= kMaxPendingAccepts) return true;  // JS wakes us when it takes some
    s.parked.store(false);  // taken meanwhile
    pending = s.pending.load();
  }
  // What is on its way to JS is not in the gauges yet: it counts against the room here.
  int room = std::min(s.limits.Room() - pending, std::min(kMaxAcceptBatch, kMaxPendingAccepts - pending));
  if (room <= 0) {
    e.retryAt = now + kFullRecheckMs;  // a maxconn is reached: no wake-up comes when it drops
    return true;
  }
  int taken = 0;
  bool ok = true;
  while (taken < room) {
    int fd = AcceptFd(s.lfd);
    if (fd >= 0) {
      out->push_back(Accepted{s.lid, fd, 0, false});
      taken++;
      e.reported = false;
      continue;
    }
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      e.ready = false;  // the next edge says when
      break;
    }
    if (PerConnectionError(err)) continue;
    if (ResourceError(err)) {
      e.retryAt = now + kAcceptBackoffMs;
      if (!e.reported) out->push_back(Accepted{s.lid, -1, err, false});
      e.reported = true;
      break;
    }
    out->push_back(Accepted{s.lid, -1, err, true});  // EINVAL (shut down), EBADF, ENOTSOCK...
    ok = false;
    break;
  }
  s.pending.fetch_add(taken);
  return ok;
}

#endif

}  // namespace switchyard
