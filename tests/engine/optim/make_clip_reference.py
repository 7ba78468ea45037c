# Generates clip_reference.json for clip.test.ts with torch.nn.utils.clip_grad_norm_: random gradients (clipping,
# not clipping, Inf and NaN entries, an empty list) and the global norm of each tests/golden/hf-tiny fixture's
# reference grads.
# safetensors is not installed for Debian's python, so the fixture files are parsed by hand (8-byte LE header length,
# JSON header, raw little-endian F32 data). Run: /usr/bin/python3 tests/engine/optim/make_clip_reference.py
import json, math, os, struct
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', '..', 'golden', 'hf-tiny')


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        assert info['dtype'] == 'F32', info
        start, end = info['data_offsets']
        t = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32).reshape(info['shape'])
        out[name] = t
    return out


def clip(grads, max_norm):
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros_like(g))
        p.grad = g.clone()
        params.append(p)
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return float(norm), [p.grad for p in params]


def encode(x):
    return 'inf' if math.isinf(x) else 'nan' if math.isnan(x) else x


torch.manual_seed(7)
shapes = [[4, 5], [7], [3, 2, 2]]
random_cases = []
for name, scale, max_norm, poison in [
    ('clips (norm above max)', 1.0, 0.5, None),
    ('large gradients, max 1', 100.0, 1.0, None),
    ('below max: coefficient capped at 1', 0.01, 1000.0, None),
    ('tiny norm: the 1e-6 in the denominator shows', 1e-4, 1e-5, None),
    ('Inf entry', 1.0, 1.0, float('inf')),
    ('NaN entry', 1.0, 1.0, float('nan')),
]:
    grads = [torch.randn(s) * scale for s in shapes]
    if poison is not None:
        grads[1][3] = poison
    norm, clipped = clip(grads, max_norm)
    random_cases.append({
        'name': name, 'maxNorm': max_norm, 'norm': encode(norm),
        'grads': [{'shape': list(g.shape), 'values': [encode(v) for v in g.flatten().tolist()]} for g in grads],
        'clipped': [[encode(v) for v in c.flatten().tolist()] for c in clipped],
    })
empty_norm, _ = clip([], 1.0)

fixtures = {}
for model in sorted(os.listdir(FIXTURES)):
    path = os.path.join(FIXTURES, model, 'reference_grads.safetensors')
    if not os.path.exists(path):
        continue
    grads = read_safetensors(path)
    names = list(grads)
    norm, clipped = clip([grads[n] for n in names], 0.1)
    probe = min((n for n in names if grads[n].dim() == 2), key=lambda n: grads[n].numel())  # keeps the JSON small
    fixtures[model] = {"maxNorm": 0.1, 'norm': norm, 'probe': probe,
                       'probeClipped': clipped[names.index(probe)].flatten().tolist()}

with open(os.path.join(HERE, 'clip_reference.json'), 'w') as f:
    json.dump({'generator': 'make_clip_reference.py', 'torch': torch.__version__, 'random': random_cases,
               'emptyNorm': empty_norm, 'fixtures': fixtures}, f)
print({k: v['norm'] for k, v in fixtures.items()}, [c['norm'] for c in random_cases], empty_norm)
