"""PyTorch CPU peer of the `training` bench: the same tiny GPT-2, AdamW, clipping.

Usage: python3 training_torch.py '{"layers":4,"d":128,"heads":4,"vocab":50257,"batch":8,"seq":128,
                                  "threads":2,"warmup":2,"steps":5}'
Prints one JSON line: {"samples": [tokens/s per step], "peakRssMB": ..., "torch": version}.
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
L, D, H, V, B, S = (cfg[k] for k in ("layers", "d", "heads", "vocab", "batch", "seq"))
torch.manual_seed(0)
torch.set_num_threads(cfg["threads"])


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(D)
        self.c_attn = nn.Linear(D, 3 * D)
        self.c_proj = nn.Linear(D, D)
        self.ln_2 = nn.LayerNorm(D)
        self.c_fc = nn.Linear(D, 4 * D)
        self.mlp_proj = nn.Linear(4 * D, D)

    def forward(self, x, mask):
        b, s, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        q, k, v = (t.view(b, s, H, D // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D // H))
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        x = x + self.c_proj((att @ v).transpose(1, 2).reshape(b, s, D))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, D)
        self.wpe = nn.Embedding(S, D)
        self.h = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(D)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx):
        s = idx.shape[1]
        mask = torch.triu(torch.ones(s, s, dtype=torch.bool), 1)
        x = self.wte(idx) + self.wpe(torch.arange(s))
        for blk in self.h:
            x = blk(x, mask)
        return self.ln_f(x) @ self.wte.weight.t()


model = GPT()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
ids = torch.randint(0, V, (B, S))


def step():
    logits = model(ids)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


for _ in range(cfg["warmup"]):
    step()
samples = []
for _ in range(cfg["steps"]):
    t0 = time.perf_counter()
    step()
    samples.append(B * S / (time.perf_counter() - t0))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"samples": samples, "peakRssMB": rss, "torch": torch.__version__}))
