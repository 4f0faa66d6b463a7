// What the two native accept loops share: the standalone acceptor thread (native/acceptor.cc,
// used where no forwarder runs: accept mode `main`, `nosplice`) and the forwarder's own loop
// (native/forwarder.cc, accept modes `shared` and `reuseport`): accept4 with its error classes
// and the connection limits read from the shared gauges before each accept.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <vector>

namespace switchyard {

constexpr int kMaxAcceptBatch = 256;  // accept4 calls per wake-up before handing a batch over
constexpr int kAcceptBackoffMs = 100;  // pause after EMFILE/ENFILE/ENOBUFS/ENOMEM instead of spinning
constexpr int kFullRecheckMs = 5;      // while a maxconn is reached: how often to look for room

// A connection limit checked before each accept, as HAProxy does: `cur` and `limit` index
// Int32 slots of the shared gauges (src/ipc/conn-gauges.ts); the limit slot holds the
// operator's value + 1 (0: the configured one applies).
struct Gate {
  int cur = -1;
  int limit = -1;
  int configured = 0;
};

// The frontend's, the process's and the listener's limits over the shared gauges. Set from the
// JS thread (the base is published last), read from the accept loop.
class AcceptLimits {
 public:
  void Set(int32_t* base, size_t length, Gate fe, Gate global, Gate listener) {
    length_ = length;
    gates_[0] = fe;
    gates_[1] = global;
    gates_[2] = listener;
    base_.store(base);
  }

  // How many more connections the limits allow now (INT32_MAX without limits).
  int Room() const {
    int32_t* base = base_.load();
    if (base == nullptr) return INT32_MAX;
    int room = INT32_MAX;
    for (const Gate& g : gates_) {
      if (g.cur < 0 || static_cast<size_t>(g.cur) >= length_ || static_cast<size_t>(g.limit) >= length_) continue;
      int32_t set = __atomic_load_n(base + g.limit, __ATOMIC_SEQ_CST);
      int limit = set > 0 ? set - 1 : g.configured;
      if (limit <= 0) continue;
      int cur = __atomic_load_n(base + g.cur, __ATOMIC_SEQ_CST);
      room = std::min(room, limit - cur);
    }
    return room;
  }

 private:
  std::atomic<int32_t*> base_{nullptr};
  size_t length_ = 0;
  Gate gates_[3];
};

inline void CloseFds(const std::vector<int>& fds) {
  for (int fd : fds) close(fd);
}

// accept4 errors that concern one pending connection, not the listener (accept(2): "Linux
// accept() passes already-pending network errors on the new socket as an error code").
inline bool PerConnectionError(int err) {
  switch (err) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case EPERM:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETDOWN:
    case ENETUNREACH:
#if defined(ENONET)
    case ENONET:
#endif
      return true;
    default:
      return false;
  }
}

inline bool ResourceError(int err) {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

inline int AcceptFd(int lfd) {
#if defined(__linux__) || defined(__FreeBSD__)
  return accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
  // No-op twin of accept4's flags: the same result in two more syscalls.
  int fd = accept(lfd, nullptr, nullptr);
  if (fd >= 0) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  return fd;
#endif
}

}  // namespace switchyard
