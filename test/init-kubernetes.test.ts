/**
 * `lb-bench init --kubernetes N`: the generator manifests validate against the Kubernetes API's
 * schemas (kubernetes-models: the API's OpenAPI definitions as JSON Schemas, checked by ajv; no
 * download at test time), the inventory reaches exactly those pods with kubectl exec, and the
 * scenario validates.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { runCli } from './helpers/cli.js';
import { workspace } from './helpers/scenario.js';
import { loadInventory } from '../src/inventory/load.js';
import { kubectlWorker } from '../src/init/kubernetes.js';

const ws = workspace();
after(() => ws.remove());

const FILES = ['kubernetes/generators.yaml', 'kubernetes/inventory.yaml', 'scenarios/kubernetes.yaml'];

async function initKubernetes(name: string, ...args: string[]) {
  const dir = join(ws.dir, name);
  const r = await runCli(['init', dir, ...args]);
  return { dir, r };
}

const manifests = (dir: string) =>
  parseAllDocuments(readFileSync(join(dir, 'kubernetes/generators.yaml'), 'utf8')).map((d) => {
    assert.equal(d.errors.length, 0, String(d.errors[0]));
    return d.toJS() as Record<string, any>;
  });

test('init --kubernetes 3: three Deployments that validate against the Kubernetes schemas, spread over the nodes', async () => {
  const { dir, r } = await initKubernetes('k3', '--kubernetes', '3');
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.deepEqual(
    r.out.map((l) => l.slice(dir.length + 1)),
    FILES,
  );
  assert.match(r.err.join('\n'), /kubectl apply -f kubernetes\/generators\.yaml/);
  const docs = manifests(dir);
  assert.equal(docs.length, 3);
  for (const doc of docs) {
    assert.equal(doc.kind, 'Deployment');
    new Deployment(doc as ConstructorParameters<typeof Deployment>[0]).validate(); // throws on any schema error
    const pod = doc.spec.template.spec;
    const spread = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    assert.equal(spread.topologyKey, 'kubernetes.io/hostname');
    // the anti-affinity selects every generator pod, and this one is among them
    for (const [k, v] of Object.entries(spread.labelSelector.matchLabels)) assert.equal(doc.spec.template.metadata.labels[k], v);
    assert.deepEqual(pod.containers[0].resources.requests, pod.containers[0].resources.limits, 'Guaranteed: requests = limits');
    assert.equal(doc.spec.replicas, 1);
  }
  assert.equal(new Set(docs.map((d) => d.metadata.name)).size, 3, 'names are distinct');

  // each generator of the inventory reaches one of these Deployments, in its container
  const inventory = await loadInventory(join(dir, 'kubernetes/inventory.yaml'));
  assert.deepEqual(Object.keys(inventory.hosts), [], 'no SSH hosts');
  const commands = Object.values(inventory.transportOnly).map((h) => h.transport?.command);
  assert.deepEqual(
    commands,
    docs.map((_, i) => kubectlWorker(i + 1)),
  );
  docs.forEach((d, i) => {
    assert.ok(commands[i]!.includes(`deployment/${d.metadata.name}`));
    assert.ok(commands[i]!.includes(d.spec.template.spec.containers[0].name));
    assert.ok(commands[i]!.includes(d.metadata.namespace));
  });

  const v = await runCli(['validate', join(dir, 'scenarios/kubernetes.yaml')]);
  assert.equal(v.code, 0, v.err.join('\n'));
  assert.match(v.out.join('\n'), /kubernetes\.yaml: ok \(load scenario "kubernetes".*3 hosts\)/);
});

test('the schema check trips on a broken manifest (a CPU that is not a quantity, a container without an image)', async () => {
  const { dir } = await initKubernetes('broken', '--kubernetes', '1');
  const [doc] = manifests(dir);
  const cpu = structuredClone(doc!);
  cpu.spec.template.spec.containers[0].resources.requests.cpu = 'two cores';
  assert.throws(() => new Deployment(cpu as ConstructorParameters<typeof Deployment>[0]).validate(), /cpu/);
  const noImage = structuredClone(doc!);
  noImage.spec.template.spec.containers[0].name = 7;
  assert.throws(() => new Deployment(noImage as ConstructorParameters<typeof Deployment>[0]).validate(), /name/);
});

test("--image names the generators' image", async () => {
  const { dir, r } = await initKubernetes('img', '--kubernetes', '2', '--image', 'registry.example.com/team/lb-bench:0.1.0');
  assert.equal(r.code, 0, r.err.join('\n'));
  for (const d of manifests(dir)) assert.equal(d.spec.template.spec.containers[0].image, 'registry.example.com/team/lb-bench:0.1.0');
});

test('bad --kubernetes or --image: exit 2, one line, nothing written', async () => {
  for (const [args, line] of [
    [['--kubernetes', '0'], /--kubernetes: must be a number of generator pods, 1 to 64, got "0"/],
    [['--kubernetes', '65'], /got "65"/],
    [['--kubernetes', 'two'], /got "two"/],
    [['--kubernetes', '2', '--image', 'bad image; rm -rf /'], /--image: must be an image reference/],
    [['--image', 'node:20'], /--image: only with --kubernetes N/],
  ] as const) {
    const { dir, r } = await initKubernetes(`bad-${args.join('-').replace(/\W/g, '')}`, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err.join('\n')}`);
    assert.match(r.err[0]!, line);
    assert.throws(() => readFileSync(join(dir, FILES[0]!)), 'nothing written');
  }
});

test('files that exist are not overwritten without --force', async () => {
  const { dir } = await initKubernetes('twice', '--kubernetes', '1');
  const again = await runCli(['init', dir, '--kubernetes', '2']);
  assert.equal(again.code, 2);
  assert.equal(manifests(dir).length, 1);
  assert.equal((await runCli(['init', dir, '--kubernetes', '2', '--force'])).code, 0);
  assert.equal(manifests(dir).length, 2);
});
