#include "errors.h"

#include <errno.h>
#include <string.h>

namespace switchyard {

namespace {

// Fallback table for C libraries without strerrorname_np (glibc < 2.32, musl, macOS).
const char* TableName(int err) {
  switch (err) {
#define SY_ERRNO(e) \
  case e:           \
    return #e;
    SY_ERRNO(EPERM) SY_ERRNO(ENOENT) SY_ERRNO(ESRCH) SY_ERRNO(EINTR) SY_ERRNO(EIO)
    SY_ERRNO(EBADF) SY_ERRNO(EAGAIN) SY_ERRNO(ENOMEM) SY_ERRNO(EACCES) SY_ERRNO(EFAULT)
    SY_ERRNO(EBUSY) SY_ERRNO(EEXIST) SY_ERRNO(EINVAL) SY_ERRNO(ENFILE) SY_ERRNO(EMFILE)
    SY_ERRNO(ENOSPC) SY_ERRNO(EPIPE) SY_ERRNO(ERANGE) SY_ERRNO(ENOSYS) SY_ERRNO(ENOTSOCK)
    SY_ERRNO(EDESTADDRREQ) SY_ERRNO(EMSGSIZE) SY_ERRNO(EPROTOTYPE) SY_ERRNO(ENOPROTOOPT)
    SY_ERRNO(EPROTONOSUPPORT) SY_ERRNO(EOPNOTSUPP) SY_ERRNO(EAFNOSUPPORT) SY_ERRNO(EADDRINUSE)
    SY_ERRNO(EADDRNOTAVAIL) SY_ERRNO(ENETDOWN) SY_ERRNO(ENETUNREACH) SY_ERRNO(ENETRESET)
    SY_ERRNO(ECONNABORTED) SY_ERRNO(ECONNRESET) SY_ERRNO(ENOBUFS) SY_ERRNO(EISCONN)
    SY_ERRNO(ENOTCONN) SY_ERRNO(ETIMEDOUT) SY_ERRNO(ECONNREFUSED) SY_ERRNO(EHOSTDOWN)
    SY_ERRNO(EHOSTUNREACH) SY_ERRNO(EALREADY) SY_ERRNO(EINPROGRESS) SY_ERRNO(ECANCELED)
    SY_ERRNO(EPROTO)
#undef SY_ERRNO
    default:
      return "UNKNOWN";
  }
}

}  // namespace

const char* ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
#endif
  return TableName(err);
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& detail) {
  const char* code = ErrnoName(err);
  std::string message = std::string(syscall) + " " + code + ": " + strerror(err);
  if (!detail.empty()) message += " " + detail;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

Napi::Value ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& detail) {
  ErrnoError(env, err, syscall, detail).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowArg(Napi::Env env, const char* code, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace switchyard
