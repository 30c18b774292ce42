import { nearColumns } from './columns.js';
import { NlqError } from './errors.js';
import { extractFilters } from './filters.js';
import { ignoredWords } from './ignored.js';
import { isCategory, isDate, isNumeric, type Bucket, type Measure, type MeasureFn, type NlqColumn, type QueryForm } from './query.js';
import { suggestQuestions } from './suggest.js';
import { slotOf, templateOf, type Template } from './tokens.js';
import { AGG_WORDS, ASC, DESC, RESERVED } from './vocabulary.js';

export { RESERVED };

const TIME_WORDS: Record<string, Bucket> = {
  day: 'day', days: 'day', daily: 'day', week: 'week', weeks: 'week', weekly: 'week', month: 'month', months: 'month', monthly: 'month',
  quarter: 'quarter', quarters: 'quarter', quarterly: 'quarter', year: 'year', years: 'year', yearly: 'year', annual: 'year', annually: 'year',
};
// Words that carry no column: skipped when looking for the column an aggregate or "by" refers to.
const FILLER = new Set(['of', 'the', 'a', 'an', 'all', 'value', 'values', 'for', 'in', 'on', 'is', 'are', 'was', 'were', 'what', 'whats', 'number', 'amount', 'overall', 'column', 'field', 'across', 'each', 'every', 'different', 'their', 'its', ';']);
const CONTENT_STOP = new Set([...FILLER, 'by', 'per', 'and', 'or', 'with', 'where', 'to', 'than', 'how', 'many', 'much', 'rows', 'row', 'records', 'record', 'entries', 'there', 'do', 'does', 'did', 'we', 'i', 'have', 'has', 'show', 'me', 'list', 'give', 'tell', 'get', 'find', 'that', 'which', 'who', 'it', 'this', 'data', 'dataset', 'table', 'be', 'between', 'over', 'time', 'grouped', 'group', 'sorted', 'ordered', 'first', 'top', 'bottom', 'please', 'can', 'you', 'most', 'common', 'frequent', 'popular', 'distribution', 'histogram', 'trend', 'so', 'far', 'ever', 'recorded', 'observed', 'like', 'look', 'looks', 'from', 'when', 'where', 'some', 'any', 'as', 'at', 'about', 'compare', 'versus', 'vs', 'against', 'change', 'changed', 'changes']);


interface Ctx { t: Template; tokens: string[]; columns: NlqColumn[]; question: string }

const colOf = (c: Ctx, tok: string | undefined) => {
  const s = slotOf(c.t, tok);
  return s?.kind === 'C' ? c.columns.find((x) => x.name === s.column) : undefined;
};

/** A word where a column was expected that names none: 422 with the columns most like it. */
function unknownColumn(c: Ctx, word: string): never {
  const near = nearColumns(word, c.columns);
  throw new NlqError('unknown_column', `No column is called '${word}'; the nearest are ${near.map((n) => `'${n}'`).join(', ')}.`, { column: word, near, try: suggestQuestions(c.columns) });
}

/**
 * The column a word at `i` refers to, looking past filler ("average of the price"): a column token, or null when
 * none follows. A content word standing where the column should be is an unknown column (422 naming near matches).
 */
function columnAfter(c: Ctx, i: number, opts: { required: boolean }): string | null {
  for (let j = i + 1; j < c.tokens.length && j <= i + 5; j++) {
    const tok = c.tokens[j];
    if (/^C\d+$/.test(tok)) return tok;
    if (FILLER.has(tok)) continue;
    if (opts.required && !/^[VNQ]\d+$/.test(tok) && !CONTENT_STOP.has(tok) && !RESERVED.has(tok) && !TIME_WORDS[tok] && /^[\p{L}][\p{L}\p{N}]*$/u.test(tok)) unknownColumn(c, tok);
    return null;
  }
  return null;
}

/** Sums make sense for quantities that add up (sales, units); other numbers are averaged when no word says which. */
const defaultAgg = (col: NlqColumn): MeasureFn => (/(sales|revenue|amount|total|units|quantity|qty|count|volume|profit|spend|spent|cost|income|orders|visits|clicks|sold|turnover|population|sessions|views)/i.test(col.name) ? 'sum' : 'avg');

