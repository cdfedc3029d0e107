/**
 * The settings that `up` used, kept in the state folder as lab.yaml (readable, and what `status`
 * checks against), and small file helpers that write only when the content changes — which is
 * what makes a second `up` change nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import type { LabSettings } from './settings.js';
import type { LabPaths } from './topology.js';

/** Writes a file if its content differs; returns whether it did. */
export function writeIfChanged(file: string, text: string, mode?: number): boolean {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text, mode === undefined ? undefined : { mode });
  return true;
}

export function saveLabSettings(p: LabPaths, s: LabSettings): boolean {
  return writeIfChanged(
    p.settings,
    `# The settings of the running lab (lab.yaml merged with --config), written by \`lb-bench lab up\`\n${stringify(s)}`,
  );
}

export function readLabSettings(p: LabPaths): LabSettings {
  return parse(readFileSync(p.settings, 'utf8')) as LabSettings;
}
