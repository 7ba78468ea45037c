// Which files of a picked or dropped folder form the checkpoint: the folder holding config.json (the shallowest
// one when subfolders hold more, e.g. checkpoint-500/), and only its own files. Pure, so it is unit-tested.

/** A file with its path relative to what the user picked ("bert/config.json"), '/'-separated. */
export interface PickedFile {
  path: string;
  file: File;
}

export interface ModelFolderPick {
  /** The folder's name for display ("" when loose files were picked). */
  source: string;
  files: File[];
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function depth(dir: string): number {
  return dir === '' ? 0 : dir.split('/').length;
}

function shallowest(dirs: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const d of dirs) {
    if (best === undefined || depth(d) < depth(best) || (depth(d) === depth(best) && d < best)) best = d;
  }
  return best;
}

/** Without any config.json the shallowest folder still goes to the loader, whose error says what is missing. */
export function pickModelFolder(picked: readonly PickedFile[]): ModelFolderPick {
  const withConfig = picked.filter((p) => p.path.split('/').pop() === 'config.json').map((p) => dirOf(p.path));
  const dir = shallowest(withConfig) ?? shallowest(picked.map((p) => dirOf(p.path))) ?? '';
  const files = picked.filter((p) => dirOf(p.path) === dir).map((p) => p.file);
  return { source: dir.split('/').pop() ?? '', files };
}

/** Files from <input webkitdirectory>: their webkitRelativePath holds the folder ("" for loose files). */
export function pickedFromInput(files: Iterable<File>): PickedFile[] {
  return [...files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}
