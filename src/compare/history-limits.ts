/**
 * The history's numbers that the command line names too (its flags' defaults and bounds): kept
 * apart from the judge and the pruning, so that reading the command line loads neither.
 */

/** fewer nights than this give no band worth judging by */
export const MIN_NIGHTS = 5;
/** `compare --history`: the last N nights make the band */
export const DEFAULT_NIGHTS = 14;
export const MAX_NIGHTS = 1000;
/** `compare --history`: nights out of the band in a row that make a regression */
export const DEFAULT_CONFIRM = 2;

/** `history append|prune`: each scenario's newest N nights are kept */
export const DEFAULT_KEEP_NIGHTS = 30;
export const MAX_KEEP_NIGHTS = 100_000;
/** about 90 nights of the thesis profile (10 levels, 5 scenarios: some 110 KB a night) */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const MIN_MAX_BYTES = 1024;
