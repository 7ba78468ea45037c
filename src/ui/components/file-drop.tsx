// Drop targets: an overlay says what dropping does while files are dragged over a region; FileDrop hands on the
// first dropped file. The file input next to it is the keyboard and screen-reader path.
import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { Icon } from './icons';

function carriesFiles(e: DragEvent): boolean {
  return e.dataTransfer.types.includes('Files');
}

/** Wraps a region: while files are dragged over it, an overlay says what dropping does; onDrop gets the drop's data. */
export function DropTarget(props: { onDrop: (data: DataTransfer) => void; overlay: string; className?: string; children: ReactNode }) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child; count them so the overlay does not flicker.
  const depth = useRef(0);
  return (
    <div
      className={`drop-zone ${props.className ?? ''} ${over ? 'is-over' : ''}`}
      onDragEnter={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        props.onDrop(e.dataTransfer);
      }}
    >
      {props.children}
      {over && (
        <div className="drop-overlay" aria-hidden="true">
          <Icon name="upload" size={32} />
          <span>{props.overlay}</span>
        </div>
      )}
    </div>
  );
}

/** A drop target for one file: the first dropped file is handed on. */
export function FileDrop(props: { onFile: (file: File) => void; overlay: string; className?: string; children: ReactNode }) {
  return (
    <DropTarget
      overlay={props.overlay}
      className={props.className}
      onDrop={(data) => {
        const file = data.files[0];
        if (file) props.onFile(file);
      }}
    >
      {props.children}
    </DropTarget>
  );
}

/** A file input styled as a button; its label is the accessible name. */
export function FileButton(props: { label: string; accept?: string; onFile: (file: File) => void; variant?: 'primary' | 'secondary'; text?: string }) {
  return (
    <label className={`button button-${props.variant ?? 'primary'} file-button`}>
      <input
        type="file"
        className="visually-hidden"
        aria-label={props.label}
        accept={props.accept}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) props.onFile(file);
          // Reset, so that choosing the same file again (after fixing it) fires change again.
          e.currentTarget.value = '';
        }}
      />
      <Icon name="upload" />
      <span>{props.text ?? props.label}</span>
    </label>
  );
}
