/**
 * A GitHub Actions job run on this machine, night after night, without GitHub: the workflow's YAML
 * parsed, each step's `if:` and `${{ … }}` evaluated (the few forms a workflow of ours uses), each
 * `run:` block run by bash as the hosted runner runs it (`bash --noprofile --norc -eo pipefail`),
 * with GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. What GitHub itself does is played by a
 * folder of earlier nights: `actions/upload-artifact` and `download-artifact` copy into and out of
 * it, and a `gh` on PATH answers `gh run list` and `gh run download` from it. `npx --yes
 * lb-bench@VERSION …` runs this checkout's bin/lb-bench.js (and checks the version pinned).
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { shQuote } from '../../src/cpu/shell.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
  'continue-on-error'?: boolean;
}

export interface StepResult {
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  output: string;
}

export interface NightResult {
  id: number;
  conclusion: 'success' | 'failure';
  steps: StepResult[];
  summary: string;
  /** the job's working folder (the checkout) */
  dir: string;
}

export interface NightOptions {
  event?: 'schedule' | 'workflow_dispatch';
  inputs?: Record<string, string | boolean>;
}

// ---- expressions: literals, contexts, function calls, ! == != && || and parentheses ------------

type Value = string | number | boolean | null;

function tokens(expr: string): string[] {
  const re = /\s*('(?:[^']|'')*'|&&|\|\||==|!=|!|\(|\)|,|[A-Za-z_][\w.-]*|\d+(?:\.\d+)?)/y;
  const out: string[] = [];
  let at = 0;
  for (let m: RegExpExecArray | null; at < expr.length && (m = re.exec(expr)); at = re.lastIndex) out.push(m[1]);
  if (expr.slice(at).trim()) throw new Error(`expression not understood: ${expr}`);
  return out;
}

/** GitHub's loose equality: same types compare as they are (strings without case), others as numbers. */
function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b) return a === b;
  const num = (v: Value) => (v === null ? 0 : typeof v === 'boolean' ? Number(v) : v === '' ? 0 : Number(v));
  return num(a) === num(b);
}

const truthy = (v: Value) => v !== null && v !== false && v !== 0 && v !== '';

export function evaluate(expr: string, lookup: (path: string) => Value, call: (name: string, args: Value[]) => Value): Value {
  const t = tokens(expr);
  let i = 0;
  const primary = (): Value => {
    const tok = t[i++];
    if (tok === '!') return !truthy(primary());
    if (tok === '(') {
      const v = or();
      i++; // )
      return v;
    }
    if (tok.startsWith("'")) return tok.slice(1, -1).replaceAll("''", "'");
    if (/^\d/.test(tok)) return Number(tok);
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok === 'null') return null;
    if (t[i] === '(') {
      i++;
      const args: Value[] = [];
      while (t[i] !== ')') {
        args.push(or());
        if (t[i] === ',') i++;
      }
      i++;
      return call(tok, args);
    }
    return lookup(tok);
  };
  const comparison = (): Value => {
    let v = primary();
    while (t[i] === '==' || t[i] === '!=') {
      const op = t[i++];
      const w = primary();
      v = op === '==' ? equal(v, w) : !equal(v, w);
    }
    return v;
  };
  const and = (): Value => {
    let v = comparison();
    while (t[i] === '&&') {
      i++;
      const w = comparison();
      v = truthy(v) ? w : v;
    }
    return v;
  };
  const or = (): Value => {
    let v = and();
    while (t[i] === '||') {
      i++;
      const w = and();
      v = truthy(v) ? v : w;
    }
    return v;
  };
  const v = or();
  if (i !== t.length) throw new Error(`expression not understood: ${expr}`);
  return v;
}

// ---- the files of a night ----------------------------------------------------------------------

function walk(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

function globMatches(dir: string, pattern: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('**')
        .map((p) =>
          p
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replaceAll('*', '[^/]*')
            .replaceAll('?', '[^/]'),
        )
        .join('.*') +
      '$',
  );
  return walk(dir).some((f) => re.test(f));
}

/**
 * The stand-ins on PATH: `npx --yes lb-bench@VERSION` and `gh run list|download`. `lbBench`: what
 * node runs as lb-bench (default: bin/lb-bench.js), e.g. it with the fake engine (fake-engine.ts).
 */
