import { EmulatedApi, isEmulatedApi } from './recorder';

/**
 * A fault for one API, set at run time. `latencyMs` delays every call; at most one effect
 * (`status`, `rateLimit`, `refuse`, `drop`, `hang`) applies to every call, to every Nth
 * (`everyNth`), or to the calls beyond `ratePerSecond` (a quota, as a gateway enforces one), at most
 * `times` times. With `match` the fault concerns only the calls whose body holds that text (one
 * record: a poison record); other calls pass untouched and uncounted. With `forMs` the whole fault
 * ends that long after it was set.
 */
export interface FaultSpec {
  api: EmulatedApi;
  latencyMs?: number;
  /** Answer this status with the API's error body. */
  status?: number;
  /** Guance: 401 `ft.TriggerApiWorkspaceCurrentLimiting`; NCP: 429 (rate limited). */
  rateLimit?: boolean;
  /**
   * Answer as the API does when it refuses our credentials: NCP 401 errorCode 200 (authentication
   * failed), Guance 403 `ft.InvalidAPIKey`.
   */
  refuse?: boolean;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /** Never answer (until the client gives up). */
  hang?: boolean;
  /** Retry-After header on injected error answers (seconds or an HTTP date). */
  retryAfter?: string | number;
  /** Only calls whose body contains this text. */
  match?: string;
  everyNth?: number;
  /** The effect applies only to calls beyond this many per second (a token bucket of a tenth of it). */
  ratePerSecond?: number;
  forMs?: number;
  times?: number;
}

export type FaultEffect =
  | { type: 'status'; status: number; retryAfter?: string }
  | { type: 'rateLimit'; retryAfter?: string }
  | { type: 'refuse' }
  | { type: 'drop' }
  | { type: 'hang' };

interface ActiveFault {
  spec: FaultSpec;
  setAt: number;
  calls: number;
  injected: number;
  /** Calls the quota (ratePerSecond) still allows now, and when it was last refilled. */
  tokens: number;
  refilledAt: number;
}

const isCount = (v: unknown): boolean => v === undefined || (Number.isInteger(v) && (v as number) >= 1);
const isMs = (v: unknown): boolean => v === undefined || (Number.isFinite(v) && (v as number) >= 0);

/** Checks a fault as it comes from the control API; throws an Error saying what is wrong. */
export function parseFault(input: unknown): FaultSpec {
  const f = input as Partial<FaultSpec> | null;
  if (!f || typeof f !== 'object') throw new Error('a fault is a JSON object');
  if (!isEmulatedApi(f.api)) throw new Error('api must be datastream, cloudinsight, guance or integration');
  const effects = [f.status !== undefined, !!f.rateLimit, !!f.refuse, !!f.drop, !!f.hang].filter(Boolean).length;
  if (effects > 1) throw new Error('at most one of status, rateLimit, refuse, drop, hang');
  if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 200 && f.status <= 599)) {
    throw new Error('status must be an HTTP status');
  }
  if (!isMs(f.latencyMs) || !isMs(f.forMs)) throw new Error('latencyMs and forMs must be numbers >= 0');
  if (!isCount(f.everyNth) || !isCount(f.times) || !isCount(f.ratePerSecond)) {
    throw new Error('everyNth, ratePerSecond and times must be integers >= 1');
  }
  if (f.everyNth !== undefined && f.ratePerSecond !== undefined)
    throw new Error('at most one of everyNth, ratePerSecond');
  if (f.match !== undefined && (typeof f.match !== 'string' || f.match === '')) {
    throw new Error('match must be a non-empty string');
  }
  if (f.retryAfter !== undefined && !['string', 'number'].includes(typeof f.retryAfter)) {
    throw new Error('retryAfter must be seconds or an HTTP date');
  }
  return f as FaultSpec;
}

/** The faults in force, one per API; setting one replaces that API's previous fault. */
export class FaultTable {
  private active = new Map<EmulatedApi, ActiveFault>();

  set(spec: FaultSpec, now: number): void {
    this.active.set(spec.api, { spec, setAt: now, calls: 0, injected: 0, tokens: burst(spec), refilledAt: now });
  }

  clear(api?: EmulatedApi): void {
    if (api) this.active.delete(api);
    else this.active.clear();
  }

  list(): FaultSpec[] {
    return [...this.active.values()].map((f) => f.spec);
  }

  /** What to do to this call of `api` (with this body): a delay, and an effect or none. */
  next(api: EmulatedApi, now: number, body?: Buffer): { latencyMs: number; effect?: FaultEffect } | undefined {
    const fault = this.active.get(api);
    if (!fault) return undefined;
    const { spec } = fault;
    if (spec.forMs !== undefined && now - fault.setAt >= spec.forMs) {
      this.active.delete(api);
      return undefined;
    }
    if (spec.match !== undefined && !body?.includes(spec.match)) return undefined;
    fault.calls++;
    const latencyMs = spec.latencyMs ?? 0;
    if (fault.calls % (spec.everyNth ?? 1) !== 0) return { latencyMs };
    if (spec.ratePerSecond !== undefined && withinQuota(fault, spec.ratePerSecond, now)) return { latencyMs };
    if (spec.times !== undefined && fault.injected >= spec.times) return { latencyMs };
    const effect = effectOf(spec);
    if (effect) fault.injected++;
    return { latencyMs, effect };
  }
}

function burst(spec: FaultSpec): number {
  return spec.ratePerSecond === undefined ? 0 : Math.max(1, spec.ratePerSecond / 10);
}

/** Takes a call from the fault's token bucket: true while the quota allows it. */
function withinQuota(fault: ActiveFault, ratePerSecond: number, now: number): boolean {
  fault.tokens = Math.min(burst(fault.spec), fault.tokens + ((now - fault.refilledAt) * ratePerSecond) / 1000);
  fault.refilledAt = now;
  if (fault.tokens < 1) return false;
  fault.tokens--;
  return true;
}

function effectOf(spec: FaultSpec): FaultEffect | undefined {
  const retryAfter = spec.retryAfter === undefined ? undefined : String(spec.retryAfter);
  if (spec.status !== undefined) return { type: 'status', status: spec.status, retryAfter };
  if (spec.rateLimit) return { type: 'rateLimit', retryAfter };
  if (spec.refuse) return { type: 'refuse' };
  if (spec.drop) return { type: 'drop' };
  if (spec.hang) return { type: 'hang' };
  return undefined;
}
