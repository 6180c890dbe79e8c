import type { CliContext } from '../command';
import { count } from '../progress';
import type { DlqEntry } from './dlq-entry';
import { position } from './dlq-view';
import type { Refusal } from './replay-verdict';
import type { PlannedReplay } from './replay-writer';

export interface ReplayCounts {
  replayed: number;
  unfixable: number;
  loopGuard: number;
  noSourceTopic: number;
  missingTopic: number;
  filteredOut: number;
}

const COUNTED: Record<Refusal, keyof ReplayCounts> = {
  unfixable: 'unfixable',
  'loop-guard': 'loopGuard',
  'no-source': 'noSourceTopic',
};

export interface ReplayEnd {
  dryRun: boolean;
  interrupted: boolean;
  limitReached: boolean;
  read: number;
  total: number;
  dlq: string;
}

/** The lines of `dlq replay`: one per record (JSON or text), then the counts. */
export class ReplayReport {
  readonly counts: ReplayCounts = {
    replayed: 0,
    unfixable: 0,
    loopGuard: 0,
    noSourceTopic: 0,
    missingTopic: 0,
    filteredOut: 0,
  };

  constructor(
    private readonly ctx: CliContext,
    private readonly json: boolean,
    private readonly maxReplays: number,
  ) {}

  refused(e: DlqEntry, refusal: Refusal, why: string): void {
    this.counts[COUNTED[refusal]]++;
    this.line(refusal, e, why, { reason: e.reason ?? null, topic: e.source.topic ?? null, replayCount: e.replayCount });
  }

  missingTopic(e: DlqEntry, topic: string): void {
    this.counts.missingTopic++;
    this.line('no-topic', e, `source topic "${topic}" does not exist; not replayed`, { topic });
  }

  /** A record written (acknowledged), or one a dry run would write. */
  replayed({ entry, topic, message }: PlannedReplay, dryRun = false): void {
    this.counts.replayed++;
    const replayCount = entry.replayCount + 1;
    const where = `${topic}${message.partition === undefined ? '' : `/${message.partition}`}`;
    this.line(
      dryRun ? 'would-replay' : 'replayed',
      entry,
      `-> ${where} (replay ${replayCount} of ${this.maxReplays})`,
      {
        topic,
        partition: message.partition ?? null,
        replayCount,
      },
    );
  }

  summary(write: (line: string) => void, end: ReplayEnd): void {
    const c = this.counts;
    if (this.json) {
      const { dryRun, interrupted, read, total } = end;
      write(JSON.stringify({ summary: { dryRun, interrupted, ...c, read, total } }));
      return;
    }
    const done = end.dryRun ? 'dry run, nothing written: would replay' : 'replayed';
    const read = `${count(end.read)} of ${count(end.total)} records read from ${end.dlq}`;
    write(
      `${end.interrupted ? 'interrupted: ' : ''}${done} ${count(c.replayed)}, unfixable ${count(c.unfixable)}, ` +
        `refused by loop guard ${count(c.loopGuard)}, without source topic ${count(c.noSourceTopic)}, ` +
        `source topic missing ${count(c.missingTopic)}, filtered out ${count(c.filteredOut)} ` +
        `(${read}${end.limitReached ? ', --limit reached' : ''})`,
    );
  }

  private line(action: string, e: DlqEntry, text: string, extra: Record<string, unknown>): void {
    const dlq = { partition: e.dlq.partition, offset: e.dlq.offset };
    if (this.json) this.ctx.out(JSON.stringify({ action, dlq, ...extra }));
    else this.ctx.out(`${action.padEnd(12)} ${position(dlq.partition, dlq.offset).padEnd(8)} ${text}`);
  }
}
