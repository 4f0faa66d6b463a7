// Test environment for the seed fixtures (test/fixtures/seeds/*.cfg).
//
// The fixtures are HAProxy configuration blocks taken from the user guides in
// shared/seeds/. Every file path HAProxy opens at check time was rewritten to
// "${SY_SEED_DIR}/<tail>"; makeSeedDir() builds a directory holding all of
// those files, to be passed to haproxy (or to Switchyard) as SY_SEED_DIR.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One self-signed certificate, generated once per process and reused. */
interface CertSpec {
  /** Path of the combined PEM (certificate + key) inside the seed dir. */
  readonly path: string;
  readonly commonName: string;
  readonly altNames: readonly string[];
}

/** Every certificate file a fixture references. */
export const SEED_CERTS: readonly CertSpec[] = [
  // crt "${SY_SEED_DIR}/certs/site.pem" (002), and part of crt ".../certs/" (000, 002)
  {
    path: 'certs/site.pem',
    commonName: 'localhost',
    altNames: ['DNS:localhost', 'DNS:example.com', 'DNS:*.example.com', 'IP:127.0.0.1'],
  },
  // crt "${SY_SEED_DIR}/certs/solvethenetwork.com.pem" (001)
  {
    path: 'certs/solvethenetwork.com.pem',
    commonName: 'solvethenetwork.com',
    altNames: ['DNS:solvethenetwork.com', 'DNS:*.solvethenetwork.com'],
  },
  // crt "${SY_SEED_DIR}/letsencrypt/live/api.example.com/haproxy.pem" (000)
  {
    path: 'letsencrypt/live/api.example.com/haproxy.pem',
    commonName: 'api.example.com',
    altNames: ['DNS:api.example.com'],
  },
];

/** CA bundle (all the self-signed certificates above, without keys). */
export const SEED_CA_BUNDLE = 'ssl/certs/ca-bundle.crt';

/** Error files, as `errorfile <code> "${SY_SEED_DIR}/errors/<code>.http"`. */
export const SEED_ERRORFILES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  403: 'Forbidden',
  408: 'Request Time-out',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
};

interface CertPem {
  readonly cert: string;
  readonly key: string;
}

let certCache: Promise<CertPem[]> | undefined;

async function generateCert(spec: CertSpec, workDir: string, index: number): Promise<CertPem> {
  const keyFile = join(workDir, `key-${index}.pem`);
  const certFile = join(workDir, `cert-${index}.pem`);
  await execFileAsync('openssl', [
    'req', '-x509', '-nodes',
    '-newkey', 'rsa:2048',
    '-sha256',
    '-days', '3650',
    '-subj', `/CN=${spec.commonName}`,
    '-addext', `subjectAltName=${spec.altNames.join(',')}`,
    '-keyout', keyFile,
    '-out', certFile,
  ]);
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { cert, key };
}

function generateCerts(): Promise<CertPem[]> {
  if (certCache === undefined) {
    certCache = (async (): Promise<CertPem[]> => {
      const workDir = await mkdtemp(join(tmpdir(), 'sy-seed-openssl-'));
      try {
        return await Promise.all(SEED_CERTS.map((spec, i) => generateCert(spec, workDir, i)));
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    })();
    // A failed generation must not poison later calls.
    certCache.catch(() => {
      certCache = undefined;
    });
  }
  return certCache;
}

function errorfileBody(code: number, reason: string): string {
  return (
    `HTTP/1.0 ${code} ${reason}\r\n` +
    'Cache-Control: no-cache\r\n' +
    'Connection: close\r\n' +
    'Content-Type: text/html\r\n' +
    '\r\n' +
    `<html><body><h1>${code} ${reason}</h1>\nSwitchyard seed fixture error page.\n</body></html>\n`
  );
}

async function writeFileDeep(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/**
 * Creates a fresh temporary directory holding every file the seed fixtures
 * reference through ${SY_SEED_DIR}: certificate PEMs (certificate + key),
 * the certs/ directory, a CA bundle and the errorfiles. The caller owns the
 * directory (remove it with fs.rm(dir, { recursive: true })).
 */
export async function makeSeedDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-seed-'));
  const certs = await generateCerts();
  const writes: Promise<void>[] = [];
  SEED_CERTS.forEach((spec, i) => {
    const pem = certs[i];
    if (pem === undefined) throw new Error(`missing certificate for ${spec.path}`);
    writes.push(writeFileDeep(join(dir, spec.path), pem.cert + pem.key));
  });
  writes.push(writeFileDeep(join(dir, SEED_CA_BUNDLE), certs.map((c) => c.cert).join('')));
  for (const [code, reason] of Object.entries(SEED_ERRORFILES)) {
    writes.push(writeFileDeep(join(dir, 'errors', `${code}.http`), errorfileBody(Number(code), reason)));
  }
  await Promise.all(writes);
  return dir;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Directory of the seed fixtures. SY_FIXTURES_DIR overrides; otherwise the
 * layout dist/test/helpers/seed-env.js -> test/fixtures/seeds/ is assumed,
 * falling back to a search upwards from this file and then from the cwd.
 */
export function seedFixturesDir(): string {
  const override = process.env['SY_FIXTURES_DIR'];
  if (override !== undefined && override !== '') return resolve(override);
  const primary = fileURLToPath(new URL('../../../test/fixtures/seeds/', import.meta.url));
  if (isDir(primary)) return primary;
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let cur = start;
    for (;;) {
      const candidate = join(cur, 'test', 'fixtures', 'seeds');
      if (isDir(candidate) && existsSync(join(candidate, 'README.md'))) return candidate;
      const parent = dirname(cur);
      if (parent === cur) break;
      cur = parent;
    }
  }
  return primary;
}

/** Absolute paths of the seed fixtures (*.cfg), sorted by name. */
export function seedFixtures(): string[] {
  const dir = seedFixturesDir();
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cfg'))
    .sort()
    .map((name) => join(dir, name));
}
