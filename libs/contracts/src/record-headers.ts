/** One Kafka record header as the broker has it: any name, any bytes or null. */
export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** A record's headers in record order; a name may repeat. */
export type RecordHeaders = readonly RecordHeader[];

/**
 * The first value of header `name` (names are case-sensitive, as in Kafka) as UTF-8 text;
 * undefined when the record has no such header or its first value is null.
 */
export function headerText(headers: RecordHeaders, name: string): string | undefined {
  const header = headers.find((h) => h.key === name);
  return header?.value == null ? undefined : header.value.toString('utf8');
}
