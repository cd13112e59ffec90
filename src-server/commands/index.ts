import { commandSchemas, type CommandName } from '../../src-shared/schemas/commands';
import { noticeCommands } from './notices';
import { orderCommands } from './orders';
import { patientCommands } from './patients';
import type { CommandHandler, CommandRegistry } from './registry';

const handlers: Record<CommandName, CommandHandler> = { ...patientCommands, ...orderCommands, ...noticeCommands };

/** Every command of src-shared/schemas/commands must have a handler here (checked by the type). */
export function defaultRegistry(): CommandRegistry {
  for (const name of Object.keys(commandSchemas)) {
    if (!(name in handlers)) throw new Error(`No server handler for command ${name}`);
  }
  return new Map(Object.entries(handlers));
}
