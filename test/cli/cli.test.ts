/**
 * The CLI as a user runs it: exit codes, JSON output and error messages of the foundation
 * commands (each case spawns `bin/run.js`, as `npx plateau` does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';

function plateau(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/run.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('plateau CLI', () => {
  it('chip info --json reports the chip\'s resources', () => {
    const r = plateau('chip', 'info', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // Counts of the HICANN-X organisation (docs/chip-model.md).
    expect(j).toMatchObject({ neuronCircuits: 512, synapses: 131072, synapseDrivers: 256, quadrants: 4, capmemCellsPerCircuit: 24 });
  });

  it('schema prints a JSON Schema that ajv compiles, for each layer', () => {
    for (const layer of ['chip', 'calibration', 'experiment']) {
      const r = plateau('schema', layer);
      expect(r.code).toBe(0);
      const schema = JSON.parse(r.stdout);
      expect(schema.$id).toContain(layer);
      const ajv = new Ajv({ strict: false, discriminator: true });
      expect(() => ajv.compile(schema)).not.toThrow();
    }
  });

  it('validate accepts every bundled example', () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.yaml')).map((f) => join('examples', f));
    const r = plateau('validate', ...files);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ok')).length).toBe(files.length);
  });

  it('validate rejects a broken file with exit code 2, naming file:line:column and path', () => {
    const r = plateau('validate', 'test/fixtures/broken/unknown-key.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('test/fixtures/broken/unknown-key.yaml:6:7 neurons[0].leak.v_leek: unknown key "v_leek"');
  });

  it('an unknown command prints usage and exits 2', () => {
    const r = plateau('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    expect(r.stderr).toMatch(/Commands:/);
  });

  it('an unknown flag exits 2', () => {
    const r = plateau('chip', 'info', '--frob');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/frob/);
  });

  it('netlist writes nothing when the input is bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-cli-'));
    const out = join(dir, 'deck.cir');
    const r = plateau('netlist', 'test/fixtures/broken/wrong-unit.yaml', '-o', out);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});
