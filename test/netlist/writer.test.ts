import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNetlist, MODEL_CARD_PATH } from '../../src/netlist/writer.ts';
import { formatNumber, safeIdent, safeText } from '../../src/netlist/sanitize.ts';
import { translateExpr } from '../../src/netlist/expr.ts';
import { InputError } from '../../src/util/errors.ts';
import type { Netlist } from '../../src/netlist/model.ts';

function rc(extra: Partial<Netlist> = {}): Netlist {
  return {
    title: 'rc',
    includes: [],
    models: [],
    subcircuits: [],
    elements: [
      { kind: 'V', name: 'in', p: 'in', n: '0', value: 1 },
      { kind: 'R', name: '1', p: 'in', n: 'out', value: 1e3 },
      { kind: 'C', name: '1', p: 'out', n: '0', value: 1e-9 },
    ],
    analysis: { kind: 'tran', step: 1e-8, stop: 5e-6 },
    save: ['v(out)'],
    ...extra,
  };
}

describe('numbers', () => {
  it('are exponent notation that round-trips exactly', () => {
    // toExponential() without digits is the shortest round-trip form (ECMA-262 Number::toString).
    for (const x of [1.5e-12, 1, -0.1, 1 / 3, 6.02214076e23, 5e-324, 1.7976931348623157e308, 0]) {
      const s = formatNumber(x);
      expect(s).toMatch(/^-?\d(\.\d+)?e[+-]\d+$/);
      expect(Number(s)).toBe(x === 0 ? 0 : x);
    }
    expect(formatNumber(1.5e-12)).toBe('1.5e-12');
    expect(() => formatNumber(Number.NaN)).toThrow(InputError);
    expect(() => formatNumber(Infinity)).toThrow(InputError);
  });
});

