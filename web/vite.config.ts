// web: Vite build of the dashboard (`vite build web` → web/dist); dev server proxies the local stack's API
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The local stack's dashboard port (DESIGN.md contract 2). */
const localStack = `http://127.0.0.1:${process.env.SESDESK_HTTP_PORT ?? '3000'}`;

export default defineConfig({
  root,
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The deployed config.json is written next to the build, never baked into it.
    copyPublicDir: false,
  },
  server: {
    proxy: { '/api': localStack, '/config.json': localStack },
  },
});
