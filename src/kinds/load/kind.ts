/**
 * `kind: load` (the default): requests at each level, repetition after repetition, with backend
 * CPU. Its scenario schema is scenario.ts, its runner runner.ts and together.ts (with the load
 * engine, src/load/), its samples RunSample (sample.ts); its metrics, aggregation and part of the
 * report are here.
 */
import { checkBackends, checkGenerators } from '../../inventory/load.js';
import type { Kind } from '../kind.js';
import { folderReader, readSamples, type FolderReader, type SampleFormat } from '../../results/read.js';
import { runSampleRule, runSampleSchema, storedLoadScenarioSchema, type StoredLoadScenario, type RunSample } from './sample.js';
import { loadScenarioSchema, type LoadScenario } from './scenario.js';
import { redactHeaders, redactUrl } from '../../util/redact.js';
import { aggregate, noiseSummary } from './aggregate.js';
import { loadCompanion } from './companion.js';
import { loadMetrics } from './metrics.js';
import { loadReport } from './report.js';
import { attachPairs, distinctLevels, REFERENCE_FILE, sampleKey } from './stored.js';

declare module '../kind.js' {
  interface KindTypes {
    load: { scenario: LoadScenario; sample: RunSample; stored: StoredLoadScenario };
  }
}

const samples: SampleFormat<RunSample> = {
  sample: runSampleSchema,
  rule: runSampleRule,
  key: sampleKey,
  keyName: '(level, repetition) pair',
};
const readOwn = folderReader(storedLoadScenarioSchema, samples);

/** A load folder: its samples, each with its reference's run of the same (level, repetition) where the folder keeps one. */
const read: FolderReader<StoredLoadScenario, RunSample> = async (dir, file, base, scenario) => {
  const run = await readOwn(dir, file, base, scenario);
  return { ...run, samples: attachPairs(run.samples, await readSamples(dir, samples, REFERENCE_FILE)) };
};

export const loadKind: Kind<LoadScenario, RunSample, StoredLoadScenario> = {
  name: 'load',
  schema: loadScenarioSchema,
  overrides: (o) => ({ load: o }),
  redact: (s) => ({ ...s, target: redactUrl(s.target), load: { ...s.load, headers: redactHeaders(s.load.headers) } }),
  describe: (s) => `${s.load.levels.length} levels × ${s.load.repetitions} repetitions`,
  plan: (s) => `levels ${s.load.levels.join(', ')} × ${s.load.repetitions} repetitions`,
  checkInventory(file, s, inventory) {
    checkBackends(file, s.backends, inventory);
    checkGenerators(file, s.load.generators ?? [], inventory);
  },
  // the runner (and its load engine) is loaded only when a load scenario runs
  run: async (r, opts) => (await import('./runner.js')).runScenario(r, opts),
  companion: loadCompanion,
  runTogether: async (members, opts) => (await import('./together.js')).runTogether(members, opts),
  afterRun(stored) {
    // one line when the repetitions disagree, however many figures do; the report lists each
    const line = noiseSummary(stored.manifest.scenario.name, aggregate([stored]).noisy);
    return line && `${line} — lb-bench report lists them`;
  },
  read,
  level: (s) => s.level,
  measured: (run) => `levels ${distinctLevels(run.samples.map((s) => s.level)).join(',')}`,
  generatorBound: (s) => s.generator_bound,
  metrics: loadMetrics,
  report: loadReport,
};
