/** A scenario file read, merged with its profile and the command line, and checked: what a runner is given. */

/**
 * The command line's changes to a scenario file (`--profile P`, `--repetitions N`, `--levels a,b`):
 * the one type for them, from the flags to where each kind places them (Kind.overrides).
 */
export interface Overrides {
  profile?: string;
  repetitions?: number;
  levels?: number[];
}

/** S: the scenario of its kind */
export interface ResolvedScenario<S> {
  file: string;
  /** as it runs: the target's credentials, if any, included */
  scenario: S;
  /** as a run folder keeps it and the terminal shows it: credentials replaced (its kind's redact) */
  redacted: S;
  profile: string | null;
  overrides: Omit<Overrides, 'profile'>;
  /** hash of the resolved scenario, credentials left out: --resume refuses a run whose scenario changed */
  hash: string;
}
