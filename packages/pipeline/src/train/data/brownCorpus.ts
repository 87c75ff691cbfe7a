/**
 * Brown corpus genres by the letter after `c` in a file id (`ca01` → news),
 * named as in the corpus's `cats.txt` (Francis & Kučera, 1964/1979).
 */
export const BROWN_GENRES = {
  a: 'news',
  b: 'editorial',
  c: 'reviews',
  d: 'religion',
  e: 'hobbies',
  f: 'lore',
  g: 'belles_lettres',
  h: 'government',
  j: 'learned',
  k: 'fiction',
  l: 'mystery',
  m: 'science_fiction',
  n: 'adventure',
  p: 'romance',
  r: 'humor',
} as const;

export type BrownGenre = (typeof BROWN_GENRES)[keyof typeof BROWN_GENRES];

/** One text of the Brown corpus, tags stripped. */
export interface BrownDocument {
  /** file id, e.g. `ca01` */
  id: string;
  genre: BrownGenre;
  text: string;
}

/** Genre of a Brown file id (`ca01` → `news`), or undefined for other names. */
export function brownGenreOf(id: string): BrownGenre | undefined {
  const m = /^c([a-r])\d\d$/.exec(id);
  return m ? BROWN_GENRES[m[1] as keyof typeof BROWN_GENRES] : undefined;
}

const NO_SPACE_BEFORE = /\s+([,.;:?!)\]}%]|'')/g;
const NO_SPACE_AFTER = /([([{$]|``)\s+/g;

/**
 * Turns tagged Brown text (`The/at jury/nn said/vbd ./.`) into plain text:
 * drops each token's `/tag` (the last slash, so `1-1/2/cd` → `1-1/2`),
 * joins sentences (one per line) with spaces, reattaches punctuation and
 * maps the `` '' quote tokens to ".
 */
export function stripBrownTags(tagged: string): string {
  const sentences: string[] = [];
  for (const line of tagged.split('\n')) {
    const words: string[] = [];
    for (const tok of line.trim().split(/\s+/)) {
      if (!tok) continue;
      const cut = tok.lastIndexOf('/');
      words.push(cut > 0 ? tok.slice(0, cut) : tok);
    }
    if (words.length === 0) continue;
    const s = words.join(' ').replace(NO_SPACE_BEFORE, '$1').replace(NO_SPACE_AFTER, '$1');
    sentences.push(s.replace(/``|''/g, '"'));
  }
  return sentences.join(' ');
}
