#include "forwarder.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/epoll.h>
#endif

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "acceptor.h"
#include "addon.h"
#include "args.h"
#include "errors.h"
#include "loop_acceptor.h"
#include "sockaddr.h"
#include "thread_util.h"

namespace switchyard {

#if defined(__linux__)

namespace {

constexpr size_t kCopyBufSize = 64 * 1024;  // copy-fallback buffer, allocated only while copying
constexpr size_t kTurnBudget = 1 << 20;     // bytes per direction per turn, then other conns run
constexpr int kMaxEvents = 256;
constexpr uint64_t kWakeToken = ~uint64_t{0};
constexpr uint64_t kListenBit = uint64_t{1} << 63;  // a listener's token: kListenBit | its id
constexpr int64_t kNever = INT64_MAX;
constexpr int64_t kMaxTimeoutMs = INT32_MAX;  // HAProxy's limit too (~24.8 days)
constexpr int64_t kDefaultMaxPooledPipes = 256;
// Adaptive pipe size (no tune.pipesize): a pipe that a single splice fills is grown to this, so
// a bulk flow moves ~1 MiB per splice pair instead of 64 KiB. Fewer calls is fewer ACKs and
// wake-ups of the peers; each of those is an inter-processor interrupt here. Measured in
// bench/ (L4 bulk): ~15% less CPU per GB. An empty pipe holds no pages, only its slot array.
constexpr int kBulkPipeSize = 1 << 20;
// Grown pipes a forwarder keeps at most: every pipe's size counts against the user's pipe
// quota (fs/pipe-user-pages-soft, 64 MiB by default) whether or not it holds data.
constexpr int64_t kMaxBulkPipes = 32;

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int SockError(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

enum Side : int { kClient = 0, kServer = 1 };

// The numbers JS receives (src/native/forwarder.ts names them): keep the orders in step.
enum class EventType { kConnected = 0, kConnectError = 1, kClosed = 2, kAccepted = 3, kAcceptError = 4 };

enum class Reason { kClientClose = 0, kServerClose, kClientTimeout, kServerTimeout, kError, kAborted };

Reason CloseReason(Side side) { return side == kClient ? Reason::kClientClose : Reason::kServerClose; }

// What the loop thread tells JS. Self-contained: it may be freed without its forwarder.
// Accept events carry the listener's id in `id`.
struct Event {
  EventType type;
  uint64_t id;
  int err = 0;
  int clientFd = -1;  // connect-error: the client fd handed back to JS; accepted: the new fd
  uint64_t bytesIn = 0;
  uint64_t bytesOut = 0;
  Reason reason = Reason::kError;
  bool fatal = false;  // accept-error: the listener is dropped
};

struct Timeouts {  // milliseconds, 0 = none
  int64_t connect = 0, client = 0, server = 0, tunnel = 0, clientFin = 0, serverFin = 0;
};

struct Pipe {
  int r = -1;
  int w = -1;
  size_t cap = 0;
  bool grown = false;  // by GrowPipe (counted in bulk_pipes_)
};

// One direction of a connection: bytes read from `src` wait in a pipe (or, in copy mode, a
// buffer) until written to `dst`. Holds no pipe and no buffer while idle.
struct Dir {
  int src = -1, dst = -1;
  Side srcSide = kClient, dstSide = kServer;
  Pipe pipe;
  size_t inPipe = 0;
  char* buf = nullptr;
  size_t bufLen = 0, bufOff = 0;
  bool copy = false;  // splice refused this fd pair: read/write copy
  bool eof = false;   // src has sent FIN
  bool shut = false;  // we have shut dst's write side (this direction is over)
  uint64_t bytes = 0;
  size_t Pending() const { return inPipe + (bufLen - bufOff); }
};

enum class State { kConnecting, kEstablished };

struct Conn {
  uint64_t id = 0;
  int cfd = -1, sfd = -1;
  State state = State::kConnecting;
  Timeouts t;
  int64_t start = 0, lastClient = 0, lastServer = 0;
  int64_t scheduled = kNever;  // earliest deadline queued in the timer heap for this conn
  Dir up;    // client → server
  Dir down;  // server → client
  int firstEof = -1;  // the side whose FIN came first (decides client-close vs server-close)
  // Readiness hints per side (edge-triggered epoll): cleared by EAGAIN, set by the next event,
  // so an idle direction costs no syscall when the other one moves.
  bool canRecv[2] = {true, true};
  bool canSend[2] = {true, true};
  bool ready = false;  // queued for another turn (its budget ran out with data left)
  bool notifyConnected = true;  // emit 'connected' (each event is a thread hop: skip if unused)
  bool dead = false;
};

struct Command {
  enum Kind { kConnect, kAbort, kListen, kUnlisten };
  Command(Kind k, uint64_t i) : kind(k), id(i) {}
  Kind kind;
  uint64_t id;  // kUnlisten: the sequence number JS waits for
  int clientFd = -1;
  SockAddr addr;
  Timeouts t;
  bool noDelay = true;
  bool notifyConnected = true;
  bool keepAlive = false;  // SO_KEEPALIVE on the server socket (option srvtcpka / tcpka)
  std::shared_ptr<ListenState> listen;  // kListen
  int lid = -1;                         // kUnlisten
};

// A listener as the JS thread holds it: its callbacks and whether it keeps the loop alive.
struct JsListener {
  std::shared_ptr<ListenState> state;
  napi_ref onFds = nullptr;
  napi_ref onError = nullptr;
  napi_ref gauges = nullptr;  // keeps the shared gauges' buffer alive while read natively
  bool refed = true;
  bool started = false;  // kListen posted
};

}  // namespace

class ForwarderCore {
 public:
  // pipeSize > 0: every pipe gets that size (tune.pipesize, as HAProxy sets it); 0: the system's
  // default, grown for bulk flows.
  ForwarderCore(size_t maxPooledPipes, bool useSplice, int pipeSize)
      : max_pooled_(maxPooledPipes), use_splice_(useSplice), pipe_size_(pipeSize) {}

  ~ForwarderCore() {
    waker_.Close();
    if (epfd_ >= 0) close(epfd_);
  }

  std::atomic<int64_t> active{0};
  std::atomic<int64_t> pipes_in_use{0};
  std::atomic<int64_t> pipes_pooled{0};
  std::atomic<int64_t> pipe_bytes{0};  // capacity of the open pipes, in use or pooled

