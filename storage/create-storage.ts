import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { Env } from '../config/env.js';
import { jwtSecretOf } from '../config/secrets.js';
import { FsStorage } from './fs-storage.js';
import { S3Storage } from './s3-storage.js';
import type { Storage } from './storage.js';

/** The public base URL of the API, used in filesystem download links. */
export const publicUrlOf = (env: Pick<Env, 'PUBLIC_URL' | 'PORT'>) => env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;

/** The key that signs filesystem download links: derived from JWT_SECRET, never the token key itself. */
export const fileLinkSecret = (env: Pick<Env, 'JWT_SECRET' | 'DATA_DIR'>) => createHmac('sha256', jwtSecretOf(env)).update('assay/file-links/v1').digest('base64url');

/** S3 when `S3_BUCKET` is set, otherwise the filesystem under `DATA_DIR/artifacts`. */
export function createStorage(env: Env): Storage {
  if (env.S3_BUCKET) {
    return new S3Storage({
      bucket: env.S3_BUCKET, endpoint: env.S3_ENDPOINT, region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY, forcePathStyle: env.S3_FORCE_PATH_STYLE !== 'false',
    });
  }
  return new FsStorage(path.join(env.DATA_DIR, 'artifacts'), fileLinkSecret(env), () => publicUrlOf(env));
}
