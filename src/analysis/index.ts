/** Waveform measurements shared by emulator and SPICE results (pure functions over arrays). */
export { checkWaveform, interpolate, lowerBound, meanOver, uniformGrid, valueAt, type Samples } from './waveform.ts';
export { firingRate, meanInterval, spikeTimes, type SpikeOptions } from './spikes.ts';
export { measurePsp, parabolaVertex, type PspMeasure, type PspOptions } from './psp.ts';
export { fitExponential, type ExpFit, type ExpFitOptions } from './expfit.ts';
