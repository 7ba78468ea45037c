// One file of a checkpoint or dataset, readable in slices, the same in the browser (File) and in Node (fs).
// Readers take a SourceFile so that they can validate a header before reading the rest (RELIABILITY R1).

export interface SourceFile {
  /** File name as the user gave it (never used as a path by the engine). */
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /** Bytes [start, end) of the file. */
  slice(start: number, end: number): Promise<Uint8Array>;
}

/** The whole file. */
export function readAll(file: SourceFile): Promise<Uint8Array> {
  return file.slice(0, file.size);
}

/** A SourceFile over bytes already in memory (tests, fetch responses, zip entries). */
export function bytesFile(name: string, bytes: Uint8Array): SourceFile {
  return {
    name,
    size: bytes.byteLength,
    slice: async (start, end) => bytes.subarray(start, end),
  };
}

/** A SourceFile over a browser File or Blob. */
export function blobFile(name: string, blob: Blob): SourceFile {
  return {
    name,
    size: blob.size,
    slice: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
  };
}

/** A folder of files by name, as a checkpoint folder or a dataset drop arrives. */
export type SourceFolder = Map<string, SourceFile>;
