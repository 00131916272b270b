import type { Command } from '../command.ts';
import { configCommand } from './config.ts';
import { deadLettersCommand } from './dead-letters.ts';
import { deployCommand } from './deploy.ts';
import { infoCommand } from './info.ts';
import { invocationCommand } from './invocation.ts';
import { invokeCommand } from './invoke.ts';
import { lsCommand } from './ls.ts';
import { rmCommand } from './rm.ts';
import { scheduleCommand } from './schedule.ts';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  deployCommand,
  invokeCommand,
  lsCommand,
  infoCommand,
  configCommand,
  rmCommand,
  invocationCommand,
  scheduleCommand,
  deadLettersCommand,
];
