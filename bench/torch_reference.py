# The PyTorch side of `layerwise bench`: the BERT sequence classifier of src/engine/bench/train-bench.ts written plainly
# in torch.nn after transformers' modeling_bert.py (post-LN, exact GELU, dropout 0.1, pooler), the same batch and step
# (train-mode forward, cross-entropy, backward, clip_grad_norm_(1.0), AdamW lr 1e-4 wd 0.01, loss.item()); prints JSON.
# Run: /usr/bin/python3 bench/torch_reference.py --model mini [--device cpu|cuda] [--steps 5] [--warmup 2]
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

MODELS = {
    'mini': dict(layers=4, hidden=256, heads=4, ffn=1024, vocab=8192, batch=8, seq=128),
    'base': dict(layers=12, hidden=768, heads=12, ffn=3072, vocab=30522, batch=32, seq=128),
}
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


class BertClassifier(nn.Module):
    def __init__(self, spec, num_labels=2):
        super().__init__()
        h = spec['hidden']
        self.word = nn.Embedding(spec['vocab'], h)
        self.position = nn.Embedding(512, h)
        self.token_type = nn.Embedding(2, h)
        self.emb_norm = nn.LayerNorm(h, eps=EPS)
        self.layers = nn.ModuleList(Layer(h, spec['heads'], spec['ffn']) for _ in range(spec['layers']))
        self.pooler = nn.Linear(h, h)
        self.classifier = nn.Linear(h, num_labels)
        self.drop = nn.Dropout(DROPOUT)
        for m in self.modules():  # transformers' _init_weights
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, attention_mask):
        s = ids.shape[1]
        positions = torch.arange(s, device=ids.device)
        x = self.word(ids) + self.token_type(torch.zeros_like(ids)) + self.position(positions)
        x = self.drop(self.emb_norm(x))
        mask = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, mask)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(self.drop(pooled))


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
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.manual_seed(0)
    spec = MODELS[a.model]
    model = BertClassifier(spec).to(a.device)
    ids = torch.randint(0, spec['vocab'], (spec['batch'], spec['seq']), device=a.device)
    mask = torch.ones_like(ids)
    labels = torch.randint(0, 2, (spec['batch'],), device=a.device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)

    losses = []

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids, mask), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())

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
