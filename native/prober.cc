// TCP connect probes for health checks, on the calling thread's libuv loop (see prober.h).
#include "prober.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#endif

#include <uv.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "addon.h"
#include "args.h"
#include "deadline_heap.h"
#include "errors.h"
#include "sockaddr.h"

namespace switchyard {

#if defined(__linux__)

namespace {

// Sockets kept between probes, per address family: about the number of probes that overlap,
// which stays small (a probe lasts one round trip), so this bound is only a backstop.
constexpr size_t kMaxIdle = 1024;
constexpr int kBatch = 256;
constexpr size_t kReadChunk = 16384;

// busy[fd]: what the fd is doing.
constexpr uint8_t kIdle = 0;
constexpr uint8_t kProbing = 1;
constexpr uint8_t kConnecting = 2;  // a stream (open()) before its connect completed
constexpr uint8_t kOpen = 3;        // a connected stream
constexpr uint8_t kReadEnd = 4;     // its peer closed its side (EOF reported)
constexpr uint8_t kFailed = 5;      // an error was reported; waiting for close()
constexpr uint8_t kJobProbe = 6;    // a scheduled job's probe (see ProbeJob)

// Result kinds, as JS reads the triples [fd, kind, value].
constexpr int kProbeDone = 0;  // value: errno (0 connected)
constexpr int kConnected = 1;
constexpr int kError = 2;  // value: errno
constexpr int kData = 3;   // value: index into the chunks handed over as Buffers
constexpr int kEnd = 4;
constexpr int kJobDone = 5;     // [job, kind, errno (0 connected), duration ms]
constexpr int kJobTimeout = 6;  // [job, kind, 0, duration ms]

// Job ids are small integers JS picks (one per plain connect check); this bounds the table.
constexpr int64_t kMaxJobs = 1 << 22;

// A plain connect check the prober runs on its own schedule (arm()): no JS timer per check,
// and JS runs only when a result is in.
struct ProbeJob {
  enum State : uint8_t { kUnset, kIdle, kPending, kInFlight };
  SockAddr addr;
  State state = kUnset;
  uint32_t seq = 0;  // bumped by every arm: the heap's entries from before are stale
  int fd = -1;
  double started = 0;  // loop time the probe began
  double timeoutMs = 0;
};

}  // namespace

struct ProberCore {
  napi_env env = nullptr;
  napi_ref onResults = nullptr;
  napi_async_context async = nullptr;
  uv_poll_t poll{};
  uv_timer_t timer{};
  double timerDue = -1;  // when `timer` fires (loop time), -1 when stopped
  int openHandles = 0;   // the core is freed once libuv has closed both handles
  int epfd = -1;
  bool stopped = false;
  // By fd: what it is doing (kIdle...), and its address family (4 or 6).
  std::vector<uint8_t> busy;
  std::vector<uint8_t> family;
  // Sockets a finished probe or check left, disconnected, ready for the next (per family).
  std::vector<int> idle4, idle6;
  // This turn's results as triples, the bytes read by streams, and the probes' sockets to
  // recycle once JS has seen the results.
  std::vector<double> out;
  // Scheduled jobs by id, their deadlines, and the job of each kJobProbe fd.
  std::vector<ProbeJob> jobs;
  DeadlineHeap deadlines;
  std::vector<uint32_t> fdJob;
  std::vector<std::string> chunks;
  std::vector<int> recycle;
  // Stream bytes the kernel did not take yet (rare: check requests are small).
  std::unordered_map<int, std::string> unsent;
  double inFlight = 0, created = 0, reused = 0, streams = 0;

