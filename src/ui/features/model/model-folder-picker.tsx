// Opening a checkpoint folder: a directory picker (<input type="file" webkitdirectory>) styled as a button, and a
// drop target that accepts a dropped folder or its loose files. Both end in one ModelFolderPick.
import type { ReactNode } from 'react';
import type { LayerwiseErrorData } from '../../../lib/errors';
import { DropTarget } from '../../components/file-drop';
import { Icon } from '../../components/icons';
import { readDrop, takeDrop } from './folder-drop';
import { pickModelFolder, pickedFromInput, type ModelFolderPick } from './model-folder-pick';

// React has no typed prop for these non-standard attributes; they pass through to the DOM as written.
const directoryAttributes = { webkitdirectory: '', directory: '' } as Record<string, string>;

export function FolderPicker(props: { onPick: (pick: ModelFolderPick) => void; variant?: 'primary' | 'secondary'; label?: string }) {
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
          if (files && files.length > 0) props.onPick(pickModelFolder(pickedFromInput(files)));
          // Reset, so that choosing the same folder again (after fixing a file) fires change again.
          e.currentTarget.value = '';
        }}
      />
      <Icon name="folder" />
      <span>{label}</span>
    </label>
  );
}

/** Wraps a region: a dropped folder or its loose files are read and handed on as one pick. */
export function DropZone(props: {
  onPick: (pick: ModelFolderPick) => void;
  onError: (error: LayerwiseErrorData) => void;
  children: ReactNode;
  className?: string;
}) {
  return (
    <DropTarget
      overlay="Drop the checkpoint folder to load it"
      className={props.className}
      onDrop={(data) => {
        // Entries are taken now, inside the drop event; reading them is async.
        readDrop(takeDrop(data)).then(
          (picked) => props.onPick(pickModelFolder(picked)),
          (err: unknown) =>
            props.onError({ code: 'DROP_UNREADABLE', message: `The dropped files could not be read: ${err instanceof Error ? err.message : String(err)}` }),
        );
      }}
    >
      {props.children}
    </DropTarget>
  );
}
