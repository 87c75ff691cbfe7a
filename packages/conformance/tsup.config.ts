import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts', 'src/cli.ts'],
  format: ['esm'],
  target: 'node20',
  dts: { entry: ['src/index.ts', 'src/node.ts'], compilerOptions: { customConditions: [] } },
  sourcemap: true,
  clean: true,
});
