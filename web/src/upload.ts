// The one call not made through the typed client: fetch cannot report upload progress, XMLHttpRequest can.
// Its answer is typed with the generated types all the same.
import { AssayApiError } from '../../client/index.js';
import { session, type Answer } from './api.js';

export type Uploaded = Answer<'uploadDataset'>;

/**
 * Uploads a table to `POST /datasets/upload`, reporting the fraction sent (0..1).
 * @example const ds = await uploadDataset(file, (f) => setProgress(f));
 */
export function uploadDataset(file: File, onProgress: (fraction: number) => void): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/datasets/upload');
    const token = session.token();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => (xhr.status === 201 ? resolve(xhr.response as Uploaded) : reject(new AssayApiError(xhr.status, xhr.response)));
    xhr.onerror = () => reject(new Error('The upload did not reach the server; check the connection and try again.'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
