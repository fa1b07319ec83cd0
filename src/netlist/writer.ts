/**
 * Netlist model → ngspice deck text. Pure and deterministic: the same netlist gives the same
 * bytes. Every identifier goes through `safeIdent`, every number through `formatNumber`, every
 * expression through `translateExpr`, free text through `safeText` (see sanitize.ts for why).
 *
 * Deck layout:
 *   title line, provenance comment, .include lines, .options, .model cards, subcircuits,
 *   top-level elements, .nodeset/.ic, the analysis line, then either a `.control` block (CLI
 *   backend: save, run, check `sim_status`, write the raw file, quit with a status) or `.save`
 *   lines (WASM backend, whose engine issues `run` and `write` itself), and `.end`.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, inputError } from '../util/errors.ts';
import type { Analysis, Element, Netlist, ParamValue, SourceFunction, Subcircuit } from './model.ts';
import { elementIdent, formatNumber, safeIdent, safeText } from './sanitize.ts';
import { nodePath, sourcePath, translateExpr } from './expr.ts';

/** Absolute path of the project's BSIM4 model card (plateau_nmos, plateau_pmos). */
export const MODEL_CARD_PATH: string = fileURLToPath(new URL('../../spice/ptm65.lib', import.meta.url));

/** Model names the writer maps `Mosfet.model` to. */
export const MOS_MODEL_NAMES = { nmos: 'plateau_nmos', pmos: 'plateau_pmos' } as const;

/** Marker lines the control block prints, so the runner can tell a finished run from others. */
export const MARK_DONE = 'plateau_run_done';
export const MARK_SIM_FAILED = 'plateau_sim_failed';
/** Exit status the control block uses when the analysis failed (`sim_status` set). */
export const EXIT_SIM_FAILED = 3;

export interface ControlBlock {
  /** Raw file name written by the control block, relative to ngspice's working directory. */
  rawFile: string;
  filetype?: 'binary' | 'ascii';
}

export interface WriteOptions {
  /** A `.control` block for the CLI backend (default), or `false` for `.save` lines only. */
  control?: ControlBlock | false;
}

export interface WrittenNetlist {
  text: string;
  /** `lineMap[i]` says which part of the netlist produced line `i + 1`. */
  lineMap: string[];
  /**
   * Each entry of `netlist.save` → the vector name ngspice gives it in the raw file
   * (`v(soma.vmem)` → `v(x_soma.vmem)`, `i(vdd)` → `i(v_vdd)`).
   */
  vectors: Record<string, string>;
}

export const DEFAULT_CONTROL: ControlBlock = { rawFile: 'plateau.raw', filetype: 'binary' };

class Lines {
  readonly text: string[] = [];
  readonly map: string[] = [];
  push(line: string, origin: string): void {
    if (/[\r\n\0]/.test(line)) throw new Error(`internal: line break in generated line from ${origin}`);
    this.text.push(line);
    this.map.push(origin);
  }
}

/** Tracks the names used in one scope and refuses two model names that map to one deck name. */
class Scope {
  private readonly seen = new Map<string, string>();
  constructor(private readonly what: string) {}
  claim(deckName: string, modelName: string, where: string): void {
    const prev = this.seen.get(deckName);
    if (prev !== undefined && prev !== modelName) {
      throw inputError(`${where}: name ${JSON.stringify(modelName)} maps to the same ${this.what} name as ${JSON.stringify(prev)}`, {}, { value: deckName });
    }
    if (prev !== undefined && this.what !== 'node') {
      throw inputError(`${where}: duplicate ${this.what} name ${JSON.stringify(modelName)}`, {}, { value: modelName, allowed: 'unique names per scope' });
    }
    this.seen.set(deckName, modelName);
  }
}

function paramValue(v: ParamValue, where: string): string {
  if (typeof v === 'number') return formatNumber(v, where);
  if (v && typeof v === 'object' && typeof v.expr === 'string') return `{${translateExpr(v.expr, where)}}`;
  throw inputError(`${where}: a parameter value must be a number or { expr }`, {}, { value: v });
}

