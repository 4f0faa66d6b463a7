// createForwarder(opts?): one native epoll thread that owns spliced TCP connections.
//
// listen(fd, onFds, onError?) makes the same thread accept on a listening fd
// (native/loop_acceptor.h) and hand the new fds to JS with its events. target(address)
// registers a server address once; connect(clientFd, targetId, timeouts...,
// cb) takes ownership of clientFd, connects to the target
// and moves bytes both ways with splice(2) through pipes from a per-forwarder pool (a pipe is
// held only while data sits in it), falling back to a read/write copy where splice refuses the
// fd (EINVAL). JS sees only an id and events: connected / connect-error (clientFd handed back,
// so JS can retry another server) / closed (byte counts, reason; both fds closed natively).
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "sockaddr.h"

namespace switchyard {

class ForwarderCore;

class Forwarder : public Napi::ObjectWrap<Forwarder> {
 public:
  static Napi::Function Define(Napi::Env env);
  // The exported createForwarder(opts?) → Forwarder.
  static Napi::Value Create(const Napi::CallbackInfo& info);
  // Whether this OS has splice(2) (the forwarder exists only there).
  static bool Supported();

  explicit Forwarder(const Napi::CallbackInfo& info);

 private:
  Napi::Value Target(const Napi::CallbackInfo& info);
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value StartListening(const Napi::CallbackInfo& info);
  Napi::Value ClearTargets(const Napi::CallbackInfo& info);
  Napi::Value SetLimits(const Napi::CallbackInfo& info);
  Napi::Value Unlisten(const Napi::CallbackInfo& info);
  Napi::Value RefListener(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Abort(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::shared_ptr<ForwarderCore> core_;
  std::vector<SockAddr> targets_;  // by target id (JS thread only)
};

}  // namespace switchyard
