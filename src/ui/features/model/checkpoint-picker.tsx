// Opening a checkpoint folder: a directory picker (<input type="file" webkitdirectory>) styled as a button, and a
// drop target that accepts a dropped folder or its loose files. Both end in one CheckpointPick.
import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { LayerwiseErrorData } from '../../../lib/errors';
import { Icon } from '../../components/icons';
import { readDrop, takeDrop } from './checkpoint-drop';
import { pickCheckpoint, pickedFromInput, type CheckpointPick } from './checkpoint-files';

// React has no typed prop for these non-standard attributes; they pass through to the DOM as written.
const directoryAttributes = { webkitdirectory: '', directory: '' } as Record<string, string>;

export function FolderPicker(props: { onPick: (pick: CheckpointPick) => void; variant?: 'primary' | 'secondary'; label?: string }) {
  const label = props.label ?? 'Open checkpoint folder';
  return (
    <label className={`button button-${props.variant ?? 'primary'} file-button`}>
      <input
        type="file"
        className="visually-hidden"
        multiple
        {...directoryAttributes}
        onChange={(e) => {
          const files = e.currentTarget.files;
          if (files && files.length > 0) props.onPick(pickCheckpoint(pickedFromInput(files)));
          // Reset, so that choosing the same folder again (after fixing a file) fires change again.
          e.currentTarget.value = '';
        }}
      />
      <Icon name="folder" />
      <span>{label}</span>
    </label>
  );
}

function carriesFiles(e: DragEvent): boolean {
  return e.dataTransfer.types.includes('Files');
}

/** Wraps a region: while files are dragged over it, an overlay says what dropping does. */
export function DropZone(props: {
  onPick: (pick: CheckpointPick) => void;
  onError: (error: LayerwiseErrorData) => void;
  children: ReactNode;
  className?: string;
}) {
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
        const drop = takeDrop(e.dataTransfer);
        readDrop(drop).then(
          (picked) => props.onPick(pickCheckpoint(picked)),
          (err: unknown) =>
            props.onError({ code: 'DROP_UNREADABLE', message: `The dropped files could not be read: ${err instanceof Error ? err.message : String(err)}` }),
        );
      }}
    >
      {props.children}
      {over && (
        <div className="drop-overlay" aria-hidden="true">
          <Icon name="upload" size={32} />
          <span>Drop the checkpoint folder to load it</span>
        </div>
      )}
    </div>
  );
}
