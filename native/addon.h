// Per-environment (per main thread / worker_thread) addon state and the helpers shared by the
// threaded parts (acceptor, forwarder). Nothing here is process-global: each Node environment
// that loads the addon gets its own SwitchyardAddon through Napi::Addon instance data.
#pragma once

#include <napi.h>

namespace switchyard {

// The shape of the exports as src/native/addon.ts expects it (NATIVE_API_VERSION there): bumped
// whenever a method's arguments or results change, so a stale build is refused by name rather
// than failing on its first call.
constexpr int kApiVersion = 3;

class SwitchyardAddon : public Napi::Addon<SwitchyardAddon> {
 public:
  SwitchyardAddon(Napi::Env env, Napi::Object exports);

  Napi::FunctionReference acceptorClass;
  Napi::FunctionReference forwarderClass;
  Napi::FunctionReference proberClass;
};

// Raw N-API helpers for threadsafe-function callbacks. They never throw and never abort: while an
// environment shuts down, calls into JS fail with napi_pending_exception and nothing is pending;
// those failures are swallowed (the design's "a queued call must not throw" rule).
namespace raw {

// A Node-style system error: message "<syscall> <CODE>: <strerror>", code, errno (negative), syscall.
napi_value ErrnoError(napi_env env, int err, const char* syscall);
// Calls fn(argv...) with `undefined` as this. A JS exception thrown by fn is re-raised as an
// uncaught exception (as an event handler's would be). Returns false when JS could not run
// (environment shutting down): the caller still owns whatever argv was meant to hand over.
bool CallSafely(napi_env env, napi_value fn, size_t argc, const napi_value* argv);

}  // namespace raw

}  // namespace switchyard
