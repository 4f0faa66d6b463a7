#include "limits.h"

#include <errno.h>
#include <sys/resource.h>

#include <cmath>
#include <string>

#include "errors.h"

namespace switchyard {

namespace {

struct Resource {
  const char* name;
  int id;
};

// Only the limits a load balancer has a reason to touch; each is POSIX or Linux, and a
// platform without one simply does not list it (the name is then refused like an unknown one).
const Resource kResources[] = {
    {"nofile", RLIMIT_NOFILE},
#if defined(RLIMIT_AS)
    {"as", RLIMIT_AS},
#endif
    {"data", RLIMIT_DATA},
    {"core", RLIMIT_CORE},
    {"stack", RLIMIT_STACK},
#if defined(RLIMIT_NPROC)
    {"nproc", RLIMIT_NPROC},
#endif
};

// Doubles represent every integer up to 2^53 exactly; anything rlim_t can hold beyond that is
// not a limit anyone sets, except RLIM_INFINITY, which gets its own spelling.
constexpr double kMaxExact = 9007199254740992.0;

bool ArgResource(const Napi::CallbackInfo& info, int* out) {
  if (!info[0].IsString()) {
    ThrowArg(info.Env(), "ERR_INVALID_ARG_TYPE", "The \"resource\" argument must be of type string");
    return false;
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  for (const Resource& r : kResources) {
    if (name == r.name) {
      *out = r.id;
      return true;
    }
  }
  std::string known;
  for (const Resource& r : kResources) known += std::string(known.empty() ? "'" : ", '") + r.name + "'";
  ThrowArg(info.Env(), "ERR_INVALID_ARG_VALUE",
           "The \"resource\" argument must be one of " + known + ". Received '" + name + "'");
  return false;
}

bool ArgLimit(const Napi::CallbackInfo& info, size_t index, const char* name, rlim_t* out) {
  if (!info[index].IsNumber()) {
    ThrowArg(info.Env(), "ERR_INVALID_ARG_TYPE",
             std::string("The \"") + name + "\" argument must be of type number");
    return false;
  }
  double d = info[index].As<Napi::Number>().DoubleValue();
  if (std::isinf(d) && d > 0) {
    *out = RLIM_INFINITY;
    return true;
  }
  if (!std::isfinite(d) || std::floor(d) != d || d < 0 || d > kMaxExact) {
    ThrowArg(info.Env(), "ERR_OUT_OF_RANGE",
             std::string("The value of \"") + name +
                 "\" is out of range. It must be an integer >= 0 and <= 2^53, or Infinity");
    return false;
  }
  *out = static_cast<rlim_t>(d);
  return true;
}

double ToJs(rlim_t v) {
  return v == RLIM_INFINITY ? INFINITY : static_cast<double>(v);
}

}  // namespace

Napi::Value GetRlimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int resource;
  if (!ArgResource(info, &resource)) return env.Undefined();
  struct rlimit lim {};
  if (getrlimit(resource, &lim) != 0) return ThrowErrno(env, errno, "getrlimit");
  Napi::Object out = Napi::Object::New(env);
  out.Set("soft", Napi::Number::New(env, ToJs(lim.rlim_cur)));
  out.Set("hard", Napi::Number::New(env, ToJs(lim.rlim_max)));
  return out;
}

Napi::Value SetRlimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int resource;
  struct rlimit lim {};
  if (!ArgResource(info, &resource) || !ArgLimit(info, 1, "soft", &lim.rlim_cur) ||
      !ArgLimit(info, 2, "hard", &lim.rlim_max)) {
    return env.Undefined();
  }
  if (setrlimit(resource, &lim) != 0) return ThrowErrno(env, errno, "setrlimit");
  return env.Undefined();
}

}  // namespace switchyard
