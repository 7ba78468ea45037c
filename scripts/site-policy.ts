// What the built site asks of the browser, in one place (RELIABILITY X4-X6): the Content-Security-Policy every HTML
// page carries as a <meta> (so it holds on any static server, and the engine worker, started from a blob: URL,
// inherits it), and the response headers a server should add — COOP/COEP for cross-origin isolation (threads for
// WASM), which no <meta> can set. vite.config.ts puts the policy into each page (dev, build and preview) and writes
// the headers as dist/_headers (Netlify and Cloudflare Pages read it; docs/DEPLOY.md has nginx, Caddy and Apache);
// the e2e tests serve dist/ with exactly these headers, and without any (e2e/support/site-server.ts).

/**
 * The Hugging Face Hub and the hosts its downloads redirect to (cdn-lfs*.hf.co, cas-bridge.xethub.hf.co,
 * us.aws.cdn.hf.co, the older cdn-lfs.huggingface.co). Only the Hub bridge page (hub-bridge.html), which the studio
 * opens once the user asks for the Hub, may connect to them; the studio's own page and worker may not.
 */
export const HUB_CONNECT_SRC = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

/** Headers for every file of the site. The CSP here only says who may frame it: the rest is in each page's <meta>. */
export const SITE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "frame-ancestors 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface PolicyOptions {
  /** Sources connect-src allows besides this origin (the Hub hosts for the bridge page; an e2e stand-in Hub). */
  connect?: readonly string[];
  /** sha256 sources of inline scripts (the dev server's React refresh preamble); the built pages have none. */
  scriptHashes?: readonly string[];
}

/**
 * The page's policy: only this origin, WASM compilation without 'unsafe-eval', and the blob: workers that
 * tfjs-backend-wasm spawns for its threads (and the engine worker's own blob: wrapper, which makes it inherit this
 * policy). Styles allow inline attributes: React sets style props.
 */
export function contentSecurityPolicy(opts: PolicyOptions = {}): string {
  const hashes = (opts.scriptHashes ?? []).map((h) => `'${h}'`);
  return [
    "default-src 'self'",
    ["script-src 'self' 'wasm-unsafe-eval' blob:", ...hashes].join(' '),
    "worker-src 'self' blob:",
    ["connect-src 'self' blob: data:", ...(opts.connect ?? [])].join(' '),
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Extra connect-src sources for the e2e tests' local Hub (e.g. http://127.0.0.1:*), never set in production. */
export function e2eConnectSrc(value = process.env.LAYERWISE_E2E_CONNECT_SRC ?? ''): string[] {
  const sources = value.split(/\s+/).filter(Boolean);
  const bad = sources.find((s) => /[;,'"<>]/.test(s));
  if (bad !== undefined) throw new Error(`LAYERWISE_E2E_CONNECT_SRC: ${JSON.stringify(bad)} is not a CSP source expression`);
  return sources;
}

/** The headers as a `_headers` file (Netlify, Cloudflare Pages): one rule for every path. */
export function headersFile(headers: Readonly<Record<string, string>> = SITE_HEADERS): string {
  const lines = ['# Written by vite.config.ts from scripts/site-policy.ts: response headers for every file of the site.', '/*'];
  for (const [name, value] of Object.entries(headers)) lines.push(`  ${name}: ${value}`);
  return `${lines.join('\n')}\n`;
}

/** A `_headers` file read back: path patterns (`*` matches anything) and their headers, in file order. */
export function parseHeadersFile(text: string): { pattern: RegExp; headers: [string, string][] }[] {
  const rules: { pattern: RegExp; headers: [string, string][] }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(raw)) {
      const escaped = raw.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
      rules.push({ pattern: new RegExp(`^${escaped}$`), headers: [] });
      continue;
    }
    const at = raw.indexOf(':');
    const rule = rules.at(-1);
    if (rule === undefined || at < 0) throw new Error(`_headers: a header line outside a rule, or without a colon: ${JSON.stringify(raw)}`);
    rule.headers.push([raw.slice(0, at).trim(), raw.slice(at + 1).trim()]);
  }
  return rules;
}

/** The sha256 source of an inline script's text, as CSP hashes it. */
export async function scriptHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `sha256-${Buffer.from(digest).toString('base64')}`;
}
