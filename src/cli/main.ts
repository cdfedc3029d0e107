/**
 * The command line: registers commands and turns their outcome into an exit code. Nothing else.
 * Each command lives in commands/<name>.ts and is imported only when it is used.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, LbError } from '../errors.js';
import type { Io } from '../io/io.js';
import { alpha, byteSize, decimal, outFile, outFolder, positive, positiveList, whole } from './flags.js';
import { processIo } from './io.js';
import {
  DEFAULT_CONFIRM,
  DEFAULT_KEEP_NIGHTS,
  DEFAULT_NIGHTS,
  MAX_KEEP_NIGHTS,
  MAX_NIGHTS,
  MIN_MAX_BYTES,
  MIN_NIGHTS,
} from '../compare/history-limits.js';
import { MAX_KUBERNETES_GENERATORS } from '../init/limits.js';

/** The launcher asks, once stdout has drained, whether the result reached it. */
export { outputFailure } from './io.js';
import { onStoreWarning } from '../results/warnings.js';
import { versionLine } from '../version.js';
import { FORMATS } from '../export/registry.js';
import { terminalText } from '../util/format.js';

type Action = (io: Io, ...args: any[]) => Promise<number | void>;

/** Runs a command's module, imported only when it is used; its number, if any, is the exit code. */
type Lazy = (load: () => Promise<{ default: Action }>) => (...args: unknown[]) => Promise<void>;

function runCommand(program: Command, lazy: Lazy): void {
  program
    .command('run')
    .description('run scenario files; one run folder each under results/')
    .argument('[file...]', 'scenario files (YAML)')
    .option('-p, --profile <name>', 'apply a named profile of the scenario (e.g. quick, thesis)')
    .option('-o, --out <dir>', 'results folder (default: results)', outFolder())
    .option('--resume <run>', 'complete a run folder: only the missing (level, repetition) pairs')
    .option('--repetitions <n>', 'override load.repetitions', positive('--repetitions'))
    .option('--levels <list>', 'override load.levels, e.g. 1000,5000,10000', positiveList('--levels'))
    .option('--accept-new-host-keys', 'record unknown SSH host keys (a changed key is never accepted)')
    .option('--json', 'print a JSON summary instead of the run folder path')
    .option('--junit <file>', 'also write each threshold as a JUnit XML test case (a breach: a failure)', outFile('--junit'))
    .action(lazy(() => import('./commands/run.js')));
}

function reportCommand(program: Command, lazy: Lazy): void {
  program
    .command('report')
    .description('tables and charts of runs (default: the newest run of each scenario)')
    .argument('[run...]', 'run folders or scenario names')
    .option('-o, --out <dir>', 'report folder (default reports/<timestamp>)', outFolder())
    .option('--results <dir>', 'results folder to search', 'results')
    .action(lazy(() => import('./commands/report.js')));
}

