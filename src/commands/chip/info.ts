import { Flags } from '@oclif/core';
import { PlateauCommand } from '../base.ts';
import { chipResources } from '../../chip/resources.ts';

export default class ChipInfo extends PlateauCommand {
  static override description = 'Resource counts of the modelled chip';
  static override examples = ['<%= config.bin %> chip info', '<%= config.bin %> chip info --json'];
  static override flags = {
    json: Flags.boolean({ description: 'print the counts as JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ChipInfo);
    const r = chipResources();
    if (flags.json) {
      this.printJson(r);
      return;
    }
    const lines = [
      `neuron circuits      ${r.neuronCircuits} (${r.neuronRows} rows × ${r.neuronColumns} columns, ${r.quadrants} quadrants, ${r.backendHalves} backend halves)`,
      `synapses             ${r.synapses} (${r.synapseArrays} arrays × ${r.synapseRowsPerArray} rows × ${r.synapseColumnsPerArray} columns; ${r.weightBits}-bit weight, ${r.labelBits}-bit label)`,
      `synapse drivers      ${r.synapseDrivers} (2 synapse rows each), ${r.buses} event buses`,
      `event routing        ${r.neuronEventOutputs} neuron event outputs, crossbar ${r.crossbarInputs} × ${r.crossbarOutputs}, ${r.backgroundSources} background sources`,
      `analog parameters    ${r.capmemCellsPerCircuit} cells per circuit (${r.capmemVoltageCellsPerCircuit} voltages, ${r.capmemCurrentCellsPerCircuit} currents), codes 0..${r.capmemCodeMax}`,
      `readout              MADC ${r.madcBits} bit at ${(r.madcSampleRateHz / 1e6).toFixed(1)} MSa/s (${r.madcChannels} channels), CADC ${r.cadcBits} bit per column`,
      `speed-up             ${r.speedup}× biological time`,
    ];
    this.log(lines.join('\n'));
  }
}
