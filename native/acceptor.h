// startAcceptor(fd, onFds, onError?): a native thread blocked in poll()+accept4() on a listening
// socket, delivering batches of accepted fds (non-blocking, close-on-exec) to the JS thread
// through a threadsafe function, so accepting costs the event loop one callback per batch.
#pragma once

#include <napi.h>

#include <memory>

#include "accept_util.h"

namespace switchyard {

class AcceptorCore;

// setLimits' arguments from `first` on: (gauges: Int32Array, feCur, feLimit, feConfigured,
// globalCur, globalLimit, globalConfigured, listenerCur, listenerLimit, listenerConfigured).
// False with a JS exception pending when they are not that.
bool ReadLimits(const Napi::CallbackInfo& info, size_t first, Napi::Int32Array* gauges, Gate* fe,
                Gate* global, Gate* listener);

class Acceptor : public Napi::ObjectWrap<Acceptor> {
 public:
  static Napi::Function Define(Napi::Env env);
  // The exported startAcceptor(fd, cb, onError?) → Acceptor handle.
  static Napi::Value Start(const Napi::CallbackInfo& info);

  explicit Acceptor(const Napi::CallbackInfo& info);

 private:
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value SetLimits(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);

  std::shared_ptr<AcceptorCore> core_;
};

}  // namespace switchyard
