// cli: `sesdesk help`
import type { CliCommand } from '../main';

export const command: CliCommand = {
  summary: 'list the commands',
  async run() {
    const { main } = await import('../main');
    return main([]).then(() => 0);
  },
};
