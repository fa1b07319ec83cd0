// Every error class is produced here by a real ngspice 39 run (the CLI backend).
import { describe, expect, it } from 'vitest';
import { runSpice, getVector } from '../../src/netlist/runner.ts';
import { runSpiceMany } from '../../src/netlist/pool.ts';
import {
  SpiceConvergenceError,
  SpiceMissingDefinitionError,
  SpiceNotFoundError,
  SpiceOutputError,
  SpiceParseError,
  SpiceTimeoutError,
} from '../../src/netlist/errors.ts';
import type { Element, Netlist } from '../../src/netlist/model.ts';

const TAU = 1e3 * 1e-9;

function rc(extra: Element[] = [], over: Partial<Netlist> = {}): Netlist {
  return {
    title: 'rc',
    includes: [],
    models: [],
    subcircuits: [],
    elements: [
      { kind: 'V', name: 'in', p: 'in', n: '0', value: { fn: 'pulse', v1: 0, v2: 1, delay: 0, rise: 1e-9, fall: 1e-9, width: 1, period: 2 } },
      { kind: 'R', name: '1', p: 'in', n: 'out', value: 1e3 },
      { kind: 'C', name: '1', p: 'out', n: '0', value: 1e-9 },
      ...extra,
    ],
    analysis: { kind: 'tran', step: 1e-8, stop: 5e-6, maxStep: 1e-8 },
    save: ['v(out)', 'i(in)'],
    ...over,
  };
}

/** A run that takes minutes: 1 s of transient at a forced 1 ns step. */
const SLOW = 'slow\nv1 in 0 dc 1 sin(0 1 1e6)\nr1 in out 1e3\nc1 out 0 1e-9\n.tran 1e-9 1 0 1e-9\n.end\n';

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the run to fail');
}