  int Start(napi_env e, napi_value fn) {
    env = e;
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return errno;
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return EINVAL;
    int rc = uv_poll_init(loop, &poll, epfd);
    if (rc != 0) return -rc;
    poll.data = this;
    openHandles++;
    uv_poll_start(&poll, UV_READABLE, OnPoll);
    uv_timer_init(loop, &timer);
    timer.data = this;
    openHandles++;
    // Checks run on unref'd timers: a prober alone must not keep the process alive.
    uv_unref(reinterpret_cast<uv_handle_t*>(&poll));
    uv_unref(reinterpret_cast<uv_handle_t*>(&timer));
    napi_create_reference(env, fn, 1, &onResults);
    napi_value name;
    napi_create_string_utf8(env, "switchyard.prober", NAPI_AUTO_LENGTH, &name);
    napi_value resource;
    napi_create_object(env, &resource);
    napi_async_init(env, resource, name, &async);
    napi_add_env_cleanup_hook(env, CleanupHook, this);
    return 0;
  }

  // A socket for the next probe or stream: one a previous one left (already in the epoll
  // set), or a new one. Every socket is registered alike, edge-triggered (a socket sitting
  // idle between checks reports nothing; a stream reads until EAGAIN at each report).
  int Take(int fam) {
    std::vector<int>& pool = fam == AF_INET6 ? idle6 : idle4;
    if (!pool.empty()) {
      int fd = pool.back();
      pool.pop_back();
      reused++;
      return fd;
    }
    int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      int err = errno;
      close(fd);
      return -err;
    }
    if (static_cast<size_t>(fd) >= busy.size()) {
      busy.resize(fd + 1024, 0);
      family.resize(fd + 1024, 0);
      fdJob.resize(fd + 1024, 0);
    }
    family[fd] = fam == AF_INET6 ? 6 : 4;
    created++;
    return fd;
  }

  // Keeps a socket whose connection got through for the next one: disconnecting (connect
  // AF_UNSPEC) resets the connection. false (the caller closes it) when it will not.
  bool Park(int fd) {
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    std::vector<int>& pool = family[fd] == 6 ? idle6 : idle4;
    if (pool.size() >= kMaxIdle || connect(fd, &unspec, sizeof unspec) != 0) return false;
    pool.push_back(fd);
    return true;
  }

  // Closes with a reset (SO_LINGER 0) if the connection got through.
  static void CloseReset(int fd) {
    linger lg{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
  }

  int Probe(const SockAddr& addr) {
    // The handshake's final ACK waits for data that never comes, so the server completes no
    // connection and accepts nothing; the reset below ends it.
    int fd = StartConnect(addr, true, kProbing);
    if (fd >= 0) inFlight++;
    return fd;
  }

  bool Abort(int fd) {
    if (fd < 0 || static_cast<size_t>(fd) >= busy.size() || busy[fd] != kProbing) return false;
    busy[fd] = kIdle;
    inFlight--;
    CloseReset(fd);  // mid-handshake
    return true;
  }

  // A stream for a check that sends and reads: connected, then bytes both ways until
  // CloseStream. `sendFirst`: the check writes at once, so the handshake's last ACK can ride
  // with its first bytes (TCP_QUICKACK off, as HAProxy does); a server that speaks first
  // gets its ACK at once.
  int Open(const SockAddr& addr, bool sendFirst) {
    int fd = StartConnect(addr, sendFirst, kConnecting);
    if (fd >= 0) streams++;
    return fd;
  }

  // A socket from the idle pool, connecting to `addr` (non-blocking), marked `state`; or
  // -errno. `delayAck`: TCP_QUICKACK off, set before every connect (a disconnect restores
  // quick ACKs), so the handshake's last ACK waits for the first bytes.
  int StartConnect(const SockAddr& addr, bool delayAck, uint8_t state) {
    int fd = Take(addr.family);
    if (fd < 0) return fd;
    if (delayAck) {
      int zero = 0;
      setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
    }
    if (connect(fd, addr.get(), addr.len) != 0 && errno != EINPROGRESS) {
      int err = errno;
      close(fd);
      return -err;
    }
    busy[fd] = state;
    return fd;
  }

  bool IsStream(int fd) const {
    return fd >= 0 && static_cast<size_t>(fd) < busy.size() && busy[fd] >= kConnecting && busy[fd] <= kFailed;
  }

  // 0, or -errno (-ENOTCONN before the connect completed). What the kernel does not take
  // now leaves when the socket is writable again.
  int Write(int fd, const char* data, size_t len) {
    if (!IsStream(fd) || busy[fd] == kConnecting || busy[fd] == kFailed) return -ENOTCONN;
    auto it = unsent.find(fd);
    if (it != unsent.end()) {
      it->second.append(data, len);
      return 0;
    }
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
      n = 0;
    }
    if (static_cast<size_t>(n) < len) unsent.emplace(fd, std::string(data + n, len - n));
    return 0;
  }

