/**
 * GitHub's `gh` for test/helpers/workflow.ts, answering from a folder of earlier nights
 * (LB_FAKE_GH_STORE: `<id>/conclusion`, `<id>/artifacts/<name>/`): `gh run list … --status
 * success|completed --limit N --json databaseId --jq '.[0].databaseId // empty' | '.[].databaseId'`
 * and `gh run download ID --name NAME --dir DIR`. Anything else is refused, so a workflow that
 * starts to ask GitHub for more is noticed.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const store = process.env.LB_FAKE_GH_STORE!;
const [group, command, ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};

function refuse(why: string): never {
  process.stderr.write(`gh (local): ${why}\n`);
  process.exit(2);
}

if (group !== 'run') refuse(`not played here: gh ${process.argv.slice(2).join(' ')}`);
if (command === 'list') {
  const status = flag('--status');
  const ids = readdirSync(store)
    .map(Number)
    .filter((id) => Number.isInteger(id) && existsSync(join(store, String(id), 'conclusion')))
    .filter((id) => status === 'completed' || readFileSync(join(store, String(id), 'conclusion'), 'utf8') === status)
    .sort((a, b) => b - a)
    .slice(0, Number(flag('--limit') ?? 20));
  const jq = flag('--jq');
  if (jq === '.[0].databaseId // empty') process.stdout.write(ids.length ? `${ids[0]}\n` : '');
  else if (jq === '.[].databaseId') process.stdout.write(ids.map((id) => `${id}\n`).join(''));
  else refuse(`--jq ${jq} not played here`);
} else if (command === 'download') {
  const from = join(store, rest[0], 'artifacts', flag('--name') ?? '');
  if (!existsSync(from)) refuse(`no artifact ${flag('--name')} in run ${rest[0]}`);
  cpSync(from, flag('--dir') ?? '.', { recursive: true });
} else refuse(`not played here: gh run ${command}`);
