# Reference masks for dropout-mask.test.ts, computed from the definition in src/engine/backend/kernels/dropout-mask.ts
# with Python integers: element i is kept (as 1/(1-rate), in float32) when lowbias32(i ^ lowbias32(seed)) >= rate·2³².
# Run: /usr/bin/python3 tests/engine/backend/make_dropout_mask_reference.py  (writes dropout-mask-reference.json)
import json
import math
import os
import struct

M = 0xFFFFFFFF


def lowbias32(x):
    x &= M
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M
    x ^= x >> 15
    x = (x * 0x846CA68B) & M
    x ^= x >> 16
    return x


def f32(v):
    return struct.unpack('f', struct.pack('f', v))[0]


cases = []
for seed, rate, n in [(7, 0.25, 64), (123456789, 0.1, 64), (2147483646, 0.5, 33)]:
    key = lowbias32(seed)
    threshold = min(math.floor(rate * 2**32), M)
    kept = f32(1 / (1 - rate))
    cases.append({'seed': seed, 'rate': rate, 'mask': [kept if lowbias32(i ^ key) >= threshold else 0.0 for i in range(n)]})
json.dump({'cases': cases}, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dropout-mask-reference.json'), 'w'))
print('wrote dropout-mask-reference.json')
