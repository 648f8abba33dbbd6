// Installs the programs the tests use beyond npm packages, into the cache's bin (see
// scripts/tools/go-tool.mjs). `node scripts/install-tools.mjs [name...]` installs the named ones
// (all without names) and prints `name: path` for each.
import { fileURLToPath } from 'node:url';
import { installGoTool } from './tools/go-tool.mjs';

/** Prometheus 3.x's Go module versions are v0.3MM.P for Prometheus 3.MM.P. */
export const PROMTOOL_VERSION = 'v0.316.0';

/** promtool (Prometheus' rule checker and rule unit-test runner). */
export function installPromtool(options = {}) {
  return installGoTool({ name: 'promtool', pkg: 'github.com/prometheus/prometheus/cmd/promtool', version: PROMTOOL_VERSION, about: 'several minutes', ...options });
}

/** Helm 3 (`helm template` and `helm lint` of deploy/helm in the tests). */
export const HELM_VERSION = 'v3.22.0';

export function installHelm(options = {}) {
  return installGoTool({ name: 'helm', pkg: 'helm.sh/helm/v3/cmd/helm', version: HELM_VERSION, about: 'a few minutes', ...options });
}

const TOOLS = { promtool: installPromtool, helm: installHelm };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(TOOLS);
  for (const name of wanted) {
    const install = TOOLS[name];
    if (!install) {
      process.stderr.write(`install-tools: no tool named ${name} (${Object.keys(TOOLS).join(', ')})\n`);
      process.exitCode = 2;
      continue;
    }
    try {
      process.stdout.write(`${name}: ${await install()}\n`);
    } catch (error) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    }
  }
}
