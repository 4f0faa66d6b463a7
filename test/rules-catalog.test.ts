// Sanity tests for the sample fetch / converter / ACL catalogs, the cast matrix and the
// rule-set availability tables, plus a cross-check against the real haproxy -c when present.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ArgSpec, ArgType, SampleType } from '../src/rules/types.js';
import { FETCHES, findFetch, checkArgList, varNameError, DEVELOPER_FETCHES, ARG_TYPE_NAMES } from '../src/rules/catalog/fetches.js';
import { CONVERTERS, findConverter } from '../src/rules/catalog/converters.js';
import { ACL_DERIVATIVES, PREDEFINED_ACLS, findAclKeyword } from '../src/rules/catalog/acl-derivatives.js';
import { canCast } from '../src/rules/casts.js';
import {
  RULESETS, RULESET_PROVIDES, CHECKPOINTS, checkpointsFor, fetchAvailable, fetchCheckpoints,
  fetchUnavailableMessage, matchMethodAccepts, sourceNames, MATCH_METHODS,
} from '../src/rules/contexts.js';

const fetch = (name: string) => {
  const f = findFetch(name);
  assert.ok(f, `fetch ${name} exists`);
  return f;
};
const conv = (name: string) => {
  const c = findConverter(name);
  assert.ok(c, `converter ${name} exists`);
  return c;
};

test('no duplicate names', () => {
  for (const [what, names] of [
    ['fetches', FETCHES.map((f) => f.name)],
    ['converters', CONVERTERS.map((c) => c.name)],
    ['acl keywords', ACL_DERIVATIVES.map((d) => d.name)],
    ['predefined acls', PREDEFINED_ACLS.map((p) => p.name)],
  ] as const) {
    const seen = new Set<string>();
    for (const n of names) {
      assert.ok(!seen.has(n), `duplicate ${what} name ${n}`);
      seen.add(n);
    }
  }
});

test('catalog sizes match haproxy 2.6.12', () => {
  // haproxy -dKsmp lists 453 fetches, 14 of them developer-only (left out).
  assert.equal(FETCHES.length + DEVELOPER_FETCHES.length, 453);
  assert.equal(CONVERTERS.length, 135);
  assert.equal(ACL_DERIVATIVES.length, 77);
  assert.equal(PREDEFINED_ACLS.length, 22);
  for (const d of DEVELOPER_FETCHES) assert.equal(findFetch(d), undefined);
});

test('argument specs are consistent', () => {
  const rows: { name: string; args: ArgSpec }[] = [...FETCHES, ...CONVERTERS];
  for (const r of rows) {
    assert.ok(r.args.required >= 0 && r.args.required <= r.args.types.length, `${r.name}: required <= types.length`);
  }
});

test('every ACL keyword points at an existing fetch, with a method that fits its output', () => {
  for (const d of ACL_DERIVATIVES) {
    const f = findFetch(d.fetch);
    assert.ok(f, `${d.name} -> ${d.fetch}`);
    assert.ok(matchMethodAccepts(d.match, f.out), `${d.name}: -m ${d.match} on ${f.out}`);
  }
  assert.equal(findAclKeyword('hdr_beg')?.fetch, 'req.hdr');
  assert.equal(findAclKeyword('hdr')?.fetch, 'req.hdr');        // ACL `hdr` is the request one
  assert.equal(findAclKeyword('shdr_sub')?.fetch, 'res.hdr');
  assert.equal(findAclKeyword('payload')?.match, 'bin');
  assert.equal(findAclKeyword('req_ssl_ver')?.parse, 'dotted-ver');
  assert.equal(findAclKeyword('method')?.parse, 'meth');
  assert.equal(findAclKeyword('hdr_cnt'), undefined);           // a real fetch, not a derivative
  assert.equal(findAclKeyword('path_len')?.match, 'len');
  assert.equal(findAclKeyword('url_dom')?.fetch, 'url');
  assert.equal(findAclKeyword('urlp_reg')?.fetch, 'urlp');
  assert.equal(findAclKeyword('cook_end')?.fetch, 'req.cook');
});

