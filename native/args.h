// Argument validation at the edge: each helper returns false with a TypeError pending
// (code ERR_INVALID_ARG_TYPE or ERR_OUT_OF_RANGE) and the binding returns at once.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace switchyard {

// An integer in [min, max] at info[index]; `name` is used in the message.
bool ArgInt(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t min,
            int64_t max, int64_t* out);
// A file descriptor (integer in [0, INT32_MAX]) at info[index].
bool ArgFd(const Napi::CallbackInfo& info, size_t index, int* out);
bool ArgBool(const Napi::CallbackInfo& info, size_t index, const char* name, bool* out);
bool ArgObject(const Napi::CallbackInfo& info, size_t index, const char* name, Napi::Object* out);
bool ArgFunction(const Napi::CallbackInfo& info, size_t index, const char* name,
                 Napi::Function* out);

// Properties of an options object. Opt* leave `out` at `def` when the property is undefined.
bool ReqString(Napi::Object obj, const char* key, const char* objName, std::string* out);
bool ReqInt(Napi::Object obj, const char* key, const char* objName, int64_t min, int64_t max,
            int64_t* out);
bool OptInt(Napi::Object obj, const char* key, const char* objName, int64_t min, int64_t max,
            int64_t def, int64_t* out);
// Three-state boolean: *present=false when undefined.
bool OptBool(Napi::Object obj, const char* key, const char* objName, bool def, bool* out,
             bool* present = nullptr);

}  // namespace switchyard
