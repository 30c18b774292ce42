/** The semantic column types Assay infers; later stages branch on these, never on storage types. */
export const COLUMN_TYPES = ['integer', 'float', 'boolean', 'datetime', 'categorical', 'text', 'identifier'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnFacts {
  name: string;
  storageType: string;
  rows: number;
  nonNull: number;
  distinct: number;
  avgLength: number | null;
}

/** A string column with more than this share of distinct values (and more than 50 of them) is not a category. */
export const NEAR_UNIQUE = 0.5;

/** Names that usually hold identifiers. */
export const ID_NAME = /(^id$|_id$|^id_|uuid|guid|^key$)/i;

/**
 * Maps a DuckDB storage type plus simple facts to a semantic type.
 * Strings are categorical when they repeat (≤ 50 values, or ≤ 5% distinct) or mostly repeat; free text when long;
 * identifiers when most values are unique and short (a name per row, a title: as a category it would be one
 * level per row, which a model can only memorise); whole numbers named like ids and unique are identifiers.
 */
export function inferColumnType(f: ColumnFacts): ColumnType {
  const t = f.storageType.toUpperCase();
  const uniqueRatio = f.nonNull > 0 ? f.distinct / f.nonNull : 0;
  if (t === 'BOOLEAN') return 'boolean';
  if (/^(DATE|TIMESTAMP|TIME)/.test(t)) return 'datetime';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(t)) {
    if (ID_NAME.test(f.name) && uniqueRatio > 0.95) return 'identifier';
    return 'integer';
  }
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL)/.test(t)) return 'float';
  if (t === 'VARCHAR') {
    if (f.distinct <= 50 || uniqueRatio <= 0.05) return 'categorical';
    if ((f.avgLength ?? 0) > 40) return 'text';
    if (uniqueRatio > NEAR_UNIQUE) return 'identifier';
    return 'categorical';
  }
  // Lists, structs, blobs: kept as text so nothing is silently dropped.
  return 'text';
}
