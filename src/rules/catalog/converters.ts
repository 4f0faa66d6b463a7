// Every converter HAProxy 2.6.12 accepts (manual 7.3.1), read from `haproxy -dKcnv` (names,
// argument types, input/output types) and the 2.6 sources (load-time argument checks).
// host_only, port_only, table_expire and table_idle are 2.6-branch backports missing from
// the 2.6 manual but accepted by the 2.6.12 binary.
//
// Chaining: `fetch,conv1,conv2` is accepted when each converter's `in` is reachable from the
// previous output through canCast() (../casts.ts), else "converter 'x' cannot be applied".
// Arguments follow the same rules as fetches (checkArgList in ./fetches.ts); a converter with
// no argument accepts `()` but refuses `(x)` with "expected ')' before 'x)'". Errors are worded
// "invalid arg N in converter 'x' : <make_arg_list error>" for count/type problems and
// "invalid args in converter 'x' : <validate() message>" for the checks below. Unlike fetch
// validators, HAProxy runs converter validators even with no argument at all.
//
// Not validated here (need files or other sections): map* load their file at parse time
// ("failed to open pattern file <f>", and each line must parse for the map's key type);
// regsub compiles its regex; debug's sink must be buf0, stdout, stderr or a ring section
// (BUILTIN_SINKS, message "No such sink '<name>'"); jwt_verify tries to load the certificate
// but never fails on it; table_*/in_table resolve their table (default: the current proxy).

import type { ArgSpec, ArgType, ConverterDef, SampleType, Status } from '../types.js';
import { isHaproxyInt, varNameError } from './fetches.js';
import { CONVERTER_IMPLS } from '../runtime/converters.js';

const int = (s: string | undefined): number => (s === undefined || s === '' ? 0 : Number.parseInt(s, 10) || 0);
const isVar = (s: string): boolean => varNameError(s) === undefined;

/** Sinks that always exist; ring sections add more. */
export const BUILTIN_SINKS: readonly string[] = ['buf0', 'stdout', 'stderr'];

/**
 * Digest names EVP_get_digestbyname() knows in the reference build (OpenSSL 3.0), compared
 * case-insensitively; the exact set depends on the OpenSSL HAProxy runs with.
 */
export const DIGEST_NAMES: ReadonlySet<string> = new Set([
  '1.2.156.10197.1.401', '1.2.840.113549.2.5', '1.3.14.3.2.26', '1.3.36.3.2.1',
  '1.3.6.1.4.1.1722.12.2.1.16', '1.3.6.1.4.1.1722.12.2.2.8', '2.16.840.1.101.3.4.2.1',
  '2.16.840.1.101.3.4.2.10', '2.16.840.1.101.3.4.2.11', '2.16.840.1.101.3.4.2.12',
  '2.16.840.1.101.3.4.2.2', '2.16.840.1.101.3.4.2.3', '2.16.840.1.101.3.4.2.4',
  '2.16.840.1.101.3.4.2.5', '2.16.840.1.101.3.4.2.6', '2.16.840.1.101.3.4.2.7',
  '2.16.840.1.101.3.4.2.8', '2.16.840.1.101.3.4.2.9',
  'blake2b-512', 'blake2b512', 'blake2s-256', 'blake2s256',
  'id-rsassa-pkcs1-v1_5-with-sha3-224', 'id-rsassa-pkcs1-v1_5-with-sha3-256',
  'id-rsassa-pkcs1-v1_5-with-sha3-384', 'id-rsassa-pkcs1-v1_5-with-sha3-512',
  'md4', 'md4withrsaencryption', 'md5', 'md5-sha1', 'md5withrsaencryption',
  'ripemd', 'ripemd-160', 'ripemd160', 'ripemd160withrsa', 'rmd160',
  'rsa-md4', 'rsa-md5', 'rsa-ripemd160', 'rsa-sha1', 'rsa-sha1-2', 'rsa-sha224', 'rsa-sha256',
  'rsa-sha3-224', 'rsa-sha3-256', 'rsa-sha3-384', 'rsa-sha3-512', 'rsa-sha384', 'rsa-sha512',
  'rsa-sha512/224', 'rsa-sha512/256', 'rsa-sm3',
  'sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512', 'sha-512/224', 'sha-512/256',
  'sha1', 'sha1withrsaencryption', 'sha2-224', 'sha2-256', 'sha2-384', 'sha2-512',
  'sha2-512/224', 'sha2-512/256', 'sha224', 'sha224withrsaencryption', 'sha256',
  'sha256withrsaencryption', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512', 'sha384',
  'sha384withrsaencryption', 'sha512', 'sha512-224', 'sha512-224withrsaencryption',
  'sha512-256', 'sha512-256withrsaencryption', 'sha512withrsaencryption',
  'shake-128', 'shake-256', 'shake128', 'shake256', 'sm3', 'sm3withrsaencryption',
  'ssl3-md5', 'ssl3-sha1', 'whirlpool',
]);

