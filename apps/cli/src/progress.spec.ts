import { ofTotal, perSecond, Progress } from './progress';
import { StatusLine } from './status-line';

describe('Progress', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  function progress(describe: (s: number) => string) {
    const shown: string[] = [];
    const p = new Progress({ status: (l) => shown.push(l), now: Date.now }, describe).start();
    return { p, shown };
  }

  it('shows nothing for a run shorter than a second', () => {
    const { p, shown } = progress(() => 'reading');
    jest.advanceTimersByTime(900);
    p.stop();
    expect(shown).toEqual(['']);
  });

  it('redraws four times a second after the first second, also while nothing advances, and clears at the end', () => {
    let read = 0;
    const { p, shown } = progress((s) => `${ofTotal(read, 50_000)} records, ${perSecond(read, s)}`);
    read = 12_345;
    jest.advanceTimersByTime(1_000);
    expect(shown).toEqual(['12,345 of 50,000 (24%) records, 12,345/s']);
    jest.advanceTimersByTime(1_000);
    expect(shown).toHaveLength(5);
    expect(shown[4]).toBe('12,345 of 50,000 (24%) records, 6,173/s');
    p.stop();
    jest.advanceTimersByTime(5_000);
    expect(shown).toHaveLength(6);
    expect(shown[5]).toBe('');
  });
});

describe('StatusLine', () => {
  function terminal(columns: number) {
    const written: string[] = [];
    return { written, tty: { columns, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
  }

  it('redraws in place, fits the terminal width, and clears only what it drew', () => {
    const { written, tty } = terminal(10);
    const line = new StatusLine(tty);
    line.clear();
    expect(written).toEqual([]);
    line.show('');
    line.show('reading 12,345 of 50,000');
    line.clear();
    line.clear();
    line.show('');
    expect(written).toEqual(['\r\x1b[2Kreading 1', '\r\x1b[2K']);
  });
});
