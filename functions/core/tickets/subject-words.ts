// core: the words of a subject that search indexes (one index item per word)

const MAX_WORDS = 20;
const STOP_WORDS = new Set(['re', 'fw', 'fwd', 'aw', 'sv', 'wg', 'the', 'and', 'for', 'with', 'from', 'about', 'you', 'your']);

/** Lowercased, deduplicated words of two or more letters or digits, without reply prefixes. */
export function subjectWords(subject: string): string[] {
  const words = subject
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 2 && word.length <= 40 && !STOP_WORDS.has(word));
  return [...new Set(words)].slice(0, MAX_WORDS);
}
