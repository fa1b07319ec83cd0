/**
 * Schema validation with errors mapped back to the YAML file: every ajv error becomes an Issue
 * with the file, the YAML path, line:column, the offending value and what is allowed. All errors
 * of a file are reported at once.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LAYERS, schemaFor, type Layer } from './schema.ts';
import type { PathSegment, YamlSource } from './source.ts';
import type { Issue } from '../util/errors.ts';

const compiled = new Map<Layer, ValidateFunction>();

function validator(layer: Layer): ValidateFunction {
  let v = compiled.get(layer);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, discriminator: true, allowUnionTypes: true, verbose: true });
    v = ajv.compile(schemaFor(layer));
    compiled.set(layer, v);
  }
  return v;
}

function pointerToPath(ptr: string): PathSegment[] {
  if (ptr === '') return [];
  return ptr.slice(1).split('/').map((s) => {
    const u = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(u) ? Number(u) : u;
  });
}

function valueAt(root: unknown, path: PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function describeSchema(s: Record<string, unknown> | undefined): string | undefined {
  if (!s) return undefined;
  if (typeof s.description === 'string') return s.description;
  if (Array.isArray(s.enum)) return s.enum.map((x) => JSON.stringify(x)).join(', ');
  return undefined;
}

/**
 * Reduce ajv's errors for anyOf/oneOf: of the alternatives, keep the errors of the one that got
 * furthest into the value (the user most likely meant it); if none got past the value itself,
 * report the alternatives' description once.
 */
function reduceErrors(errors: ErrorObject[]): ErrorObject[] {
  const combos = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  if (combos.length === 0) return errors;
  // Outermost combinator: shortest schema path.
  combos.sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  const top = combos[0];
  const marker = top.schemaPath + '/';
  // The same schema applies to every array item: an error belongs to this combinator only if it
  // also sits inside the same value.
  const within = (e: ErrorObject) => e.schemaPath.startsWith(marker) && (e.instancePath === top.instancePath || e.instancePath.startsWith(top.instancePath + '/'));
  const inner = errors.filter((e) => e !== top && within(e));
  const rest = errors.filter((e) => e !== top && !within(e));
  const branches = new Map<string, ErrorObject[]>();
  for (const e of inner) {
    const b = e.schemaPath.slice(marker.length).split('/')[0];
    const list = branches.get(b) ?? [];
    list.push(e);
    branches.set(b, list);
  }
  const depth = (e: ErrorObject) => pointerToPath(e.instancePath).length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0);
  // Score each alternative: one whose type matched the value beats one that did not; among
  // those, the one whose errors reach deepest into the value.
  let best: ErrorObject[] | undefined;
  let bestScore = -Infinity;
  for (const list of branches.values()) {
    const typeMismatch = list.some((e) => e.instancePath === top.instancePath && (e.keyword === 'type' || e.keyword === 'pattern' || e.keyword === 'const'));
    if (typeMismatch) continue;
    const score = Math.max(...list.map(depth));
    if (score > bestScore) {
      bestScore = score;
      best = list;
    }
  }
  const chosen = best ? reduceErrors(best) : [top];
  return [...reduceErrors(rest), ...chosen];
}

function issueFrom(e: ErrorObject, source: YamlSource, root: unknown): Issue {
  const path = pointerToPath(e.instancePath);
  const value = valueAt(root, path);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = parent && typeof parent.properties === 'object' ? Object.keys(parent.properties as object) : [];
      return { message: `unknown key "${key}"`, location: source.location([...path, key], { key: true }), allowed: known.join(', ') };
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return { message: `missing required key "${key}"`, location: source.location(path) };
    }
    case 'enum':
      return { message: 'value not allowed', location: source.location(path), value, allowed: ((e.params as { allowedValues: unknown[] }).allowedValues).map((x) => JSON.stringify(x)).join(', ') };
    case 'const':
      return { message: 'value not allowed', location: source.location(path), value, allowed: JSON.stringify((e.params as { allowedValue: unknown }).allowedValue) };
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const lo = parent?.minimum, hi = parent?.maximum;
      const allowed = lo !== undefined && hi !== undefined ? `${lo}..${hi}` : `${e.message}`;
      return { message: 'value out of range', location: source.location(path), value, allowed: describeSchema(parent) ? `${allowed} (${describeSchema(parent)})` : allowed };
    }
    case 'type':
      return { message: `wrong type: ${e.message}`, location: source.location(path), value, allowed: describeSchema(parent) ?? (e.params as { type: string }).type };
    case 'pattern':
      return { message: 'malformed value', location: source.location(path), value, allowed: describeSchema(parent) ?? `pattern ${(e.params as { pattern: string }).pattern}` };
    case 'anyOf': case 'oneOf':
      return { message: 'value does not match any allowed form', location: source.location(path), value, allowed: describeSchema(parent) ?? 'see `plateau schema`' };
    case 'discriminator':
      return { message: 'unknown or missing "type"', location: source.location([...path, 'type']), value: valueAt(root, [...path, 'type']), allowed: 'spike_train, poisson, background, current' };
    default:
      return { message: e.message ?? e.keyword, location: source.location(path), value };
  }
}

/** Which layer a document declares; an issue if it declares none or an unknown one. */
export function detectLayer(source: YamlSource, root: unknown): { layer?: Layer; issue?: Issue } {
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    return { issue: { message: 'a configuration file is a YAML mapping with a "layer" key', location: source.location([]), allowed: `layer: ${LAYERS.join(' | ')}` } };
  }
  const layer = (root as Record<string, unknown>).layer;
  if (typeof layer === 'string' && (LAYERS as readonly string[]).includes(layer)) return { layer: layer as Layer };
  return {
    issue: {
      message: layer === undefined ? 'missing "layer": which kind of configuration is this?' : 'unknown layer',
      location: layer === undefined ? source.location([]) : source.location(['layer']),
      value: layer, allowed: LAYERS.join(', '),
    },
  };
}

/** Validate against the layer's schema; returns every issue, deduplicated, in file order. */
export function schemaIssues(layer: Layer, source: YamlSource, root: unknown): Issue[] {
  const v = validator(layer);
  if (v(root)) return [];
  const errors = reduceErrors([...(v.errors ?? [])]);
  const issues = errors.map((e) => issueFrom(e, source, root));
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const i of issues) {
    const k = `${i.location.path}|${i.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(i);
  }
  out.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.column ?? 0) - (b.location.column ?? 0));
  return out;
}