function sourceFunction(f: SourceFunction, where: string): string[] {
  const n = (x: number, what: string) => formatNumber(x, `${where} ${what}`);
  switch (f.fn) {
    case 'dc':
      return [`dc ${n(f.value, 'value')}`];
    case 'pulse': {
      const args = [f.v1, f.v2, f.delay, f.rise, f.fall, f.width, f.period].map((x, k) => n(x, `pulse argument ${k + 1}`));
      if (f.count !== undefined) {
        if (!Number.isInteger(f.count) || f.count < 1) throw inputError(`${where}: pulse count must be a positive integer`, {}, { value: f.count });
        args.push(formatNumber(f.count));
      }
      return [`pulse(${args.join(' ')})`];
    }
    case 'pwl': {
      if (!Array.isArray(f.points) || f.points.length === 0) throw inputError(`${where}: pwl needs at least one point`, {}, { value: f.points });
      let last = -Infinity;
      const pairs = f.points.map(([t, v], k) => {
        if (!(t >= last)) throw inputError(`${where}: pwl times must not decrease (point ${k})`, {}, { value: t });
        last = t;
        return `${n(t, `pwl time ${k}`)} ${n(v, `pwl value ${k}`)}`;
      });
      // Eight pairs per physical line keeps lines short; ngspice joins `+` continuation lines.
      const out: string[] = [];
      for (let k = 0; k < pairs.length; k += 8) out.push(pairs.slice(k, k + 8).join(' '));
      out[0] = `pwl(${out[0]}`;
      out[out.length - 1] += ')';
      return out.map((s, k) => (k === 0 ? s : `+ ${s}`));
    }
    default:
      throw inputError(`${where}: unknown source function`, {}, { value: f, allowed: 'dc, pulse, pwl' });
  }
}

function isSourceFunction(v: unknown): v is SourceFunction {
  return typeof v === 'object' && v !== null && 'fn' in v;
}

function elementLines(el: Element, nodes: Scope, elements: Scope, origin: string): string[] {
  if (el.kind === 'raw') {
    const line = el.line;
    if (typeof line !== 'string' || /[\r\n\0]/.test(line) || !/^[A-Za-z]/.test(line)) {
      throw inputError(`${origin}: a raw device line must be one line starting with a device letter`, {}, { value: line });
    }
    return [line];
  }
  const where = `${origin}`;
  const id = elementIdent(el.kind, el.name);
  elements.claim(id, `${el.kind}:${el.name}`, where);
  const node = (raw: string) => {
    if (typeof raw !== 'string' || raw === '') throw inputError(`${where}: node names must be non-empty strings`, {}, { value: raw });
    const s = safeIdent(raw, 'node');
    if (s !== '0') nodes.claim(s, raw, where);
    return s;
  };
  switch (el.kind) {
    case 'M': {
      const model = MOS_MODEL_NAMES[el.model];
      if (model === undefined) throw inputError(`${where}: MOSFET model must be nmos or pmos`, {}, { value: el.model, allowed: 'nmos, pmos' });
      if (!(el.w > 0) || !(el.l > 0)) throw inputError(`${where}: MOSFET w and l must be positive (metres)`, {}, { value: { w: el.w, l: el.l } });
      let line = `${id} ${node(el.drain)} ${node(el.gate)} ${node(el.source)} ${node(el.bulk)} ${model} w=${formatNumber(el.w)} l=${formatNumber(el.l)}`;
      if (el.delvto !== undefined) line += ` delvto=${paramValue(el.delvto, `${where} delvto`)}`;
      if (el.m !== undefined) {
        if (!Number.isInteger(el.m) || el.m < 1) throw inputError(`${where}: multiplier m must be a positive integer`, {}, { value: el.m });
        line += ` m=${formatNumber(el.m)}`;
      }
      return [line];
    }
    case 'R':
    case 'C':
    case 'V':
    case 'I': {
      const head = `${id} ${node(el.p)} ${node(el.n)}`;
      if (isSourceFunction(el.value)) {
        if (el.kind === 'R' || el.kind === 'C') throw inputError(`${where}: ${el.kind} takes a number or expression, not a source function`, {}, { value: el.value });
        const body = sourceFunction(el.value, where);
        body[0] = `${head} ${body[0]}`;
        return body;
      }
      const v = paramValue(el.value as ParamValue, where);
      return [el.kind === 'V' || el.kind === 'I' ? `${head} dc ${v}` : `${head} ${v}`];
    }
    case 'S':
      return [`${id} ${node(el.p)} ${node(el.n)} ${node(el.cp)} ${node(el.cn)} ${safeIdent(el.model, 'model')}`];
    case 'B': {
      if (el.quantity !== 'v' && el.quantity !== 'i') throw inputError(`${where}: behavioural quantity must be v or i`, {}, { value: el.quantity });
      return [`${id} ${node(el.p)} ${node(el.n)} ${el.quantity}={${translateExpr(el.expr, where)}}`];
    }
    case 'X': {
      if (!Array.isArray(el.nodes)) throw inputError(`${where}: instance nodes must be a list`, {}, { value: el.nodes });
      let line = `${id} ${el.nodes.map(node).join(' ')} ${safeIdent(el.subckt, 'subckt')}`;
      for (const key of Object.keys(el.params ?? {}).sort()) {
        line += ` ${safeIdent(key, 'param')}=${paramValue((el.params as Record<string, ParamValue>)[key], `${where} parameter ${key}`)}`;
      }
      return [line];
    }
    default: {
      const k = (el as { kind?: unknown }).kind;
      throw inputError(`${origin}: unknown element kind`, {}, { value: k, allowed: 'M R C V I S B X raw' });
    }
  }
}

