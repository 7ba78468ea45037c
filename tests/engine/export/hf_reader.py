#!/usr/bin/python3
"""An independent reader of exported Hugging Face folders: config.json + model.safetensors -> eval-mode logits.

Written from the file formats and transformers' modeling_{bert,roberta,distilbert,electra}.py, with plain torch in
float64; it shares no code with the Layerwise engine. It also checks the tensor names as transformers'
from_pretrained would see them: every parameter of the architecture present exactly once, the tied ones (the MLM
decoder's weight, BERT's and RoBERTa's decoder bias) absent, nothing unexpected, every tensor F32 of the right shape.

Usage: hf_reader.py JOBS.json   JOBS: [{"dir": MODEL_DIR, "inputs": {"input_ids": [[..]], "attention_mask": [[..]],
                                        "token_type_ids"?: [[..]]}}, ...]
Prints one JSON list: per job {"logits": nested list, "missing": [...], "unexpected": [...], "bad": [...],
"tied_present": [...], "architecture": str}.
"""
import json
import math
import struct
import sys

import torch

ROBERTA_TYPES = ("roberta", "xlm-roberta", "camembert")
DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """name -> (dtype string, shape, float64 tensor); the header as the format specifies (8-byte LE length, JSON)."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    body = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        count = math.prod(info["shape"])
        values = torch.frombuffer(bytearray(body[start:end]), dtype=dtype, count=count) if count else torch.zeros(0, dtype=dtype)
        out[name] = (info["dtype"], list(info["shape"]), values.reshape(info["shape"]).to(torch.float64))
    return out


def act(name):
    if name in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
        return lambda x: 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    if name == "relu":
        return torch.relu
    if name == "gelu":
        return lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
    raise ValueError(f"activation {name} is not read here")


def expected_shapes(cfg, kind):
    """Every tensor transformers saves for this architecture (tied copies left out): name -> shape."""
    mt = cfg["model_type"]
    s = {}
    if mt == "distilbert":
        d, v, ff = cfg["dim"], cfg["vocab_size"], cfg["hidden_dim"]
        p = "distilbert."
        s[p + "embeddings.word_embeddings.weight"] = [v, d]
        s[p + "embeddings.position_embeddings.weight"] = [cfg["max_position_embeddings"], d]
        s[p + "embeddings.LayerNorm.weight"] = [d]
        s[p + "embeddings.LayerNorm.bias"] = [d]
        for i in range(cfg["n_layers"]):
            q = f"{p}transformer.layer.{i}."
            for lin in ("q_lin", "k_lin", "v_lin", "out_lin"):
                s[q + f"attention.{lin}.weight"] = [d, d]
                s[q + f"attention.{lin}.bias"] = [d]
            for ln in ("sa_layer_norm", "output_layer_norm"):
                s[q + f"{ln}.weight"] = [d]
                s[q + f"{ln}.bias"] = [d]
            s[q + "ffn.lin1.weight"] = [ff, d]
            s[q + "ffn.lin1.bias"] = [ff]
            s[q + "ffn.lin2.weight"] = [d, ff]
            s[q + "ffn.lin2.bias"] = [d]
        labels = len(cfg.get("id2label") or {}) or 2
        if kind == "seq":
            s.update({"pre_classifier.weight": [d, d], "pre_classifier.bias": [d], "classifier.weight": [labels, d], "classifier.bias": [labels]})
        elif kind == "tok":
            s.update({"classifier.weight": [labels, d], "classifier.bias": [labels]})
        else:
            s.update({"vocab_transform.weight": [d, d], "vocab_transform.bias": [d], "vocab_layer_norm.weight": [d], "vocab_layer_norm.bias": [d], "vocab_projector.bias": [v]})
        return s, (["vocab_projector.weight"] if kind == "mlm" else [])
    base = "roberta" if mt in ROBERTA_TYPES else mt
    h, v, ff = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    e = cfg.get("embedding_size") or h if mt == "electra" else h
    p = base + "."
    s[p + "embeddings.word_embeddings.weight"] = [v, e]
    s[p + "embeddings.position_embeddings.weight"] = [cfg["max_position_embeddings"], e]
    s[p + "embeddings.token_type_embeddings.weight"] = [cfg.get("type_vocab_size", 2), e]
    s[p + "embeddings.LayerNorm.weight"] = [e]
    s[p + "embeddings.LayerNorm.bias"] = [e]
    if e != h:
        s[p + "embeddings_project.weight"] = [h, e]
        s[p + "embeddings_project.bias"] = [h]
    for i in range(cfg["num_hidden_layers"]):
        q = f"{p}encoder.layer.{i}."
        for lin in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            s[q + lin + ".weight"] = [h, h]
            s[q + lin + ".bias"] = [h]
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            s[q + ln + ".weight"] = [h]
            s[q + ln + ".bias"] = [h]
        s[q + "intermediate.dense.weight"] = [ff, h]
        s[q + "intermediate.dense.bias"] = [ff]
        s[q + "output.dense.weight"] = [h, ff]
        s[q + "output.dense.bias"] = [h]
    labels = len(cfg.get("id2label") or {}) or 2
    tied = []
    if kind == "seq" and mt == "bert":
        s.update({p + "pooler.dense.weight": [h, h], p + "pooler.dense.bias": [h], "classifier.weight": [labels, h], "classifier.bias": [labels]})
    elif kind == "seq":
        # RobertaClassificationHead / ElectraClassificationHead
        s.update({"classifier.dense.weight": [h, h], "classifier.dense.bias": [h], "classifier.out_proj.weight": [labels, h], "classifier.out_proj.bias": [labels]})
    elif kind == "tok":
        s.update({"classifier.weight": [labels, h], "classifier.bias": [labels]})
    elif mt == "bert":
        s.update({"cls.predictions.transform.dense.weight": [h, h], "cls.predictions.transform.dense.bias": [h], "cls.predictions.transform.LayerNorm.weight": [h], "cls.predictions.transform.LayerNorm.bias": [h], "cls.predictions.bias": [v]})
        tied = ["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"]
    elif base == "roberta":
        s.update({"lm_head.dense.weight": [h, h], "lm_head.dense.bias": [h], "lm_head.layer_norm.weight": [h], "lm_head.layer_norm.bias": [h], "lm_head.bias": [v]})
        tied = ["lm_head.decoder.weight", "lm_head.decoder.bias"]
    else:
        s.update({"generator_predictions.dense.weight": [e, h], "generator_predictions.dense.bias": [e], "generator_predictions.LayerNorm.weight": [e], "generator_predictions.LayerNorm.bias": [e], "generator_lm_head.bias": [v]})
        tied = ["generator_lm_head.weight"]
    return s, tied


def attention(x, mask, w, q, k, v, heads):
    B, S, H = x.shape
    d = H // heads
    split = lambda t: t.view(B, S, heads, d).transpose(1, 2)  # (B, heads, S, d)
    scores = split(q(x)) @ split(k(x)).transpose(-1, -2) / math.sqrt(d)  # (B, heads, S, S)
    scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    return (torch.softmax(scores, -1) @ split(v(x))).transpose(1, 2).reshape(B, S, H)


def run(job):
    cfg = json.load(open(job["dir"] + "/config.json"))
    arch = cfg["architectures"][0]
    kind = "seq" if arch.endswith("ForSequenceClassification") else "tok" if arch.endswith("ForTokenClassification") else "mlm" if arch.endswith("ForMaskedLM") else None
    if kind is None:
        raise ValueError(f"architecture {arch} is not read here")
    file = read_safetensors(job["dir"] + "/model.safetensors")
    shapes, tied = expected_shapes(cfg, kind)
    report = {
        "architecture": arch,
        "missing": sorted(n for n in shapes if n not in file),
        "unexpected": sorted(n for n in file if n not in shapes and n not in tied),
        "tied_present": sorted(n for n in tied if n in file),
        "bad": sorted(n for n, (dt, shape, _) in file.items() if n in shapes and (dt != "F32" or shape != shapes[n])),
    }
    if report["missing"] or report["bad"]:
        return report
    if cfg.get("tie_word_embeddings") is False and kind == "mlm":
        raise ValueError("tie_word_embeddings is false but the decoder weight is not in the file")
    w = {n: t for n, (_, _, t) in file.items()}
    lin = lambda name: (lambda t: t @ w[name + ".weight"].T + w[name + ".bias"])
    ln = lambda name, eps: (lambda t: torch.nn.functional.layer_norm(t, (t.shape[-1],), w[name + ".weight"], w[name + ".bias"], eps))
    ids = torch.tensor(job["inputs"]["input_ids"])
    mask = torch.tensor(job["inputs"].get("attention_mask") or [[1] * ids.shape[1]] * ids.shape[0])
    types = torch.tensor(job["inputs"].get("token_type_ids") or [[0] * ids.shape[1]] * ids.shape[0])
    mt = cfg["model_type"]
    if mt == "distilbert":
        p = "distilbert."
        pos = torch.arange(ids.shape[1])[None, :]
        x = ln(p + "embeddings.LayerNorm", 1e-12)(w[p + "embeddings.word_embeddings.weight"][ids] + w[p + "embeddings.position_embeddings.weight"][pos])
        f = act(cfg.get("activation", "gelu"))
        for i in range(cfg["n_layers"]):
            q = f"{p}transformer.layer.{i}."
            a = attention(x, mask, w, lin(q + "attention.q_lin"), lin(q + "attention.k_lin"), lin(q + "attention.v_lin"), cfg["n_heads"])
            x = ln(q + "sa_layer_norm", 1e-12)(x + lin(q + "attention.out_lin")(a))
            x = ln(q + "output_layer_norm", 1e-12)(x + lin(q + "ffn.lin2")(f(lin(q + "ffn.lin1")(x))))
        if kind == "seq":
            logits = lin("classifier")(torch.relu(lin("pre_classifier")(x[:, 0])))
        elif kind == "tok":
            logits = lin("classifier")(x)
        else:
            t = ln("vocab_layer_norm", 1e-12)(f(lin("vocab_transform")(x)))
            logits = t @ w[p + "embeddings.word_embeddings.weight"].T + w["vocab_projector.bias"]
        return {**report, "logits": logits.tolist()}
    base = "roberta" if mt in ROBERTA_TYPES else mt
    p = base + "."
    eps = cfg.get("layer_norm_eps", 1e-12)
    if base == "roberta":
        # create_position_ids_from_input_ids: positions count from padding_idx + 1 over non-padding tokens.
        pad = cfg.get("pad_token_id", 1)
        keep = (ids != pad).long()
        pos = torch.cumsum(keep, 1) * keep + pad
    else:
        pos = torch.arange(ids.shape[1])[None, :].expand_as(ids)
    x = w[p + "embeddings.word_embeddings.weight"][ids] + w[p + "embeddings.position_embeddings.weight"][pos] + w[p + "embeddings.token_type_embeddings.weight"][types]
    x = ln(p + "embeddings.LayerNorm", eps)(x)
    if p + "embeddings_project.weight" in w:
        x = lin(p + "embeddings_project")(x)
    f = act(cfg.get("hidden_act", "gelu"))
    for i in range(cfg["num_hidden_layers"]):
        q = f"{p}encoder.layer.{i}."
        a = attention(x, mask, w, lin(q + "attention.self.query"), lin(q + "attention.self.key"), lin(q + "attention.self.value"), cfg["num_attention_heads"])
        x = ln(q + "attention.output.LayerNorm", eps)(x + lin(q + "attention.output.dense")(a))
        x = ln(q + "output.LayerNorm", eps)(x + lin(q + "output.dense")(f(lin(q + "intermediate.dense")(x))))
    words = w[p + "embeddings.word_embeddings.weight"]
    gelu = act("gelu")
    if kind == "seq" and mt == "bert":
        logits = lin("classifier")(torch.tanh(lin(p + "pooler.dense")(x[:, 0])))
    elif kind == "seq":
        # RobertaClassificationHead: dense, tanh, out_proj; ElectraClassificationHead: dense, gelu, out_proj.
        head = torch.tanh if base == "roberta" else gelu
        logits = lin("classifier.out_proj")(head(lin("classifier.dense")(x[:, 0])))
    elif kind == "tok":
        logits = lin("classifier")(x)
    elif mt == "bert":
        t = ln("cls.predictions.transform.LayerNorm", eps)(f(lin("cls.predictions.transform.dense")(x)))
        logits = t @ words.T + w["cls.predictions.bias"]
    elif base == "roberta":
        t = ln("lm_head.layer_norm", eps)(gelu(lin("lm_head.dense")(x)))
        logits = t @ words.T + w["lm_head.bias"]
    else:
        t = ln("generator_predictions.LayerNorm", eps)(gelu(lin("generator_predictions.dense")(x)))
        logits = t @ words.T + w["generator_lm_head.bias"]
    return {**report, "logits": logits.tolist()}


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    print(json.dumps([run(job) for job in json.load(open(sys.argv[1]))]))
