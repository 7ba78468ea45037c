// Records what would break "nothing leaves the browser" (RELIABILITY X4, X5): requests to any other origin, and
// Content-Security-Policy violations reported on the console (page or worker).
import type { Page } from '@playwright/test';

export interface OriginLog {
  foreignRequests: string[];
  cspViolations: string[];
}

export function guardOrigin(page: Page, origin: string): OriginLog {
  const log: OriginLog = { foreignRequests: [], cspViolations: [] };
  const onConsole = (text: string) => {
    if (/Content Security Policy/i.test(text)) log.cspViolations.push(text);
  };
  page.on('request', (request) => {
    const url = request.url();
    // blob: URLs carry their creator's origin (blob:http://host/uuid); data: URLs make no request at all.
    if (url.startsWith('data:')) return;
    if (new URL(url.startsWith('blob:') ? url.slice(5) : url).origin !== origin) log.foreignRequests.push(url);
  });
  page.on('console', (message) => onConsole(message.text()));
  page.on('worker', (worker) => worker.on('console', (message) => onConsole(message.text())));
  return log;
}
