#!/usr/bin/python3
"""PyTorch peer for `fusedit bench train-step`: one training step of a tiny final-recipe FuseDiT
(frozen Gemma-2-style text stream; DiT with qk-norm, sandwich norms, 2D RoPE for image tokens,
1D RoPE for text, joint attention over [text K/V of the same layer ; image K/V], no timestep
conditioning), rectified-flow loss, backward through the DiT only, AdamW.

Setup (see README.md beside this script): apt-get install -y python3-torch python3-numpy libopenblas0-openmp
  MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456 \
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
  /usr/bin/python3 torch_fusedit_step.py --hidden 128 --layers 4 --heads 4 --kv-heads 2 --head-dim 32 \
      --intermediate 512 --vocab 64 --text-len 16 --image 32 --channels 3 --patch 4 --batch 64
or give the dims as the JSON line that `fusedit bench train-step --json` prints: --from-json LINE.
Prints one JSON line: the dims, ms_per_step (median over --steps after --warmup), threads.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * (1.0 + self.weight)


class MLP(nn.Module):
    def __init__(self, d, f):
        super().__init__()
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.gelu(self.gate_proj(x), approximate="tanh") * self.up_proj(x))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), -1)


def rope(x, cos, sin):
    return x * cos + rotate_half(x) * sin


def rope_1d(pos, dim, base=10000.0):
    inv = 1.0 / base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    f = pos.float()[..., None] * inv
    e = torch.cat((f, f), -1)
    return e.cos(), e.sin()


def rope_2d(hpos, wpos, dim, base=10000.0):
    half = dim // 2
    inv = 1.0 / base ** (torch.arange(0, half, 2, dtype=torch.float32) / half)
    fh, fw = hpos.float()[..., None] * inv, wpos.float()[..., None] * inv
    e = torch.cat((fh, fw, fh, fw), -1)
    return e.cos(), e.sin()


class Layer(nn.Module):
    def __init__(self, d, nh, nkv, hd, ff, qk_norm):
        super().__init__()
        self.nh, self.nkv, self.hd, self.qk_norm = nh, nkv, hd, qk_norm
        self.input_layernorm = RMSNorm(d)
        self.q_proj = nn.Linear(d, nh * hd, bias=False)
        self.k_proj = nn.Linear(d, nkv * hd, bias=False)
        self.v_proj = nn.Linear(d, nkv * hd, bias=False)
        self.o_proj = nn.Linear(nh * hd, d, bias=False)
        if qk_norm:
            self.q_norm, self.k_norm = RMSNorm(hd), RMSNorm(hd)
        self.post_attention_layernorm = RMSNorm(d)
        self.pre_feedforward_layernorm = RMSNorm(d)
        self.mlp = MLP(d, ff)
        self.post_feedforward_layernorm = RMSNorm(d)

    def qkv(self, h):
        B, T, _ = h.shape
        q = self.q_proj(h).view(B, T, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(h).view(B, T, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(h).view(B, T, self.nkv, self.hd).transpose(1, 2)
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        return q, k, v

    def ffn(self, x):
        return x + self.post_feedforward_layernorm(self.mlp(self.pre_feedforward_layernorm(x)))


def attend(q, k, v, bias):
    B, nh, T, hd = q.shape
    g = nh // k.shape[1]
    k = k.repeat_interleave(g, 1)
    v = v.repeat_interleave(g, 1)
    s = torch.matmul(q, k.transpose(-1, -2)) * hd ** -0.5 + bias
    return torch.matmul(torch.softmax(s, -1), v).transpose(1, 2).reshape(B, T, nh * hd)


class TinyFuseDiT(nn.Module):
    def __init__(self, a):
        super().__init__()
        d, L, nh, nkv, hd, ff = a.hidden, a.layers, a.heads, a.kv_heads, a.head_dim, a.intermediate
        self.a = a
        self.embed_tokens = nn.Embedding(a.vocab, d)
        self.text_layers = nn.ModuleList([Layer(d, nh, nkv, hd, ff, False) for _ in range(L)])
        self.patch_embed = nn.Conv2d(a.channels, d, a.patch, a.patch)
        self.dit_layers = nn.ModuleList([Layer(d, nh, nkv, hd, ff, True) for _ in range(L)])
        self.norm_out = RMSNorm(d)
        self.proj_out = nn.Linear(d, a.patch * a.patch * a.channels)
        for p in list(self.embed_tokens.parameters()) + list(self.text_layers.parameters()):
            p.requires_grad_(False)

    @torch.no_grad()
    def text_kv(self, ids, mask):
        B, T = ids.shape
        x = self.embed_tokens(ids) * math.sqrt(self.a.hidden)
        cos, sin = rope_1d(torch.arange(T), self.a.head_dim)
        bad = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)[None] | (mask[:, None, :] == 0)
        bias = torch.zeros(B, 1, T, T).masked_fill(bad[:, None], torch.finfo(torch.float32).min)
        kvs = []
        for lyr in self.text_layers:
            q, k, v = lyr.qkv(lyr.input_layernorm(x))
            q, k = rope(q, cos, sin), rope(k, cos, sin)
            kvs.append((k, v))
            x = x + lyr.post_attention_layernorm(lyr.o_proj(attend(q, k, v, bias)))
            x = lyr.ffn(x)
        return kvs

    def forward(self, x, mask, kvs):
        a = self.a
        B, g, p = x.shape[0], a.image // a.patch, a.patch
        n = mask.sum(-1)
        r, c = torch.arange(g).repeat_interleave(g), torch.arange(g).repeat(g)
        cos, sin = rope_2d(n[:, None] + r[None], n[:, None] + c[None], a.head_dim)
        cos, sin = cos[:, None], sin[:, None]
        T = mask.shape[1]
        bias = torch.zeros(B, 1, 1, T + g * g)
        bias[:, 0, 0, :T].masked_fill_(mask == 0, torch.finfo(torch.float32).min)
        h = self.patch_embed(x).flatten(2).transpose(1, 2)
        for lyr, (kt, vt) in zip(self.dit_layers, kvs):
            q, k, v = lyr.qkv(lyr.input_layernorm(h))
            q, k = rope(q, cos, sin), rope(k, cos, sin)
            o = attend(q, torch.cat((kt, k), 2), torch.cat((vt, v), 2), bias)
            h = h + lyr.post_attention_layernorm(lyr.o_proj(o))
            h = lyr.ffn(h)
        o = self.proj_out(self.norm_out(h))
        o = o.view(B, g, g, p, p, a.channels).permute(0, 5, 1, 3, 2, 4)
        return o.reshape(B, a.channels, g * p, g * p)


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("hidden", 128), ("layers", 4), ("heads", 4), ("kv-heads", 2), ("head-dim", 32),
                          ("intermediate", 512), ("vocab", 64), ("text-len", 16), ("image", 32),
                          ("channels", 3), ("patch", 4), ("batch", 64), ("steps", 20), ("warmup", 5),
                          ("threads", 2)]:
        ap.add_argument("--" + name, type=int, default=default)
    ap.add_argument("--from-json", default=None, help="a JSON line with the same keys (underscores)")
    a = ap.parse_args()
    if a.from_json:
        for k, v in json.loads(a.from_json).items():
            if hasattr(a, k) and isinstance(v, int):
                setattr(a, k, v)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = TinyFuseDiT(a)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, weight_decay=1e-4)
    ids = torch.randint(4, a.vocab, (a.batch, a.text_len))
    lens = torch.randint(2, a.text_len + 1, (a.batch,))
    mask = (torch.arange(a.text_len)[None] < lens[:, None]).long()
    ids = ids * mask
    ids[:, 0] = 2
    x0 = torch.randn(a.batch, a.channels, a.image, a.image)
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        noise = torch.randn_like(x0)
        s = torch.sigmoid(torch.randn(a.batch))
        s = (3 * s / (1 + 2 * s)).view(-1, 1, 1, 1)
        xt = (1 - s) * x0 + s * noise
        kvs = model.text_kv(ids, mask)
        loss = F.mse_loss(model(xt, mask, kvs), noise - x0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    out = {k.replace("-", "_"): getattr(a, k.replace("-", "_")) for k in
           ["hidden", "layers", "heads", "kv_heads", "head_dim", "intermediate", "vocab", "text_len",
            "image", "channels", "patch", "batch", "threads"]}
    out.update({"trainable_params": trainable, "ms_per_step": round(1000 * statistics.median(times), 2),
                "torch": torch.__version__})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