  void Flush(int fd) {
    auto it = unsent.find(fd);
    if (it == unsent.end()) return;
    std::string& rest = it->second;
    ssize_t n = send(fd, rest.data(), rest.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      Emit(fd, kError, errno);
      busy[fd] = kFailed;
      unsent.erase(it);
      return;
    }
    if (static_cast<size_t>(n) == rest.size()) unsent.erase(it);
    else rest.erase(0, n);
  }

  // `reset`: the peer gets a RST (HAProxy's default end of a check); else a FIN.
  bool CloseStream(int fd, bool reset) {
    if (!IsStream(fd)) return false;
    // A connection that got through is reset by parking its socket for the next check.
    bool through = busy[fd] == kOpen || busy[fd] == kReadEnd;
    busy[fd] = kIdle;
    unsent.erase(fd);
    streams--;
    if (!reset) close(fd);
    else if (!through || !Park(fd)) CloseReset(fd);
    return true;
  }

  void Emit(int fd, int kind, double value, double extra = 0) {
    out.push_back(fd);
    out.push_back(kind);
    out.push_back(value);
    out.push_back(extra);
  }

  // ---- Scheduled jobs -------------------------------------------------------------------

  // Registers job `id` (or changes its address, from its next probe on).
  void SetJob(uint32_t id, const SockAddr& addr) {
    if (id >= jobs.size()) jobs.resize(id + 1);
    ProbeJob& j = jobs[id];
    j.addr = addr;
    if (j.state == ProbeJob::kUnset) j.state = ProbeJob::kIdle;
  }

  bool HasJob(uint32_t id) const { return id < jobs.size() && jobs[id].state != ProbeJob::kUnset; }

  // The job's probe starts `delayMs` from now and times out `timeoutMs` after it starts. It
  // replaces a start still pending; a probe under way is aborted first (nothing reported).
  void Arm(uint32_t id, double delayMs, double timeoutMs) {
    ProbeJob& j = jobs[id];
    if (j.state == ProbeJob::kInFlight) AbortJob(j);
    j.seq++;
    j.state = ProbeJob::kPending;
    j.timeoutMs = timeoutMs;
    Push(uv_now(poll.loop) + delayMs, id, j.seq, false);
  }

  // Cancels a pending start; with `all`, also a probe under way (nothing is reported for
  // it). `forget`: the job is gone. Returns whether anything was cancelled.
  bool Disarm(uint32_t id, bool all, bool forget) {
    ProbeJob& j = jobs[id];
    bool cancelled = j.state == ProbeJob::kPending || (all && j.state == ProbeJob::kInFlight);
    if (j.state == ProbeJob::kInFlight && (all || forget)) AbortJob(j);
    if (j.state == ProbeJob::kPending) j.state = ProbeJob::kIdle;
    if (forget) j.state = ProbeJob::kUnset;
    return cancelled;
  }

  void AbortJob(ProbeJob& j) {
    busy[j.fd] = kIdle;
    inFlight--;
    CloseReset(j.fd);  // mid-handshake
    j.fd = -1;
    j.state = ProbeJob::kIdle;
  }

  void Push(double when, uint32_t id, uint32_t seq, bool timeout) {
    deadlines.push(Deadline{when, id, seq, timeout});
    if (timerDue < 0 || when < timerDue) Rearm();
  }

