import { isUtf8 } from 'node:buffer';
import type { RecordHeaders } from '@app/contracts/record-headers';

export type EncodedBytes = null | { utf8: string } | { base64: string };

/** Bytes for JSON: `{"utf8": ...}` when they are valid UTF-8, else `{"base64": ...}`; null stays null. */
export function encodeBytes(bytes: Buffer | string | null | undefined): EncodedBytes {
  if (bytes === null || bytes === undefined) return null;
  if (typeof bytes === 'string') return { utf8: bytes };
  return isUtf8(bytes) ? { utf8: bytes.toString('utf8') } : { base64: bytes.toString('base64') };
}

/** Headers for JSON: a list in record order, as Kafka has them (repeats and null values kept). */
export function encodeHeaders(headers: RecordHeaders): { key: string; value: EncodedBytes }[] {
  return headers.map(({ key, value }) => ({ key, value: encodeBytes(value) }));
}

/** Text safe for one table cell: control characters and line breaks become spaces. */
export function cell(text: string | number | undefined | null, max = Infinity): string {
  if (text === undefined || text === null || text === '') return '-';
  const flat = String(text)
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** The width of each column, in characters: its widest cell or heading, and at least `min`. */
export function columnWidths(head: string[], rows: string[][], min: number[] = []): number[] {
  return head.map((h, i) => Math.max(min[i] ?? 0, h.length, ...rows.map((r) => Array.from(r[i] ?? '').length)));
}

/** The heading and rows padded into aligned columns; the last column is not padded. */
export function table(head: string[], rows: string[][], widths = columnWidths(head, rows)): string[] {
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - Array.from(c).length)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}
