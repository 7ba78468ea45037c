# Generates schedule_reference.json: learning rates per optimizer step from torch's schedulers, for schedule.test.ts.
# The LambdaLR lambdas are transformers' (src/transformers/optimization.py), copied here because transformers is not
# installed; CosineAnnealingLR, StepLR, SequentialLR and ReduceLROnPlateau come from torch itself.
# Run: /usr/bin/python3 tests/protocol/make_schedule_reference.py  (writes next to this script)
import json, math, os
import torch
from torch.optim.lr_scheduler import LambdaLR, CosineAnnealingLR, StepLR, SequentialLR, ReduceLROnPlateau


def constant_with_warmup(step, *, warmup):
    if step < warmup:
        return float(step) / float(max(1.0, warmup))
    return 1.0


def linear_with_warmup(step, *, warmup, total):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    return max(0.0, float(total - step) / float(max(1, total - warmup)))


def cosine_with_warmup(step, *, warmup, total, num_cycles, min_lr_rate=0.0):
    # _get_cosine_schedule_with_warmup_lr_lambda (the min_lr variant; min_lr_rate 0 is the plain cosine).
    if step < warmup:
        return float(step) / float(max(1, warmup))
    progress = float(step - warmup) / float(max(1, total - warmup))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def cosine_hard_restarts(step, *, warmup, total, num_cycles):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    progress = float(step - warmup) / float(max(1, total - warmup))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def polynomial_decay(step, *, warmup, total, lr_end, power, lr_init):
    if step < warmup:
        return float(step) / float(max(1, warmup))
    elif step > total:
        return lr_end / lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = total - warmup
        pct_remaining = 1 - (step - warmup) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init


def optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def record(opt, sched, steps):
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    return lrs


def warmup_of(total, ratio):
    # TrainingArguments.get_warmup_steps: math.ceil(num_training_steps * warmup_ratio)
    return math.ceil(total * ratio)


cases = []


def lambda_case(name, schedule, base_lr, total, fn, extra=3):
    opt = optimizer(base_lr)
    cases.append({'name': name, 'schedule': schedule, 'baseLr': base_lr, 'totalSteps': total,
                  'lrs': record(opt, LambdaLR(opt, fn), total + extra)})


t, w = 100, 10
lambda_case('constant, warmupSteps 10', {'type': 'constant', 'warmupSteps': w}, 5e-5, t,
            lambda s: constant_with_warmup(s, warmup=w))
for total, ratio in [(30, 0.1), (100, 0.07), (7, 0.5)]:  # 100 * 0.07 = 7.000000000000001: warmup 8
    w = warmup_of(total, ratio)
    lambda_case(f'linear, total {total}, warmupRatio {ratio}', {'type': 'linear', 'warmupRatio': ratio}, 3e-5, total,
                lambda s, w=w, total=total: linear_with_warmup(s, warmup=w, total=total))
lambda_case('linear, no warmup', {'type': 'linear', 'warmupRatio': 0}, 1e-3, 50,
            lambda s: linear_with_warmup(s, warmup=0, total=50))
lambda_case('cosine, warmupSteps 10', {'type': 'cosine', 'warmupSteps': 10}, 5e-5, 100,
            lambda s: cosine_with_warmup(s, warmup=10, total=100, num_cycles=0.5))
lambda_case('cosine, 1.5 cycles', {'type': 'cosine', 'warmupSteps': 4, 'numCycles': 1.5}, 2e-5, 60,
            lambda s: cosine_with_warmup(s, warmup=4, total=60, num_cycles=1.5))
lambda_case('cosine with minLr, warmupRatio 0.1', {'type': 'cosine', 'warmupRatio': 0.1, 'minLr': 5e-6}, 5e-5, 90,
            lambda s: cosine_with_warmup(s, warmup=warmup_of(90, 0.1), total=90, num_cycles=0.5, min_lr_rate=5e-6 / 5e-5))
lambda_case('cosine-restarts, 3 cycles', {'type': 'cosine-restarts', 'warmupSteps': 5, 'restartCycles': 3}, 1e-4, 65,
            lambda s: cosine_hard_restarts(s, warmup=5, total=65, num_cycles=3))
lambda_case('cosine-restarts, 1 cycle', {'type': 'cosine-restarts', 'warmupRatio': 0.2, 'restartCycles': 1}, 1e-4, 40,
            lambda s: cosine_hard_restarts(s, warmup=warmup_of(40, 0.2), total=40, num_cycles=1))