/** Run `f`; an InputError from it gets `path` (the netlist location) filled in. */
function at<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) {
      throw new InputError(e.issues.map((i) => ({ ...i, location: { ...i.location, path: i.location.path ? `${path}.${i.location.path}` : path } })));
    }
    throw e;
  }
}

function describe(el: Element, scope: string): string {
  const s = scope ? `subcircuit ${JSON.stringify(scope)} ` : '';
  if (el.kind === 'raw') return `${s}raw device`;
  return `${s}element ${el.kind} ${JSON.stringify(el.name)}`;
}

function analysisLine(a: Analysis, topElements: Element[]): string {
  switch (a.kind) {
    case 'op':
      return '.op';
    case 'tran': {
      const parts = ['.tran', formatNumber(a.step, 'tran step'), formatNumber(a.stop, 'tran stop')];
      if (!(a.step > 0) || !(a.stop > 0)) throw inputError('tran step and stop must be positive (seconds)', {}, { value: { step: a.step, stop: a.stop } });
      if (a.start !== undefined || a.maxStep !== undefined) parts.push(formatNumber(a.start ?? 0, 'tran start'));
      if (a.maxStep !== undefined) parts.push(formatNumber(a.maxStep, 'tran maxStep'));
      if (a.uic) parts.push('uic');
      return parts.join(' ');
    }
    case 'dc': {
      const src = topElements.find((e) => (e.kind === 'V' || e.kind === 'I') && e.name === a.source);
      if (src === undefined || (src.kind !== 'V' && src.kind !== 'I')) {
        throw inputError('dc sweep source is not a top-level V or I element', {}, { value: a.source });
      }
      if (!(a.step !== 0)) throw inputError('dc sweep step must be non-zero', {}, { value: a.step });
      return `.dc ${elementIdent(src.kind, src.name)} ${formatNumber(a.start)} ${formatNumber(a.stop)} ${formatNumber(a.step)}`;
    }
    default:
      throw inputError('unknown analysis', {}, { value: a, allowed: 'op, tran, dc' });
  }
}

/** `v(a.b)` / `i(a.vsrc)` / bare node name → the deck's vector name. */
export function vectorName(entry: string): string {
  const m = /^\s*([vViI])\s*\(\s*([^()]+?)\s*\)\s*$/.exec(entry);
  if (m) return m[1].toLowerCase() === 'v' ? `v(${nodePath(m[2])})` : `i(${sourcePath(m[2])})`;
  if (/^[^()\s]+$/.test(entry)) return `v(${nodePath(entry)})`;
  throw inputError('a saved vector must be v(node), i(source) or a node name', {}, { value: entry });
}

const MODEL_TYPE = /^[a-z][a-z0-9_]*$/;

