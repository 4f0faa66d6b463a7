// errno → typed JS errors, shaped like Node's own system errors:
//   err.code = 'EADDRINUSE', err.errno = -98 (negative, as libuv/Node report it, so
//   util.getSystemErrorName(err.errno) works), err.syscall = 'bind', plus address/port when known.
#pragma once

#include <napi.h>

#include <string>

namespace switchyard {

// The errno's symbolic name ("ECONNREFUSED"); "UNKNOWN" when the platform has none.
const char* ErrnoName(int err);

// A JS Error for a failed syscall. `detail` (e.g. "127.0.0.1:8080") is appended to the message.
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& detail = "");

// Throws ErrnoError and returns undefined, for `return ThrowErrno(...)` in bindings.
Napi::Value ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& detail = "");

// Throws a TypeError with code ERR_INVALID_ARG_TYPE / ERR_INVALID_ARG_VALUE / ERR_OUT_OF_RANGE.
Napi::Value ThrowArg(Napi::Env env, const char* code, const std::string& message);

}  // namespace switchyard