function standIns(bin: string, version: string, lbBench = [join(ROOT, 'bin/lb-bench.js')]): void {
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'npx'),
    [
      '#!/usr/bin/env bash',
      '[ "$1" = --yes ] && shift',
      `[ "$1" = "lb-bench@${version}" ] || { echo "npx: expected lb-bench@${version}, got $1" >&2; exit 127; }`,
      'shift',
      `exec ${[process.execPath, ...lbBench].map(shQuote).join(' ')} "$@"`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(bin, 'gh'), `#!/usr/bin/env bash\nexec "${process.execPath}" "${join(ROOT, 'dist/test/helpers/fake-gh.js')}" "$@"\n`);
  for (const f of ['npx', 'gh']) chmodSync(join(bin, f), 0o755);
}

// ---- the job -----------------------------------------------------------------------------------

export class LocalActions {
  private readonly wf: { env?: Record<string, string>; jobs: Record<string, { steps: Step[]; env?: Record<string, string> }> };
  private readonly bin: string;
  private nightNo = 0;

  /**
   * `repo`: the repository's files (copied afresh each night, as a checkout); `store`: the earlier
   * nights (`<id>/conclusion`, `<id>/artifacts/<name>/`), also what this job's nights add to;
   * `env`: replaces the workflow's env entries of these names (the user's own settings).
   */
  constructor(
    workflowFile: string,
    private readonly o: {
      repo: string;
      store: string;
      work: string;
      version: string;
      env?: Record<string, string>;
      secrets?: Record<string, string>;
      /** node's arguments that start lb-bench, before the command's own (default: bin/lb-bench.js) */
      lbBench?: string[];
    },
  ) {
    this.wf = parse(readFileSync(workflowFile, 'utf8'));
    this.bin = join(o.work, 'bin');
    standIns(this.bin, o.version, o.lbBench);
    mkdirSync(o.store, { recursive: true });
    this.nightNo = Math.max(0, ...readdirSync(o.store).map(Number).filter(Number.isInteger));
  }

  get steps(): Step[] {
    return Object.values(this.wf.jobs)[0].steps;
  }