describe('CLI runner', () => {
  it('runs a netlist and returns the saved vectors; the RC step matches 1 - exp(-t/tau)', async () => {
    const r = await runSpice(rc(), { backend: 'cli' });
    expect(r.backend).toBe('cli');
    expect(r.plots).toHaveLength(1);
    expect(r.plots[0].scale).toBe('time');
    const t = getVector(r, 'time');
    const v = getVector(r, 'v(out)');
    const i = getVector(r, 'i(in)');
    for (let k = 0; k < t.length; k += 25) {
      if (t[k] < 1e-7) continue;
      // the 1 ns ramp delays the response by 0.5 ns; trapezoidal error at reltol 1e-3
      expect(Math.abs(v[k] - (1 - Math.exp(-(t[k] - 0.5e-9) / TAU)))).toBeLessThan(2e-3);
      // source current = -(1 - v)/R (SPICE: current into the + terminal)
      expect(i[k]).toBeCloseTo(-(1 - v[k]) / 1e3, 9);
    }
    expect(r.wallSeconds).toBeGreaterThan(0);
  });

  it('deck text without .control runs with -r', async () => {
    const r = await runSpice('plain\nv1 a 0 dc 2\nr1 a b 1e3\nr2 b 0 3e3\n.op\n.end\n', { backend: 'cli' });
    // divider: 2 V * 3/4
    expect(r.plots[0].scale).toBeUndefined();
    expect(getVector(r, 'v(b)')[0]).toBeCloseTo(1.5, 12);
  });

  it('parse error: mapped back to the element (top level and inside a subcircuit)', async () => {
    const bad: Element = { kind: 'B', name: 'bad', p: 'out', n: '0', quantity: 'i', expr: 'v(out) +* 2' };
    const e = await failure(runSpice(rc([bad]), { backend: 'cli' }));
    expect(e).toBeInstanceOf(SpiceParseError);
    expect((e as SpiceParseError).origin).toBe('element B "bad"');
    const sub = rc([{ kind: 'X', name: 'u', nodes: ['out'], subckt: 's' }], {
      subcircuits: [{ name: 's', ports: ['a'], params: {}, elements: [{ kind: 'R', name: 'ok', p: 'a', n: '0', value: 1e6 }, { ...bad, p: 'a' }] }],
    });
    const e2 = await failure(runSpice(sub, { backend: 'cli' }));
    expect(e2).toBeInstanceOf(SpiceParseError);
    expect((e2 as SpiceParseError).origin).toBe('subcircuit "s" element B "bad"');
  });

  it('missing model, subcircuit, parameter and include', async () => {
    const m = await failure(runSpice(rc([{ kind: 'S', name: 'sw', p: 'out', n: '0', cp: 'in', cn: '0', model: 'nosuch' }]), { backend: 'cli' }));
    expect(m).toBeInstanceOf(SpiceMissingDefinitionError);
    expect((m as SpiceMissingDefinitionError).what).toBe('model');
    expect((m as SpiceMissingDefinitionError).missingName).toBe('nosuch');
    expect((m as SpiceMissingDefinitionError).origin).toBe('element S "sw"');
    const s = await failure(runSpice(rc([{ kind: 'X', name: 'u', nodes: ['out'], subckt: 'nosub' }]), { backend: 'cli' }));
    expect(s).toBeInstanceOf(SpiceMissingDefinitionError);
    expect((s as SpiceMissingDefinitionError).what).toBe('subcircuit');
    expect((s as SpiceMissingDefinitionError).origin).toBe('element X "u"');
    const p = await failure(runSpice(rc([{ kind: 'R', name: 'p', p: 'out', n: '0', value: { expr: 'rbogus*2' } }]), { backend: 'cli' }));
    expect(p).toBeInstanceOf(SpiceMissingDefinitionError);
    expect((p as SpiceMissingDefinitionError).missingName).toBe('rbogus');
    const inc = await failure(runSpice(rc([], { includes: ['/nonexistent/plateau/models.lib'] }), { backend: 'cli' }));
    expect(inc).toBeInstanceOf(SpiceMissingDefinitionError);
    expect((inc as SpiceMissingDefinitionError).what).toBe('include');
    expect((inc as SpiceMissingDefinitionError).origin).toBe('include 0');
  });

  it('convergence failure (two ideal sources in parallel) although ngspice itself would exit 0', async () => {
    const e = await failure(runSpice(rc([{ kind: 'V', name: 'a', p: 'out', n: '0', value: 1 }, { kind: 'V', name: 'b', p: 'out', n: '0', value: 2 }]), { backend: 'cli' }));
    expect(e).toBeInstanceOf(SpiceConvergenceError);
    expect(e.message).toMatch(/time step too small/);
  });

  it('timeout kills the process group', async () => {
    const t0 = performance.now();
    const e = await failure(runSpice(SLOW, { backend: 'cli', timeoutSeconds: 0.5 }));
    expect(e).toBeInstanceOf(SpiceTimeoutError);
    // killed at 0.5 s; generous bound for a loaded 2-core machine
    expect((performance.now() - t0) / 1000).toBeLessThan(10);
  });

  it('a run killed from outside gives SpiceOutputError with the signal', async () => {
    const e = await failure(runSpice(SLOW, { backend: 'cli', onStart: (pid) => setTimeout(() => process.kill(pid, 'SIGKILL'), 200) }));
    expect(e).toBeInstanceOf(SpiceOutputError);
    expect((e as SpiceOutputError).signal).toBe('SIGKILL');
  });

  it('an aborted run gives SpiceOutputError', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const e = await failure(runSpice(SLOW, { backend: 'cli', signal: ac.signal }));
    expect(e).toBeInstanceOf(SpiceOutputError);
  });

  it('ngspice missing', async () => {
    const e = await failure(runSpice(rc(), { backend: 'cli', ngspicePath: '/nonexistent/bin/ngspice' }));
    expect(e).toBeInstanceOf(SpiceNotFoundError);
  });
});

describe('runSpiceMany', () => {
  it('keeps input order, reports progress, and isolates failures', async () => {
    const decks: Array<Netlist | string> = [1e3, 2e3, 4e3].map((r) => {
      const n = rc();
      n.elements[1] = { kind: 'R', name: '1', p: 'in', n: 'out', value: r };
      return n;
    });
    decks.splice(1, 0, rc([{ kind: 'X', name: 'u', nodes: ['out'], subckt: 'nosub' }]));
    const seen: number[] = [];
    const out = await runSpiceMany(decks, { jobs: 2, backend: 'cli', onProgress: (done, total) => { seen.push(done); expect(total).toBe(4); } });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(out.map((o) => o.ok)).toEqual([true, false, true, true]);
    // v(out) at t = 1 us for tau = R*1nF: 1 - exp(-1us/tau), in input order
    const at1us = (k: number) => {
      const o = out[k];
      if (!o.ok) throw o.error;
      const t = getVector(o.result, 'time');
      const v = getVector(o.result, 'v(out)');
      const j = t.findIndex((x) => x >= 1e-6);
      return { t: t[j], v: v[j] };
    };
    [[0, 1e3], [2, 2e3], [3, 4e3]].forEach(([k, r]) => {
      const { t, v } = at1us(k);
      expect(Math.abs(v - (1 - Math.exp(-(t - 0.5e-9) / (r * 1e-9))))).toBeLessThan(2e-3);
    });
  });
});