  // ---- JS thread ------------------------------------------------------------------------

  int Start(napi_env env, const std::shared_ptr<ForwarderCore>& self) {
    env_ = env;
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return errno;
    int err = waker_.Open();
    if (err != 0) return err;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeToken;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, waker_.fd(), &ev) != 0) return errno;
    auto* finalizeHolder = new std::shared_ptr<ForwarderCore>(self);
    napi_value name;
    napi_create_string_utf8(env, "switchyard.forwarder", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, finalizeHolder,
                                        Finalize, this, CallJs, &tsfn_) != napi_ok) {
      delete finalizeHolder;
      return ENOMEM;
    }
    // Keeps the event loop alive only while connections are outstanding (see Connect).
    napi_unref_threadsafe_function(env, tsfn_);
    err = StartThread(&thread_, ThreadMain, this, "sy-forwarder");
    if (err != 0) {
      stopped_ = true;
      napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
      return err;
    }
    running_ = true;
    hook_arg_ = new std::shared_ptr<ForwarderCore>(self);
    napi_add_env_cleanup_hook(env, CleanupHook, hook_arg_);
    return 0;
  }

  bool stopped() const { return stopped_; }

  uint64_t Connect(int clientFd, const SockAddr& addr, const Timeouts& t, bool noDelay,
                   bool notifyConnected, bool keepAlive, napi_value cb) {
    uint64_t id = next_id_++;
    napi_ref ref;
    napi_create_reference(env_, cb, 1, &ref);
    callbacks_.emplace(id, ref);
    outstanding_++;
    UpdateRef();
    active.fetch_add(1);
    Command cmd(Command::kConnect, id);
    cmd.clientFd = clientFd;
    cmd.addr = addr;
    cmd.t = t;
    cmd.noDelay = noDelay;
    cmd.notifyConnected = notifyConnected;
    cmd.keepAlive = keepAlive;
    Post(cmd);
    return id;
  }

  bool Abort(uint64_t id) {
    if (stopped_ || callbacks_.find(id) == callbacks_.end()) return false;
    Command cmd(Command::kAbort, id);
    Post(cmd);
    return true;
  }

  // ---- listeners (native/loop_acceptor.h): this loop accepts, JS gets the fds ---------------

  // A listener on `fd` (which stays the caller's); returns its id. Accepting begins with
  // StartListening, once the caller has set its limits.
  int Listen(int fd, napi_value onFds, napi_value onError) {
    int lid = next_lid_++;
    JsListener l;
    l.state = std::make_shared<ListenState>(lid, fd);
    napi_create_reference(env_, onFds, 1, &l.onFds);
    if (onError != nullptr) napi_create_reference(env_, onError, 1, &l.onError);
    listeners_.emplace(lid, l);
    refed_listeners_++;
    UpdateRef();
    return lid;
  }

  void StartListening(int lid) {
    auto it = listeners_.find(lid);
    if (it == listeners_.end() || it->second.started || stopped_) return;
    it->second.started = true;
    Command cmd(Command::kListen, 0);
    cmd.listen = it->second.state;
    Post(cmd);
  }


  void SetListenLimits(int lid, napi_value array, int32_t* base, size_t length, Gate fe, Gate global, Gate listener) {
    auto it = listeners_.find(lid);
    if (it == listeners_.end()) return;
    if (it->second.gauges != nullptr) napi_delete_reference(env_, it->second.gauges);
    napi_create_reference(env_, array, 1, &it->second.gauges);
    it->second.state->limits.Set(base, length, fe, global, listener);
  }

  // Synchronous: once it returns the loop no longer watches or accepts on the fd (the caller may
  // close it), and no callback runs for this listener; fds accepted and not delivered are closed.
  void Unlisten(int lid) {
    auto it = listeners_.find(lid);
    if (it == listeners_.end()) return;
    bool started = it->second.started;
    SetListenerRef(it->second, false);
    DropListener(it->second);
    listeners_.erase(it);
    if (stopped_ || !started) return;
    uint64_t seq = ++unlisten_seq_;
    Command cmd(Command::kUnlisten, seq);
    cmd.lid = lid;
    Post(cmd);
    std::unique_lock<std::mutex> lock(ack_mu_);
    ack_cv_.wait(lock, [&] { return acked_ >= seq; });
  }

  void RefListener(int lid, bool ref) {
    auto it = listeners_.find(lid);
    if (it != listeners_.end()) SetListenerRef(it->second, ref);
  }

  // Idempotent. From JS (close()): every connection is closed and reported ('closed' with
  // reason 'aborted'), then the threadsafe function is released once those events are out.
  // From environment teardown: the same without events.
  void Stop(bool fromJs) {
    if (stopped_) return;
    stopped_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
      quit_emits_ = fromJs;
    }
    waker_.Wake();
    if (running_) pthread_join(thread_, nullptr);
    running_ = false;
    // The thread is gone and nothing posts after stopped_: release the fds now, not at GC.
    waker_.Close();
    if (epfd_ >= 0) close(epfd_);
    epfd_ = -1;
    if (!fromJs) return;
    for (auto& entry : listeners_) DropListener(entry.second);  // their queued fds get closed
    listeners_.clear();
    refed_listeners_ = 0;
    napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
    if (hook_arg_ != nullptr) {
      napi_remove_env_cleanup_hook(env_, CleanupHook, hook_arg_);
      delete hook_arg_;
      hook_arg_ = nullptr;
    }
  }

 private:
  // The threadsafe function keeps the event loop alive while connections are outstanding or a
  // referenced listener accepts (like a listening net.Server).
  void UpdateRef() {
    bool want = outstanding_ > 0 || refed_listeners_ > 0;
    if (want == refed_ || stopped_) return;
    refed_ = want;
    if (want) {
      napi_ref_threadsafe_function(env_, tsfn_);
    } else {
      napi_unref_threadsafe_function(env_, tsfn_);
    }
  }

  void SetListenerRef(JsListener& l, bool ref) {
    if (l.refed == ref) return;
    l.refed = ref;
    refed_listeners_ += ref ? 1 : -1;
    UpdateRef();
  }

  void DropListener(JsListener& l) {
    for (napi_ref* ref : {&l.onFds, &l.onError, &l.gauges}) {
      if (*ref != nullptr) napi_delete_reference(env_, *ref);
      *ref = nullptr;
    }
  }

  void Post(const Command& cmd) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      commands_.push_back(cmd);
    }
    waker_.Wake();
  }

  // One loop turn's events (see FlushEvents).
  static void CallJs(napi_env env, napi_value, void* context, void* data) {
    auto* events = static_cast<std::vector<Event>*>(data);
    // env == nullptr: the function is being torn down and `context` may already be gone.
    if (env == nullptr) return DropEvents(events);
    auto* self = static_cast<ForwarderCore*>(context);
    for (size_t i = 0; i < events->size();) {
      Event& ev = (*events)[i];
      if (ev.type != EventType::kAccepted) {
        if (ev.type == EventType::kAcceptError) {
          self->DeliverAcceptError(env, ev);
        } else {
          self->Deliver(env, &ev);
        }
        i++;
        continue;
      }
      // A run of one listener's accepted fds goes to JS as one array.
      size_t end = i;
      std::vector<int> fds;
      while (end < events->size() && (*events)[end].type == EventType::kAccepted && (*events)[end].id == ev.id) {
        fds.push_back((*events)[end].clientFd);
        (*events)[end].clientFd = -1;
        end++;
      }
      self->DeliverAccepted(env, static_cast<int>(ev.id), fds);
      i = end;
    }
    delete events;
  }

  // The fds are JS's once its callback has run; if it could not run, or the listener was
  // stopped meanwhile, they are closed here.
  void DeliverAccepted(napi_env env, int lid, const std::vector<int>& fds) {
    auto it = listeners_.find(lid);
    if (it == listeners_.end()) return CloseFds(fds);
    std::shared_ptr<ListenState> state = it->second.state;  // the callback may stop the listener
    napi_value array, fn;
    bool ok = napi_create_array_with_length(env, fds.size(), &array) == napi_ok;
    for (size_t i = 0; ok && i < fds.size(); i++) {
      napi_value v;
      ok = napi_create_int32(env, fds[i], &v) == napi_ok && napi_set_element(env, array, static_cast<uint32_t>(i), v) == napi_ok;
    }
    if (!ok || napi_get_reference_value(env, it->second.onFds, &fn) != napi_ok || !raw::CallSafely(env, fn, 1, &array)) {
      CloseFds(fds);
    }
    // Taken (counted in the gauges now): a loop parked at kMaxPendingAccepts may go on.
    state->pending.fetch_sub(static_cast<int>(fds.size()));
    if (state->parked.exchange(false) && !stopped_) waker_.Wake();
  }

  // As the standalone acceptor reports: an Error with code and errno, and `fatal` (the
  // listener is dropped). A fatal one nobody listens to is an uncaught exception.
  void DeliverAcceptError(napi_env env, const Event& ev) {
    auto it = listeners_.find(static_cast<int>(ev.id));
    if (it == listeners_.end()) return;
    if (ev.fatal) SetListenerRef(it->second, false);  // it accepts no more: no reason to keep the loop
    napi_value error = raw::ErrnoError(env, ev.err, "accept");
    if (error == nullptr) return;
    napi_value fatal, fn;
    napi_get_boolean(env, ev.fatal, &fatal);
    napi_set_named_property(env, error, "fatal", fatal);
    if (it->second.onError != nullptr && napi_get_reference_value(env, it->second.onError, &fn) == napi_ok) {
      raw::CallSafely(env, fn, 1, &error);
    } else if (ev.fatal) {
      napi_fatal_exception(env, error);
    }
  }

  // Events that will not reach JS: a client fd handed back in one is ours to close.
  static void DropEvents(std::vector<Event>* events) {
    for (const Event& ev : *events) {
      if (ev.clientFd >= 0) close(ev.clientFd);
    }
    delete events;
  }

  void Deliver(napi_env env, Event* ev) {
    auto it = callbacks_.find(ev->id);
    if (it == callbacks_.end()) {
      if (ev->clientFd >= 0) close(ev->clientFd);
      return;
    }
    napi_value fn = nullptr;
    napi_get_reference_value(env, it->second, &fn);
    if (ev->type != EventType::kConnected) {  // final event: the callback is not needed again
      napi_delete_reference(env, it->second);
      callbacks_.erase(it);
      outstanding_--;
      UpdateRef();
    }
    // Positional numbers, not an object: building one here took a property-name lookup per
    // field (src/native/forwarder.ts makes the event object in JS, where that is cheap).
    // cb(kind, id, a, b, c, d): connected (0) / connect-error (1, errno, clientFd) /
    // closed (2, bytesIn, bytesOut, reason, errno); errno is positive, 0 for none.
    double args[6] = {static_cast<double>(ev->type), static_cast<double>(ev->id), 0, 0, 0, 0};
    switch (ev->type) {
      case EventType::kConnected:
        break;
      case EventType::kConnectError:
        args[2] = ev->err;
        args[3] = ev->clientFd;
        break;
      case EventType::kClosed:
        args[2] = static_cast<double>(ev->bytesIn);
        args[3] = static_cast<double>(ev->bytesOut);
        args[4] = static_cast<double>(ev->reason);
        args[5] = ev->err;
        break;
      case EventType::kAccepted:  // listeners' events: DeliverAccepted, DeliverAcceptError
      case EventType::kAcceptError:
        break;
    }
    napi_value argv[6];
    bool ok = fn != nullptr;
    for (int i = 0; ok && i < 6; i++) ok = napi_create_double(env, args[i], &argv[i]) == napi_ok;
    if ((!ok || !raw::CallSafely(env, fn, 6, argv)) && ev->clientFd >= 0) close(ev->clientFd);
  }

  static void Finalize(napi_env, void* data, void*) {
    auto* holder = static_cast<std::shared_ptr<ForwarderCore>*>(data);
    (*holder)->Stop(false);
    delete holder;
  }

  // Environment teardown (e.g. worker.terminate()): stop the thread (it closes every fd without
  // events) and free the callbacks' references, which the environment does not free for us.
  static void CleanupHook(void* arg) {
    auto* holder = static_cast<std::shared_ptr<ForwarderCore>*>(arg);
    ForwarderCore* self = holder->get();
    self->hook_arg_ = nullptr;
    self->Stop(false);
    for (auto& entry : self->callbacks_) napi_delete_reference(self->env_, entry.second);
    self->callbacks_.clear();
    for (auto& entry : self->listeners_) self->DropListener(entry.second);
    self->listeners_.clear();
    delete holder;
  }

  // ---- loop thread ----------------------------------------------------------------------

  static void* ThreadMain(void* arg) {
    static_cast<ForwarderCore*>(arg)->Loop();
    return nullptr;
  }

  void Loop() {
    epoll_event events[kMaxEvents];
    for (;;) {
      int n = epoll_wait(epfd_, events, kMaxEvents, NextWaitMs());
      if (n < 0) n = 0;  // EINTR (signals are blocked here; nothing else is expected)
      now_ = NowMs();
      for (int i = 0; i < n; i++) {
        uint64_t token = events[i].data.u64;
        if (token == kWakeToken) {
          waker_.Drain();
          if (RunCommands()) {
            Quit();
            FlushEvents();
            return;
          }
          continue;
        }
        if (token & kListenBit) {
          acceptors_.OnReadable(static_cast<int>(token & ~kListenBit));
          continue;
        }
        OnEvent(token >> 1, static_cast<Side>(token & 1), events[i].events);
      }
      RunReady();
      RunAccepts();
      RunTimers();
      FlushEvents();
      graveyard_.clear();
    }
  }

  int NextWaitMs() {
    if (!ready_.empty()) return 0;
    int64_t now = NowMs();
    int64_t next = acceptors_.NextRun(now);
    if (!timers_.empty()) next = std::min(next, timers_.top().first);
    if (next == INT64_MAX) return -1;
    return static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(next - now, INT_MAX)));
  }

  void RunAccepts() {
    accepted_.clear();
    acceptors_.Run(epfd_, now_, &accepted_);
    for (const Accepted& a : accepted_) {
      if (a.fd >= 0) {
        Emit(Event{EventType::kAccepted, static_cast<uint64_t>(a.lid), 0, a.fd});
      } else {
        Emit(Event{EventType::kAcceptError, static_cast<uint64_t>(a.lid), a.err, -1, 0, 0, Reason::kError, a.fatal});
      }
    }
  }

  void Ack(uint64_t seq) {
    {
      std::lock_guard<std::mutex> lock(ack_mu_);
      acked_ = std::max(acked_, seq);
    }
    ack_cv_.notify_all();
  }

  // Returns true when the forwarder is quitting.
  bool RunCommands() {
    std::vector<Command> cmds;
    bool quit;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cmds.swap(commands_);
      quit = quit_;
      emit_ = quit_emits_ || !quit_;
    }
    for (const Command& cmd : cmds) {
      if (quit) {
        if (cmd.kind == Command::kConnect) {  // never started: nothing to hand back but the close
          close(cmd.clientFd);
          active.fetch_sub(1);
          Emit(Event{EventType::kClosed, cmd.id, 0, -1, 0, 0, Reason::kAborted});
        }
        continue;
      }
      if (cmd.kind == Command::kConnect) {
        StartConnect(cmd);
      } else if (cmd.kind == Command::kListen) {
        int err = acceptors_.Add(epfd_, kListenBit | static_cast<uint64_t>(cmd.listen->lid), cmd.listen);
        if (err != 0) Emit(Event{EventType::kAcceptError, static_cast<uint64_t>(cmd.listen->lid), err, -1, 0, 0, Reason::kError, true});
      } else if (cmd.kind == Command::kUnlisten) {
        acceptors_.Remove(epfd_, cmd.lid);
        Ack(cmd.id);
      } else if (Conn* c = Find(cmd.id)) {
        CloseConn(c, Reason::kAborted, 0);
      }
    }
    return quit;
  }

  void Quit() {
    std::vector<Conn*> all;
    for (auto& entry : conns_) all.push_back(entry.second.get());
    for (Conn* c : all) CloseConn(c, Reason::kAborted, 0);
    graveyard_.clear();
    for (Pipe& p : pool_) ClosePipe(p);
    acceptors_.RemoveAll(epfd_);
    Ack(UINT64_MAX);  // nobody waits for an unlisten past this
    pool_.clear();
    pipes_pooled.store(0);
  }

  Conn* Find(uint64_t id) {
    auto it = conns_.find(id);
    return it == conns_.end() ? nullptr : it->second.get();
  }

  // Events wait for the end of the loop turn and go to JS together: one threadsafe call (one
  // lock, one wake-up of the JS thread) per turn, not per event. Per connection that was two
  // calls (connected, closed), and the lock contended with the JS thread draining the queue.
  void Emit(const Event& ev) { batch_.push_back(ev); }

  void FlushEvents() {
    if (batch_.empty()) return;
    auto* events = new std::vector<Event>();
    events->swap(batch_);
    if (!emit_ || napi_call_threadsafe_function(tsfn_, events, napi_tsfn_nonblocking) != napi_ok) {
      DropEvents(events);
    }
  }

  bool Watch(Conn* c, Side side, int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = (c->id << 1) | static_cast<uint64_t>(side);
    return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  void StartConnect(const Command& cmd) {
    auto owned = std::make_unique<Conn>();
    Conn* c = owned.get();
    c->id = cmd.id;
    c->cfd = cmd.clientFd;
    c->t = cmd.t;
    c->notifyConnected = cmd.notifyConnected;
    c->start = now_;
    int s = socket(cmd.addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) {
      ReportConnectError(c, errno);
      return;
    }
    if (cmd.noDelay) {
      int one = 1;
      setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (cmd.keepAlive) {
      int one = 1;
      setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    }
    int r = connect(s, cmd.addr.get(), cmd.addr.len);
    if (r != 0 && errno != EINPROGRESS && errno != EINTR) {
      int err = errno;
      close(s);
      ReportConnectError(c, err);
      return;
    }
    c->sfd = s;
    c->up.src = c->down.dst = c->cfd;
    c->up.dst = c->down.src = s;
    c->up.srcSide = c->down.dstSide = kClient;
    c->up.dstSide = c->down.srcSide = kServer;
    c->up.copy = c->down.copy = !use_splice_;
    if (!Watch(c, kServer, s)) {
      int err = errno;
      close(s);
      ReportConnectError(c, err);
      return;
    }
    conns_.emplace(c->id, std::move(owned));
    if (r == 0) {
      OnConnected(c);
    } else {
      ArmTimer(c);
    }
  }

  // A connection that never reached a server: the client fd goes back to JS untouched.
  void ReportConnectError(Conn* c, int err) {
    active.fetch_sub(1);  // before the event: JS may read stats() as soon as it sees it
    Emit(Event{EventType::kConnectError, c->id, err, c->cfd, 0, 0, Reason::kError});
    c->cfd = -1;
  }

  void FailConnect(Conn* c, int err) {
    close(c->sfd);  // leaves the epoll set with it (see CloseConn)
    c->sfd = -1;
    ReportConnectError(c, err);
    Bury(c);
  }

  void OnConnected(Conn* c) {
    c->state = State::kEstablished;
    c->lastClient = c->lastServer = now_;
    if (!Watch(c, kClient, c->cfd)) {
      CloseConn(c, Reason::kError, errno);
      return;
    }
    if (c->notifyConnected) Emit(Event{EventType::kConnected, c->id, 0, -1, 0, 0, Reason::kError});
    Pump(c);
  }

  void OnEvent(uint64_t id, Side side, uint32_t events) {
    Conn* c = Find(id);
    if (c == nullptr) return;  // closed earlier in this batch
    if (c->state == State::kConnecting) {
      if (side != kServer) return;
      // A failed connect always reports EPOLLERR: a clean EPOLLOUT needs no SO_ERROR read.
      int err = 0;
      if (events & (EPOLLERR | EPOLLHUP)) {
        err = SockError(c->sfd);
        if (err == 0) err = ECONNREFUSED;
      }
      if (err != 0) {
        FailConnect(c, err);
      } else if (events & EPOLLOUT) {
        OnConnected(c);
      }
      return;
    }
    int fd = side == kClient ? c->cfd : c->sfd;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->canRecv[side] = true;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) c->canSend[side] = true;
    if (events & EPOLLERR) {
      int err = SockError(fd);
      if (err != 0) {
        CloseConn(c, CloseReason(side), err);
        return;
      }
    }
    if (!Pump(c)) return;
    if (events & EPOLLHUP) {
      // Both directions of this socket are down. Fine if we had already shut our write side
      // (the peer's FIN completed it; what it sent is still read above). Otherwise the peer is
      // gone while we still owe it data: nothing more can flow that way.
      const Dir& toFd = side == kClient ? c->down : c->up;
      if (!toFd.shut) CloseConn(c, CloseReason(side), SockError(fd));
    }
  }

  void RunReady() {
    if (ready_.empty()) return;
    std::vector<uint64_t> ids;
    ids.swap(ready_);
    for (uint64_t id : ids) {
      Conn* c = Find(id);
      if (c == nullptr) continue;
      c->ready = false;
      Pump(c);
    }
  }

  // Moves what can move in both directions. Returns false if the connection was closed.
  bool Pump(Conn* c) {
    bool more = false;
    if (!PumpDir(c, c->up, &more)) return false;
    if (!PumpDir(c, c->down, &more)) return false;
    if (c->up.shut && c->down.shut) {
      CloseConn(c, c->firstEof == kServer ? Reason::kServerClose : Reason::kClientClose, 0);
      return false;
    }
    if (more && !c->ready) {
      c->ready = true;
      ready_.push_back(c->id);
    }
    ArmTimer(c);
    return true;
  }

  void Touch(Conn* c, Side side) { (side == kClient ? c->lastClient : c->lastServer) = now_; }

  bool PumpDir(Conn* c, Dir& d, bool* more) {
    if (d.shut) return true;
    size_t budget = kTurnBudget;
    int reads = 0;  // successful reads this turn: a second one means the source streams
    for (;;) {
      // 1. Flush what is held.
      while (d.Pending() > 0) {
        if (!c->canSend[d.dstSide]) return true;  // EPOLLOUT on dst resumes us
        ssize_t n;
        if (d.inPipe > 0) {
          n = splice(d.pipe.r, nullptr, d.dst, nullptr, d.inPipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        } else {
          n = send(d.dst, d.buf + d.bufOff, d.bufLen - d.bufOff, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        if (n > 0) {
          if (d.inPipe > 0) {
            d.inPipe -= static_cast<size_t>(n);
          } else {
            d.bufOff += static_cast<size_t>(n);
          }
          Touch(c, d.dstSide);
          continue;
        }
        int err = n < 0 ? errno : EPIPE;
        if (err == EINTR) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) {
          c->canSend[d.dstSide] = false;
          return true;
        }
        if (err == EINVAL && d.inPipe > 0) {
          if (!PipeToBuffer(c, d)) return false;
          continue;
        }
        CloseConn(c, CloseReason(d.dstSide), err);
        return false;
      }
      ReleaseIdle(d);
      if (d.eof) {
        // Half-close: pass the FIN on, the other way keeps flowing. If that way is over too,
        // the close that follows at once sends the FIN (everything from dst has been read).
        const Dir& other = &d == &c->up ? c->down : c->up;
        if (!other.shut) shutdown(d.dst, SHUT_WR);
        d.shut = true;
        return true;
      }
      if (budget == 0) {
        *more = true;
        return true;
      }
      // 2. Read more.
      if (!c->canRecv[d.srcSide]) return true;  // EPOLLIN on src resumes us
      ssize_t n;
      if (!d.copy) {
        if (d.pipe.r < 0 && !AcquirePipe(&d.pipe)) {
          CloseConn(c, Reason::kError, errno);
          return false;
        }
        n = splice(d.src, nullptr, d.pipe.w, nullptr, std::min(d.pipe.cap, budget),
                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
          d.inPipe = static_cast<size_t>(n);
          // Filled at once, or more was waiting after a flush: a bulk flow, not a message.
          if (++reads >= 2 || d.inPipe == d.pipe.cap) GrowPipe(&d.pipe);
        }
      } else {
        if (d.buf == nullptr) {
          d.buf = static_cast<char*>(malloc(kCopyBufSize));
          if (d.buf == nullptr) {
            CloseConn(c, Reason::kError, ENOMEM);
            return false;
          }
        }
        n = recv(d.src, d.buf, std::min(kCopyBufSize, budget), MSG_DONTWAIT);
        if (n > 0) {
          d.bufLen = static_cast<size_t>(n);
          d.bufOff = 0;
        }
      }
      if (n > 0) {
        d.bytes += static_cast<uint64_t>(n);
        budget -= std::min(budget, static_cast<size_t>(n));
        Touch(c, d.srcSide);
        continue;
      }
      if (n == 0) {
        d.eof = true;
        if (c->firstEof < 0) c->firstEof = d.srcSide;
        continue;
      }
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        c->canRecv[d.srcSide] = false;
        ReleaseIdle(d);
        return true;
      }
      if (!d.copy && (err == EINVAL || err == ENOSYS)) {  // this fd cannot splice: copy
        d.copy = true;
        ReleaseIdle(d);
        continue;
      }
      CloseConn(c, CloseReason(d.srcSide), err);
      return false;
    }
  }

  // splice refused the destination: move what the pipe holds into a buffer and copy from now on.
  bool PipeToBuffer(Conn* c, Dir& d) {
    size_t size = std::max(d.inPipe, kCopyBufSize);
    char* buf = static_cast<char*>(malloc(size));
    if (buf == nullptr) {
      CloseConn(c, Reason::kError, ENOMEM);
      return false;
    }
    size_t got = 0;
    while (got < d.inPipe) {
      ssize_t n = read(d.pipe.r, buf + got, d.inPipe - got);
      if (n > 0) {
        got += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        free(buf);
        CloseConn(c, Reason::kError, n < 0 ? errno : EIO);
        return false;
      }
    }
    d.inPipe = 0;
    ReleasePipe(&d.pipe, true);
    d.buf = buf;
    d.bufLen = got;
    d.bufOff = 0;
    d.copy = true;
    return true;
  }

  void ReleaseIdle(Dir& d) {
    if (d.pipe.r >= 0 && d.inPipe == 0) ReleasePipe(&d.pipe, true);
    if (d.buf != nullptr && d.bufOff == d.bufLen) {
      free(d.buf);
      d.buf = nullptr;
      d.bufLen = d.bufOff = 0;
    }
  }

  void DropDir(Dir& d) {
    if (d.pipe.r >= 0) ReleasePipe(&d.pipe, d.inPipe == 0);  // never pool a pipe with data in it
    d.inPipe = 0;
    free(d.buf);
    d.buf = nullptr;
    d.bufLen = d.bufOff = 0;
  }

  bool AcquirePipe(Pipe* p) {
    if (!pool_.empty()) {
      *p = pool_.back();
      pool_.pop_back();
      pipes_pooled.store(static_cast<int64_t>(pool_.size()));
    } else {
      int fds[2];
      if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return false;
      if (pipe_size_ > 0) fcntl(fds[0], F_SETPIPE_SZ, pipe_size_);  // best effort, as HAProxy
      int cap = fcntl(fds[0], F_GETPIPE_SZ);
      *p = Pipe{fds[0], fds[1], cap > 0 ? static_cast<size_t>(cap) : 65536};
      pipe_bytes.fetch_add(static_cast<int64_t>(p->cap));
    }
    pipes_in_use.fetch_add(1);
    return true;
  }

  // A full pipe on the adaptive path: grow it (data in it stays). Refused (quota, EPERM) or at
  // the cap: the pipe keeps its size, and after a refusal no pipe is grown again.
  void GrowPipe(Pipe* p) {
    if (pipe_size_ > 0 || !grow_ok_ || p->grown || p->cap >= kBulkPipeSize || bulk_pipes_ >= kMaxBulkPipes) return;
    if (fcntl(p->w, F_SETPIPE_SZ, kBulkPipeSize) < 0) {
      grow_ok_ = false;
      return;
    }
    int cap = fcntl(p->w, F_GETPIPE_SZ);
    if (cap <= 0) cap = kBulkPipeSize;
    pipe_bytes.fetch_add(static_cast<int64_t>(cap) - static_cast<int64_t>(p->cap));
    p->cap = static_cast<size_t>(cap);
    p->grown = true;
    bulk_pipes_++;
  }

  void ReleasePipe(Pipe* p, bool reusable) {
    pipes_in_use.fetch_sub(1);
    if (reusable && pool_.size() < max_pooled_) {
      pool_.push_back(*p);
      pipes_pooled.store(static_cast<int64_t>(pool_.size()));
    } else {
      ClosePipe(*p);
    }
    *p = Pipe{};
  }

  void ClosePipe(const Pipe& p) {
    if (p.grown) bulk_pipes_--;
    pipe_bytes.fetch_sub(static_cast<int64_t>(p.cap));
    close(p.r);
    close(p.w);
  }

  void CloseConn(Conn* c, Reason reason, int err) {
    if (c->dead) return;
    // No EPOLL_CTL_DEL first: these fds have no duplicates (one fd, one owner), so close()
    // takes them out of the epoll set itself.
    if (c->sfd >= 0) {
      close(c->sfd);
      c->sfd = -1;
    }
    close(c->cfd);
    c->cfd = -1;
    DropDir(c->up);
    DropDir(c->down);
    active.fetch_sub(1);
    Emit(Event{EventType::kClosed, c->id, err, -1, c->up.bytes, c->down.bytes, reason});
    Bury(c);
  }

  // Out of the table now, freed at the end of this loop turn (callers may still hold `c`).
  void Bury(Conn* c) {
    c->dead = true;
    auto it = conns_.find(c->id);
    if (it == conns_.end()) return;  // never registered (failed before connect)
    graveyard_.push_back(std::move(it->second));
    conns_.erase(it);
  }

  // ---- timers: a min-heap of (deadline, id); entries go stale and are skipped lazily ------

  int64_t NextDeadline(const Conn* c) const {
    if (c->state == State::kConnecting) return c->t.connect > 0 ? c->start + c->t.connect : kNever;
    int64_t dc, ds;
    Deadlines(c, &dc, &ds);
    return std::min(dc, ds);
  }

  // Idle deadlines per side: activity on a side is a read from it or a write to it. Half-closed
  // connections use the fin timeouts where set; `tunnel` replaces client/server otherwise.
  void Deadlines(const Conn* c, int64_t* client, int64_t* server) const {
    bool half = c->up.eof || c->down.eof;
    int64_t tc = c->t.tunnel > 0 ? c->t.tunnel : c->t.client;
    int64_t ts = c->t.tunnel > 0 ? c->t.tunnel : c->t.server;
    if (half && c->t.clientFin > 0) tc = c->t.clientFin;
    if (half && c->t.serverFin > 0) ts = c->t.serverFin;
    *client = tc > 0 ? c->lastClient + tc : kNever;
    *server = ts > 0 ? c->lastServer + ts : kNever;
  }

  void ArmTimer(Conn* c) {
    int64_t when = NextDeadline(c);
    if (when < c->scheduled) {
      c->scheduled = when;
      timers_.push({when, c->id});
    }
  }

  void RunTimers() {
    while (!timers_.empty() && timers_.top().first <= now_) {
      auto [when, id] = timers_.top();
      timers_.pop();
      Conn* c = Find(id);
      if (c == nullptr || c->scheduled != when) continue;
      c->scheduled = kNever;
      if (c->state == State::kConnecting) {
        if (c->t.connect > 0 && now_ >= c->start + c->t.connect) {
          FailConnect(c, ETIMEDOUT);
          continue;
        }
      } else {
        int64_t dc, ds;
        Deadlines(c, &dc, &ds);
        if (dc <= now_) {
          CloseConn(c, Reason::kClientTimeout, 0);
          continue;
        }
        if (ds <= now_) {
          CloseConn(c, Reason::kServerTimeout, 0);
          continue;
        }
      }
      ArmTimer(c);  // activity moved the deadline: queue the real one
    }
  }

  const size_t max_pooled_;
  const bool use_splice_;
  const int pipe_size_;
  bool grow_ok_ = true;    // F_SETPIPE_SZ has not been refused
  int64_t bulk_pipes_ = 0;  // grown pipes open (in use or pooled)
  int epfd_ = -1;
  Waker waker_;
  pthread_t thread_{};
  napi_threadsafe_function tsfn_ = nullptr;

  // Shared, under mu_.
  std::mutex mu_;
  std::vector<Command> commands_;
  bool quit_ = false;
  bool quit_emits_ = true;

  // Unlisten's hand-shake: the loop acknowledges sequence numbers, JS waits for its own.
  std::mutex ack_mu_;
  std::condition_variable ack_cv_;
  uint64_t acked_ = 0;

  // JS thread only.
  napi_env env_ = nullptr;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, napi_ref> callbacks_;
  size_t outstanding_ = 0;
  bool refed_ = false;
  std::unordered_map<int, JsListener> listeners_;
  int next_lid_ = 0;
  int refed_listeners_ = 0;
  uint64_t unlisten_seq_ = 0;
  bool running_ = false;
  bool stopped_ = false;
  std::shared_ptr<ForwarderCore>* hook_arg_ = nullptr;

  // Loop thread only.
  bool emit_ = true;
  std::vector<Event> batch_;  // this turn's events (FlushEvents)
  LoopAcceptors acceptors_;
  std::vector<Accepted> accepted_;
  int64_t now_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::vector<std::unique_ptr<Conn>> graveyard_;
  std::vector<uint64_t> ready_;
  std::vector<Pipe> pool_;
  std::priority_queue<std::pair<int64_t, uint64_t>, std::vector<std::pair<int64_t, uint64_t>>,
                      std::greater<std::pair<int64_t, uint64_t>>>
      timers_;
};

bool Forwarder::Supported() { return true; }

#else  // !__linux__: no splice(2). The forwarder does not exist; features() omits SPLICE.

class ForwarderCore {};

bool Forwarder::Supported() { return false; }

#endif

Napi::Function Forwarder::Define(Napi::Env env) {
  return DefineClass(env, "Forwarder",
                     {InstanceMethod<&Forwarder::Target>("target"),
                      InstanceMethod<&Forwarder::Listen>("listen"),
                      InstanceMethod<&Forwarder::StartListening>("startListening"),
                      InstanceMethod<&Forwarder::ClearTargets>("clearTargets"),
                      InstanceMethod<&Forwarder::SetLimits>("setLimits"),
                      InstanceMethod<&Forwarder::Unlisten>("unlisten"),
                      InstanceMethod<&Forwarder::RefListener>("refListener"),
                      InstanceMethod<&Forwarder::Connect>("connect"),
                      InstanceMethod<&Forwarder::Abort>("abort"),
                      InstanceMethod<&Forwarder::Stats>("stats"),
                      InstanceMethod<&Forwarder::Close>("close")});
}

Napi::Value Forwarder::Create(const Napi::CallbackInfo& info) {
  auto* addon = info.Env().GetInstanceData<SwitchyardAddon>();
  return addon->forwarderClass.New({info[0]});
}

Forwarder::Forwarder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Forwarder>(info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  int64_t maxPooled = kDefaultMaxPooledPipes;
  int64_t pipeSize = 0;
  bool useSplice = true;
  if (!info[0].IsUndefined()) {
    Napi::Object opts;
    if (!ArgObject(info, 0, "options", &opts) ||
        !OptInt(opts, "maxPooledPipes", "options", 0, 1 << 20, kDefaultMaxPooledPipes, &maxPooled) ||
        !OptBool(opts, "splice", "options", true, &useSplice) ||
        !OptInt(opts, "pipeSize", "options", 0, INT_MAX, 0, &pipeSize)) {
      return;
    }
  }
  auto core = std::make_shared<ForwarderCore>(static_cast<size_t>(maxPooled), useSplice,
                                              static_cast<int>(pipeSize));
  int err = core->Start(env, core);
  if (err != 0) {
    ThrowErrno(env, err, "createForwarder");
    return;
  }
  core_ = core;
#else
  ThrowErrno(env, ENOSYS, "createForwarder");
#endif
}

namespace {

Napi::Value ThrowClosed(Napi::Env env) {
  Napi::Error error = Napi::Error::New(env, "The forwarder is closed");
  error.Set("code", Napi::String::New(env, "ERR_FORWARDER_CLOSED"));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

bool ArgLid(const Napi::CallbackInfo& info, int* lid) {
  int64_t v;
  if (!ArgInt(info, 0, "lid", 0, INT32_MAX, &v)) return false;
  *lid = static_cast<int>(v);
  return true;
}

}  // namespace

// listen(fd, onFds, onError?) → listener id: this forwarder's loop accepts on fd.
Napi::Value Forwarder::Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  int fd;
  Napi::Function onFds;
  if (!ArgFd(info, 0, &fd) || !ArgFunction(info, 1, "cb", &onFds)) return env.Undefined();
  napi_value onError = nullptr;
  if (!info[2].IsUndefined()) {
    Napi::Function fn;
    if (!ArgFunction(info, 2, "onError", &fn)) return env.Undefined();
    onError = fn;
  }
  if (!core_ || core_->stopped()) return ThrowClosed(env);
  return Napi::Number::New(env, core_->Listen(fd, onFds, onError));
#else
  return ThrowErrno(env, ENOSYS, "listen");
#endif
}

// setLimits(lid, gauges, ...): as Acceptor.setLimits, for a listener of this forwarder.
Napi::Value Forwarder::SetLimits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int lid;
  Napi::Int32Array arr;
  Gate fe, global, listener;
  if (!ArgLid(info, &lid) || !ReadLimits(info, 1, &arr, &fe, &global, &listener)) return env.Undefined();
#if defined(__linux__)
  if (core_) core_->SetListenLimits(lid, arr, arr.Data(), arr.ElementLength(), fe, global, listener);
#endif
  return env.Undefined();
}