function compareCommand(program: Command, lazy: Lazy): void {
  program
    .command('compare')
    .description('two runs or scenario names side by side, with significance; exit 1 on a significant regression')
    .argument('[a]', 'run folder, scenario name or balancer name (the baseline)')
    .argument('[b]', 'run folder, scenario name or balancer name (compared against A)')
    .option('--results <dir>', 'results folder to search', 'results')
    .option('--metric <name...>', 'metrics to compare (a name, or a prefix such as latency_ms); default all')
    .option('--alpha <p>', 'significance level (default 0.05)', alpha())
    .addOption(new Option('--test <name>', 'two-sample test (default mann-whitney)').choices(['mann-whitney', 'welch']))
    .addOption(new Option('--format <format>', 'table format (default text)').choices(FORMATS))
    .option('--json', 'print the comparison as JSON')
    .option('-v, --verbose', 'text: every table of every comparison (default: a line per comparison and the rows that differ)')
    .option('-o, --out <dir>', 'write compare.md, compare.json and compare.png there', outFolder())
    .option(
      '--fail-on-regression <pct>',
      'exit 1 when a metric is significantly worse by more than PCT %',
      decimal('--fail-on-regression', (n) => n >= 0, 'a percentage, 0 or more'),
    )
    .option('--baseline <dir>', 'compare the newest run of every scenario with its newest run in DIR')
    .option('--history <file>', "judge the newest run of every scenario against the nights of a history (lb-bench history append's file)")
    .option(
      '--nights <n>',
      `with --history: the last N nights make the band (default ${DEFAULT_NIGHTS}, at least ${MIN_NIGHTS})`,
      whole('--nights', MIN_NIGHTS, MAX_NIGHTS, `a whole number from ${MIN_NIGHTS} to ${MAX_NIGHTS}`),
    )
    .option(
      '--confirm-nights <k>',
      `with --history: nights out of the band in a row that make a regression (default ${DEFAULT_CONFIRM})`,
      whole('--confirm-nights', 1, MAX_NIGHTS, 'a whole number from 1 to --nights'),
    )
    .option('--junit <file>', 'also write each gated row as a JUnit XML test case', outFile('--junit'))
    .action((a: string | undefined, b: string | undefined, opts: object) =>
      lazy(() => import('./commands/compare.js'))(
        [a, b].filter((x) => x !== undefined),
        opts,
      ),
    );
}

function historyCommand(program: Command, lazy: Lazy): void {
  program
    .command('history')
    .description(
      "the nightly history that compare --history judges by: append tonight's summary (then prune), prune it, or accept tonight as the new normal",
    )
    .argument('<action>', 'append | prune | accept')
    .argument('[file]', 'the history file (JSON Lines), e.g. history.jsonl')
    .option('--results <dir>', 'results folder: the newest run of each scenario', 'results')
    .option(
      '--keep-nights <n>',
      `append, prune: keep each scenario's newest N nights (default ${DEFAULT_KEEP_NIGHTS}, at least ${MIN_NIGHTS})`,
      whole(
        '--keep-nights',
        MIN_NIGHTS,
        MAX_KEEP_NIGHTS,
        `a whole number of at least ${MIN_NIGHTS} (compare --history needs ${MIN_NIGHTS} nights to judge by)`,
      ),
    )
    .option(
      '--max-bytes <size>',
      'append, prune: then drop the oldest nights until the file is at most SIZE (bytes, or K, M, G; default 10M)',
      byteSize('--max-bytes', MIN_MAX_BYTES),
    )
    .option('--scenario <name...>', 'accept: only these scenarios (default: every scenario with runs)')
    .action(lazy(() => import('./commands/history.js')));
}

function reproduceCommand(program: Command, lazy: Lazy): void {
  program
    .command('reproduce')
    .description('the thesis end to end: lab up, every thesis scenario, one report with its conclusions checked, lab down')
    .option('-p, --profile <name>', "the scenarios' profile: quick (about 7 minutes on 2 cores) or thesis (30 repetitions; hours)", 'quick')
    .option('-o, --out <dir>', 'report folder (default reports/<timestamp>-reproduce)', outFolder())
    .option('--results <dir>', 'results folder for the run folders', 'results')
    .option(
      '--scenarios <dir>',
      'folder of single, haproxy-rr, haproxy-lc, nginx-rr and failover .yaml (default ./scenarios when it holds them, else the ones shipped with lb-bench)',
    )
    .option('--keep-lab', 'leave the lab up when reproduce brought it up')
    .option('--no-calibrate', 'do not calibrate the lab first when this machine has no calibration (lab calibrate)')
    .option('--alpha <p>', 'significance level of the verdicts (default 0.05)', alpha())
    .option('--repetitions <n>', "repetitions of every load scenario (default: the profile's, at least 5)", positive('--repetitions'))
    .option('--accept-new-host-keys', 'record unknown SSH host keys (a changed key is never accepted)')
    .option('--junit <file>', 'also write each scenario and conclusion as a JUnit XML test case', outFile('--junit'))
    .option('--from <dir>', 'no lab, nothing sent: the conclusions and report of the runs stored in DIR (e.g. baselines/thesis)')
    .action(lazy(() => import('./commands/reproduce.js')));
}

