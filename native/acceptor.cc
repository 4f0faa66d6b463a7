#include "acceptor.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <vector>

#include "accept_util.h"
#include "addon.h"
#include "args.h"
#include "errors.h"
#include "thread_util.h"

namespace switchyard {

namespace {

struct AcceptBatch {
  std::vector<int> fds;
  int err = 0;         // errno of a failure reported with this batch, 0 if none
  bool fatal = false;  // the thread has stopped because of `err`
};

}  // namespace

class AcceptorCore {
 public:
  explicit AcceptorCore(int fd) : lfd_(fd) {}
  ~AcceptorCore() { waker_.Close(); }

  // JS thread. Returns 0 or an errno (nothing started then).
  int Start(napi_env env, napi_value onFds, napi_value onError,
            const std::shared_ptr<AcceptorCore>& self) {
    env_ = env;
    int err = waker_.Open();
    if (err != 0) return err;
    auto* finalizeHolder = new std::shared_ptr<AcceptorCore>(self);
    napi_value name;
    napi_create_string_utf8(env, "switchyard.acceptor", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, finalizeHolder,
                                        Finalize, this, CallJs, &tsfn_) != napi_ok) {
      delete finalizeHolder;
      return ENOMEM;
    }
    napi_create_reference(env, onFds, 1, &on_fds_);
    if (onError != nullptr) napi_create_reference(env, onError, 1, &on_error_);
    err = StartThread(&thread_, ThreadMain, this, "sy-acceptor");
    if (err != 0) {
      stopped_ = true;
      DropCallbacks();
      napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
      return err;
    }
    running_ = true;
    hook_arg_ = new std::shared_ptr<AcceptorCore>(self);
    napi_add_env_cleanup_hook(env, CleanupHook, hook_arg_);
    return 0;
  }

  // JS thread; idempotent. From JS (stop()): no callback runs after this returns, undelivered
  // fds are closed. From environment teardown: the same, minus releasing what teardown frees.
  void Stop(bool fromJs) {
    if (stopped_) return;
    stopped_ = true;
    stopping_.store(true);
    waker_.Wake();
    if (running_) pthread_join(thread_, nullptr);
    running_ = false;
    waker_.Close();  // the thread is gone: release the fd now, not at GC
    if (!fromJs) return;
    DropCallbacks();
    napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
    if (hook_arg_ != nullptr) {
      napi_remove_env_cleanup_hook(env_, CleanupHook, hook_arg_);
      delete hook_arg_;
      hook_arg_ = nullptr;
    }
  }

  // JS thread, before the first connection: the shared gauges (kept alive by `ref`) and the
  // frontend's, process's and listener's slots.
  void SetGates(napi_env env, napi_value array, int32_t* base, size_t length, Gate fe, Gate global, Gate listener) {
    if (gates_ref_ != nullptr) napi_delete_reference(env, gates_ref_);
    napi_create_reference(env, array, 1, &gates_ref_);
    limits_.Set(base, length, fe, global, listener);
  }

  void SetRef(bool ref) {
    if (stopped_ || ref == refed_) return;
    refed_ = ref;
    if (ref) {
      napi_ref_threadsafe_function(env_, tsfn_);
    } else {
      napi_unref_threadsafe_function(env_, tsfn_);
    }
  }

 private:
  static void* ThreadMain(void* arg) {
    static_cast<AcceptorCore*>(arg)->Run();
    return nullptr;
  }

