import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { knownVariables, loadConfig, requiredVariables } from '../../src/config/config';
import { LIVENESS_HEALTH_NAME } from '../../src/transport-grpc/health-and-reflection';
import { installedTool } from '../support/go-tools';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The deploy files cannot be run here (no Docker engine); this keeps them in step with the config. */
describe('deployment files set only variables the configuration knows, and every required one', () => {
  const runtimeOnly = new Set(['NODE_ENV', 'NODE_OPTIONS']);

  it('Dockerfile', () => {
    const envLines = read('Dockerfile').match(/^ENV[\s\S]*?(?=^\S)/gm) ?? [];
    const names =
      envLines
        .join(' ')
        .match(/([A-Z_]+)=/g)
        ?.map((n) => n.slice(0, -1)) ?? [];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) if (!runtimeOnly.has(name)) expect(knownVariables).toContain(name);
    // The image sets no secret and no servers: the deployment must.
    expect(names).not.toEqual(expect.arrayContaining(['MONGODB_URI']));
    expect(read('Dockerfile')).toMatch(/^USER node$/m);
  });

  it('compose.yaml', () => {
    const compose = parse(read('deploy/compose.yaml')) as {
      services: Record<string, { environment?: Record<string, string>; ports?: string[]; stop_grace_period?: string }>;
    };
    const service = compose.services['resident-access']!;
    const environment = service.environment ?? {};
    const names = Object.keys(environment);
    for (const name of names) expect(knownVariables).toContain(name);
    for (const name of requiredVariables) expect(names).toContain(name);
    // With the ${...} placeholders filled in as an operator would, the configuration loads.
    const filled = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v).startsWith('${') ? placeholder(k) : String(v)]));
    const config = loadConfig(filled);
    // Metrics reachable from outside the container; the stop is not killed before its grace ends.
    expect(config.metrics.host).toBe('0.0.0.0');
    expect(service.ports).toContain(`127.0.0.1:${config.metrics.port}:${config.metrics.port}`);
    expect(Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1]) * 1000).toBeGreaterThan(config.shutdownGraceMs);
  });
});

describe('the image runs Node 24 LTS at a fixed version', () => {
  const froms = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);

  it('every stage starts from the same node:24.x.y image, never a moving tag', () => {
    expect(froms.length).toBe(3);
    // A digest may follow the tag (the Dockerfile says why it is not there yet).
    for (const image of froms) expect(image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    expect(new Set(froms).size).toBe(1);
  });

  it("installs dependencies without their install scripts, and every dependency that has one is denied in package.json's allowScripts", () => {
    const installs = read('Dockerfile').match(/^RUN .*\bnpm (ci|install|i)\b.*$/gm) ?? [];
    expect(installs.length).toBe(2);
    for (const install of installs) expect(install).toMatch(/\s--ignore-scripts\b/);
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    const allowScripts = (JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
    expect(Object.fromEntries(withScripts.map((name) => [name, allowScripts[name]]))).toEqual(Object.fromEntries(withScripts.map((name) => [name, false])));
  });

  it('package.json engines and .nvmrc name Node 24', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=24');
    expect(read('.nvmrc').trim()).toBe('24');
  });
});

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Manifests differ by kind; each test reads the fields it checks.
  spec?: any;
  data?: Record<string, string>;
}

