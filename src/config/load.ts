/**
 * Loading a configuration file of any layer: parse (with positions), detect the layer, check the
 * schema, build the typed configuration and run the semantic checks. Every problem of the file
 * is reported at once in one InputError (exit code 2).
 */
import type { ChipConfig } from '../chip/chip.ts';
import { InputError, type Issue } from '../util/errors.ts';
import { buildCalibration, type Calibration } from './calibration-layer.ts';
import { buildChip } from './chip-layer.ts';
import { buildExperiment, type Experiment } from './experiment-layer.ts';
import type { Layer } from './schema.ts';
import { parseYamlSource, readYamlFile, type YamlSource } from './source.ts';
import { detectLayer, schemaIssues } from './validate.ts';

export type LoadedConfig =
  | { layer: 'chip'; file: string; chip: ChipConfig }
  | { layer: 'calibration'; file: string; calibration: Calibration }
  | { layer: 'experiment'; file: string; experiment: Experiment };

function load(source: YamlSource, expect?: Layer): LoadedConfig {
  const root = source.value();
  const { layer, issue } = detectLayer(source, root);
  if (!layer) throw new InputError([issue!]);
  if (expect && layer !== expect) {
    throw new InputError({ message: `this is a ${layer} file, but a ${expect} file is needed here`, location: source.location(['layer']), value: layer, allowed: expect });
  }
  const issues: Issue[] = schemaIssues(layer, source, root);
  if (issues.length) throw new InputError(issues);
  let out: LoadedConfig;
  if (layer === 'chip') out = { layer, file: source.file, chip: buildChip(root, source, issues) };
  else if (layer === 'calibration') out = { layer, file: source.file, calibration: buildCalibration(root, source, issues) };
  else out = { layer, file: source.file, experiment: buildExperiment(root, source, issues) };
  if (issues.length) throw new InputError(issues);
  return out;
}

export function loadConfigFile(file: string, expect?: Layer): LoadedConfig {
  return load(readYamlFile(file), expect);
}

export function loadConfigText(file: string, text: string, expect?: Layer): LoadedConfig {
  return load(parseYamlSource(file, text), expect);
}

export function loadExperimentFile(file: string): Experiment {
  const c = loadConfigFile(file, 'experiment');
  return (c as Extract<LoadedConfig, { layer: 'experiment' }>).experiment;
}

export function loadChipFile(file: string): ChipConfig {
  const c = loadConfigFile(file, 'chip');
  return (c as Extract<LoadedConfig, { layer: 'chip' }>).chip;
}

export function loadCalibrationFile(file: string): Calibration {
  const c = loadConfigFile(file, 'calibration');
  return (c as Extract<LoadedConfig, { layer: 'calibration' }>).calibration;
}
