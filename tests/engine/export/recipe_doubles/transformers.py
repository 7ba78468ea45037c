"""Stand-in for transformers (see README.md): BERT sequence and token classification and masked LM from model.safetensors, a
whitespace WordPiece-less tokenizer over vocab.txt, config.json with overrides. Parameters carry checkpoint names."""
import json
import math
import shutil
import struct
import types
from pathlib import Path

import torch


def _read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        s, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + s : 8 + n + e]), dtype=torch.float32).reshape(info["shape"]).clone()
    return out


def _write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class AutoConfig:
    @staticmethod
    def from_pretrained(path, revision=None, **overrides):
        raw = json.loads((Path(path) / "config.json").read_text())
        raw.update(overrides)
        cfg = types.SimpleNamespace(**raw)
        cfg.to_dict = lambda: {k: v for k, v in vars(cfg).items() if k != "to_dict"}
        return cfg


class _Tokenizer:
    def __init__(self, path):
        self.path = Path(path)
        self.vocab = {t: i for i, t in enumerate((self.path / "vocab.txt").read_text().split("\n")) if t}
        self.pad_token_id, self.mask_token_id = self.vocab["[PAD]"], self.vocab["[MASK]"]
        self.model_max_length = 512

    def __len__(self):
        return len(self.vocab)

    def _ids(self, words):
        return [self.vocab.get(w.lower(), self.vocab["[UNK]"]) for w in words]

    def __call__(self, text, pair=None, is_split_into_words=False, truncation=True, max_length=512, return_special_tokens_mask=False):
        words = text if is_split_into_words else text.split()
        ids = [self.vocab["[CLS]"]] + self._ids(words)[: max_length - 2] + [self.vocab["[SEP]"]]
        word_ids = [None] + list(range(len(ids) - 2)) + [None]
        types_ = [0] * len(ids)
        if pair is not None:
            more = self._ids(pair.split())[: max(0, max_length - len(ids) - 1)] + [self.vocab["[SEP]"]]
            ids, types_, word_ids = ids + more, types_ + [1] * len(more), word_ids + [None] * len(more)
        enc = {"input_ids": ids, "token_type_ids": types_}
        if return_special_tokens_mask:
            enc["special_tokens_mask"] = [1 if w is None else 0 for w in word_ids]
        return _Encoding(enc, word_ids)

    def save_pretrained(self, folder):
        shutil.copy(self.path / "vocab.txt", Path(folder) / "vocab.txt")
        (Path(folder) / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True}))


class _Encoding(dict):
    def __init__(self, enc, word_ids):
        super().__init__(enc)
        self._words = word_ids

    def word_ids(self, i=0):
        return self._words


class AutoTokenizer:
    @staticmethod
    def from_pretrained(path, revision=None, **kwargs):
        return _Tokenizer(path)


