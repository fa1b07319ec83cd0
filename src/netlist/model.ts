/**
 * A small netlist model: plain data, written to SPICE text by `writer.ts`. Names are sanitised
 * there (ngspice lower-cases everything; no user string may break a line or smuggle a control
 * command). Numbers are SI values and are always written in exponent notation.
 */

/** A parameter value: a number, or an expression over subcircuit parameters, written in braces. */
export type ParamValue = number | { expr: string };

export interface Mosfet {
  kind: 'M';
  name: string;
  drain: string;
  gate: string;
  source: string;
  bulk: string;
  model: 'nmos' | 'pmos';
  /** Width and length in metres. */
  w: number;
  l: number;
  /** Threshold-voltage offset (ngspice BSIM4 instance parameter `delvto`), volts. */
  delvto?: ParamValue;
  m?: number;
}

export interface TwoTerminal {
  kind: 'R' | 'C' | 'V' | 'I';
  name: string;
  p: string;
  n: string;
  /** DC value, or a SPICE source function (PULSE/PWL), built by helpers in writer.ts. */
  value: ParamValue | SourceFunction;
}

export type SourceFunction =
  | { fn: 'pwl'; points: Array<[number, number]> }
  | { fn: 'pulse'; v1: number; v2: number; delay: number; rise: number; fall: number; width: number; period: number; count?: number }
  | { fn: 'dc'; value: number };

/** Voltage-controlled switch (ngspice `S`), used for digital switches driven by behavioural logic. */
export interface Switch {
  kind: 'S';
  name: string;
  p: string;
  n: string;
  cp: string;
  cn: string;
  model: string;
}

/** Behavioural source (ngspice `B`): `v=` or `i=` expression over node voltages. */
export interface Behavioural {
  kind: 'B';
  name: string;
  p: string;
  n: string;
  quantity: 'v' | 'i';
  expr: string;
}

/** Subcircuit instance. */
export interface Instance {
  kind: 'X';
  name: string;
  nodes: string[];
  subckt: string;
  params?: Record<string, ParamValue>;
}

/** Verbatim device line from the project's own code (never user text), e.g. an XSPICE A-device. */
export interface RawDevice {
  kind: 'raw';
  line: string;
}

export type Element = Mosfet | TwoTerminal | Switch | Behavioural | Instance | RawDevice;

export interface Subcircuit {
  name: string;
  ports: string[];
  /** Parameters with their defaults. */
  params: Record<string, number>;
  elements: Element[];
  /** A one-line description, written as a comment. */
  comment?: string;
}

export interface ModelCard {
  name: string;
  type: string; // 'nmos' | 'pmos' | 'sw' | ...
  params: Record<string, number>;
}

export type Analysis =
  | { kind: 'op' }
  | { kind: 'tran'; step: number; stop: number; start?: number; maxStep?: number; uic?: boolean }
  | { kind: 'dc'; source: string; start: number; stop: number; step: number };

export interface Netlist {
  title: string;
  /** Files to `.include` (absolute paths, written quoted). */
  includes: string[];
  models: ModelCard[];
  subcircuits: Subcircuit[];
  elements: Element[];
  /** Initial node voltages for the operating point (`.nodeset`) and initial conditions (`.ic`). */
  nodeset?: Record<string, number>;
  ic?: Record<string, number>;
  options?: Record<string, number | string | boolean>;
  analysis: Analysis;
  /** Vectors to save, as node names (`v(node)`) or device currents (`i(vsrc)`). */
  save: string[];
  /**
   * Where each generated line came from (filled by the writer): line number → description,
   * so that a parse error can be mapped back to the element that produced it.
   */
}
