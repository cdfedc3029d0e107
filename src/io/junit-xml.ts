/**
 * JUnit XML, as Jenkins, GitLab and GitHub's test reporters read it: <testsuites> of <testsuite>s of
 * <testcase>s, each passed, or with a <failure> (a gate that fails the command: a breached
 * threshold, a regression), an <error> (something that could not be measured) or <skipped> (shown,
 * not gated), and its figures in <system-out>. Names and figures come from files and runs, so every
 * text is escaped, and characters XML cannot hold at all are replaced. Pure, but for writeJunit.
 */
import { envError } from '../errors.js';
import { errorWords, writeFiles } from './files.js';

export interface JunitOutcome {
  message: string;
  /** failure/error: what kind (e.g. `threshold`, `regression`) */
  type?: string;
  /** the figures, in the element's text */
  text?: string;
}

export interface JunitCase {
  name: string;
  classname: string;
  /** seconds */
  time?: number;
  failure?: JunitOutcome;
  error?: JunitOutcome;
  skipped?: JunitOutcome;
  /** the figures of a passed case, or more about a failed one */
  out?: string;
}

export interface JunitSuite {
  name: string;
  /** ISO time of its start */
  timestamp?: string;
  cases: JunitCase[];
}

/** Characters XML 1.0 cannot hold, not even as a reference: C0 controls but tab and line ends, lone surrogates, U+FFFE/FFFF. */
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const clean = (s: string) => s.replace(NOT_XML, '\uFFFD');

export const xmlText = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Attribute values: also quotes, and white space as references, which attribute normalisation would turn into spaces. */
export const xmlAttr = (s: string) =>
  xmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');

const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

/** "2026-01-02T03:04:05": xs:dateTime in UTC, as the reporters parse it (no fraction, no zone). */
export function junitTimestamp(iso: string): string | undefined {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().slice(0, 19);
}

function outcome(tag: 'failure' | 'error' | 'skipped', o: JunitOutcome | undefined): string[] {
  if (!o) return [];
  const open = `      <${tag}${attrs({ message: o.message, type: o.type })}`;
  return [o.text ? `${open}>${xmlText(o.text)}</${tag}>` : `${open}/>`];
}

function testcase(c: JunitCase): string[] {
  const head = `    <testcase${attrs({ name: c.name, classname: c.classname, time: c.time ?? 0 })}`;
  const body = [
    ...outcome('skipped', c.skipped),
    ...outcome('error', c.error),
    ...outcome('failure', c.failure),
    ...(c.out ? [`      <system-out>${xmlText(c.out)}</system-out>`] : []),
  ];
  return body.length ? [`${head}>`, ...body, '    </testcase>'] : [`${head}/>`];
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function counts(cases: readonly JunitCase[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => c.error).length,
    skipped: cases.filter((c) => c.skipped).length,
  };
}

export function junitXml(name: string, suites: readonly JunitSuite[]): string {
  const { tests, failures, errors } = counts(suites.flatMap((s) => s.cases));
  // no `skipped` on testsuites: the strictest readers (the xunit plugin's schema) refuse it there
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name, tests, failures, errors, time: 0 })}>`];
  for (const s of suites) {
    lines.push(
      `  <testsuite${attrs({ name: s.name, ...counts(s.cases), time: 0, timestamp: s.timestamp && junitTimestamp(s.timestamp) })}>`,
    );
    lines.push(...s.cases.flatMap(testcase), '  </testsuite>');
  }
  return [...lines, '</testsuites>', ''].join('\n');
}

/** --junit FILE: written whole (or not at all); its folder is made. */
export function writeJunit(file: string, name: string, suites: readonly JunitSuite[]): void {
  try {
    writeFiles([{ path: file, content: junitXml(name, suites) }]);
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    throw envError(`--junit ${file}: cannot write it (${errorWords(cause)})`, 'choose another file');
  }
}