/**
 * Reads a question about a table into the query form: aggregates (average, total, min, max, median, spread),
 * counts, distinct counts, missing values, filters, group by, top/bottom k, shares, trends over time, correlation
 * and distributions. Deterministic: the same question over the same columns gives the same query.
 * @throws NlqError `unknown_column` naming near matches, or `unreadable` with three phrasings it can read
 * @example readQuestion('average price by city', cols) // { measures: [{fn:'avg', column:'price'}], group: {column:'city'}, ... }
 */
export function readQuestion(question: string, columns: NlqColumn[]): QueryForm {
  return readTemplate(templateOf(question, columns, RESERVED), columns, question);
}

/** A read question and the words of it the reader did not understand (`ignored`, see `ignoredWords`). */
export interface ReadQuestion { query: QueryForm; ignored: string[] }

/**
 * Reads a question like `readQuestion`, and also says which of its words were not understood, so the answer can
 * say so instead of dropping them in silence.
 * @param subject words naming the dataset's rows (from its name: `cars`), which are understood
 * @example readQuestionNoted('average weight of american cars', cars, ['cars']).ignored // ['american']
 */
export function readQuestionNoted(question: string, columns: NlqColumn[], subject: readonly string[] = []): ReadQuestion {
  const notes = { ignored: [] as string[], subject };
  return { query: readTemplate(templateOf(question, columns, RESERVED), columns, question, notes), ignored: notes.ignored };
}

function readTemplate(t: Template, columns: NlqColumn[], question: string, notes?: { ignored: string[]; subject: readonly string[] }): QueryForm {
  const state: { and?: string; first?: string } = {};
  const q = readForm(t, columns, question, notes, state);
  // A second group column the chosen reading has no room for (a distribution, a share of rows…) is refused, not dropped.
  if (state.and && q.group?.and !== state.and) {
    throw new NlqError('unreadable', `This question groups by two columns ('${state.first}' and '${state.and}') in a way the reader cannot answer at once; ask per one of them, or for one value of '${state.and}'.`, { try: suggestQuestions(columns), group_columns: [state.first, state.and] });
  }
  return q;
}

