import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console renderer: static files loaded from the app package (Electron) or served by the loopback web
 * bridge. `base: './'` keeps every URL relative; no inline scripts are emitted, so a CSP with
 * `script-src 'self'` holds. Mantine needs `style-src 'self' 'unsafe-inline'` (it injects CSS variables).
 */
export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // Vite's module-preload polyfill is an inline-free module, but it is unnecessary in Chromium.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
