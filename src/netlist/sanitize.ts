/**
 * Identifier, number and text sanitising for SPICE decks.
 *
 * ngspice lower-cases the whole deck, ends a statement at a newline, starts a comment at `*`
 * (line start), `;` or `$ `, evaluates `{...}` and `'...'` as expressions, splits hierarchical
 * names at `.`, and runs `.control` blocks as a shell-like script (`shell` executes commands).
 * No text from a user may therefore reach the deck unchanged. Every identifier is mapped by a
 * pure, deterministic function into `[a-z0-9_]`; free text (titles, comments) is reduced to a
 * harmless character set; numbers are written in exponent notation.
 *
 * Identifier scheme (documented in docs/spice.md):
 * - a name that is already lower-case `[a-z0-9_]`, is not reserved and does not end like a hashed
 *   name is kept as it is (so hand-written decks read naturally);
 * - any other name becomes `<cleaned prefix>_h<8 hex digits>`, where the cleaned prefix is the
 *   lower-cased name with every other character replaced by `_` (at most 32 characters) and the
 *   hex digits are the FNV-1a 32-bit hash of the exact original string. `A` and `a`, `x.y` and
 *   `x_y` therefore stay distinct although ngspice would fold them together;
 * - the writer checks each scope for the (astronomically unlikely) case that two different
 *   names still meet, and throws instead of merging them.
 */
import { inputError } from '../util/errors.ts';

/** FNV-1a, 32 bit, over the UTF-16 code units of `s`: deterministic, dependency-free. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const CLEAN = /^[a-z0-9_]+$/;
const HASHED_TAIL = /_h[0-9a-f]{8}$/;

/**
 * Words that must not be used verbatim as parameter, model or subcircuit names: ngspice
 * expression functions and constants, control-language words, and plateau's own model names.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  // expression functions (ngspice manual §2.8/2.9) and random functions
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'ceil', 'cos', 'cosh', 'ddt',
  'exp', 'floor', 'i', 'int', 'ln', 'log', 'log10', 'max', 'min', 'nint', 'pow', 'pwr', 'sgn',
  'sign', 'sin', 'sinh', 'sqrt', 'stp', 'tan', 'tanh', 'ternary_fcn', 'u', 'u2', 'uramp', 'v',
  'agauss', 'gauss', 'aunif', 'unif', 'limit', 'if', 'db', 'mag', 'ph', 'real', 'imag',
  // constants and special variables
  'time', 'temp', 'hertz', 'pi', 'e', 'c', 'boltz', 'echarge', 'kelvin', 'planck', 'true', 'false',
  'yes', 'no', 'all',
  // control language and deck words
  'end', 'ends', 'endc', 'control', 'include', 'lib', 'param', 'model', 'subckt', 'shell', 'run',
  'quit', 'exit', 'source', 'set', 'let', 'write', 'save', 'print', 'echo', 'plot', 'alter',
  // plateau's model card
  'plateau_nmos', 'plateau_pmos', 'nmos', 'pmos',
]);

export type NameKind = 'node' | 'element' | 'subckt' | 'model' | 'param' | 'option';

/**
 * Map a name from the netlist model to a SPICE identifier in `[a-z0-9_]`.
 * Nodes: `0`, `gnd` and `GND` are ground (ngspice treats `gnd` as node 0) and map to `0`;
 * node names may start with a digit; reserved words apply to the other kinds only.
 */
export function safeIdent(raw: string, kind: NameKind): string {
  if (kind === 'node' && (raw === '0' || raw.toLowerCase() === 'gnd')) return '0';
  const reserved = kind !== 'node' && RESERVED_WORDS.has(raw);
  // Element names are written after their device letter, so a leading digit is harmless there.
  const startsWithDigit = kind !== 'node' && kind !== 'element' && /^[0-9]/.test(raw);
  if (CLEAN.test(raw) && !reserved && !startsWithDigit && !HASHED_TAIL.test(raw)) return raw;
  let prefix = raw.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 32);
  if (prefix === '' || (kind !== 'node' && kind !== 'element' && /^[0-9]/.test(prefix))) prefix = 'n' + prefix;
  return `${prefix}_h${fnv1a32(raw).toString(16).padStart(8, '0')}`;
}

/** The device letter ngspice uses for each element kind. */
export const DEVICE_LETTER = { M: 'm', R: 'r', C: 'c', V: 'v', I: 'i', S: 's', B: 'b', X: 'x' } as const;

/**
 * Element identifiers are `<device letter>_<safe name>`: the letter is what ngspice reads the
 * device type from, the underscore keeps `r` + `1` apart from a user name `r1`.
 */
export function elementIdent(kind: keyof typeof DEVICE_LETTER, name: string): string {
  return `${DEVICE_LETTER[kind]}_${safeIdent(name, 'element')}`;
}

/**
 * A number in exponent notation with the shortest digits that round-trip (ECMAScript
 * `toExponential()` without an argument): `1.5e-12`, `1e+0`. SI suffixes are never used
 * (`1M` is milli in SPICE, `1F` femto). Non-finite numbers are an input error.
 */
export function formatNumber(x: number, where = 'value'): string {
  if (!Number.isFinite(x)) {
    throw inputError(`${where} must be a finite number`, {}, { value: String(x), allowed: 'finite numbers' });
  }
  if (x === 0) return '0e+0';
  return x.toExponential();
}

/**
 * Free text (title, comment) for one deck line: printable ASCII letters, digits, blanks and
 * `-_+=:,/()[]#%@` only; everything else (newline, `.`, `*`, `;`, `$`, quotes, braces,
 * non-ASCII) becomes `_`. At most 120 characters.
 */
export function safeText(raw: string): string {
  return raw.replace(/[^A-Za-z0-9 \-_+=:,/()[\]#%@]/g, '_').slice(0, 120).trim();
}