for power, lr_end, w in [(1.0, 1e-7, 10), (2.0, 0.0, 3), (0.5, 1e-6, 0)]:
    lambda_case(f'polynomial, power {power}, lr_end {lr_end}',
                {'type': 'polynomial', 'warmupSteps': w, 'power': power, 'minLr': lr_end}, 5e-5, 50,
                lambda s, power=power, lr_end=lr_end, w=w: polynomial_decay(
                    s, warmup=w, total=50, lr_end=lr_end, power=power, lr_init=5e-5))

# torch's own schedulers.
opt = optimizer(5e-5)
cases.append({'name': 'CosineAnnealingLR T_max 80, eta_min 1e-6',
              'schedule': {'type': 'cosine', 'warmupSteps': 0, 'minLr': 1e-6}, 'baseLr': 5e-5, 'totalSteps': 80,
              'lrs': record(opt, CosineAnnealingLR(opt, T_max=80, eta_min=1e-6), 81)})
opt = optimizer(1e-3)
cases.append({'name': 'StepLR step_size 7, gamma 0.5',
              'schedule': {'type': 'step', 'warmupSteps': 0, 'stepSize': 7, 'gamma': 0.5}, 'baseLr': 1e-3,
              'totalSteps': 40, 'lrs': record(opt, StepLR(opt, step_size=7, gamma=0.5), 43)})
opt = optimizer(1e-3)
warm = LambdaLR(opt, lambda s: constant_with_warmup(s, warmup=6))
step = StepLR(opt, step_size=5, gamma=0.3)
cases.append({'name': 'SequentialLR(warmup 6, StepLR step_size 5, gamma 0.3)',
              'schedule': {'type': 'step', 'warmupSteps': 6, 'stepSize': 5, 'gamma': 0.3}, 'baseLr': 1e-3,
              'totalSteps': 40, 'lrs': record(opt, SequentialLR(opt, [warm, step], milestones=[6]), 43)})

plateau = []
metric_runs = {
    'loss': [1.0, 0.9, 0.9, 0.91, 0.9, 0.95, 0.85, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
             0.5, 0.5, 0.5, 0.5, float('nan'), 0.4, 0.4, 0.4],
    'f1': [0.2, 0.4, 0.4, 0.4, 0.41, 0.40001, 0.5, 0.5, 0.49, 0.3, 0.3, 0.3, 0.3, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6],
}
for name, base, goal, metrics, cfg in [
    ('min, rel, patience 1', 1e-4, 'min', metric_runs['loss'],
     dict(factor=0.5, patience=1, threshold=1e-4, thresholdMode='rel', cooldown=0, minLr=0.0)),
    ('min, abs 0.02, patience 2, cooldown 2, minLr 2e-5', 1e-4, 'min', metric_runs['loss'],
     dict(factor=0.3, patience=2, threshold=0.02, thresholdMode='abs', cooldown=2, minLr=2e-5)),
    ('max, rel 1e-3, patience 0', 1e-4, 'max', metric_runs['f1'],
     dict(factor=0.1, patience=0, threshold=1e-3, thresholdMode='rel', cooldown=1, minLr=1e-7)),
    ('max, abs 0, patience 1, minLr 1e-5', 1e-4, 'max', metric_runs['f1'],
     dict(factor=0.5, patience=1, threshold=0.0, thresholdMode='abs', cooldown=0, minLr=1e-5)),
    ('reductions below eps 1e-8 are skipped', 3e-8, 'min', metric_runs['loss'],
     dict(factor=0.5, patience=0, threshold=1e-4, thresholdMode='rel', cooldown=0, minLr=0.0)),
]:
    opt = optimizer(base)
    sched = ReduceLROnPlateau(opt, mode=goal, factor=cfg['factor'], patience=cfg['patience'],
                              threshold=cfg['threshold'], threshold_mode=cfg['thresholdMode'],
                              cooldown=cfg['cooldown'], min_lr=cfg['minLr'])
    lrs = []
    for m in metrics:
        opt.step()
        sched.step(m)
        lrs.append(opt.param_groups[0]['lr'])
    plateau.append({'name': name, 'goal': goal, 'baseLr': base, 'metrics': [None if math.isnan(m) else m for m in metrics],
                    'plateau': {k: v for k, v in cfg.items() if k != 'minLr'}, 'minLr': cfg['minLr'], 'lrs': lrs})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'schedule_reference.json')
with open(out, 'w') as f:
    json.dump({'generator': 'make_schedule_reference.py', 'torch': torch.__version__, 'cases': cases,
               'plateau': plateau}, f)
print('wrote', out, len(cases), 'cases,', len(plateau), 'plateau runs')
