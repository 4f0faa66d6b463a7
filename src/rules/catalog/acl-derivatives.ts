// ACL keywords of HAProxy 2.6.12 (`haproxy -dKacl`): names only valid inside ACLs, each a
// sample fetch plus a fixed match method. In an ACL the ACL keyword wins over a fetch of the
// same name, which matters: `hdr`, `cook` and `payload` in an ACL are the *request* fetches
// req.hdr / req.cook / req.payload (so `acl x hdr(a) -m found` in http-response never matches),
// and `method`, `req_ssl_ver`, `http_auth_group` parse their patterns specially.
//
// When converters follow an ACL keyword (`hdr_beg(host),lower`), HAProxy drops the keyword's
// match method and picks the default of the converter's output type (str -> str, sint -> int,
// ...), and ACL messages then name the fetch (req.hdr), not the keyword.
//
// Not ACL keywords (plain fetches whose ACL default comes from their output type): hdr_cnt,
// hdr_val, hdr_ip, cook_cnt, cook_val, url_ip, url_port, urlp_val, req.ssl_sni, ...

import type { AclDerivative, MatchMethod } from '../types.js';

export interface AclKeyword extends AclDerivative {
  /**
   * Special pattern parsing: 'meth' (method: known methods or tokens, matched exactly, -i
   * allowed), 'dotted-ver' (req_ssl_ver/req.ssl_ver: patterns like 3.1 or 3.0:3.3, int
   * match on major<<16|minor), 'auth-group' (http_auth_group: patterns are userlist groups).
   */
  readonly parse?: 'meth' | 'dotted-ver' | 'auth-group';
}

const fam = (prefix: string, fetch: string, withPlain: boolean): AclKeyword[] => {
  const out: AclKeyword[] = [];
  if (withPlain) out.push({ name: prefix, fetch, match: 'str' });
  const suffixes: readonly MatchMethod[] = ['beg', 'dir', 'dom', 'end', 'len', 'reg', 'sub'];
  for (const m of suffixes) out.push({ name: `${prefix}_${m}`, fetch, match: m });
  return out;
};

export const ACL_DERIVATIVES: readonly AclKeyword[] = [
  // http_acl.c
  ...fam('base', 'base', true),
  ...fam('cook', 'req.cook', true),
  ...fam('hdr', 'req.hdr', true),
  { name: 'http_auth_group', fetch: 'http_auth_group', match: 'str', parse: 'auth-group' },
  { name: 'method', fetch: 'method', match: 'str', parse: 'meth' },
  ...fam('path', 'path', true),
  { name: 'req_ver', fetch: 'req.ver', match: 'str' },
  { name: 'resp_ver', fetch: 'res.ver', match: 'str' },
  ...fam('scook', 'res.cook', true),
  ...fam('shdr', 'res.hdr', true),
  ...fam('url', 'url', true),
  ...fam('urlp', 'urlp', true),
  // payload.c
  { name: 'payload', fetch: 'req.payload', match: 'bin' },
  { name: 'payload_lv', fetch: 'req.payload_lv', match: 'bin' },
  { name: 'req_rdp_cookie', fetch: 'req.rdp_cookie', match: 'str' },
  { name: 'req_rdp_cookie_cnt', fetch: 'req.rdp_cookie_cnt', match: 'int' },
  { name: 'req_ssl_sni', fetch: 'req.ssl_sni', match: 'str' },
  { name: 'req_ssl_ver', fetch: 'req.ssl_ver', match: 'int', parse: 'dotted-ver' },
  { name: 'req.ssl_ver', fetch: 'req.ssl_ver', match: 'int', parse: 'dotted-ver' },
  // ssl_sample.c
  { name: 'ssl_fc_sni_end', fetch: 'ssl_fc_sni', match: 'end' },
  { name: 'ssl_fc_sni_reg', fetch: 'ssl_fc_sni', match: 'reg' },
];

/** ACL keyword lookup (the ACL parser tries these before sample fetches). */
export function findAclKeyword(name: string): AclKeyword | undefined {
  return ACL_DERIVATIVES.find((k) => k.name === name);
}

/**
 * Pre-defined ACLs (7.4; acl.c default_acl_list), usable by name in any condition without
 * being declared. A proxy's own `acl` of the same name takes precedence.
 */
export const PREDEFINED_ACLS: readonly { name: string; expansion: string }[] = [
  { name: 'FALSE', expansion: 'always_false' },
  { name: 'HTTP', expansion: 'req.proto_http' },
  { name: 'HTTP_1.0', expansion: 'req.ver 1.0' },
  { name: 'HTTP_1.1', expansion: 'req.ver 1.1' },
  { name: 'HTTP_2.0', expansion: 'req.ver 2.0' },
  { name: 'HTTP_CONTENT', expansion: 'req.hdr_val(content-length) gt 0' },
  { name: 'HTTP_URL_ABS', expansion: 'url_reg ^[^/:]*://' },
  { name: 'HTTP_URL_SLASH', expansion: 'url_beg /' },
  { name: 'HTTP_URL_STAR', expansion: 'url *' },
  { name: 'LOCALHOST', expansion: 'src 127.0.0.1/8 ::1' },
  { name: 'METH_CONNECT', expansion: 'method CONNECT' },
  { name: 'METH_DELETE', expansion: 'method DELETE' },
  { name: 'METH_GET', expansion: 'method GET HEAD' },
  { name: 'METH_HEAD', expansion: 'method HEAD' },
  { name: 'METH_OPTIONS', expansion: 'method OPTIONS' },
  { name: 'METH_POST', expansion: 'method POST' },
  { name: 'METH_PUT', expansion: 'method PUT' },
  { name: 'METH_TRACE', expansion: 'method TRACE' },
  { name: 'RDP_COOKIE', expansion: 'req.rdp_cookie_cnt gt 0' },
  { name: 'REQ_CONTENT', expansion: 'req.len gt 0' },
  { name: 'TRUE', expansion: 'always_true' },
  { name: 'WAIT_END', expansion: 'wait_end' },
];
