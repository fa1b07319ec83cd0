/**
 * Reader for SPICE raw files as ngspice 39 writes them (src/frontend/rawfile.c; format notes in
 * docs/spice.md): one or more plots back to back, each a text header (`Title:`, `Date:`,
 * `Plotname:`, `Flags:`, `No. Variables:`, `No. Points:`, optional `Dimensions:`/`Command:`/
 * `Option:` lines, `Variables:` and one line per variable), then `Binary:` with little-endian
 * float64 values point-major (two per value in complex plots), or `Values:` with one value per
 * line (`re,im` when complex) after each point's index.
 *
 * A file that ends early, or whose header says `No. Points: 0` while data follow (what a killed
 * `-r` run leaves), raises RawFileError: a half run must never look like a short one.
 */
import { RawFileError } from './errors.ts';

export interface RawVariable {
  name: string;
  /** `time`, `voltage`, `current`, `frequency`, ... as written in the file. */
  type: string;
}

export interface RawPlot {
  title: string;
  date: string;
  plotname: string;
  complex: boolean;
  variables: RawVariable[];
  points: number;
  /** Real parts (or values), one array per variable, in file order; index 0 is the scale. */
  real: Float64Array[];
  /** Imaginary parts (complex plots only). ngspice leaves the scale's imaginary part undefined. */
  imag: Float64Array[] | undefined;
}

const HEADER_END = [Buffer.from('Binary:\n', 'latin1'), Buffer.from('Values:\n', 'latin1')];

function findMarker(buf: Buffer, from: number): { at: number; binary: boolean } | undefined {
  // The marker must start a line: search for "\n" + marker.
  let best: { at: number; binary: boolean } | undefined;
  HEADER_END.forEach((m, k) => {
    let at = buf.indexOf(m, from);
    while (at > from && buf[at - 1] !== 0x0a) at = buf.indexOf(m, at + 1);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, binary: k === 0 };
  });
  return best;
}

interface Header {
  title: string;
  date: string;
  plotname: string;
  complex: boolean;
  nvars: number;
  npoints: number;
  variables: RawVariable[];
}

function parseHeader(text: string, offset: number): Header {
  const lines = text.split('\n');
  const fields = new Map<string, string>();
  let k = 0;
  for (; k < lines.length; k++) {
    const line = lines[k];
    if (/^Variables:\s*$/.test(line)) break;
    const m = /^([^:]+):\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1].trim().toLowerCase(), m[2]);
  }
  if (!fields.has('title') || !fields.has('plotname') || !fields.has('no. variables')) {
    throw new RawFileError('not a SPICE raw file header (missing Title, Plotname or No. Variables)', offset);
  }
  const nvars = Number(fields.get('no. variables'));
  const pointsText = fields.get('no. points') ?? '';
  if (pointsText === '') throw new RawFileError('raw file header has a blank No. Points: the run was killed before it finished', offset);
  const npoints = Number(pointsText);
  if (!Number.isInteger(nvars) || nvars < 1 || !Number.isInteger(npoints) || npoints < 0) {
    throw new RawFileError(`bad counts in raw file header (variables ${fields.get('no. variables')}, points ${pointsText})`, offset);
  }
  const flags = (fields.get('flags') ?? 'real').toLowerCase().split(/\s+/);
  const variables: RawVariable[] = [];
  for (let v = 0; v < nvars; v++) {
    const line = lines[k + 1 + v];
    if (line === undefined) throw new RawFileError(`raw file header lists fewer than ${nvars} variables`, offset);
    const tok = line.trim().split(/\s+/);
    if (tok.length < 3 || Number(tok[0]) !== v) throw new RawFileError(`bad variable line ${JSON.stringify(line)}`, offset);
    variables.push({ name: tok[1], type: tok[2] });
  }
  return {
    title: fields.get('title') ?? '',
    date: fields.get('date') ?? '',
    plotname: fields.get('plotname') ?? '',
    complex: flags.includes('complex'),
    nvars,
    npoints,
    variables,
  };
}

/** Parse every plot of a raw file. */
export function parseRaw(data: Uint8Array): RawPlot[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const plots: RawPlot[] = [];
  let pos = 0;
  while (pos < buf.length) {
    // Tolerate blank lines between ASCII plots.
    while (pos < buf.length && (buf[pos] === 0x0a || buf[pos] === 0x0d || buf[pos] === 0x20)) pos++;
    if (pos >= buf.length) break;
    const marker = findMarker(buf, pos);
    if (marker === undefined) throw new RawFileError('raw file ends inside a plot header (truncated)', pos);
    const header = parseHeader(buf.toString('latin1', pos, marker.at), pos);
    const dataStart = marker.at + HEADER_END[marker.binary ? 0 : 1].length;
    const parsed = marker.binary ? readBinary(buf, dataStart, header) : readAscii(buf, dataStart, header);
    plots.push(parsed.plot);
    pos = parsed.end;
  }
  if (plots.length === 0) throw new RawFileError('raw file is empty', 0);
  return plots;
}

