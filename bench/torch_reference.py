# The PyTorch side of `layerwise bench`: the BERT (or DistilBERT) sequence classifier of src/engine/bench/train-bench.ts
# written plainly in torch.nn after transformers' modeling_bert.py / modeling_distilbert.py (post-LN, exact GELU,
# dropout 0.1, pooler or pre_classifier), the same batch and step (train-mode forward over micro-batches, cross-entropy
# weighted by each micro-batch's share, backward, clip_grad_norm_(1.0), AdamW lr 1e-4 wd 0.01, loss.item()), with
# torch.utils.checkpoint per layer or LoRA (PEFT's init, base frozen) when asked; prints JSON.
# Run: /usr/bin/python3 bench/torch_reference.py --model mini [--device cpu|cuda] [--steps 5] [--warmup 2]
#      [--micro 4] [--checkpointing] [--lora-r 8 --lora-alpha 16]
import argparse
import json
import math
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint

MODELS = {
    'mini': dict(layers=4, hidden=256, heads=4, ffn=1024, vocab=8192, batch=8, seq=128),
    'base': dict(layers=12, hidden=768, heads=12, ffn=3072, vocab=30522, batch=32, seq=128),
    'bert-base': dict(layers=12, hidden=768, heads=12, ffn=3072, vocab=30522, batch=16, seq=128, micro=4),
    'distilbert-base': dict(family='distilbert', layers=6, hidden=768, heads=12, ffn=3072, vocab=30522, batch=16, seq=128, micro=4),
}


