import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BOOLEAN_WORDS } from './env-rules';

type Env = Record<string, string | undefined>;
type Read = { text: string } | { issue: string };

/** A file's text, or why it cannot be read (`cannot be read (ENOENT)`). */
export function readFileOrIssue(path: string): Read {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (err) {
    return { issue: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

function certificate(text: string): X509Certificate | undefined {
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return undefined;
  try {
    return new X509Certificate(text);
  } catch {
    return undefined;
  }
}

function privateKey(text: string, passphrase: string | undefined): KeyObject | string {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'must be a PEM file with a PRIVATE KEY block';
  try {
    return createPrivateKey({ key: text, passphrase });
  } catch {
    if (passphrase !== undefined) return 'holds a key that KAFKA_SSL_KEY_PASSWORD does not decrypt';
    return /ENCRYPTED/.test(text)
      ? 'holds an encrypted key: set KAFKA_SSL_KEY_PASSWORD'
      : 'holds a key that cannot be read';
  }
}

const needsSsl = (env: Env) => (BOOLEAN_WORDS[env.KAFKA_SSL?.toLowerCase() ?? ''] ? undefined : 'needs KAFKA_SSL=true');

/** KAFKA_SSL_CA_FILE and KAFKA_SSL_CERT_FILE: a readable PEM file of certificates. */
export function certificateFileIssue(path: string, env: Env): string | undefined {
  const file = readFileOrIssue(path);
  if ('issue' in file) return file.issue;
  return certificate(file.text) ? needsSsl(env) : 'must be a PEM file with a CERTIFICATE block';
}

/** KAFKA_SSL_KEY_FILE: a PEM private key that KAFKA_SSL_KEY_PASSWORD opens and that fits the certificate. */
export function keyFileIssue(path: string, env: Env): string | undefined {
  const file = readFileOrIssue(path);
  if ('issue' in file) return file.issue;
  const key = privateKey(file.text, env.KAFKA_SSL_KEY_PASSWORD);
  if (typeof key === 'string') return key;
  const certPath = env.KAFKA_SSL_CERT_FILE;
  const cert = certPath === undefined ? undefined : readFileOrIssue(certPath);
  const parsed = cert && 'text' in cert ? certificate(cert.text) : undefined;
  if (parsed && !parsed.checkPrivateKey(key)) return 'does not hold the key of KAFKA_SSL_CERT_FILE';
  return needsSsl(env);
}

/** KAFKA_SSL_KEY_PASSWORD: only with a key file. */
export function keyPasswordIssue(_value: string, env: Env): string | undefined {
  return env.KAFKA_SSL_KEY_FILE === undefined ? 'is set but KAFKA_SSL_KEY_FILE is not' : undefined;
}

/** The PEM texts of the KAFKA_SSL_* files (validated before). */
export function readTlsFiles(env: Env): { ca?: string; cert?: string; key?: string; passphrase?: string } {
  const text = (path: string | undefined) => (path === undefined ? undefined : readFileSync(path, 'utf8'));
  return {
    ca: text(env.KAFKA_SSL_CA_FILE),
    cert: text(env.KAFKA_SSL_CERT_FILE),
    key: text(env.KAFKA_SSL_KEY_FILE),
    passphrase: env.KAFKA_SSL_KEY_PASSWORD,
  };
}
