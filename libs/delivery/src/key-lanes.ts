import { JobState, type Job } from './job';

interface Lane {
  head: Job;
  tail: Job;
}

/**
 * Per-key order in one partition: the records of a Kafka key form a lane, and only its head may be
 * sent. When the head is done (delivered or dead-lettered) the next record becomes the head. A null
 * key is one key.
 */
export class KeyLanes {
  private readonly lanes = new Map<string, Lane>();

  /** Appends the job to its key's lane; true when it is the head (it may be sent now). */
  enter(job: Job): boolean {
    const key = job.record.key === null ? '' : 'k' + job.record.key.toString('latin1');
    job.laneKey = key;
    const lane = this.lanes.get(key);
    if (lane === undefined) {
      this.lanes.set(key, { head: job, tail: job });
      return true;
    }
    job.state = JobState.Waiting;
    lane.tail.nextInLane = job;
    lane.tail = job;
    return false;
  }

  /** The head is done: returns the next record of its lane, now the head and Ready, if any. */
  leave(job: Job): Job | undefined {
    if (job.laneKey === undefined) return undefined;
    const next = job.nextInLane;
    job.nextInLane = undefined;
    if (next === undefined) {
      this.lanes.delete(job.laneKey);
      return undefined;
    }
    this.lanes.get(job.laneKey)!.head = next;
    next.state = JobState.Ready;
    return next;
  }

  /** The head of every lane. */
  *heads(): IterableIterator<Job> {
    for (const lane of this.lanes.values()) yield lane.head;
  }

  /** Marks every record still in a lane abandoned and forgets the lanes. */
  abandonAll(): void {
    for (const lane of this.lanes.values()) {
      for (let job: Job | undefined = lane.head; job !== undefined; job = job.nextInLane) {
        job.state = JobState.Abandoned;
      }
    }
    this.lanes.clear();
  }
}