function setUpCommands(program: Command, lazy: Lazy): void {
  program
    .command('lab')
    .description('the thesis topology, built from real servers on this machine (root)')
    .argument('<action>', 'install | up | down | status | calibrate')
    .option('--config <file>', 'lab settings (lab.yaml)')
    .option('--json', 'up, status and calibrate as JSON')
    .action(lazy(() => import('./commands/lab.js')));

  program
    .command('validate')
    .description('check scenario files; every problem at once')
    .argument('<file...>', 'scenario files (YAML)')
    .action(lazy(() => import('./commands/validate.js')));

  program
    .command('init')
    .description('write a starter for your own repository: example scenarios, an inventory, a nightly workflow')
    .argument('[dir]', "your repository's top folder", '.')
    .option('--force', 'overwrite files that exist')
    .option(
      '--kubernetes <n>',
      'instead: N generator pods for Kubernetes, their inventory (kubectl exec) and a scenario',
      whole('--kubernetes', 1, MAX_KUBERNETES_GENERATORS, `a number of generator pods, 1 to ${MAX_KUBERNETES_GENERATORS}`),
    )
    .option('--image <image>', "with --kubernetes: the generators' image (default: node:20-bookworm-slim, which installs lb-bench)")
    .action(lazy(() => import('./commands/init.js')));

  program
    .command('schema')
    .description('print the JSON Schema of scenario files, for editors')
    .action(lazy(() => import('./commands/schema.js')));

  program
    .command('worker', { hidden: true })
    .description('serve the load-worker protocol on stdin and stdout (lb-bench starts it on generator hosts)')
    .action(lazy(() => import('./commands/worker.js')));
}

export async function main(argv: string[], given: Io = processIo(argv.includes('--debug'))): Promise<number> {
  // every line printed is escaped for the terminal: names and paths come from files
  const io: Io = { ...given, out: (t) => given.out(terminalText(t)), err: (t) => given.err(terminalText(t)) };
  let code: number = ExitCode.ok;
  // problems found in run folders that do not stop a command reach this command's stderr
  onStoreWarning((m) => io.err(`warning: ${m}`));
  const program = new Command('lb-bench');
  const lazy: Lazy =
    (load) =>
    async (...args) => {
      const result = await (await load()).default(io, ...args);
      if (typeof result === 'number') code = result;
    };

  program
    .description('Reproduce, measure and guard high-availability web clusters')
    .version(versionLine(), '-V, --version', "print the version, the commit it was built from and Node's version")
    .option('--debug', 'print stack traces')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.replace(/\n$/, '')), writeErr: (t) => io.err(t.replace(/\n$/, '')) })
    .showSuggestionAfterError();
  // in the order `lb-bench --help` lists them
  runCommand(program, lazy);
  reportCommand(program, lazy);
  compareCommand(program, lazy);
  historyCommand(program, lazy);
  reproduceCommand(program, lazy);
  setUpCommands(program, lazy);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    return handleError(e, io);
  }
  return code;
}

export function handleError(e: unknown, io: Io): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    return ExitCode.input; // commander already printed its one line
  }
  if (e instanceof LbError) {
    io.err(`lb-bench: ${e.message}`);
    if (e.hint) io.err(`  hint: ${e.hint}`);
    if (io.debug && e.stack) io.err(e.stack);
    return e.code;
  }
  io.err(`lb-bench: internal error: ${e instanceof Error ? e.message : String(e)}`);
  if (io.debug && e instanceof Error && e.stack) io.err(e.stack);
  else io.err('  hint: run again with --debug for the stack trace, and report it');
  return 70;
}

export { Option };
