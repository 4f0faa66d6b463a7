// HAProxy's command line (management.txt §3), so init scripts, systemd units and test drivers
// run us unchanged. Parsing only: what each mode does lives in ./main.ts.

export interface CliArgs {
  files: string[];
  check: boolean;
  /** -cc EXPR */
  condition?: string;
  version: 0 | 1 | 2;
  debug: boolean;
  foreground: boolean;
  daemon: boolean;
  masterWorker: boolean;
  systemd: boolean;
  quiet: boolean;
  verbose: boolean;
  diagMode: boolean;
  failOnWarning: boolean;
  pidfile?: string;
  softStop: number[];
  hardStop: number[];
  socketXfer?: string;
  masterCli: string[];
  localPeer?: string;
  memoryMb?: number;
  maxconn?: number;
  maxpconn?: number;
  chdir?: string;
  /** Debug/tuning flags accepted for compatibility (-dM, -dI, -dr, -dV, -de, -dp, -dS, -dG, -dR ...). */
  ignoredFlags: string[];
  /** `npm start`: run the embedded demo configuration. */
  demo: boolean;
}

export type ParsedArgs = { ok: true; args: CliArgs } | { ok: false; error: string };

/** Flags HAProxy accepts that change nothing we implement differently. */
const IGNORED_DEBUG = /^-d(M.*|I|W|r|V|e|p|S|G|R|L|K.*|Z|F|t|c)$/;

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const a: CliArgs = {
    files: [],
    check: false,
    version: 0,
    debug: false,
    foreground: false,
    daemon: false,
    masterWorker: false,
    systemd: false,
    quiet: false,
    verbose: false,
    diagMode: false,
    failOnWarning: false,
    softStop: [],
    hardStop: [],
    masterCli: [],
    ignoredFlags: [],
    demo: false,
  };
  const needValue = (i: number, flag: string): string | ParsedArgs => {
    const v = argv[i + 1];
    if (v === undefined) return { ok: false, error: `option ${flag} requires an argument` };
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      a.files.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      return { ok: false, error: `unexpected argument '${arg}'` };
    }
    const takeValue = (): string | undefined => {
      const v = needValue(i, arg);
      if (typeof v !== 'string') return undefined;
      i++;
      return v;
    };
    switch (arg) {
      case '-f': {
        const v = takeValue();
        if (v === undefined) return { ok: false, error: 'option -f requires a file or directory name' };
        a.files.push(v);
        continue;
      }
      case '-c':
        a.check = true;
        continue;
      case '-cc': {
        const v = takeValue();
        if (v === undefined) return { ok: false, error: 'option -cc requires a condition' };
        a.condition = v;
        continue;
      }
      case '-v':
        a.version = Math.max(a.version, 1) as 1 | 2;
        continue;
      case '-vv':
        a.version = 2;
        continue;
      case '-d':
        a.debug = true;
        a.foreground = true;
        continue;
      case '-db':
        a.foreground = true;
        continue;
      case '-dD':
        a.diagMode = true;
        continue;
      case '-dW':
        a.failOnWarning = true;
        continue;
      case '-D':
        a.daemon = true;
        continue;
      case '-W':
        a.masterWorker = true;
        continue;
      case '-Ws':
        a.masterWorker = true;
        a.systemd = true;
        continue;
      case '-q':
        a.quiet = true;
        continue;
      case '-V':
        a.verbose = true;
        continue;
      case '--demo':
        a.demo = true;
        continue;
      case '-p':
      case '-x':
      case '-S':
      case '-L':
      case '-C':
      case '-m':
      case '-n':
      case '-N': {
        const v = takeValue();
        if (v === undefined) return { ok: false, error: `option ${arg} requires an argument` };
        if (arg === '-p') a.pidfile = v;
        else if (arg === '-x') a.socketXfer = v;
        else if (arg === '-S') a.masterCli.push(v);
        else if (arg === '-L') a.localPeer = v;
        else if (arg === '-C') a.chdir = v;
        else {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 0) return { ok: false, error: `option ${arg} expects a number, got '${v}'` };
          if (arg === '-m') a.memoryMb = n;
          else if (arg === '-n') a.maxconn = n;
          else a.maxpconn = n;
        }
        continue;
      }
      case '-sf':
      case '-st': {
        // Every following numeric word is a pid, as HAProxy reads them.
        const list = arg === '-sf' ? a.softStop : a.hardStop;
        while (i + 1 < argv.length && /^[0-9]+$/.test(argv[i + 1]!)) list.push(Number(argv[++i]));
        continue;
      }
    }
    if (IGNORED_DEBUG.test(arg)) {
      a.ignoredFlags.push(arg);
      continue;
    }
    return { ok: false, error: `unknown option '${arg}'` };
  }
  return { ok: true, args: a };
}

export const USAGE = `Usage : switchyard [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
        [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
        -v displays version ; -vv shows known build options.
        -d enters debug mode ; -db only disables background mode.
        -dM[<byte>,help,...] debug memory (accepted, no effect)
        -V enters verbose mode (disables quiet mode)
        -D goes daemon ; -C changes to <dir> before loading files.
        -W master-worker mode.
        -Ws master-worker mode with systemd notify support.
        -q quiet mode : don't display messages
        -c check mode : only check config files and exit
        -cc check condition : evaluate a condition and exit
        -n sets the maximum total # of connections (uses ulimit -n)
        -m limits the usable amount of memory (in MB)
        -N sets the default, per-proxy maximum # of connections (0)
        -L set local peer name (default to hostname)
        -p writes pids of all children to this file
        -dr -dV -dS -dG -dR -de -dp -dI -dW accepted like HAProxy's debug flags
        -dD diagnostic mode : warn about suspicious configuration statements
        -sf/-st [pid ]* finishes/terminates old pids.
        -x <unix_socket> get listening sockets from a unix socket
        -S <bind>[,<bind options>...] new master CLI
`;
