import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, CopyObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertSafeKey, type SignedUrl, type Storage } from './storage.js';

export interface S3Options {
  bucket: string; endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean;
}

/** S3-compatible storage (AWS, SeaweedFS, MinIO) with presigned download links. */
export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  private readonly s3: S3Client;
  constructor(private readonly o: S3Options) {
    this.s3 = new S3Client({
      region: o.region, endpoint: o.endpoint, forcePathStyle: o.forcePathStyle,
      credentials: o.accessKeyId && o.secretAccessKey ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } : undefined,
    });
  }
  async put(key: string, body: Uint8Array | string, contentType?: string) {
    assertSafeKey(key);
    await this.s3.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: key, Body: body, ContentType: contentType }));
    return { size: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength };
  }
  async putFile(key: string, filePath: string, contentType?: string) {
    assertSafeKey(key);
    const size = fs.statSync(filePath).size;
    await this.s3.send(new PutObjectCommand({
      Bucket: this.o.bucket, Key: key, Body: fs.createReadStream(filePath), ContentLength: size, ContentType: contentType,
    }));
    return { size };
  }
  async copy(fromKey: string, toKey: string) {
    assertSafeKey(fromKey);
    assertSafeKey(toKey);
    // Keys are built by Assay and URL-safe, but the copy source is a URL path: encode each segment.
    const source = `${this.o.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
    await this.s3.send(new CopyObjectCommand({ Bucket: this.o.bucket, Key: toKey, CopySource: source }));
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: toKey }));
    return { size: Number(head.ContentLength ?? 0) };
  }
  async get(key: string) {
    assertSafeKey(key);
    const res = await this.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }
  async getToFile(key: string, filePath: string) {
    assertSafeKey(key);
    const res = await this.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
    await pipeline(res.Body as Readable, fs.createWriteStream(filePath));
  }
  async exists(key: string) {
    try { await this.s3.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: key })); return true; }
    catch (err) { if ((err as { name?: string }).name === 'NotFound' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false; throw err; }
  }
  async list(prefix: string) {
    const out: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of res.Contents ?? []) out.push({ key: o.Key!, size: Number(o.Size ?? 0) });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }
  async delete(key: string) { assertSafeKey(key); await this.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key })); }
  async deletePrefix(prefix: string) {
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += 1000) {
      await this.s3.send(new DeleteObjectsCommand({ Bucket: this.o.bucket, Delete: { Objects: keys.slice(i, i + 1000).map((k) => ({ Key: k.key })) } }));
    }
  }
  async presign(key: string, opts: { expiresInS: number; filename?: string; contentType?: string }): Promise<SignedUrl> {
    assertSafeKey(key);
    const filename = (opts.filename ?? key.split('/').pop()!).replace(/["\\\r\n]/g, '_');
    const url = await getSignedUrl(this.s3, new GetObjectCommand({
      Bucket: this.o.bucket, Key: key, ResponseContentDisposition: `attachment; filename="${filename}"`, ResponseContentType: opts.contentType,
    }), { expiresIn: opts.expiresInS });
    return { url, expires_at: new Date(Date.now() + opts.expiresInS * 1000).toISOString() };
  }
  async check() { await this.s3.send(new HeadBucketCommand({ Bucket: this.o.bucket })); }
}
