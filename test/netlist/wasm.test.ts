// The WASM backend (eecircuit-engine 1.8) against the CLI (ngspice 39) on the same netlist.
// The engine starts once for this file (~1.2 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpice, getVector } from '../../src/netlist/runner.ts';
import { closeWasmEngine, warmWasmEngine } from '../../src/netlist/runner-wasm.ts';
import { interpolate, uniformGrid } from '../../src/analysis/index.ts';
import { SpiceMissingDefinitionError, SpiceParseError, SpiceTimeoutError } from '../../src/netlist/errors.ts';
import type { Netlist } from '../../src/netlist/model.ts';

/** CMOS inverter driving an RC load from a slow ramp: MOS models (inlined card), R, C, PWL. */
const deck: Netlist = {
  title: 'inverter into rc',
  includes: [],
  models: [],
  subcircuits: [],
  elements: [
    { kind: 'V', name: 'dd', p: 'vdd', n: '0', value: 1.2 },
    { kind: 'V', name: 'in', p: 'in', n: '0', value: { fn: 'pwl', points: [[0, 0], [1e-6, 0], [3e-6, 1.2], [5e-6, 1.2], [7e-6, 0]] } },
    { kind: 'M', name: 'p', drain: 'x', gate: 'in', source: 'vdd', bulk: 'vdd', model: 'pmos', w: 1e-6, l: 0.2e-6 },
    { kind: 'M', name: 'n', drain: 'x', gate: 'in', source: '0', bulk: '0', model: 'nmos', w: 0.5e-6, l: 0.2e-6 },
    { kind: 'R', name: 'l', p: 'x', n: 'out', value: 1e5 },
    { kind: 'C', name: 'l', p: 'out', n: '0', value: 5e-12 },
  ],
  analysis: { kind: 'tran', step: 1e-8, stop: 10e-6, maxStep: 2e-8 },
  save: ['v(x)', 'v(out)'],
};

beforeAll(async () => {
  await warmWasmEngine();
});
afterAll(async () => {
  await closeWasmEngine();
});

describe('WASM backend', () => {
  it('gives the same waveforms as the CLI', async () => {
    const cli = await runSpice(deck, { backend: 'cli' });
    const wasm = await runSpice(deck, { backend: 'wasm' });
    expect(wasm.backend).toBe('wasm');
    expect(wasm.plots[0].name).toBe('Transient Analysis');
    const grid = uniformGrid(0, 10e-6, 5e-9);
    for (const name of ['v(x)', 'v(out)']) {
      const a = interpolate(getVector(cli, 'time'), getVector(cli, name), grid);
      const b = interpolate(getVector(wasm, 'time'), getVector(wasm, name), grid);
      let worst = 0;
      for (let k = 0; k < grid.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
      // Same ngspice core and deck: measured 2e-15 V (identical time steps). 1 µV leaves room
      // for a different libm in the WASM build while still catching any model or deck
      // difference (the inlined card, a lost parameter), which would show at the mV level.
      expect(worst, name).toBeLessThan(1e-6);
    }
    // sanity: the inverter output is high before the ramp, low at the plateau
    const x = getVector(cli, 'v(x)');
    expect(x[0]).toBeGreaterThan(1.19);
  });

  it('classifies errors like the CLI', async () => {
    const bad: Netlist = { ...deck, elements: [...deck.elements, { kind: 'X', name: 'u', nodes: ['out'], subckt: 'nosub' }] };
    await expect(runSpice(bad, { backend: 'wasm' })).rejects.toBeInstanceOf(SpiceMissingDefinitionError);
    await expect(runSpice('x\n.control\nrun\n.endc\n.end\n', { backend: 'wasm' })).rejects.toBeInstanceOf(SpiceParseError);
    // The engine has no XSPICE code models (the CLI does): an A-device is a parse error there.
    const xspice = 'x\nv1 in 0 dc 1\nr1 out 0 1e3\na1 in out lim\n.model lim limit(gain=2)\n.tran 1e-8 1e-6\n.end\n';
    await expect(runSpice(xspice, { backend: 'wasm' })).rejects.toThrow(/unknown device type/);
    // the engine is still usable afterwards, and returns fresh data (not the previous run's)
    const ok = await runSpice(deck, { backend: 'wasm' });
    expect(getVector(ok, 'v(out)').length).toBeGreaterThan(10);
  });

  it('a timeout stops the engine; the next run starts a new one', async () => {
    const slow = 'slow\nv1 in 0 dc 1 sin(0 1 1e6)\nr1 in out 1e3\nc1 out 0 1e-9\n.tran 1e-9 1 0 1e-9\n.end\n';
    await expect(runSpice(slow, { backend: 'wasm', timeoutSeconds: 0.5 })).rejects.toBeInstanceOf(SpiceTimeoutError);
    const ok = await runSpice(deck, { backend: 'wasm' });
    expect(ok.plots[0].points).toBeGreaterThan(10);
  });
});
