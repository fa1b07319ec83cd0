import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRaw } from '../../src/netlist/raw.ts';
import { RawFileError } from '../../src/netlist/errors.ts';

const fx = (name: string) => readFileSync(new URL(`../fixtures/spice/${name}`, import.meta.url));
const TAU = 1e3 * 1e-9; // R = 1 kΩ, C = 1 nF in rc.cir

describe('raw reader on ngspice 39 files', () => {
  it('binary and ASCII transient plots agree with each other and with the RC step response', () => {
    const [b] = parseRaw(fx('rc_tran_bin.raw'));
    const [a] = parseRaw(fx('rc_tran_ascii.raw'));
    expect(b.plotname).toBe('Transient Analysis');
    expect(b.variables.map((v) => v.name)).toEqual(['time', 'v(in)', 'v(out)']);
    expect(b.points).toBe(68);
    expect(a.points).toBe(b.points);
    for (let v = 0; v < 3; v++) {
      for (let p = 0; p < b.points; p++) {
        // ASCII holds 16 significant digits (%.15e): relative 1e-15 plus an absolute floor.
        expect(Math.abs(a.real[v][p] - b.real[v][p])).toBeLessThanOrEqual(1e-15 * Math.abs(b.real[v][p]) + 1e-300);
      }
    }
    // Analytic: after the 1 ns ramp, v(out) = 1 - exp(-(t - 0.5 ns)/tau) to within the
    // trapezoidal integration error ngspice allows at default reltol (1e-3).
    const t = b.real[0];
    const out = b.real[2];
    for (let p = 0; p < b.points; p++) {
      if (t[p] < 1e-7) continue;
      expect(Math.abs(out[p] - (1 - Math.exp(-(t[p] - 0.5e-9) / TAU)))).toBeLessThan(2e-3);
    }
  });

  it('complex AC plots: magnitude matches |H| = 1/sqrt(1+(w tau)^2)', () => {
    for (const file of ['rc_ac_bin.raw', 'rc_ac_ascii.raw']) {
      const [p] = parseRaw(fx(file));
      expect(p.complex).toBe(true);
      expect(p.variables[0]).toEqual({ name: 'frequency', type: 'frequency' });
      const im = p.imag as Float64Array[];
      for (let k = 0; k < p.points; k++) {
        const w = 2 * Math.PI * p.real[0][k];
        const mag = Math.hypot(p.real[1][k], im[1][k]);
        // Small-signal AC of a linear RC is exact up to round-off.
        expect(mag).toBeCloseTo(1 / Math.sqrt(1 + (w * TAU) ** 2), 10);
      }
    }
  });

  it('several plots in one file (DC, OP, TRAN from a -r batch run)', () => {
    const plots = parseRaw(fx('multi_bin.raw'));
    expect(plots.map((p) => p.plotname)).toEqual(['DC transfer characteristic', 'Operating Point', 'Transient Analysis']);
    expect(plots.map((p) => p.points)).toEqual([5, 1, 68]);
    // divider 1k/1k: v(out) = v1/2 at DC and at the operating point (v1 = 1 V)
    const dc = plots[0];
    const outIdx = dc.variables.findIndex((v) => v.name === 'v(out)');
    for (let k = 0; k < dc.points; k++) expect(dc.real[outIdx][k]).toBeCloseTo(dc.real[0][k] / 2, 12);
    const op = plots[1];
    expect(op.real[op.variables.findIndex((v) => v.name === 'v(out)')][0]).toBeCloseTo(0.5, 12);
  });

  it('truncated files and killed runs raise RawFileError', () => {
    const bin = fx('rc_tran_bin.raw');
    expect(() => parseRaw(bin.subarray(0, bin.length - 5))).toThrow(RawFileError);
    expect(() => parseRaw(bin.subarray(0, 100))).toThrow(/header/);
    const asc = fx('rc_tran_ascii.raw');
    expect(() => parseRaw(asc.subarray(0, asc.length - 300))).toThrow(/truncated/);
    const multi = fx('multi_bin.raw');
    expect(() => parseRaw(multi.subarray(0, multi.length - 8))).toThrow(/Transient Analysis/);
    // ngspice -r killed with SIGKILL: header says 0 points while data follow
    expect(() => parseRaw(fx('killed_head.raw'))).toThrow(/unfinished run/);
    expect(() => parseRaw(new Uint8Array(0))).toThrow(RawFileError);
  });

  it('a live ngspice -r run killed mid-analysis leaves a file the reader refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-raw-'));
    try {
      writeFileSync(join(dir, 'long.cir'), readFileSync(new URL('../fixtures/spice/long.cir', import.meta.url)));
      const raw = join(dir, 'killed.raw');
      const child = spawn('ngspice', ['-b', '-r', 'killed.raw', 'long.cir'], { cwd: dir, stdio: 'ignore', env: { ...process.env, OMP_NUM_THREADS: '1' } });
      const closed = new Promise((r) => child.on('close', r));
      // wait until ngspice has flushed some data points, then kill it
      const t0 = Date.now();
      while (!(existsSync(raw) && statSync(raw).size > 2000) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      await closed;
      expect(statSync(raw).size).toBeGreaterThan(2000);
      expect(() => parseRaw(readFileSync(raw))).toThrow(RawFileError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
