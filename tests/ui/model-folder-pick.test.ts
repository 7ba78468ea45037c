// Which files of a picked folder form the checkpoint (src/ui/features/model/model-folder-pick.ts).
import { describe, expect, it } from 'vitest';
import { pickModelFolder, pickedFromInput, type PickedFile } from '../../src/ui/features/model/model-folder-pick';

const at = (path: string): PickedFile => ({ path, file: new File(['x'], path.split('/').pop()!) });
const names = (files: File[]) => files.map((f) => f.name).sort();

describe('pickModelFolder', () => {
  it('takes the folder holding config.json and only its own files', () => {
    const pick = pickModelFolder([
      at('bert/config.json'),
      at('bert/model.safetensors'),
      at('bert/vocab.txt'),
      at('bert/checkpoint-500/config.json'),
      at('bert/checkpoint-500/model.safetensors'),
    ]);
    expect(pick.source).toBe('bert');
    expect(names(pick.files)).toEqual(['config.json', 'model.safetensors', 'vocab.txt']);
  });

  it('picks a nested checkpoint when the top folder has no config.json', () => {
    const pick = pickModelFolder([at('run/notes.md'), at('run/final/config.json'), at('run/final/model.safetensors')]);
    expect(pick.source).toBe('final');
    expect(names(pick.files)).toEqual(['config.json', 'model.safetensors']);
  });

  it('passes the shallowest folder on when there is no config.json, so the loader can say what is missing', () => {
    const pick = pickModelFolder([at('weights/model.safetensors'), at('weights/old/model.safetensors')]);
    expect(pick).toEqual({ source: 'weights', files: [expect.any(File)] });
  });

  it('accepts loose files (no folder) and an empty pick', () => {
    expect(pickModelFolder([at('config.json'), at('model.safetensors')]).source).toBe('');
    expect(pickModelFolder([])).toEqual({ source: '', files: [] });
  });
});

describe('pickedFromInput', () => {
  it('uses webkitRelativePath when the input is a directory picker, else the name', () => {
    const inFolder = new File(['{}'], 'config.json');
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'bert/config.json' });
    const loose = new File(['{}'], 'vocab.txt');
    expect(pickedFromInput([inFolder, loose]).map((p) => p.path)).toEqual(['bert/config.json', 'vocab.txt']);
  });
});
