import { TARGETS, type TopicRoute } from '@app/contracts';
import { controlCharacterIssue, MONITOR_NAME } from './value-checks';

/** A topic name, or a pattern where `*` stands for any run of characters. */
const TOPIC_PATTERN = /^[A-Za-z0-9._*-]{1,249}$/;
const SHAPE = '[{"topic": "orders", "target": "datastream", "datastreamTopic": "..."}]';

/** What each target's route takes besides `topic` and `target`: field, required, what it must be. */
const FIELDS = {
  datastream: ['datastreamTopic', true, 'the Data Stream topic, a non-empty string'],
  cloudinsight: ['cwKey', true, "the product's cw_key, a non-empty string"],
  guance: ['monitor', false, 'a monitor name of GUANCE_MONITORS'],
} as const;

/** A route as configured: its place and topic pattern (`route 2 ("orders*" -> datastream)`), and the route. */
export interface RouteSpec {
  name: string;
  pattern: string;
  route: TopicRoute;
}

/** BRIDGE_ROUTES as routes, or the first thing wrong with it (a phrase that follows the variable's name). */
export function parseRoutes(value: string): RouteSpec[] | string {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return `must be a JSON array of routes like ${SHAPE}`;
  }
  if (!Array.isArray(json)) return `must be a JSON array of routes like ${SHAPE}`;
  const routes: RouteSpec[] = [];
  for (const [i, item] of json.entries()) {
    const route = parseRoute(item, i + 1);
    if (typeof route === 'string') return route;
    routes.push(route);
  }
  return routes;
}

function parseRoute(item: unknown, n: number): RouteSpec | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return `route ${n} must be an object like {"topic": "...", "target": "..."}`;
  }
  const { topic, target, ...rest } = item as Record<string, unknown>;
  if (typeof topic !== 'string' || !TOPIC_PATTERN.test(topic)) {
    return `route ${n} needs "topic": a topic name or a pattern with * (letters, digits, . _ - and *)`;
  }
  const lower = typeof target === 'string' ? target.toLowerCase() : undefined;
  const known = TARGETS.find((t) => t === lower);
  if (known === undefined) return `route ${n} ("${topic}") needs "target": one of ${TARGETS.join(', ')}`;
  const name = `route ${n} ("${topic}" -> ${known})`;
  const [field, required, what] = FIELDS[known];
  if (Object.keys(rest).some((key) => key !== field)) {
    return `${name} has a property other than "topic", "target" and "${field}"`;
  }
  const label = `BRIDGE_ROUTES ${name}`;
  const given = rest[field];
  if (given === undefined && !required) return { name, pattern: topic, route: { label, target: 'guance' } };
  const fits = known === 'guance' ? MONITOR_NAME : /\S/;
  if (typeof given !== 'string' || !fits.test(given) || controlCharacterIssue(given)) {
    return `${name} needs "${field}": ${what}`;
  }
  const route: TopicRoute =
    known === 'datastream'
      ? { label, target: known, datastreamTopic: given }
      : known === 'cloudinsight'
        ? { label, target: known, cwKey: given }
        : { label, target: known, monitor: given };
  return { name, pattern: topic, route };
}

/**
 * The route of each topic: the first route that matches it. A route that takes no topic is a slip
 * (a typo, or a route shadowed by earlier ones): the phrase says which.
 */
export function resolveRoutes(routes: RouteSpec[], topics: readonly string[]): Map<string, TopicRoute> | string {
  const byTopic = new Map<string, TopicRoute>();
  const taking = new Set<RouteSpec>();
  for (const topic of topics) {
    const spec = routes.find((r) => matches(r.pattern, topic));
    if (spec === undefined) continue;
    byTopic.set(topic, spec.route);
    taking.add(spec);
  }
  const idle = routes.find((r) => !taking.has(r));
  if (idle === undefined) return byTopic;
  return topics.some((t) => matches(idle.pattern, t))
    ? `${idle.name} takes no topic: earlier routes take every topic of BRIDGE_TOPICS it matches`
    : `${idle.name} matches no topic of BRIDGE_TOPICS`;
}

/** The first route naming a monitor that is not among `defined` (GUANCE_MONITORS' names), as a phrase. */
export function undefinedMonitorIssue(routes: RouteSpec[], defined: readonly string[]): string | undefined {
  const spec = routes.find(
    ({ route }) => route.target === 'guance' && route.monitor !== undefined && !defined.includes(route.monitor),
  );
  return spec && `${spec.name} names a monitor that GUANCE_MONITORS does not define`;
}

function matches(pattern: string, topic: string): boolean {
  if (!pattern.includes('*')) return pattern === topic;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/\./g, '\\.'))
    .join('.*');
  return new RegExp(`^${source}$`).test(topic);
}
