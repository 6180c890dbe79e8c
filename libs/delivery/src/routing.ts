import type { InboundRecord, Target } from '@app/contracts';

/** mine: this target's; skip: another group's; unroutable: no group's, and this one dead-letters it. */
export type Route = 'mine' | 'skip' | 'unroutable';

/** The route header's value; the first one when the header is repeated. */
function routeValue(record: InboundRecord, header: string): string | undefined {
  let value = record.headers[header];
  if (Array.isArray(value)) value = value[0];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toString('utf8');
}

/**
 * Routes records by their route header. Every target's group reads every record; records with a
 * missing or unknown route value belong to no target, and exactly one group (the `unroutable` one)
 * dead-letters them, so that they land in the DLQ once.
 */
export class Router {
  private readonly known: ReadonlySet<string>;

  constructor(
    private readonly target: Target,
    private readonly header: string,
    knownTargets: readonly string[],
    private readonly deadLettersUnroutable: boolean,
  ) {
    this.known = new Set(knownTargets);
  }

  route(record: InboundRecord): Route {
    const value = routeValue(record, this.header);
    if (value === this.target) return 'mine';
    if (value !== undefined && this.known.has(value)) return 'skip';
    return this.deadLettersUnroutable ? 'unroutable' : 'skip';
  }

  /** Why a record is unroutable, for x-dlq-error. */
  whyUnroutable(record: InboundRecord): string {
    const value = routeValue(record, this.header);
    return value === undefined ? `no ${this.header} header` : `unknown target "${value}"`;
  }
}