function readForm(t: Template, columns: NlqColumn[], question: string, notes: { ignored: string[]; subject: readonly string[] } | undefined, state: { and?: string; first?: string }): QueryForm {
  // "in 10 bins" sets the histogram's bins; taken out first so the number is not read as a filter.
  let bins: number | undefined;
  t.text = ` ${t.text} `.replace(/ (?:in |into |with |using )?(N\d+) (?:bins|buckets|bars|intervals) /, (_m, n: string) => {
    const v = slotOf(t, n);
    if (v?.kind === 'N') bins = Math.max(2, Math.min(100, Math.round(v.value)));
    return ' ';
  }).trim();
  const { filters, text } = extractFilters(t, columns);
  // What is left once filters are taken out: a word here the reader has no use for was not understood.
  if (notes) notes.ignored = ignoredWords(text, notes.subject);
  // Periods relative to today ("last year", "past 3 months") are not read: said, not dropped.
  const relative = / (?:last|past|previous|this|next|current) (?:N\d+ )?(?:day|days|week|weeks|month|months|quarter|quarters|year|years) /.exec(` ${text} `);
  if (notes && relative) notes.ignored.push(relative[0].trim().split(' ').map((tok) => slotOf(t, tok)?.words ?? tok).join(' '));
  const tokens = text.split(' ').filter(Boolean);
  const c: Ctx = { t, tokens, columns, question };
  const s = ` ${tokens.join(' ')} `;
  const used = new Set<string>(); // column tokens already given a role
  const has = (re: RegExp) => re.test(s);

  // Ordering of a listing: "sorted by C (desc)".
  let order: QueryForm['order'];
  const sorted = / (?:sorted|sort|ordered|order|ranked|rank) by (?:the )?(C\d+)(?: (desc|descending|asc|ascending|highest|lowest|largest|smallest))?/.exec(s);
  if (sorted) {
    used.add(sorted[1]);
    order = { by: colOf(c, sorted[1])!.name, direction: sorted[2] && ASC.has(sorted[2]) ? 'asc' : sorted[2] && DESC.has(sorted[2]) ? 'desc' : 'asc' };
  }

  // Time: "by month", "monthly", "over time", "trend", or a date column after "by".
  let bucket: Bucket | 'auto' | undefined;
  let dateTok: string | undefined;
  const timeWord = / (?:by|per|each|every|over|across|for each|in each|over the) (day|days|week|weeks|month|months|quarter|quarters|year|years) | (daily|weekly|monthly|quarterly|yearly|annual|annually) /.exec(s);
  if (timeWord) bucket = TIME_WORDS[timeWord[1] ?? timeWord[2]];
  else if (has(/ (over time|trend|trends|trending|timeline|evolution|evolve|evolved|change over|changed over|through time|history) /)) bucket = 'auto';

  // Grouping: "by C", "per C", "for each C", "across C"; in "top 5 C by D" the C after the number.
  let groupTok: string | undefined;
  const topGroup = / (?:top|bottom|first|last) N\d+ (C\d+) /.exec(s);
  if (topGroup && !isNumeric(colOf(c, topGroup[1])!) && !isDate(colOf(c, topGroup[1])!)) { groupTok = topGroup[1]; used.add(groupTok); }
  const groupRe = / (?:by|per|for each|for every|each|every|across|grouped by|group by|broken down by|split by|in each|among|for the different|for different|for all|over|through) (?:the )?(?:different )?(C\d+)/g;
  for (let m = groupRe.exec(s); m; m = groupRe.exec(s)) {
    if (used.has(m[1])) continue;
    const col = colOf(c, m[1])!;
    if (groupTok && !isDate(col)) break;
    if (isDate(col)) { dateTok = m[1]; bucket ??= TIME_WORDS[c.t.slots[Number(m[1].slice(1))].words] ?? 'auto'; } else groupTok = m[1];
    used.add(m[1]);
    break;
  }
  // "by region" with no such column: a word where a column should be.
  const byWord = / (?:by|per|for each|grouped by|broken down by) (?:the )?([\p{L}][\p{L}\p{N}]*) /u.exec(s);
  if (!groupTok && !dateTok && !topGroup && byWord && !TIME_WORDS[byWord[1]] && !CONTENT_STOP.has(byWord[1]) && !RESERVED.has(byWord[1]) && !sorted) unknownColumn(c, byWord[1]);

  // "by region and product", "by month and region": a second column to group by, as its plain values.
  let andTok: string | undefined;
  const TIME = '(?:day|days|week|weeks|month|months|quarter|quarters|year|years)';
  const pair = new RegExp(` (?:by|per|for each|for every|across|grouped by|group by|broken down by|split by) (?:the )?(C\\d+|${TIME}) (?:and|then by) (?:by |per )?(?:the |each )?(C\\d+|${TIME}) `).exec(s);
  if (pair && !sorted) {
    const isTime = (p: string) => !!TIME_WORDS[p] || isDate(colOf(c, p) ?? { type: '' });
    // Categories, or whole numbers with few values such as cylinders; never measurements.
    const isCat = (p: string) => { const col = colOf(c, p); return !!col && col.type !== 'float' && !isDate(col); };
    const [a, b] = [pair[1], pair[2]];
    if (isCat(a) && isCat(b) && colOf(c, a)!.name !== colOf(c, b)!.name) {
      groupTok = a; andTok = b;
    } else if ((isTime(a) && isCat(b)) || (isCat(a) && isTime(b))) {
      const [time, cat] = isTime(a) ? [a, b] : [b, a];
      groupTok = undefined; andTok = cat;
      if (TIME_WORDS[time]) bucket = TIME_WORDS[time];
      else { dateTok = time; bucket ??= 'auto'; }
    }
    if (andTok) { used.add(a); used.add(b); state.and = colOf(c, andTok)!.name; state.first = TIME_WORDS[a] ?? colOf(c, a)!.name; }
  }
  // "top 3 regions and products by revenue": the pairs ranked.
  const topPair = / (?:top|bottom|first|last) N\d+ (C\d+) (?:and|by) (C\d+) /.exec(s);
  if (topPair && groupTok === topPair[1] && !andTok) {
    const second = colOf(c, topPair[2])!;
    if (second.type !== 'float' && !isDate(second) && second.name !== colOf(c, groupTok)!.name) { andTok = topPair[2]; used.add(andTok); state.and = second.name; state.first = colOf(c, groupTok)!.name; }
  }

  if (bucket && !dateTok) {
    const mentioned = tokens.find((tok) => { const col = colOf(c, tok); return col && isDate(col) && !used.has(tok); });
    const dates = columns.filter(isDate);
    if (mentioned) { dateTok = mentioned; used.add(mentioned); } else if (dates.length >= 1) dateTok = undefined;
    if (!mentioned && dates.length === 0) {
      throw new NlqError('unreadable', 'This question asks about time, but the dataset has no date column.', { try: suggestQuestions(columns) });
    }
  }
  const dateCol = dateTok ? colOf(c, dateTok)! : bucket ? columns.find(isDate) : undefined;

  const free = () => tokens.filter((tok) => /^C\d+$/.test(tok) && !used.has(tok));
  const measures: Measure[] = [];

  // Correlation between two numeric columns.
  if (has(/ (correlat\w*|relationship|relate|relates|related|relation|associated|association|vs|versus|against|depend|depends) /)) {
    const cols = free().filter((tok) => isNumeric(colOf(c, tok)!));
    if (cols.length >= 2) {
      return { measures: [{ fn: 'corr', column: colOf(c, cols[0])!.name, column2: colOf(c, cols[1])!.name }], filters };
    }
    const m = / (?:between|of) (?:the )?([\p{L}][\p{L}\p{N}]*) (?:and|with|vs) (?:the )?([\p{L}][\p{L}\p{N}]*) /u.exec(s);
    for (const w of m ? [m[1], m[2]] : []) if (!/^C\d+$/.test(w) && !CONTENT_STOP.has(w)) unknownColumn(c, w);
    if (cols.length === 1) {
      const after = / (?:and|with|vs|versus|against) (?:the )?([\p{L}][\p{L}\p{N}]*) /u.exec(s);
      if (after && !/^C\d+$/.test(after[1]) && !CONTENT_STOP.has(after[1])) unknownColumn(c, after[1]);
    }
  }

  // Distribution of one column.
  const distWord = / (distribution|distributed|histogram|spread|breakdown|frequencies) /.exec(s);
  if (distWord) {
    const tok = free()[0] ?? (distWord[1] === 'distribution' || distWord[1] === 'histogram' ? columnAfter(c, tokens.indexOf(distWord[1]), { required: true }) : null);
    if (tok) {
      const col = colOf(c, tok)!;
      if (isNumeric(col)) return { measures: [{ fn: 'count' }], filters, group: { column: col.name, bucket: 'bins', bins: bins ?? 20 }, order: { by: 'group', direction: 'asc' } };
      if (isDate(col)) return { measures: [{ fn: 'count' }], filters, group: { column: col.name, bucket: bucket === 'auto' || !bucket ? 'month' : bucket }, order: { by: 'group', direction: 'asc' } };
      return { measures: [{ fn: 'count' }], filters, group: { column: col.name }, order: { by: 'measure', direction: 'desc' }, limit: 50 };
    }
  }

  // Explicit aggregates, each bound to the column after it ("average price and max weight") or before it.
  const topK = / (top|bottom|first|last) (N\d+) /.exec(s) ?? / (N\d+) (most|least|highest|lowest|largest|smallest|biggest|best|worst) /.exec(s)
    ?? / (N\d+) (?:[^ ]+ ){0,3}(?:with|having|that have|that has|by|of) (?:the )?(most|least|highest|lowest|largest|smallest|biggest|best|worst|fewest|greatest) /.exec(s);
  const which = / (?:which|what) (?:the )?(C\d+|[\p{L}]+) (?:[^ ]+ ){0,2}(?:the )?(highest|most|lowest|least|largest|smallest|biggest|best|worst|fewest|greatest) /u.exec(s);
  const orderWords = !!(topK || which);
  for (let i = 0; i < tokens.length; i++) {
    const fn = AGG_WORDS[tokens[i]];
    if (!fn) continue;
    if (orderWords && (DESC.has(tokens[i]) || ASC.has(tokens[i]))) continue; // "top 5 by highest" orders; it does not aggregate
    if (tokens[i] === 'deviation' && tokens[i - 1] !== 'standard') continue;
    const tok = columnAfter(c, i, { required: !(fn === 'max' || fn === 'min' || fn === 'sum') || tokens[i] === 'average' }) ?? (/^C\d+$/.test(tokens[i - 1] ?? '') && !used.has(tokens[i - 1]) ? tokens[i - 1] : null);
    if (!tok) continue;
    const col = colOf(c, tok)!;
    if (tok === groupTok || tok === dateTok) continue;
    used.add(tok);
    measures.push({ fn, column: col.name });
  }

  // Missing values.
  if (has(/ (missing|null|nulls|empty|blank|blanks|nan|na|unknown) /)) {
    const cols = free();
    const percent = has(/ (share|percent|percentage|proportion|fraction|pct|ratio) /);
    if (percent && cols.length) {
      return { measures: cols.map((tok) => ({ fn: 'percent' as const, where: [{ column: colOf(c, tok)!.name, op: 'is_missing' as const }] })), filters, ...groupOf() };
    }
    const targets = cols.length ? cols.map((tok) => colOf(c, tok)!.name) : columns.map((x) => x.name);
    return { measures: targets.slice(0, 64).map((name) => ({ fn: 'missing' as const, column: name })), filters, ...groupOf() };
  }

  function and(): { and?: string } { return andTok ? { and: colOf(c, andTok)!.name } : {}; }
  function groupOf(): Pick<QueryForm, 'group' | 'order'> {
    if (groupTok) return { group: { column: colOf(c, groupTok)!.name, ...and() }, order: order ?? { by: 'measure', direction: 'desc' } };
    if (dateCol && bucket) return { group: { column: dateCol.name, bucket: bucket === 'auto' ? autoBucket(dateCol) : bucket, ...and() }, order: { by: 'group', direction: 'asc' } };
    return order ? { order } : {};
  }

  // Share of the whole: per group, or of the rows a filter picks.
  if (has(/ (share|percent|percentage|proportion|fraction|pct) /)) {
    if (!groupTok && !bucket) {
      const cat = free().find((tok) => isCategory(colOf(c, tok)!));
      if (!filters.length && cat) { groupTok = cat; used.add(cat); }
    }
    if (groupTok || (dateCol && bucket)) {
      const num = measures[0] ?? free().map((tok) => colOf(c, tok)!).filter(isNumeric).map((col) => ({ fn: 'sum' as const, column: col.name }))[0];
      return { measures: [num && (num.fn === 'sum' || num.fn === 'count') ? num : { fn: 'count' }], filters, share: true, ...groupOf() };
    }
    if (filters.length) return { measures: [{ fn: 'percent', where: filters }], filters: [] };
  }

  // Top or bottom k, and "which C has the highest D".
  if (topK || which) {
    const nTok = topK ? (/^N/.test(topK[1]) ? topK[1] : topK[2]) : undefined;
    const nSlot = slotOf(t, nTok);
    const k = nSlot?.kind === 'N' ? nSlot.value : 1;
    const dirWord = topK ? (/^N/.test(topK[1]) ? topK[2] : topK[1]) : which![2];
    const direction: 'asc' | 'desc' = ASC.has(dirWord) || dirWord === 'last' ? 'asc' : 'desc';
    if (!groupTok && which && /^C\d+$/.test(which[1]) && !used.has(which[1]) && isCategory(colOf(c, which[1])!)) { groupTok = which[1]; used.add(which[1]); }
    if (!groupTok) {
      const cat = free().find((tok) => { const col = colOf(c, tok)!; return col.type === 'categorical' || col.type === 'boolean'; });
      if (cat) { groupTok = cat; used.add(cat); }
    }
    const limit = Math.max(1, Math.min(1000, Math.round(k)));
    if (groupTok) {
      const num = free().find((tok) => isNumeric(colOf(c, tok)!));
      const m = measures[0] ?? (num ? { fn: defaultAgg(colOf(c, num)!), column: colOf(c, num)!.name } : { fn: 'count' as const });
      return { measures: [m, ...measures.slice(1)], filters, group: { column: colOf(c, groupTok)!.name, ...and() }, order: { by: 'measure', direction }, limit };
    }
    // No group to rank: the rows themselves, by a number ("the 10 cars with the highest horsepower").
    const by = measures[0]?.column ?? free().map((tok) => colOf(c, tok)!).find(isNumeric)?.name ?? free().map((tok) => colOf(c, tok)!).find(isDate)?.name;
    if (by) return { measures: [], filters, order: { by, direction }, limit };
  }

  // "most common C": its values by count.
  const common = / (?:most|least) (common|frequent|popular|usual) (C\d+)/.exec(s) ?? / (C\d+) (?:is |are )?(?:the )?(?:most|least) (common|frequent|popular|usual) /.exec(s);
  if (common) {
    const col = colOf(c, common[2].startsWith('C') ? common[2] : common[1])!;
    return { measures: [{ fn: 'count' }], filters, group: { column: col.name }, order: { by: 'measure', direction: / least /.test(s) ? 'asc' : 'desc' }, limit: 10 };
  }

  // Distinct values: "how many different origins".
  if (!measures.length && has(/ (unique|distinct|different) /)) {
    const tok = free()[0];
    if (tok) { used.add(tok); measures.push({ fn: 'count_distinct', column: colOf(c, tok)!.name }); }
  }

  const counting = has(/ (how many|count|counts|number of|frequency|tally|how often) /);
  if (!measures.length && counting) {
    const tok = /how many (C\d+)/.exec(s)?.[1];
    const col = tok && !used.has(tok) ? colOf(c, tok)! : undefined;
    // "how many origins": the distinct values of a categorical column; otherwise rows.
    if (col && col.type === 'categorical' && !groupTok && !bucket && c.t.slots[Number(tok!.slice(1))].words.endsWith('s')) measures.push({ fn: 'count_distinct', column: col.name });
    else measures.push({ fn: 'count' });
  }

  // A trend with no aggregate named: the number columns summed or averaged, else rows counted.
  if (!measures.length && bucket) {
    const nums = free().map((tok) => colOf(c, tok)!).filter(isNumeric);
    measures.push(...(nums.length ? nums.slice(0, 4).map((col) => ({ fn: defaultAgg(col), column: col.name })) : [{ fn: 'count' as const }]));
  }
  // A group with no aggregate: numbers asked about ("price by city") are averaged or summed, else rows counted.
  if (!measures.length && groupTok) {
    const nums = free().map((tok) => colOf(c, tok)!).filter(isNumeric);
    measures.push(...(nums.length ? nums.slice(0, 4).map((col) => ({ fn: defaultAgg(col), column: col.name })) : [{ fn: 'count' as const }]));
  }

  if (measures.length) return { measures, filters, ...groupOf() };

  // The guesses below read a question from its columns and values alone; with several words left unexplained
  // ("something interesting about …") the question was about something else, and a guess would mislead.
  const unexplained = tokens.filter((tok) => /^[\p{L}]{3,}$/u.test(tok) && !CONTENT_STOP.has(tok) && !RESERVED.has(tok) && !TIME_WORDS[tok] && !AGG_WORDS[tok]);
  if (unexplained.length >= 3) {
    throw new NlqError('unreadable', `The question could not be read (it was not clear what ${unexplained.slice(0, 3).map((w) => `'${w}'`).join(', ')} refer to); try one of these phrasings.`, { try: suggestQuestions(columns) });
  }

  // One number column and nothing else asked of it ("revenue in the north"): its total or average.
  const loneNums = free().map((tok) => colOf(c, tok)!).filter(isNumeric);
  if (loneNums.length === 1 && free().length === 1 && !has(/ (show|list|display|rows|records|entries|which) /)) return { measures: [{ fn: defaultAgg(loneNums[0]), column: loneNums[0].name }], filters };

  // Rows themselves: "show cars where ...", "list name and price sorted by price".
  const listing = has(/ (show|list|display|give|find|rows|records|entries|which|get|see|view|where) /);
  if (listing && (filters.length || order || free().length)) {
    const cols = free().map((tok) => colOf(c, tok)!.name);
    return { measures: [], columns: cols.length ? cols : undefined, filters, order, limit: 100 };
  }
  if (filters.length && !free().length) return { measures: [{ fn: 'count' }], filters };

  const content = tokens.find((tok) => !/^[CVNQ]\d+$/.test(tok) && !CONTENT_STOP.has(tok) && !RESERVED.has(tok) && /^[\p{L}]{3,}$/u.test(tok) && !/^(what|is|the)$/.test(tok));
  throw new NlqError('unreadable', `The question could not be read${content ? ` (it was not clear what '${content}' refers to)` : ''}; try one of these phrasings.`, { try: suggestQuestions(columns) });
}

/**
 * A period for a trend when the question names none: from the column's span (years past three years, months past
 * ninety days, else days), or years for a column named like one and months otherwise when the span is unknown.
 */
export function autoBucket(col: NlqColumn): Bucket {
  const days = col.range ? (Date.parse(col.range.max) - Date.parse(col.range.min)) / 86_400_000 : NaN;
  if (Number.isFinite(days)) return days > 3 * 365 ? 'year' : days > 90 ? 'month' : 'day';
  return /year|yr/i.test(col.name) ? 'year' : 'month';
}

