# Reference values for tests/engine/optim/adamw.test.ts: several torch.optim.AdamW steps (single-tensor path) on a
# few small float32 parameters with two parameter groups and varying gradients, one parameter skipping a step and
# one whose gradients stay near eps (where the place of eps in the denominator shows).
# Run: /usr/bin/python3 tests/engine/optim/make_adamw_reference.py > tests/engine/optim/adamw-reference.json
import json, sys
import torch

torch.manual_seed(1234)
shapes = {'encoder.dense.weight': [3, 4], 'encoder.dense.bias': [3], 'classifier.weight': [2, 3], 'classifier.bias': [2]}
params = {n: torch.nn.Parameter(torch.randn(*s) * 0.5) for n, s in shapes.items()}
init = {n: p.detach().clone() for n, p in params.items()}
groups = [
    {'names': ['encoder.dense.weight', 'encoder.dense.bias'], 'lr': 2e-3, 'weight_decay': 0.05},
    {'names': ['classifier.weight', 'classifier.bias'], 'lr': 1e-2, 'weight_decay': 0.0},
]
betas, eps = (0.9, 0.98), 1e-6
opt = torch.optim.AdamW([{'params': [params[n] for n in g['names']], 'lr': g['lr'], 'weight_decay': g['weight_decay']} for g in groups],
                        betas=betas, eps=eps, foreach=False)
steps = []
for t in range(5):
    grads = {}
    for n, p in params.items():
        # encoder.dense.bias gets no gradient at step 2: torch skips it and its own step count lags.
        if t == 2 and n == 'encoder.dense.bias':
            p.grad = None
            continue
        scale = 1e-6 if n == 'classifier.bias' else [1.0, 1e-3, 30.0, 0.2, 1e-6][t]
        g = torch.randn(*p.shape) * scale
        p.grad = g
        grads[n] = g.flatten().tolist()
    opt.step()
    steps.append({'grads': grads, 'after': {n: p.detach().flatten().tolist() for n, p in params.items()}})
state = {}
for g in opt.param_groups:
    for p in g['params']:
        n = next(k for k, v in params.items() if v is p)
        s = opt.state[p]
        state[n] = {'step': int(s['step']), 'exp_avg': s['exp_avg'].flatten().tolist(), 'exp_avg_sq': s['exp_avg_sq'].flatten().tolist()}
json.dump({'torch': torch.__version__, 'betas': betas, 'eps': eps, 'groups': groups, 'shapes': shapes,
           'init': {n: v.flatten().tolist() for n, v in init.items()}, 'steps': steps, 'state': state}, sys.stdout)
