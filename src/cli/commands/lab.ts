/** `lb-bench lab install|up|down|status`: parses and prints; the lab itself is in src/lab. */
import { ExitCode, inputError } from '../../errors.js';
import type { Io } from '../../io/io.js';

interface LabOptions {
  config?: string;
  json?: boolean;
}

export default async function lab(io: Io, action: string, opts: LabOptions = {}): Promise<number> {
  switch (action) {
    case 'install': {
      const { install } = await import('../../lab/install.js');
      await install(io);
      return ExitCode.ok;
    }
    case 'up': {
      const { labUp } = await import('../../lab/lab.js');
      const { labInventoryPath } = await import('../../lab/topology.js');
      const r = await labUp(opts.config);
      for (const w of r.warnings) io.err(`lb-bench: warning: ${w}`);
      const { cpus, source } = r.webCpus;
      const webCpus = { cpus, from: source.from, ...('file' in source ? { file: source.file } : {}) };
      if (opts.json) io.out(JSON.stringify({ ...r, webCpus, inventory: labInventoryPath() }));
      else {
        const changed = [
          ...r.started.map((c) => `started ${c}`),
          ...r.restarted.map((c) => `restarted ${c}`),
          ...r.changed.map((c) => `changed ${c}`),
        ];
        io.out(changed.length ? changed.join('\n') : 'the lab was already up; nothing changed');
        io.out(
          `lab up: VIP 198.18.0.10 (:80 haproxy roundrobin, :81 haproxy leastconn, :8080 nginx roundrobin); inventory ${labInventoryPath()}`,
        );
        io.out(`lab up: ${r.webCpus.line}`);
      }
      return ExitCode.ok;
    }
    case 'calibrate':
      return (await import('./calibrate.js')).default(io, opts);
    case 'down': {
      const { labDown } = await import('../../lab/lab.js');
      const r = await labDown();
      if (opts.json) io.out(JSON.stringify(r));
      else
        io.out(
          r.stopped.length
            ? `stopped ${r.stopped.join(', ')}; namespaces, links and cgroups removed`
            : 'nothing was running; namespaces, links and cgroups removed',
        );
      if (r.strangers.length)
        io.err(`lb-bench: warning: processes the lab did not start were in its namespaces and were left alone: ${r.strangers.join(' ')}`);
      return ExitCode.ok;
    }
    case 'status': {
      const { labStatus, statusTable } = await import('../../lab/status.js');
      const checks = await labStatus();
      const healthy = checks.every((c) => c.ok);
      io.out(opts.json ? JSON.stringify({ healthy, checks }, null, 2) : statusTable(checks));
      return healthy ? ExitCode.ok : ExitCode.environment;
    }
    default:
      throw inputError(`lab: unknown action "${action}"`, 'use one of: install, up, down, status, calibrate');
  }
}
