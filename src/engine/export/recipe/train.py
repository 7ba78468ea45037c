#!/usr/bin/env python3
"""Reruns a Layerwise fine-tuning run with Hugging Face transformers + accelerate, on one GPU, several GPUs or several
nodes, plain DDP or DeepSpeed ZeRO-2/3 or FSDP (chosen by the accelerate config it is launched with).

Written by the studio's "Export as training recipe" (`layerwise export --format recipe`); README.md beside it says
how to launch it. layerwise_run.json holds the run: the TrainConfig, the task, the class names in id order, the model
and the data. The same model, task and labels, freezing, pyramid parameter groups and lrMultipliers
(layerwise_plan.py), AdamW with the same decay exclusions, schedule and warmup, clipping, accumulation (the window's
loss is the mean over its labelled items, as the studio's), dropout, label smoothing, L2-SP, early stopping with
restore-best and the seed; the studio's metrics (layerwise_metrics.py). It writes a model folder the studio opens.
"""
import argparse
import contextlib
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import layerwise_metrics as lm  # noqa: E402
import layerwise_plan as lp  # noqa: E402

IGNORE_INDEX = -100
PAD_MULTIPLE = 16


def parse_args():
    a = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    a.add_argument("--run", default=str(HERE / "layerwise_run.json"), help="the run to repeat (default: layerwise_run.json beside this file)")
    a.add_argument("--model_name_or_path", default=None, help="start from this folder or Hub id instead of the run's model")
    a.add_argument("--train_file", default=None, help="JSONL training data instead of the run's (same layout as data/train.jsonl)")
    a.add_argument("--validation_file", default=None, help="JSONL evaluation data; without it, the run's validationSplit of the training data is held out")
    a.add_argument("--output_dir", default=str(HERE / "output"), help="where the model folder is written")
    a.add_argument("--batch", choices=["studio", "per-device"], default="studio",
                   help="studio: each micro-batch of batchSize examples is split over the processes (same steps as the studio); "
                        "per-device: every process takes batchSize examples (fewer, larger steps)")
    a.add_argument("--max_steps", type=int, default=None, help="stop after this many optimizer steps (a smoke test); the schedule keeps the run's length")
    return a.parse_args()


def fail(code, message):
    print(f"train.py: {code}: {message}", file=sys.stderr)
    sys.exit(2)


# ---- data -------------------------------------------------------------------------------------------------------


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    fail("DATA_BAD_JSONL", f"{path}:{line_no}: {err.msg}")
    return rows


def sorted_labels(values):
    """Class names in id order as the studio sorts them (run_glue.py / run_ner.py): numerically when all are integers."""
    values = sorted(set(values))
    if all(v.lstrip("+-").isdigit() and v.lstrip("+-") != "" for v in values):
        return sorted(values, key=int)
    return values


def split_rows(rows, task, share, seed):
    """Seeded stratified hold-out (used only for user files without a validation file: the run's own split is exported)."""
    if share <= 0:
        return rows, []
    rng = random.Random(seed)
    strata = {}
    for i, r in enumerate(rows):
        strata.setdefault(r.get("label") if task == "seq-cls" else None, []).append(i)
    held = set()
    for members in strata.values():
        rng.shuffle(members)
        k = min(round(len(members) * share), len(members) - 1)
        held.update(members[:k])
    return [r for i, r in enumerate(rows) if i not in held], [r for i, r in enumerate(rows) if i in held]


def encode(rows, tokenizer, task, max_length, label2id):
    """Examples: input_ids, token_type_ids, and the label (seq-cls) or labels per token (token-cls), word ids (mlm)."""
    out, skipped = [], 0
    for r in rows:
        if task == "token-cls":
            if any(t not in label2id for t in r["tags"]):
                skipped += 1
                continue
            enc = tokenizer(r["tokens"], is_split_into_words=True, truncation=True, max_length=max_length)
            labels, previous = [], None
            for w in enc.word_ids():
                # The first subword of each word carries its tag; later subwords and special tokens are ignored (run_ner.py).
                labels.append(label2id[r["tags"][w]] if w is not None and w != previous else IGNORE_INDEX)
                previous = w
            out.append({"input_ids": enc["input_ids"], "token_type_ids": enc.get("token_type_ids"), "labels": labels})
        elif task == "seq-cls":
            if r["label"] not in label2id:
                skipped += 1
                continue
            enc = tokenizer(r["text"], r.get("text_pair"), truncation=True, max_length=max_length)
            out.append({"input_ids": enc["input_ids"], "token_type_ids": enc.get("token_type_ids"), "label": label2id[r["label"]]})
        else:
            enc = tokenizer(r["text"], truncation=True, max_length=max_length, return_special_tokens_mask=True)
            out.append({"input_ids": enc["input_ids"], "token_type_ids": enc.get("token_type_ids"), "special": enc["special_tokens_mask"], "words": enc.word_ids()})
    return out, skipped


