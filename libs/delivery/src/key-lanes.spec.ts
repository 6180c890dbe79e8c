import { JobState, newJob, type Job } from './job';
import { PartitionFeed } from './partition-feed';
import { rec } from './pipeline.fixtures';

describe('KeyLanes', () => {
  const part = new PartitionFeed('in', 0);
  const job = (offset: number, key: string | null): Job => newJob(rec(offset, key, 'datastream'), part, offset);

  it('lets only the head of each key go, and hands over to the next record of that key in order', () => {
    const lanes = part.lanes;
    const [a0, b1, a2, a3, n4] = [job(0, 'a'), job(1, 'b'), job(2, 'a'), job(3, 'a'), job(4, null)];
    expect([a0, b1, a2, a3, n4].map((j) => lanes.enter(j))).toEqual([true, true, false, false, true]);
    expect(a2.state).toBe(JobState.Waiting);
    expect(lanes.leave(a0)).toBe(a2);
    expect(a2.state).toBe(JobState.Ready);
    expect(lanes.leave(b1)).toBeUndefined();
    expect(lanes.leave(a2)).toBe(a3);
    expect(lanes.leave(a3)).toBeUndefined();
    // the lane is gone: the next record of the key heads a new one
    expect(lanes.enter(job(5, 'a'))).toBe(true);
  });

  it('tells a null key from an empty key and keys that differ only in bytes', () => {
    const lanes = new PartitionFeed('in', 1).lanes;
    const latin = newJob({ ...rec(0, null, 'datastream'), key: Buffer.from([0xe9]) }, part, 0);
    const utf8 = newJob({ ...rec(1, null, 'datastream'), key: Buffer.from('é') }, part, 1);
    expect([job(2, null), job(3, ''), latin, utf8].map((j) => lanes.enter(j))).toEqual([true, true, true, true]);
  });

  it('abandons every record still in a lane', () => {
    const lanes = new PartitionFeed('in', 2).lanes;
    const jobs = [job(0, 'a'), job(1, 'a'), job(2, 'b')];
    jobs.forEach((j) => lanes.enter(j));
    lanes.abandonAll();
    expect(jobs.map((j) => j.state)).toEqual([JobState.Abandoned, JobState.Abandoned, JobState.Abandoned]);
    expect(lanes.enter(job(3, 'a'))).toBe(true);
  });
});
