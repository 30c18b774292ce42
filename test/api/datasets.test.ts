import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, VEGA } from '../helpers/client.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { makeXlsx, makeZipBomb } from '../helpers/xlsx.js';

let stack: Stack;
let c: ApiClient;
beforeAll(async () => {
  stack = await startStack({ db: 'postgres', env: { MAX_UPLOAD_MB: '1' } });
  c = new ApiClient(stack.base);
  await c.register();
});
afterAll(async () => { await stack?.close(); });

describe('upload', () => {
  test('a CSV upload answers 201 with rows, typed columns and a preview; a default project is made', async () => {
    const r = await c.uploadFile(VEGA('seattle-weather.csv'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'seattle-weather', rows: 1461, cols: 6 });
    expect(r.body.columns).toEqual([
      { name: 'date', type: 'datetime' }, { name: 'precipitation', type: 'float' }, { name: 'temp_max', type: 'float' },
      { name: 'temp_min', type: 'float' }, { name: 'wind', type: 'float' }, { name: 'weather', type: 'categorical' },
    ]);
    expect(r.body.preview.columns).toHaveLength(6);
    expect(r.body.source).toEqual({ format: 'csv', encoding: 'utf-8', delimiter: ',', header: true, sheet: null });
    expect(r.body.preview.first_rows[0]).toMatchObject({ precipitation: 0, weather: 'drizzle' });
    const projects = (await c.get('/projects')).body.items;
    expect(projects.map((p: { name: string }) => p.name)).toContain('Default');
  });

  test('JSON, TSV and Parquet are read too', async () => {
    expect((await c.uploadFile(VEGA('cars.json'))).body).toMatchObject({ rows: 406, cols: 9 });
    expect((await c.uploadFile(VEGA('unemployment.tsv'))).body).toMatchObject({ cols: 2 });
    const parquet = fs.readFileSync(VEGA('flights-3m.parquet'));
    expect(parquet.length).toBeGreaterThan(1024 * 1024); // over this stack's 1 MB limit: refused before reading
    expect((await c.upload('flights.parquet', parquet)).status).toBe(413);
  });

  test('an upload over MAX_UPLOAD_MB is 413 PAYLOAD_TOO_LARGE', async () => {
    const big = 'a,b\n' + '1,2\n'.repeat(300_000);
    const r = await c.upload('big.csv', big);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('XLSX workbooks upload, by default the first sheet or the one named; notes say how the file was read', async () => {
    const book = makeXlsx({ First: [['city', 'n'], ['Oslo', 1], ['Lima', 2], ['Oslo', 3]], Second: [['a', 'b', 'b'], [1, 2, 3], [4, 5, 6]] });
    const r = await c.upload('book.xlsx', book);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ rows: 3, cols: 2, columns: [{ name: 'city', type: 'categorical' }, { name: 'n', type: 'integer' }] });
    expect(r.body.notes).toContain("Read sheet 'First' of 'First', 'Second'.");
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(book)]), 'book.xlsx');
    fd.append('sheet', 'Second');
    const second = await c.req('POST', '/datasets/upload', fd);
    expect(second.status).toBe(201);
    expect(second.body.columns.map((x: { name: string }) => x.name)).toEqual(['a', 'b', 'b_2']);
    expect(second.body.notes).toContain("Repeated column names were made unique: 'b' → 'b_2'.");
    expect((await c.get(`/datasets/${second.body.dataset_id}`)).body.cols).toBe(3);
    const csv = new FormData();
    csv.append('file', new Blob(['a\n1\n']), 'x.csv');
    csv.append('sheet', 'Second');
    expect((await c.req('POST', '/datasets/upload', csv)).body.error.message).toBe('sheet: only workbooks (XLSX, XLS, ODS) have sheets');
  });

  test.each(['libreoffice.xls', 'libreoffice.ods'])('%s (made by LibreOffice) uploads, the sheet named read, its format kept', async (name) => {
    const book = fs.readFileSync(new URL(`../fixtures/workbooks/${name}`, import.meta.url));
    const r = await c.upload(name, book, { sheet: 'Other' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ rows: 2, cols: 2, columns: [{ name: 'x' }, { name: 'label' }] });
    expect((await c.get(`/datasets/${r.body.dataset_id}`)).body).toMatchObject({ format: name.slice(-3), rows: 2 });
    expect(r.body.notes).toContain("Read sheet 'Other' of 'Data', 'Other'.");
  });

  test('UTF-16 and Windows-1252 text upload; a zip bomb posing as XLSX is 422 naming it, and nothing is kept', async () => {
    const utf16 = await c.upload('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,n\nJosé,1\nZoë,2\n', 'utf16le')]));
    expect(utf16.status).toBe(201);
    expect(utf16.body.preview.first_rows[0]).toEqual({ name: 'José', n: 1 });
    expect(utf16.body.notes).toContain('The file is encoded as UTF-16LE; it was read as such.');
    const before = (await c.get('/datasets?limit=100')).body.items.length;
    const bomb = await c.upload('bomb.xlsx', makeZipBomb(300 * 1024 * 1024, true));
    expect(bomb.status).toBe(422);
    expect(bomb.body.error).toMatchObject({ code: 'UNPROCESSABLE_DATASET', message: 'The XLSX file expands to more than 256 MB (xl/worksheets/sheet1.xml); it may be a zip bomb. Save the sheet as CSV instead.' });
    expect((await c.get('/datasets?limit=100')).body.items.length).toBe(before);
  }, 60_000);

  test('a type not in ALLOWED_EXTS is 415 naming the type', async () => {
    const r = await c.upload('tool.exe', 'MZ....');
    expect(r.status).toBe(415);
    expect(r.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(r.body.error.message).toMatch(/'\.exe'/);
  });

  test.each([
    ['empty.csv', '', /empty/],
    ['header.csv', 'a,b,c\n', /header but no data rows/],
    ['binary.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3]), /binary/],
    ['fake.parquet', 'a,b\n1,2\n', /not a Parquet file/],
    ['scalar.json', '42', /array of objects/],
  ])('unreadable content (%s) is 422 UNPROCESSABLE_DATASET saying why', async (name, content, why) => {
    const r = await c.upload(name, content);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('UNPROCESSABLE_DATASET');
    expect(r.body.error.message).toMatch(why);
  });

  test('a request without a file is 400; a non-multipart body is 415', async () => {
    const fd = new FormData();
    fd.append('other', 'x');
    expect((await c.req('POST', '/datasets/upload', fd)).body.error.message).toMatch(/^file: /);
    expect((await c.post('/datasets/upload', { file: 'x' })).status).toBe(415);
  });

  test('the stored key never comes from the client path', async () => {
    const r = await c.upload('../../etc/passwd.csv', 'a,b\n1,2\n');
    expect(r.status).toBe(201);
    const row = await stack.db.selectFrom('datasets').selectAll().where('id', '=', r.body.dataset_id).executeTakeFirstOrThrow();
    expect(row.filename).toBe('passwd.csv');
    expect(row.storage_key).toBe(`datasets/${row.user_id}/${row.id}/upload.csv`);
  });
});

