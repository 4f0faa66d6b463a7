// Numeric socket addresses (no DNS: name resolution is policy and stays in JS).
#pragma once

#include <napi.h>
#include <sys/socket.h>

#include <string>

namespace switchyard {

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family = 0;  // AF_INET or AF_INET6

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Parses a numeric host ("" = any address) for family 4 or 6. Returns false when the host is
// not a literal address of that family (IPv6 may carry a %scope suffix).
bool ParseSockAddr(const std::string& host, int port, int family, SockAddr* out);

// Reads {host: string, port: number, family: 4|6} from `obj` (named `objName` in messages);
// returns false with a TypeError pending.
bool ReadSockAddr(Napi::Object obj, const char* objName, SockAddr* out, std::string* display);

// "127.0.0.1:80" / "[::1]:80", for error messages.
std::string DisplayAddr(const std::string& host, int port, int family);

}  // namespace switchyard
