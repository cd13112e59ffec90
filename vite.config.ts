import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * Default mode: the desk UI (src-renderer/desk → dist/desk), relative asset URLs so the same build
 * loads from app://desk (Electron) and from the browser host. No inline scripts: the CSP forbids
 * them. `--mode electron` bundles the Electron main process and `--mode electron-preload` the
 * sandboxed preload (CommonJS, everything inlined: it cannot require our modules) into dist/electron.
 * `--mode console` builds the central console into dist/console (served by the sync server).
 */
export default defineConfig(({ mode }) => {
  if (mode === 'electron' || mode === 'electron-preload') {
    const preload = mode === 'electron-preload';
    return {
      build: {
        outDir: resolve(import.meta.dirname, 'dist/electron'),
        // The two Electron builds share the folder: only the first empties it.
        emptyOutDir: !preload,
        ssr: true,
        target: 'node22',
        minify: false,
        rollupOptions: {
          input: resolve(import.meta.dirname, preload ? 'src-main/electron/preload.ts' : 'src-main/electron/main.ts'),
          // Main loads node_modules at run time; the sandboxed preload can require only 'electron'.
          external: preload ? [/^electron$/] : [/^electron$/, /^node:/, 'better-sqlite3', 'keytar', 'ws', 'twilio', 'axios', 'electron-store', 'conf', 'kysely', 'fastify'],
          output: preload ? { format: 'cjs', entryFileNames: 'preload.cjs' } : { format: 'es', entryFileNames: 'main.js' },
        },
      },
      ssr: { noExternal: preload ? true : ['zod'] },
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
