import type { QueryForm } from './query.js';
import { singular, wordsOf } from './words.js';
import { AGG_WORDS, ASC, DESC, RESERVED } from './vocabulary.js';

// Every word the reader's patterns use, and the small words of English that carry no column, value or condition.
// A word of a question outside this list (and outside the dataset's columns and values) is one the reader did not
// understand: it is reported as ignored rather than dropped in silence.
const PATTERN_WORDS = `about above across after against all among amount an and annual annually any are aren't arent as asc ascending
at average bars be been before below besides best between bigger biggest bins blank blanks bottom breakdown broken
buckets but by can change changed changes column columns common compare contain contains containing correlate
correlated correlation correlations count counts daily data dataset day days depend depends desc descending did
different display distinct distributed distribution do does down during each earlier empty entries entry eq equal
equals equal ever every evolution evolve evolved exceed exceeding exceeds except excluding false far fewer fewest field
filled find first for fraction frequencies frequency frequent from get give given got greater greatest group grouped
gt gte had has have having higher highest histogram history how if in include includes including intervals into is
isn't isnt it its known larger largest last later least less like list look looks lower lowest lt lte many matches
matching me mention mentions mentioning missing month monthly months more most much na nan neq never newer no not null
nulls number observed of often older on or order ordered other outside over overall pct per percent percentage please
popular present proportion quarter quarterly quarters rank ranked ratio record recorded records relate related relates
relation relationship row rows see share show since smaller smallest so some sort sorted split spread starting table
tally tell than that the their there this through time timeline to top trend trending trends true under unique
unknown until up using usual value values versus view vs was wasn't we week weekly weeks were weren't what whats when
where which who whose with word year yearly years yes you`;
const ENGLISH = `a i my our your his her they them it's this these those there here then also just only both either neither
same such very really exactly roughly approximately about around overall whole entire total all each per kind kinds
type types sort please could would should will shall may might must need want wanted like know tell show give let
us me do does did done doing is am are was were be being been has have had having get got gets getting make makes
made making sold sell sells selling bought buy buys placed place ordered ordering shipped delivered built produced
manufactured recorded registered reported happened occurred occur came come comes went go goes gone took take taken
per cent one ones thing things item items stuff info information result results answer figure figures stats
statistics summary summarise summarize calculate compute computed find finding what's who's whose whom why where when
while whereas during within without into onto upon off out up down again further once more most other another than
too nor yet still even ever never always sometimes often usually generally typically currently now today so it its
value's`;

const KNOWN = new Set<string>([
  ...PATTERN_WORDS.split(/\s+/), ...ENGLISH.split(/\s+/), ...RESERVED, ...Object.keys(AGG_WORDS), ...DESC, ...ASC,
  'standard', 'deviation', 'variance', 'spread', 'mean', 'median', 'days', 'weeks', 'quarters', 'annual',
]);

/**
 * The words of a question's template the reader did not understand: plain words (not columns, values, numbers or
 * quoted text) that are neither in its vocabulary nor small words of English, nor the dataset's own name
 * (`cars` asked of cars.json names the rows themselves), each once, in order.
 * @param subject words naming the dataset's rows (from its name), explained by that
 */
export function ignoredWords(template: string, subject: readonly string[] = []): string[] {
  const rows = new Set(subject.flatMap((w) => [w, singular(w)]));
  const out: string[] = [];
  for (const tok of template.split(' ')) {
    if (!/^[\p{L}][\p{L}\p{N}'’]*$/u.test(tok) || /^[CVNQ]\d+$/.test(tok)) continue;
    const w = tok.replace(/’/g, "'");
    if (KNOWN.has(w) || KNOWN.has(singular(w)) || rows.has(w) || rows.has(singular(w)) || w.length < 2 || out.includes(w)) continue;
    out.push(w);
  }
  return out;
}

/** Words naming a dataset's rows, from its name: `cars.json` → `cars`, `Orders 2024.csv` → `orders`. */
export function subjectWords(datasetName: string): string[] {
  return wordsOf(datasetName.replace(/\.[a-z0-9]{1,5}$/i, '')).filter((w) => /^[\p{L}]{3,}$/u.test(w));
}

/**
 * The interpretation with the honest tail about ignored words: which they were, and, when the answer covers every
 * row, that none of them narrowed it (so "average weight of american cars" does not pass for an answer about them).
 * @example withIgnored('Average Weight_in_lbs.', q, ['american']) // "Average Weight_in_lbs; ignoring: 'american' (not understood, so it filtered nothing: this answer is over all rows)."
 */
export function withIgnored(interpretation: string, q: QueryForm, ignored: readonly string[]): string {
  if (!ignored.length) return interpretation;
  const list = ignored.map((w) => `'${w}'`).join(', ');
  const allRows = q.measures.length > 0 && !q.filters.length && !q.measures.some((m) => m.fn === 'percent');
  const why = allRows ? ` (not understood, so ${ignored.length === 1 ? 'it' : 'they'} filtered nothing: this answer is over all rows)` : '';
  return `${interpretation.replace(/\.$/, '')}; ignoring: ${list}${why}.`;
}