def collate(examples, task, pad_id, max_length, token_types):
    """Right-padded to a multiple of 16 (at most max_length), as the studio pads; CPU tensors."""
    longest = max(len(e["input_ids"]) for e in examples)
    seq = min(max_length, math.ceil(max(1, longest) / PAD_MULTIPLE) * PAD_MULTIPLE)
    ids = torch.full((len(examples), seq), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), seq), dtype=torch.long)
    types = torch.zeros((len(examples), seq), dtype=torch.long)
    labels = torch.full((len(examples),) if task == "seq-cls" else (len(examples), seq), IGNORE_INDEX, dtype=torch.long)
    for b, e in enumerate(examples):
        n = len(e["input_ids"])
        ids[b, :n] = torch.tensor(e["input_ids"])
        mask[b, :n] = 1
        if e.get("token_type_ids") is not None:
            types[b, :n] = torch.tensor(e["token_type_ids"])
        if task == "seq-cls":
            labels[b] = e["label"] if not e.get("dummy") else IGNORE_INDEX
        elif task == "token-cls" and not e.get("dummy"):
            labels[b, :n] = torch.tensor(e["labels"])
    inputs = {"input_ids": ids, "attention_mask": mask}
    if token_types:
        inputs["token_type_ids"] = types
    return inputs, labels


def to_device(inputs, labels, device):
    return {k: v.to(device) for k, v in inputs.items()}, labels.to(device)


def mask_tokens(batch, labels, examples, mlm, mask_id, vocab_size, seeds):
    """DataCollatorForLanguageModeling: each non-special token chosen with probability p (whole words together with
    wholeWord), 80% -> mask, 10% -> a random id, 10% kept; labels -100 elsewhere. One generator per example."""
    ids = batch["input_ids"]
    for b, e in enumerate(examples):
        if e.get("dummy"):
            continue
        g = torch.Generator().manual_seed(seeds[b])
        n = len(e["input_ids"])
        candidates = [i for i in range(n) if not e["special"][i]]
        if mlm["wholeWord"]:
            words = {}
            for i in candidates:
                words.setdefault(e["words"][i], []).append(i)
            groups = list(words.values())
            order = torch.randperm(len(groups), generator=g).tolist()
            target = min(512, max(1, round(n * mlm["probability"])))
            chosen = []
            for k in order:
                if len(chosen) >= target:
                    break
                if len(chosen) + len(groups[k]) <= target:
                    chosen.extend(groups[k])
        else:
            draw = torch.rand(len(candidates), generator=g)
            chosen = [i for i, u in zip(candidates, draw.tolist()) if u < mlm["probability"]]
        for i in chosen:
            token = int(ids[b, i])
            labels[b, i] = token
            u = float(torch.rand(1, generator=g))
            if u < 0.8:
                ids[b, i] = mask_id
            elif float(torch.rand(1, generator=g)) < 0.5:
                ids[b, i] = int(torch.randint(vocab_size, (1,), generator=g))


def epoch_batches(n, batch_size, seed, epoch, shuffle):
    """Example indices of each global batch of one epoch; the order is a function of (seed, epoch)."""
    order = list(range(n))
    if shuffle:
        random.Random(seed * 1_000_003 + epoch).shuffle(order)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def shard(indices, rank, world, data):
    """This process's share of a global batch; a process left without an example gets one whose labels are ignored."""
    mine = [data[i] for i in indices[rank::world]]
    return mine if mine else [{**data[indices[0]], "dummy": True}]


# ---- model ------------------------------------------------------------------------------------------------------


