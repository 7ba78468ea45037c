// The backend badge in the header and its menu (a native popover): which backend runs, why, what to know,
// and the user's override. Changing it sends setBackend; the badge updates when the worker reports ready.
import { useId } from 'react';
import { BACKENDS, type BackendName } from '../../protocol/messages';
import { Icon } from '../components/icons';
import { useEngine } from '../engine-context';
import { BACKEND_LABELS } from '../format';
import { useApp } from '../store/app-store';

const HINTS: Record<BackendName, string> = {
  webgpu: 'Runs on the GPU; fastest on real graphics hardware.',
  wasm: 'Runs on the CPU with SIMD, on several threads when the page is isolated.',
  cpu: 'Plain JavaScript; slowest, for checks only.',
};

function badgeText(status: string, backend: BackendName | null, threads: number): string {
  if (status === 'starting' || backend === null) return 'Starting engine…';
  if (status === 'unresponsive') return 'Engine not responding';
  if (status === 'crashed') return 'Engine stopped';
  return backend === 'wasm' ? `WASM · ${threads} ${threads === 1 ? 'thread' : 'threads'}` : BACKEND_LABELS[backend];
}

export function BackendMenu() {
  const menuId = useId();
  const engine = useEngine();
  const status = useApp((s) => s.engine.status);
  const backend = useApp((s) => s.engine.backend);
  const threads = useApp((s) => s.engine.threads);
  const reason = useApp((s) => s.engine.reason);
  const notices = useApp((s) => s.engine.notices);
  const probe = useApp((s) => s.engine.probe);
  const chosenBy = useApp((s) => s.engine.chosenBy);
  const requested = useApp((s) => s.engine.requestedBackend);
  const text = badgeText(status, backend, threads);
  const tone = status === 'ready' ? (notices.length > 0 ? 'warning' : 'ok') : status === 'starting' ? 'busy' : 'error';
  return (
    <>
      <button type="button" className="backend-badge" popoverTarget={menuId} aria-label={`Compute backend: ${text}`}>
        <span className={`status-dot status-${tone}`} aria-hidden="true" />
        <Icon name="chip" size={16} />
        <span>{text}</span>
        <Icon name="chevron" size={14} />
      </button>
      <div id={menuId} popover="auto" className="popover backend-popover" role="dialog" aria-label="Compute backend">
        <p className="popover-title">Compute backend</p>
        {reason !== '' && <p className="popover-text">{reason}</p>}
        {notices.length > 0 && (
          <ul className="notice-list">
            {notices.map((n) => (
              <li key={n}>
                <Icon name="warning" size={14} /> {n}
              </li>
            ))}
          </ul>
        )}
        <fieldset className="choice-list" disabled={status !== 'ready' || requested !== null}>
          <legend>Run the engine on</legend>
          {BACKENDS.map((b) => (
            <label key={b} className="choice">
              <input
                type="radio"
                name={`${menuId}-backend`}
                value={b}
                checked={(requested ?? backend) === b}
                onChange={() => engine.setBackend(b)}
              />
              <span>
                <span className="choice-title">
                  {BACKEND_LABELS[b]}
                  {requested === b && <span className="muted"> · switching…</span>}
                  {requested === null && backend === b && <span className="muted"> · {chosenBy === 'auto' ? 'chosen automatically' : 'your choice'}</span>}
                </span>
                <span className="choice-hint">{HINTS[b]}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {probe && (
          <dl className="probe-list">
            <div>
              <dt>WebGPU adapter</dt>
              <dd>
                {probe.adapter
                  ? `${[probe.adapter.vendor, probe.adapter.architecture].filter(Boolean).join(' ') || probe.adapter.description || 'unnamed'}${probe.adapter.isFallbackAdapter ? ' (software fallback)' : ''}`
                  : probe.webgpuApi
                    ? 'none returned'
                    : 'WebGPU not available'}
              </dd>
            </div>
            <div>
              <dt>Cross-origin isolated</dt>
              <dd>{probe.crossOriginIsolated ? 'yes (WASM threads allowed)' : 'no (WASM on one thread)'}</dd>
            </div>
            <div>
              <dt>Logical CPU cores</dt>
              <dd>{probe.hardwareConcurrency}</dd>
            </div>
          </dl>
        )}
      </div>
    </>
  );
}
