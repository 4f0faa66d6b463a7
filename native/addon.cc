// Module entry and the stateless syscall wrappers: listener creation, getsockname, dup/close,
// socket options, CPU affinity. Each wrapper does one syscall's worth of work, no policy, and
// maps errno to a typed error (see errors.h). The threaded parts live in acceptor.cc and
// forwarder.cc, health-check connect probes in prober.cc; resource limits (getrlimit/setrlimit) in limits.cc.
#include "addon.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include <climits>
#include <string>
#include <vector>

#include "acceptor.h"
#include "args.h"
#include "errors.h"
#include "forwarder.h"
#include "limits.h"
#include "prober.h"
#include "sockaddr.h"

namespace switchyard {

namespace raw {

namespace {

void SetNumber(napi_env env, napi_value obj, const char* key, double value) {
  napi_value v;
  if (napi_create_double(env, value, &v) == napi_ok) napi_set_named_property(env, obj, key, v);
}

void SetString(napi_env env, napi_value obj, const char* key, const char* value) {
  napi_value v;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok) {
    napi_set_named_property(env, obj, key, v);
  }
}

}  // namespace

napi_value ErrnoError(napi_env env, int err, const char* syscall) {
  const char* code = switchyard::ErrnoName(err);
  std::string message = std::string(syscall) + " " + code + ": " + strerror(err);
  napi_value msg = nullptr;
  napi_value error = nullptr;
  if (napi_create_string_utf8(env, message.c_str(), message.size(), &msg) != napi_ok) return nullptr;
  if (napi_create_error(env, nullptr, msg, &error) != napi_ok) return nullptr;
  SetString(env, error, "code", code);
  SetNumber(env, error, "errno", -err);
  SetString(env, error, "syscall", syscall);
  return error;
}

bool CallSafely(napi_env env, napi_value fn, size_t argc, const napi_value* argv) {
  napi_value recv;
  napi_value result;
  if (napi_get_undefined(env, &recv) != napi_ok) return false;
  napi_status status = napi_call_function(env, recv, fn, argc, argv, &result);
  if (status == napi_ok) return true;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return false;
  napi_value exception;
  if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) {
    napi_fatal_exception(env, exception);
  }
  return true;  // the callback ran (and threw)
}

}  // namespace raw

namespace {

Napi::Value Features(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<const char*> names;
#if defined(SO_REUSEPORT)
  {
    // Probe: some kernels/sandboxes define the constant but refuse the option.
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      int one = 1;
      if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == 0) {
        names.push_back("REUSEPORT");
      }
      close(fd);
    }
  }
#endif
  if (Forwarder::Supported()) names.push_back("SPLICE");
#if defined(__linux__)
  {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) names.push_back("CPU_AFFINITY");
  }
#endif
  Napi::Array out = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) out.Set(i, Napi::String::New(env, names[i]));
  return out;
}

int SetIntOpt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value));
}

// createListener({host, port, family, reusePort?, v6only?, backlog?, deferAccept?, freebind?})
Napi::Value CreateListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts;
  if (!ArgObject(info, 0, "options", &opts)) return env.Undefined();
  SockAddr addr;
  std::string display;
  if (!ReadSockAddr(opts, "options", &addr, &display)) return env.Undefined();
  bool reusePort = false, v6only = false, v6onlySet = false, deferAccept = false, freebind = false;
  int64_t backlog = 0;
  if (!OptBool(opts, "reusePort", "options", false, &reusePort) ||
      !OptBool(opts, "v6only", "options", false, &v6only, &v6onlySet) ||
      !OptBool(opts, "deferAccept", "options", false, &deferAccept) ||
      !OptBool(opts, "freebind", "options", false, &freebind) ||
      !OptInt(opts, "backlog", "options", 0, INT_MAX, 511, &backlog)) {
    return env.Undefined();
  }

  int fd = socket(addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, errno, "socket", display);
  auto fail = [&](const char* syscall) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, syscall, display);
  };
  if (SetIntOpt(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0) return fail("setsockopt");
  if (reusePort) {
#if defined(SO_REUSEPORT)
    if (SetIntOpt(fd, SOL_SOCKET, SO_REUSEPORT, 1) != 0) return fail("setsockopt");
#else
    errno = ENOPROTOOPT;
    return fail("setsockopt");
#endif
  }
  if (addr.family == AF_INET6 && v6onlySet) {
    if (SetIntOpt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only ? 1 : 0) != 0) return fail("setsockopt");
  }
  if (freebind) {
#if defined(IP_FREEBIND)
    if (SetIntOpt(fd, IPPROTO_IP, IP_FREEBIND, 1) != 0) return fail("setsockopt");
#else
    errno = ENOPROTOOPT;
    return fail("setsockopt");
#endif
  }
  if (deferAccept) {
#if defined(TCP_DEFER_ACCEPT)
    // Seconds; 1 is what HAProxy uses: wake the acceptor only once data has arrived.
    if (SetIntOpt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 1) != 0) return fail("setsockopt");
#endif
  }
  if (bind(fd, addr.get(), addr.len) != 0) return fail("bind");
  if (listen(fd, static_cast<int>(backlog)) != 0) return fail("listen");
  return Napi::Number::New(env, fd);
}

