# Reference for tests/formats/safetensors-dtypes.test.ts: float16 and bfloat16 -> float32 as PyTorch converts them.
# Run: /usr/bin/python3 tests/formats/make_half_reference.py > tests/formats/half-reference.json
# For each dtype: the SHA-256 of all 65,536 converted float32 bit patterns (uint32 little-endian, every NaN
# replaced by 0x7fc00000 since payload handling is not what is tested), and a spot table of selected patterns.
import hashlib, json, sys
import numpy as np
import torch

SPOTS = [0x0000, 0x8000, 0x0001, 0x8001, 0x0002, 0x03FF, 0x83FF, 0x0400, 0x0401, 0x3C00, 0xBC00, 0x3555, 0x7BFF,
         0xFBFF, 0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0x7FFF, 0x3F80, 0xBF80, 0x0080, 0x007F, 0x7F7F, 0xFF7F,
         0x7F80, 0xFF80, 0x7FC0, 0x4049, 0x1234, 0xABCD]


def table(dtype):
  patterns = torch.from_numpy(np.arange(65536, dtype=np.uint16).view(np.int16))
  values = patterns.view(dtype).float().numpy()
  bits = values.view(np.uint32).copy()
  bits[np.isnan(values)] = 0x7FC00000
  digest = hashlib.sha256(bits.astype('<u4').tobytes()).hexdigest()
  spots = {f'{p:04x}': ('nan' if np.isnan(values[p]) else f'{int(bits[p]):08x}') for p in SPOTS}
  return {'sha256_f32_bits_nan_canonical': digest, 'spots': spots}


json.dump({'torch': torch.__version__, 'F16': table(torch.float16), 'BF16': table(torch.bfloat16)}, sys.stdout, indent=1)
sys.stdout.write('\n')
