/**
 * `init`, the use case: a starter for the user's own repository (starter.ts: scenarios, an
 * inventory, known_hosts and a nightly workflow), or with `kubernetes` the generators for a
 * Kubernetes cluster (kubernetes.ts). Every file is checked before any is written: one that exists
 * is named and nothing is written (exit 2), unless `force`; then all are written, or none.
 */
import { lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { envError, inputError } from '../errors.js';
import { errorWords, writeFiles, type WriteFailed } from '../io/files.js';
import { displayPath } from '../util/paths.js';
import { VERSION } from '../version.js';
import { KUBERNETES_NAMESPACE, kubernetesFiles } from './kubernetes.js';
import { starterFiles, type StarterFile } from './starter.js';

export interface StarterOptions {
  /** overwrite files that exist (never a folder or a link) */
  force?: boolean;
  /** instead: this many generator pods for Kubernetes */
  kubernetes?: number;
  /** with kubernetes: the generators' image */
  image?: string;
}

export interface Written {
  /** the files written, as the user names them */
  files: string[];
  /** what to do next */
  next: string;
}

function kindOf(path: string): 'none' | 'file' | 'other' {
  try {
    return lstatSync(path).isFile() ? 'file' : 'other';
  } catch {
    return 'none';
  }
}

/** A file where init needs a folder (e.g. a file named `scenarios`), between root and `path`. */
function fileInTheWay(root: string, path: string): string | null {
  for (let dir = dirname(path); dir.length > root.length; dir = dirname(dir)) {
    if (kindOf(dir) !== 'none' && !lstatSync(dir).isDirectory()) return dir;
  }
  return null;
}

/** One line per file in the way; a folder or link is never replaced, even with --force. */
function obstacles(root: string, files: StarterFile[], force: boolean): string[] {
  const problems = new Set<string>();
  for (const f of files) {
    const path = join(root, f.path);
    const blocking = fileInTheWay(root, path);
    const kind = kindOf(path);
    if (blocking) problems.add(`${displayPath(blocking)}: is not a folder; init writes ${f.path} there`);
    else if (kind === 'other') problems.add(`${displayPath(path)}: exists and is not a plain file; init writes a file there`);
    else if (kind === 'file' && !force) problems.add(`${displayPath(path)}: exists; init does not overwrite it`);
  }
  return [...problems];
}

function nextSteps(dir: string): string {
  const lb = `npx lb-bench@${VERSION}`;
  return [
    `init: a starter in ${dir}. Next:`,
    '  1. inventory.yaml and known_hosts: your hosts, and their host keys (the steps are in inventory.yaml)',
    `  2. scenarios/*.yaml: target, levels, thresholds; then: ${lb} validate scenarios/*.yaml`,
    '  3. .github/workflows/lb-bench.yml: the secret LB_BENCH_SSH_KEY, and a runner that reaches the cluster',
    `  try it now: node scenarios/examples/server.mjs 8000 & ${lb} run scenarios/examples/local.yaml --profile quick`,
  ].join('\n');
}

function kubernetesSteps(dir: string): string {
  return [
    `init: generators for Kubernetes in ${dir}. Next:`,
    `  1. kubectl create namespace ${KUBERNETES_NAMESPACE} && kubectl apply -f kubernetes/generators.yaml`,
    `  2. scenarios/kubernetes.yaml: the target, as the pods reach it; then: npx lb-bench@${VERSION} validate scenarios/kubernetes.yaml`,
    `  3. npx lb-bench@${VERSION} run scenarios/kubernetes.yaml --profile quick   (where kubectl reaches the cluster)`,
  ].join('\n');
}

/** The files to write: the starter, or the Kubernetes generators. */
function filesFor(opts: StarterOptions): StarterFile[] {
  if (opts.kubernetes === undefined) {
    if (opts.image !== undefined) throw inputError('--image: only with --kubernetes N');
    return starterFiles();
  }
  if (opts.image !== undefined && !/^[\w][\w.\-/:@]{0,254}$/.test(opts.image))
    throw inputError(`--image: must be an image reference such as registry.example.com/lb-bench:0.1.0, got "${opts.image}"`);
  return kubernetesFiles({ generators: opts.kubernetes, image: opts.image });
}

/** Write the starter into dir (the user's repository's top folder). */
export function writeStarter(dir: string, opts: StarterOptions): Written {
  const root = resolve(dir);
  if (kindOf(root) === 'file') throw inputError(`${dir}: is a file; init writes into a folder (your repository's top folder)`);
  const files = filesFor(opts);
  const problems = obstacles(root, files, Boolean(opts.force));
  if (problems.length)
    throw inputError(problems.join('\n'), 'nothing was written; move those files away, or give --force to overwrite them');
  // every file or none: a retry after a failure finds nothing in its way
  try {
    writeFiles(files.map((f) => ({ path: join(root, f.path), content: f.content })));
  } catch (e) {
    const failed = e as WriteFailed;
    throw envError(`${displayPath(failed.path)}: cannot write it (${errorWords(failed.cause)}); nothing was written`);
  }
  return {
    files: files.map((f) => displayPath(join(root, f.path))),
    next: opts.kubernetes === undefined ? nextSteps(displayPath(root)) : kubernetesSteps(displayPath(root)),
  };
}
