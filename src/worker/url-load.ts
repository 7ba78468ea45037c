// The worker's `loadModelUrls`: fetches a checkpoint folder served by this site (the built-in model under
// public/models/default/) as Files, so that it loads exactly like a folder the user opened. No request leaves the
// page's origin (RELIABILITY X4): a URL of another origin is refused before anything is fetched.
import { LayerwiseError } from '../lib/errors';
import type { ModelFileUrl } from '../protocol/messages';

export type Fetcher = (url: string) => Promise<Response>;

/** The folder's files that exist; throws a coded error when a required one is missing or unreadable. */
export async function fetchModelFiles(files: readonly ModelFileUrl[], origin: string, fetcher: Fetcher = (url) => fetch(url)): Promise<File[]> {
  for (const f of files) {
    if (new URL(f.url, origin).origin !== origin) {
      throw new LayerwiseError('MODEL_URL_FOREIGN', `${f.name} would be fetched from ${f.url}, which is not this site (${origin}); only files of this site are fetched.`, {
        file: f.name,
      });
    }
  }
  const fetched = await Promise.all(files.map((f) => fetchOne(f, origin, fetcher)));
  return fetched.filter((f): f is File => f !== null);
}

async function fetchOne(f: ModelFileUrl, origin: string, fetcher: Fetcher): Promise<File | null> {
  const url = new URL(f.url, origin).href;
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (err) {
    throw new LayerwiseError('MODEL_FETCH_FAILED', `${f.name} could not be fetched from ${url}: ${err instanceof Error ? err.message : String(err)}.`, { file: f.name });
  }
  // A single-page-app server answers an unknown path with index.html: that is a missing file too.
  const missing = response.status === 404 || (response.ok && /^text\/html\b/i.test(response.headers.get('content-type') ?? ''));
  if (missing && !f.required) return null;
  if (missing) throw new LayerwiseError('MODEL_FILE_MISSING', `${f.name} is missing: ${url} answered HTTP ${response.status}${response.ok ? ' with a web page' : ''}.`, { file: f.name });
  if (!response.ok) throw new LayerwiseError('MODEL_FETCH_FAILED', `${f.name} could not be fetched: ${url} answered HTTP ${response.status}.`, { file: f.name });
  try {
    return new File([await response.blob()], f.name);
  } catch (err) {
    throw new LayerwiseError('MODEL_FETCH_FAILED', `${f.name} was cut off while downloading from ${url}: ${err instanceof Error ? err.message : String(err)}.`, { file: f.name });
  }
}
