{
  # The Switchyard native addon: thin syscall wrappers (listeners, accept thread, dup/close,
  # CPU pinning, socket options, resource limits), the splice forwarder and health-check probes. Built offline
  # against the local Node headers (npm's nodedir=/usr). The typed loader is src/native/addon.ts.
  "targets": [
    {
      "target_name": "switchyard",
      "sources": [
        "native/addon.cc",
        "native/errors.cc",
        "native/args.cc",
        "native/sockaddr.cc",
        "native/acceptor.cc",
        "native/forwarder.cc",
        "native/loop_acceptor.cc",
        "native/limits.cc",
        "native/prober.cc"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "_GNU_SOURCE"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O3", "-fexceptions"],
      "cflags_cc!": ["-O3", "-fexceptions"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_OPTIMIZATION_LEVEL": "2",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17"
          }
        }]
      ]
    }
  ]
}