/** The chart as `helm template` renders it: the way to install (README, "Deployment with Helm"). */
describe('Helm chart deploy/helm/resident-access', () => {
  const chart = join(root, 'deploy', 'helm', 'resident-access');
  const CLUSTER_VERSION = '1.33.0';
  let helm = '';

  // Built once into the install cache (scripts/install-tools.mjs); .ci/run builds it before the tests.
  // A machine where it cannot be built fails here: the chart is not checked otherwise.
  beforeAll(() => {
    helm = installedTool('helm');
  }, 20 * 60_000);

  // A go-installed helm assumes Kubernetes 1.20 (its version is set at release builds), which the chart refuses.
  const render = (...args: string[]): Manifest[] =>
    parseAllDocuments(
      execFileSync(helm, ['template', 'ra', chart, '--namespace', 'care', ...(args.includes('--kube-version') ? [] : ['--kube-version', CLUSTER_VERSION]), ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    )
      .map((d) => d.toJS() as Manifest | null)
      .filter((m): m is Manifest => m !== null);
  /** The one installed manifest of a kind (`helm test`'s hooks are made only by `helm test`). */
  const one = (manifests: Manifest[], kind: string): Manifest => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.annotations?.['helm.sh/hook'] === undefined);
    expect(found.map((m) => m.kind)).toEqual([kind]);
    return found[0]!;
  };
  const containerOf = (manifests: Manifest[]) => one(manifests, 'Deployment').spec.template.spec.containers[0];
  /** What the container's environment holds: the ConfigMap it loads and its own env, secrets as placeholders. */
  const environmentOf = (manifests: Manifest[]): Record<string, string> => {
    const configMap = one(manifests, 'ConfigMap');
    const container = containerOf(manifests);
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    const own = Object.fromEntries((container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? placeholder(e.name)]));
    // The key ring is a mounted Secret (checked below): a ring file of the test's own stands in for it.
    if (own.RESIDENT_PSEUDONYM_KEYRING_FILE) own.RESIDENT_PSEUDONYM_KEYRING_FILE = placeholderKeyRing();
    return { ...configMap.data, ...own };
  };

  it("renders the README's production.yaml example: its servers and identity provider reach the container", () => {
    const example = /where `production.yaml` holds[\s\S]*?```yaml\n([\s\S]*?)```/.exec(read('README.md'))?.[1];
    expect(example).toBeDefined();
    const values = join(mkdtempSync(join(tmpdir(), 'chart-values-')), 'production.yaml');
    writeFileSync(values, example!);
    const environment = environmentOf(render('-f', values));
    const env = (parse(example!) as { env: Record<string, string> }).env;
    for (const [name, value] of Object.entries(env)) expect(environment[name]).toBe(value);
  });

  it('passes helm lint', () => {
    expect(() => execFileSync(helm, ['lint', '--strict', chart], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });

  it('sets only variables the configuration knows, every required one, and a configuration that loads', () => {
    const environment = environmentOf(render());
    for (const name of Object.keys(environment)) expect(knownVariables).toContain(name);
    for (const name of requiredVariables) expect(Object.keys(environment)).toContain(name);
    const config = loadConfig(environment);
    // TLS on the gRPC port; kubelet's plaintext gRPC probes ask the health-only port.
    expect(config.grpc.tls).toMatchObject({ certFile: '/etc/resident-access/tls/tls.crt', keyFile: '/etc/resident-access/tls/tls.key' });
    expect(config.grpc.healthPort).toBeDefined();
    // TLS to MongoDB and Kafka by default, nothing let through insecurely.
    expect(config.mongo.tls.enabled).toBe(true);
    expect(config.kafka.ssl).toEqual({});
    expect(config.insecureTransportWarnings).toEqual([]);
  });

  it('opts out of TLS to MongoDB and Kafka only by explicit values, which allow plaintext explicitly (without them the service refuses)', () => {
    const environment = environmentOf(render('--set', 'mongodb.tls.enabled=false', '--set', 'kafka.tls.enabled=false'));
    expect(environment).toMatchObject({ MONGODB_ALLOW_INSECURE: 'true', KAFKA_ALLOW_INSECURE: 'true' });
    expect(environment).not.toHaveProperty('MONGODB_TLS');
    expect(environment).not.toHaveProperty('KAFKA_SSL');
    expect(loadConfig(environment).insecureTransportWarnings.map((w) => w.split(':')[0])).toEqual(['KAFKA_ALLOW_INSECURE=true', 'MONGODB_ALLOW_INSECURE=true']);
    const { MONGODB_ALLOW_INSECURE: _mongo, KAFKA_ALLOW_INSECURE: _kafka, ...withoutOptOut } = environment;
    expect(() => loadConfig(withoutOptOut)).toThrow(/KAFKA_BROKERS are not loopback.*MONGODB_URI names servers off loopback/);
  });

  it("mounts the servers' CA and client certificates from their Secrets where the configuration reads them", () => {
    const manifests = render(
      ...['--set', 'mongodb.tls.secretName=mongodb-client', '--set', 'mongodb.tls.clientCertificate=true'],
      ...['--set', 'kafka.tls.secretName=kafka-client', '--set', 'kafka.tls.clientCertificate=true'],
    );
    const config = loadConfig(environmentOf(manifests));
    const pod = one(manifests, 'Deployment').spec.template.spec;
    const fileIn = (secretName: string, path: string | undefined) => {
      const volume = (pod.volumes as { name: string; secret: { secretName: string } }[]).find((v) => v.secret.secretName === secretName)!;
      const mount = (pod.containers[0].volumeMounts as { name: string; mountPath: string; readOnly: boolean }[]).find((m) => m.name === volume.name)!;
      expect(mount.readOnly).toBe(true);
      expect(path?.startsWith(`${mount.mountPath}/`)).toBe(true);
      return path!.slice(mount.mountPath.length + 1);
    };
    expect(fileIn('mongodb-client', config.mongo.tls.caFile)).toBe('ca.crt');
    expect(fileIn('mongodb-client', config.mongo.tls.certKeyFile)).toBe('tls-combined.pem');
    expect(fileIn('kafka-client', config.kafka.ssl?.caFile)).toBe('ca.crt');
    expect(fileIn('kafka-client', config.kafka.ssl?.certFile)).toBe('tls.crt');
    expect(fileIn('kafka-client', config.kafka.ssl?.keyFile)).toBe('tls.key');
    expect(() => render('--set', 'kafka.tls.clientCertificate=true')).toThrow(/kafka.tls.clientCertificate needs kafka.tls.secretName/);
  });

  it('refuses under env a variable the chart sets from its values, so no secure default is overridden by a second value', () => {
    expect(() => render('--set', 'env.KAFKA_SSL=false')).toThrow(/env.KAFKA_SSL is set by the chart/);
    expect(() => render('--set', 'env.MONGODB_ALLOW_INSECURE=true')).toThrow(/env.MONGODB_ALLOW_INSECURE is set by the chart/);
  });

  it('without TLS (a mesh encrypts) allows plaintext explicitly, and still loads', () => {
    const manifests = render('--set', 'tls.enabled=false');
    const config = loadConfig(environmentOf(manifests));
    expect(config.grpc.tls).toBeNull();
    expect(config.grpc.allowInsecure).toBe(true);
    expect(one(manifests, 'Deployment').spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['pseudonym-keyring']);
  });

  it('mounts the pseudonym key ring Secret read-only as the file RESIDENT_PSEUDONYM_KEYRING_FILE names', () => {
    const manifests = render('--set', 'pseudonymKeyring.secretName=keys', '--set', 'pseudonymKeyring.key=ring.json');
    const container = containerOf(manifests);
    const file = (container.env as { name: string; value?: string }[]).find((e) => e.name === 'RESIDENT_PSEUDONYM_KEYRING_FILE')?.value ?? '';
    const mount = (container.volumeMounts as { name: string; mountPath: string; readOnly: boolean }[]).find((m) => m.mountPath === dirname(file));
    expect(mount).toMatchObject({ readOnly: true });
    const volume = (one(manifests, 'Deployment').spec.template.spec.volumes as { name: string; secret: unknown }[]).find((v) => v.name === mount!.name);
    expect(volume!.secret).toEqual({ secretName: 'keys', items: [{ key: 'ring.json', path: file.slice(dirname(file).length + 1) }] });
    expect(container.env.map((e: { name: string }) => e.name)).not.toContain('RESIDENT_PSEUDONYM_SECRET');
  });

  it('probes the plaintext health port: readiness the overall entry, liveness and start-up the entry that does not follow MongoDB', () => {
    const manifests = render();
    const healthPort = Number(environmentOf(manifests).GRPC_HEALTH_PORT);
    const container = containerOf(manifests);
    expect(container.readinessProbe.grpc).toEqual({ port: healthPort, service: '' });
    expect(container.livenessProbe.grpc).toEqual({ port: healthPort, service: LIVENESS_HEALTH_NAME });
    expect(container.startupProbe.grpc).toEqual({ port: healthPort, service: LIVENESS_HEALTH_NAME });
  });

  it('pauses before SIGTERM and gives the stop its whole SHUTDOWN_GRACE_MS within the termination grace period', () => {
    for (const args of [[], ['--set', 'shutdown.graceMs=25500', '--set', 'shutdown.preStopSeconds=8']]) {
      const manifests = render(...args);
      const graceMs = loadConfig(environmentOf(manifests)).shutdownGraceMs;
      const pod = one(manifests, 'Deployment').spec.template.spec;
      const preStopSeconds = pod.containers[0].lifecycle.preStop.sleep.seconds as number;
      expect(preStopSeconds).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + Math.ceil(graceMs / 1000));
    }
  });

  it('before Kubernetes 1.30 (no sleep action) pauses with node, as long', () => {
    const preStop = containerOf(render('--kube-version', '1.29.0')).lifecycle.preStop;
    const seconds = containerOf(render()).lifecycle.preStop.sleep.seconds as number;
    expect(preStop.sleep).toBeUndefined();
    expect(preStop.exec.command).toEqual(['node', '-e', `setTimeout(() => {}, ${seconds * 1000})`]);
  });

  it('has a PodDisruptionBudget over the pods that leaves instances running', () => {
    const manifests = render();
    const budget = one(manifests, 'PodDisruptionBudget');
    const deployment = one(manifests, 'Deployment');
    expect(deployment.spec.template.metadata.labels).toEqual(expect.objectContaining(budget.spec.selector.matchLabels));
    expect(budget.spec.maxUnavailable).toBeGreaterThan(0);
    expect(budget.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
  });

  it('spreads pods over nodes and starts a new pod before an old one stops', () => {
    const pod = one(render(), 'Deployment');
    const [spread] = pod.spec.template.spec.topologySpreadConstraints;
    expect(spread.topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.spec.template.metadata.labels).toEqual(expect.objectContaining(spread.labelSelector.matchLabels));
    expect(pod.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  it('rolls the pods when the configuration changes (the service reads it once, at start)', () => {
    const checksum = (...args: string[]) => one(render(...args), 'Deployment').spec.template.metadata.annotations['checksum/config'] as string;
    expect(checksum()).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('--set', 'env.LOG_LEVEL=debug')).not.toBe(checksum());
  });

  it('runs under a service account of its own without an API token', () => {
    const manifests = render();
    const account = one(manifests, 'ServiceAccount');
    const pod = one(manifests, 'Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('runs a fixed image version and refuses latest', () => {
    expect(containerOf(render()).image).toMatch(/^[\w./-]+:\d+\.\d+\.\d+$/);
    expect(() => render('--set', 'image.tag=latest')).toThrow(/image.tag must be a fixed version/);
  });

  it('serves metrics on their own port, annotated for scraping, never through the gRPC Service; a ServiceMonitor over a metrics-only Service when asked', () => {
    const manifests = render();
    const environment = environmentOf(manifests);
    const config = loadConfig(environment);
    const metrics = config.metrics;
    expect(metrics.host).toBe('0.0.0.0');
    expect(metrics.port).not.toBe(config.grpc.port);
    expect(containerOf(manifests).ports).toContainEqual({ name: 'metrics', containerPort: metrics.port });
    expect(one(manifests, 'Deployment').spec.template.metadata.annotations).toEqual(
      expect.objectContaining({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(metrics.port), 'prometheus.io/path': '/metrics' }),
    );
    expect(one(manifests, 'Service').spec.ports).toEqual([expect.objectContaining({ name: 'grpc', port: config.grpc.port, targetPort: 'grpc' })]);
    expect(manifests.filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);

    const withMonitor = render('--set', 'metrics.serviceMonitor.enabled=true');
    const monitor = one(withMonitor, 'ServiceMonitor');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    const services = withMonitor.filter((m) => m.kind === 'Service' && m.metadata.annotations?.['helm.sh/hook'] === undefined);
    const selected = services.filter((service) => Object.entries(monitor.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => service.metadata.labels?.[k] === v));
    expect(selected).toHaveLength(1);
    expect(selected[0]!.spec).toMatchObject({ clusterIP: 'None', ports: [expect.objectContaining({ name: 'metrics', port: metrics.port, targetPort: 'metrics' })] });
    expect(one(withMonitor, 'Deployment').spec.template.metadata.labels).toEqual(expect.objectContaining(selected[0]!.spec.selector));
  });

  describe('NetworkPolicy', () => {
    interface Peer {
      podSelector?: { matchLabels?: Record<string, string> };
      namespaceSelector?: { matchLabels?: Record<string, string> };
    }
    interface Rule {
      from?: Peer[];
      to?: Peer[];
      ports?: { port: number; protocol: string }[];
    }
    const policyOf = (manifests: Manifest[]) =>
      one(manifests, 'NetworkPolicy').spec as { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: Rule[]; egress?: Rule[] };

    it('covers the pods and lets in only labelled clients to the gRPC port and monitoring to the metrics port', () => {
      const manifests = render();
      const policy = policyOf(manifests);
      const config = loadConfig(environmentOf(manifests));
      expect(one(manifests, 'Deployment').spec.template.metadata.labels).toEqual(expect.objectContaining(policy.podSelector.matchLabels));
      expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.ingress).toEqual([
        { from: [{ podSelector: { matchLabels: { 'resident-access/client': 'true' } } }], ports: [{ port: config.grpc.port, protocol: 'TCP' }] },
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
          ports: [{ port: config.metrics.port, protocol: 'TCP' }],
        },
        // `helm test`'s pod, to the health port alone.
        {
          from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'resident-access-health-test', 'app.kubernetes.io/instance': 'ra' } } }],
          ports: [{ port: config.grpc.healthPort, protocol: 'TCP' }],
        },
      ]);
      // Clients in other namespaces only when a namespace selector is given.
      const elsewhere = policyOf(render('--set', 'networkPolicy.grpcClients.namespaceSelector.matchLabels.team=e-services'));
      expect(elsewhere.ingress[0]!.from).toEqual([{ podSelector: { matchLabels: { 'resident-access/client': 'true' } }, namespaceSelector: { matchLabels: { team: 'e-services' } } }]);
      expect(render('--set', 'networkPolicy.enabled=false').filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
    });

    it('lets out DNS and the ports of the servers the configuration names, or everything when asked', () => {
      const egressPorts = (...args: string[]) =>
        policyOf(render(...args))
          .egress!.flatMap((rule) => {
            expect(rule.to).toBeUndefined();
            return rule.ports!;
          })
          .map((p) => `${p.port}/${p.protocol}`);
      expect(egressPorts()).toEqual(['53/UDP', '53/TCP', '9093/TCP', '27017/TCP', '443/TCP']);
      const values = join(mkdtempSync(join(tmpdir(), 'chart-values-')), 'servers.yaml');
      writeFileSync(
        values,
        [
          'env:',
          '  KAFKA_BROKERS: a.kafka:19093,b.kafka:29093',
          '  MONGODB_URI: mongodb://user:p%40ss@db-0.mongo:27018,db-1.mongo/?replicaSet=rs0',
          '  AUTH_JWKS_URL: https://idp.example.se:8443/keys',
          '  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4318',
          'networkPolicy: { egress: { extraPorts: [{ port: 6379, protocol: TCP }] } }',
        ].join('\n'),
      );
      expect(egressPorts('-f', values)).toEqual(['53/UDP', '53/TCP', '19093/TCP', '29093/TCP', '27018/TCP', '27017/TCP', '8443/TCP', '4318/TCP', '6379/TCP']);
      const open = policyOf(render('--set', 'networkPolicy.egress.restrict=false'));
      expect(open.policyTypes).toEqual(['Ingress']);
      expect(open.egress).toBeUndefined();
    });
  });

  describe('values.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as SchemaNode;
    const lint = (...args: string[]) => execFileSync(helm, ['lint', '--strict', chart, ...args], { encoding: 'utf8', stdio: 'pipe' });
    /** What a failing lint printed (it names the findings on stdout). */
    const lintOutput = (...args: string[]) => {
      try {
        return lint(...args);
      } catch (error) {
        return String((error as { stdout?: string }).stdout);
      }
    };

    it('describes every value of values.yaml, with its type', () => {
      const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
      const undescribed: string[] = [];
      const walk = (value: unknown, node: SchemaNode | undefined, path: string) => {
        if (!node?.description || !(node.type || node.anyOf)) undescribed.push(path);
        // Free-form maps (env, labels) describe their entries as a whole.
        if (node?.properties && isPlainObject(value)) for (const [key, child] of Object.entries(value)) walk(child, node.properties[key], `${path}.${key}`);
      };
      for (const [key, value] of Object.entries(values)) walk(value, schema.properties![key], key);
      expect(undescribed).toEqual([]);
    });

    it('accepts the defaults and refuses a wrong type, an unknown key or a value outside its set, naming where', () => {
      expect(() => lint()).not.toThrow();
      expect(render().length).toBeGreaterThan(0);
      const refusal = (...args: string[]) => {
        try {
          render(...args);
        } catch (error) {
          return String((error as { stderr?: string }).stderr);
        }
        return 'rendered';
      };
      expect(refusal('--set', 'replicaCount=two')).toMatch(/at '\/replicaCount': got string, want integer/);
      expect(refusal('--set-string', 'ports.grpc=50051')).toMatch(/at '\/ports\/grpc': got string, want integer/);
      expect(refusal('--set', 'replicas=3')).toMatch(/additional properties 'replicas' not allowed/);
      expect(refusal('--set', 'tls.enable=false')).toMatch(/at '\/tls': additional properties 'enable' not allowed/);
      expect(refusal('--set', 'image.pullPolicy=Sometimes')).toMatch(/at '\/image\/pullPolicy'/);
      expect(refusal('--set', 'env.log_level=debug')).toMatch(/'log_level' does not match pattern/);
      // helm lint (and so install and upgrade) checks the same.
      expect(() => lint('--set', 'replicas=3')).toThrow();
      expect(lintOutput('--set', 'replicas=3')).toMatch(/additional properties 'replicas' not allowed/);
    });
  });

  describe('helm test', () => {
    const testHooks = (manifests: Manifest[]) => manifests.filter((m) => m.metadata.annotations?.['helm.sh/hook'] === 'test');

    it("is a pod of the service's image asking the health port, through a Service of its own, whether the service is SERVING", () => {
      const manifests = render();
      const [service, pod] = testHooks(manifests);
      expect([service?.kind, pod?.kind]).toEqual(['Service', 'Pod']);
      // The Service exists before the pod runs; both go when the test passes.
      expect(Number(service!.metadata.annotations!['helm.sh/hook-weight'])).toBeLessThan(Number(pod!.metadata.annotations!['helm.sh/hook-weight'] ?? 0));
      for (const hook of [service!, pod!]) expect(hook.metadata.annotations!['helm.sh/hook-delete-policy']).toBe('before-hook-creation,hook-succeeded');

      const deployment = one(manifests, 'Deployment').spec.template;
      const healthPort = Number(environmentOf(manifests).GRPC_HEALTH_PORT);
      expect(deployment.metadata.labels).toEqual(expect.objectContaining(service!.spec.selector));
      expect(service!.spec.ports).toEqual([expect.objectContaining({ port: healthPort, targetPort: 'grpc-health' })]);
      expect(containerOf(manifests).ports).toContainEqual({ name: 'grpc-health', containerPort: healthPort });

      const container = pod!.spec.containers[0];
      expect(container.image).toBe(containerOf(manifests).image);
      expect(container.command).toEqual(['node', 'dist/health-probe.js', `${service!.metadata.name}:${healthPort}`, '']);
      // dist/ is src/ compiled (tsconfig.build.json).
      expect(existsSync(join(root, 'src', 'health-probe.ts'))).toBe(true);
      expect(pod!.spec.restartPolicy).toBe('Never');
      // Not one of the service's pods: no Service, budget or spread counts it.
      expect(Object.entries(deployment.metadata.labels as Record<string, string>).every(([k, v]) => pod!.metadata.labels?.[k] === v)).toBe(false);
    });

    it('runs as locked down as the service: non-root, read-only, no privileges, no API token, with limits', () => {
      const manifests = render();
      const pod = testHooks(manifests).find((m) => m.kind === 'Pod')!.spec;
      const service = one(manifests, 'Deployment').spec.template.spec;
      expect(pod.securityContext).toEqual(service.securityContext);
      expect(pod.containers[0].securityContext).toEqual(service.containers[0].securityContext);
      expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.containers[0].resources.limits).toEqual(expect.objectContaining({ memory: expect.any(String) as unknown, cpu: expect.any(String) as unknown }));
    });

    it('is left out, and the health port closed to it, when helmTest.enabled=false', () => {
      const manifests = render('--set', 'helmTest.enabled=false');
      expect(testHooks(manifests)).toEqual([]);
      expect(one(manifests, 'NetworkPolicy').spec.ingress).toHaveLength(2);
    });
  });

  it('sets gRPC keepalive and a maximum connection age well below the default, so clients rebalance over new pods', () => {
    const environment = environmentOf(render());
    for (const name of ['GRPC_KEEPALIVE_TIME_MS', 'GRPC_KEEPALIVE_TIMEOUT_MS', 'GRPC_MAX_CONNECTION_IDLE_MS', 'GRPC_MAX_CONNECTION_AGE_MS', 'GRPC_MAX_CONNECTION_AGE_GRACE_MS']) {
      expect(Object.keys(environment)).toContain(name);
    }
    const limits = loadConfig(environment).grpc.limits;
    const defaults = loadConfig({ RESIDENT_PSEUDONYM_SECRET: placeholder('RESIDENT_PSEUDONYM_SECRET'), AUTH_MODE: 'development' }).grpc.limits;
    expect(limits.maxConnectionAgeMs).toBeLessThan(defaults.maxConnectionAgeMs);
  });

  it('replaces the raw manifests', () => {
    expect(existsSync(join(root, 'deploy', 'kubernetes'))).toBe(false);
  });
});

/** The part of a JSON Schema the checks read. */
interface SchemaNode {
  type?: string | string[];
  anyOf?: unknown[];
  description?: string;
  properties?: Record<string, SchemaNode>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key ring file as an operator would write one (README, "Deployment with Helm"). */
function placeholderKeyRing(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'deploy-test-')), 'keyring.json');
  writeFileSync(path, JSON.stringify({ current: '2026-01', keys: [{ id: '2026-01', secret: placeholder('RESIDENT_PSEUDONYM_SECRET') }] }));
  return path;
}

function placeholder(name: string): string {
  if (name.endsWith('_URL')) return 'https://idp.example.se/keys';
  return `${name.toLowerCase()}-placeholder-value-of-enough-length`;
}
