import { loadBridgeConfig } from './load-bridge-config';
import { configErrorOf } from './load-config.fixtures';

const env = {
  BRIDGE_TOPICS: 'orders,metrics.cpu,metrics.disk,alerts',
  NCP_ACCESS_KEY: 'AKIDEXAMPLE0000000000',
  NCP_SECRET_KEY: 'ncp-secret-value',
  GUANCE_API_KEY: 'guance-api-key-value',
  GUANCE_SECRET: 'guance-secret-value',
  GUANCE_SUB_URI: 'sub-uri',
  GUANCE_MONITORS: '{"ops": {"secret": "s", "subUri": "u"}}',
};
const withRoutes = (routes: unknown, extra: Record<string, string> = {}) => ({
  ...env,
  BRIDGE_ROUTES: JSON.stringify(routes),
  ...extra,
});

describe('BRIDGE_ROUTES', () => {
  it('maps each consumed topic to its first matching route, patterns included', () => {
    const { routes } = loadBridgeConfig(
      withRoutes([
        { topic: 'orders', target: 'DataStream', datastreamTopic: 'acct__orders' },
        { topic: 'metrics.disk', target: 'cloudinsight', cwKey: 'disk-key' },
        { topic: 'metrics.*', target: 'cloudinsight', cwKey: 'cpu-key' },
        { topic: 'alerts', target: 'guance', monitor: 'ops' },
      ]),
    );
    expect(Object.fromEntries(routes)).toEqual({
      orders: {
        label: 'BRIDGE_ROUTES route 1 ("orders" -> datastream)',
        target: 'datastream',
        datastreamTopic: 'acct__orders',
      },
      'metrics.disk': {
        label: 'BRIDGE_ROUTES route 2 ("metrics.disk" -> cloudinsight)',
        target: 'cloudinsight',
        cwKey: 'disk-key',
      },
      'metrics.cpu': {
        label: 'BRIDGE_ROUTES route 3 ("metrics.*" -> cloudinsight)',
        target: 'cloudinsight',
        cwKey: 'cpu-key',
      },
      alerts: { label: 'BRIDGE_ROUTES route 4 ("alerts" -> guance)', target: 'guance', monitor: 'ops' },
    });
  });

  it('sends Guance routes without a monitor to the default monitor, and is empty when unset', () => {
    const { routes } = loadBridgeConfig(withRoutes([{ topic: 'alerts', target: 'guance' }]));
    expect(routes.get('alerts')).toEqual({ label: 'BRIDGE_ROUTES route 1 ("alerts" -> guance)', target: 'guance' });
    expect(loadBridgeConfig(env).routes.size).toBe(0);
    expect(loadBridgeConfig(withRoutes([])).routes.size).toBe(0);
  });

  it('checks monitors only in a process that delivers Guance (split deployments share the routes)', () => {
    const routes = [{ topic: 'alerts', target: 'guance', monitor: 'billing' }];
    const ncpOnly = { BRIDGE_TOPICS: 'alerts', BRIDGE_TARGETS: 'datastream', NCP_ACCESS_KEY: 'a', NCP_SECRET_KEY: 's' };
    expect(loadBridgeConfig({ ...ncpOnly, BRIDGE_ROUTES: JSON.stringify(routes) }).routes.get('alerts')).toMatchObject({
      target: 'guance',
      monitor: 'billing',
    });
    expect(configErrorOf(withRoutes(routes))).toBe(
      'BRIDGE_ROUTES route 1 ("alerts" -> guance) names a monitor that GUANCE_MONITORS does not define',
    );
  });

  it.each<[string, string, string]>([
    ['not JSON', '[{"topic":', 'must be a JSON array of routes like'],
    ['an object', '{"orders": "datastream"}', 'must be a JSON array of routes like'],
    ['a string route', '["orders"]', 'route 1 must be an object like'],
    ['a missing topic', '[{"target": "guance"}]', 'route 1 needs "topic": a topic name or a pattern with *'],
    ['a topic with a space', '[{"topic": "a b", "target": "guance"}]', 'route 1 needs "topic"'],
    ['an unknown target', '[{"topic": "orders", "target": "kinesis"}]', 'route 1 ("orders") needs "target": one of'],
    [
      'a Data Stream route without its topic',
      '[{"topic": "orders", "target": "datastream"}]',
      'route 1 ("orders" -> datastream) needs "datastreamTopic": the Data Stream topic, a non-empty string',
    ],
    [
      'an empty cwKey',
      '[{"topic": "orders", "target": "cloudinsight", "cwKey": " "}]',
      `route 1 ("orders" -> cloudinsight) needs "cwKey": the product's cw_key`,
    ],
    [
      'a field of another target',
      '[{"topic": "orders", "target": "cloudinsight", "cwKey": "k", "monitor": "ops"}]',
      'route 1 ("orders" -> cloudinsight) has a property other than "topic", "target" and "cwKey"',
    ],
    [
      'a bad monitor name',
      '[{"topic": "alerts", "target": "guance", "monitor": "a/b"}]',
      'route 1 ("alerts" -> guance) needs "monitor": a monitor name of GUANCE_MONITORS',
    ],
    [
      'a topic that is not consumed',
      '[{"topic": "order", "target": "guance"}]',
      'route 1 ("order" -> guance) matches no topic of BRIDGE_TOPICS',
    ],
    [
      'a route shadowed by an earlier one',
      '[{"topic": "metrics.*", "target": "guance"}, {"topic": "metrics.cpu", "target": "guance"}]',
      'route 2 ("metrics.cpu" -> guance) takes no topic: earlier routes take every topic of BRIDGE_TOPICS it matches',
    ],
  ])('refuses %s with one line naming the route', (_name, value, message) => {
    const expected = `BRIDGE_ROUTES ${message}`;
    expect(configErrorOf({ ...env, BRIDGE_ROUTES: value }).slice(0, expected.length)).toBe(expected);
  });
});
