#include "args.h"

#include <climits>
#include <cmath>

#include "errors.h"

namespace switchyard {

namespace {

bool CheckInt(Napi::Env env, Napi::Value v, const std::string& what, int64_t min, int64_t max,
              int64_t* out) {
  if (!v.IsNumber()) {
    ThrowArg(env, "ERR_INVALID_ARG_TYPE", "The \"" + what + "\" argument must be of type number");
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < static_cast<double>(min) ||
      d > static_cast<double>(max)) {
    ThrowArg(env, "ERR_OUT_OF_RANGE",
             "The value of \"" + what + "\" is out of range. It must be an integer >= " +
                 std::to_string(min) + " and <= " + std::to_string(max));
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

std::string Qualified(const char* objName, const char* key) {
  return std::string(objName) + "." + key;
}

bool Fetch(Napi::Object obj, const char* key, Napi::Value* out) {
  *out = obj.Get(key);
  return !obj.Env().IsExceptionPending();
}

}  // namespace

bool ArgInt(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t min,
            int64_t max, int64_t* out) {
  return CheckInt(info.Env(), info[index], name, min, max, out);
}

bool ArgFd(const Napi::CallbackInfo& info, size_t index, int* out) {
  int64_t v = 0;
  if (!CheckInt(info.Env(), info[index], "fd", 0, INT32_MAX, &v)) return false;
  *out = static_cast<int>(v);
  return true;
}

bool ArgBool(const Napi::CallbackInfo& info, size_t index, const char* name, bool* out) {
  if (!info[index].IsBoolean()) {
    ThrowArg(info.Env(), "ERR_INVALID_ARG_TYPE",
             std::string("The \"") + name + "\" argument must be of type boolean");
    return false;
  }
  *out = info[index].As<Napi::Boolean>().Value();
  return true;
}

bool ArgObject(const Napi::CallbackInfo& info, size_t index, const char* name, Napi::Object* out) {
  if (!info[index].IsObject() || info[index].IsFunction()) {
    ThrowArg(info.Env(), "ERR_INVALID_ARG_TYPE",
             std::string("The \"") + name + "\" argument must be of type object");
    return false;
  }
  *out = info[index].As<Napi::Object>();
  return true;
}

bool ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name,
                 Napi::Function* out) {
  if (!info[index].IsFunction()) {
    ThrowArg(info.Env(), "ERR_INVALID_ARG_TYPE",
             std::string("The \"") + name + "\" argument must be of type function");
    return false;
  }
  *out = info[index].As<Napi::Function>();
  return true;
}

bool ReqString(Napi::Object obj, const char* key, const char* objName, std::string* out) {
  Napi::Value v;
  if (!Fetch(obj, key, &v)) return false;
  if (!v.IsString()) {
    ThrowArg(obj.Env(), "ERR_INVALID_ARG_TYPE",
             "The \"" + Qualified(objName, key) + "\" property must be of type string");
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  return true;
}

bool ReqInt(Napi::Object obj, const char* key, const char* objName, int64_t min, int64_t max,
            int64_t* out) {
  Napi::Value v;
  if (!Fetch(obj, key, &v)) return false;
  return CheckInt(obj.Env(), v, Qualified(objName, key), min, max, out);
}

bool OptInt(Napi::Object obj, const char* key, const char* objName, int64_t min, int64_t max,
            int64_t def, int64_t* out) {
  Napi::Value v;
  if (!Fetch(obj, key, &v)) return false;
  if (v.IsUndefined()) {
    *out = def;
    return true;
  }
  return CheckInt(obj.Env(), v, Qualified(objName, key), min, max, out);
}

bool OptBool(Napi::Object obj, const char* key, const char* objName, bool def, bool* out,
             bool* present) {
  Napi::Value v;
  if (!Fetch(obj, key, &v)) return false;
  if (present != nullptr) *present = !v.IsUndefined();
  if (v.IsUndefined()) {
    *out = def;
    return true;
  }
  if (!v.IsBoolean()) {
    ThrowArg(obj.Env(), "ERR_INVALID_ARG_TYPE",
             "The \"" + Qualified(objName, key) + "\" property must be of type boolean");
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

}  // namespace switchyard
