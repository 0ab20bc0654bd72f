// cli: dispatches `sesdesk <command>` to bin/cli/commands/<command>.ts, loaded only when used
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

/** What every command module exports. */
export interface CliCommand {
  /** One line for `sesdesk help`. */
  readonly summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

function listCommands(): string[] {
  return readdirSync(commandsDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<CliCommand> {
  const mod = (await import(path.join(commandsDir, `${name}.ts`))) as { command: CliCommand };
  return mod.command;
}

async function printHelp(): Promise<void> {
  const lines = ['Usage: sesdesk <command> [options]', '', 'Commands:'];
  for (const name of listCommands()) lines.push(`  ${name.padEnd(10)} ${(await loadCommand(name)).summary}`);
  lines.push('', 'Run `sesdesk <command> --help` for the options of one command.');
  console.log(lines.join('\n'));
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    await printHelp();
    return name ? 0 : 2;
  }
  if (!/^[a-z-]+$/.test(name) || !existsSync(path.join(commandsDir, `${name}.ts`))) {
    console.error(`sesdesk: unknown command "${name}". Run \`sesdesk help\` for the list.`);
    return 2;
  }
  return (await loadCommand(name)).run(args);
}
