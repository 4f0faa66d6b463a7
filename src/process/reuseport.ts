// `noreuseport` (global, HAProxy's -dR): no listening socket gets SO_REUSEPORT. The data plane
// applies it where it binds (src/dataplane/runtime.ts):
//  - the `shared` and `main` accept modes bind one socket per address without SO_REUSEPORT
//    already: nothing changes;
//  - `switchyard.accept-mode reuseport` (one SO_REUSEPORT socket per worker) cannot exist
//    without it: the process uses `shared` instead (one socket, all workers) and says so;
//  - `bind ... shards by-thread` asks for one socket per thread on the same address: as in
//    HAProxy 2.6, the second bind() fails with EADDRINUSE and start-up stops.

import type { SectionKeyword } from '../config/keyword.js';

export const NOREUSEPORT: SectionKeyword = {
  name: 'noreuseport',
  status: 'ready',
  maxArgs: 0,
  summary:
    "no SO_REUSEPORT on listeners: accept-mode 'reuseport' falls back to 'shared'; 'shards by-thread' with several threads refuses to start (EADDRINUSE), as in HAProxy",
};
