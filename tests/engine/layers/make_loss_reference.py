# Generates loss_reference.json for classification-loss.test.ts with PyTorch (Debian's python3-torch): the losses of
# engine/layers/loss.ts and their gradients with respect to the logits, in float64 --
# CrossEntropyLoss(weight, ignore_index=-100, label_smoothing), BCEWithLogitsLoss(pos_weight), the softmax focal loss
# sum(alpha_y (1 - p_y)^gamma (-log p_y)) / sum(alpha_y) and the sigmoid focal loss
# mean(w y (1 - p)^gamma softplus(-x) + (1 - y) p^gamma softplus(x)), by autograd.
# Run: /usr/bin/python3 tests/engine/layers/make_loss_reference.py
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(20)
out = {'generator': 'make_loss_reference.py', 'torch': torch.__version__, 'cross_entropy': [], 'focal': [], 'bce': []}


def grad_of(fn, x):
    x = x.clone().requires_grad_(True)
    loss = fn(x)
    loss.backward()
    return float(loss), x.grad.tolist()


for weights, smoothing, labels in [([1.0, 2.0, 0.5, 4.0], 0.0, [0, 3, 1, 2, 3, 3]), ([0.2, 1.5, 1.0, 3.0], 0.1, [1, -100, 2, 0, 3, 1]), (None, 0.0, [2, 2, 0, 1, -100, 3])]:
    x = torch.randn(6, 4, dtype=torch.float64) * 2
    y = torch.tensor(labels)
    w = None if weights is None else torch.tensor(weights, dtype=torch.float64)
    loss, grad = grad_of(lambda t: F.cross_entropy(t, y, weight=w, ignore_index=-100, label_smoothing=smoothing), x)
    out['cross_entropy'].append({'logits': x.tolist(), 'labels': labels, 'weights': weights, 'label_smoothing': smoothing, 'loss': loss, 'grad': grad})

for weights, gamma, labels in [(None, 2.0, [0, 1, 2, 2, 1]), ([1.0, 3.0, 0.5], 1.0, [2, -100, 0, 1, 1]), ([0.5, 2.0, 1.0], 0.5, [0, 0, 1, 2, 2]), (None, 0.0, [1, 0, 2, 0, 1])]:
    x = torch.randn(5, 3, dtype=torch.float64) * 2
    y = torch.tensor(labels)
    kept = y != -100
    t = torch.where(kept, y, torch.zeros_like(y))
    alpha = (torch.ones(3, dtype=torch.float64) if weights is None else torch.tensor(weights, dtype=torch.float64))[t] * kept

    def focal(z):
        logp = F.log_softmax(z, -1).gather(1, t[:, None])[:, 0]
        return (alpha * (1 - logp.exp()) ** gamma * -logp).sum() / alpha.sum()
    loss, grad = grad_of(focal, x)
    out['focal'].append({'logits': x.tolist(), 'labels': labels, 'weights': weights, 'gamma': gamma, 'loss': loss, 'grad': grad})

for pos_weight, gamma in [(None, 0.0), ([1.0, 4.0, 0.5, 2.5], 0.0), ([2.0, 1.0, 3.0, 1.0], 2.0), (None, 1.5)]:
    x = torch.randn(5, 4, dtype=torch.float64) * 3
    y = (torch.rand(5, 4) < 0.4).to(torch.float64)
    w = None if pos_weight is None else torch.tensor(pos_weight, dtype=torch.float64)
    if gamma == 0:
        fn = lambda z: F.binary_cross_entropy_with_logits(z, y, pos_weight=w)
    else:
        def fn(z):
            p = torch.sigmoid(z)
            pw = torch.ones(4, dtype=torch.float64) if w is None else w
            return (pw * y * (1 - p) ** gamma * F.softplus(-z) + (1 - y) * p ** gamma * F.softplus(z)).mean()
    loss, grad = grad_of(fn, x)
    out['bce'].append({'logits': x.tolist(), 'targets': y.tolist(), 'pos_weight': pos_weight, 'gamma': gamma, 'loss': loss, 'grad': grad})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'loss_reference.json'), 'w') as f:
    json.dump(out, f)
print('ok')