test('predefined ACLs expand to known fetches or ACL keywords', () => {
  for (const p of PREDEFINED_ACLS) {
    const kw = p.expansion.split(' ')[0]!.replace(/\(.*$/, '');
    assert.ok(findFetch(kw) ?? findAclKeyword(kw), `${p.name}: ${kw}`);
  }
  assert.equal(PREDEFINED_ACLS.find((p) => p.name === 'METH_GET')?.expansion, 'method GET HEAD');
});

test('fetch spot checks against the manual and haproxy', () => {
  const hdr = fetch('hdr');
  assert.deepEqual(hdr.args.types, ['str', 'sint']);
  assert.equal(hdr.args.required, 0);
  assert.equal(hdr.out, 'str');
  assert.equal(hdr.match, 'str');
  assert.deepEqual(hdr.use, ['l7req', 'l7res']);           // req.hdr or res.hdr by context
  assert.deepEqual(fetch('req.hdr').use, ['l7req']);
  assert.deepEqual(fetch('res.hdr').use, ['l7res']);
  assert.deepEqual(fetch('url_param').args, fetch('urlp').args);
  assert.deepEqual(fetch('url_param').args.types, ['str', 'str']);
  assert.equal(fetch('path').match, 'str');
  assert.equal(fetch('src').match, 'ip');
  assert.equal(fetch('src').out, 'ipv4');
  assert.equal(fetch('nbsrv').match, 'int');
  assert.deepEqual(fetch('nbsrv').args, { types: ['be'], required: 1 });
  assert.equal(fetch('ssl_fc').match, 'bool');
  assert.equal(fetch('req.len').match, 'int');
  assert.equal(fetch('method').out, 'meth');
  assert.equal(fetch('method').match, 'str');
  assert.equal(fetch('req.body').match, undefined);        // bin: -m required
  assert.equal(fetch('var').match, undefined);             // any: -m required
  assert.deepEqual(fetch('var').args.types, ['var', 'str']);
  assert.deepEqual(fetch('payload').args, { types: ['sint', 'sint'], required: 2 });
  assert.deepEqual(fetch('sc_conn_cnt').args.types, ['sint', 'tab']);
  assert.deepEqual(fetch('sc0_conn_cnt').args, { types: ['tab'], required: 0 });
  assert.deepEqual(fetch('src_conn_cnt').args, { types: ['tab'], required: 1 });
  assert.deepEqual(fetch('srv_conn').args.types, ['srv']);
  assert.deepEqual(fetch('http_auth').args.types, ['usr']);
  assert.deepEqual(fetch('sc0_conn_cnt').status, { pending: 'stick-tables' });
  assert.deepEqual(fetch('src_http_req_rate').status, { pending: 'stick-tables' });
  assert.deepEqual(fetch('table_avl').status, { pending: 'stick-tables' });
  assert.equal(fetch('src_port').status, 'ready');                 // runtime implementation exists
  assert.deepEqual(fetch('url_ip').status, { pending: 'rules' });   // none yet
  assert.deepEqual(fetch('ssl_c_s_dn').status, { pending: 'tls' });
  assert.deepEqual(fetch('ssl_bc_cipher').status, { pending: 'tls' });
  assert.equal(fetch('req.ssl_sni').status, 'ready');               // the TCP session's payload (tcp-rules.test.ts)
  assert.equal(fetch('path').status, 'ready');
  assert.equal(fetch('ssl_fc_sni').status, 'ready');                 // from the session, no TLS layer needed
  assert.deepEqual(fetch('ssl_fc_alpn').status, { pending: 'tls' });
  for (const alias of ['cook', 'shdr', 'scook', 'urlp', 'req_ssl_sni', 'resp_ver', 'sc2_gpc1_rate', 'hdr_val']) fetch(alias);
  assert.equal(findFetch('internal.htx.data'), undefined);
});

test('fetch validators reproduce haproxy messages', () => {
  assert.equal(fetch('hdr').args.validate?.(['a', '-11']), 'header occurrence must be >= -10');
  assert.equal(fetch('hdr').args.validate?.(['a', '-10']), undefined);
  assert.equal(fetch('fc_rtt').args.validate?.(['xx']), "expects 'us' or 'ms', got 'xx'");
  assert.equal(fetch('fc_rtt').args.validate?.([]), undefined);
  assert.equal(fetch('bool').args.validate?.(['x']), "Expects 'true', 'false', '0' or '1'");
  assert.equal(fetch('bin').args.validate?.(['zz']), "an hex digit is expected (found 'z')");
  assert.equal(fetch('bin').args.validate?.(['0']), 'an even number of hex digit is expected');
  assert.equal(fetch('uuid').args.validate?.(['3']), "Unsupported UUID version: '3'");
  assert.equal(fetch('date').args.validate?.(['0', 'x']), "expects 's', 'ms' or 'us', got 'x'");
  assert.equal(fetch('var').args.validate?.(['']), 'Empty variable name cannot be accepted');
  assert.equal(fetch('var').args.validate?.(['txn.a-b']), "invalid syntax at char '-b'");
  assert.match(fetch('var').args.validate?.(['foo']) ?? '', /^invalid variable name 'foo'\. A variable name must be start by its scope/);
  assert.notEqual(varNameError('txn.'), undefined);
  assert.equal(varNameError('proc.a.b_c'), undefined);
  assert.equal(fetch('payload_lv').args.validate?.(['0', '0']), 'payload length must be > 0');
  assert.equal(fetch('distcc_body').args.validate?.(['abc']), 'token name must be exactly 4 characters');
});

test('converter spot checks', () => {
  assert.deepEqual(conv('ipmask').args, { types: ['msk4', 'msk6'], required: 1 });
  assert.equal(conv('ipmask').in, 'addr');
  assert.equal(conv('lower').in, 'str');
  assert.equal(conv('length').out, 'sint');
  assert.equal(conv('map_str_int').out, 'sint');
  assert.equal(conv('map_ip').in, 'addr');
  assert.deepEqual(conv('table_gpc0').status, { pending: 'stick-tables' });
  assert.equal(conv('lower').status, 'ready');
  assert.deepEqual(conv('xxh64').status, { pending: 'rules' });
  const v = (name: string, args: string[]) => conv(name).args.validate?.(args);
  assert.equal(v('digest', ['sha256']), undefined);
  assert.equal(v('digest', ['SHA-256']), undefined);
  assert.equal(v('digest', ['foo']), 'algorithm must be a valid OpenSSL message digest name.');
  assert.equal(v('hmac', ['sha256', 'abc']), 'failed to parse key : argument needs to be base64 encoded, and can either be a string or a variable');
  assert.equal(v('hmac', ['sha256', 'txn.key']), undefined);
  assert.equal(v('json', ['foo']), "Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'");
  assert.equal(v('json', []), undefined);
  assert.equal(v('field', ['0', ':']), 'Unexpected value 0 for index');
  assert.equal(v('word', ['1', '']), 'Empty separators list');
  assert.equal(v('regsub', ['a', 'b', 'x']), "invalid regex flag 'x', only 'i' and 'g' are supported");
  assert.equal(v('regsub', ['a', 'b', 'ig']), undefined);
  assert.equal(v('add', ['x']), 'expects an integer or a variable name');
  assert.equal(v('add', ['txn.a']), undefined);
  assert.equal(v('add', []), undefined);
  assert.equal(v('set-var', ['txn.a', 'ifxx']), 'unknown condition "ifxx"');
  assert.equal(v('sha2', ['100']), "Unsupported number of bits: '100'");
  assert.equal(v('be2dec', [':']), 'chunk_size out of [1..8] range (0)');
  assert.equal(v('jwt_verify', ['PS256', 'k']), 'RSASSA-PSS JWS signing not managed yet');
  assert.equal(v('mqtt_field_value', ['connect', 'bar']), "Unknown MQTT field name 'bar' for packet type 'connect'");
  assert.equal(v('fix_tag_value', ['MsgType']), undefined);
  assert.equal(v('protobuf', ['1', 'foo']), "Wrong protocol buffer type 'foo'");
  assert.equal(v('strcmp', ['']), 'missing variable name');
  assert.equal(v('url_enc', ['x']), "Unexpected encode type. Allowed value is 'query'");
});

test('argument count rules', () => {
  const hdr = fetch('hdr').args;
  assert.deepEqual(checkArgList(hdr, undefined), { args: [] });
  assert.deepEqual(checkArgList(hdr, ['']), { args: [''] });
  assert.equal(checkArgList(hdr, ['a', '1', '2']).error, "expected ')' before ',2)'");
  assert.equal(checkArgList(fetch('payload').args, ['0']).error, "missing arguments (got 1/2), type 'integer' expected");
  assert.equal(checkArgList(fetch('payload').args, ['']).error, "expected type 'integer' at position 1, but got nothing");
  assert.equal(checkArgList(fetch('sc_conn_cnt').args, undefined).error, "expected type 'integer' at position 1, but got nothing");
  assert.deepEqual(checkArgList(fetch('be_conn').args, undefined), { args: [''] });   // current backend
  assert.deepEqual(checkArgList(fetch('uuid').args, ['']), { args: [] });
  assert.equal(checkArgList(fetch('rand').args, ['', '5']).error, "expected ')' before ',5)'");
  assert.equal(checkArgList(conv('lower').args, ['x']).error, "expected ')' before 'x)'");
  assert.equal(checkArgList(conv('lower').args, ['x']).errorArg, 1);
  assert.equal(checkArgList(conv('url_dec').args, ['1', '1']).errorArg, 2);
  assert.equal(checkArgList(conv('bytes').args, ['1', '1', '1']).errorArg, 2);
  assert.equal(checkArgList(conv('add_item').args, ['a', 'b', 'c', 'd']).errorArg, 3);
  assert.equal(checkArgList(conv('word').args, ['1']).errorArg, 2);
  assert.deepEqual(checkArgList(conv('lower').args, ['']), { args: [] });
  assert.equal(checkArgList(conv('word').args, ['1']).error, "missing arguments (got 1/2), type 'string' expected");
  assert.equal(checkArgList(conv('ipmask').args, undefined).error, "expected type 'IPv4 mask' at position 1, but got nothing");
});

test('cast matrix', () => {
  const yes: [SampleType, SampleType][] = [
    ['str', 'sint'], ['sint', 'str'], ['ipv4', 'ipv6'], ['ipv6', 'ipv4'], ['bool', 'str'], ['str', 'meth'],
    ['bin', 'str'], ['str', 'bin'], ['ipv4', 'sint'], ['sint', 'ipv4'], ['ipv4', 'addr'], ['any', 'ipv6'],
    ['meth', 'str'], ['bin', 'meth'], ['addr', 'any'], ['sint', 'bool'], ['str', 'addr'],
  ];
  const no: [SampleType, SampleType][] = [
    ['bin', 'sint'], ['meth', 'sint'], ['addr', 'addr'], ['addr', 'str'], ['addr', 'ipv4'], ['ipv6', 'sint'],
    ['bool', 'ipv4'], ['sint', 'meth'], ['bin', 'ipv4'], ['ipv4', 'bool'], ['meth', 'addr'],
  ];
  for (const [a, b] of yes) assert.ok(canCast(a, b), `${a} -> ${b}`);
  for (const [a, b] of no) assert.ok(!canCast(a, b), `${a} -/-> ${b}`);
});

test('match methods against output types', () => {
  assert.ok(MATCH_METHODS.includes('dom'));
  assert.ok(matchMethodAccepts('ip', 'str'));
  assert.ok(matchMethodAccepts('str', 'ipv4'));
  assert.ok(matchMethodAccepts('sub', 'bin'));
  assert.ok(matchMethodAccepts('found', 'meth'));
  assert.ok(!matchMethodAccepts('int', 'bin'));
  assert.ok(!matchMethodAccepts('ip', 'meth'));
  assert.ok(matchMethodAccepts('bool', 'str'));
});

test('exact availability and messages', () => {
  const fe = { frontend: true, backend: false };
  const be = { frontend: false, backend: true };
  const conn = checkpointsFor('tcp-request connection', fe);
  assert.ok(!fetchAvailable(fetch('path'), conn));
  assert.ok(fetchAvailable(fetch('src'), conn));
  assert.ok(!fetchAvailable(fetch('ssl_fc'), conn));
  assert.ok(fetchAvailable(fetch('ssl_fc'), checkpointsFor('tcp-request session', fe)));
  const feReq = checkpointsFor('http-request', fe);
  assert.ok(!fetchAvailable(fetch('res.hdr'), feReq));
  assert.ok(!fetchAvailable(fetch('be_name'), feReq));
  assert.ok(fetchAvailable(fetch('be_name'), checkpointsFor('http-request', be)));
  assert.ok(fetchAvailable(fetch('method'), checkpointsFor('http-response', be)));
  assert.ok(!fetchAvailable(fetch('path'), checkpointsFor('http-response', be)));
  assert.ok(fetchAvailable(fetch('hdr'), checkpointsFor('http-response', be)));
  assert.ok(!fetchAvailable(fetch('res.hdr'), checkpointsFor('use_backend', fe)));
  assert.ok(!fetchAvailable(fetch('path'), checkpointsFor('log-format', fe)));
  assert.ok(fetchAvailable(fetch('capture.req.hdr'), checkpointsFor('log-format', fe)));
  assert.equal(sourceNames(fetch('hdr').src), 'HTTP request headers,HTTP response headers');

  assert.deepEqual(
    fetchUnavailableMessage({ kind: 'acl', keyword: 'res.hdr', partial: false }, fetch('res.hdr'), feReq),
    { severity: 'warning', message: "anonymous acl will never match because it uses keyword 'res.hdr' which is incompatible with 'frontend http-request header rule'" },
  );
  assert.equal(
    fetchUnavailableMessage({ kind: 'acl', keyword: 'path', partial: false, tcpRule: 'tcp-request connection' }, fetch('path'), conn).message,
    "anonymous acl will never match in 'tcp-request connection' because it uses keyword 'path' which is incompatible with 'frontend tcp-request connection rule'",
  );
  assert.equal(
    fetchUnavailableMessage({ kind: 'acl', acl: 'p', keyword: 'res.hdr', partial: true }, fetch('res.hdr'), checkpointsFor('use_backend', fe)).message,
    "acl 'p' involves keywords 'res.hdr' which is incompatible with 'frontend use-backend rule'",
  );
  assert.deepEqual(
    fetchUnavailableMessage({ kind: 'log-format', text: 'res.hdr(x)]' }, fetch('res.hdr'), feReq),
    { severity: 'alert', message: "sample fetch <res.hdr(x)]> may not be reliably used here because it needs 'HTTP response headers' which is not available here" },
  );
  assert.equal(
    fetchUnavailableMessage({ kind: 'expr', label: 'set-var(txn.b)' }, fetch('be_name'), feReq).message,
    "fetch method 'set-var(txn.b)' extracts information from 'backend', none of which is available here",
  );
  assert.equal(
    fetchUnavailableMessage({ kind: 'stick', phase: 'store-response' }, fetch('path'), checkpointsFor('stick store-response', be)).message,
    "'stick': fetch method 'path' extracts information from 'HTTP request headers', none of which is available for 'store-response'.",
  );
});

test('coarse RULESET_PROVIDES never refuses what haproxy accepts', () => {
  const both = { frontend: true, backend: true };
  const overPermissive = new Set<string>();
  for (const rs of RULESETS) {
    const where = checkpointsFor(rs, both);
    const provided = new Set(RULESET_PROVIDES[rs]);
    for (const f of FETCHES) {
      const exact = fetchAvailable(f, where);
      const coarse = f.use.some((u) => provided.has(u));
      // res.cache_hit/res.cache_name are also allowed at `server sni` by an extra HAProxy flag
      if (exact) {
        if (f.alsoAt === undefined) assert.ok(coarse, `${f.name} in ${rs}: haproxy accepts, coarse table refuses`);
      } else if (coarse) {
        overPermissive.add(f.src.join('+'));
      }
    }
  }
  // Known approximations: backend/frontend state, server-side sources in `server sni`, intrn in checks.
  for (const s of overPermissive) {
    assert.ok(['bkend', 'ftend', 'listn', 'l4srv', 'l5srv'].includes(s), `unexpected coarse mismatch for ${s}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Cross-check against the real haproxy: argument-count validity of ~40 keywords.

const HAPROXY = '/usr/sbin/haproxy';

test('haproxy -c agrees on argument counts', { skip: !existsSync(HAPROXY) && 'no /usr/sbin/haproxy' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  try {
    const mapFile = join(dir, 'str.map');
    writeFileSync(mapFile, 'a b\n');
    writeFileSync(join(dir, 'int.map'), 'a 1\n');
    const byType: Record<ArgType, string> = {
      str: 'x', sint: '1', time: '1s', size: '1k', fe: 'l', be: 'l', tab: 'l', srv: 'l/s', usr: 'ul',
      map: mapFile, reg: 'a', var: 'txn.a', msk4: '24', msk6: '64', ipv4: '1.2.3.4', ipv6: '::1',
    };
    const full: Record<string, string[]> = {
      fc_rtt: ['ms'], date: ['0', 's'], uuid: ['4'], bin: ['00'], bool: ['1'], distcc_param: ['abcd', '1'],
      ssl_c_s_dn: ['CN', '1', 'rfc2253'], payload_lv: ['0', '1', '+1'], var: ['txn.a', 'd'], env: ['HOME'],
      digest: ['sha256'], hmac: ['sha256', 'YWJj'], json: ['utf8'], field: ['1', ':', '1'], word: ['1', ':', '1'],
      regsub: ['a', 'b', 'g'], json_query: ['$.a', 'int'], protobuf: ['1', 'int32'], be2dec: [':', '1', '0'],
      be2hex: [':', '1', '0'], http_date: ['0', 's'], sha2: ['256'], jwt_header_query: ['$.a', 'int'],
      aes_gcm_dec: ['128', 'txn.n', 'txn.k', 'txn.t'], 'set-var': ['txn.a', 'ifexists', 'ifnotexists', 'ifempty', 'ifnotempty'],
      ltime: ['%Y', '0'], iif: ['a', 'b'], concat: ['a', 'txn.a', 'b'], add_item: [';', 'txn.a', 'x'],
      table_gpc: ['0', 'l'], sc_get_gpc: ['0', '0', 'l'], map_str_int: [mapFile.replace('str.map', 'int.map'), '0'],
      strcmp: ['txn.a'], add: ['1'], meth: ['GET'],
    };
    const fetchNames = [
      'hdr', 'req.hdr', 'url_param', 'urlp', 'cook', 'payload', 'payload_lv', 'sc_conn_cnt', 'sc0_conn_cnt',
      'src_conn_cnt', 'sc_get_gpc', 'table_cnt', 'be_conn', 'srv_conn', 'nbsrv', 'http_auth', 'str', 'int', 'bin',
      'bool', 'date', 'rand', 'uuid', 'var', 'env', 'fc_rtt', 'distcc_param', 'ssl_c_s_dn', 'capture.req.hdr',
      'req.body_param', 'path', 'src', 'meth', 'ipv4', 'base32+src',
    ];
    const convNames = [
      'lower', 'field', 'word', 'regsub', 'ipmask', 'digest', 'hmac', 'json', 'map', 'map_str_int', 'concat',
      'add_item', 'add', 'bytes', 'crc32', 'sha2', 'set-var', 'table_gpc', 'in_table', 'ltime', 'be2dec',
      'be2hex', 'url_dec', 'json_query', 'protobuf', 'iif', 'strcmp', 'http_date', 'jwt_header_query', 'aes_gcm_dec',
    ];
    const baseFor: Partial<Record<SampleType, string>> = {
      str: 'str(x)', bin: 'str(x)', any: 'str(x)', sint: 'int(1)', bool: 'bool(1)', addr: 'src',
    };

    interface Case { line: string; expectOk: boolean; expectMsg?: string }
    const cases: Case[] = [];
    const render = (name: string, given: readonly string[] | undefined) => (given === undefined ? name : `${name}(${given.join(',')})`);
    const predict = (name: string, spec: ArgSpec, given: readonly string[] | undefined, isConverter: boolean) => {
      const r = checkArgList(spec, given);
      if (r.error !== undefined) {
        const msg = isConverter
          ? `invalid arg ${r.errorArg} in converter '${name}' : ${r.error}`
          : findAclKeyword(name) ? `ACL keyword '${name}' : ${r.error}` : `fetch method '${name}' : ${r.error}`;
        return { ok: false, msg };
      }
      // names that resolve later: an empty server/userlist/regex/map is refused by haproxy too
      for (let i = 0; i < r.args.length; i++) {
        if (r.args[i] === '' && ['srv', 'usr', 'reg', 'map'].includes(spec.types[i]!)) return { ok: false };
      }
      if (spec.validate && (isConverter || r.args.length > 0) && spec.validate(r.args) !== undefined) return { ok: false };
      return { ok: true };
    };
    const variants = (spec: ArgSpec, vals: string[]): (readonly string[] | undefined)[] => {
      const out: (readonly string[] | undefined)[] = [];
      out.push(spec.required === 0 ? undefined : vals.slice(0, spec.required));
      if (spec.types.length > 0) out.push(vals);
      out.push([...vals, '1']);
      if (spec.required >= 1) {
        out.push(undefined);
        out.push(spec.required === 1 ? [''] : vals.slice(0, spec.required - 1));
      }
      return out;
    };
    const valuesFor = (name: string, spec: ArgSpec) => full[name] ?? spec.types.map((t) => byType[t]);

    for (const name of fetchNames) {
      const spec = fetch(name).args;
      for (const given of variants(spec, valuesFor(name, spec))) {
        const p = predict(name, spec, given, false);
        cases.push({ line: `${render(name, given)} -m found`, expectOk: p.ok, ...(p.msg ? { expectMsg: p.msg } : {}) });
      }
    }
    for (const name of convNames) {
      const c = conv(name);
      const base = baseFor[c.in];
      assert.ok(base, `base fetch for ${c.in}`);
      for (const given of variants(c.args, valuesFor(name, c.args))) {
        const p = predict(name, c.args, given, true);
        cases.push({ line: `${base},${render(name, given)} -m found`, expectOk: p.ok, ...(p.msg ? { expectMsg: p.msg } : {}) });
      }
    }
    assert.ok(cases.length >= 100, `enough cases (${cases.length})`);

    const header = [
      'userlist ul', '  user u insecure-password p',
      'defaults', '  mode http', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s',
      'listen l', '  bind 127.0.0.1:1', '  stick-table type string size 1k store conn_cnt,gpc(2),gpt(2)',
      '  server s 127.0.0.1:80',
    ];
    // haproxy stops after 50 fatal errors, and name-resolution errors (missing server name...)
    // only show when parsing succeeded: check the valid cases together, the invalid ones in
    // chunks, and re-run alone any invalid case a chunk did not report.
    const runHaproxy = (lines: readonly Case[]): Map<number, string> => {
      const cfgFile = join(dir, 'haproxy.cfg');
      writeFileSync(cfgFile, [...header, ...lines.map((c, i) => `  acl c${i} ${c.line}`)].join('\n') + '\n');
      const res = spawnSync(HAPROXY, ['-c', '-f', cfgFile], { encoding: 'utf8' });
      const alerts = new Map<number, string>();
      for (const l of `${res.stdout}${res.stderr}`.split('\n')) {
        const m = /\[ALERT\].*\[[^\]]*:(\d+)\]/.exec(l);
        if (m) alerts.set(Number(m[1]) - header.length - 1, l);
      }
      return alerts;
    };
    const mismatches: string[] = [];
    const good = cases.filter((c) => c.expectOk);
    const okAlerts = runHaproxy(good);
    good.forEach((c, i) => {
      const alert = okAlerts.get(i);
      if (alert) mismatches.push(`expected ok: ${c.line}\n    ${alert}`);
    });
    const bad = cases.filter((c) => !c.expectOk);
    for (let from = 0; from < bad.length; from += 40) {
      const chunk = bad.slice(from, from + 40);
      const alerts = runHaproxy(chunk);
      chunk.forEach((c, i) => {
        const alert = alerts.get(i) ?? runHaproxy([c]).get(0);
        if (!alert) mismatches.push(`expected error: ${c.line}`);
        else if (c.expectMsg && !alert.includes(c.expectMsg)) {
          mismatches.push(`message differs for ${c.line}: ours "${c.expectMsg}"\n    ${alert}`);
        }
      });
    }
    t.diagnostic(`${cases.length} usages of ${fetchNames.length} fetches and ${convNames.length} converters: ${good.length} valid, ${bad.length} refused`);
    assert.deepEqual(mismatches, []);
  } finally {
    if (!process.env.KEEP_CATALOG_TMP) rmSync(dir, { recursive: true, force: true });
  }
});

test('haproxy -dK keyword dumps match the tables', { skip: !existsSync(HAPROXY) && 'no /usr/sbin/haproxy' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-dk-'));
  try {
    const cfg = join(dir, 'empty.cfg');
    writeFileSync(cfg, 'global\n');
    const dump = (cls: string) => {
      const r = spawnSync(HAPROXY, [`-dK${cls}`, '-c', '-f', cfg], { encoding: 'utf8' });
      return `${r.stdout}${r.stderr}`.split('\n');
    };
    const sig = (name: string, spec: ArgSpec) => {
      if (spec.types.length === 0) return '';
      const names = spec.types.map((t, i) =>
        (name === 'protobuf' || name === 'ungrpc') && i === 0 ? 'Protocol buffers field number' : ARG_TYPE_NAMES[t]);
      const req = names.slice(0, spec.required).join(',');
      const opt = names.slice(spec.required).join(',');
      return `(${req}${opt ? `${req ? '[,' : '['}${opt}]` : ''})`;
    };
    // fetches: "[ Y . Y ... ] name(args): out", one column per checkpoint
    const seen = new Set<string>();
    for (const line of dump('smp')) {
      const m = /^\[([ Y.]+)\] ([^:(]+)(\(.*\))?: (\w+)$/.exec(line);
      if (!m) continue;
      const name = m[2]!;
      seen.add(name);
      if (DEVELOPER_FETCHES.includes(name)) continue;
      const f = fetch(name);
      assert.equal(f.out, m[4], `${name} output`);
      assert.equal(sig(name, f.args), m[3] ?? '', `${name} args`);
      const cols = m[1]!.trim().split(/\s+/);
      const mine = fetchCheckpoints(f);
      assert.deepEqual(CHECKPOINTS.map((c) => (mine.has(c) ? 'Y' : '.')).join(''), cols.join(''), `${name} checkpoints`);
    }
    for (const f of FETCHES) assert.ok(seen.has(f.name), `${f.name} known to haproxy`);
    // converters: "name(args): out => in"
    const seenConv = new Set<string>();
    for (const line of dump('cnv')) {
      const m = /^([^:(# ]+)(\(.*\))?: (\w+) => (\w+)$/.exec(line);
      if (!m) continue;
      const c = conv(m[1]!);
      seenConv.add(c.name);
      assert.equal(c.out, m[3], `${c.name} output`);
      assert.equal(c.in, m[4], `${c.name} input`);
      assert.equal(sig(c.name, c.args), m[2] ?? '', `${c.name} args`);
    }
    for (const c of CONVERTERS) assert.ok(seenConv.has(c.name), `${c.name} known to haproxy`);
    // ACL keywords: "name = fetch -m method"
    const seenAcl = new Set<string>();
    for (const line of dump('acl')) {
      const m = /^(\S+) = (\S+) -m (\w+)$/.exec(line);
      if (!m) continue;
      const k = findAclKeyword(m[1]!);
      assert.ok(k, `ACL keyword ${m[1]}`);
      seenAcl.add(k.name);
      assert.equal(k.fetch, m[2]);
      assert.equal(k.match, m[3]);
    }
    assert.equal(seenAcl.size, ACL_DERIVATIVES.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