Napi::Value Forwarder::StartListening(const Napi::CallbackInfo& info) {
#if defined(__linux__)
  int lid;
  if (ArgLid(info, &lid) && core_) core_->StartListening(lid);
#endif
  return info.Env().Undefined();
}

// Forgets every target id (connections under way keep their copies of the address).
Napi::Value Forwarder::ClearTargets(const Napi::CallbackInfo& info) {
  targets_.clear();
  return info.Env().Undefined();
}

Napi::Value Forwarder::Unlisten(const Napi::CallbackInfo& info) {
#if defined(__linux__)
  int lid;
  if (ArgLid(info, &lid) && core_) core_->Unlisten(lid);
#endif
  return info.Env().Undefined();
}

Napi::Value Forwarder::RefListener(const Napi::CallbackInfo& info) {
  int lid;
  bool ref;
  if (!ArgLid(info, &lid) || !ArgBool(info, 1, "ref", &ref)) return info.Env().Undefined();
#if defined(__linux__)
  if (core_) core_->RefListener(lid, ref);
#endif
  return info.Env().Undefined();
}

// target(host, port, family) → id: the address parsed once, for every connect() to it.
Napi::Value Forwarder::Target(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object target;
  if (!ArgObject(info, 0, "target", &target)) return env.Undefined();
  SockAddr addr;
  std::string display;
  if (!ReadSockAddr(target, "target", &addr, &display)) return env.Undefined();
  targets_.push_back(addr);
  return Napi::Number::New(env, static_cast<double>(targets_.size() - 1));
}