/** sample_check_arg_base64(): empty, a variable name, or valid base64. */
function base64ArgError(s: string | undefined): string | undefined {
  if (s === undefined || s === '' || isVar(s)) return undefined;
  const msg = 'argument needs to be base64 encoded, and can either be a string or a variable';
  if (s.length % 4) return msg;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return msg;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Validators (HAProxy's val_args for converters; messages after "invalid args in converter 'x' : ")

/** add/sub/mul/div/mod/and/or/xor(value): an integer or a variable name. */
const vOperand = (args: readonly string[]): string | undefined => {
  const v = args[0] ?? '';
  return isVar(v) || isHaproxyInt(v) ? undefined : 'expects an integer or a variable name';
};

/** set-var(name[,cond...]) / unset-var(name). */
const vSetVar = (args: readonly string[]): string | undefined => {
  const err = varNameError(args[0] ?? '');
  if (err !== undefined) return err;
  const conds = ['ifexists', 'ifnotexists', 'ifempty', 'ifnotempty', 'ifset', 'ifnotset', 'ifgt', 'iflt'];
  for (const c of args.slice(1)) if (!conds.includes(c)) return `unknown condition "${c}"`;
  return undefined;
};

/** strcmp/secure_memcmp(var): a mandatory variable name. */
const vVarRequired = (args: readonly string[]): string | undefined => {
  const v = args[0] ?? '';
  if (v === '') return 'missing variable name';
  return isVar(v) ? undefined : `failed to register variable name '${v}'`;
};

/** concat([start[,var[,end]]]). */
const vConcat = (args: readonly string[]): string | undefined => {
  const v = args[1] ?? '';
  return v !== '' && !isVar(v) ? `failed to register variable name '${v}'` : undefined;
};

/** add_item(delim[,var[,suffix]]). */
const vAddItem = (args: readonly string[]): string | undefined => {
  const v = args[1] ?? '';
  if (v !== '' && !isVar(v)) return `failed to register variable name '${v}'`;
  if (v === '' && (args[2] ?? '') === '') return 'one of the optional arguments has to be nonempty';
  return undefined;
};

/** digest(algorithm). */
const vDigest = (args: readonly string[]): string | undefined =>
  DIGEST_NAMES.has((args[0] ?? '').toLowerCase()) ? undefined : 'algorithm must be a valid OpenSSL message digest name.';

/** hmac(algorithm,key): key in base64 or a variable. */
const vHmac = (args: readonly string[]): string | undefined => {
  const d = vDigest(args);
  if (d !== undefined) return d;
  const k = base64ArgError(args[1]);
  return k !== undefined ? `failed to parse key : ${k}` : undefined;
};

/** aes_gcm_dec(bits,nonce,key,aead_tag). */
const vAesGcm = (args: readonly string[]): string | undefined => {
  if (![128, 192, 256].includes(int(args[0]))) return 'key size must be 128, 192 or 256 (bits).';
  const labels = ['nonce', 'key', 'aead_tag'];
  for (let i = 0; i < 3; i++) {
    const e = base64ArgError(args[i + 1]);
    if (e !== undefined) return `failed to parse ${labels[i]} : ${e}`;
  }
  return undefined;
};

/** sha2([bits]). */
const vSha2 = (args: readonly string[]): string | undefined =>
  args.length > 0 && ![224, 256, 384, 512].includes(int(args[0])) ? `Unsupported number of bits: '${int(args[0])}'` : undefined;

/** json([encoding]). */
const vJsonEnc = (args: readonly string[]): string | undefined =>
  ['', 'ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps'].includes(args[0] ?? '')
    ? undefined
    : "Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'";

/** json_query(path[,output_type]). */
const vJsonQuery = (args: readonly string[]): string | undefined => {
  if ((args[0] ?? '') === '') return 'json_path must not be empty';
  const t = args[1] ?? '';
  return t !== '' && t !== 'int' ? 'output_type only supports "int" as argument' : undefined;
};

/** jwt_header_query/jwt_payload_query([path[,output_type]]). */
const vJwtQuery = (args: readonly string[]): string | undefined => {
  const t = args[1] ?? '';
  return t !== '' && t !== 'int' ? 'output_type only supports "int" as argument' : undefined;
};

/** jwt_verify(alg,key): alg is a variable or a JWS algorithm; PS* are refused. */
const vJwtVerify = (args: readonly string[]): string | undefined => {
  const alg = args[0] ?? '';
  if (isVar(alg)) return undefined;
  if (/^PS(256|384|512)$/.test(alg)) return 'RSASSA-PSS JWS signing not managed yet';
  if (alg === 'none' || /^(HS|RS|ES)(256|384|512)$/.test(alg)) return undefined;
  return `unknown JWT algorithm: ${alg}`;
};

/** be2dec(separator,chunk_size[,truncate]). */
const vBe2dec = (args: readonly string[]): string | undefined => {
  const chunk = int(args[1]);
  if (chunk <= 0 || chunk > 8) return `chunk_size out of [1..8] range (${chunk})`;
  const trunc = int(args[2]);
  return trunc !== 0 && trunc !== 1 ? `Unsupported truncate value (${trunc})` : undefined;
};

/** be2hex([separator[,chunk_size[,truncate]]]). */
const vBe2hex = (args: readonly string[]): string | undefined => {
  const chunk = int(args[1]);
  const trunc = int(args[2]);
  if (chunk <= 0 && ((args[0] ?? '').length > 0 || trunc !== 0)) return `chunk_size needs to be positive (${chunk})`;
  return trunc !== 0 && trunc !== 1 ? `Unsupported truncate value (${trunc})` : undefined;
};

/** field/word(index,separators[,count]): index != 0, separators not empty. */
const vFieldWord = (args: readonly string[]): string | undefined => {
  if (int(args[0]) === 0) return 'Unexpected value 0 for index';
  if ((args[1] ?? '') === '') return 'Empty separators list';
  return undefined;
};

/** regsub(regex,subst[,flags]): flags among i and g. */
const vRegsubFlags = (args: readonly string[]): string | undefined => {
  for (const ch of args[2] ?? '') {
    if (ch !== 'i' && ch !== 'g') return `invalid regex flag '${ch}', only 'i' and 'g' are supported`;
  }
  return undefined;
};

/** url_enc([type]): only query. */
const vUrlEnc = (args: readonly string[]): string | undefined =>
  ['', 'query'].includes(args[0] ?? '') ? undefined : "Unexpected encode type. Allowed value is 'query'";

/** http_date([offset[,unit]]). */
const vHttpDateUnit = (args: readonly string[]): string | undefined =>
  args.length >= 2 && !['s', 'ms', 'us'].includes(args[1]!) ? `expects 's', 'ms' or 'us', got '${args[1]}'` : undefined;

/**
 * protobuf/ungrpc(field_number[,type]). The field number is HAProxy's ARGT_PBUF_FNUM (dotted
 * unsigned integers): HAProxy reports a bad one as "invalid arg 1 in converter 'x' : failed to
 * parse '<v>' as type 'Protocol buffers field number' at position 1" (a parse error, not a
 * validator error), which this validator returns as its message.
 */
const vProtobuf = (args: readonly string[]): string | undefined => {
  const fnum = args[0] ?? '';
  if (fnum === '') return "expected type 'Protocol buffers field number' at position 1, but got nothing";
  if (!/^([0-9]*\.)*[0-9]*$/.test(fnum) || fnum.endsWith('.')) {
    return `failed to parse '${fnum}' as type 'Protocol buffers field number' at position 1`;
  }
  if (args.length < 2) return undefined;
  const types = ['int32', 'uint32', 'sint32', 'int64', 'uint64', 'sint64', 'bool', 'enum',
    'fixed32', 'sfixed32', 'float', 'fixed64', 'sfixed64', 'double'];
  return types.includes(args[1]!) ? undefined : `Wrong protocol buffer type '${args[1]}'`;
};

/** fix_tag_value(tag): a tag number > 0 or a known tag name (any case). */
const vFixTag = (args: readonly string[]): string | undefined => {
  const t = args[0] ?? '';
  if (/^[0-9]+$/.test(t) && Number(t) > 0) return undefined;
  const names = ['msgtype', 'checksum', 'bodylength', 'targetcompid', 'beginstring', 'sendercompid'];
  return names.includes(t.toLowerCase()) ? undefined : `Unknown FIX tag name '${t}'`;
};

const MQTT_TYPES = ['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe',
  'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth'];

/** Field names each MQTT packet type exposes (mqtt_fields_per_packet). */
const MQTT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  connect: ['protocol_name', 'protocol_version', 'flags', 'keepalive', '17', '33', '39', '34', '25', '23',
    '38', '21', '22', 'client_identifier', '24', '1', '2', '3', '8', '9', 'will_topic', 'will_payload',
    'username', 'password'],
  connack: ['flags', 'protocol_version', 'reason_code', '17', '33', '36', '37', '39', '18', '34', '31',
    '40', '41', '42', '19', '26', '28', '38', '21', '22'],
  publish: ['1', '2', '3', '8', '9', '11', '35', '38'],
  puback: ['reason_code', '31', '38'],
  pubrec: ['reason_code', '31', '38'],
  pubrel: ['reason_code', '31', '38'],
  pubcomp: ['reason_code', '31', '38'],
  subscribe: ['11', '38'],
  suback: ['31', '38'],
  unsubscribe: ['38'],
  unsuback: ['31', '38'],
  pingreq: [],
  pingresp: [],
  disconnect: ['reason_code', '17', '28', '31', '38'],
  auth: ['21', '22', '31', '38'],
};

/** mqtt_field_value(packet_type,field): type by name (any case) or number 1..15. */
const vMqttField = (args: readonly string[]): string | undefined => {
  const t = args[0] ?? '';
  let type: string | undefined;
  if (/^[0-9]+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n <= 15) type = MQTT_TYPES[n - 1];
  } else if (MQTT_TYPES.includes(t.toLowerCase())) {
    type = t.toLowerCase();
  }
  if (type === undefined) return `Unknown MQTT type '${t}'`;
  const field = (args[1] ?? '').toLowerCase();
  return MQTT_FIELDS[type]!.includes(field) ? undefined : `Unknown MQTT field name '${args[1] ?? ''}' for packet type '${t}'`;
};

