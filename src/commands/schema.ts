import { Args } from '@oclif/core';
import { PlateauCommand } from './base.ts';
import { LAYERS, schemaFor, type Layer } from '../config/schema.ts';

export default class Schema extends PlateauCommand {
  static override description = 'Print the JSON Schema of a configuration layer (for editor completion and checking)';
  static override examples = ['<%= config.bin %> schema experiment > experiment.schema.json'];
  static override args = { layer: Args.string({ description: 'configuration layer', required: true, options: [...LAYERS] }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Schema);
    this.printJson(schemaFor(args.layer as Layer));
  }
}
