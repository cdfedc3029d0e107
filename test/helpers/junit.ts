/**
 * --junit output checked as a reporter would take it: against a JUnit XML schema
 * (test/schemas/junit.xsd) by libxml2's own validator (xmllint-wasm, WebAssembly from npm: nothing
 * native, nothing downloaded), and what a schema cannot say: each suite's counts agree with its cases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateXML } from 'xmllint-wasm';

const SCHEMA = readFileSync(resolve(import.meta.dirname, '../../../test/schemas/junit.xsd'), 'utf8');

export async function schemaErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [SCHEMA] });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage);
}

/** One suite as written: its counts, and its cases' outcomes. */
export interface SuiteSeen {
  name: string;
  counts: Record<'tests' | 'failures' | 'errors' | 'skipped', number>;
  cases: { name: string; outcome: 'passed' | 'failure' | 'error' | 'skipped'; message: string | null; body: string }[];
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? null;

/** The suites of lb-bench's own output (one element per line, as junitXml writes it). */
export function suites(xml: string): SuiteSeen[] {
  const out: SuiteSeen[] = [];
  for (const block of xml.split('<testsuite ').slice(1)) {
    const head = block.slice(0, block.indexOf('>'));
    const num = (k: string) => Number(attr(` ${head}`, k));
    const cases = block
      .split('<testcase ')
      .slice(1)
      .map((c): SuiteSeen['cases'][number] => {
        const open = c.slice(0, c.indexOf('>'));
        const end = c.indexOf('</testcase>');
        const body = end < 0 ? '' : c.slice(0, end);
        // text is escaped (< as &lt;), so a tag is only ever an element
        const outcome = (['failure', 'error', 'skipped'] as const).find((t) => body.includes(`<${t}`)) ?? 'passed';
        const tag = outcome === 'passed' ? '' : body.slice(body.indexOf(`<${outcome}`), body.indexOf('>', body.indexOf(`<${outcome}`)));
        return { name: attr(` ${open}`, 'name')!, outcome, message: tag ? attr(tag, 'message') : null, body };
      });
    out.push({
      name: attr(` ${head}`, 'name')!,
      counts: { tests: num('tests'), failures: num('failures'), errors: num('errors'), skipped: num('skipped') },
      cases,
    });
  }
  return out;
}

/** Valid against the schema, and every suite's counts are its cases'. */
export async function assertJunit(xml: string): Promise<SuiteSeen[]> {
  assert.deepEqual(await schemaErrors(xml), [], xml);
  const seen = suites(xml);
  for (const s of seen) {
    const n = (o: string) => s.cases.filter((c) => c.outcome === o).length;
    assert.deepEqual(s.counts, { tests: s.cases.length, failures: n('failure'), errors: n('error'), skipped: n('skipped') }, s.name);
  }
  return seen;
}