// connect(fd, targetId, connectMs, clientMs, serverMs, tunnelMs, clientFinMs, serverFinMs,
// flags, cb): positional integers, read without a property lookup each (one connection each).
Napi::Value Forwarder::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  int fd;
  int64_t target = 0, flags = 0;
  Napi::Function cb;
  Timeouts t;
  if (!ArgFd(info, 0, &fd) ||
      !ArgInt(info, 1, "targetId", 0, static_cast<int64_t>(targets_.size()) - 1, &target) ||
      !ArgInt(info, 2, "connectTimeoutMs", 0, kMaxTimeoutMs, &t.connect) ||
      !ArgInt(info, 3, "clientTimeoutMs", 0, kMaxTimeoutMs, &t.client) ||
      !ArgInt(info, 4, "serverTimeoutMs", 0, kMaxTimeoutMs, &t.server) ||
      !ArgInt(info, 5, "tunnelTimeoutMs", 0, kMaxTimeoutMs, &t.tunnel) ||
      !ArgInt(info, 6, "clientFinMs", 0, kMaxTimeoutMs, &t.clientFin) ||
      !ArgInt(info, 7, "serverFinMs", 0, kMaxTimeoutMs, &t.serverFin) ||
      !ArgInt(info, 8, "flags", 0, 7, &flags) || !ArgFunction(info, 9, "cb", &cb)) {
    return env.Undefined();
  }
  const SockAddr& addr = targets_[static_cast<size_t>(target)];
  // flags: 1 noDelay, 2 notifyConnected, 4 keepAlive (src/native/forwarder.ts).
  bool noDelay = (flags & 1) != 0;
  bool notifyConnected = (flags & 2) != 0;
  bool keepAlive = (flags & 4) != 0;
  if (!core_ || core_->stopped()) return ThrowClosed(env);
  uint64_t id = core_->Connect(fd, addr, t, noDelay, notifyConnected, keepAlive, cb);
  return Napi::Number::New(env, static_cast<double>(id));