  // The timer follows the earliest live deadline (stale ones are dropped on the way).
  void Rearm() {
    while (!deadlines.empty() && !Live(deadlines.top())) deadlines.pop();
    if (deadlines.empty()) {
      if (timerDue >= 0) uv_timer_stop(&timer);
      timerDue = -1;
      return;
    }
    double when = deadlines.top().when;
    if (when == timerDue) return;
    double now = uv_now(poll.loop);
    timerDue = when;
    uv_timer_start(&timer, OnTimer, when > now ? static_cast<uint64_t>(when - now) : 0, 0);
  }

  bool Live(const Deadline& d) const {
    const ProbeJob& j = jobs[d.job];
    return j.seq == d.seq && j.state == (d.timeout ? ProbeJob::kInFlight : ProbeJob::kPending);
  }

  static void OnTimer(uv_timer_t* handle) { static_cast<ProberCore*>(handle->data)->Due(); }

  // Starts the probes whose time has come and times out the late ones; their failures (and
  // timeouts) go to JS now, their successes when the poll reports them.
  void Due() {
    timerDue = -1;
    if (stopped) return;
    out.clear();
    chunks.clear();
    double now = uv_now(poll.loop);
    while (!deadlines.empty() && deadlines.top().when <= now) {
      Deadline d = deadlines.top();
      deadlines.pop();
      if (!Live(d)) continue;
      ProbeJob& j = jobs[d.job];
      if (d.timeout) {
        double took = now - j.started;
        AbortJob(j);
        Emit(d.job, kJobTimeout, 0, took);
        continue;
      }
      int fd = StartConnect(j.addr, true, kJobProbe);
      if (fd < 0) {
        j.state = ProbeJob::kIdle;
        Emit(d.job, kJobDone, -fd, 0);
        continue;
      }
      inFlight++;
      fdJob[fd] = d.job;
      j.fd = fd;
      j.state = ProbeJob::kInFlight;
      j.started = now;
      Push(now + j.timeoutMs, d.job, j.seq, true);
    }
    if (!out.empty()) Deliver();
    if (!stopped) Rearm();
  }