/** debug([prefix[,sink]]): sink names are checked by the caller (BUILTIN_SINKS + rings). */
const vDebug = (): string | undefined => undefined;

// ---------------------------------------------------------------------------------------------
// Row builders

const NO_ARGS: ArgSpec = { types: [], required: 0 };

function a(required: number, types: readonly ArgType[], validate?: (args: readonly string[]) => string | undefined): ArgSpec {
  return validate ? { types, required, validate } : { types, required };
}

/** Ready exactly when the runtime implements it (src/rules/runtime/converters.ts). */
function statusOf(name: string): Status {
  if (Object.prototype.hasOwnProperty.call(CONVERTER_IMPLS, name)) return 'ready';
  return name.startsWith('table_') || name === 'in_table' ? { pending: 'stick-tables' } : { pending: 'rules' };
}

function c(name: string, input: SampleType, out: SampleType, args?: ArgSpec): ConverterDef {
  return { name, args: args ?? NO_ARGS, in: input, out, status: statusOf(name) };
}

// ---------------------------------------------------------------------------------------------

export const CONVERTERS: readonly ConverterDef[] = [
  // --- constants and process state (7.3.2) [sample.c]
  c('add', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('add_item', 'str', 'str', a(2, ['str', 'str', 'str'], vAddItem)),
  c('and', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('b64dec', 'str', 'bin'),
  c('base64', 'bin', 'str'),
  c('be2dec', 'bin', 'str', a(1, ['str', 'sint', 'sint'], vBe2dec)),
  c('be2hex', 'bin', 'str', a(1, ['str', 'sint', 'sint'], vBe2hex)),
  c('bool', 'sint', 'bool'),
  c('bytes', 'bin', 'bin', a(1, ['sint', 'sint'])),
  c('concat', 'str', 'str', a(1, ['str', 'str', 'str'], vConcat)),
  c('cpl', 'sint', 'sint'),
  c('crc32', 'bin', 'sint', a(0, ['sint'])),
  c('crc32c', 'bin', 'sint', a(0, ['sint'])),
  c('cut_crlf', 'str', 'str'),
  c('debug', 'any', 'any', a(0, ['str', 'str'], vDebug)),
  c('div', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('djb2', 'bin', 'sint', a(0, ['sint'])),
  c('even', 'sint', 'bool'),
  c('field', 'str', 'str', a(2, ['sint', 'str', 'sint'], vFieldWord)),
  c('fix_is_valid', 'bin', 'bool'),
  c('fix_tag_value', 'bin', 'bin', a(1, ['str'], vFixTag)),
  c('hex', 'bin', 'str'),
  c('hex2i', 'str', 'sint'),
  c('host_only', 'str', 'str'),
  c('htonl', 'sint', 'bin'),
  c('iif', 'bool', 'str', a(2, ['str', 'str'])),
  c('ipmask', 'addr', 'ipv4', a(1, ['msk4', 'msk6'])),
  c('json', 'str', 'str', a(1, ['str'], vJsonEnc)),
  c('json_query', 'str', 'any', a(1, ['str', 'str'], vJsonQuery)),
  c('jwt_header_query', 'bin', 'any', a(0, ['str', 'str'], vJwtQuery)),
  c('jwt_payload_query', 'bin', 'any', a(0, ['str', 'str'], vJwtQuery)),
  c('jwt_verify', 'bin', 'sint', a(2, ['str', 'str'], vJwtVerify)),
  c('length', 'str', 'sint'),
  c('lower', 'str', 'str'),
  c('ltime', 'sint', 'str', a(1, ['str', 'sint'])),
  c('ltrim', 'str', 'str', a(1, ['str'])),
  c('mod', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('mqtt_field_value', 'bin', 'str', a(2, ['str', 'str'], vMqttField)),
  c('mqtt_is_valid', 'bin', 'bool'),
  c('mul', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('neg', 'sint', 'sint'),
  c('not', 'sint', 'bool'),
  c('odd', 'sint', 'bool'),
  c('or', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('port_only', 'str', 'sint'),
  c('protobuf', 'bin', 'bin', a(1, ['str', 'str'], vProtobuf)),
  c('regsub', 'str', 'str', a(2, ['reg', 'str', 'str'], vRegsubFlags)),
  c('rtrim', 'str', 'str', a(1, ['str'])),
  c('sdbm', 'bin', 'sint', a(0, ['sint'])),
  c('sha1', 'bin', 'bin'),
  c('strcmp', 'str', 'sint', a(1, ['var'], vVarRequired)),
  c('sub', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('ub64dec', 'str', 'bin'),
  c('ub64enc', 'bin', 'str'),
  c('ungrpc', 'bin', 'bin', a(1, ['str', 'str'], vProtobuf)),
  c('upper', 'str', 'str'),
  c('utime', 'sint', 'str', a(1, ['str', 'sint'])),
  c('word', 'str', 'str', a(2, ['sint', 'str', 'sint'], vFieldWord)),
  c('wt6', 'bin', 'sint', a(0, ['sint'])),
  c('xor', 'sint', 'sint', a(1, ['str'], vOperand)),
  c('xxh3', 'bin', 'sint', a(0, ['sint'])),
  c('xxh32', 'bin', 'sint', a(0, ['sint'])),
  c('xxh64', 'bin', 'sint', a(0, ['sint'])),
  // --- TLS (7.3.4) [ssl_sample.c]
  c('aes_gcm_dec', 'bin', 'bin', a(4, ['sint', 'str', 'str', 'str'], vAesGcm)),
  c('digest', 'bin', 'bin', a(1, ['str'], vDigest)),
  c('hmac', 'bin', 'bin', a(2, ['str', 'str'], vHmac)),
  c('secure_memcmp', 'bin', 'bool', a(1, ['var'], vVarRequired)),
  c('sha2', 'bin', 'bin', a(0, ['sint'], vSha2)),
  // --- HTTP converters [http_conv.c]
  c('capture-req', 'str', 'str', a(1, ['sint'])),
  c('capture-res', 'str', 'str', a(1, ['sint'])),
  c('http_date', 'sint', 'str', a(0, ['sint', 'str'], vHttpDateUnit)),
  c('language', 'str', 'str', a(1, ['str', 'str'])),
  c('url_dec', 'str', 'str', a(0, ['sint'])),
  c('url_enc', 'str', 'str', a(1, ['str'], vUrlEnc)),
  // --- stick-table counters (7.3.2 table_*, 7.3.3 sc*/src_*) [stick_table.c]
  c('in_table', 'any', 'bool', a(1, ['tab'])),
  c('table_bytes_in_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_bytes_out_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_conn_cnt', 'any', 'sint', a(1, ['tab'])),
  c('table_conn_cur', 'any', 'sint', a(1, ['tab'])),
  c('table_conn_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_expire', 'any', 'sint', a(1, ['tab', 'sint'])),
  c('table_gpc', 'any', 'sint', a(2, ['sint', 'tab'])),
  c('table_gpc0', 'any', 'sint', a(1, ['tab'])),
  c('table_gpc0_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_gpc1', 'any', 'sint', a(1, ['tab'])),
  c('table_gpc1_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_gpc_rate', 'any', 'sint', a(2, ['sint', 'tab'])),
  c('table_gpt', 'any', 'sint', a(2, ['sint', 'tab'])),
  c('table_gpt0', 'any', 'sint', a(1, ['tab'])),
  c('table_http_err_cnt', 'any', 'sint', a(1, ['tab'])),
  c('table_http_err_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_http_fail_cnt', 'any', 'sint', a(1, ['tab'])),
  c('table_http_fail_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_http_req_cnt', 'any', 'sint', a(1, ['tab'])),
  c('table_http_req_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_idle', 'any', 'sint', a(1, ['tab', 'sint'])),
  c('table_kbytes_in', 'any', 'sint', a(1, ['tab'])),
  c('table_kbytes_out', 'any', 'sint', a(1, ['tab'])),
  c('table_server_id', 'any', 'sint', a(1, ['tab'])),
  c('table_sess_cnt', 'any', 'sint', a(1, ['tab'])),
  c('table_sess_rate', 'any', 'sint', a(1, ['tab'])),
  c('table_trackers', 'any', 'sint', a(1, ['tab'])),
  // --- map converters [map.c]
  c('map', 'str', 'str', a(1, ['map', 'str'])),
  c('map_beg', 'str', 'str', a(1, ['map', 'str'])),
  c('map_beg_int', 'str', 'sint', a(1, ['map', 'sint'])),
  c('map_beg_ip', 'str', 'addr', a(1, ['map', 'str'])),
  c('map_dir', 'str', 'str', a(1, ['map', 'str'])),
  c('map_dir_int', 'str', 'sint', a(1, ['map', 'sint'])),
  c('map_dir_ip', 'str', 'addr', a(1, ['map', 'str'])),
  c('map_dom', 'str', 'str', a(1, ['map', 'str'])),
  c('map_dom_int', 'str', 'sint', a(1, ['map', 'sint'])),
  c('map_dom_ip', 'str', 'addr', a(1, ['map', 'str'])),
  c('map_end', 'str', 'str', a(1, ['map', 'str'])),
  c('map_end_int', 'str', 'sint', a(1, ['map', 'sint'])),
  c('map_end_ip', 'str', 'addr', a(1, ['map', 'str'])),
  c('map_int', 'sint', 'str', a(1, ['map', 'str'])),
  c('map_int_int', 'sint', 'sint', a(1, ['map', 'sint'])),
  c('map_int_ip', 'sint', 'addr', a(1, ['map', 'str'])),
  c('map_ip', 'addr', 'str', a(1, ['map', 'str'])),
  c('map_ip_int', 'addr', 'sint', a(1, ['map', 'sint'])),
  c('map_ip_ip', 'addr', 'addr', a(1, ['map', 'str'])),
  c('map_reg', 'str', 'str', a(1, ['map', 'str'])),
  c('map_reg_int', 'str', 'sint', a(1, ['map', 'sint'])),
  c('map_reg_ip', 'str', 'addr', a(1, ['map', 'str'])),
  c('map_regm', 'str', 'str', a(1, ['map', 'str'])),
  c('map_str', 'str', 'str', a(1, ['map', 'str'])),
  c('map_str_int', 'str', 'sint', a(1, ['map', 'sint'])),
  c('map_str_ip', 'str', 'addr', a(1, ['map', 'str'])),
  c('map_sub', 'str', 'str', a(1, ['map', 'str'])),
  c('map_sub_int', 'str', 'sint', a(1, ['map', 'sint'])),
  c('map_sub_ip', 'str', 'addr', a(1, ['map', 'str'])),
  // --- backend and server state (7.3.2) [backend.c]
  c('nbsrv', 'str', 'sint'),
  c('srv_queue', 'str', 'sint'),
  // --- variables (7.3.2) [vars.c]
  c('set-var', 'any', 'any', a(1, ['var', 'str', 'str', 'str', 'str'], vSetVar)),
  c('unset-var', 'any', 'any', a(1, ['var'], vSetVar)),
];

const BY_NAME: ReadonlyMap<string, ConverterDef> = new Map(CONVERTERS.map((r) => [r.name, r]));

/** Converter lookup by exact name. */
export function findConverter(name: string): ConverterDef | undefined {
  return BY_NAME.get(name);
}
