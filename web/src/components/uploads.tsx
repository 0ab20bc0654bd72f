// web: files an agent attaches to an answer: uploaded straight to S3 first, a failed one blocks sending until retried or removed
import { useState } from 'preact/hooks';
import type { UploadedFile } from '../api/types';
import { errorMessage, useApp } from '../app-context';
import { fileSize } from '../lib/format';

interface PendingUpload {
  readonly name: string;
  /** The file picked, kept so a failed upload can be retried. */
  readonly source: File;
  readonly file: UploadedFile | null;
  readonly error: string | null;
}

/** The files of one composer and what they allow. */
export interface Uploads {
  readonly list: readonly PendingUpload[];
  /** True while a file is still on its way. */
  readonly uploading: boolean;
  /** Files that did not upload: sending waits until they are retried or removed. */
  readonly failed: readonly PendingUpload[];
  /** The uploaded files, as the API takes them. */
  readonly files: UploadedFile[];
  readonly upload: (file: File) => Promise<void>;
  readonly remove: (name: string) => void;
  readonly clear: () => void;
}

/** State and actions of a composer's attachments. */
export function useUploads(): Uploads {
  const { api } = useApp();
  const [list, setList] = useState<PendingUpload[]>([]);

  const upload = async (file: File): Promise<void> => {
    const contentType = file.type || 'application/octet-stream';
    const update = (next: PendingUpload): void => setList((all) => all.map((u) => (u.name === file.name ? next : u)));
    setList((all) => [...all.filter((u) => u.name !== file.name), { name: file.name, source: file, file: null, error: null }]);
    try {
      const { key, url } = await api.createUpload({ filename: file.name, contentType, size: file.size });
      let put: Response;
      try {
        put = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: file });
      } catch {
        // The browser hides why (CORS, network): say what the agent can act on.
        throw new Error('the file store could not be reached');
      }
      if (!put.ok) throw new Error(`the file store refused it (HTTP ${put.status})`);
      update({ name: file.name, source: file, file: { key, filename: file.name, contentType, size: file.size }, error: null });
    } catch (failure) {
      update({ name: file.name, source: file, file: null, error: errorMessage(failure) });
    }
  };

  return {
    list,
    uploading: list.some((u) => u.file === null && u.error === null),
    // An answer must never go out silently without a file the agent attached.
    failed: list.filter((u) => u.error !== null),
    files: list.flatMap((u) => (u.file ? [u.file] : [])),
    upload,
    remove: (name) => setList((all) => all.filter((u) => u.name !== name)),
    clear: () => setList([]),
  };
}

/** The picked files with their state, Retry and Remove, and why sending waits. */
export function UploadList({ uploads }: { uploads: Uploads }) {
  const { list, failed } = uploads;
  return (
    <>
      {list.length > 0 && (
        <ul class="uploads" aria-label="Files to attach">
          {list.map((u) => (
            <li key={u.name}>
              {u.name}{' '}
              {u.file ? (
                <span class="muted">({fileSize(u.file.size)})</span>
              ) : u.error ? (
                <>
                  <span class="error">upload failed: {u.error}</span>{' '}
                  <button type="button" class="small" onClick={() => void uploads.upload(u.source)}>
                    Retry
                  </button>
                </>
              ) : (
                <span class="muted">uploading…</span>
              )}
              <button type="button" class="small" onClick={() => uploads.remove(u.name)} aria-label={`Remove ${u.name}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {failed.length > 0 && (
        <p class="error" role="alert">
          {failed.length === 1 ? `${failed[0]!.name} did not upload` : `${failed.length} files did not upload`}: retry or remove
          {failed.length === 1 ? ' it' : ' them'} before sending.
        </p>
      )}
    </>
  );
}

/** The "Attach files" picker; each file picked starts uploading at once. */
export function AttachButton({ uploads }: { uploads: Uploads }) {
  const onFiles = (event: Event): void => {
    const input = event.currentTarget as HTMLInputElement;
    for (const file of Array.from(input.files ?? [])) void uploads.upload(file);
    input.value = '';
  };
  return (
    <label class="file-button">
      Attach files
      <input type="file" multiple onChange={onFiles} class="visually-hidden" />
    </label>
  );
}
