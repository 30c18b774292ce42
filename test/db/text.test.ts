import { expect, test } from 'vitest';
import { cleanText, isStorableText, jsonb } from '../../db/text.js';

test('NUL and unpaired surrogates are detected and replaced; valid pairs are kept', () => {
  expect(isStorableText('plain 😀 text')).toBe(true);
  expect(isStorableText('a\u0000b')).toBe(false);
  expect(isStorableText('\udb29x')).toBe(false);
  expect(isStorableText('x\ude7f')).toBe(false);
  expect(cleanText('a\u0000b\udb29😀')).toBe('a\uFFFDb\uFFFD😀');
});

test('jsonb cleans strings and keys at any depth', () => {
  expect(JSON.parse(jsonb({ 'k\u0000': [{ v: 'x\ud800' }], n: 1 }))).toEqual({ 'k\uFFFD': [{ v: 'x\uFFFD' }], n: 1 });
});
