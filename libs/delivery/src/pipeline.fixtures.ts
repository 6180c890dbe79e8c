// Fakes for the delivery unit tests (not exported from the lib).
import type { InboundRecord, SendResult, Target } from '@app/contracts';
import { TargetPipeline } from './target-pipeline';
import type { TargetPipelineOptions } from './pipeline-options';
import type { Coalescing, DeadLetter, TargetSender } from './target-sender';

export interface Body {
  id: string;
  key?: string;
  cw?: string;
  size?: number;
}

export function rec(
  offset: number,
  key: string | null,
  target: string | undefined,
  body?: Partial<Body> | string,
  partition = 0,
): InboundRecord {
  const value = typeof body === 'string' ? body : JSON.stringify({ id: `${partition}:${offset}`, key, ...body });
  return {
    topic: 'in',
    partition,
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(value),
    headers: target === undefined ? [] : [{ key: 'x-bridge-target', value: Buffer.from(target) }],
    timestamp: '1700000000000',
  };
}

export interface SentCall {
  ids: string[];
  at: number;
  signal?: AbortSignal;
  answer(result: SendResult): void;
}

/** A sender whose calls are answered by `respond` (default: 200 at once) or by hand. */
export class FakeSender implements TargetSender<Body> {
  readonly calls: SentCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  coalesce?: Coalescing<Body>;
  respond: ((ids: string[]) => SendResult | Promise<SendResult> | undefined) | undefined = () => ({
    outcome: 'delivered',
    status: 200,
  });

  constructor(readonly target: Target = 'datastream') {}

  parse(record: InboundRecord) {
    try {
      return { ok: true as const, body: JSON.parse(record.value!.toString('utf8')) as Body };
    } catch {
      return { ok: false as const, reason: 'malformed' as const, error: 'not JSON' };
    }
  }

  send(bodies: Body[], signal?: AbortSignal): Promise<SendResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<SendResult>((resolve) => {
      const onAbort = () => call.answer({ outcome: 'retryable', error: 'aborted' });
      let answered = false;
      const call: SentCall = {
        ids: bodies.map((b) => b.id),
        at: Date.now(),
        signal,
        answer: (result) => {
          if (answered) return;
          answered = true;
          signal?.removeEventListener('abort', onAbort);
          this.inFlight--;
          resolve(result);
        },
      };
      this.calls.push(call);
      signal?.addEventListener('abort', onAbort);
      const auto = this.respond?.(call.ids);
      if (auto !== undefined) void Promise.resolve(auto).then(call.answer);
    });
  }

  delivered(): string[] {
    return this.calls.flatMap((c) => c.ids);
  }
}

export class FakeSink {
  readonly letters: DeadLetter[] = [];
  writes = 0;
  failNext = 0;

  async write(letters: DeadLetter[]): Promise<void> {
    this.writes++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('DLQ unavailable');
    }
    this.letters.push(...letters);
  }
}

export function pipeline(sender: FakeSender, sink: FakeSink, overrides: Partial<TargetPipelineOptions<Body>> = {}) {
  return new TargetPipeline<Body>({
    target: sender.target,
    groupId: 'g',
    routeHeader: 'x-bridge-target',
    unroutable: false,
    sender,
    deadLetters: sink,
    retry: { baseMs: 100, capMs: 1000, deadlineMs: 10_000, random: () => 0.5 },
    probeBackoff: { random: () => 0.5 },
    maxInFlight: 4,
    ...overrides,
  });
}

/** The partition's commit position if it moved since the last call (what the transport commits). */
export function committable(p: TargetPipeline<Body>, topic: string, partition: number): string | undefined {
  return p.committableAll().find((c) => c.topic === topic && c.partition === partition)?.offset;
}

export const ctx = { heartbeat: () => Promise.resolve() };

/** Lets promise callbacks run and fake time advance. */
export async function tick(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}
