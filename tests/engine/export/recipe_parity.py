#!/usr/bin/python3
"""Runs the training recipe's Python modules (src/engine/export/recipe/layerwise_plan.py, layerwise_metrics.py) on
the cases recipe-python.test.ts writes, so that the test can compare them with the engine's TypeScript.

Usage: recipe_parity.py CASES.json   Prints one JSON object with the answers, in the order of the cases.
The optimizer groups are real torch.optim.AdamW groups over torch parameters named as the checkpoint names.
"""
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src" / "engine" / "export" / "recipe"))
import layerwise_metrics as lm  # noqa: E402
import layerwise_plan as lp  # noqa: E402


def plans(case):
    out = []
    for epoch in case["epochs"]:
        params = lp.plan_parameters(case["names"], case["family"], case["num_layers"], case["config"], epoch)
        out.append({"params": params, "groups": lp.plan_groups(params)})
    # The torch optimizer at several steps: each parameter's rate and decay, as AdamW sees them.
    plan = lp.with_unfrozen_scales(case["names"], case["family"], case["num_layers"], case["config"])
    named = [(n, torch.nn.Parameter(torch.zeros(1))) for n in case["names"]]
    optimizer = torch.optim.AdamW(lp.optimizer_groups(named, plan), lr=0.0, betas=tuple(case["config"]["betas"]), eps=case["config"]["eps"])
    rates = []
    for step in case["steps"]:
        lp.set_learning_rates(optimizer, lp.learning_rate_at(step, case["total"], case["config"]["schedule"], case["config"]["learningRate"]))
        rates.append({n: [g["lr"], g["weight_decay"]] for g in optimizer.param_groups for n in g["names"]})
    return {"plans": out, "rates": rates}


def error_of(case):
    try:
        lp.plan_parameters(case["names"], case["family"], case["num_layers"], case["config"])
    except lp.PlanError as err:
        return {"code": err.code, "message": str(err)}
    return None


def plateau(case):
    p = lp.PlateauScheduler(case["config"]["learningRate"], case["config"]["schedule"], case["goal"])
    return [[p.step(v), p.lr] for v in case["values"]]


def early(case):
    e = lm.EarlyStopping(case["config"]["earlyStopping"])
    return [list(e.update(i + 1, {case["config"]["earlyStopping"]["metric"]: v})) for i, v in enumerate(case["values"])]


HANDLERS = {
    "plan": plans,
    "error": error_of,
    "schedule": lambda c: [lp.learning_rate_at(s, c["total"], c["config"]["schedule"], c["config"]["learningRate"]) for s in c["steps"]],
    "derive": lambda c: lp.derive_schedule(c["config"], c["batches"]),
    "plateau": plateau,
    "early": early,
    "classification": lambda c: lm.classification_report(c["true"], c["pred"], c["labels"]),
    "entities": lambda c: lm.entity_report(c["true"], c["pred"]),
}

if __name__ == "__main__":
    cases = json.load(open(sys.argv[1]))
    print(json.dumps([HANDLERS[c["kind"]](c) for c in cases], allow_nan=True))