  void Run() {
    bool backoff = false;
    bool reported = false;  // one report per resource-shortage episode
    while (!stopping_.load()) {
      // One batch in flight at a time: the next accept waits until JS has admitted the last
      // one, so the gauges the limits are read from count it. A reached maxconn leaves new
      // connections in the kernel's queue; room is looked for every few ms (the gauges are
      // JS's: no wake-up reaches this thread when they drop).
      bool inflight = inflight_.load();
      bool full = !inflight && limits_.Room() <= 0;
      bool listening = !backoff && !inflight && !full;
      pollfd fds[2] = {{listening ? lfd_ : -1, POLLIN, 0}, {waker_.fd(), POLLIN, 0}};
      int r = poll(fds, 2, backoff ? kAcceptBackoffMs : full ? kFullRecheckMs : -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        Emit(new AcceptBatch{{}, errno, true});
        return;
      }
      if (stopping_.load()) return;
      if (fds[1].revents != 0) waker_.Drain();
      if (backoff) {
        if (r == 0) backoff = false;  // pause over: try accepting again
        continue;
      }
      if (fds[0].revents & POLLNVAL) {
        Emit(new AcceptBatch{{}, EBADF, true});
        return;
      }
      if (!listening || fds[0].revents == 0) continue;
      auto* batch = new AcceptBatch();
      // Never more than the limits allow: what this batch takes is not counted in them yet.
      int room = std::min(limits_.Room(), kMaxAcceptBatch);
      for (int i = 0; i < room; i++) {
        int fd = AcceptFd(lfd_);
        if (fd >= 0) {
          batch->fds.push_back(fd);
          reported = false;
          continue;
        }
        int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) break;
        if (PerConnectionError(err)) continue;
        if (ResourceError(err)) {
          backoff = true;
          if (!reported) batch->err = err;
          reported = true;
          break;
        }
        batch->err = err;  // EINVAL (not listening / shut down), EBADF, ENOTSOCK, ...
        batch->fatal = true;
        break;
      }
      bool fatal = batch->fatal;
      if (batch->fds.empty() && batch->err == 0) {
        delete batch;
      } else {
        if (!batch->fds.empty()) inflight_.store(true);
        Emit(batch);
      }
      if (fatal) return;
    }
  }

  void Emit(AcceptBatch* batch) {
    if (napi_call_threadsafe_function(tsfn_, batch, napi_tsfn_nonblocking) != napi_ok) {
      CloseFds(batch->fds);
      delete batch;
      inflight_.store(false);
    }
  }

  static void CallJs(napi_env env, napi_value, void* context, void* data) {
    auto* batch = static_cast<AcceptBatch*>(data);
    // env == nullptr: the function is being torn down and `context` may already be gone.
    if (env == nullptr || static_cast<AcceptorCore*>(context)->stopped_) {
      CloseFds(batch->fds);
      delete batch;
      return;
    }
    auto* self = static_cast<AcceptorCore*>(context);
    if (!batch->fds.empty()) {
      napi_value array, fn;
      bool ok = napi_create_array_with_length(env, batch->fds.size(), &array) == napi_ok;
      for (size_t i = 0; ok && i < batch->fds.size(); i++) {
        napi_value v;
        ok = napi_create_int32(env, batch->fds[i], &v) == napi_ok &&
             napi_set_element(env, array, static_cast<uint32_t>(i), v) == napi_ok;
      }
      // Once the callback has run, the fds are JS's; if JS could not run, they are closed.
      if (!ok || napi_get_reference_value(env, self->on_fds_, &fn) != napi_ok ||
          !raw::CallSafely(env, fn, 1, &array)) {
        CloseFds(batch->fds);
      }
      batch->fds.clear();
      // Taken: the thread may accept again (unless the callback stopped it).
      self->inflight_.store(false);
      if (!self->stopped_) self->waker_.Wake();
    }
    // The fd callback may have called stop(); then nothing more is delivered.
    if (batch->err != 0 && !self->stopped_) {
      napi_value error = raw::ErrnoError(env, batch->err, "accept");
      if (error != nullptr) {
        napi_value fatal;
        napi_get_boolean(env, batch->fatal, &fatal);
        napi_set_named_property(env, error, "fatal", fatal);
        napi_value fn;
        if (self->on_error_ != nullptr &&
            napi_get_reference_value(env, self->on_error_, &fn) == napi_ok) {
          raw::CallSafely(env, fn, 1, &error);
        } else if (batch->fatal) {
          napi_fatal_exception(env, error);  // like an 'error' event nobody listens to
        }
      }
    }
    delete batch;
  }

  static void Finalize(napi_env, void* data, void*) {
    auto* holder = static_cast<std::shared_ptr<AcceptorCore>*>(data);
    (*holder)->Stop(false);
    delete holder;
  }

  // Environment teardown (e.g. worker.terminate()): stop the thread, free our references (the
  // environment does not free napi_refs for us); queued batches are closed by CallJs(nullptr).
  static void CleanupHook(void* arg) {
    auto* holder = static_cast<std::shared_ptr<AcceptorCore>*>(arg);
    (*holder)->hook_arg_ = nullptr;
    (*holder)->Stop(false);
    (*holder)->DropCallbacks();
    delete holder;
  }

  void DropCallbacks() {
    if (on_fds_ != nullptr) napi_delete_reference(env_, on_fds_);
    if (on_error_ != nullptr) napi_delete_reference(env_, on_error_);
    if (gates_ref_ != nullptr) napi_delete_reference(env_, gates_ref_);
    on_fds_ = on_error_ = gates_ref_ = nullptr;
  }

  const int lfd_;
  Waker waker_;
  pthread_t thread_{};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> inflight_{false};
  AcceptLimits limits_;
  napi_ref gates_ref_ = nullptr;
  napi_threadsafe_function tsfn_ = nullptr;
  // JS thread only.
  napi_env env_ = nullptr;
  napi_ref on_fds_ = nullptr;
  napi_ref on_error_ = nullptr;
  bool running_ = false;
  bool stopped_ = false;
  bool refed_ = true;
  std::shared_ptr<AcceptorCore>* hook_arg_ = nullptr;
};

