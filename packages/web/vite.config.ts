import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vite';

const require = createRequire(import.meta.url);
// onnxruntime-web's main entry lives in its dist/ folder, beside the WASM runtime files
const ortDist = dirname(require.resolve('onnxruntime-web'));

// Workspace packages resolve to their sources (`source` condition). onnxruntime-web starts its
// WASM runtime (and its threads) from files served beside the page: they are copied to
// dist/ort/ and the backends point `wasmPaths` there. `base: './'` keeps every asset URL
// relative, so the coordinator can serve the app at any path.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000, outDir: 'dist', emptyOutDir: true },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  plugins: [
    {
      name: 'copy-ort-wasm',
      writeBundle(opts) {
        cpSync(ortDist, join(opts.dir ?? 'dist', 'ort'), {
          recursive: true,
          filter: (src) => src === ortDist || /ort-wasm-simd-threaded\.(jsep\.)?(mjs|wasm)$/.test(src),
        });
      },
    },
  ],
});
