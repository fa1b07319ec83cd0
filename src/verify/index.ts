/** Verification of the emulator against the transistor level (docs/verification.md). */
export { verifyExperiment, verificationExperiment, TOLERANCES, SPIKES_COMPARED, type VerifyCase, type VerifyOptions, type VerifyReport } from './verify.ts';
export { verifyPath, experimentFiles, type VerifyRun } from './run.ts';
export { formatMetricLine, formatMetricError, formatMetricValue } from './format.ts';
export { compareMetric, fitLengthConstant, isiRatio, matchSpikes, plateauOf, regularRate, spikeTimeTolerance, type MetricResult, type Tolerance, type ToleranceKind } from './metrics.ts';
