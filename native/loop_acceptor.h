// Listening sockets accepted on by a forwarder's own epoll thread (accept modes `shared` and
// `reuseport`): the thread that forwards a worker's connections also accepts them, so a new
// connection wakes one native thread instead of two (a separate acceptor thread, then the
// forwarder), and its fd reaches JS in the same hand-over as the forwarder's events. Measured
// on one pinned core: 122 -> 116 CPU-us per L4 connection (HAProxy: 103). The standalone
// acceptor thread (native/acceptor.cc) stays for accept mode `main` and without a forwarder.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "accept_util.h"

namespace switchyard {

// One listener, shared by the JS thread (limits, what JS has taken) and the loop thread.
struct ListenState {
  ListenState(int id, int fd) : lid(id), lfd(fd) {}
  const int lid;
  const int lfd;
  AcceptLimits limits;
  std::atomic<int> pending{0};     // fds handed towards JS and not yet taken by it
  std::atomic<bool> parked{false};  // the loop waits for JS to take some (kMaxPendingAccepts)
};

// Fds handed to JS and not yet taken, at most, per listener: a worker whose JS thread falls
// behind stops accepting, and the other workers take the new connections. JS wakes the loop
// when it takes a batch from a parked listener. Below it, accepting needs no word from JS.
constexpr int kMaxPendingAccepts = 32;

// An accepted fd (fd >= 0), or an accept failure (err; fatal: the listener is dropped).
struct Accepted {
  int lid;
  int fd;
  int err;
  bool fatal;
};

// Loop thread only.
class LoopAcceptors {
 public:
  // Watches s->lfd (edge-triggered) with `token`; 0 or an errno.
  int Add(int epfd, uint64_t token, std::shared_ptr<ListenState> s);
  // Stops watching (before JS may close the fd: a dup elsewhere would keep it registered).
  void Remove(int epfd, int lid);
  void RemoveAll(int epfd);
  void OnReadable(int lid);
  // Accepts what the limits allow on every listener that may have connections waiting.
  void Run(int epfd, int64_t now, std::vector<Accepted>* out);
  // When Run has work next: `now` (at once), a later time, or INT64_MAX.
  int64_t NextRun(int64_t now) const;

 private:
  struct Entry {
    std::shared_ptr<ListenState> s;
    bool ready = true;      // no EAGAIN since the last edge: connections may be waiting
    int64_t retryAt = 0;    // a backoff or a maxconn recheck: not before
    bool reported = false;  // one report per resource-shortage episode
  };
  bool Runnable(const Entry& e, int64_t now) const;
  // False when the listener failed for good (reported, to be removed).
  bool AcceptOn(Entry& e, int64_t now, std::vector<Accepted>* out);

  std::unordered_map<int, Entry> entries_;
};

}  // namespace switchyard
