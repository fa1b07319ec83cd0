/**
 * Expressions (`ParamValue.expr`, behavioural-source expressions) are re-tokenised, never
 * copied: numbers are re-formatted, identifiers are mapped through the identifier scheme, and
 * anything outside a small operator set is rejected. The result is safe to place inside `{...}`.
 */
import { inputError } from '../util/errors.ts';
import { elementIdent, formatNumber, safeIdent } from './sanitize.ts';

/** Functions that may be called in an expression (ngspice manual §2.8, §2.9.5). */
const FUNCTIONS: ReadonlySet<string> = new Set([
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'ceil', 'cos', 'cosh', 'ddt',
  'exp', 'floor', 'int', 'ln', 'log', 'log10', 'max', 'min', 'nint', 'pow', 'pwr', 'sgn', 'sign',
  'sin', 'sinh', 'sqrt', 'stp', 'tan', 'tanh', 'ternary_fcn', 'u', 'u2', 'uramp', 'agauss',
  'gauss', 'aunif', 'unif', 'limit',
]);

/** Names that denote built-in quantities when they appear without a call. */
const CONSTANTS: ReadonlySet<string> = new Set(['time', 'temp', 'hertz', 'pi']);

const OPERATORS = '+-*/^(),<>=!&|?:%';

/**
 * A hierarchical node reference `inst.inst.node` (model names) → `x_inst.x_inst.node` (deck
 * names), as ngspice prints subcircuit nodes.
 */
export function nodePath(ref: string): string {
  const parts = ref.split('.');
  const node = parts.pop() as string;
  return [...parts.map((p) => elementIdent('X', p)), safeIdent(node, 'node')].join('.');
}

/**
 * A hierarchical voltage-source reference `inst.vsrc` → `v.x_inst.v_vsrc` (ngspice's name for
 * the branch current of a source inside a subcircuit); top level `vsrc` → `v_vsrc`.
 */
export function sourcePath(ref: string): string {
  const parts = ref.split('.');
  const src = parts.pop() as string;
  if (parts.length === 0) return elementIdent('V', src);
  return ['v', ...parts.map((p) => elementIdent('X', p)), elementIdent('V', src)].join('.');
}

/** Translate an expression; `where` names the element for error messages. */
export function translateExpr(src: string, where: string): string {
  const out: string[] = [];
  let i = 0;
  const n = src.length;
  const fail = (msg: string): never => {
    throw inputError(`${where}: ${msg}`, {}, { value: src, allowed: 'numbers, parameter names, v(node), i(source), + - * / ^ ( ) , < > = ! & | ? : % and the ngspice functions' });
  };
  while (i < n) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t') { i++; continue; }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      const after = src[i + num[0].length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) fail(`number with a unit suffix at offset ${i} (write plain exponent notation)`);
      out.push(formatNumber(Number(num[0]), where));
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      const word = id[0];
      const lower = word.toLowerCase();
      let j = i + word.length;
      while (src[j] === ' ') j++;
      const isCall = src[j] === '(';
      if (isCall && (lower === 'v' || lower === 'i')) {
        const close = src.indexOf(')', j);
        if (close < 0) fail(`unclosed ${lower}( at offset ${i}`);
        const args = src.slice(j + 1, close).split(',').map((s) => s.trim());
        if (args.some((a) => a === '') || args.length > (lower === 'v' ? 2 : 1)) fail(`bad arguments to ${lower}()`);
        out.push(lower === 'v' ? `v(${args.map(nodePath).join(',')})` : `i(${sourcePath(args[0])})`);
        i = close + 1;
        continue;
      }
      if (isCall) {
        if (!FUNCTIONS.has(lower)) fail(`unknown function ${word}`);
        out.push(lower);
      } else if (CONSTANTS.has(lower)) {
        out.push(lower);
      } else {
        out.push(safeIdent(word, 'param'));
      }
      i += word.length;
      continue;
    }
    if (OPERATORS.includes(ch)) {
      out.push(ch);
      i++;
      continue;
    }
    fail(`character ${JSON.stringify(ch)} at offset ${i} is not allowed`);
  }
  if (out.length === 0) fail('empty expression');
  for (let k = 1; k < out.length; k++) {
    if (/[A-Za-z0-9_)]$/.test(out[k - 1]) && /^[A-Za-z0-9_]/.test(out[k])) fail(`missing operator between ${out[k - 1]} and ${out[k]}`);
  }
  // Join without blanks (so `<=`, `**` stay intact), except between two word-like tokens.
  let text = out[0];
  for (let k = 1; k < out.length; k++) {
    if (/[A-Za-z0-9_]$/.test(text) && /^[A-Za-z0-9_]/.test(out[k])) text += ' ';
    text += out[k];
  }
  return text;
}
