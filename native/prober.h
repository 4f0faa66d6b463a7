// createProber(onResults) → Prober: TCP connect probes for plain health checks (a `check`
// with no send/expect: connect, then reset), run on the calling thread's own event loop.
//
// Why native: a health check through net.Socket costs ~100 µs of CPU (a socket object, its
// handle, timers and events, and a full three-way handshake the target then accepts). Here a
// probe is a few syscalls on a socket kept from the previous probe: TCP_QUICKACK off so the
// handshake's last ACK is never sent (the server never accepts: HAProxy does the same), a
// non-blocking connect, then connect(AF_UNSPEC), which resets the connection and leaves the
// socket ready for the next probe. Checks that send and read (HTTP, tcp-check, protocol
// checks) use streams: plain non-blocking sockets in the same epoll set. Completions are read
// from the epoll set, watched by libuv, and handed to JS in one call per loop turn:
// onResults([fd, kind, value, extra, ...]) (kinds in prober.cc).
//
// Plain connect checks can also run on the prober's own schedule: setJob(id, host, port,
// family) once, then arm(id, delayMs, timeoutMs) for each run. One libuv timer serves every
// job's start and timeout (deadline_heap.h), so a check costs JS one call per result, and no
// timer of its own.
#pragma once

#include <napi.h>

namespace switchyard {

struct ProberCore;

class Prober : public Napi::ObjectWrap<Prober> {
 public:
  static Napi::Function Define(Napi::Env env);
  // The exported createProber(onResults) → Prober.
  static Napi::Value Create(const Napi::CallbackInfo& info);

  explicit Prober(const Napi::CallbackInfo& info);
  ~Prober() override;

 private:
  // probe(host, port, family) → fd (≥ 0) while the connect is under way, or -errno when it
  // failed at once (nothing will be reported for it).
  Napi::Value Probe(const Napi::CallbackInfo& info);
  // abort(fd): forget a probe under way (its check timed out); nothing is reported for it.
  Napi::Value Abort(const Napi::CallbackInfo& info);
  // open(host, port, family, sendFirst) → fd or -errno: a stream for a check that sends and
  // reads (results: connected, data, end, error); write(fd, buffer) → 0 or -errno;
  // closeStream(fd, reset) ends it (nothing is reported after).
  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value CloseStream(const Napi::CallbackInfo& info);
  // setJob(id, host, port, family): registers job `id` or changes its address (next probe on).
  // arm(id, delayMs, timeoutMs): its probe starts delayMs from now (replacing a pending
  // start); results [id, JOB_DONE, errno, durationMs] or [id, JOB_TIMEOUT, 0, durationMs].
  // disarm(id, all) → whether a pending start (with `all`, also a probe under way) was
  // cancelled. dropJob(id): disarmed and forgotten.
  Napi::Value SetJob(const Napi::CallbackInfo& info);
  Napi::Value Arm(const Napi::CallbackInfo& info);
  Napi::Value Disarm(const Napi::CallbackInfo& info);
  Napi::Value DropJob(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  ProberCore* core_ = nullptr;
};

}  // namespace switchyard
