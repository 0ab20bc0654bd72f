// cli: dispatches `sesdesk <command>` to bin/cli/commands/<command>.ts, loaded only when used
/** What every command module exports. */
export interface CliCommand {
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

interface CommandEntry {
  /** One line for `sesdesk help`. */
  readonly summary: string;
  readonly load: () => Promise<{ command: CliCommand }>;
}

/**
 * Every command, with its summary here rather than in its module: `sesdesk --help` then loads no command, and
 * each literal `import()` stays a separate chunk in the compiled CLI, so a command loads only what it uses.
 */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  bench: { summary: 'run the benchmarks (all or named) and print markdown tables', load: () => import('./commands/bench') },
  deploy: {
    summary: 'build, check the CDK bootstrap, cdk deploy SesDesk-<stage>, print the DNS records (npm run deploy)',
    load: () => import('./commands/deploy'),
  },
  dev: { summary: 'run the whole desk locally (npm start); --reset starts empty', load: () => import('./commands/dev') },
  load: {
    summary: 'send a mix of mail to the local desk and check nothing was lost or doubled',
    load: () => import('./commands/load'),
  },
  open: {
    summary: 'open the local dashboard signed in as a team member (--print for the link only)',
    load: () => import('./commands/open'),
  },
  parse: { summary: 'print email files as the JSON the ingest function sees', load: () => import('./commands/parse') },
  redrive: {
    summary: 'send stuck outgoing mail again and empty the notify failure queue (local, or --stage in AWS)',
    load: () => import('./commands/redrive'),
  },
  replay: { summary: 're-run ingest over stored raw mail (--failed, --all, or keys)', load: () => import('./commands/replay') },
  send: {
    summary: 'send a test email into the local desk (from, subject, body, or an .eml file)',
    load: () => import('./commands/send'),
  },
  token: {
    summary: 'print a local dashboard API token (--email for another team member)',
    load: () => import('./commands/token'),
  },
};

function printHelp(): void {
  const summaries = Object.entries(COMMANDS).map(([name, entry]) => [name, entry.summary] as const);
  const lines = ['Usage: sesdesk <command> [options]', '', 'Commands:'];
  for (const [name, summary] of [...summaries, ['help', 'list the commands'] as const].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  lines.push('', 'Run `sesdesk <command> --help` for the options of one command.');
  console.log(lines.join('\n'));
}

/** Runs `sesdesk` with the given arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    printHelp();
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    console.error(`sesdesk: unknown command "${name}". Run \`sesdesk help\` for the list.`);
    return 2;
  }
  return (await entry.load()).command.run(args);
}
