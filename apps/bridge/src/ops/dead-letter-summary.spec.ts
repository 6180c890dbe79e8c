import { Test, TestingModule } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import { BridgeMetrics } from './bridge-metrics';
import { DEAD_LETTER_SUMMARY_INTERVAL_MS, DeadLetterSummary } from './dead-letter-summary';

interface LogLine {
  level: number;
  msg: string;
  deadLetters?: Record<string, number>;
}
const WARN = 40;

describe('DeadLetterSummary', () => {
  let app: TestingModule;
  let metrics: BridgeMetrics;
  let lines: LogLine[];
  const summaries = () => lines.filter((l) => l.msg?.startsWith('dead letters'));

  beforeEach(async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    lines = [];
    const stream = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) };
    app = await Test.createTestingModule({
      imports: [LoggerModule.forRoot({ pinoHttp: [{ level: 'info' }, stream] })],
      providers: [BridgeMetrics, DeadLetterSummary],
    }).compile();
    metrics = app.get(BridgeMetrics);
    await app.init();
  });

  afterEach(async () => {
    await app.close();
    jest.useRealTimers();
  });

  it('logs one warn line a minute with the dead letters of that minute by target and reason', async () => {
    metrics.deadLetters.inc({ target: 'guance', reason: 'invalid' }, 3);
    metrics.deadLetters.inc({ target: 'datastream', reason: 'rejected' });
    metrics.deadLetters.inc({ target: '', reason: 'unroutable' }, 2);
    await jest.advanceTimersByTimeAsync(DEAD_LETTER_SUMMARY_INTERVAL_MS);

    expect(summaries()).toEqual([
      expect.objectContaining({
        level: WARN,
        msg: 'dead letters in the last 60 s: guance/invalid 3, unroutable 2, datastream/rejected 1',
        deadLetters: { 'guance/invalid': 3, unroutable: 2, 'datastream/rejected': 1 },
      }),
    ]);
  });

  it('says nothing in a minute without new dead letters, and counts only the new ones after', async () => {
    metrics.deadLetters.inc({ target: 'guance', reason: 'invalid' }, 3);
    await jest.advanceTimersByTimeAsync(DEAD_LETTER_SUMMARY_INTERVAL_MS);
    await jest.advanceTimersByTimeAsync(DEAD_LETTER_SUMMARY_INTERVAL_MS);
    expect(summaries()).toHaveLength(1);

    metrics.deadLetters.inc({ target: 'guance', reason: 'invalid' }, 2);
    await jest.advanceTimersByTimeAsync(DEAD_LETTER_SUMMARY_INTERVAL_MS);
    expect(summaries().map((l) => l.msg)).toEqual([
      'dead letters in the last 60 s: guance/invalid 3',
      'dead letters in the last 60 s: guance/invalid 2',
    ]);
  });

  it('logs the dead letters of the last partial minute at shutdown', async () => {
    await jest.advanceTimersByTimeAsync(20_000);
    metrics.deadLetters.inc({ target: 'cloudinsight', reason: 'exhausted' });
    await app.close();
    expect(summaries().map((l) => l.msg)).toEqual(['dead letters in the last 20 s: cloudinsight/exhausted 1']);
  });
});