  // Everything readable now (edge-triggered: until EAGAIN), then EOF or an error once.
  void ReadAll(int fd) {
    char buf[kReadChunk];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        chunks.emplace_back(buf, n);
        Emit(fd, kData, static_cast<double>(chunks.size() - 1));
        continue;
      }
      if (n == 0) {
        busy[fd] = kReadEnd;
        Emit(fd, kEnd, 0);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        busy[fd] = kFailed;
        Emit(fd, kError, errno);
      }
      return;
    }
  }

  void StreamEvent(int fd, uint32_t events) {
    if (busy[fd] == kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err == 0 && !(events & EPOLLOUT)) return;  // still connecting
      if (err != 0) {
        busy[fd] = kFailed;
        Emit(fd, kError, err);
        return;
      }
      busy[fd] = kOpen;
      Emit(fd, kConnected, 0);
    }
    if (busy[fd] == kFailed) return;
    if (events & EPOLLOUT) Flush(fd);
    if (busy[fd] == kOpen && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) ReadAll(fd);
  }

  // A finished probe's socket: parked if it connected, else closed.
  void Recycle(int fd, bool ok) {
    if (!ok || !Park(fd)) close(fd);
  }

  static void OnPoll(uv_poll_t* handle, int status, int events) {
    static_cast<ProberCore*>(handle->data)->Harvest();
  }

  void Harvest() {
    // Recycling a probe's socket (the disconnect) reports an event for it at once, which the
    // next pass drops as idle: made here, that pass saves the loop a turn for nothing. A
    // second pass that finds results delivers them too; its own recycling is left for later.
    for (int pass = 0; pass < 2 && !stopped; pass++) {
      if (!Collect()) return;
      Deliver();
      // Only now: a probe JS starts from the callback must not reuse an fd whose result is
      // still further down the same batch.
      for (int r : recycle) {
        if (stopped) close(r >= 0 ? r : -r - 1);
        else Recycle(r >= 0 ? r : -r - 1, r >= 0);
      }
    }
  }

  // Reads what the epoll set has now into `out` (and `recycle`); false when nothing to report.
  bool Collect() {
    epoll_event evs[kBatch];
    out.clear();
    chunks.clear();
    recycle.clear();
    for (;;) {
      int n = epoll_wait(epfd, evs, kBatch, 0);
      if (n <= 0) break;
      for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        if (static_cast<size_t>(fd) >= busy.size() || !busy[fd]) continue;
        if (busy[fd] != kProbing && busy[fd] != kJobProbe) {
          StreamEvent(fd, evs[i].events);
          continue;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err == 0) {
          if (!(evs[i].events & EPOLLOUT)) continue;  // still connecting
          if (evs[i].events & EPOLLHUP) err = ECONNRESET;
        }
        inFlight--;
        recycle.push_back(err == 0 ? fd : -fd - 1);
        if (busy[fd] == kJobProbe) {
          ProbeJob& j = jobs[fdJob[fd]];
          j.state = ProbeJob::kIdle;
          j.fd = -1;
          Emit(fdJob[fd], kJobDone, err, uv_now(poll.loop) - j.started);
        } else {
          Emit(fd, kProbeDone, err);
        }
        busy[fd] = kIdle;
      }
      if (n < kBatch) break;
    }
    return !out.empty();
  }

  void Deliver() {
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value arr, fn, recv, result;
    if (napi_create_array_with_length(env, out.size(), &arr) == napi_ok &&
        napi_get_reference_value(env, onResults, &fn) == napi_ok && fn != nullptr &&
        napi_get_global(env, &recv) == napi_ok) {  // make_callback wants an object
      for (size_t i = 0; i < out.size(); i++) {
        napi_value v;
        if (i % 4 == 2 && static_cast<int>(out[i - 1]) == kData) {
          const std::string& c = chunks[static_cast<size_t>(out[i])];
          napi_create_buffer_copy(env, c.size(), c.data(), nullptr, &v);
        } else {
          napi_create_double(env, out[i], &v);
        }
        napi_set_element(env, arr, static_cast<uint32_t>(i), v);
      }
      // make_callback, not call_function: it runs the tick and microtask queues afterwards,
      // as any libuv-driven callback in Node does.
      if (napi_make_callback(env, async, recv, fn, 1, &arr, &result) != napi_ok) {
        bool pending = false;
        napi_value exception;
        if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
            napi_get_and_clear_last_exception(env, &exception) == napi_ok) {
          napi_fatal_exception(env, exception);
        }
      }
    }
    napi_close_handle_scope(env, scope);
  }

  // Idempotent. Closes every socket; the core is freed once libuv has closed the poll handle.
  void Stop(bool fromHook) {
    if (stopped) return;
    stopped = true;
    uv_poll_stop(&poll);
    uv_timer_stop(&timer);
    jobs.clear();
    for (size_t fd = 0; fd < busy.size(); fd++) {
      if (busy[fd]) CloseReset(static_cast<int>(fd));
    }
    unsent.clear();
    for (int fd : idle4) close(fd);
    for (int fd : idle6) close(fd);
    idle4.clear();
    idle6.clear();
    if (!fromHook) napi_remove_env_cleanup_hook(env, CleanupHook, this);
    if (onResults != nullptr) napi_delete_reference(env, onResults);
    onResults = nullptr;
    if (async != nullptr) napi_async_destroy(env, async);
    async = nullptr;
    auto closed = [](uv_handle_t* h) {
      auto* core = static_cast<ProberCore*>(h->data);
      if (--core->openHandles > 0) return;
      if (core->epfd >= 0) close(core->epfd);
      delete core;
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&poll), closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), closed);
  }

  static void CleanupHook(void* arg) { static_cast<ProberCore*>(arg)->Stop(true); }
};

#else

struct ProberCore {};

#endif

