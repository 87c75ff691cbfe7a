import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generateAll, parseHfConfig, StageChain, weightsFromSafetensors } from '../src/index';
import { createNodeBackend } from '../src/node';
import { FIXTURE_DIR } from './fixtures';

it('README example runs on the tiny Qwen2 fixture', async () => {
  const config = parseHfConfig(JSON.parse(readFileSync(join(FIXTURE_DIR, 'tiny_qwen2_config.json'), 'utf8')));
  const weights = weightsFromSafetensors([readFileSync(join(FIXTURE_DIR, 'tiny_qwen2.safetensors'))]);
  const chain = await StageChain.create(config, weights, createNodeBackend('cpu'), { stages: 2 });
  const out = await generateAll(chain, [0, 7, 2, 9], { greedy: true, maxTokens: 8 });
  expect(out.ids).toHaveLength(8);
  expect(out.finishReason).toBe('length');
  expect(out.ids.every((id) => id >= 0 && id < 12)).toBe(true);
});
