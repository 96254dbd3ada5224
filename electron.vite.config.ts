import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

// main and preload build as CommonJS (package.json has no "type": "module"); a sandboxed
// preload must be CJS. The renderer is a plain web bundle that also serves browser mode.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    // The engine runs in a utility process forked from out/main/engine-entry.js: its source is the
    // engine host's entry (src/host/engine-entry.ts), bundled beside main's index.js. `npm run
    // serve` runs out/main/serve.js (src/host/serve.ts) on plain Node: no transpiler in the
    // engine process (tsx alone holds ~36 MB of it).
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'engine-entry': resolve(__dirname, 'src/host/engine-entry.ts'),
          serve: resolve(__dirname, 'src/host/serve.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } } },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
  },
});
