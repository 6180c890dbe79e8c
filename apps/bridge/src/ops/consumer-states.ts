import { Injectable } from '@nestjs/common';
import type { Target } from '@app/contracts';

export interface ConsumerState {
  connected: boolean;
  joined: boolean;
  crashed?: string;
}

/** What readiness is computed from: kept up to date by the Kafka transport's consumer events. */
@Injectable()
export class ConsumerStates {
  private readonly states = new Map<Target, ConsumerState>();
  shuttingDown = false;

  expect(targets: readonly Target[]): void {
    for (const t of targets) this.states.set(t, { connected: false, joined: false });
  }

  update(target: Target, change: Partial<ConsumerState>): void {
    const current = this.states.get(target) ?? { connected: false, joined: false };
    this.states.set(target, { ...current, ...change });
  }

  /** Consumers that crashed and that kafkajs will not restart: the process should be restarted. */
  crashed(): string[] {
    return [...this.states].filter(([, s]) => s.crashed).map(([t, s]) => `${t}: ${s.crashed}`);
  }

  /** undefined when ready, else why not (for the 503 body). */
  notReadyReason(): Record<string, string> | undefined {
    if (this.shuttingDown) return { bridge: 'shutting down' };
    if (this.states.size === 0) return { bridge: 'consumers not started' };
    const reasons: Record<string, string> = {};
    for (const [target, s] of this.states) {
      if (s.crashed) reasons[target] = `consumer crashed: ${s.crashed}`;
      else if (!s.connected) reasons[target] = 'not connected to Kafka';
      else if (!s.joined) reasons[target] = 'not joined to its consumer group';
    }
    return Object.keys(reasons).length ? reasons : undefined;
  }
}
