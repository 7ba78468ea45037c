// This library's version, as package.json gives it (tests/protocol/version.test.ts keeps the two equal): written
// into the safetensors __metadata__ and the model card of every model folder, so that a folder says what made it.
export const LAYERWISE_VERSION = '0.1.0';
