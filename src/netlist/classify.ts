/**
 * Turn ngspice's messages into a typed error. The patterns are ngspice 39's exact wording,
 * collected from real runs (research notes §1.8 and this project's tests); stderr also carries
 * harmless notes and warnings (gmin stepping, "No compatibility mode selected"), so an error is
 * recognised by pattern, never by stderr being non-empty.
 */
import {
  SpiceConvergenceError,
  SpiceError,
  SpiceMissingDefinitionError,
  SpiceParseError,
  type SpiceErrorDetails,
} from './errors.ts';
import { MARK_SIM_FAILED } from './writer.ts';

export interface RunTranscript {
  stdout: string;
  stderr: string;
  /** The deck text as given to ngspice. */
  deck: string;
  /** The writer's line map, when the deck came from a Netlist. */
  lineMap?: string[];
  details: SpiceErrorDetails;
}

/**
 * Find the deck line an error refers to. ngspice gives `Error on line N` for top-level lines
 * (N counts lines of the deck file as written; includes do not shift it) and `Error on line:`
 * with the expanded name (`b.x_u.b_1 ...`) for lines inside subcircuit instances.
 */
export function locateDeckLine(deck: string, lineNo: number | undefined, lineText: string | undefined): number | undefined {
  const lines = deck.split('\n');
  if (lineNo !== undefined && lineNo >= 1 && lineNo <= lines.length) return lineNo;
  if (lineText === undefined) return undefined;
  const first = lineText.trim().split(/\s+/)[0]?.toLowerCase();
  if (!first) return undefined;
  const parts = first.split('.');
  // Expanded subcircuit names: <letter>.<x_inst>.<x_inst>...<element>
  const element = parts[parts.length - 1];
  const instances = parts.length > 2 ? parts.slice(1, -1) : [];
  let subckt: string | undefined;
  if (instances.length > 0) {
    // The innermost instance's subcircuit is named on its own line (the last word not k=v).
    const inner = instances[instances.length - 1];
    const instLine = lines.find((l) => l.split(/\s+/)[0] === inner);
    if (instLine !== undefined) subckt = instLine.split(/\s+/).filter((w) => !w.includes('=')).pop();
  }
  let inside: string | undefined;
  for (let k = 0; k < lines.length; k++) {
    const words = lines[k].trim().split(/\s+/);
    if (words[0] === '.subckt') inside = words[1];
    else if (words[0] === '.ends') inside = undefined;
    else if (words[0] === element && (subckt === undefined ? inside === undefined : inside === subckt)) return k + 1;
  }
  return undefined;
}

function originOf(t: RunTranscript, line: number | undefined): string | undefined {
  if (line === undefined || t.lineMap === undefined) return undefined;
  return t.lineMap[line - 1];
}

/** Classify a finished run. Returns undefined when nothing in the messages says it failed. */
export function classifyMessages(t: RunTranscript): SpiceError | undefined {
  const all = `${t.stderr}\n${t.stdout}`.replace(/\r/g, '\n');
  const d = t.details;

  const include = /Could not find include file\s+(.+)/.exec(all);
  if (include) {
    const name = include[1].trim();
    const line = t.deck.split('\n').findIndex((l) => l.startsWith('.include') && l.includes(name));
    return new SpiceMissingDefinitionError(`ngspice: include file not found: ${name}`, 'include', name, originOf(t, line >= 0 ? line + 1 : undefined), d);
  }

  const errLine = /Error on line(?: (\d+))?(?: or its substitute)?:\s*\n\s*(.*)\n(.*)/.exec(all);
  const where = errLine ? locateDeckLine(t.deck, errLine[1] ? Number(errLine[1]) : undefined, errLine[2]) : undefined;

  const model = /can't find model '([^']+)'/.exec(all) ?? /Unable to find definition of model (\S+)/.exec(all);
  if (model) {
    const origin = originOf(t, where);
    return new SpiceMissingDefinitionError(`ngspice: model "${model[1]}" is not defined${origin ? ` (used by ${origin})` : ''}`, 'model', model[1], origin, d);
  }
  const subckt = /unknown subckt:\s*(.*)/.exec(all);
  if (subckt) {
    const words = subckt[1].trim().split(/\s+/);
    const name = words.filter((w) => !w.includes('=')).pop() ?? '';
    const inst = words[0];
    const line = locateDeckLine(t.deck, undefined, inst);
    const origin = originOf(t, line);
    return new SpiceMissingDefinitionError(`ngspice: subcircuit "${name}" is not defined${origin ? ` (used by ${origin})` : ''}`, 'subcircuit', name, origin, d);
  }
  const param = /Undefined parameter \[([^\]]+)\]/.exec(all);
  if (param) {
    return new SpiceMissingDefinitionError(`ngspice: parameter "${param[1]}" is not defined`, 'parameter', param[1], undefined, d);
  }
  if (errLine) {
    const origin = originOf(t, where);
    const reason = errLine[3].trim();
    return new SpiceParseError(
      `ngspice rejected ${origin ?? `deck line ${where ?? '?'}`}: ${reason}: ${errLine[2].trim()}`,
      where,
      errLine[2].trim(),
      origin,
      d,
    );
  }
  const fatalDevice = /Fatal error:\s*(.*)/.exec(all);
  if (fatalDevice) return new SpiceError(`ngspice: ${fatalDevice[1].trim()}`, d);
  const tooSmall = /Timestep too small[^\n]*?(?:trouble with (?:node\s+)?"?([^"\s]+)"?)?\s*$/m.exec(all);
  const failedMarker = all.includes(MARK_SIM_FAILED) || /simulation\(s\) aborted/.test(all);
  if (tooSmall || failedMarker || /Transient op failed/.test(all)) {
    const node = tooSmall?.[1] ?? /singular matrix:\s+check node (\S+)/.exec(all)?.[1];
    const msg = tooSmall ? `time step too small${node ? ` (trouble with ${node})` : ''}` : 'analysis failed';
    return new SpiceConvergenceError(`ngspice: ${msg}`, node, d);
  }
  const fatal = /ERROR: fatal error in ngspice|Simulation interrupted due to error/.exec(all);
  if (fatal) {
    const first = /^(?:Error|ERROR)[: ](.*)$/m.exec(all)?.[1] ?? fatal[0];
    return new SpiceParseError(`ngspice: ${first.trim()}`, undefined, undefined, undefined, d);
  }
  return undefined;
}