  /** Async: the servers the steps measure may live in this process. */
  async night(opts: NightOptions = {}): Promise<NightResult> {
    const id = ++this.nightNo;
    const dir = join(this.o.work, `night-${id}`);
    const files = join(this.o.work, `night-${id}-files`);
    mkdirSync(files, { recursive: true });
    const gh = { GITHUB_OUTPUT: join(files, 'output'), GITHUB_ENV: join(files, 'env'), GITHUB_STEP_SUMMARY: join(files, 'summary') };
    for (const f of Object.values(gh)) writeFileSync(f, '');
    const outputs: Record<string, Record<string, string>> = {};
    const jobEnv: Record<string, string> = {};
    let failed = false;
    const results: StepResult[] = [];

    const github: Record<string, string> = {
      event_name: opts.event ?? 'schedule',
      token: 'local-token',
      repository: 'user/repo',
      ref_name: 'main',
    };
    const lookup = (path: string): Value => {
      const [ctx, ...rest] = path.split('.');
      if (ctx === 'github') return github[rest.join('.')] ?? null;
      if (ctx === 'inputs') return (opts.inputs?.[rest[0]] as Value) ?? null;
      if (ctx === 'secrets') return this.o.secrets?.[rest[0]] ?? '';
      if (ctx === 'env') return env()[rest[0]] ?? '';
      if (ctx === 'steps') return outputs[rest[0]]?.[rest.slice(2).join('.')] ?? '';
      throw new Error(`no context ${path}`);
    };
    const call = (name: string, args: Value[]): Value => {
      if (name === 'always') return true;
      if (name === 'cancelled') return false;
      if (name === 'success') return !failed;
      if (name === 'failure') return failed;
      if (name === 'hashFiles') return args.some((p) => globMatches(dir, String(p))) ? 'hash' : '';
      throw new Error(`no function ${name}`);
    };
    const expand = (text: string) =>
      text.replace(/\$\{\{(.*?)\}\}/g, (_m, e: string) => {
        const v = evaluate(e, lookup, call);
        return v === null ? '' : String(v);
      });
    const workflowEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...this.wf.env, ...this.o.env })) workflowEnv[k] = expand(String(v));
    const env = () => ({ ...workflowEnv, ...jobEnv });

    for (const step of this.steps) {
      const name = step.name ?? step.uses ?? step.run!.split('\n')[0];
      const condition = (step.if ?? 'success()').replace(/^\$\{\{(.*)\}\}$/s, '$1');
      const wanted = /\b(always|cancelled|success|failure)\(/.test(condition) ? condition : `success() && (${condition})`;
      if (!truthy(evaluate(wanted, lookup, call))) {
        results.push({ name, outcome: 'skipped', output: '' });
        continue;
      }
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
      const r =
        step.run !== undefined ? await this.shell(step.run, dir, { ...env(), ...stepEnv, ...gh }) : this.action(step, dir, id, expand);
      if (step.id) outputs[step.id] = readPairs(gh.GITHUB_OUTPUT);
      writeFileSync(gh.GITHUB_OUTPUT, '');
      Object.assign(jobEnv, readPairs(gh.GITHUB_ENV));
      results.push({ name, outcome: r.ok ? 'success' : 'failure', output: r.output });
      if (!r.ok && !step['continue-on-error']) failed = true;
    }
    const conclusion = failed ? 'failure' : 'success';
    mkdirSync(join(this.o.store, String(id)), { recursive: true });
    writeFileSync(join(this.o.store, String(id), 'conclusion'), conclusion);
    return { id, conclusion, steps: results, summary: readFileSync(gh.GITHUB_STEP_SUMMARY, 'utf8'), dir };
  }

  private shell(script: string, cwd: string, env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
    const file = join(this.o.work, 'step.sh');
    writeFileSync(file, script);
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      cwd,
      timeout: 120_000,
      env: {
        PATH: `${this.bin}:${process.env.PATH}`,
        HOME: process.env.HOME ?? this.o.work,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'user/repo',
        GITHUB_REF_NAME: 'main',
        LB_FAKE_GH_STORE: this.o.store,
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return new Promise((done) => child.on('close', (code) => done({ ok: code === 0, output })));
  }

  /** checkout, setup-node, and the artifacts: what GitHub does, played by the store. */
  private action(step: Step, dir: string, id: number, expand: (t: string) => string): { ok: boolean; output: string } {
    const uses = step.uses!.split('@')[0];
    const w = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v))]));
    if (uses === 'actions/checkout') {
      rmSync(dir, { recursive: true, force: true });
      cpSync(this.o.repo, dir, { recursive: true });
      return { ok: true, output: 'checked out' };
    }
    if (uses === 'actions/setup-node') return { ok: true, output: `node ${process.version}` };
    if (uses === 'actions/download-artifact') {
      const from = join(this.o.store, w['run-id'] ?? String(id), 'artifacts', w.name);
      if (!existsSync(from)) return { ok: false, output: `no artifact ${w.name} in run ${w['run-id']}` };
      cpSync(from, join(dir, w.path ?? '.'), { recursive: true });
      return { ok: true, output: `downloaded ${w.name}` };
    }
    if (uses === 'actions/upload-artifact') {
      const path = join(dir, w.path);
      if (!existsSync(path)) return { ok: w['if-no-files-found'] !== 'error', output: `no files at ${w.path}` };
      const to = join(this.o.store, String(id), 'artifacts', w.name);
      // a folder's contents are the artifact's; a file keeps its name
      cpSync(path, statSync(path).isDirectory() ? to : join(to, w.path.split('/').at(-1)!), { recursive: true });
      return { ok: true, output: `uploaded ${w.name}` };
    }
    return { ok: false, output: `action ${uses} not played here` };
  }
}

function readPairs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** An earlier night as GitHub keeps it: its conclusion and its artifacts (name → a folder, whose contents are the artifact's, or a file). */
export function storeNight(store: string, id: number, conclusion: 'success' | 'failure', artifacts: Record<string, string>): void {
  const dir = join(store, String(id));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'conclusion'), conclusion);
  for (const [name, from] of Object.entries(artifacts)) {
    const to = join(dir, 'artifacts', name);
    if (statSync(from).isDirectory()) cpSync(from, to, { recursive: true });
    else {
      mkdirSync(to, { recursive: true });
      cpSync(from, join(to, from.split('/').at(-1)!));
    }
  }
}
