// HAProxy 2.6's implicit sample casts (the sample_casts matrix of sample.c), used at load time
// to accept or refuse `fetch,converter` chains ("converter 'x' cannot be applied") and ACL
// match methods ("matching method 'x' cannot be used with fetch keyword 'y'").
//
// Facts encoded (checked against haproxy -c 2.6.12):
//  - anything casts to `any`, and `any` (var()) casts to anything: checked at run time;
//  - every type casts to itself, except `addr`: an `addr` output (map_*_ip, ipmask's input
//    side) only feeds converters taking `any` (so `map_str_ip(f),ipmask(24)` is refused);
//  - ipv4/ipv6 feed `addr` converters (map_ip, ipmask) and each other (ipv6 -> ipv4 may fail
//    at run time for non-mapped addresses but is accepted at load);
//  - bool and sint are interchangeable; both print as str and pack into bin; sint also turns
//    into ipv4/ipv6/addr, bool does not; sint never turns into meth;
//  - ipv4 -> sint exists, ipv6 -> sint does not; addresses print as str, pack into bin;
//  - str parses into bool/sint/addr/ipv4/ipv6/meth and passes as bin;
//  - bin passes as str and meth only; meth prints as str/bin only.

import type { SampleType } from './types.js';

const CASTS: Readonly<Record<SampleType, readonly SampleType[]>> = {
  any: ['any', 'bool', 'sint', 'addr', 'ipv4', 'ipv6', 'str', 'bin', 'meth'],
  bool: ['any', 'bool', 'sint', 'str', 'bin'],
  sint: ['any', 'bool', 'sint', 'addr', 'ipv4', 'ipv6', 'str', 'bin'],
  addr: ['any'],
  ipv4: ['any', 'sint', 'addr', 'ipv4', 'ipv6', 'str', 'bin'],
  ipv6: ['any', 'addr', 'ipv4', 'ipv6', 'str', 'bin'],
  str: ['any', 'bool', 'sint', 'addr', 'ipv4', 'ipv6', 'str', 'bin', 'meth'],
  bin: ['any', 'str', 'bin', 'meth'],
  meth: ['any', 'str', 'bin', 'meth'],
};

/** Whether HAProxy accepts a sample of type `from` where `to` is expected. */
export function canCast(from: SampleType, to: SampleType): boolean {
  return CASTS[from].includes(to);
}

/** Error text when a converter's input type is unreachable from the previous output. */
export function converterCannotBeApplied(converter: string): string {
  return `converter '${converter}' cannot be applied`;
}
