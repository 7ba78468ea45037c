"""Which parameters train, at what learning rate, with what weight decay: a Layerwise TrainConfig in plain Python.

Mirrors the studio's src/protocol/param-groups.ts (freeze prefixes, ULMFiT gradual unfreezing, the layer-decay
pyramid by depth, lrMultipliers, the noDecay exclusions) and src/protocol/schedule.ts (warmup and the schedules as
transformers' get_*_schedule_with_warmup, torch's StepLR and ReduceLROnPlateau), so that a run of train.py gives
every parameter the learning rate the studio gives it at every step. Needs nothing but torch (for the optimizer
groups); the studio's tests check it against the engine on the same names and configs.
"""
import math
import re

INDEX = re.compile(r"^\d+$")

# family -> (base-model prefix of checkpoint names, path of the numbered layers, base sub-modules counted with the head)
FAMILIES = {
    "bert": ("bert", "encoder.layer", ("pooler",)),
    "roberta": ("roberta", "encoder.layer", ()),
    "distilbert": ("distilbert", "transformer.layer", ()),
    "electra": ("electra", "encoder.layer", ()),
}
# config.json model_type -> family
MODEL_TYPES = {"bert": "bert", "roberta": "roberta", "xlm-roberta": "roberta", "camembert": "roberta", "distilbert": "distilbert", "electra": "electra"}


class PlanError(ValueError):
    """A TrainConfig that names parameters the model does not have (the studio's TRAIN_CONFIG_UNKNOWN_PREFIX)."""

    code = "TRAIN_CONFIG_UNKNOWN_PREFIX"


def family_of(model_type):
    if model_type not in MODEL_TYPES:
        raise ValueError(f"model_type {model_type!r} is not one Layerwise trains ({', '.join(sorted(MODEL_TYPES))})")
    return MODEL_TYPES[model_type]


def matches_prefix(name, prefix):
    """A prefix covers whole dotted segments: "bert.encoder.layer.1" covers "...layer.1.x", never "...layer.10"."""
    return name == prefix or name.startswith(prefix + ".")


def depth_of(name, family, num_layers):
    """0 embeddings, 1..L encoder layer index + 1, L + 1 pooler and head (the family's depthOf)."""
    base, layers, head = FAMILIES[family]
    top = num_layers + 1
    if not name.startswith(base + ".") or any(name.startswith(f"{base}.{h}.") for h in head):
        return top
    m = re.match(rf"^{re.escape(base)}\.{re.escape(layers)}\.(\d+)\.", name)
    return int(m.group(1)) + 1 if m else 0


def _base_prefixes(names):
    """First segments of names that reach a numbered segment 3 deep or more ("bert", "distilbert")."""
    bases = set()
    for name in names:
        segments = name.split(".")
        index = next((i for i, s in enumerate(segments) if i > 0 and INDEX.match(s)), -1)
        if index >= 3:
            bases.add(segments[0])
    return bases


def group_of(name, bases):
    """The module path of a parameter: through the layer index, else the base model's sub-module, else the head's first segment."""
    segments = name.split(".")
    index = next((i for i, s in enumerate(segments) if i > 0 and INDEX.match(s)), -1)
    if index > 0:
        return ".".join(segments[: index + 1])
    if len(segments) == 1:
        return name
    keep = 2 if segments[0] in bases and len(segments) > 2 else 1
    return ".".join(segments[:keep])


def _check_prefixes(names, config):
    unknown = [("freeze", p) for p in config["freeze"]] + [("lrMultipliers", p) for p in config["lrMultipliers"]]
    unknown = [(f, p) for f, p in unknown if not any(matches_prefix(n, p) for n in names)]
    if unknown:
        listed = ", ".join(f'{f} "{p}"' for f, p in unknown)
        raise PlanError(f"These prefixes match no parameter of the model: {listed}. A prefix covers whole dotted segments of checkpoint names.")


