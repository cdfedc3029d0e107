/**
 * `lb-bench init --kubernetes N`: generators on a Kubernetes cluster. N idle generator pods (a
 * Deployment of one each, so that each has a name to `kubectl exec` into and comes back if its
 * node goes), spread over the nodes by anti-affinity; an inventory whose generators reach them with
 * `kubectl exec -i` (the command transport); and a scenario that sends from all of them. lb-bench
 * itself runs outside the cluster, where kubectl does: it releases the workers together and merges
 * their figures exactly, as for generators over SSH.
 */
import { stringify } from 'yaml';
import type { StarterFile } from './starter.js';
import { VERSION } from '../version.js';

export const KUBERNETES_NAMESPACE = 'lb-bench';
export const DEFAULT_GENERATOR_IMAGE = 'node:20-bookworm-slim';

const LABEL = { 'app.kubernetes.io/name': 'lb-bench-generator' };
const CONTAINER = 'generator';

export const generatorName = (i: number) => `lb-bench-gen-${i}`;

export interface KubernetesOptions {
  generators: number;
  /** an image with lb-bench on PATH, or any with Node 20 and npm (lb-bench is installed when the pod starts) */
  image?: string;
  version?: string;
}

/** One idle generator: a container that waits for `kubectl exec … lb-bench worker`. */
function deployment(i: number, image: string, version: string) {
  const labels = { ...LABEL, 'lb-bench/generator': String(i) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: generatorName(i), namespace: KUBERNETES_NAMESPACE, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // one generator per node: two on one node share its CPU and network, and measure that
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: LABEL }, topologyKey: 'kubernetes.io/hostname' },
              ],
            },
          },
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: CONTAINER,
              image,
              // idle until lb-bench execs a worker; an image without lb-bench gets it from npm once
              command: ['sh', '-c', `command -v lb-bench >/dev/null || npm install -g lb-bench@${version}; exec sleep infinity`],
              readinessProbe: { exec: { command: ['lb-bench', '--version'] }, periodSeconds: 5 },
              // requests = limits: the Guaranteed class, whole cores that no other pod takes mid-run
              resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
            },
          ],
        },
      },
    },
  };
}

/** The command that opens stdio to generator i's worker. */
export const kubectlWorker = (i: number) => [
  'kubectl',
  '--namespace',
  KUBERNETES_NAMESPACE,
  'exec',
  '-i',
  `deployment/${generatorName(i)}`,
  '-c',
  CONTAINER,
  '--',
  'lb-bench',
  'worker',
];

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export function kubernetesFiles(o: KubernetesOptions): StarterFile[] {
  const image = o.image ?? DEFAULT_GENERATOR_IMAGE;
  const version = o.version ?? VERSION;
  const n = o.generators;
  const manifests = [
    `# ${n} idle lb-bench generators, one per node (lb-bench's README: Generators on other hosts).`,
    `#   kubectl create namespace ${KUBERNETES_NAMESPACE}`,
    `#   kubectl apply -f kubernetes/generators.yaml`,
    `#   kubectl --namespace ${KUBERNETES_NAMESPACE} wait --for=condition=Available deployment --all --timeout=5m`,
    `#   npx lb-bench@${version} run scenarios/kubernetes.yaml`,
    `#   kubectl delete namespace ${KUBERNETES_NAMESPACE}      # when done`,
    `# The image: ${image} installs lb-bench@${version} from npm when a pod starts; an image of your`,
    '# own with lb-bench on PATH starts without the registry. Fewer nodes than generators: the rest',
    '# stay Pending (required anti-affinity); make it preferred to put several on one node.',
    ...range(n).map((i) => `---\n${stringify(deployment(i, image, version), { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd()}`),
    '',
  ].join('\n');
  const flow = (words: readonly string[]) => `[${words.join(', ')}]`;
  const inventory = [
    '# The generators of kubernetes/generators.yaml, reached with kubectl exec (the command transport).',
    '# kubectl runs here, with its current context: the cluster the generators were applied to.',
    'hosts:',
    ...range(n).flatMap((i) => [`  gen${i}:`, `    transport: { command: ${flow(kubectlWorker(i))} }`]),
    '',
  ].join('\n');
  const scenario = [
    '# yaml-language-server: $schema=../scenario.schema.json',
    `# Load from the ${n} generator pods of kubernetes/generators.yaml, released together, merged exactly.`,
    `#   npx lb-bench@${version} run scenarios/kubernetes.yaml --profile quick`,
    'name: kubernetes',
    'kind: load',
    `title: Load from ${n} generator pods`,
    'balancer: none',
    'algorithm: none',
    'target: http://my-service.my-namespace.svc.cluster.local/   # as the pods reach it: a Service, or your load balancer',
    'inventory: ../kubernetes/inventory.yaml',
    'load:',
    '  levels: [1000, 5000, 10000]   # requests per run, split over the generators',
    '  concurrency: all',
    '  repetitions: 5',
    '  timeout: 10s',
    '  cooldown: 2s',
    `  generators: ${flow(range(n).map((i) => `gen${i}`))}`,
    'thresholds: { loss: 0 }',
    'profiles:',
    '  quick: { load: { levels: [1000], repetitions: 3 } }',
    '',
  ].join('\n');
  return [
    { path: 'kubernetes/generators.yaml', content: manifests },
    { path: 'kubernetes/inventory.yaml', content: inventory },
    { path: 'scenarios/kubernetes.yaml', content: scenario },
  ];
}