describe('reading datasets', () => {
  test('list pages with a cursor, get shows the schema, preview honours n ≤ 1000', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await u.upload(`t${i}.csv`, `x,y\n${i + 10},1\n${i + 11},3\n`)).body.dataset_id);
    const p1 = await u.get('/datasets?limit=2');
    expect(p1.body.items).toHaveLength(2);
    const p2 = await u.get(`/datasets?limit=2&cursor=${p1.body.next_cursor}`);
    expect(p2.body.items).toHaveLength(1);
    expect(p2.body.next_cursor).toBeNull();
    expect([...p1.body.items, ...p2.body.items].map((d: { id: string }) => d.id).sort()).toEqual([...ids].sort());
    const one = await u.get(`/datasets/${ids[0]}`);
    expect(one.body.columns).toEqual([{ name: 'x', type: 'integer' }, { name: 'y', type: 'integer' }]);
    expect((await u.get(`/datasets/${ids[0]}/preview?n=1`)).body.first_rows).toEqual([{ x: 10, y: 1 }]);
    expect((await u.get(`/datasets/${ids[0]}/preview?n=1001`)).status).toBe(400);
    expect((await u.get('/datasets?cursor=garbage')).status).toBe(400);
  });

  test('preview past the stored rows reads the upload again', async () => {
    const u = new ApiClient(stack.base);
    await u.register();
    const body = 'n\n' + Array.from({ length: 50 }, (_, i) => i).join('\n') + '\n';
    const id = (await u.upload('n.csv', body)).body.dataset_id;
    const p = await u.get(`/datasets/${id}/preview?n=40`);
    expect(p.body.first_rows).toHaveLength(40);
    expect(p.body.first_rows[39]).toEqual({ n: 39 });
  });

  test('delete answers 204 and removes the row and the stored upload', async () => {
    const r = await c.upload('gone.csv', 'a\n1\n2\n');
    const row = await stack.db.selectFrom('datasets').selectAll().where('id', '=', r.body.dataset_id).executeTakeFirstOrThrow();
    expect(await stack.storage.exists(row.storage_key)).toBe(true);
    expect((await c.del(`/datasets/${r.body.dataset_id}`)).status).toBe(204);
    expect((await c.get(`/datasets/${r.body.dataset_id}`)).status).toBe(404);
    expect(await stack.storage.exists(row.storage_key)).toBe(false);
  });

  test('a malformed id is 400, an unknown one 404', async () => {
    expect((await c.get('/datasets/not-a-uuid')).status).toBe(400);
    expect((await c.get('/datasets/00000000-0000-4000-8000-000000000000')).body.error.code).toBe('NOT_FOUND');
  });
});