/** Write a netlist as an ngspice deck. */
export function writeNetlist(n: Netlist, opts: WriteOptions = {}): WrittenNetlist {
  const control = opts.control === undefined ? DEFAULT_CONTROL : opts.control;
  const L = new Lines();
  L.push(`plateau ${safeText(n.title ?? '')}`.trim(), 'title');
  L.push('* generated by plateau (src/netlist/writer.ts); names sanitised, numbers in SI units', 'title');

  const includes = [...(n.includes ?? [])];
  const usesMos = (els: Element[]) => els.some((e) => e.kind === 'M');
  if ((usesMos(n.elements) || n.subcircuits.some((s) => usesMos(s.elements))) && !includes.includes(MODEL_CARD_PATH)) {
    includes.unshift(MODEL_CARD_PATH);
  }
  includes.forEach((p, k) => {
    if (typeof p !== 'string' || !isAbsolute(p) || /["\r\n\0]/.test(p) || /[^\x20-\x7e]/.test(p)) {
      throw inputError('include paths must be absolute, printable and free of quotes', { path: `includes[${k}]` }, { value: p });
    }
    L.push(`.include "${p}"`, `include ${k}`);
  });

  const optKeys = Object.keys(n.options ?? {}).sort();
  if (optKeys.length > 0) {
    const parts: string[] = [];
    for (const key of optKeys) {
      const v = (n.options as Record<string, number | string | boolean>)[key];
      const k = safeIdent(key, 'option');
      if (typeof v === 'boolean') { if (v) parts.push(k); }
      else if (typeof v === 'number') parts.push(`${k}=${formatNumber(v, `option ${key}`)}`);
      else if (typeof v === 'string' && /^[A-Za-z0-9_]+$/.test(v)) parts.push(`${k}=${v.toLowerCase()}`);
      else throw inputError(`option ${key}: value must be a number, boolean or a word`, { path: `options.${key}` }, { value: v });
    }
    if (parts.length > 0) L.push(`.options ${parts.join(' ')}`, 'options');
  }

  const modelScope = new Scope('model');
  for (const card of n.models ?? []) {
    const origin = `model ${JSON.stringify(card.name)}`;
    const name = safeIdent(card.name, 'model');
    modelScope.claim(name, card.name, origin);
    const type = String(card.type).toLowerCase();
    if (!MODEL_TYPE.test(type)) throw inputError(`${origin}: model type must be a word`, {}, { value: card.type });
    const ps = Object.keys(card.params ?? {}).sort().map((k) => `${safeIdent(k, 'param')}=${formatNumber(card.params[k], `${origin} ${k}`)}`);
    L.push(`.model ${name} ${type}${ps.length ? ` (${ps.join(' ')})` : ''}`, origin);
  }

  const subScope = new Scope('subcircuit');
  (n.subcircuits ?? []).forEach((sub, k) => writeSubcircuit(L, sub, subScope, `subcircuits[${k}]`));

  const nodes = new Scope('node');
  const elements = new Scope('element');
  n.elements.forEach((el, k) => {
    const origin = describe(el, '');
    for (const line of at(`elements[${k}]`, () => elementLines(el, nodes, elements, origin))) L.push(line, origin);
  });

  for (const [kw, map] of [['.nodeset', n.nodeset], ['.ic', n.ic]] as const) {
    const keys = Object.keys(map ?? {}).sort();
    if (keys.length === 0) continue;
    const parts = keys.map((k) => `v(${nodePath(k)})=${formatNumber((map as Record<string, number>)[k], `${kw} ${k}`)}`);
    L.push(`${kw} ${parts.join(' ')}`, kw.slice(1));
  }

  L.push(at('analysis', () => analysisLine(n.analysis, n.elements)), 'analysis');

  const vectors: Record<string, string> = {};
  (n.save ?? []).forEach((s, k) => {
    vectors[s] = at(`save[${k}]`, () => vectorName(s));
  });
  const saveList = [...new Set(Object.values(vectors))];

  if (control === false) {
    if (saveList.length > 0) L.push(`.save ${saveList.join(' ')}`, 'save');
  } else {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(control.rawFile)) {
      throw inputError('raw file name must be a plain file name', {}, { value: control.rawFile });
    }
    L.push('.control', 'control');
    L.push(`set filetype=${control.filetype ?? 'binary'}`, 'control');
    if (saveList.length > 0) L.push(`save ${saveList.join(' ')}`, 'control');
    L.push('run', 'control');
    // ngspice exits 0 when an analysis fails inside .control; sim_status says so (manual §17.7).
    L.push('if $sim_status', 'control');
    L.push(`echo ${MARK_SIM_FAILED}`, 'control');
    L.push(`quit ${EXIT_SIM_FAILED}`, 'control');
    L.push('end', 'control');
    L.push(`write ${control.rawFile}`, 'control');
    L.push(`echo ${MARK_DONE}`, 'control');
    L.push('quit 0', 'control');
    L.push('.endc', 'control');
  }
  L.push('.end', 'end');
  return { text: L.text.join('\n') + '\n', lineMap: L.map, vectors };
}

function writeSubcircuit(L: Lines, sub: Subcircuit, subScope: Scope, path: string): void {
  at(path, () => writeSubcircuitHead(L, sub, subScope));
}

function writeSubcircuitHead(L: Lines, sub: Subcircuit, subScope: Scope): void {
  const origin = `subcircuit ${JSON.stringify(sub.name)}`;
  const name = safeIdent(sub.name, 'subckt');
  subScope.claim(name, sub.name, origin);
  if (sub.comment !== undefined) L.push(`* ${safeText(sub.comment)}`, origin);
  const nodes = new Scope('node');
  const ports = sub.ports.map((p) => {
    const s = safeIdent(p, 'node');
    if (s === '0') throw inputError(`${origin}: ground cannot be a port`, {}, { value: p });
    nodes.claim(s, p, origin);
    return s;
  });
  const params = Object.keys(sub.params ?? {}).sort().map((k) => `${safeIdent(k, 'param')}=${formatNumber(sub.params[k], `${origin} parameter ${k}`)}`);
  L.push(`.subckt ${name} ${ports.join(' ')}${params.length ? ' ' + params.join(' ') : ''}`, origin);
  const elements = new Scope('element');
  sub.elements.forEach((el, k) => {
    const o = describe(el, sub.name);
    for (const line of at(`elements[${k}]`, () => elementLines(el, nodes, elements, o))) L.push(line, o);
  });
  L.push(`.ends ${name}`, origin);
}
