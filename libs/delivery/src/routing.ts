import type { InboundRecord, Target } from '@app/contracts';
import { headerText } from '@app/contracts/record-headers';

/**
 * mine: this target's by its route header; mine-by-topic: this target's by its topic's route (it has
 * no route header); skip: another target's; elsewhere: a target this process does not deliver
 * (another deployment does), reported by the one group that counts them; unroutable: no known
 * target's, and this group dead-letters it.
 */
export type Route = 'mine' | 'mine-by-topic' | 'skip' | 'elsewhere' | 'unroutable';

export interface RouterOptions {
  target: Target;
  /** The route header's name (BRIDGE_ROUTE_HEADER). */
  header: string;
  /** Route values some deployment delivers; any other value is unroutable. */
  knownTargets: readonly string[];
  /** Whether this group dead-letters unroutable records (exactly one group does). */
  deadLettersUnroutable: boolean;
  /** The targets this process delivers, when this group reports records for the others. */
  countElsewhere?: readonly string[];
  /** The target of each topic with a route (BRIDGE_ROUTES): its records without the header go there. */
  topicTargets?: ReadonlyMap<string, string>;
}

/** The route header's value (the first one; a null value is none), in lower case like BRIDGE_TARGETS. */
function routeValue(record: InboundRecord, header: string): string | undefined {
  return headerText(record.headers, header)?.toLowerCase();
}

/**
 * Routes records by their route header, or without one by their topic's route: both ways alike,
 * in every group. Every target's group reads every record; records with a missing or unknown
 * route value belong to no target, and exactly one group dead-letters them, so that they land in
 * the DLQ once.
 */
export class Router {
  private readonly known: ReadonlySet<string>;
  private readonly local: ReadonlySet<string> | undefined;

  constructor(private readonly options: RouterOptions) {
    this.known = new Set(options.knownTargets);
    this.local = options.countElsewhere && new Set(options.countElsewhere);
  }

  route(record: InboundRecord): Route {
    const header = routeValue(record, this.options.header);
    const value = header ?? this.options.topicTargets?.get(record.topic);
    if (value === this.options.target) return header === undefined ? 'mine-by-topic' : 'mine';
    if (value !== undefined && this.known.has(value)) return this.local?.has(value) === false ? 'elsewhere' : 'skip';
    return this.options.deadLettersUnroutable ? 'unroutable' : 'skip';
  }

  /** The route target of a record routed 'elsewhere'. */
  targetOf(record: InboundRecord): string {
    return routeValue(record, this.options.header) ?? this.options.topicTargets?.get(record.topic) ?? '';
  }

  /** Why a record is unroutable, for x-dlq-error. */
  whyUnroutable(record: InboundRecord): string {
    const value = routeValue(record, this.options.header);
    return value === undefined ? `no ${this.options.header} header` : `unknown target "${value}"`;
  }
}
