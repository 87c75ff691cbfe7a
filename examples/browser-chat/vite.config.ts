import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vite';

const require = createRequire(import.meta.url);
// onnxruntime-web's main entry lives in its dist/ folder, beside the WASM runtime files
const ortDist = dirname(require.resolve('onnxruntime-web'));

// Workspace packages resolve to their sources (`source` condition). onnxruntime-web
// starts its WASM runtime (and its worker threads) from files served beside the page:
// copy them to dist/ort/ and point `wasmPaths` there.
export default defineConfig({
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
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
