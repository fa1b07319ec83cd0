import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulateChipFile } from '../../src/emulator/run.ts';
import { InputError } from '../../src/util/errors.ts';

describe('emulateChipFile (plateau emulate)', () => {
  it('emulates a chip-layer file on a die and writes the full result atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-emulate-'));
    const out = join(dir, 'result.json');
    const file = join(dir, 'chip.yaml');
    // A passive two-compartment configuration (thresholds off), raw codes.
    writeFileSync(file, [
      'layer: chip', 'version: 1', 'neurons:',
      '  - circuits: {row: 0, column: {from: 0, to: 1}}',
      '    leak: {v_leak: 400, i_bias: 200}',
      '    membrane_capacitance: {capacitance: 63}',
      '  - circuits: {row: 0, column: 0}',
      '    multicompartment: {connect_soma: true, connect_soma_right: true}',
      '  - circuits: {row: 0, column: 1}',
      '    multicompartment: {enable_conductance: true, i_bias_nmda: 300}',
      '',
    ].join('\n'));
    const s = emulateChipFile(file, { seed: 3 }, { duration: 20e-6, dt: 20e-9, seed: 1 }, out);
    // 20 µs in steps of 20 ns.
    expect(s.steps).toBe(1000);
    expect(s.simulatedSeconds).toBeCloseTo(20e-6, 15);
    const r = JSON.parse(readFileSync(out, 'utf8')) as { spikeTrains: number[][]; counters: { count: number[] } };
    expect(r.spikeTrains.length).toBe(512);
    expect(r.counters.count.length).toBe(512);
    expect(existsSync(`${out}.tmp-${process.pid}`)).toBe(false);
  });

  it('a file of another layer is a clear input error', () => {
    expect(() => emulateChipFile('examples/single-neuron.yaml', 'ideal', { duration: 1e-6, seed: 0 })).toThrow(InputError);
  });
});
