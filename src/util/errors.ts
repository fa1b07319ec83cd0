/**
 * Typed errors. Library code throws these; the CLI decides how to show them and which exit code
 * to use (2 for bad input, 1 for a failed run).
 */

/** Where a problem sits in an input file. Every field is optional: fill in what is known. */
export interface SourceLocation {
  file?: string;
  /** YAML/JSON path, e.g. `neurons[2].compartments.soma.tau_mem`. */
  path?: string;
  line?: number;
  column?: number;
  /** A circuit coordinate, e.g. `row 0 column 17 (enum 17)`. */
  circuit?: string;
}

export interface Issue {
  message: string;
  location: SourceLocation;
  /** The offending value, printed as JSON. */
  value?: unknown;
  /** What would be accepted. */
  allowed?: string;
}

export function formatLocation(loc: SourceLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) {
    let s = loc.file;
    if (loc.line !== undefined) s += `:${loc.line}` + (loc.column !== undefined ? `:${loc.column}` : '');
    parts.push(s);
  }
  if (loc.path !== undefined && loc.path !== '') parts.push(loc.path);
  if (loc.circuit !== undefined) parts.push(loc.circuit);
  return parts.join(' ');
}

export function formatIssue(issue: Issue): string {
  const where = formatLocation(issue.location);
  let s = where ? `${where}: ${issue.message}` : issue.message;
  if (issue.value !== undefined) s += ` (got ${safeJson(issue.value)})`;
  if (issue.allowed !== undefined) s += `; allowed: ${issue.allowed}`;
  return s;
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > 120 ? s.slice(0, 117) + '...' : s;
  } catch {
    return String(v);
  }
}

/** Base class: every error plateau raises on purpose. */
export class PlateauError extends Error {
  /** Process exit code the CLI should use. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input from the user: one or more issues, all reported at once. Exit code 2. */
export class InputError extends PlateauError {
  readonly issues: Issue[];
  constructor(issues: Issue[] | Issue, headline?: string) {
    const list = Array.isArray(issues) ? issues : [issues];
    const body = list.map(formatIssue).join('\n');
    super(headline ? `${headline}\n${body}` : body, 2);
    this.issues = list;
  }
}

/** A value outside what a circuit can reach (for example a time constant no bias code gives). */
export class RangeIssueError extends InputError {}

/** Shorthand for a single input issue. */
export function inputError(message: string, location: SourceLocation = {}, extra: { value?: unknown; allowed?: string } = {}): InputError {
  return new InputError({ message, location, ...extra });
}
