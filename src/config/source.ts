/**
 * Reading YAML with positions: every value of a parsed document can be traced back to its
 * line:column, so errors from the schema or the semantic checks point into the user's file.
 * Alias bombs and oversized files are refused before or while parsing.
 */
import { readFileSync, statSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { InputError, type Issue, type SourceLocation } from '../util/errors.ts';

/** Largest configuration file accepted (a full chip with per-synapse lists stays far below). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Aliases resolved per document: a few are handy, thousands are an alias bomb. */
export const MAX_ALIAS_COUNT = 1000;

export type PathSegment = string | number;

export class YamlSource {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  constructor(file: string, text: string, doc: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.text = text;
    this.doc = doc;
    this.lines = lines;
  }

  /** Position of the value at `path` (or of the nearest existing parent), 1-based. */
  position(path: PathSegment[], opts: { key?: boolean } = {}): { line: number; column: number } | undefined {
    let node: unknown = this.doc.contents;
    let best: { offset: number } | undefined = node && (node as Node).range ? { offset: (node as Node).range![0] } : undefined;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(seg));
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        if (last && opts.key && keyNode?.range) {
          best = { offset: keyNode.range[0] };
          break;
        }
        node = pair.value;
        const r = (node as Node | null)?.range ?? keyNode?.range;
        if (r) best = { offset: r[0] };
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        const r = (node as Node | null)?.range;
        if (!r) break;
        best = { offset: r[0] };
      } else {
        break;
      }
    }
    if (!best) return undefined;
    const p = this.lines.linePos(best.offset);
    return { line: p.line, column: p.col };
  }

  location(path: PathSegment[], opts: { key?: boolean } = {}): SourceLocation {
    const pos = this.position(path, opts);
    return { file: this.file, path: path.length ? formatPath(path) : undefined, line: pos?.line, column: pos?.column };
  }

  /** Plain JS value of the document. */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  }
}

function keyOf(k: unknown): string {
  if (isScalar(k)) return String(k.value);
  return String(k);
}

/** `neurons[2].leak.v_leak` from ['neurons', 2, 'leak', 'v_leak']. */
export function formatPath(path: PathSegment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += (s ? '.' : '') + seg;
  }
  return s;
}

/** Parse YAML text; syntax errors are returned together as one InputError. */
export function parseYamlSource(file: string, text: string): YamlSource {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    throw new InputError({ message: `file is too large (${Buffer.byteLength(text)} bytes)`, location: { file }, allowed: `at most ${MAX_FILE_BYTES} bytes` });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, strict: true, stringKeys: false });
  const issues: Issue[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    issues.push({ message: `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, location: { file, line: pos?.line, column: pos?.col } });
  }
  if (issues.length) throw new InputError(issues);
  const source = new YamlSource(file, text, doc, lines);
  try {
    source.value();
  } catch (err) {
    const msg = (err as Error).message;
    if (/alias/i.test(msg)) {
      throw new InputError({ message: `too many alias expansions (${msg})`, location: { file }, allowed: `at most ${MAX_ALIAS_COUNT} alias expansions per document` });
    }
    throw new InputError({ message: msg, location: { file } });
  }
  return source;
}

export function readYamlFile(file: string): YamlSource {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new InputError({ message: 'cannot read file: it does not exist or is not accessible', location: { file } });
  }
  if (size > MAX_FILE_BYTES) {
    throw new InputError({ message: `file is too large (${size} bytes)`, location: { file }, allowed: `at most ${MAX_FILE_BYTES} bytes` });
  }
  return parseYamlSource(file, readFileSync(file, 'utf8'));
}
