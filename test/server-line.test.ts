// `server` and `default-server` line diagnostics, and what runs after a parse error, compared
// with the texts haproxy 2.6.12 -c printed for the same files (PIDs taken out).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfigText } from './helpers/proc.js';

const TIMEOUTS = 'defaults\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n';
const notices = (err: string): string => err.split('\n').filter((l) => !l.startsWith('[NOTICE]')).join('\n');

test('option errors: a server line names the server, a default-server line does not', () => {
  const r = checkConfigText(
    TIMEOUTS +
      'backend be\n  default-server weight 300\n  default-server foo\n  default-server inter\n' +
      '  server s1 127.0.0.1:80 weight -5\n  server s2 127.0.0.1:80 weight 12abc\n  server s3 127.0.0.1:80 inter\n  server s4 127.0.0.1:80 weight abc\n' +
      'backend x\n  server s1 127.0.0.1:80\n  server s1 127.0.0.1:81\n',
  );
  assert.equal(r.code, 1);
  // The duplicate name in backend x is a post-parse check: HAProxy only reports it once the
  // parse errors are fixed; Switchyard reports it at once, after them.
  assert.equal(
    notices(r.err).replace(/\[WARNING\][^\n]*\n(   \|[^\n]*\n)*/g, ''),
    [
      "[ALERT]    (PID) : config : [t.cfg:6] : weight of server default-server is not within 0 and 256 (300)..",
      "[ALERT]    (PID) : config : [t.cfg:7] : unknown keyword 'foo'; did you mean 'tfo' maybe ? Hint: no address was expected for this server.",
      "[ALERT]    (PID) : config : [t.cfg:8] : 'inter' expects a delay as argument..",
      "[ALERT]    (PID) : config : [t.cfg:9] : 'server be/s1' : weight of server s1 is not within 0 and 256 (-5)..",
      "[ALERT]    (PID) : config : [t.cfg:11] : 'server be/s3' : 'inter' expects a delay as argument..",
      "[ALERT]    (PID) : config : parsing [t.cfg:15] : backend 'x', another server named 's1' was already defined at line 14, please use distinct names.",
      '[ALERT]    (PID) : config : Error(s) found in configuration file : t.cfg',
      '[ALERT]    (PID) : config : Fatal errors found in configuration.',
      '',
    ].join('\n'),
  );
});

test('post-parse checks: duplicate server names before switching rules, default_backend before use_backend', () => {
  const r = checkConfigText(
    TIMEOUTS + 'backend x\n  server s1 127.0.0.1:80\n  server s1 127.0.0.1:81\nfrontend f\n  bind 127.0.0.1:9\n  default_backend nope\n  use_backend nope2\n',
  );
  assert.equal(r.code, 1);
  // Errors found only after parsing do not print "Error(s) found in configuration file".
  assert.equal(
    notices(r.err),
    [
      "[ALERT]    (PID) : config : parsing [t.cfg:7] : backend 'x', another server named 's1' was already defined at line 6, please use distinct names.",
      "[ALERT]    (PID) : config : Proxy 'f': unable to find required default_backend: 'nope'.",
      "[ALERT]    (PID) : config : Proxy 'f': unable to find required use_backend: 'nope2'.",
      '[ALERT]    (PID) : config : Fatal errors found in configuration.',
      '',
    ].join('\n'),
  );
});