describe('identifiers', () => {
  it('keep clean names and hash everything else into [a-z0-9_]', () => {
    expect(safeIdent('vmem', 'node')).toBe('vmem');
    expect(safeIdent('0', 'node')).toBe('0');
    expect(safeIdent('GND', 'node')).toBe('0');
    const hostile = ['A', 'a.b', 'x\n.control', 'q"x', 'k{1}', 'x*y', 'a;b', 'é', '', ' ', 'pi', 'exp'];
    const seen = new Set<string>();
    for (const h of hostile) {
      const s = safeIdent(h, 'param');
      expect(s).toMatch(/^[a-z_][a-z0-9_]*$/);
      seen.add(s);
    }
    expect(seen.size).toBe(hostile.length); // injective on these inputs
    // 'A' and 'a' are different names in the model although ngspice folds case.
    expect(safeIdent('A', 'node')).not.toBe(safeIdent('a', 'node'));
    // a user name that looks like a hashed name is hashed itself, so it cannot collide
    const h = safeIdent('A', 'node');
    expect(safeIdent(h, 'node')).not.toBe(h);
  });

  it('titles and comments keep no deck syntax', () => {
    expect(safeText('x\n.control\nshell rm -rf /\n.endc;$ {a}')).not.toMatch(/[\n.;${}*'"]/);
  });

  it('expressions are re-tokenised and foreign characters rejected', () => {
    expect(translateExpr('2*Ib + pi', 'e')).toBe(`2e+0*${safeIdent('Ib', 'param')}+pi`);
    expect(translateExpr('v(a, b) * 1e-3', 'e')).toBe('v(a,b)*1e-3');
    expect(translateExpr('agauss(0, 5e-3, 1)', 'e')).toBe('agauss(0e+0,5e-3,1e+0)');
    expect(() => translateExpr('1k', 'e')).toThrow(InputError);
    expect(() => translateExpr('a}\n.control', 'e')).toThrow(InputError);
    expect(() => translateExpr("'a'", 'e')).toThrow(InputError);
    expect(() => translateExpr('system(1)', 'e')).toThrow(InputError);
  });
});

describe('writeNetlist', () => {
  it('is deterministic and maps lines back to elements', () => {
    const a = writeNetlist(rc());
    const b = writeNetlist(rc());
    expect(a.text).toBe(b.text);
    const lines = a.text.split('\n');
    expect(a.lineMap.length).toBe(lines.length - 1); // text ends in a newline
    const k = lines.findIndex((l) => l.startsWith('r_1 '));
    expect(a.lineMap[k]).toBe('element R "1"');
    expect(lines[k]).toBe('r_1 in out 1e+3');
    expect(a.vectors).toEqual({ 'v(out)': 'v(out)' });
  });

  it('maps saved vectors to ngspice names, hierarchical ones included', () => {
    const w = writeNetlist(rc({ save: ['v(out)', 'out', 'v(soma.leak.x)', 'i(in)', 'i(soma.vm)', 'V(A)'] }));
    // ngspice 39 names (checked with a real run: save/write of i(v.x_s.v_m) and v(x_s.c))
    expect(w.vectors).toEqual({
      'v(out)': 'v(out)',
      out: 'v(out)',
      'v(soma.leak.x)': 'v(x_soma.x_leak.x)',
      'i(in)': 'i(v_in)',
      'i(soma.vm)': 'i(v.x_soma.v_vm)',
      'V(A)': `v(${safeIdent('A', 'node')})`,
    });
  });

  it('includes the model card (absolute, quoted) when MOSFETs are present', () => {
    const n = rc({ elements: [...rc().elements, { kind: 'M', name: 'm1', drain: 'out', gate: 'in', source: '0', bulk: '0', model: 'nmos', w: 1e-6, l: 1e-6, delvto: 0.01 }] });
    const t = writeNetlist(n).text;
    expect(t).toContain(`.include "${MODEL_CARD_PATH}"`);
    expect(t).toContain('m_m1 out in 0 0 plateau_nmos w=1e-6 l=1e-6 delvto=1e-2');
    expect(() => writeNetlist({ ...rc(), includes: ['relative.lib'] })).toThrow(InputError);
    expect(() => writeNetlist({ ...rc(), includes: ['/a"b.lib'] })).toThrow(InputError);
  });

  it('refuses duplicate element names instead of letting ngspice merge them', () => {
    const n = rc();
    n.elements.push({ kind: 'R', name: '1', p: 'out', n: '0', value: 1 });
    expect(() => writeNetlist(n)).toThrow(/duplicate element/);
  });

  it('input errors say where in the netlist they are', () => {
    const n = rc({
      subcircuits: [{ name: 's', ports: ['a'], params: {}, elements: [{ kind: 'R', name: 'x', p: 'a', n: '0', value: Number.NaN }] }],
    });
    try {
      writeNetlist(n);
      throw new Error('expected an InputError');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).issues[0].location.path).toBe('subcircuits[0].elements[0]');
    }
  });

  it('a hostile label produces a deck that ngspice runs without executing anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-writer-'));
    try {
      const canary = join(dir, 'canary');
      const evil = `x\n.control\nshell touch ${canary}\n.endc\n`;
      const n: Netlist = {
        ...rc(),
        title: evil,
        subcircuits: [{ name: evil, ports: [evil, 'b'], params: { [evil]: 1 }, comment: evil, elements: [{ kind: 'R', name: evil, p: evil, n: 'b', value: { expr: evil.replace(/\n|\.|\//g, ' ') + ' + 1' } }] }],
        elements: [
          ...rc().elements,
          { kind: 'X', name: evil, nodes: ['out', '0'], subckt: evil, params: { [evil]: 2 } },
        ],
        options: { [evil]: 1 },
        save: [`v(${evil})`, 'v(out)'],
      };
      // The expression above has words separated by blanks, which is not an expression:
      // the writer must refuse it rather than pass it through.
      expect(() => writeNetlist(n)).toThrow(InputError);
      n.subcircuits[0].elements[0] = { kind: 'R', name: evil, p: evil, n: 'b', value: 1e3 };
      const w = writeNetlist(n);
      // user text may survive as words inside the title or a comment, but never as a statement
      const lines = w.text.split('\n');
      expect(lines.filter((l) => /^\s*\.control/i.test(l))).toHaveLength(1);
      expect(lines.filter((l) => /^\s*shell/i.test(l))).toHaveLength(0);
      const deck = join(dir, 'deck.cir');
      writeFileSync(deck, w.text);
      const r = spawnSync('ngspice', ['-b', 'deck.cir'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      expect(r.stdout).toContain('plateau_run_done');
      expect(r.status).toBe(0);
      expect(existsSync(canary)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
