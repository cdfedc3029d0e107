/**
 * The parsers of the flags that take a number or name a place to write (commander's argument
 * parsers): a value is checked as it is read, before any command runs and in the order the flags
 * are given, and a wrong one is one line naming the flag (exit 2).
 * Decimal notation only: Number() would take 0x10, 1e3, " 5" and 0b11 too, and run at a level or
 * judge at a threshold nobody typed.
 */
import { inputError } from '../errors.js';
import { checkOutFile, checkOutFolder } from './io.js';

const DIGITS = /^[0-9]+$/;
const DECIMAL = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;

type Parser<T> = (value: string) => T;

const refused = (flag: string, what: string, value: string) => inputError(`${flag}: must be ${what}, got "${value}"`);

/** A whole number from min to max, written in decimal digits; `what` words the range in the message. */
export function whole(flag: string, min: number, max: number, what: string): Parser<number> {
  return (value) => {
    const n = Number(value);
    if (!DIGITS.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw refused(flag, what, value);
    return n;
  };
}

/** `--repetitions 5` */
export const positive = (flag: string): Parser<number> => whole(flag, 1, Number.MAX_SAFE_INTEGER, 'a positive decimal integer');

/** `--levels 1000,5000,10000` */
export function positiveList(flag: string): Parser<number[]> {
  return (value) => {
    const parts = value.split(',').map((p) => p.trim());
    const nums = parts.map(Number);
    if (parts.some((p) => !DIGITS.test(p)) || nums.some((n) => !Number.isSafeInteger(n) || n <= 0))
      throw refused(flag, 'positive decimal integers separated by commas', value);
    return nums;
  };
}

/** A decimal number (`0.05`, `.5`, `10`) that `ok` accepts; `what` words it in the message. */
export function decimal(flag: string, ok: (n: number) => boolean, what: string): Parser<number> {
  return (value) => {
    const n = Number(value);
    if (!DECIMAL.test(value) || !Number.isFinite(n) || !ok(n)) throw refused(flag, what, value);
    return n;
  };
}

/** `--alpha 0.05`: a significance level */
export const alpha = (flag = '--alpha'): Parser<number> => decimal(flag, (n) => n > 0 && n < 1, 'a number between 0 and 1');

/** `--max-bytes 10M`: bytes, or with K, M or G (× 1024); at least `min` bytes. */
export function byteSize(flag: string, min: number): Parser<number> {
  return (value) => {
    const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B?|B)?$/i.exec(value.trim());
    const scale = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m?.[2] ?? '').charAt(0).toUpperCase()] ?? NaN;
    const n = m ? Math.floor(Number(m[1]) * scale) : NaN;
    if (!(n >= min)) throw refused(flag, `a size of at least ${min / 1024}K (bytes, or with K, M or G)`, value);
    return n;
  };
}

/** `--out DIR`: a folder that can be written into (cli/io.ts), checked as it is read, in the order the flags are given. */
export function outFolder(flag = '--out'): Parser<string> {
  return (value) => {
    checkOutFolder(value, flag);
    return value;
  };
}

/** `--junit FILE`: a file that can be written. */
export function outFile(flag: string): Parser<string> {
  return (value) => {
    checkOutFile(value, flag);
    return value;
  };
}
