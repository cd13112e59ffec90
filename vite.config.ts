import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * Default mode: the desk UI (src-renderer/desk → dist/desk), relative asset URLs so the same build
 * loads from app://desk (Electron) and from the browser host. No inline scripts: the CSP forbids
 * them. `--mode electron` bundles the Electron main process and the sandboxed preload (which
 * cannot require our modules) into dist/electron.
 */
export default defineConfig(({ mode }) => {
  if (mode === 'electron') {
    return {
      build: {
        outDir: resolve(import.meta.dirname, 'dist/electron'),
        emptyOutDir: true,
        ssr: true,
        target: 'node22',
        minify: false,
        rollupOptions: {
          input: {
            main: resolve(import.meta.dirname, 'src-main/electron/main.ts'),
            preload: resolve(import.meta.dirname, 'src-main/electron/preload.ts'),
          },
          external: [/^electron$/, /^node:/, 'better-sqlite3', 'keytar', 'ws', 'twilio', 'axios', 'electron-store', 'conf', 'kysely'],
          output: [
            { format: 'es', entryFileNames: '[name].js' },
          ],
        },
      },
      ssr: { noExternal: ['zod'] },
    };
  }
  if (mode === 'console') {
    // The central console (src-renderer/console → dist/console), served by the sync server at /console/.
    return {
      root: resolve(import.meta.dirname, 'src-renderer/console'),
      base: '/console/',
      plugins: [react()],
      build: {
        outDir: resolve(import.meta.dirname, 'dist/console'),
        emptyOutDir: true,
        target: 'es2022',
        sourcemap: false,
        modulePreload: { polyfill: false },
        assetsInlineLimit: 0,
      },
    };
  }
  return {
    root: resolve(import.meta.dirname, 'src-renderer/desk'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(import.meta.dirname, 'dist/desk'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
    },
    server: { host: '127.0.0.1' },
  };
});
