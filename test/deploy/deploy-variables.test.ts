import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { knownVariables, loadConfig, requiredVariables } from '../../src/config/config';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The deploy files cannot be run here (no Docker engine); this keeps them in step with the config. */
describe('deployment files set only variables the configuration knows, and every required one', () => {
  const runtimeOnly = new Set(['NODE_ENV', 'NODE_OPTIONS']);

  it('Dockerfile', () => {
    const envLines = read('Dockerfile').match(/^ENV[\s\S]*?(?=^\S)/gm) ?? [];
    const names = envLines.join(' ').match(/([A-Z_]+)=/g)?.map((n) => n.slice(0, -1)) ?? [];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) if (!runtimeOnly.has(name)) expect(knownVariables).toContain(name);
    // The image sets no secret and no servers: the deployment must.
    expect(names).not.toEqual(expect.arrayContaining(['MONGODB_URI']));
    expect(read('Dockerfile')).toMatch(/^USER node$/m);
  });

  it('compose.yaml', () => {
    const compose = parse(read('deploy/compose.yaml')) as { services: Record<string, { environment?: Record<string, string> }> };
    const environment = compose.services['resident-access']!.environment ?? {};
    const names = Object.keys(environment);
    for (const name of names) expect(knownVariables).toContain(name);
    for (const name of requiredVariables) expect(names).toContain(name);
    // With the ${...} placeholders filled in as an operator would, the configuration loads.
    const filled = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v).startsWith('${') ? placeholder(k) : String(v)]));
    expect(() => loadConfig(filled)).not.toThrow();
  });

  it('Kubernetes ConfigMap and Deployment', () => {
    const configMap = parse(read('deploy/kubernetes/configmap.yaml')) as { data: Record<string, string> };
    const [deployment] = parseAllDocuments(read('deploy/kubernetes/deployment.yaml')).map((d) => d.toJS());
    const container = deployment.spec.template.spec.containers[0] as { env: { name: string }[]; envFrom: { configMapRef: { name: string } }[] };
    expect(container.envFrom[0]!.configMapRef.name).toBe('resident-access');
    const names = [...Object.keys(configMap.data), ...container.env.map((e) => e.name)];
    for (const name of names) expect(knownVariables).toContain(name);
    for (const name of requiredVariables) expect(names).toContain(name);
    const secrets = Object.fromEntries(container.env.map((e) => [e.name, placeholder(e.name)]));
    expect(() => loadConfig({ ...configMap.data, ...secrets })).not.toThrow();
    // TLS on the gRPC port; kubelet's plaintext gRPC probes ask the health-only port.
    expect(configMap.data.GRPC_TLS_CERT_FILE).toBeDefined();
    expect(deployment.spec.template.spec.containers[0].readinessProbe.grpc.port).toBe(Number(configMap.data.GRPC_HEALTH_PORT));
    expect(deployment.spec.template.spec.containers[0].livenessProbe.grpc.port).toBe(Number(configMap.data.GRPC_HEALTH_PORT));
  });
});

function placeholder(name: string): string {
  if (name.endsWith('_URL')) return 'https://idp.example.se/keys';
  return `${name.toLowerCase()}-placeholder-value-of-enough-length`;
}
