/**
 * Typed SPICE errors. ngspice's exit status alone does not say what went wrong (it exits 0 when
 * an analysis fails inside `.control`, 1 for most netlist errors), so the runner classifies a run
 * from its messages (see classify.ts) into one of these classes. Each carries the tail of
 * ngspice's output for diagnosis. Exit code 1: a failed run, not bad CLI input.
 */
import { PlateauError } from '../util/errors.ts';

export type SpiceBackendName = 'cli' | 'wasm';

export interface SpiceErrorDetails {
  backend?: SpiceBackendName;
  stdoutTail?: string;
  stderrTail?: string;
}

/** Base class of everything a SPICE run can fail with. */
export class SpiceError extends PlateauError {
  readonly backend: SpiceBackendName | undefined;
  readonly stdoutTail: string;
  readonly stderrTail: string;
  constructor(message: string, details: SpiceErrorDetails = {}) {
    super(message, 1);
    this.backend = details.backend;
    this.stdoutTail = details.stdoutTail ?? '';
    this.stderrTail = details.stderrTail ?? '';
  }
}

/** ngspice rejected a deck line. `origin` is the netlist part that produced it (via lineMap). */
export class SpiceParseError extends SpiceError {
  constructor(
    message: string,
    /** 1-based line in the generated deck, when ngspice gave or the runner could find it. */
    readonly deckLine: number | undefined,
    /** The offending line as ngspice printed it (lower-cased, expanded). */
    readonly lineText: string | undefined,
    /** Which element or subcircuit produced the line, from the writer's lineMap. */
    readonly origin: string | undefined,
    details: SpiceErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** A model, subcircuit, parameter or include file the deck refers to does not exist. */
export class SpiceMissingDefinitionError extends SpiceError {
  constructor(
    message: string,
    readonly what: 'model' | 'subcircuit' | 'parameter' | 'include',
    readonly missingName: string,
    readonly origin: string | undefined,
    details: SpiceErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** The analysis did not converge: operating point failed, or the time step collapsed. */
export class SpiceConvergenceError extends SpiceError {
  constructor(
    message: string,
    /** The node or instance ngspice blamed, if it named one. */
    readonly node: string | undefined,
    details: SpiceErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** The wall-clock limit passed; the process group was killed. */
export class SpiceTimeoutError extends SpiceError {
  constructor(message: string, readonly timeoutSeconds: number, details: SpiceErrorDetails = {}) {
    super(message, details);
  }
}

/** No ngspice executable (CLI backend) or no WASM engine. */
export class SpiceNotFoundError extends SpiceError {}

/**
 * The run ended without complete output: the process was killed by a signal not sent by the
 * runner's timeout, it was aborted, it never reached the end of its control block, or the raw
 * file is missing or truncated.
 */
export class SpiceOutputError extends SpiceError {
  constructor(message: string, readonly signal: string | undefined = undefined, details: SpiceErrorDetails = {}) {
    super(message, details);
  }
}

/** A raw file that cannot be read to the end (truncated, killed run, foreign format). */
export class RawFileError extends SpiceOutputError {
  constructor(message: string, readonly byteOffset: number) {
    super(message);
  }
}