// createUnixListener({path, backlog?, mode?, uid?, gid?}): a listening AF_UNIX stream socket.
// As HAProxy does, it binds a temporary name beside the path, applies ownership and mode,
// then rename(2)s it over the path: a stale socket file is replaced atomically and clients
// never see a socket with the wrong permissions.
Napi::Value CreateUnixListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts;
  if (!ArgObject(info, 0, "options", &opts)) return env.Undefined();
  std::string path;
  int64_t backlog = 0, mode = -1, uid = -1, gid = -1;
  if (!ReqString(opts, "path", "options", &path) ||
      !OptInt(opts, "backlog", "options", 0, INT_MAX, 511, &backlog) ||
      !OptInt(opts, "mode", "options", -1, 07777, -1, &mode) ||
      !OptInt(opts, "uid", "options", -1, INT_MAX, -1, &uid) ||
      !OptInt(opts, "gid", "options", -1, INT_MAX, -1, &gid)) {
    return env.Undefined();
  }
  std::string tmp = path + "." + std::to_string(getpid()) + ".tmp";
  sockaddr_un sun{};
  if (tmp.size() >= sizeof(sun.sun_path)) return ThrowErrno(env, ENAMETOOLONG, "bind", path);
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path, tmp.c_str(), tmp.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, errno, "socket", path);
  auto fail = [&](const char* syscall) {
    int err = errno;
    close(fd);
    unlink(tmp.c_str());
    return ThrowErrno(env, err, syscall, path);
  };
  unlink(tmp.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, "bind", path);
  }
  if ((uid >= 0 || gid >= 0) && chown(tmp.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0) return fail("chown");
  if (mode >= 0 && chmod(tmp.c_str(), static_cast<mode_t>(mode)) != 0) return fail("chmod");
  if (listen(fd, static_cast<int>(backlog)) != 0) return fail("listen");
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  return Napi::Number::New(env, fd);
}

// setNonBlocking(fd): O_NONBLOCK on an inherited descriptor (bind fd@N), which the accept
// thread drains in a loop and must never block on.
Napi::Value SetNonBlocking(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, &fd)) return env.Undefined();
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return ThrowErrno(env, errno, "fcntl");
  return env.Undefined();
}

// connectUnixDgram(path) → fd: an AF_UNIX datagram socket connected to `path` (a syslog
// socket such as /dev/log), non-blocking: a full receiver drops the line instead of stalling
// the thread, as HAProxy's logger does. Node has no unix datagram sockets of its own.
Napi::Value ConnectUnixDgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    return ThrowArg(env, "ERR_INVALID_ARG_TYPE", "The \"path\" argument must be of type string");
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  sockaddr_un sun{};
  if (path.empty() || path.size() >= sizeof(sun.sun_path)) return ThrowErrno(env, ENAMETOOLONG, "connect");
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, errno, "socket");
  if (connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, err, "connect");
  }
  return Napi::Number::New(env, fd);
}

// getpeername(2) (peer) or getsockname(2) (local) of fd info[0] into `ss`; false with an
// exception pending (a bad argument, or the call's errno).
static bool SocketName(const Napi::CallbackInfo& info, bool peer, sockaddr_storage* ss) {
  int fd;
  if (!ArgFd(info, 0, &fd)) return false;
  socklen_t len = sizeof(*ss);
  auto* sa = reinterpret_cast<sockaddr*>(ss);
  if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) == 0) return true;
  ThrowErrno(info.Env(), errno, peer ? "getpeername" : "getsockname");
  return false;
}

// The port of getsockname(2) (local) or getpeername(2) (peer) on fd info[0].
Napi::Value SocketPort(const Napi::CallbackInfo& info, bool peer) {
  Napi::Env env = info.Env();
  sockaddr_storage ss{};
  if (!SocketName(info, peer, &ss)) return env.Undefined();
  if (ss.ss_family == AF_INET) {
    return Napi::Number::New(env, ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    return Napi::Number::New(env, ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port));
  }
  return ThrowErrno(env, EAFNOSUPPORT, peer ? "getpeername" : "getsockname");
}

Napi::Value LocalPort(const Napi::CallbackInfo& info) { return SocketPort(info, false); }

Napi::Value PeerPort(const Napi::CallbackInfo& info) { return SocketPort(info, true); }

// The address of getpeername(2) (peer) or getsockname(2) (local) as raw bytes (4 for IPv4,
// including IPv4-mapped IPv6; 16 for IPv6): what `balance source` hashes, without formatting
// and parsing a string.
Napi::Value SocketAddress(const Napi::CallbackInfo& info, bool peer) {
  Napi::Env env = info.Env();
  sockaddr_storage ss{};
  if (!SocketName(info, peer, &ss)) return env.Undefined();
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in*>(&ss)->sin_addr);
    return Napi::Buffer<uint8_t>::Copy(env, a, 4);
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr);
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, kMapped, 12) == 0) return Napi::Buffer<uint8_t>::Copy(env, a + 12, 4);
    return Napi::Buffer<uint8_t>::Copy(env, a, 16);
  }
  return ThrowErrno(env, EAFNOSUPPORT, peer ? "getpeername" : "getsockname");
}

