// kafkajs internals (the record encoder and decoder), to check that patches/kafkajs+2.2.4.patch is in
// effect: without it, a header named `constructor` or with a null value breaks consumers and the DLQ.
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => { buffer: Buffer };
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder') as (
  d: unknown,
  ctx: object,
) => { headerList?: { key: string; value: Buffer | null }[] };
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => { readVarIntBytes(): Buffer };
// The consumer's runner, whose patch awaits `onRebalance` before the member rejoins its group.
const Runner = require('kafkajs/src/consumer/runner') as { toString(): string };

const PROBE = [
  { key: '1', value: Buffer.from('a') },
  { key: 'constructor', value: null },
  { key: '__proto__', value: Buffer.from([0xff]) },
  { key: '1', value: Buffer.from('b') },
];

let checked = false;

/**
 * Throws unless kafkajs writes and reads record headers exactly (in order, nulls, any name) and
 * awaits `onRebalance` before rejoining.
 */
export function assertKafkajsPatched(): void {
  if (checked) return;
  let decoded: { key: string; value: Buffer | null }[] | undefined;
  try {
    const body = new Decoder(encodeRecord({ key: null, value: null, headers: PROBE }).buffer).readVarIntBytes();
    decoded = decodeRecord(new Decoder(body), { firstOffset: '0', firstTimestamp: '0' }).headerList;
  } catch {
    decoded = undefined;
  }
  const same = (a: Buffer | null, b: Buffer | null) => (a === null ? b === null : b !== null && a.equals(b));
  const exact =
    decoded?.length === PROBE.length &&
    PROBE.every((h, i) => decoded[i].key === h.key && same(h.value, decoded[i].value));
  if (!exact || !Runner.toString().includes('this.onRebalance')) {
    throw new Error('kafkajs is not patched (patches/kafkajs+2.2.4.patch): reinstall with `npm ci`');
  }
  checked = true;
}