def _multiplier(name, multipliers):
    """The factor of the longest prefix that covers name (1 when none does)."""
    best, factor = "", 1.0
    for prefix, f in multipliers.items():
        if matches_prefix(name, prefix) and len(prefix) > len(best):
            best, factor = prefix, f
    return factor


def plan_parameters(names, family, num_layers, config, epoch=0):
    """Every parameter for this epoch (0-based): name, group, depth, trainable, frozen_by, lr_scale, weight_decay."""
    _check_prefixes(names, config)
    bases = _base_prefixes(names)
    no_decay = [s.lower() for s in config["noDecay"]]
    every = config["gradualUnfreeze"]
    lowest = 0 if every is None else num_layers + 1 - epoch // every
    out = []
    for name in names:
        depth = depth_of(name, family, num_layers)
        frozen_by = "freeze" if any(matches_prefix(name, p) for p in config["freeze"]) else "gradual-unfreeze" if depth < lowest else None
        pyramid = 1.0 if depth > num_layers else config["layerDecay"] ** (num_layers - depth)
        out.append({
            "name": name,
            "group": group_of(name, bases),
            "depth": depth,
            "trainable": frozen_by is None,
            "frozen_by": frozen_by,
            "lr_scale": pyramid * _multiplier(name, config["lrMultipliers"]) if frozen_by is None else 0.0,
            "weight_decay": 0.0 if any(s in name.lower() for s in no_decay) else config["weightDecay"],
        })
    return out


def plan_groups(params):
    """The module groups of a plan, bottom to top (by depth, checkpoint order within a depth)."""
    groups = {}
    for p in params:
        g = groups.get(p["group"])
        if g is None:
            groups[p["group"]] = {"name": p["group"], "depth": p["depth"], "params": [p["name"]], "trainable": p["trainable"], "lr_scale": p["lr_scale"]}
        else:
            g["params"].append(p["name"])
            g["depth"] = min(g["depth"], p["depth"])
            g["trainable"] = g["trainable"] or p["trainable"]
            g["lr_scale"] = max(g["lr_scale"], p["lr_scale"])
    return sorted(groups.values(), key=lambda g: g["depth"])


# ---- schedules ------------------------------------------------------------------------------------------------


def warmup_steps_for(schedule, total_steps):
    return schedule["warmupSteps"] if schedule["warmupSteps"] is not None else math.ceil(total_steps * schedule["warmupRatio"])


def derive_schedule(config, batches_per_epoch):
    """steps_per_epoch, total_steps, warmup_steps, epochs: the studio's deriveSchedule."""
    steps_per_epoch = max(1, math.ceil(batches_per_epoch / config["gradAccumulation"]))
    planned = math.ceil(config["epochs"] * steps_per_epoch)
    total = planned if config["maxSteps"] is None else min(planned, config["maxSteps"])
    return {"steps_per_epoch": steps_per_epoch, "total_steps": total, "warmup_steps": warmup_steps_for(config["schedule"], total), "epochs": math.ceil(total / steps_per_epoch)}


def eval_interval(eval_every, steps_per_epoch, total_steps):
    """Optimizer steps between evaluations: an epoch, N steps, or a share of the run in (0, 1) rounded up."""
    if eval_every == "epoch":
        return steps_per_epoch
    if eval_every < 1:
        return max(1, math.ceil(eval_every * total_steps))
    return eval_every


def _decay_factor(step, total, warmup, s, base_lr):
    decay_steps = max(1, total - warmup)
    progress = (step - warmup) / decay_steps
    kind = s["type"]
    if kind in ("constant", "plateau"):
        return 1.0
    if kind == "linear":
        return max(0.0, (total - step) / decay_steps)
    if kind == "cosine":
        min_rate = s["minLr"] / base_lr
        factor = 0.5 * (1 + math.cos(math.pi * s["numCycles"] * 2 * progress))
        return max(0.0, factor * (1 - min_rate) + min_rate)
    if kind == "cosine-restarts":
        if progress >= 1:
            return 0.0
        return max(0.0, 0.5 * (1 + math.cos(math.pi * ((s["restartCycles"] * progress) % 1))))
    if kind == "polynomial":
        if step > total:
            return s["minLr"] / base_lr
        return ((base_lr - s["minLr"]) * (1 - progress) ** s["power"] + s["minLr"]) / base_lr
    if kind == "step":
        return s["gamma"] ** math.floor((step - warmup) / s["stepSize"])
    raise ValueError(f"schedule type {kind!r} is unknown")