Napi::Function Prober::Define(Napi::Env env) {
  return DefineClass(env, "Prober",
                     {InstanceMethod<&Prober::Probe>("probe"),
                      InstanceMethod<&Prober::Abort>("abort"),
                      InstanceMethod<&Prober::Open>("open"),
                      InstanceMethod<&Prober::Write>("write"),
                      InstanceMethod<&Prober::CloseStream>("closeStream"),
                      InstanceMethod<&Prober::SetJob>("setJob"),
                      InstanceMethod<&Prober::Arm>("arm"),
                      InstanceMethod<&Prober::Disarm>("disarm"),
                      InstanceMethod<&Prober::DropJob>("dropJob"),
                      InstanceMethod<&Prober::Stats>("stats"),
                      InstanceMethod<&Prober::Close>("close")});
}

Napi::Value Prober::Create(const Napi::CallbackInfo& info) {
  auto* addon = info.Env().GetInstanceData<SwitchyardAddon>();
  return addon->proberClass.New({info[0]});
}

Prober::Prober(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Prober>(info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  Napi::Function cb;
  if (!ArgFunction(info, 0, "onResults", &cb)) return;
  auto* core = new ProberCore();
  int err = core->Start(env, cb);
  if (err != 0) {
    // Nothing was handed to libuv unless uv_poll_init succeeded, which is the last step that
    // can fail before the hook; the only failures are before it.
    if (core->epfd >= 0) close(core->epfd);
    delete core;
    ThrowErrno(env, err, "createProber");
    return;
  }
  core_ = core;
#else
  ThrowErrno(env, ENOSYS, "createProber");
#endif
}

Prober::~Prober() {
#if defined(__linux__)
  if (core_ != nullptr) core_->Stop(false);
#endif
  core_ = nullptr;
}

#if defined(__linux__)
// info[at..at+2] = host, port, family: a numeric address, or false with a TypeError pending.
static bool ArgTarget(const Napi::CallbackInfo& info, SockAddr* addr, size_t at = 0) {
  Napi::Env env = info.Env();
  if (info.Length() < at + 1 || !info[at].IsString()) {
    ThrowArg(env, "ERR_INVALID_ARG_TYPE", "The \"host\" argument must be of type string");
    return false;
  }
  std::string host = info[at].As<Napi::String>().Utf8Value();
  int64_t port, fam;
  if (!ArgInt(info, at + 1, "port", 1, 65535, &port) || !ArgInt(info, at + 2, "family", 4, 6, &fam)) return false;
  if ((fam != 4 && fam != 6) || !ParseSockAddr(host, static_cast<int>(port), static_cast<int>(fam), addr)) {
    ThrowArg(env, "ERR_INVALID_ARG_VALUE", "expected a numeric address of the given family: " + host);
    return false;
  }
  return true;
}
#endif

Napi::Value Prober::Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  SockAddr addr;
  if (!ArgTarget(info, &addr)) return env.Undefined();
  if (core_ == nullptr || core_->stopped) return Napi::Number::New(env, -EBADF);
  return Napi::Number::New(env, core_->Probe(addr));
#else
  return ThrowErrno(env, ENOSYS, "probe");
#endif
}

Napi::Value Prober::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  SockAddr addr;
  bool sendFirst = false;
  if (!ArgTarget(info, &addr) || !ArgBool(info, 3, "sendFirst", &sendFirst)) return env.Undefined();
  if (core_ == nullptr || core_->stopped) return Napi::Number::New(env, -EBADF);
  return Napi::Number::New(env, core_->Open(addr, sendFirst));
#else
  return ThrowErrno(env, ENOSYS, "open");
#endif
}

Napi::Value Prober::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  int fd;
  if (!ArgFd(info, 0, &fd)) return env.Undefined();
  if (info.Length() < 2 || !info[1].IsBuffer()) return ThrowArg(env, "ERR_INVALID_ARG_TYPE", "The \"data\" argument must be a Buffer");
  Napi::Buffer<char> b = info[1].As<Napi::Buffer<char>>();
  if (core_ == nullptr || core_->stopped) return Napi::Number::New(env, -EBADF);
  return Napi::Number::New(env, core_->Write(fd, b.Data(), b.Length()));
#else
  return ThrowErrno(env, ENOSYS, "write");
#endif
}