def dropout_overrides(model_type, task, dropout):
    """The run's dropout rates as config.json fields (None keeps the checkpoint's own)."""
    out = {}
    if model_type == "distilbert":
        names = {"hidden": "dropout", "attention": "attention_dropout", "classifier": "seq_classif_dropout" if task == "seq-cls" else None}
    else:
        names = {"hidden": "hidden_dropout_prob", "attention": "attention_probs_dropout_prob", "classifier": "classifier_dropout"}
    for key, field in names.items():
        if dropout[key] is not None and field is not None:
            out[field] = dropout[key]
    return out


def main():
    args = parse_args()
    run = json.loads(Path(args.run).read_text(encoding="utf-8"))
    cfg, task = run["config"], run["task"]

    from accelerate import Accelerator
    from accelerate.utils import DistributedType, gather_object, set_seed
    from transformers import AutoConfig, AutoModelForMaskedLM, AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer

    accelerator = Accelerator(gradient_accumulation_steps=cfg["gradAccumulation"])
    world, rank = accelerator.num_processes, accelerator.process_index
    dist = accelerator.distributed_type
    log = accelerator.print
    set_seed(cfg["seed"])

    base = Path(args.run).resolve().parent
    model_path = args.model_name_or_path or (str(base / run["model"]["path"]) if run["model"]["path"] else run["model"]["hub_id"])
    revision = run["model"].get("revision") if not args.model_name_or_path and not run["model"]["path"] else None
    train_path = args.train_file or (str(base / run["data"]["train"]) if run["data"]["train"] else None)
    if train_path is None:
        fail("RECIPE_NO_DATA", "the recipe was exported without data: give --train_file (JSONL, the layout README.md describes)")
    train_rows = read_jsonl(train_path)
    if args.validation_file:
        validation_rows = read_jsonl(args.validation_file)
    elif args.train_file:
        train_rows, validation_rows = split_rows(train_rows, task, cfg["validationSplit"], cfg["seed"])
    else:
        validation_rows = read_jsonl(str(base / run["data"]["validation"])) if run["data"]["validation"] else []

    if task == "mlm":
        id2label = []
    elif run.get("labels") and not args.train_file:
        id2label = run["labels"]
    else:
        id2label = sorted_labels(t for r in train_rows for t in (r["tags"] if task == "token-cls" else [r["label"]]))
    label2id = {l: i for i, l in enumerate(id2label)}

    hub_config = AutoConfig.from_pretrained(model_path, revision=revision)
    family = lp.family_of(hub_config.model_type)
    overrides = dropout_overrides(hub_config.model_type, task, cfg["dropout"])
    if task != "mlm":
        overrides.update(num_labels=len(id2label), id2label=dict(enumerate(id2label)), label2id=label2id)
    config = AutoConfig.from_pretrained(model_path, revision=revision, **overrides)
    auto = {"seq-cls": AutoModelForSequenceClassification, "token-cls": AutoModelForTokenClassification, "mlm": AutoModelForMaskedLM}[task]
    # A head of another size (a fine-tuned folder with other classes) is made anew, as the studio makes it.
    model = auto.from_pretrained(model_path, revision=revision, config=config, ignore_mismatched_sizes=True)
    reinit = set(run["model"].get("reinit", [])) if not args.model_name_or_path and not args.train_file else set()
    with torch.no_grad():
        # The checkpoint's head was trained for classes of other names: its class-sized tensors start afresh, as the
        # studio's loader makes them (transformers' _init_weights for a Linear).
        for name, param in model.named_parameters():
            if name in reinit:
                param.zero_() if name.endswith(".bias") else param.normal_(0.0, config.initializer_range)
    if cfg.get("gradientCheckpointing"):
        # The studio recomputes each encoder layer in the backward pass; transformers' equivalent (same gradients).
        model.gradient_checkpointing_enable()
    roberta_words = task == "token-cls" and family == "roberta"
    tokenizer = AutoTokenizer.from_pretrained(model_path, revision=revision, **({"add_prefix_space": True} if roberta_words else {}))
    num_layers = config.n_layers if family == "distilbert" else config.num_hidden_layers
    max_length = min(cfg["maxLength"], tokenizer.model_max_length)
    token_types = family != "distilbert"  # DistilBERT's forward takes no token_type_ids

    train, _ = encode(train_rows, tokenizer, task, max_length, label2id)
    validation, skipped = encode(validation_rows, tokenizer, task, max_length, label2id)
    if skipped:
        log(f"note: {skipped} validation rows have a label the training data does not have; left out")
    if not train:
        fail("TRAIN_NO_EXAMPLES", "the training data has no examples")
    watches = cfg["earlyStopping"]["patience"] is not None or cfg["earlyStopping"]["restoreBest"] or cfg["schedule"]["type"] == "plateau"
    if watches and not validation:
        fail("TRAIN_NO_VALIDATION", "early stopping, restoreBest and the plateau schedule need evaluation data")

    # ---- the parameter plan: freezing, pyramid, multipliers, decay exclusions
    named = list(model.named_parameters())
    names = [n for n, _ in named]
    try:
        plan = lp.with_unfrozen_scales(names, family, num_layers, cfg)
    except lp.PlanError as err:
        fail(err.code, str(err))
    by_name = {p["name"]: p for p in plan}
    for n, p in named:
        if by_name[n]["frozen_by"] == "freeze":
            p.requires_grad_(False)
    sharded = dist == DistributedType.FSDP or (dist == DistributedType.DEEPSPEED and accelerator.state.deepspeed_plugin.zero_stage == 3)
    if cfg["gradualUnfreeze"] is not None and dist in (DistributedType.DEEPSPEED, DistributedType.FSDP):
        fail("RECIPE_UNSUPPORTED", "gradual unfreezing leaves parameters without gradients part of the run: launch it on one GPU or with DDP (accelerate_config.multi_gpu.yaml)")
    if cfg["l2sp"] > 0 and sharded:
        fail("RECIPE_UNSUPPORTED", "L2-SP needs every process to hold whole parameters: use DDP or DeepSpeed ZeRO-2, not ZeRO-3 or FSDP")
    trainable_names = {n for n, p in named if p.requires_grad}
    anchors = {n: p.detach().clone() for n, p in named if n in trainable_names} if cfg["l2sp"] > 0 else {}
    optimizer = torch.optim.AdamW(lp.optimizer_groups(named, plan), lr=0.0, betas=tuple(cfg["betas"]), eps=cfg["eps"])

    global_batch = cfg["batchSize"] * (world if args.batch == "per-device" else 1)
    if dist == DistributedType.DEEPSPEED:
        # accelerate fills "auto" from a prepared dataloader; this loop shards its own batches (accelerate's documented override).
        accelerator.state.deepspeed_plugin.deepspeed_config["train_micro_batch_size_per_gpu"] = math.ceil(global_batch / world)
    model, optimizer = accelerator.prepare(model, optimizer)

    batches_per_epoch = math.ceil(len(train) / global_batch)
    plan_steps = lp.derive_schedule(cfg, batches_per_epoch)
    total = plan_steps["total_steps"]
    every = lp.eval_interval(cfg["evalEvery"], plan_steps["steps_per_epoch"], total)
    plateau = lp.PlateauScheduler(cfg["learningRate"], cfg["schedule"], lm.METRIC_GOAL[cfg["schedule"]["plateau"]["metric"]]) if cfg["schedule"]["type"] == "plateau" else None
    stopper = lm.EarlyStopping(cfg["earlyStopping"])
    mask_id, vocab_size = tokenizer.mask_token_id, len(tokenizer)
    G = cfg["gradAccumulation"]
    out_dir = Path(args.output_dir)
    log(f"{task}: {len(train)} training and {len(validation)} evaluation examples, {len(id2label)} labels; {world} processes ({dist}), "
        f"{total} optimizer steps of {global_batch} x {G} examples, warmup {plan_steps['warmup_steps']}, evaluation every {every} steps")

    def labelled(labels):
        return int((labels != IGNORE_INDEX).sum())

    def loss_sum(logits, labels, smoothing):
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1), ignore_index=IGNORE_INDEX, reduction="sum", label_smoothing=smoothing)

    def evaluate():
        """The studio's evaluation: eval mode, every example, mean loss over labelled items, its metrics."""
        model.eval()
        mine = list(range(rank, len(validation), world))
        per_rank = math.ceil(math.ceil(len(validation) / world) / cfg["batchSize"])
        found = {"loss": 0.0, "count": 0, "true": [], "pred": [], "tags_true": [], "tags_pred": []}
        with torch.no_grad():
            for b in range(per_rank):  # every process runs as many forwards (ZeRO-3 and FSDP gather in each)
                chunk = mine[b * cfg["batchSize"] : (b + 1) * cfg["batchSize"]]
                examples = [validation[i] for i in chunk] or [{**validation[0], "dummy": True}]
                inputs, labels = collate(examples, task, tokenizer.pad_token_id, max_length, token_types)
                if task == "mlm":
                    mask_tokens(inputs, labels, examples, cfg["mlm"], mask_id, vocab_size, [cfg["seed"] * 7919 + i for i in chunk] or [0])
                inputs, labels = to_device(inputs, labels, accelerator.device)
                logits = model(**inputs).logits
                found["loss"] += float(loss_sum(logits, labels, 0.0))
                found["count"] += labelled(labels)
                pred = logits.argmax(-1).cpu()
                labels = labels.cpu()
                for k, e in enumerate(examples):
                    if e.get("dummy"):
                        continue
                    if task == "seq-cls":
                        found["true"].append(int(labels[k]))
                        found["pred"].append(int(pred[k]))
                        continue
                    keep = labels[k] != IGNORE_INDEX
                    t, p = labels[k][keep].tolist(), pred[k][keep].tolist()
                    found["true"] += t
                    found["pred"] += p
                    if task == "token-cls":
                        found["tags_true"].append([id2label[i] for i in t])
                        found["tags_pred"].append([id2label[i] if i < len(id2label) else str(i) for i in p])
        model.train()
        parts = gather_object([found])
        merged = {k: sum((part[k] for part in parts), [] if isinstance(found[k], list) else 0) for k in found}
        return lm.evaluation_metrics(task, merged["loss"], merged["count"], merged["true"], merged["pred"], id2label, merged["tags_true"], merged["tags_pred"], len(validation))

    def save(folder, metrics=None, history=(), summary=None):
        accelerator.wait_for_everyone()
        state = accelerator.get_state_dict(model)
        if accelerator.is_main_process:
            folder.mkdir(parents=True, exist_ok=True)
            accelerator.unwrap_model(model).save_pretrained(folder, state_dict=state)
            tokenizer.save_pretrained(folder)
            if summary is not None:
                record = {**(metrics or {}), "history": list(history), "train": summary, "config": cfg}
                (folder / "metrics.json").write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
        accelerator.wait_for_everyone()

    model.train()
    step, history, best_step, reason = 0, [], None, "completed"
    started, last_eval = time.time(), -1
    limit = min(total, args.max_steps) if args.max_steps else total
    for epoch in range(plan_steps["epochs"]):
        if step >= limit or reason != "completed":
            break
        frozen_now = {p["name"] for p in lp.plan_parameters(names, family, num_layers, cfg, epoch) if p["frozen_by"] == "gradual-unfreeze"}
        batches = epoch_batches(len(train), global_batch, cfg["seed"], epoch, True)
        for w in range(0, len(batches), G):
            if step >= limit:
                break
            window = [shard(ix, rank, world, train) for ix in batches[w : w + G]]
            base_lr = lp.learning_rate_at(step, total, cfg["schedule"], plateau.lr if plateau else cfg["learningRate"])
            lp.set_learning_rates(optimizer, base_lr)
            prepared = []
            for j, examples in enumerate(window):
                inputs, labels = collate(examples, task, tokenizer.pad_token_id, max_length, token_types)
                if task == "mlm":
                    mask_tokens(inputs, labels, examples, cfg["mlm"], mask_id, vocab_size, [hash((cfg["seed"], step, j, k, rank)) & 0x7FFFFFFF for k in range(len(examples))])
                prepared.append(to_device(inputs, labels, accelerator.device))
            count = torch.tensor(sum(labelled(l) for _, l in prepared), device=accelerator.device)
            window_items = max(1, int(accelerator.reduce(count, "sum")))
            window_loss = torch.zeros((), device=accelerator.device)
            for j, (inputs, labels) in enumerate(prepared):
                last = j == len(prepared) - 1
                # Sync (and, under DeepSpeed, step) only after the window's last micro-batch, also for a short last window.
                accelerator.sync_gradients = last
                with contextlib.nullcontext() if last else accelerator.no_sync(model):
                    summed = loss_sum(model(**inputs).logits, labels, cfg["labelSmoothing"])
                    # accelerate and DeepSpeed divide by G and the processes' gradients are averaged: this makes the
                    # step's gradient that of the mean loss over the window's labelled items on every process.
                    loss = summed * (world * G / window_items)
                    if last and anchors:
                        penalty = sum(((p - anchors[n]) ** 2).sum() for n, p in accelerator.unwrap_model(model).named_parameters() if n in anchors)
                        loss = loss + cfg["l2sp"] * penalty * G
                    accelerator.backward(loss)
                window_loss += summed.detach()
            if frozen_now:
                for n, p in accelerator.unwrap_model(model).named_parameters():
                    if n in frozen_now:
                        p.grad = None
            max_norm = cfg["maxGradNorm"] or math.inf
            norm = accelerator.clip_grad_norm_(model.parameters(), max_norm)
            norm = float(norm) if norm is not None else math.nan
            train_loss = float(accelerator.reduce(window_loss, "sum")) / window_items
            if dist != DistributedType.DEEPSPEED:
                # Not finite: the step is skipped and the weights stay as they were (DeepSpeed has stepped already).
                if math.isfinite(train_loss) and (math.isfinite(norm) or math.isnan(norm)):
                    optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            step += 1
            if step % max(1, total // 50) == 0 or step == 1:
                log(json.dumps({"step": step, "epoch": round(epoch + (w // G + 1) / plan_steps["steps_per_epoch"], 4), "loss": train_loss, "grad_norm": norm, "learning_rate": base_lr}))
            epoch_end = w + G >= len(batches)
            due = validation and (epoch_end if cfg["evalEvery"] == "epoch" else step % every == 0)
            if due:
                metrics = evaluate()
                last_eval = step
                record = {"step": step, "epoch": epoch + (w // G + 1) / plan_steps["steps_per_epoch"], "learning_rate": base_lr, **metrics}
                history.append(record)
                if plateau is not None:
                    plateau.step(metrics[cfg["schedule"]["plateau"]["metric"]])
                is_best, should_stop = stopper.update(step, metrics)
                log(json.dumps({k: v for k, v in record.items() if not isinstance(v, list)}))
                if is_best and cfg["earlyStopping"]["restoreBest"]:
                    best_step = step
                    save(out_dir / "best")
                if should_stop:
                    reason = "early-stopped"
                    break
    if reason == "completed" and last_eval != step and validation:
        metrics = evaluate()
        history.append({"step": step, "epoch": step / plan_steps["steps_per_epoch"], **metrics})
        is_best, _ = stopper.update(step, metrics)
        if is_best and cfg["earlyStopping"]["restoreBest"]:
            best_step = step
            save(out_dir / "best")

    summary = {"steps": step, "total_steps": total, "reason": reason, "seconds": round(time.time() - started, 1), "processes": world, "distributed_type": str(dist), "restored_best_step": None}
    final = next((r for r in history if r["step"] == best_step), None) if best_step is not None else (history[-1] if history else None)
    metrics = {k: v for k, v in (final or {}).items() if k not in ("step", "epoch", "learning_rate")}
    if best_step is not None:
        # restoreBest: the best evaluation's weights are the result (load_best_model_at_end).
        summary["restored_best_step"] = best_step
        if accelerator.is_main_process:
            if out_dir.joinpath("model").exists():
                shutil.rmtree(out_dir / "model")
            shutil.move(str(out_dir / "best"), str(out_dir / "model"))
            record = {**metrics, "history": history, "train": summary, "config": cfg}
            (out_dir / "model" / "metrics.json").write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
        accelerator.wait_for_everyone()
    else:
        save(out_dir / "model", metrics, history, summary)
    log(json.dumps({"finished": reason, "steps": step, "model": str(out_dir / "model"), **{k: v for k, v in metrics.items() if not isinstance(v, list)}}))


if __name__ == "__main__":
    main()
