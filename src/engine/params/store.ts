// The parameter store: every model parameter as a tf.Variable keyed by its checkpoint name, in checkpoint layout
// ([out, in] for linear weights). With the optimizer, the only place that creates variables (DESIGN.md).
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';

/** A parameter's values in checkpoint layout, as read from or written to a file. */
export interface ParamValues {
  shape: number[];
  data: Float32Array;
}

export class ParamStore {
  /** Checkpoint name -> variable, in checkpoint order. tfjs names the variables itself (its names are global). */
  private readonly vars = new Map<string, tf.Variable>();
  private disposed = false;
  /** A view (ParamStore.view) shares another store's variables: it adds none and disposes none. */
  private shared = false;

  /**
   * The variables of `source` under other names, entries [name here, name in source]: a multi-task head's model
   * (its encoder and its own head under the family's names) for its forward pass, evaluation and export.
   */
  static view(source: ParamStore, entries: Iterable<readonly [string, string]>): ParamStore {
    const store = new ParamStore();
    store.shared = true;
    for (const [name, from] of entries) store.vars.set(name, source.get(from));
    return store;
  }

  /**
   * Creates one variable per entry, all trainable. On an error the variables made so far are disposed, so a
   * failed build leaves the tfjs engine as it was.
   */
  static fromValues(entries: Iterable<readonly [string, ParamValues]>): ParamStore {
    const store = new ParamStore();
    try {
      for (const [name, values] of entries) store.add(name, values);
    } catch (err) {
      store.dispose();
      throw err;
    }
    return store;
  }

  /** Adds one parameter (trainable); the name must be new. */
  add(name: string, values: ParamValues): void {
    this.assertLive();
    if (this.shared) throw new LayerwiseError('PARAM_STORE_VIEW', `parameter ${name} cannot be added to a view of another store`, { tensor: name });
    if (this.vars.has(name)) {
      throw new LayerwiseError('PARAM_DUPLICATE', `parameter ${name} is already in the store`, { tensor: name });
    }
    const size = values.shape.reduce((a, b) => a * b, 1);
    if (size !== values.data.length) {
      throw new LayerwiseError(
        'PARAM_SIZE_MISMATCH',
        `parameter ${name}: shape [${values.shape.join(', ')}] holds ${size} values, got ${values.data.length}`,
        { tensor: name },
      );
    }
    const initial = tf.tensor(values.data, values.shape, 'float32');
    try {
      this.vars.set(name, tf.variable(initial, true));
    } finally {
      initial.dispose();
    }
  }

  /** Disposes and removes these parameters (adapters taken off again); unknown names are ignored. */
  remove(names: readonly string[]): void {
    for (const name of names) {
      if (!this.shared) this.vars.get(name)?.dispose();
      this.vars.delete(name);
    }
  }

  /** Gives parameters new names (`rename` returns a name for each, the same to keep it), in the same order; names stay distinct. */
  rename(rename: (name: string) => string): void {
    this.assertLive();
    const entries = [...this.vars].map(([name, v]): [string, tf.Variable] => [rename(name), v]);
    const seen = new Set<string>();
    for (const [name] of entries) {
      if (seen.has(name)) throw new LayerwiseError('PARAM_DUPLICATE', `parameter ${name} would be in the store twice`, { tensor: name });
      seen.add(name);
    }
    this.vars.clear();
    for (const [name, v] of entries) this.vars.set(name, v);
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** The variable of a parameter; a coded error for an unknown name. */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new LayerwiseError('PARAM_UNKNOWN', `no parameter named ${name}`, { tensor: name });
    return v;
  }

  /** Checkpoint names, in checkpoint order. */
  names(): string[] {
    return [...this.vars.keys()];
  }

  get size(): number {
    return this.vars.size;
  }

  /** Total number of scalar values over all parameters. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** The parameters as the model's forward() reads them. */
  tensors(): ReadonlyMap<string, tf.Tensor> {
    return this.vars;
  }

  isTrainable(name: string): boolean {
    return this.get(name).trainable;
  }

  setTrainable(name: string, trainable: boolean): void {
    this.get(name).trainable = trainable;
  }

  /** Names of the trainable parameters, in checkpoint order. */
  trainableNames(): string[] {
    return [...this.vars].filter(([, v]) => v.trainable).map(([name]) => name);
  }

  /**
   * The loss and its gradient for every trainable parameter, by checkpoint name. Frozen parameters are not
   * passed to the gradient computation at all (DESIGN.md). The caller disposes the returned tensors.
   */
  gradients(lossFn: () => tf.Scalar): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
    const names = this.trainableNames();
    if (names.length === 0) throw new LayerwiseError('PARAM_NONE_TRAINABLE', 'every parameter is frozen: nothing to train');
    const byVarName = new Map(names.map((n) => [this.get(n).name, n]));
    const { value, grads } = tf.variableGrads(lossFn, names.map((n) => this.get(n)));
    const out = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) {
      const name = byVarName.get(varName);
      if (name !== undefined && g) out.set(name, g);
    }
    return { loss: value, grads: out };
  }

  /** Replaces a parameter's values from host data in checkpoint layout (same shape). */
  setValues(name: string, data: Float32Array): void {
    const v = this.get(name);
    if (data.length !== v.size) {
      throw new LayerwiseError('PARAM_SIZE_MISMATCH', `parameter ${name}: shape [${v.shape.join(', ')}] holds ${v.size} values, got ${data.length}`, { tensor: name });
    }
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
  }

  /** Replaces a parameter's values (same shape). */
  assign(name: string, value: tf.Tensor): void {
    this.get(name).assign(value);
  }

  /** Copies of every parameter's values, by checkpoint name (copies: the caller may transfer or keep them). */
  async snapshot(): Promise<Map<string, Float32Array>> {
    this.assertLive();
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.vars) {
      // The cpu backend hands out its own backing array: copy before anyone can transfer or write it.
      out.set(name, Float32Array.from((await v.data()) as Float32Array));
    }
    return out;
  }

  /** Shape of a parameter. */
  shape(name: string): number[] {
    return this.get(name).shape.slice();
  }

  dispose(): void {
    if (!this.shared) for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new LayerwiseError('PARAM_STORE_DISPOSED', 'the parameter store was disposed');
  }
}
