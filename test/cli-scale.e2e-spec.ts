import { ChildProcess, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { CLI_ROOT, cliArgs, cliResult, lines, peakRssKiB, spawnCli } from './support/cli';
import { manyDeadLetters } from './support/dead-letters';
import { createTopic, produce, uniqueName, withAdmin } from './support/kafka';

const CLEAR_LINE = '\r\x1b[2K';

async function deadLetterTopic(count: number, source: string): Promise<string> {
  const dlq = await createTopic(uniqueName(`cli-scale-dlq-${count}`), 3);
  await produce(dlq, manyDeadLetters(source, count));
  return dlq;
}

async function recordCount(topic: string): Promise<number> {
  const offsets = await withAdmin((a) => a.fetchTopicOffsets(topic));
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** Runs `dlq list` with stdout read and counted (not kept) and its peak RSS sampled. */
async function listMeasured(dlq: string, ...args: string[]) {
  const child = spawnCli(['dlq', 'list', ...args], { BRIDGE_DLQ_TOPIC: dlq });
  child.stdin!.end();
  let stdoutLines = 0;
  child.stdout!.on('data', (d: Buffer) => {
    for (const byte of d) if (byte === 10) stdoutLines++;
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [peakKiB, code] = await Promise.all([peakRssKiB(child), exitCode(child)]);
  return { peakMiB: peakKiB / 1024, code, stdoutLines, stderr };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

/** Resolves once the child's stdout holds `n` lines that pass `test`. */
function linesSeen(child: ChildProcess, n: number, test: (line: string) => boolean): Promise<void> {
  let text = '';
  return new Promise((resolve) =>
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (lines(text).filter(test).length >= n) resolve();
    }),
  );
}

describe('the command line at scale', () => {
  it('lists 50,000 dead letters with the memory it needs for 5,000, and stops reading at --limit', async () => {
    const small = await deadLetterTopic(5_000, 'cli-scale-source');
    const large = await deadLetterTopic(50_000, 'cli-scale-source');

    const smallRun = await listMeasured(small, '--json');
    const largeRun = await listMeasured(large, '--json');
    const limited = await listMeasured(large, '--limit', '3');
    process.stdout.write(
      `dlq list --json peak RSS: ${smallRun.peakMiB.toFixed(1)} MiB for 5,000 letters, ` +
        `${largeRun.peakMiB.toFixed(1)} MiB for 50,000; --limit 3 on 50,000: ${limited.peakMiB.toFixed(1)} MiB\n`,
    );

    expect(smallRun).toMatchObject({
      code: 0,
      stdoutLines: 5_000,
      stderr: `5,000 of 5,000 records in ${small} shown\n`,
    });
    expect(largeRun).toMatchObject({
      code: 0,
      stdoutLines: 50_000,
      stderr: `50,000 of 50,000 records in ${large} shown\n`,
    });
    expect(limited).toMatchObject({ code: 0, stdoutLines: 5, stderr: '' });
    expect(limited.stderr).toBe('');
    // Ten times the letters, not ten times the memory: a generous bound, the figures are in BENCHMARKS.md.
    expect(largeRun.peakMiB).toBeLessThan(smallRun.peakMiB * 2);
    expect(limited.peakMiB).toBeLessThan(smallRun.peakMiB * 2);
  });

  it('reports the true count written when Ctrl-C stops a rate-limited replay, and exits 130', async () => {
    const source = await createTopic(uniqueName('cli-scale-replay'));
    const dlq = await deadLetterTopic(50, source);
    const child = spawnCli(['dlq', 'replay', '--rate', '5'], { BRIDGE_DLQ_TOPIC: dlq });
    child.stdin!.end();
    const result = cliResult(child);
    await linesSeen(child, 3, (l) => l.startsWith('replayed '));
    child.kill('SIGINT');
    const { code, stdout, stderr } = await result;

    expect(stderr).toBe('');
    expect(code).toBe(130);
    const out = lines(stdout);
    const summary = out.pop()!;
    const written = Number(/^interrupted: replayed (\d+), /.exec(summary)?.[1]);
    expect(written).toBeGreaterThanOrEqual(3);
    expect(written).toBeLessThan(50);
    expect(out).toHaveLength(written);
    expect(out.every((l) => /^replayed {5}\d@\d+ +-> /.test(l))).toBe(true);
    expect(await recordCount(source)).toBe(written);
  });

  it('shows its progress on a terminal while a rate limit holds it back', async () => {
    const source = await createTopic(uniqueName('cli-scale-tty'));
    const dlq = await deadLetterTopic(8, source);
    // `script` gives the CLI a terminal for stdout and stderr; what it wrote comes back on its stdout.
    const command = ['node', ...cliArgs(['dlq', 'replay', '--rate', '4'])].map((a) => `'${a}'`).join(' ');
    const run = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: CLI_ROOT,
      env: { ...process.env, BRIDGE_DLQ_TOPIC: dlq, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
    });
    const { code, stdout } = await cliResult(run);
    expect(code).toBe(0);
    const redraws = stdout.split(CLEAR_LINE).filter((l) => l.startsWith(`replaying from ${dlq}: read `));
    expect(redraws.length).toBeGreaterThan(0);
    // Cut to the terminal's width (80 columns here).
    expect(redraws[0]).toMatch(/^replaying from \S+: read \d of 8 \(\d+%\), written \d \(\d+\/s, --/);
    // The status line is cleared for the summary, not left on the screen.
    const end = stdout.split(CLEAR_LINE).pop()!;
    expect(end).not.toMatch(/^replaying/);
    expect(end).toContain('replayed 8, unfixable 0, ');
    expect(await recordCount(source)).toBe(8);
  });

  it('ends quietly with exit code 0 when the reader of its output goes away', async () => {
    // More output than a pipe holds, so the CLI is still writing when the reader goes.
    const dlq = await deadLetterTopic(500, 'cli-scale-source');
    const list = spawnCli(['dlq', 'list', '--json'], { BRIDGE_DLQ_TOPIC: dlq });
    const help = spawnCli(['--help']);
    for (const child of [list, help]) child.stdin!.end();
    // `| head -1`: the reader takes one chunk and closes the pipe.
    list.stdout!.once('data', () => list.stdout!.destroy());
    help.stdout!.destroy();
    const [listed, helped] = await Promise.all([cliResult(list), cliResult(help)]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(helped).toMatchObject({ code: 0, stderr: '' });
  });
});