class _Bert(torch.nn.Module):
    """modeling_bert.py's BertFor{Sequence,Token}Classification as one function of checkpoint-named parameters."""

    def __init__(self, config, kind, weights):
        super().__init__()
        self.config, self.kind = config, kind
        for name, value in weights.items():
            *path, leaf = name.split(".")
            module = self
            for part in path:
                if part not in module._modules:
                    module.add_module(part, torch.nn.Module())
                module = module._modules[part]
            module.register_parameter(leaf, torch.nn.Parameter(value))

    def forward(self, input_ids, attention_mask, token_type_ids):
        c = self.config
        w = dict(self.named_parameters())
        drop = lambda x, p: torch.nn.functional.dropout(x, p, self.training)
        lin = lambda n, x: x @ w[n + ".weight"].T + w[n + ".bias"]
        ln = lambda n, x: torch.nn.functional.layer_norm(x, (x.shape[-1],), w[n + ".weight"], w[n + ".bias"], c.layer_norm_eps)
        gelu = lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
        B, S = input_ids.shape
        x = w["bert.embeddings.word_embeddings.weight"][input_ids] + w["bert.embeddings.position_embeddings.weight"][torch.arange(S)][None] + w["bert.embeddings.token_type_embeddings.weight"][token_type_ids]
        x = drop(ln("bert.embeddings.LayerNorm", x), c.hidden_dropout_prob)
        H, heads = c.hidden_size, c.num_attention_heads
        for i in range(c.num_hidden_layers):
            p = f"bert.encoder.layer.{i}."
            split = lambda t: t.view(B, S, heads, H // heads).transpose(1, 2)
            scores = split(lin(p + "attention.self.query", x)) @ split(lin(p + "attention.self.key", x)).transpose(-1, -2) / math.sqrt(H // heads)
            scores = scores.masked_fill(attention_mask[:, None, None, :] == 0, float("-inf"))
            a = (drop(torch.softmax(scores, -1), c.attention_probs_dropout_prob) @ split(lin(p + "attention.self.value", x))).transpose(1, 2).reshape(B, S, H)
            x = ln(p + "attention.output.LayerNorm", x + drop(lin(p + "attention.output.dense", a), c.hidden_dropout_prob))
            x = ln(p + "output.LayerNorm", x + drop(lin(p + "output.dense", gelu(lin(p + "intermediate.dense", x))), c.hidden_dropout_prob))
        if self.kind == "mlm":
            # BertLMPredictionHead: transform (dense, gelu, LayerNorm), then the tied decoder and its bias.
            t = ln("cls.predictions.transform.LayerNorm", gelu(lin("cls.predictions.transform.dense", x)))
            return types.SimpleNamespace(logits=t @ w["bert.embeddings.word_embeddings.weight"].T + w["cls.predictions.bias"])
        head_drop = c.classifier_dropout if c.classifier_dropout is not None else c.hidden_dropout_prob
        if self.kind == "seq":
            pooled = torch.tanh(lin("bert.pooler.dense", x[:, 0]))
            return types.SimpleNamespace(logits=lin("classifier", drop(pooled, head_drop)))
        return types.SimpleNamespace(logits=lin("classifier", drop(x, head_drop)))

    def save_pretrained(self, folder, state_dict=None):
        folder = Path(folder)
        _write_safetensors(folder / "model.safetensors", state_dict if state_dict is not None else self.state_dict())
        arch = {"seq": "BertForSequenceClassification", "tok": "BertForTokenClassification", "mlm": "BertForMaskedLM"}[self.kind]
        (folder / "config.json").write_text(json.dumps({**self.config.to_dict(), "architectures": [arch]}, indent=2))


def _from_pretrained(kind):
    def load(path, revision=None, config=None, ignore_mismatched_sizes=False):
        stored = _read_safetensors(Path(path) / "model.safetensors")
        if kind == "mlm":
            return _Bert(config, kind, {k: v for k, v in stored.items() if not k.startswith("bert.pooler.")})
        weights = {k: v for k, v in stored.items() if k.startswith("bert.")}
        if kind == "tok":
            weights = {k: v for k, v in weights.items() if not k.startswith("bert.pooler.")}
        g = torch.Generator().manual_seed(0)
        n, h = config.num_labels, config.hidden_size
        if kind == "seq" and "bert.pooler.dense.weight" not in weights:
            weights["bert.pooler.dense.weight"] = torch.randn(h, h, generator=g) * 0.02
            weights["bert.pooler.dense.bias"] = torch.zeros(h)
        # A new head, as from_pretrained makes one for other labels (_init_weights: normal(0, 0.02), zero bias).
        weights["classifier.weight"] = torch.randn(n, h, generator=g) * config.initializer_range
        weights["classifier.bias"] = torch.zeros(n)
        return _Bert(config, kind, weights)

    return types.SimpleNamespace(from_pretrained=load)


AutoModelForSequenceClassification = _from_pretrained("seq")
AutoModelForTokenClassification = _from_pretrained("tok")
AutoModelForMaskedLM = _from_pretrained("mlm")
