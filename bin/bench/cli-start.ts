// bench: placeholder
import type { Benchmark } from './benchmark';
export const benchmark: Benchmark = { name: 'cli-start', description: 'x', run: async () => '' };
