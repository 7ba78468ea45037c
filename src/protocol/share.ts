// What leaves the studio for use elsewhere besides a model export: the training recipe (a zip that reruns the run
// with transformers + accelerate) and a push to the Hugging Face Hub. Shared by the worker and the Export panel.

/** The recipe folder, zipped: its bytes (transferred), name and files. */
export interface ExportedRecipe {
  fileName: string;
  zip: ArrayBuffer;
  files: { name: string; size: number }[];
}

/** A push in flight (formats/hub-push.ts PushProgress). */
export interface HubPushProgress {
  phase: 'verifying' | 'creating' | 'preuploading' | 'uploading' | 'committing' | 'done';
  /** Bytes hashed and uploaded so far (each file counts twice), over `total`. */
  done: number;
  total: number;
  file: string | null;
}

/** A finished push: where the model is now. */
export interface HubPushResult {
  repo: string;
  /** The repository's page. */
  url: string;
  commitUrl: string;
  /** False when the repository existed and got a new commit. */
  created: boolean;
  files: { name: string; size: number }[];
}
