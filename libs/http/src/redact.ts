/** Longest excerpt of a response body kept for an error message, in bytes of UTF-8. */
export const BODY_EXCERPT_BYTES = 1024;

/** The first `maxBytes` of a body as text, without a character cut in half at the end. */
export function excerpt(body: Buffer | string, maxBytes = BODY_EXCERPT_BYTES): string {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes.length <= maxBytes) return bytes.toString('utf8');
  return bytes
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}
