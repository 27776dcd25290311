/** "Did you mean …?" suggestions by edit distance. */
import { distance } from 'fastest-levenshtein';

/** The closest candidate, if it is close enough to be a plausible typo of `word`. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : distance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // One edit for short words; longer ones may also have two letters swapped (two edits).
  const allowed = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  if (best !== undefined && bestDistance <= allowed) return best;
  // A cut-short or extended key: "instance" for "instance_id".
  if (lower.length >= 4) {
    for (const c of candidates) if (c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase())) return c;
  }
  return undefined;
}

/** `; did you mean "x"?` or an empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean ${JSON.stringify(c)}?`;
}
