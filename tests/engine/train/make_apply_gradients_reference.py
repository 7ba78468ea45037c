# Generates apply_gradients_reference.json for apply-gradients.test.ts: the training step's clip-then-update as
# PyTorch does it, torch.nn.utils.clip_grad_norm_(params, max_norm) followed by torch.optim.AdamW.step()
# (single-tensor path, two parameter groups), over two steps per case. Recorded after each step: the global norm
# clip_grad_norm_ returns, every parameter, and AdamW's state (step, exp_avg, exp_avg_sq).
# Cases: strong clipping (coefficients ~0.02 and ~0.003, different at the two steps), no clipping (norm under
# max_norm, and max_norm None), and a global norm exactly equal to max_norm (gradients of multiples of 2^-14 whose
# norms are exact in float32), where torch still multiplies by max_norm / (norm + 1e-6) < 1.
# Run: /usr/bin/python3 tests/engine/train/make_apply_gradients_reference.py  (writes next to this script)
import json, os
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = {'encoder.dense.weight': [3, 4], 'encoder.dense.bias': [3], 'classifier.weight': [2, 3]}
GROUPS = [
    {'names': ['encoder.dense.weight', 'classifier.weight'], 'lr': 1e-2, 'weight_decay': 0.1},
    {'names': ['encoder.dense.bias'], 'lr': 3e-2, 'weight_decay': 0.0},
]
BETAS, EPS = (0.9, 0.999), 1e-8
TINY = 2.0 ** -14


def exact_grads(step):
    """Per-tensor norms 5, 0 and 12 times 2^-14 (exact in float32), global 13 * 2^-14; the sign flips at step 2."""
    g = {n: torch.zeros(*s) for n, s in SHAPES.items()}
    g['encoder.dense.weight'].view(-1)[[1, 6]] = torch.tensor([3.0, -4.0]) * TINY * (1 if step == 0 else -1)
    g['classifier.weight'].view(-1)[4] = 12.0 * TINY
    return g


def run(name, max_norm, make_grads, seed):
    torch.manual_seed(seed)
    params = {n: torch.nn.Parameter(torch.randn(*s) * 0.5) for n, s in SHAPES.items()}
    init = {n: p.detach().flatten().tolist() for n, p in params.items()}
    opt = torch.optim.AdamW(
        [{'params': [params[n] for n in g['names']], 'lr': g['lr'], 'weight_decay': g['weight_decay']} for g in GROUPS],
        betas=BETAS, eps=EPS, foreach=False)
    steps = []
    for t in range(2):
        grads = make_grads(t)
        for n, p in params.items():
            p.grad = grads[n].clone()
        if max_norm is None:
            norm = float(torch.norm(torch.stack([torch.norm(p.grad) for p in params.values()])))
        else:
            norm = float(torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm))
        opt.step()
        state = {n: {'step': int(opt.state[p]['step']), 'exp_avg': opt.state[p]['exp_avg'].flatten().tolist(),
                     'exp_avg_sq': opt.state[p]['exp_avg_sq'].flatten().tolist()} for n, p in params.items()}
        steps.append({'grads': {n: g.flatten().tolist() for n, g in grads.items()}, 'norm': norm,
                      'after': {n: p.detach().flatten().tolist() for n, p in params.items()}, 'state': state})
    return {'name': name, 'maxNorm': max_norm, 'init': init, 'steps': steps}


def random_grads(scales, seed):
    gen = torch.Generator().manual_seed(seed)
    return lambda t: {n: torch.randn(*s, generator=gen) * scales[t] for n, s in SHAPES.items()}


cases = [
    run('strong clipping, a different coefficient at each step', 0.05, random_grads([1.0, 5.0], 11), 1),
    run('norm under max_norm: coefficient capped at 1', 100.0, random_grads([1.0, 0.3], 12), 2),
    run('max_norm None: no clipping', None, random_grads([1.0, 0.3], 13), 3),
    run('global norm exactly max_norm (13 * 2^-14): still scaled by max / (norm + 1e-6)', 13 * TINY, exact_grads, 4),
]
assert cases[-1]['steps'][0]['norm'] == 13 * TINY, cases[-1]['steps'][0]['norm']

with open(os.path.join(HERE, 'apply_gradients_reference.json'), 'w') as f:
    json.dump({'generator': 'make_apply_gradients_reference.py', 'torch': torch.__version__, 'betas': BETAS, 'eps': EPS,
               'groups': GROUPS, 'shapes': SHAPES, 'cases': cases}, f)
print([[s['norm'] for s in c['steps']] for c in cases])
