// Small pieces shared by the native threads: a wake-up fd for poll/epoll loops and thread
// creation with all signals blocked (signals belong to Node's main thread).
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/eventfd.h>
#endif

namespace switchyard {

class Waker {
 public:
  // Returns 0 or an errno.
  int Open() {
#if defined(__linux__)
    read_fd_ = write_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return read_fd_ < 0 ? errno : 0;
#else
    int fds[2];
    if (pipe(fds) != 0) return errno;
    for (int fd : fds) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    return 0;
#endif
  }
  int fd() const { return read_fd_; }
  void Wake() const {
    uint64_t one = 1;
    ssize_t r;
#if defined(__linux__)
    do r = write(write_fd_, &one, sizeof(one)); while (r < 0 && errno == EINTR);
#else
    do r = write(write_fd_, &one, 1); while (r < 0 && errno == EINTR);
#endif
  }
  void Drain() const {
    uint64_t buf[8];
    while (read(read_fd_, buf, sizeof(buf)) > 0 || errno == EINTR) {
    }
  }
  void Close() {
    if (read_fd_ >= 0) close(read_fd_);
    if (write_fd_ >= 0 && write_fd_ != read_fd_) close(write_fd_);
    read_fd_ = write_fd_ = -1;
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// pthread_create with every signal blocked in the new thread, named `name` (at most 15
// characters, shown by top -H and /proc/<pid>/task/<tid>/comm). Returns 0 or an errno.
inline int StartThread(pthread_t* thread, void* (*fn)(void*), void* arg, const char* name) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(thread, nullptr, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
#if defined(__linux__)
  if (err == 0) pthread_setname_np(*thread, name);
#else
  (void)name;
#endif
  return err;
}

}  // namespace switchyard
