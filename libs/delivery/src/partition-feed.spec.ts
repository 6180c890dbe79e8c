import { isAbandoned, newJob } from './job';
import { PartitionFeed } from './partition-feed';
import { rec } from './pipeline.fixtures';

function feedWith(offsets: number[], done: number[] = []): PartitionFeed {
  const feed = new PartitionFeed('in', 3);
  for (const o of offsets) {
    const seq = feed.tracker.register(String(o));
    if (done.includes(o)) feed.tracker.markDone(seq);
  }
  return feed;
}

describe('PartitionFeed', () => {
  it('takes a batch that continues the partition', () => {
    expect(new PartitionFeed('in', 3).fit('42')).toBe('next');
    expect(feedWith([1, 2]).fit('3')).toBe('next');
    expect(feedWith([1, 2]).fit('10')).toBe('next'); // gaps (compaction, markers) are fine
  });

  it('takes a batch fetched again from an earlier offset, and knows which offsets it has taken', () => {
    const feed = feedWith([1, 2], [1]);
    expect(feed.fit('1')).toBe('next');
    expect(feed.taken).toBe('2');
    const fresh = new PartitionFeed('in', 3);
    fresh.knownThrough = '7'; // what the feed it replaced had taken
    expect(fresh.taken).toBe('7');
  });

  it('refuses a batch with records of another partition or offsets that do not rise', () => {
    const feed = new PartitionFeed('in', 3);
    const r = (offset: string, partition = 3) => ({ topic: 'in', partition, offset });
    expect(feed.checkBatch([r('1'), r('2'), r('9')])).toBeUndefined();
    expect(feed.checkBatch([r('1'), r('2', 4)])?.message).toContain('one partition');
    expect(feed.checkBatch([r('5'), r('5')])?.message).toContain('offset 5 of in/3 does not fit: expected after 5');
    expect(feed.checkBatch([r('9'), r('10'), r('8')])?.message).toContain('offset 8');
  });

  it('after a drain abandoned records, takes only batches from the first of them or earlier', () => {
    const feed = feedWith([5, 6, 7], [5]);
    feed.resumeAt(feed.tracker.firstPending());
    feed.abandon();
    expect(feed.fit('7')).toBeInstanceOf(Error);
    expect(feed.fit('6')).toBe('again');
    expect(feed.fit('0')).toBe('again');
  });

  it('remembers the earliest offset not taken while draining', () => {
    const feed = feedWith([5, 6], [5]);
    feed.notTaken('9');
    expect((feed.fit('7') as Error).message).toMatch(/from 6 or earlier/);
    feed.notTaken('2');
    expect((feed.fit('3') as Error).message).toMatch(/from 2 or earlier/);
  });

  it('moves the commit position past filtered offsets (transaction markers) once all before is done', () => {
    const feed = feedWith([10, 11], [10]);
    feed.skipTo('12');
    expect(feed.tracker.position()).toBe('11');
    feed.tracker.markDone(1);
    expect(feed.tracker.position()).toBe('13');
    feed.skipTo('12'); // not past what is registered: nothing changes
    feed.skipTo('5');
    expect(feed.tracker.position()).toBe('13');
    const fresh = new PartitionFeed('in', 4);
    fresh.skipTo('99'); // a fetch of markers only
    expect(fresh.tracker.position()).toBe('100');
  });

  it('abandon marks the feed and the records in its lanes abandoned', () => {
    const feed = new PartitionFeed('in', 5);
    const job = newJob(rec(0, 'k', 'datastream'), feed, 0);
    feed.lanes.enter(job);
    feed.abandon();
    expect(feed.abandoned).toBe(true);
    expect(isAbandoned(job)).toBe(true);
  });
});
