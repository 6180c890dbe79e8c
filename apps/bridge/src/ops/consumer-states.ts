import { Injectable } from '@nestjs/common';
import type { Target } from '@app/contracts';

/** What one target's consumer says about itself, for the health endpoints. */
export interface TargetHealth {
  /** Why it is not ready (not joined, paused, credentials refused, stalled, DLQ failing), if it is not. */
  notReady?: string;
  /** Why a restart of the process is due (our own restarts of the consumer keep failing), if it is. */
  restartDue?: string;
}

/**
 * What the health endpoints are computed from: each target's consumer answers for itself, live
 * (no Kafka request per probe), and the transport says when the bridge shuts down.
 */
@Injectable()
export class ConsumerStates {
  private readonly targets = new Map<Target, () => TargetHealth>();
  shuttingDown = false;

  register(target: Target, health: () => TargetHealth): void {
    this.targets.set(target, health);
  }

  /** undefined when ready, else why not, per target (the 503 body). */
  notReadyReason(): Record<string, string> | undefined {
    if (this.shuttingDown) return { bridge: 'shutting down' };
    if (this.targets.size === 0) return { bridge: 'consumers not started' };
    const reasons: Record<string, string> = {};
    for (const [target, health] of this.targets) {
      const { notReady } = health();
      if (notReady) reasons[target] = notReady;
    }
    return Object.keys(reasons).length ? reasons : undefined;
  }

  /** Targets whose consumer the bridge could not bring back by itself: restart the process. */
  restartDue(): string[] {
    const due: string[] = [];
    for (const [target, health] of this.targets) {
      const { restartDue } = health();
      if (restartDue) due.push(`${target}: ${restartDue}`);
    }
    return due;
  }
}
