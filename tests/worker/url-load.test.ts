// Fetching a checkpoint folder served by this site (src/worker/url-load.ts) with a stand-in fetch: files come back
// as Files with their bytes, a missing optional file is skipped (also when a single-page-app server answers with
// index.html), a missing required one is a coded error, and no URL of another origin is ever requested.
import { describe, expect, it } from 'vitest';
import type { ModelFileUrl } from '../../src/protocol/messages';
import { fetchModelFiles } from '../../src/worker/url-load';

const ORIGIN = 'http://127.0.0.1:4317';

/** A server holding `files` (path -> body); any other path gets index.html, as `vite preview` answers. */
function site(files: Record<string, string>, requested: string[]) {
  return async (url: string): Promise<Response> => {
    requested.push(url);
    const path = new URL(url).pathname;
    if (Object.hasOwn(files, path)) return new Response(files[path], { headers: { 'content-type': 'application/octet-stream' } });
    if (path.endsWith('.missing')) return new Response('not found', { status: 404 });
    return new Response('<!doctype html><title>Layerwise</title>', { headers: { 'content-type': 'text/html; charset=utf-8' } });
  };
}

const url = (name: string, required = true): ModelFileUrl => ({ name, url: `${ORIGIN}/models/default/${name}`, required });

describe('fetchModelFiles', () => {
  it('returns the files that exist, byte for byte, and skips missing optional ones', async () => {
    const requested: string[] = [];
    const fetcher = site({ '/models/default/config.json': '{"model_type":"bert"}', '/models/default/model.safetensors': 'weights' }, requested);
    const files = await fetchModelFiles([url('config.json'), url('model.safetensors'), url('README.md', false), url('vocab.missing', false)], ORIGIN, fetcher);
    expect(files.map((f) => f.name)).toEqual(['config.json', 'model.safetensors']);
    expect(await files[0].text()).toBe('{"model_type":"bert"}');
    expect(requested).toHaveLength(4);
  });

  it('a missing required file is MODEL_FILE_MISSING, whether the server says 404 or serves its page', async () => {
    const fetcher = site({}, []);
    await expect(fetchModelFiles([url('config.missing')], ORIGIN, fetcher)).rejects.toMatchObject({ code: 'MODEL_FILE_MISSING', location: { file: 'config.missing' } });
    await expect(fetchModelFiles([url('config.json')], ORIGIN, fetcher)).rejects.toMatchObject({ code: 'MODEL_FILE_MISSING', message: expect.stringContaining('web page') });
  });

  it('a server error or a network failure is MODEL_FETCH_FAILED', async () => {
    await expect(fetchModelFiles([url('config.json')], ORIGIN, async () => new Response('', { status: 500 }))).rejects.toMatchObject({ code: 'MODEL_FETCH_FAILED' });
    await expect(
      fetchModelFiles([url('config.json', false)], ORIGIN, async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).rejects.toMatchObject({ code: 'MODEL_FETCH_FAILED', message: expect.stringContaining('Failed to fetch') });
  });

  it('refuses a URL of another origin before requesting anything', async () => {
    const requested: string[] = [];
    const files = [url('config.json'), { name: 'model.safetensors', url: 'https://example.com/model.safetensors', required: true }];
    await expect(fetchModelFiles(files, ORIGIN, site({}, requested))).rejects.toMatchObject({ code: 'MODEL_URL_FOREIGN', location: { file: 'model.safetensors' } });
    expect(requested).toEqual([]);
  });

  it('resolves relative URLs against the origin', async () => {
    const requested: string[] = [];
    await fetchModelFiles([{ name: 'config.json', url: '/models/default/config.json', required: true }], ORIGIN, site({ '/models/default/config.json': '{}' }, requested));
    expect(requested).toEqual([`${ORIGIN}/models/default/config.json`]);
  });
});
