#include "sockaddr.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include <cstdlib>

#include "args.h"
#include "errors.h"

namespace switchyard {

bool ParseSockAddr(const std::string& host, int port, int family, SockAddr* out) {
  *out = SockAddr{};
  if (family == 4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out->storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    if (host.empty()) {
      sin->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) != 1) {
      return false;
    }
    out->len = sizeof(sockaddr_in);
    out->family = AF_INET;
    return true;
  }
  if (family == 6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    std::string addr = host;
    size_t pct = host.find('%');
    if (pct != std::string::npos) {
      addr = host.substr(0, pct);
      std::string scope = host.substr(pct + 1);
      if (scope.empty()) return false;
      unsigned index = if_nametoindex(scope.c_str());
      if (index == 0) {
        char* end = nullptr;
        unsigned long n = strtoul(scope.c_str(), &end, 10);
        if (end == scope.c_str() || *end != '\0') return false;
        index = static_cast<unsigned>(n);
      }
      sin6->sin6_scope_id = index;
    }
    if (addr.empty()) {
      sin6->sin6_addr = in6addr_any;
    } else if (inet_pton(AF_INET6, addr.c_str(), &sin6->sin6_addr) != 1) {
      return false;
    }
    out->len = sizeof(sockaddr_in6);
    out->family = AF_INET6;
    return true;
  }
  return false;
}

std::string DisplayAddr(const std::string& host, int port, int family) {
  if (family == 6) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

bool ReadSockAddr(Napi::Object obj, const char* objName, SockAddr* out, std::string* display) {
  Napi::Env env = obj.Env();
  std::string host;
  int64_t port = 0;
  int64_t family = 0;
  if (!ReqString(obj, "host", objName, &host)) return false;
  if (!ReqInt(obj, "port", objName, 0, 65535, &port)) return false;
  if (!ReqInt(obj, "family", objName, 4, 6, &family)) return false;
  if (family != 4 && family != 6) {
    ThrowArg(env, "ERR_INVALID_ARG_VALUE",
             std::string("The \"") + objName + ".family\" property must be 4 or 6");
    return false;
  }
  if (!ParseSockAddr(host, static_cast<int>(port), static_cast<int>(family), out)) {
    ThrowArg(env, "ERR_INVALID_ARG_VALUE",
             std::string("The \"") + objName + ".host\" property must be a numeric IPv" +
                 std::to_string(family) + " address. Received '" + host + "'");
    return false;
  }
  *display = DisplayAddr(host, static_cast<int>(port), static_cast<int>(family));
  return true;
}

}  // namespace switchyard
