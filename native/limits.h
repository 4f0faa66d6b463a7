// getrlimit(resource) / setrlimit(resource, soft, hard): the process resource limits Node has no
// API for (HAProxy's `ulimit-n` and `-m`). Thin wrappers, no policy: what to ask for and what a
// refusal means is decided in src/process/limits.ts.
//
// Resources are named, not numbered ('nofile', 'as', 'data', 'core', 'nproc', 'stack'), so JS
// never depends on a platform's RLIMIT_* values. RLIM_INFINITY is Infinity in both directions.
// Limits apply to the whole process: every thread (worker_threads included) shares them.
#pragma once

#include <napi.h>

namespace switchyard {

// getrlimit('nofile') → { soft, hard }; Infinity stands for RLIM_INFINITY.
Napi::Value GetRlimit(const Napi::CallbackInfo& info);

// setrlimit('nofile', soft, hard): integers >= 0 or Infinity. Throws a system error (code
// 'EPERM', 'EINVAL', ...; syscall 'setrlimit') when the kernel refuses.
Napi::Value SetRlimit(const Napi::CallbackInfo& info);

}  // namespace switchyard
