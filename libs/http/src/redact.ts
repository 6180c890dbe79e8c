import { truncateUtf8 } from '@app/contracts/truncate-utf8';
import { secretForms } from './secret-forms';

/** What a redacted value is replaced with. */
export const REDACTED = '***';
/**
 * A run of this many characters from the start or the end of a secret is redacted wherever it
 * stands: a page that echoes a URL or header cut short by the server still hides what it shows.
 */
export const MIN_PARTIAL_CHARS = 6;

/**
 * Keeps the values one request sent out of any text made from its answer: secrets (credentials,
 * signatures, secret path segments) whole or in part, other values (an access key, a timestamp)
 * whole. The values sit in private fields: they never show if a Redactor is logged or serialised.
 */
export class Redactor {
  static readonly NONE = new Redactor([]);
  readonly #secrets: readonly (string | undefined)[];
  readonly #values: readonly (string | undefined)[];
  #forms?: { secret: string[]; value: string[]; all: string[] };

  constructor(secrets: readonly (string | undefined)[], values: readonly (string | undefined)[] = []) {
    this.#secrets = secrets;
    this.#values = values;
  }

  /**
   * Every form of every secret and value as `***`, and every run of 6 or more of the first or last
   * characters of a secret's form.
   */
  redact(text: string): string {
    const forms = this.forms();
    return applyMarks(text, [...findRuns(text, forms.secret), ...findWhole(text, forms.value)]);
  }

  /**
   * At most `maxBytes` of `text` (UTF-8), redacted before it is cut. At a cut (this one, or one
   * before: `truncated` when the text is a body kept only in part) a tail that may be the start of a
   * secret is dropped as well.
   */
  excerpt(text: string, maxBytes: number, truncated = false): string {
    let out = this.redact(text);
    if (truncated) out = this.dropPartialTail(out);
    if (Buffer.byteLength(out) <= maxBytes) return out;
    const cut = truncateUtf8(out, maxBytes);
    const ellipsis = cut.slice(-1);
    return this.dropPartialTail(cut.slice(0, -1)) + ellipsis;
  }

  private forms(): { secret: string[]; value: string[]; all: string[] } {
    if (!this.#forms) {
      const secret = secretForms(this.#secrets);
      const value = secretForms(this.#values);
      this.#forms = { secret, value, all: [...secret, ...value] };
    }
    return this.#forms;
  }

  /** Shorter runs than MIN_PARTIAL_CHARS, and parts of values, are dropped only where a cut made them. */
  private dropPartialTail(text: string): string {
    const forms = this.forms().all;
    const longest = Math.max(0, ...forms.map((form) => form.length));
    for (let length = Math.min(longest - 1, text.length); length > 0; length--) {
      const tail = text.slice(-length);
      if (forms.some((form) => form.length > length && form.startsWith(tail))) return text.slice(0, -length);
    }
    return text;
  }
}

type Mark = [start: number, end: number];

function findWhole(text: string, forms: readonly string[]): Mark[] {
  const marks: Mark[] = [];
  for (const form of forms) {
    for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1)) marks.push([i, i + form.length]);
  }
  return marks;
}

function findRuns(text: string, forms: readonly string[]): Mark[] {
  const marks: Mark[] = [];
  for (const form of forms) {
    if (form.length <= MIN_PARTIAL_CHARS) {
      marks.push(...findWhole(text, [form]));
      continue;
    }
    // A run that starts like the form, extended as far as it matches...
    const head = form.slice(0, MIN_PARTIAL_CHARS);
    for (let i = text.indexOf(head); i >= 0; i = text.indexOf(head, i + 1)) {
      let end = i + MIN_PARTIAL_CHARS;
      while (end < text.length && end - i < form.length && text[end] === form[end - i]) end++;
      marks.push([i, end]);
    }
    // ...and one that ends like it, extended backwards.
    const tail = form.slice(-MIN_PARTIAL_CHARS);
    for (let i = text.indexOf(tail); i >= 0; i = text.indexOf(tail, i + 1)) {
      let start = i;
      let at = form.length - MIN_PARTIAL_CHARS;
      while (start > 0 && at > 0 && text[start - 1] === form[at - 1]) {
        start--;
        at--;
      }
      marks.push([start, i + MIN_PARTIAL_CHARS]);
    }
  }
  return marks;
}

/** Overlapping and adjacent marks become one `***`. */
function applyMarks(text: string, marks: Mark[]): string {
  if (marks.length === 0) return text;
  marks.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  let [start, end] = marks[0];
  for (const [s, e] of marks) {
    if (s <= end) {
      end = Math.max(end, e);
      continue;
    }
    out += text.slice(pos, start) + REDACTED;
    pos = end;
    [start, end] = [s, e];
  }
  return out + text.slice(pos, start) + REDACTED + text.slice(end);
}