Napi::Value PeerAddress(const Napi::CallbackInfo& info) { return SocketAddress(info, true); }

Napi::Value LocalAddress(const Napi::CallbackInfo& info) { return SocketAddress(info, false); }

Napi::Value Dup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, &fd)) return env.Undefined();
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return ThrowErrno(env, errno, "dup");
  return Napi::Number::New(env, copy);
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, &fd)) return env.Undefined();
  // EINTR: Linux has released the fd anyway; retrying could close someone else's.
  if (close(fd) != 0 && errno != EINTR) return ThrowErrno(env, errno, "close");
  return env.Undefined();
}

Napi::Value SetSockOptBool(const Napi::CallbackInfo& info, int level, int name) {
  Napi::Env env = info.Env();
  int fd;
  bool on;
  if (!ArgFd(info, 0, &fd) || !ArgBool(info, 1, "on", &on)) return env.Undefined();
  if (SetIntOpt(fd, level, name, on ? 1 : 0) != 0) return ThrowErrno(env, errno, "setsockopt");
  return env.Undefined();
}

Napi::Value SetNoDelay(const Napi::CallbackInfo& info) {
  return SetSockOptBool(info, IPPROTO_TCP, TCP_NODELAY);
}

Napi::Value SetKeepAlive(const Napi::CallbackInfo& info) {
  return SetSockOptBool(info, SOL_SOCKET, SO_KEEPALIVE);
}

Napi::Value ShutdownWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd;
  if (!ArgFd(info, 0, &fd)) return env.Undefined();
  if (shutdown(fd, SHUT_WR) != 0) return ThrowErrno(env, errno, "shutdown");
  return env.Undefined();
}

// chroot(path) then chdir("/"), for the whole process (every thread), as HAProxy does once
// bound (src/process/chroot.ts).
Napi::Value Chroot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) {
    Napi::TypeError::New(env, "chroot: path must be a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  if (chroot(path.c_str()) != 0) return ThrowErrno(env, errno, "chroot");
  if (chdir("/") != 0) return ThrowErrno(env, errno, "chdir");
  return env.Undefined();
}

Napi::Value PinThread(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t cpu;
#if defined(__linux__)
  if (!ArgInt(info, 0, "cpu", 0, CPU_SETSIZE - 1, &cpu)) return env.Undefined();
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(static_cast<int>(cpu), &set);
  // pid 0 = the calling thread (Linux affinity is per thread), so a worker_thread pins itself.
  if (sched_setaffinity(0, sizeof(set), &set) != 0) return ThrowErrno(env, errno, "sched_setaffinity");
#else
  // No-op twin: the OS has no per-thread affinity call; features() omits CPU_AFFINITY.
  if (!ArgInt(info, 0, "cpu", 0, INT32_MAX, &cpu)) return env.Undefined();
#endif
  return env.Undefined();
}

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return ThrowErrno(env, errno, "sched_getaffinity");
  uint32_t n = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &set)) out.Set(n++, Napi::Number::New(env, cpu));
  }
#endif
  return out;
}

Napi::Value GetTid(const Napi::CallbackInfo& info) {
#if defined(__linux__)
  return Napi::Number::New(info.Env(), static_cast<double>(syscall(SYS_gettid)));
#else
  return Napi::Number::New(info.Env(), static_cast<double>(getpid()));
#endif
}

}  // namespace

SwitchyardAddon::SwitchyardAddon(Napi::Env env, Napi::Object exports) {
  acceptorClass = Napi::Persistent(Acceptor::Define(env));
  forwarderClass = Napi::Persistent(Forwarder::Define(env));
  proberClass = Napi::Persistent(Prober::Define(env));
  struct Entry {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  };
  static const Entry kFunctions[] = {
      {"features", Features},         {"createListener", CreateListener},
      {"createUnixListener", CreateUnixListener}, {"setNonBlocking", SetNonBlocking},
      {"localPort", LocalPort},       {"peerAddress", PeerAddress}, {"localAddress", LocalAddress}, {"connectUnixDgram", ConnectUnixDgram}, {"peerPort", PeerPort},       {"dup", Dup},
      {"close", Close},               {"setNoDelay", SetNoDelay},
      {"setKeepAlive", SetKeepAlive}, {"shutdownWrite", ShutdownWrite},
      {"pinThread", PinThread},       {"getAffinity", GetAffinity},
      {"gettid", GetTid},             {"startAcceptor", Acceptor::Start},
      {"createForwarder", Forwarder::Create}, {"createProber", Prober::Create},
      {"getrlimit", GetRlimit},       {"setrlimit", SetRlimit},
      {"chroot", Chroot},
  };
  for (const Entry& e : kFunctions) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  exports.Set("apiVersion", Napi::Number::New(env, kApiVersion));
  DefineAddon(exports, {});  // records `exports` as the module's entry point
}

}  // namespace switchyard

using switchyard::SwitchyardAddon;
NODE_API_ADDON(SwitchyardAddon)