function emptyArrays(h: Header): { real: Float64Array[]; imag: Float64Array[] | undefined } {
  const real = h.variables.map(() => new Float64Array(h.npoints));
  const imag = h.complex ? h.variables.map(() => new Float64Array(h.npoints)) : undefined;
  return { real, imag };
}

function plotOf(h: Header, real: Float64Array[], imag: Float64Array[] | undefined): RawPlot {
  return { title: h.title, date: h.date, plotname: h.plotname, complex: h.complex, variables: h.variables, points: h.npoints, real, imag };
}

function readBinary(buf: Buffer, start: number, h: Header): { plot: RawPlot; end: number } {
  const per = h.complex ? 2 : 1;
  const stride = h.nvars * per * 8;
  const bytes = h.npoints * stride;
  const end = start + bytes;
  if (end > buf.length) {
    const have = Math.floor((buf.length - start) / stride);
    throw new RawFileError(`raw file truncated: plot "${h.plotname}" needs ${h.npoints} points, the file holds ${have}`, buf.length);
  }
  if (h.npoints === 0 && end < buf.length && buf.toString('latin1', end, end + 6) !== 'Title:') {
    throw new RawFileError(`raw file of an unfinished run: No. Points is 0 but ${buf.length - end} bytes of data follow`, end);
  }
  const { real, imag } = emptyArrays(h);
  // DataView: the data offset is rarely 8-byte aligned, and the file is little-endian whatever
  // the host is.
  const view = new DataView(buf.buffer, buf.byteOffset + start, bytes);
  let o = 0;
  for (let p = 0; p < h.npoints; p++) {
    for (let v = 0; v < h.nvars; v++) {
      real[v][p] = view.getFloat64(o, true);
      o += 8;
      if (imag) {
        imag[v][p] = view.getFloat64(o, true);
        o += 8;
      }
    }
  }
  return { plot: plotOf(h, real, imag), end };
}

function readAscii(buf: Buffer, start: number, h: Header): { plot: RawPlot; end: number } {
  const { real, imag } = emptyArrays(h);
  let pos = start;
  // Read one whitespace-delimited token; returns undefined at end of file.
  const next = (): string | undefined => {
    while (pos < buf.length && (buf[pos] === 0x20 || buf[pos] === 0x09 || buf[pos] === 0x0a || buf[pos] === 0x0d)) pos++;
    if (pos >= buf.length) return undefined;
    const s = pos;
    while (pos < buf.length && buf[pos] !== 0x20 && buf[pos] !== 0x09 && buf[pos] !== 0x0a && buf[pos] !== 0x0d) pos++;
    return buf.toString('latin1', s, pos);
  };
  const truncated = (p: number): never => {
    throw new RawFileError(`raw file truncated: plot "${h.plotname}" needs ${h.npoints} points, the file ends in point ${p}`, pos);
  };
  for (let p = 0; p < h.npoints; p++) {
    const index = next();
    if (index === undefined) truncated(p);
    if (Number(index) !== p) throw new RawFileError(`ASCII raw file: expected point index ${p}, found ${JSON.stringify(index)}`, pos);
    for (let v = 0; v < h.nvars; v++) {
      const tok = next();
      if (tok === undefined) truncated(p);
      const tv = tok as string;
      if (imag) {
        const c = tv.indexOf(',');
        if (c < 0) throw new RawFileError(`ASCII raw file: complex value without a comma: ${JSON.stringify(tv)}`, pos);
        real[v][p] = Number(tv.slice(0, c));
        imag[v][p] = Number(tv.slice(c + 1));
      } else {
        real[v][p] = Number(tv);
      }
      if (Number.isNaN(real[v][p])) throw new RawFileError(`ASCII raw file: not a number: ${JSON.stringify(tv)}`, pos);
    }
  }
  const rest = buf.toString('latin1', pos, Math.min(buf.length, pos + 64)).trimStart();
  if (rest !== '' && !rest.startsWith('Title:')) {
    throw new RawFileError(`ASCII raw file: unexpected data after ${h.npoints} points (unfinished run?)`, pos);
  }
  return { plot: plotOf(h, real, imag), end: pos };
}