Napi::Function Acceptor::Define(Napi::Env env) {
  return DefineClass(env, "Acceptor",
                     {InstanceMethod<&Acceptor::Stop>("stop"), InstanceMethod<&Acceptor::Ref>("ref"),
                      InstanceMethod<&Acceptor::Unref>("unref"),
                      InstanceMethod<&Acceptor::SetLimits>("setLimits")});
}

Napi::Value Acceptor::Start(const Napi::CallbackInfo& info) {
  auto* addon = info.Env().GetInstanceData<SwitchyardAddon>();
  return addon->acceptorClass.New({info[0], info[1], info[2]});
}

Acceptor::Acceptor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Acceptor>(info) {
  Napi::Env env = info.Env();
  int fd;
  Napi::Function onFds;
  if (!ArgFd(info, 0, &fd) || !ArgFunction(info, 1, "cb", &onFds)) return;
  napi_value onError = nullptr;
  if (!info[2].IsUndefined()) {
    Napi::Function fn;
    if (!ArgFunction(info, 2, "onError", &fn)) return;
    onError = fn;
  }
  auto core = std::make_shared<AcceptorCore>(fd);
  int err = core->Start(env, onFds, onError, core);
  if (err != 0) {
    ThrowErrno(env, err, "startAcceptor");
    return;
  }
  core_ = core;
}

Napi::Value Acceptor::Stop(const Napi::CallbackInfo& info) {
  if (core_) core_->Stop(true);
  return info.Env().Undefined();
}

bool ReadLimits(const Napi::CallbackInfo& info, size_t first, Napi::Int32Array* gauges, Gate* fe,
                Gate* global, Gate* listener) {
  Napi::Env env = info.Env();
  if (!info[first].IsTypedArray() || info[first].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    Napi::TypeError::New(env, "setLimits: gauges must be an Int32Array").ThrowAsJavaScriptException();
    return false;
  }
  int64_t v[9];
  static const char* kNames[9] = {"feCur",           "feLimit",          "feConfigured",   "globalCur",         "globalLimit",
                                  "globalConfigured", "listenerCur", "listenerLimit", "listenerConfigured"};
  for (int i = 0; i < 9; i++) {
    if (!ArgInt(info, first + 1 + i, kNames[i], 0, INT32_MAX, &v[i])) return false;
  }
  *gauges = info[first].As<Napi::Int32Array>();
  *fe = Gate{static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2])};
  *global = Gate{static_cast<int>(v[3]), static_cast<int>(v[4]), static_cast<int>(v[5])};
  *listener = Gate{static_cast<int>(v[6]), static_cast<int>(v[7]), static_cast<int>(v[8])};
  return true;
}

// setLimits(gauges: Int32Array, feCur, feLimit, feConfigured, globalCur, globalLimit,
//           globalConfigured, listenerCur, listenerLimit, listenerConfigured)
Napi::Value Acceptor::SetLimits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Int32Array arr;
  Gate fe, global, listener;
  if (!ReadLimits(info, 0, &arr, &fe, &global, &listener)) return env.Undefined();
  if (core_) core_->SetGates(env, arr, arr.Data(), arr.ElementLength(), fe, global, listener);
  return env.Undefined();
}

Napi::Value Acceptor::Ref(const Napi::CallbackInfo& info) {
  if (core_) core_->SetRef(true);
  return info.This();
}

Napi::Value Acceptor::Unref(const Napi::CallbackInfo& info) {
  if (core_) core_->SetRef(false);
  return info.This();
}

}  // namespace switchyard
