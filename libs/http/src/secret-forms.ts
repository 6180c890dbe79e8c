/**
 * How a value we sent can come back in an error page: as sent, URL-encoded (once or twice, either
 * hex case, as a form field), and inside JSON strings or HTML. A WAF, proxy or gateway that echoes
 * the request URL or headers uses one of these.
 */
const URL_ENCODINGS: ((s: string) => string)[] = [
  (s) => s,
  encodeURIComponent,
  (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
  (s) => encodeURIComponent(encodeURIComponent(s)),
  (s) => new URLSearchParams({ s }).toString().slice(2),
  encodeURI,
];

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const TEXT_ESCAPES: ((s: string) => string)[] = [
  (s) => s,
  (s) => JSON.stringify(s).slice(1, -1),
  (s) => JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/'),
  (s) =>
    JSON.stringify(s)
      .slice(1, -1)
      .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  (s) => s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]),
  (s) => s.replace(/[&<>"'/]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
];

/** Every distinct form of each secret, longest first; empty and missing secrets are skipped. */
export function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    for (const url of URL_ENCODINGS) {
      const encoded = safely(url, secret);
      for (const escape of TEXT_ESCAPES) if (encoded) forms.add(escape(encoded));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** encodeURI* throw on lone surrogates: such a form cannot have been sent that way. */
function safely(encode: (s: string) => string, s: string): string | undefined {
  try {
    return encode(s);
  } catch {
    return undefined;
  }
}