class LoraLinear(nn.Module):
    """PEFT's lora.Linear: the frozen base W x + b plus scaling * B(A(x)); A Kaiming-uniform (a = sqrt(5)), B zeros."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling
EPS = 1e-12
DROPOUT = 0.1


class Layer(nn.Module):
    """BertLayer: self-attention, dense + dropout + LayerNorm(x + residual), intermediate GELU, output."""

    def __init__(self, h, heads, ffn):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out = nn.Linear(h, h)
        self.attn_norm = nn.LayerNorm(h, eps=EPS)
        self.intermediate = nn.Linear(h, ffn)
        self.output = nn.Linear(ffn, h)
        self.out_norm = nn.LayerNorm(h, eps=EPS)
        self.drop = nn.Dropout(DROPOUT)

    def forward(self, x, mask):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)  # [B, heads, S, d]
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + mask
        probs = self.drop(scores.softmax(-1))
        context = (probs @ v).transpose(1, 2).reshape(b, s, h)
        attended = self.attn_norm(self.drop(self.attn_out(context)) + x)
        return self.out_norm(self.drop(self.output(F.gelu(self.intermediate(attended)))) + attended)


class DistilLayer(Layer):
    """TransformerBlock: attention, out_lin, sa_layer_norm(attn + x) (no dropout there), FFN with dropout, output_layer_norm."""

    def forward(self, x, mask):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)  # [B, heads, S, d]
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + mask
        probs = self.drop(scores.softmax(-1))
        context = (probs @ v).transpose(1, 2).reshape(b, s, h)
        attended = self.attn_norm(self.attn_out(context) + x)
        return self.out_norm(self.drop(self.output(F.gelu(self.intermediate(attended)))) + attended)


class BertClassifier(nn.Module):
    """BertForSequenceClassification (pooler, classifier) or, with family 'distilbert', DistilBertForSequenceClassification
    (no token types, pre_classifier + ReLU, dropout 0.2). checkpointing: torch.utils.checkpoint around each layer."""

    def __init__(self, spec, num_labels=2, checkpointing=False):
        super().__init__()
        h = spec['hidden']
        self.distil = spec.get('family') == 'distilbert'
        self.checkpointing = checkpointing
        self.word = nn.Embedding(spec['vocab'], h)
        self.position = nn.Embedding(512, h)
        self.token_type = None if self.distil else nn.Embedding(2, h)
        self.emb_norm = nn.LayerNorm(h, eps=EPS)
        block = DistilLayer if self.distil else Layer
        self.layers = nn.ModuleList(block(h, spec['heads'], spec['ffn']) for _ in range(spec['layers']))
        self.pooler = nn.Linear(h, h)  # DistilBERT: pre_classifier
        self.classifier = nn.Linear(h, num_labels)
        self.drop = nn.Dropout(DROPOUT)
        self.head_drop = nn.Dropout(0.2 if self.distil else DROPOUT)
        for m in self.modules():  # transformers' _init_weights
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def add_lora(self, r, alpha):
        """LoRA on query and value of every layer; everything but the adapters and the head frozen."""
        for p in self.parameters():
            p.requires_grad_(False)
        for layer in self.layers:
            layer.query = LoraLinear(layer.query, r, alpha)
            layer.value = LoraLinear(layer.value, r, alpha)
        for p in list(self.pooler.parameters()) + list(self.classifier.parameters()):
            p.requires_grad_(True)

    def forward(self, ids, attention_mask):
        s = ids.shape[1]
        positions = torch.arange(s, device=ids.device)
        x = self.word(ids) + self.position(positions)
        if self.token_type is not None:
            x = x + self.token_type(torch.zeros_like(ids))
        x = self.drop(self.emb_norm(x))
        mask = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = torch.utils.checkpoint.checkpoint(layer, x, mask) if self.checkpointing and self.training else layer(x, mask)
        first = x[:, 0]
        pooled = torch.relu(self.pooler(first)) if self.distil else torch.tanh(self.pooler(first))
        return self.classifier(self.head_drop(pooled))


def sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def median_ms(fn, steps, warmup, device):
    times = []
    for i in range(warmup + steps):
        sync(device)
        t0 = time.perf_counter()
        fn()
        sync(device)
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', choices=MODELS, default='mini')
    p.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--tf32', action='store_true', help='allow TF32 matmuls on CUDA (default: strict fp32)')
    p.add_argument('--batch', type=int, default=None, help='examples per optimizer step (default: the model\'s)')
    p.add_argument('--micro', type=int, default=None, help='examples per forward/backward pass (default: the model\'s)')
    p.add_argument('--checkpointing', action='store_true', help='torch.utils.checkpoint around each encoder layer')
    p.add_argument('--lora-r', type=int, default=0, help='LoRA rank on query and value (0: full fine-tuning)')
    p.add_argument('--lora-alpha', type=float, default=16)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.manual_seed(0)
    spec = dict(MODELS[a.model])
    if a.batch:
        spec['batch'] = a.batch
    model = BertClassifier(spec, checkpointing=a.checkpointing)
    if a.lora_r > 0:
        model.add_lora(a.lora_r, a.lora_alpha)
    model = model.to(a.device)
    micro = min(a.micro or spec.get('micro') or spec['batch'], spec['batch'])
    ids = torch.randint(0, spec['vocab'], (spec['batch'], spec['seq']), device=a.device)
    mask = torch.ones_like(ids)
    labels = torch.randint(0, 2, (spec['batch'],), device=a.device)
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.01)

    losses = []

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        total = 0.0
        for start in range(0, spec['batch'], micro):
            rows = slice(start, start + micro)
            share = ids[rows].shape[0] / spec['batch']
            loss = F.cross_entropy(model(ids[rows], mask[rows]), labels[rows]) * share
            loss.backward()
            total += loss.detach()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        losses.append(total.item())

    ms = median_ms(train_step, a.steps, a.warmup, a.device)
    tokens = spec['batch'] * spec['seq']

    def infer(batch):
        def run():
            model.eval()
            with torch.no_grad():
                model(ids[:batch], mask[:batch]).cpu()
        return run

    result = {
        'model': a.model,
        'device': a.device,
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'parameters': sum(p.numel() for p in model.parameters()),
        'trainable_parameters': sum(p.numel() for p in trainable),
        'micro': micro,
        'checkpointing': a.checkpointing,
        'lora_r': a.lora_r,
        'tf32': a.tf32,
        'ms_per_step': ms,
        'tokens_per_s': tokens / (ms / 1000),
        'first_loss': losses[0],
        'last_loss': losses[-1],
        'infer_ms_b1': median_ms(infer(1), a.steps, a.warmup, a.device),
        'infer_ms_b8': median_ms(infer(min(8, spec['batch'])), a.steps, a.warmup, a.device),
        # ru_maxrss is in KiB on Linux.
        'peak_rss_bytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    if a.device == 'cuda':
        result['peak_cuda_bytes'] = torch.cuda.max_memory_allocated()
        result['gpu'] = torch.cuda.get_device_name()
    print(json.dumps(result))


if __name__ == '__main__':
    main()
