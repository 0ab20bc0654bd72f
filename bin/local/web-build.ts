// local stack: builds the dashboard (web/) with Vite into a directory the HTTP server serves
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** web/dist, where `npm run build:web` writes and the local stack serves from. */
export const WEB_DIST = path.join(ROOT, 'web', 'dist');

/** Builds the dashboard into `outDir` (Vite is loaded only when a build is needed). */
export async function buildDashboard(outDir: string = WEB_DIST): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}