Napi::Value Prober::CloseStream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  int fd;
  bool reset = true;
  if (!ArgFd(info, 0, &fd) || !ArgBool(info, 1, "reset", &reset)) return env.Undefined();
  return Napi::Boolean::New(env, core_ != nullptr && !core_->stopped && core_->CloseStream(fd, reset));
#else
  return Napi::Boolean::New(env, false);
#endif
}

Napi::Value Prober::Abort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  int fd;
  if (!ArgFd(info, 0, &fd)) return env.Undefined();
  return Napi::Boolean::New(env, core_ != nullptr && !core_->stopped && core_->Abort(fd));
#else
  return Napi::Boolean::New(env, false);
#endif
}

#if defined(__linux__)
// info[index]: a job id JS gave to setJob (`known`: it must be registered).
static bool ArgJob(const Napi::CallbackInfo& info, ProberCore* core, bool known, uint32_t* id) {
  int64_t v;
  if (!ArgInt(info, 0, "job", 0, kMaxJobs - 1, &v)) return false;
  *id = static_cast<uint32_t>(v);
  if (known && (core == nullptr || (!core->stopped && !core->HasJob(*id)))) {
    ThrowArg(info.Env(), "ERR_INVALID_ARG_VALUE", "no such job: " + std::to_string(v));
    return false;
  }
  return true;
}
#endif

Napi::Value Prober::SetJob(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  uint32_t id;
  SockAddr addr;
  if (!ArgJob(info, core_, false, &id) || !ArgTarget(info, &addr, 1)) return env.Undefined();
  if (core_ != nullptr && !core_->stopped) core_->SetJob(id, addr);
  return env.Undefined();
#else
  return ThrowErrno(env, ENOSYS, "setJob");
#endif
}

Napi::Value Prober::Arm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  uint32_t id;
  int64_t delay, timeout;
  if (!ArgJob(info, core_, true, &id) || !ArgInt(info, 1, "delayMs", 0, INT32_MAX, &delay) ||
      !ArgInt(info, 2, "timeoutMs", 1, INT32_MAX, &timeout)) {
    return env.Undefined();
  }
  if (!core_->stopped) core_->Arm(id, static_cast<double>(delay), static_cast<double>(timeout));
  return env.Undefined();
#else
  return ThrowErrno(env, ENOSYS, "arm");
#endif
}

Napi::Value Prober::Disarm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  uint32_t id;
  bool all = false;
  if (!ArgJob(info, core_, false, &id) || !ArgBool(info, 1, "all", &all)) return env.Undefined();
  bool live = core_ != nullptr && !core_->stopped && core_->HasJob(id);
  return Napi::Boolean::New(env, live && core_->Disarm(id, all, false));
#else
  return Napi::Boolean::New(env, false);
#endif
}

Napi::Value Prober::DropJob(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  uint32_t id;
  if (!ArgJob(info, core_, false, &id)) return env.Undefined();
  if (core_ != nullptr && !core_->stopped && core_->HasJob(id)) core_->Disarm(id, true, true);
#endif
  return env.Undefined();
}

Napi::Value Prober::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  double inFlight = 0, idle = 0, created = 0, reused = 0, streams = 0;
#if defined(__linux__)
  if (core_ != nullptr) {
    inFlight = core_->inFlight;
    idle = static_cast<double>(core_->idle4.size() + core_->idle6.size());
    created = core_->created;
    reused = core_->reused;
    streams = core_->streams;
  }
#endif
  o.Set("inFlight", Napi::Number::New(env, inFlight));
  o.Set("idle", Napi::Number::New(env, idle));
  o.Set("created", Napi::Number::New(env, created));
  o.Set("reused", Napi::Number::New(env, reused));
  o.Set("streams", Napi::Number::New(env, streams));
  return o;
}

Napi::Value Prober::Close(const Napi::CallbackInfo& info) {
#if defined(__linux__)
  if (core_ != nullptr) core_->Stop(false);
#endif
  core_ = nullptr;
  return info.Env().Undefined();
}

}  // namespace switchyard
