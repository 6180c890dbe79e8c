import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { readFileOrIssue } from './tls-files';

/** A Guance monitor name (GUANCE_MONITORS, BRIDGE_ROUTES). */
export const MONITOR_NAME = /^[A-Za-z0-9._:-]{1,128}$/;

/** C0 controls (CR, LF, NUL, TAB...), DEL and C1 controls: Unicode's Cc. */
const CONTROL = /\p{Cc}/u;
/** What an HTTP header value can carry: visible Latin-1 and spaces, nothing else. */
const HEADER_VALUE = /^[\u0020-\u007e\u00a0-\u00ff]*$/;

/** A credential sent in an HTTP header (or signing one): no control characters, Latin-1 only. */
export function headerCredentialIssue(value: string): string | undefined {
  return HEADER_VALUE.test(value)
    ? undefined
    : 'holds a character an HTTP header cannot carry (a control character such as a line break, or one beyond Latin-1)';
}

/** A credential sent in a URL path or to Kafka, or a list like NO_PROXY: no control characters. */
export function controlCharacterIssue(value: string): string | undefined {
  return CONTROL.test(value) ? 'holds a control character (such as a line break)' : undefined;
}

/** An address to bind to: an IP address or a host name. */
export function bindHostIssue(value: string): string | undefined {
  return isIP(value) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value)
    ? undefined
    : 'must be an IP address or a host name';
}

/** HTTP(S)_PROXY: `http://[user:password@]host:port`; the value is never shown (it may hold a password). */
export function proxyUrlIssue(value: string): string | undefined {
  let url: URL;
  try {
    if (!value.includes('://')) throw new Error('no scheme');
    url = new URL(value);
  } catch {
    return 'must be a proxy URL like http://proxy.example.com:3128';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// proxy URL';
  if (url.pathname !== '/' || url.search || url.hash) return 'must not have a path, a query or a fragment';
  return undefined;
}

/** A PEM file with at least one certificate, every certificate in it readable. */
export function caFileIssue(path: string): string | undefined {
  const file = readFileOrIssue(path);
  if ('issue' in file) return file.issue;
  const blocks = file.text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'must name a PEM file of CA certificates (none found in it)';
  const bad = blocks.findIndex((block) => !parses(block));
  return bad < 0 ? undefined : `holds a certificate that cannot be read (the ${ordinal(bad + 1)} in the file)`;
}

function parses(block: string): boolean {
  try {
    new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

export function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
