// Hub model ids, revisions, endpoints and file URLs, validated before any request is made. Ids follow
// huggingface_hub's validate_repo_id (ASCII: letters, digits, '-', '_', '.'; no '--' or '..'); URLs follow its
// hf_hub_url: `{endpoint}/{id}/resolve/{quote(revision, safe='')}/{file}`.
import { LayerwiseError } from '../lib/errors';
import { DEFAULT_HUB_ENDPOINT, DEFAULT_HUB_REVISION } from '../protocol/hub';

/** One model revision on one endpoint: what a cache entry and a download are keyed by. */
export interface HubRef {
  /** Normalised endpoint: scheme, host and path prefix, no trailing slash. */
  endpoint: string;
  /** owner/name or name. */
  id: string;
  revision: string;
}

const MAX_NAME_LENGTH = 96;
const MAX_REVISION_LENGTH = 255;
// A name starts and ends with a word character, as validate_repo_id's \b...\b requires.
const SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const REVISION = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
// A plain file name in the model's folder (config, tokenizer, shards): never a path, never hidden.
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;
const COMMIT = /^[0-9a-f]{40}$/;

const EXAMPLE_ID = 'google-bert/bert-base-uncased';

function badId(id: string, why: string): never {
  throw new LayerwiseError('HUB_BAD_MODEL_ID', `${JSON.stringify(id)} is not a Hub model id: ${why} (e.g. ${EXAMPLE_ID})`, {
    field: 'id',
  });
}

/** The model id as typed, checked so that it cannot leave the `/{id}/resolve/` path of the URL. */
export function validateModelId(id: string): string {
  if (typeof id !== 'string' || id.trim() === '') badId(String(id), 'it is empty');
  if (/^[a-z][a-z0-9+.-]*:/i.test(id)) badId(id, 'give the id (owner/name), not a URL');
  if (id !== id.trim()) badId(id, 'it has spaces around it');
  const parts = id.split('/');
  if (parts.length > 2) badId(id, 'it has more than one "/" (expected owner/name or name)');
  if (id.includes('--') || id.includes('..')) badId(id, 'it contains "--" or ".."');
  if (id.endsWith('.git')) badId(id, 'it ends with ".git"');
  for (const part of parts) {
    if (part.length > MAX_NAME_LENGTH) badId(id, `a part is longer than ${MAX_NAME_LENGTH} characters`);
    if (!SEGMENT.test(part)) {
      badId(id, 'each part is letters, digits, "-", "_" and ".", and starts and ends with a letter, digit or "_"');
    }
  }
  return id;
}

/** A branch, tag, commit or refs/pr/N; its slashes are escaped in the URL, so it stays one path segment. */
export function validateRevision(revision: string): string {
  const fail = (why: string): never => {
    throw new LayerwiseError('HUB_BAD_REVISION', `${JSON.stringify(revision)} is not a revision: ${why} (e.g. main, v1.0, a commit hash, refs/pr/1)`, {
      field: 'revision',
    });
  };
  if (typeof revision !== 'string' || revision === '') fail('it is empty');
  if (revision.length > MAX_REVISION_LENGTH) fail(`it is longer than ${MAX_REVISION_LENGTH} characters`);
  if (!REVISION.test(revision)) fail('it may hold letters, digits, "-", "_", "." and "/" between names');
  if (revision.includes('..') || revision.split('/').some((s) => s.startsWith('.'))) fail('it contains ".." or a part starting with "."');
  return revision;
}

/** The endpoint as `scheme://host[:port][/prefix]`; http(s) only, no credentials, query or fragment. */
export function normaliseEndpoint(endpoint: string = DEFAULT_HUB_ENDPOINT): string {
  const fail = (why: string): never => {
    throw new LayerwiseError('HUB_BAD_ENDPOINT', `${JSON.stringify(endpoint)} is not a Hub endpoint: ${why} (e.g. ${DEFAULT_HUB_ENDPOINT})`, {
      field: 'endpoint',
    });
  };
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return fail('it is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('only http and https are supported');
  if (url.username !== '' || url.password !== '') fail('it must not hold a user name or password');
  if (url.search !== '' || url.hash !== '') fail('it must not have a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function hubRef(id: string, revision: string = DEFAULT_HUB_REVISION, endpoint?: string): HubRef {
  return { id: validateModelId(id), revision: validateRevision(revision), endpoint: normaliseEndpoint(endpoint) };
}

/** A file name from the model's folder or its shard index, before it becomes part of a URL or a cache path. */
export function isPlainFileName(name: string): boolean {
  return FILE_NAME.test(name) && !name.includes('..') && name.length <= 255;
}

/** `{endpoint}/{id}/resolve/{revision}/{file}` for a validated ref and a plain file name. */
export function hubFileUrl(ref: HubRef, file: string): string {
  if (!isPlainFileName(file)) {
    throw new LayerwiseError('HUB_BAD_FILE_NAME', `${JSON.stringify(file)} is not a plain file name`, { file });
  }
  return `${ref.endpoint}/${ref.id}/resolve/${encodeURIComponent(ref.revision)}/${file}`;
}

/** A full commit hash names content that never changes, so its cached files need no request. */
export function isCommitRevision(revision: string): boolean {
  return COMMIT.test(revision);
}

export const HUB_SPEC_PREFIX = 'hub:';

/** `hub:owner/name[@revision]` (the CLI's --model), or null when the value does not start with `hub:`. */
export function parseHubSpec(spec: string): { id: string; revision: string } | null {
  if (!spec.startsWith(HUB_SPEC_PREFIX)) return null;
  const rest = spec.slice(HUB_SPEC_PREFIX.length);
  // Ids cannot contain "@", so the first one starts the revision (which may hold "/", as refs/pr/1 does).
  const at = rest.indexOf('@');
  const id = at < 0 ? rest : rest.slice(0, at);
  const revision = at < 0 ? DEFAULT_HUB_REVISION : rest.slice(at + 1);
  return { id: validateModelId(id), revision: validateRevision(revision) };
}
