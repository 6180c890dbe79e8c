import { inspect } from 'node:util';
import { MIN_PARTIAL_CHARS, Redactor } from './redact';
import { secretForms } from './secret-forms';

/** mulberry32: the same cases on every run, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Secrets use characters every encoding treats differently; filler uses none of them, so any piece
// of a secret in the output came from the secret.
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=-_.~%&<>"\' é한';
const FILLER = '·¦¤';

/** The ways a hostile page echoes a value: as sent, URL-encoded, in JSON, in HTML, in a header dump. */
const ECHO_SHAPES: Record<string, (value: string) => string> = {
  plain: (v) => v,
  'URL-encoded': (v) => `next=${encodeURIComponent(v)}`,
  'URL-encoded, lower-case hex': (v) => encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  'URL-encoded twice': (v) => encodeURIComponent(encodeURIComponent(v)),
  'form field': (v) => new URLSearchParams({ q: v }).toString(),
  'JSON string': (v) => JSON.stringify({ path: v }),
  'JSON with escaped slashes': (v) => JSON.stringify({ path: v }).replace(/\//g, '\\/'),
  'JSON, ASCII only': (v) =>
    JSON.stringify(v).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  HTML: (v) =>
    `<pre>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</pre>`,
  'headers echo': (v) => `GET /api/v1/push-events/${encodeURIComponent(v)}/x HTTP/1.1\r\nDF-API-KEY: ${v}\r\n`,
  'JSON headers echo': (v) => JSON.stringify({ headers: { 'X-Ncp-Apigw-Signature-V2': v } }),
};

/** Pieces of a secret an output must not hold: any run of MIN_PARTIAL_CHARS of any form, any short form. */
function pieces(secrets: string[]): string[] {
  const found = new Set<string>();
  for (const form of secretForms(secrets)) {
    const size = Math.min(MIN_PARTIAL_CHARS, form.length);
    for (let i = 0; i + size <= form.length; i++) found.add(form.slice(i, i + size));
  }
  return [...found];
}

function leaks(output: string, secrets: string[] | string[][]): string[] {
  const all = typeof secrets[0] === 'string' ? pieces(secrets as string[]) : (secrets as string[][]).flat();
  return all.filter((piece) => output.includes(piece));
}

/** A page cut at `at` inside an echoed secret: not even one character of it may be left at the end. */
function partialAtEnd(output: string, page: string, at: number, forms: string[]): string | undefined {
  const text = output.replace(/…$/, '');
  for (const form of forms) {
    for (let start = page.indexOf(form); start >= 0; start = page.indexOf(form, start + 1)) {
      const piece = page.slice(start, at);
      if (start < at && at < start + form.length && text.endsWith(piece)) return piece;
    }
  }
  return undefined;
}

/**
 * The first character is a letter or digit: then a piece of an echo left at the end of the output
 * cannot be mistaken for the page's own quote or slash before the echo.
 */
function randomSecret(random: () => number): string {
  const length = 1 + Math.floor(random() * 48);
  const pick = (chars: string) => chars[Math.floor(random() * chars.length)];
  return pick(SECRET_CHARS.slice(0, 62)) + Array.from({ length: length - 1 }, () => pick(SECRET_CHARS)).join('');
}

function filler(random: () => number, length: number): string {
  return Array.from({ length }, () => FILLER[Math.floor(random() * FILLER.length)]).join('');
}

describe('Redactor', () => {
  it('replaces secrets as sent, URL-encoded and JSON-escaped', () => {
    const r = new Redactor(['s/e+cret', undefined, '']);
    expect(r.redact('a s/e+cret b s%2Fe%2Bcret c "s\\/e+cret"')).toBe('a *** b *** c "***"');
  });

  it('redacts a run of 6 or more characters from the start or the end of a secret anywhere', () => {
    const r = new Redactor(['LEAKCANARY-mon-7f3a9c2e1b4d5a']);
    expect(r.redact('GET /push-events/LEAKCANARY-mon-7f... 404')).toBe('GET /push-events/***... 404');
    expect(r.redact('...2e1b4d5a/sub')).toBe('...***/sub');
    expect(r.redact('LEAKC is shorter than 6')).toBe('LEAKC is shorter than 6');
  });

  it('drops the start of a secret left at a cut, however short', () => {
    const r = new Redactor(['LEAKCANARY-mon-7f3a9c2e1b4d5a']);
    expect(r.excerpt('path /LEA', 100, true)).toBe('path /');
    expect(r.excerpt('path /LEA', 100, false)).toBe('path /LEA');
    expect(r.excerpt(`${'x'.repeat(20)} /LEAKCANARY-mon-7f3a9c2e1b4d5a`, 24)).toBe(`${'x'.repeat(20)} …`);
  });

  it('cuts after redacting, on a character boundary, with an ellipsis', () => {
    const r = new Redactor(['0123456789abcdef']);
    expect(r.excerpt('é0123456789abcdefé', 8)).toBe('é***é');
    expect(r.excerpt('ééééé', 7)).toBe('éé…');
  });

  it('never shows the secrets when logged or serialised', () => {
    const r = new Redactor(['hidden-value-123']);
    r.redact('warm the cache');
    expect(inspect(r, { showHidden: true, depth: 5 })).not.toContain('hidden');
    expect(JSON.stringify(r)).not.toContain('hidden');
  });
});

describe('Redactor: property, over random secrets, echo shapes and every cut position', () => {
  const random = seeded(20261130);

  it.each(Object.keys(ECHO_SHAPES))('%s', (shape) => {
    let cuts = 0;
    for (let round = 0; round < 30; round++) {
      const secrets = [randomSecret(random), randomSecret(random)];
      const r = new Redactor(secrets);
      const forbidden = [pieces(secrets)];
      const forms = secretForms(secrets);
      const echo = secrets.map((s) => ECHO_SHAPES[shape](s)).join(filler(random, 3));
      const page = filler(random, Math.floor(random() * 20)) + echo + filler(random, Math.floor(random() * 20));
      expect(leaks(r.redact(page), forbidden)).toEqual([]);
      for (let at = 0; at <= page.length; at++) {
        // A body kept only in part (cut before redaction could see all of it)...
        const kept = r.excerpt(page.slice(0, at), 1 << 20, at < page.length);
        // ...and a whole body cut to a byte budget after redaction.
        const budget = Buffer.byteLength(page.slice(0, at));
        const cut = r.excerpt(page, budget);
        expect(leaks(kept, forbidden)).toEqual([]);
        expect(partialAtEnd(kept, page, at, forms)).toBeUndefined();
        expect(leaks(cut, forbidden)).toEqual([]);
        cuts++;
      }
    }
    expect(cuts).toBeGreaterThan(30 * 20);
  });

  it('a secret cut short by the server, at any length of 6 or more, from either end', () => {
    for (let round = 0; round < 200; round++) {
      const secret = randomSecret(random);
      const r = new Redactor([secret]);
      for (let n = MIN_PARTIAL_CHARS; n <= secret.length; n++) {
        expect(leaks(r.redact(`${filler(random, 4)}${secret.slice(0, n)}...`), [secret.slice(0, n)])).toEqual([]);
        expect(leaks(r.redact(`...${secret.slice(-n)}${filler(random, 4)}`), [secret.slice(-n)])).toEqual([]);
      }
    }
  });
});
