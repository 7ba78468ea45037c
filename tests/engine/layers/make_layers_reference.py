# Reference values for tests/engine/layers/layers.test.ts, computed with PyTorch (torch.nn.functional):
# activations, LayerNorm and cross-entropy (ignore_index=-100, label smoothing), values and gradients.
# Run: /usr/bin/python3 tests/engine/layers/make_layers_reference.py  (writes layers-reference.json beside it)
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(0)
out = {'torch': torch.__version__}

x = torch.linspace(-6, 6, 49, dtype=torch.float32)
acts = {
    'gelu': lambda t: F.gelu(t),
    'gelu_new': lambda t: F.gelu(t, approximate='tanh'),
    'silu': lambda t: F.silu(t),
    'relu': lambda t: F.relu(t),
}
out['activations'] = {'x': x.tolist()}
for name, fn in acts.items():
    xi = x.clone().requires_grad_(True)
    y = fn(xi)
    y.sum().backward()
    out['activations'][name] = {'y': y.tolist(), 'grad': xi.grad.tolist()}

def layer_norm_case(eps):
    xi = (torch.randn(3, 8) * 3 + 1).requires_grad_(True)
    w = (torch.randn(8) * 0.5 + 1).requires_grad_(True)
    b = (torch.randn(8) * 0.1).requires_grad_(True)
    up = torch.randn(3, 8)
    y = F.layer_norm(xi, (8,), w, b, eps)
    (y * up).sum().backward()
    return {'eps': eps, 'x': xi.tolist(), 'weight': w.tolist(), 'bias': b.tolist(), 'upstream': up.tolist(),
            'y': y.tolist(), 'grad_x': xi.grad.tolist(), 'grad_weight': w.grad.tolist(), 'grad_bias': b.grad.tolist()}
out['layer_norm'] = [layer_norm_case(1e-12), layer_norm_case(1e-5)]

def ce_case(labels, smoothing):
    logits = (torch.randn(len(labels), 5) * 4).requires_grad_(True)
    target = torch.tensor(labels)
    loss = F.cross_entropy(logits, target, ignore_index=-100, label_smoothing=smoothing)
    loss.backward()
    return {'logits': logits.tolist(), 'labels': labels, 'label_smoothing': smoothing,
            'loss': loss.item(), 'grad': logits.grad.tolist()}
out['cross_entropy'] = [
    ce_case([0, 3, -100, 4, 1, -100], 0.0),
    ce_case([2, -100, 1, 0], 0.1),
    ce_case([4, 4, 4], 0.0),
]

json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'layers-reference.json'), 'w'))
print('wrote layers-reference.json with torch', torch.__version__)
