/**
 * Cuts `text` to at most `maxBytes` bytes of UTF-8 without splitting a character, ending with an
 * ellipsis when something was cut (DLQ headers have a byte limit, see DLQ_ERROR_MAX_BYTES).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  if (budget <= 0) return '';
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + ellipsis;
}