#else
  return ThrowErrno(env, ENOSYS, "connect");
#endif
}

Napi::Value Forwarder::Abort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#if defined(__linux__)
  int64_t id;
  if (!ArgInt(info, 0, "id", 0, (int64_t{1} << 53), &id)) return env.Undefined();
  return Napi::Boolean::New(env, core_ && core_->Abort(static_cast<uint64_t>(id)));
#else
  return Napi::Boolean::New(env, false);
#endif
}

Napi::Value Forwarder::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  double active = 0, inUse = 0, pooled = 0, bytes = 0;
#if defined(__linux__)
  if (core_) {
    active = static_cast<double>(core_->active.load());
    inUse = static_cast<double>(core_->pipes_in_use.load());
    pooled = static_cast<double>(core_->pipes_pooled.load());
    bytes = static_cast<double>(core_->pipe_bytes.load());
  }
#endif
  out.Set("active", Napi::Number::New(env, active));
  out.Set("pipesInUse", Napi::Number::New(env, inUse));
  out.Set("pipesPooled", Napi::Number::New(env, pooled));
  out.Set("pipeBytes", Napi::Number::New(env, bytes));
  return out;
}

Napi::Value Forwarder::Close(const Napi::CallbackInfo& info) {
#if defined(__linux__)
  if (core_) core_->Stop(true);
#endif
  return info.Env().Undefined();
}

}  // namespace switchyard
