import { Args, Flags } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { dieFlag, dieName, parseDie } from './flags.ts';
import { parseQuantity, QuantityError, formatQuantity } from '../config/quantity.ts';
import { loadConfigFile } from '../config/load.ts';
import { deriveCircuitParameters } from '../circuits/derive.ts';
import { emulate, DEFAULT_DT } from '../emulator/index.ts';
import { resultToJson, summarizeEmulation } from '../emulator/run.ts';
import { lowerExperiment } from '../mapping/lower.ts';
import { emulateLowered, placedCircuits } from '../pipeline/emulate.ts';
import { emulateLoweredEvent, engineApplicability } from '../pipeline/event.ts';
import { writeRunOutput } from '../pipeline/output.ts';
import { formatIssue, inputError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs.ts';

function quantity(flag: string, value: string): number {
  try {
    const v = parseQuantity(value, 's');
    if (!(v > 0)) throw new QuantityError('must be positive');
    return v;
  } catch (err) {
    if (err instanceof QuantityError) throw inputError(`invalid time: ${err.message}`, { path: flag }, { value, allowed: 'a positive time, e.g. "100 us" (hardware time)' });
    throw err;
  }
}

export default class Emulate extends PlateauCommand {
  static override description = 'Run an experiment (or a raw chip configuration) on the behavioural emulator of a virtual die';
  static override examples = [
    '<%= config.bin %> emulate examples/single-neuron.yaml --json',
    '<%= config.bin %> emulate examples/recurrent.yaml --die 3 --out runs/recurrent',
    '<%= config.bin %> emulate examples/chip-raw.yaml --duration "200 us"',
  ];
  static override args = { file: Args.string({ description: 'experiment or chip YAML', required: true }) };
  static override flags = {
    die: dieFlag,
    engine: Flags.string({ description: 'stepped (every feature), event (exact spike times; current-based LIF networks) or auto', options: ['auto', 'stepped', 'event'], default: 'auto' }),
    seed: Flags.integer({ description: 'seed of the trial-to-trial and readout noise (default: the experiment\'s seed)' }),
    'no-noise': Flags.boolean({ description: 'no trial-to-trial or readout noise (always off on the ideal die)' }),
    duration: Flags.string({ description: 'chip files: hardware time to emulate (experiments give their own)', default: '100 us' }),
    dt: Flags.string({ description: 'time step of the stepped engine (hardware time)' }),
    inverse: Flags.string({ description: 'codes from the nominal inverse transfer (uncalibrated die) or the die\'s own (a perfect calibration)', options: ['nominal', 'die'], default: 'nominal' }),
    out: Flags.string({ description: 'write spikes (JSON), traces (CSV) and a summary into this directory' }),
    json: Flags.boolean({ description: 'print the result summary as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Emulate);
    const die = parseDie(flags.die);
    const dt = flags.dt ? quantity('--dt', flags.dt) : undefined;
    const cfg = loadConfigFile(args.file);
    if (cfg.layer === 'calibration') throw inputError('a calibration file has nothing to run on its own', { file: args.file }, { allowed: 'an experiment or chip file' });

    if (cfg.layer === 'chip') {
      if (flags.engine === 'event') throw inputError('the event-driven engine runs experiments, not raw chip files', { path: '--engine' }, { allowed: 'stepped, auto' });
      const duration = quantity('--duration', flags.duration);
      const result = emulate(cfg.chip, deriveCircuitParameters(cfg.chip, die), { duration, dt: dt ?? DEFAULT_DT, seed: flags.seed ?? 0, noise: !flags['no-noise'] && die !== 'ideal' });
      const s = summarizeEmulation(args.file, die, dt ?? DEFAULT_DT, result);
      const spikes: Record<string, number[]> = {};
      result.spikeTrains.forEach((t, c) => { if (t.length) spikes[`circuit${c}`] = t; });
      if (flags.out) {
        writeRunOutput(flags.out, spikes, result.traces.madc.map((t) => ({ id: `circuit${t.circuit}`, times: t.times, values: t.ideal, tag: 'madc' })), { ...s });
        writeFileAtomic(`${flags.out}/result.json`, JSON.stringify(resultToJson(result)) + '\n');
      }
      if (flags.json) return this.printJson({ engine: 'stepped', spikes, wallSeconds: s.wallSeconds, simulatedSeconds: s.simulatedSeconds, summary: s });
      this.log(`${s.file} on die ${s.die}: ${formatQuantity(s.simulatedSeconds, 's')} in ${s.steps} steps, ${s.spikes} spikes from ${s.spikingCircuits} circuits, ${s.synapticEvents} synaptic pulses; wall ${s.wallSeconds.toFixed(3)} s (${s.slowdownVsChip.toFixed(0)}× the chip)`);
      return;
    }

    const exp = cfg.experiment;
    const lowered = lowerExperiment(exp, { die, inverse: flags.inverse as 'nominal' | 'die' });
    for (const w of lowered.warnings.slice(0, 3)) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    if (lowered.warnings.length > 3) process.stderr.write(`warning: ... and ${lowered.warnings.length - 3} more like these\n`);
    let engine = flags.engine;
    // One derivation (of the circuits in use) serves the engine choice and the run.
    const params = deriveCircuitParameters(lowered.chip, die, { circuits: placedCircuits(lowered) });
    if (engine === 'auto') engine = engineApplicability(lowered, params) === null && !exp.recordings.some((r) => r.observable !== 'spikes') ? 'event' : 'stepped';
    const opts = { die, seed: flags.seed, noise: flags['no-noise'] ? false : undefined, dt, params };
    let spikes: Record<string, number[]>;
    let wallSeconds: number;
    let simulatedSeconds: number;
    let traces: Array<{ id: string; times: ArrayLike<number>; values: ArrayLike<number>; tag: string; quantity: string }> = [];
    if (engine === 'event') {
      const r = emulateLoweredEvent(lowered, opts);
      ({ spikes, wallSeconds, simulatedSeconds } = r);
    } else {
      const r = emulateLowered(lowered, opts);
      ({ spikes, wallSeconds, simulatedSeconds } = r);
      traces = r.traces.map((t) => ({ id: t.id, times: t.times, values: t.values, tag: `${t.observable}-${t.readout}`, quantity: t.observable === 'v' ? 'v_V' : 'i_A' }));
    }
    const summary = { experiment: exp.name, die: dieName(die), engine, spikes, wallSeconds, simulatedSeconds, warnings: lowered.warnings.map(formatIssue) };
    if (flags.out) writeRunOutput(flags.out, spikes, traces, summary);
    if (flags.json) return this.printJson(summary);
    this.log(`${exp.name} on die ${dieName(die)} (${engine} engine): ${formatQuantity(simulatedSeconds, 's')} of chip time in ${wallSeconds.toFixed(3)} s`);
    const entries = Object.entries(spikes);
    for (const [id, sp] of entries.slice(0, 20)) {
      this.log(`  ${id.padEnd(16)} ${String(sp.length).padStart(4)} spike(s)${sp.length ? `  ${sp.slice(0, 6).map((t) => (t * 1e6).toFixed(2)).join(', ')}${sp.length > 6 ? ', ...' : ''} µs` : ''}`);
    }
    if (entries.length > 20) this.log(`  ... ${entries.length - 20} more`);
    if (flags.out) this.log(`  written to ${flags.out}/`);
  }
}
