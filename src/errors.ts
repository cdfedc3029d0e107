/**
 * The exit codes of lb-bench: one table, documented in docs/exit-codes.md.
 * Commands never call process.exit; they throw an LbError and `main` turns it into the code.
 */
export const ExitCode = {
  ok: 0,
  /** a threshold or regression gate failed */
  gate: 1,
  /** bad input: arguments, scenario file, unknown run */
  input: 2,
  /** the environment failed: target or SSH host unreachable, lab not up, missing program */
  environment: 3,
  /** interrupted by SIGINT/SIGTERM; what finished is kept */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: one line (or a few, for a list of problems) and an exit code. */
export class LbError extends Error {
  constructor(
    message: string,
    readonly code: ExitCodeValue,
    /** what to do about it, printed after the message */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'LbError';
  }
}

export const inputError = (message: string, hint?: string) => new LbError(message, ExitCode.input, hint);
export const envError = (message: string, hint?: string) => new LbError(message, ExitCode.environment, hint);
export const gateError = (message: string) => new LbError(message, ExitCode.gate);

/** Thrown when the user interrupts; what was measured is already stored. */
export class Interrupted extends LbError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted);
    this.name = 'Interrupted';
  }
}