def learning_rate_at(step, total_steps, schedule, base_lr):
    """The base rate of the step-th optimizer update (0-based): warmup step / max(1, warmup), then the schedule."""
    warmup = warmup_steps_for(schedule, total_steps)
    if step < warmup:
        return base_lr * (step / max(1, warmup))
    return base_lr * _decay_factor(step, total_steps, warmup, schedule, base_lr)


class PlateauScheduler:
    """torch's ReduceLROnPlateau on the base rate, one metric value per evaluation (the studio's PlateauScheduler)."""

    EPS = 1e-8

    def __init__(self, base_lr, schedule, goal):
        self.p = schedule["plateau"]
        self.goal = goal
        self.min_lr = schedule["minLr"]
        self.lr = base_lr
        self.best = math.inf if goal == "min" else -math.inf
        self.bad = 0
        self.cooldown = 0

    def _better(self, value, best):
        t, mode = self.p["threshold"], self.p["thresholdMode"]
        if self.goal == "min":
            return value < best * (1 - t) if mode == "rel" else value < best - t
        return value > best * (t + 1) if mode == "rel" else value > best + t

    def step(self, metric):
        """Records one evaluation; True when it lowered the rate. NaN is no improvement."""
        if self._better(metric, self.best):
            self.best, self.bad = metric, 0
        else:
            self.bad += 1
        if self.cooldown > 0:
            self.cooldown -= 1
            self.bad = 0
        if self.bad <= self.p["patience"]:
            return False
        self.cooldown, self.bad = self.p["cooldown"], 0
        nxt = max(self.lr * self.p["factor"], self.min_lr)
        if self.lr - nxt <= self.EPS:
            return False
        self.lr = nxt
        return True


# ---- torch optimizer groups -----------------------------------------------------------------------------------


def optimizer_groups(named_parameters, plan):
    """torch.optim param groups from a plan: one per (lr_scale, weight_decay), with the names and the scale kept in
    the group ("names", "lr_scale"), for every parameter that trains in some epoch (frozen by `freeze`: left out)."""
    by_name = {p["name"]: p for p in plan}
    groups = {}
    for name, param in named_parameters:
        p = by_name.get(name)
        if p is None or p["frozen_by"] == "freeze" or not param.requires_grad:
            continue
        # A parameter frozen for now by gradual unfreezing keeps the scale it will have once it trains.
        scale = p["lr_scale"] if p["trainable"] else p["unfrozen_scale"]
        key = (scale, p["weight_decay"])
        g = groups.setdefault(key, {"params": [], "names": [], "lr_scale": scale, "weight_decay": p["weight_decay"], "lr": 0.0})
        g["params"].append(param)
        g["names"].append(name)
    return list(groups.values())


def with_unfrozen_scales(names, family, num_layers, config):
    """The plan of epoch 0 with, for every parameter, the scale it has once gradual unfreezing has reached it."""
    plan = plan_parameters(names, family, num_layers, config, 0)
    free = plan_parameters(names, family, num_layers, {**config, "gradualUnfreeze": None}, 0)
    for p, f in zip(plan, free):
        p["unfrozen_scale"] = f["lr_scale"]
    return plan


def set_learning_rates(optimizer, base_lr):
    """Sets every group's rate to lr_scale x base_lr. A parameter that gradual unfreezing keeps frozen for now gets
    no gradient (train.py sets its .grad to None), so torch's AdamW leaves it, its moments and its step count alone."""
    for g in optimizer.param_groups:
        g["lr"] = g["lr_scale"] * base_lr
