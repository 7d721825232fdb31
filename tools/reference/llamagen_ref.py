#!/usr/bin/python3
"""PyTorch reference of LlamaGen's class-conditional GPT (2D RoPE, KV cache, CFG sampling).

A plain re-statement of FoundationVision/LlamaGen `autoregressive/models/gpt.py` and
`autoregressive/models/generate.py` (c2i only; the VFMTok copy adds GPT-2B), runnable on CPU with
torch 1.13 (no F.scaled_dot_product_attention: attention is written out with the same math).
state_dict keys and shapes are identical to the official ones (MODEL-SPEC.md §2.2), so checkpoints
written here load into the official model and vice versa.

Run: /usr/bin/python3 tools/reference/llamagen_ref.py --check-counts
     (parameter counts of all configs against MODEL-SPEC.md §2.1, GPT-B/GPT-L also instantiated on CPU,
      key names/shapes against §2.2, and the RoPE check values of §2.4)

Shapes in comments: B batch, L sequence length (queries), S key length (cache slots), H heads,
hd head dim, D model dim, F FFN hidden dim, V vocab size.
"""
import math
import sys
from dataclasses import dataclass, fields
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def find_multiple(n: int, k: int) -> int:
    """Smallest multiple of k that is >= n (gpt.py::find_multiple)."""
    if n % k == 0:
        return n
    return n + k - (n % k)


# ------------------------------------------------------------------------------------------------
# Configuration (gpt.py::ModelArgs; t2i fields left out)
# ------------------------------------------------------------------------------------------------
@dataclass
class ModelArgs:
    dim: int = 4096
    n_layer: int = 32
    n_head: int = 32
    n_kv_head: Optional[int] = None  # must equal n_head (no GQA in any released config)
    multiple_of: int = 256  # SwiGLU hidden size rounded up to a multiple of this
    ffn_dim_multiplier: Optional[float] = None
    ffn_dim: Optional[int] = None  # reference-only extension: explicit SwiGLU hidden size (tiny test configs)
    rope_base: float = 10000
    norm_eps: float = 1e-5
    initializer_range: float = 0.02

    token_dropout_p: float = 0.1
    attn_dropout_p: float = 0.0
    resid_dropout_p: float = 0.1
    ffn_dropout_p: float = 0.1
    drop_path_rate: float = 0.0  # DropPath is not implemented (all released configs use 0)

    num_classes: int = 1000
    class_dropout_prob: float = 0.1
    model_type: str = 'c2i'

    vocab_size: int = 16384
    cls_token_num: int = 1
    block_size: int = 256  # number of image tokens = grid * grid

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_head

    @property
    def grid(self) -> int:
        g = int(self.block_size ** 0.5)
        assert g * g == self.block_size, "block_size must be a square"
        return g

    @property
    def hidden_dim(self) -> int:
        """SwiGLU hidden size: find_multiple(int(2 * 4 * dim / 3) [* multiplier], multiple_of)."""
        if self.ffn_dim is not None:
            return self.ffn_dim
        hidden = int(2 * (4 * self.dim) / 3)
        if self.ffn_dim_multiplier is not None:
            hidden = int(self.ffn_dim_multiplier * hidden)
        return find_multiple(hidden, self.multiple_of)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(head_dim=self.head_dim, grid=self.grid, hidden_dim=self.hidden_dim)
        return d


# Official configs: (n_layer, n_head, dim). c2i section of gpt.py, GPT-2B from the VFMTok copy.
GPT_CONFIGS = {
    'GPT-B': (12, 12, 768),
    'GPT-L': (24, 16, 1024),
    'GPT-XL': (36, 20, 1280),
    'GPT-XXL': (48, 24, 1536),
    'GPT-XXXL': (48, 40, 2560),
    'GPT-2B': (48, 32, 1920),  # VFMTok only, head dim 60
    'GPT-1B': (22, 32, 2048),  # t2i section
    'GPT-3B': (24, 32, 3200),  # t2i section, used for c2i; head dim 100
    'GPT-7B': (32, 32, 4096),  # t2i section
}

# MODEL-SPEC.md §2.1, exact parameter counts (c2i, vocab 16384, block 256, 1000 classes + null row)
SPEC_PARAM_COUNTS = {
    'GPT-B': 110_888_448,
    'GPT-L': 342_910_976,
    'GPT-XL': 774_699_520,
    'GPT-XXL': 1_410_972_672,
    'GPT-2B': 2_188_389_120,
    'GPT-3B': 3_096_659_200,
}


def model_args(name: str, **kwargs) -> ModelArgs:
    """ModelArgs of a named official config; kwargs as the official factory (vocab_size, block_size, ...)."""
    n_layer, n_head, dim = GPT_CONFIGS[name]
    return ModelArgs(n_layer=n_layer, n_head=n_head, dim=dim, **kwargs)


# ------------------------------------------------------------------------------------------------
# Class embedding with the null (unconditional) row
# ------------------------------------------------------------------------------------------------
class LabelEmbedder(nn.Module):
    """Table of num_classes (+1 null row when dropout_prob > 0) embeddings; output (B, 1, D)."""

    def __init__(self, num_classes, hidden_size, dropout_prob, device=None):
        super().__init__()
        use_cfg_embedding = dropout_prob > 0
        self.embedding_table = nn.Embedding(num_classes + use_cfg_embedding, hidden_size, device=device)
        self.num_classes = num_classes
        self.dropout_prob = dropout_prob

    def token_drop(self, labels, force_drop_ids=None):
        # training: each label becomes the null class (= num_classes) with probability dropout_prob
        if force_drop_ids is None:
            drop_ids = torch.rand(labels.shape[0], device=labels.device) < self.dropout_prob
        else:
            drop_ids = force_drop_ids == 1
        return torch.where(drop_ids, self.num_classes, labels)

    def forward(self, labels, train, force_drop_ids=None):
        # labels (B,) int64 -> (B, 1, D)
        if (train and self.dropout_prob > 0) or (force_drop_ids is not None):
            labels = self.token_drop(labels, force_drop_ids)
        return self.embedding_table(labels).unsqueeze(1)


# ------------------------------------------------------------------------------------------------
# RMSNorm (computed in float32, cast back, then scaled)
# ------------------------------------------------------------------------------------------------
class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-5, device=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim, device=device))

    def _norm(self, x):
        return x * torch.rsqrt(torch.mean(x * x, dim=-1, keepdim=True) + self.eps)

    def forward(self, x):
        # x (..., D)
        output = self._norm(x.float()).type_as(x)
        return output * self.weight


# ------------------------------------------------------------------------------------------------
# SwiGLU feed-forward: w2(silu(w1 x) * w3 x)
# ------------------------------------------------------------------------------------------------
class FeedForward(nn.Module):
    def __init__(self, config: ModelArgs, device=None):
        super().__init__()
        hidden_dim = config.hidden_dim
        self.w1 = nn.Linear(config.dim, hidden_dim, bias=False, device=device)  # (F, D)
        self.w3 = nn.Linear(config.dim, hidden_dim, bias=False, device=device)  # (F, D)
        self.w2 = nn.Linear(hidden_dim, config.dim, bias=False, device=device)  # (D, F)
        self.ffn_dropout = nn.Dropout(config.ffn_dropout_p)

    def forward(self, x):
        # x (B, L, D) -> (B, L, D)
        return self.ffn_dropout(self.w2(F.silu(self.w1(x)) * self.w3(x)))


# ------------------------------------------------------------------------------------------------
# KV cache: (B, H, S, hd) buffers written at input_pos
# ------------------------------------------------------------------------------------------------
class KVCache(nn.Module):
    def __init__(self, max_batch_size, max_seq_length, n_head, head_dim, dtype, device=None):
        super().__init__()
        cache_shape = (max_batch_size, n_head, max_seq_length, head_dim)
        self.register_buffer('k_cache', torch.zeros(cache_shape, dtype=dtype, device=device))
        self.register_buffer('v_cache', torch.zeros(cache_shape, dtype=dtype, device=device))

    def update(self, input_pos, k_val, v_val):
        # input_pos (L,), k_val/v_val (B, H, L, hd) -> whole caches (B, H, S, hd)
        assert input_pos.shape[0] == k_val.shape[2]
        self.k_cache[:, :, input_pos] = k_val
        self.v_cache[:, :, input_pos] = v_val
        return self.k_cache, self.v_cache


# ------------------------------------------------------------------------------------------------
# Attention math of F.scaled_dot_product_attention (torch >= 2.0), written out for torch 1.13
# ------------------------------------------------------------------------------------------------
def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    """softmax(q k^T / sqrt(hd) [masked to -inf]) v.

    q (B, H, L, hd), k/v (B, H, S, hd); attn_mask bool broadcastable to (B, H, L, S), True = attend;
    is_causal: top-left aligned lower-triangular (L, S) mask, as SDPA's is_causal."""
    L, S = q.size(-2), k.size(-2)
    scale = 1.0 / math.sqrt(q.size(-1))
    att = torch.matmul(q, k.transpose(-2, -1)) * scale  # (B, H, L, S)
    if is_causal:
        assert attn_mask is None
        attn_mask = torch.ones(L, S, dtype=torch.bool, device=q.device).tril(diagonal=0)
    if attn_mask is not None:
        att = att.masked_fill(attn_mask.logical_not(), float('-inf'))
    att = torch.softmax(att, dim=-1)
    return torch.matmul(att, v)  # (B, H, L, hd)


class Attention(nn.Module):
    def __init__(self, config: ModelArgs, device=None):
        super().__init__()
        assert config.dim % config.n_head == 0
        self.dim = config.dim
        self.head_dim = config.dim // config.n_head
        self.n_head = config.n_head
        self.n_kv_head = config.n_kv_head if config.n_kv_head is not None else config.n_head
        assert self.n_kv_head == self.n_head, "GQA is not used by any config (and KVCache assumes n_head)"
        total_kv_dim = (self.n_head + 2 * self.n_kv_head) * self.head_dim
        # fused projection, output rows [q (D) ; k (D) ; v (D)]
        self.wqkv = nn.Linear(config.dim, total_kv_dim, bias=False, device=device)  # (3D, D)
        self.wo = nn.Linear(config.dim, config.dim, bias=False, device=device)  # (D, D)
        self.kv_cache = None
        self.attn_dropout_p = config.attn_dropout_p
        self.resid_dropout = nn.Dropout(config.resid_dropout_p)

    def forward(self, x, freqs_cis=None, input_pos=None, mask=None):
        # x (B, L, D); freqs_cis (L, hd/2, 2); input_pos (L,) or None; mask bool (B, 1, L, S) or None
        bsz, seqlen, _ = x.shape
        kv_size = self.n_kv_head * self.head_dim
        xq, xk, xv = self.wqkv(x).split([self.dim, kv_size, kv_size], dim=-1)

        xq = xq.view(bsz, seqlen, self.n_head, self.head_dim)  # (B, L, H, hd)
        xk = xk.view(bsz, seqlen, self.n_kv_head, self.head_dim)
        xv = xv.view(bsz, seqlen, self.n_kv_head, self.head_dim)

        xq = apply_rotary_emb(xq, freqs_cis)
        xk = apply_rotary_emb(xk, freqs_cis)

        xq, xk, xv = map(lambda t: t.transpose(1, 2), (xq, xk, xv))  # (B, H, L, hd)

        if self.kv_cache is not None:
            keys, values = self.kv_cache.update(input_pos, xk, xv)  # (B, H, S, hd)
        else:
            keys, values = xk, xv
        keys = keys.repeat_interleave(self.n_head // self.n_kv_head, dim=1)
        values = values.repeat_interleave(self.n_head // self.n_kv_head, dim=1)

        assert not (self.training and self.attn_dropout_p > 0), "attention dropout not implemented"
        output = scaled_dot_product_attention(
            xq, keys, values, attn_mask=mask, is_causal=mask is None)  # (B, H, L, hd)

        output = output.transpose(1, 2).contiguous().view(bsz, seqlen, self.dim)  # (B, L, D)
        return self.resid_dropout(self.wo(output))


# ------------------------------------------------------------------------------------------------
# Pre-norm transformer block
# ------------------------------------------------------------------------------------------------
class TransformerBlock(nn.Module):
    def __init__(self, config: ModelArgs, device=None):
        super().__init__()
        assert config.drop_path_rate == 0.0, "DropPath not implemented"
        self.attention = Attention(config, device=device)
        self.feed_forward = FeedForward(config, device=device)
        self.attention_norm = RMSNorm(config.dim, eps=config.norm_eps, device=device)
        self.ffn_norm = RMSNorm(config.dim, eps=config.norm_eps, device=device)

    def forward(self, x, freqs_cis, start_pos, mask=None):
        # x (B, L, D) -> (B, L, D)
        h = x + self.attention(self.attention_norm(x), freqs_cis, start_pos, mask)
        return h + self.feed_forward(self.ffn_norm(h))


# ------------------------------------------------------------------------------------------------
# The GPT (gpt.py::Transformer, c2i)
# ------------------------------------------------------------------------------------------------
class Transformer(nn.Module):
    def __init__(self, config: ModelArgs, device=None):
        super().__init__()
        assert config.model_type == 'c2i', "only class-conditional models are implemented"
        self.config = config
        self.vocab_size = config.vocab_size
        self.n_layer = config.n_layer
        self.block_size = config.block_size
        self.num_classes = config.num_classes
        self.model_type = config.model_type
        self.cls_token_num = config.cls_token_num
        self.cls_embedding = LabelEmbedder(config.num_classes, config.dim, config.class_dropout_prob, device=device)
        self.tok_embeddings = nn.Embedding(config.vocab_size, config.dim, device=device)  # (V, D)
        self.tok_dropout = nn.Dropout(config.token_dropout_p)

        self.layers = nn.ModuleList([TransformerBlock(config, device=device) for _ in range(config.n_layer)])

        self.norm = RMSNorm(config.dim, eps=config.norm_eps, device=device)
        self.output = nn.Linear(config.dim, config.vocab_size, bias=False, device=device)  # (V, D)

        # plain attribute, not a buffer: (cls_token_num + grid^2, hd/2, 2)
        self.freqs_cis = precompute_freqs_cis_2d(config.grid, config.head_dim, config.rope_base, self.cls_token_num)
        self.max_batch_size = -1
        self.max_seq_length = -1
        self.initialize_weights()

    def initialize_weights(self):
        """Official init: every Linear/Embedding N(0, initializer_range), output.weight zeros."""
        self.apply(self._init_weights)
        nn.init.constant_(self.output.weight, 0)

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)

    def setup_caches(self, max_batch_size, max_seq_length, dtype):
        """Per-layer KV caches (B, H, S, hd) with S = max_seq_length rounded up to a multiple of 8,
        and causal_mask (B, S, S) bool = tril(ones)."""
        head_dim = self.config.head_dim
        max_seq_length = find_multiple(max_seq_length, 8)
        self.max_seq_length = max_seq_length
        self.max_batch_size = max_batch_size
        for b in self.layers:
            b.attention.kv_cache = KVCache(max_batch_size, max_seq_length, self.config.n_head, head_dim, dtype)
        causal_mask = torch.tril(torch.ones(self.max_seq_length, self.max_seq_length, dtype=torch.bool))
        self.causal_mask = causal_mask.unsqueeze(0).repeat(self.max_batch_size, 1, 1)
        self.freqs_cis = precompute_freqs_cis_2d(self.config.grid, head_dim, self.config.rope_base, self.cls_token_num)

    def clear_caches(self):
        for b in self.layers:
            b.attention.kv_cache = None

    def forward(self, idx, cond_idx, input_pos=None, targets=None):
        """Same branches as the official forward.

        training (idx and cond_idx): idx (B, L-1) codes, cond_idx (B,) -> logits (B, L, V), causal attention.
        prefill (idx None): cond_idx (B,), input_pos (1,) -> logits (B, 1, V), KV cache + mask.
        decode (cond_idx None): idx (B, 1), input_pos (1,) -> logits (B, 1, V).
        NB as in the official code, the idx+cond_idx path only works in training mode (in eval it indexes
        freqs_cis with input_pos); use forward_full() for a deterministic full-sequence forward."""
        if idx is not None and cond_idx is not None:  # training or naive inference
            cond_embeddings = self.cls_embedding(cond_idx, train=self.training)[:, :self.cls_token_num]
            token_embeddings = self.tok_embeddings(idx)
            token_embeddings = torch.cat((cond_embeddings, token_embeddings), dim=1)  # (B, L, D)
            h = self.tok_dropout(token_embeddings)
            mask = None
        else:
            if cond_idx is not None:  # prefill in inference
                token_embeddings = self.cls_embedding(cond_idx, train=self.training)[:, :self.cls_token_num]
            else:  # decode_n_tokens (kv cache) in inference
                token_embeddings = self.tok_embeddings(idx)
            bs = token_embeddings.shape[0]
            mask = self.causal_mask[:bs, None, input_pos]  # (B, 1, L, S)
            h = self.tok_dropout(token_embeddings)

        if self.training:
            freqs_cis = self.freqs_cis[:token_embeddings.shape[1]]
        else:
            freqs_cis = self.freqs_cis[input_pos]  # (L, hd/2, 2)
        for layer in self.layers:
            h = layer(h, freqs_cis, input_pos, mask)

        h = self.norm(h)
        logits = self.output(h).float()
        if self.training:
            logits = logits[:, self.cls_token_num - 1:].contiguous()

        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    def forward_full(self, cond_idx, idx):
        """Training-style teacher-forced forward without any dropout (model must be in eval mode).

        cond_idx (B,) int64 class labels (num_classes = null class), idx (B, N-1) codes z_0..z_{N-2}
        -> logits (B, N, V) float32; logits[:, t] predicts z_t. freqs_cis rows 0..N-1, causal attention."""
        assert not self.training, "call model.eval() first (dropouts must be off)"
        assert all(b.attention.kv_cache is None for b in self.layers), "clear_caches() first"
        cond_embeddings = self.cls_embedding(cond_idx, train=False)[:, :self.cls_token_num]
        h = torch.cat((cond_embeddings, self.tok_embeddings(idx)), dim=1)  # (B, N, D)
        freqs_cis = self.freqs_cis[:h.shape[1]]
        for layer in self.layers:
            h = layer(h, freqs_cis, None, None)
        logits = self.output(self.norm(h)).float()
        return logits[:, self.cls_token_num - 1:].contiguous()


# ------------------------------------------------------------------------------------------------
# 2D rotary embedding
# ------------------------------------------------------------------------------------------------
def precompute_freqs_cis_2d(grid_size: int, n_elem: int, base: float = 10000, cls_token_num=120):
    """(cls_token_num + grid^2, n_elem/2, 2) table of (cos, sin); the first cls_token_num rows are zeros.

    Pair m < n_elem/4 rotates by row*f_m, pair n_elem/4 + m by col*f_m, f_m = base^(-2m/(n_elem/2))."""
    half_dim = n_elem // 2
    freqs = 1.0 / (base ** (torch.arange(0, half_dim, 2)[: (half_dim // 2)].float() / half_dim))  # (hd/4,)
    t = torch.arange(grid_size, device=freqs.device)
    freqs = torch.outer(t, freqs)  # (grid, hd/4) float32
    freqs_grid = torch.cat([
        freqs[:, None, :].expand(-1, grid_size, -1),  # row index i
        freqs[None, :, :].expand(grid_size, -1, -1),  # column index j
    ], dim=-1)  # (grid, grid, hd/2)
    cache_grid = torch.stack([torch.cos(freqs_grid), torch.sin(freqs_grid)], dim=-1)  # (grid, grid, hd/2, 2)
    cache = cache_grid.flatten(0, 1)  # (grid^2, hd/2, 2), raster order 
    return torch.cat([torch.zeros(cls_token_num, n_elem // 2, 2), cache])


def rope_angles_2d(grid_size: int, n_elem: int, base: float = 10000):
    """The float32 angles behind precompute_freqs_cis_2d (grid^2, n_elem/2), without the class rows."""
    half_dim = n_elem // 2
    freqs = 1.0 / (base ** (torch.arange(0, half_dim, 2)[: (half_dim // 2)].float() / half_dim))
    freqs = torch.outer(torch.arange(grid_size), freqs)
    return torch.cat([freqs[:, None, :].expand(-1, grid_size, -1),
                      freqs[None, :, :].expand(grid_size, -1, -1)], dim=-1).flatten(0, 1)


def apply_rotary_emb(x: torch.Tensor, freqs_cis: torch.Tensor):
    # x (B, L, H, hd); freqs_cis (L, hd/2, 2); pairs (2m, 2m+1) rotated, computed in float32
    xshaped = x.float().reshape(*x.shape[:-1], -1, 2)  # (B, L, H, hd/2, 2)
    freqs_cis = freqs_cis.view(1, xshaped.size(1), 1, xshaped.size(3), 2)  # (1, L, 1, hd/2, 2)
    x_out2 = torch.stack([
        xshaped[..., 0] * freqs_cis[..., 0] - xshaped[..., 1] * freqs_cis[..., 1],
        xshaped[..., 1] * freqs_cis[..., 0] + xshaped[..., 0] * freqs_cis[..., 1],
    ], dim=-1)
    return x_out2.flatten(3).type_as(x)


# ------------------------------------------------------------------------------------------------
# Sampling and generation (generate.py)
# ------------------------------------------------------------------------------------------------
def top_k_top_p_filtering(logits, top_k: int = 0, top_p: float = 1.0, filter_value: float = -float('Inf'),
                          min_tokens_to_keep: int = 1):
    """In place on logits (B, V): top-k keeps values >= k-th largest (ties kept); top-p removes sorted
    tokens whose cumulative softmax exceeds p, shifted right by one (the first is always kept)."""
    if top_k > 0:
        top_k = min(max(top_k, min_tokens_to_keep), logits.size(-1))
        indices_to_remove = logits < torch.topk(logits, top_k)[0][..., -1, None]
        logits[indices_to_remove] = filter_value
    if top_p < 1.0:
        sorted_logits, sorted_indices = torch.sort(logits, descending=True)
        cumulative_probs = torch.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
        sorted_indices_to_remove = cumulative_probs > top_p
        if min_tokens_to_keep > 1:
            sorted_indices_to_remove[..., :min_tokens_to_keep] = 0
        sorted_indices_to_remove[..., 1:] = sorted_indices_to_remove[..., :-1].clone()
        sorted_indices_to_remove[..., 0] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        logits[indices_to_remove] = filter_value
    return logits


def inverse_cdf(probs, u):
    """Reference-only replacement for torch.multinomial with injected uniforms: probs (B, V), u (B,) in
    (0, 1) -> (B, 1) first index i with cumsum(probs)[i] >= u * sum(probs), cumsum in float64."""
    cdf = torch.cumsum(probs.double(), dim=-1)  # (B, V)
    thresh = u.double().view(-1, 1) * cdf[:, -1:]
    idx = (cdf < thresh).sum(dim=-1, keepdim=True)
    return idx.clamp(max=probs.size(-1) - 1)


def sample(logits, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0, sample_logits=True,
           uniforms=None):
    """logits (B, L, V) -> (idx (B, 1), probs (B, V)); uniforms (B,) selects inverse_cdf instead of
    torch.multinomial (reference-only)."""
    logits = logits[:, -1, :] / max(temperature, 1e-5)
    if top_k > 0 or top_p < 1.0:
        logits = top_k_top_p_filtering(logits, top_k=top_k, top_p=top_p)
    probs = F.softmax(logits, dim=-1)
    if uniforms is not None:
        idx = inverse_cdf(probs, uniforms)
    elif sample_logits:
        idx = torch.multinomial(probs, num_samples=1)
    else:
        _, idx = torch.topk(probs, k=1, dim=-1)
    return idx, probs


class StepRecorder:
    """Optional hook for generate(): per-step logits after CFG (before temperature) and probs, and a
    source of injected uniforms for each step."""

    def __init__(self, max_steps=None, uniforms=None):
        self.max_steps = max_steps  # record the first max_steps steps (None: all)
        self.uniforms = uniforms  # (steps, B) or None
        self.logits = []  # each (B, V)
        self.probs = []  # each (B, V)
        self.step = 0

    def next_uniforms(self):
        return None if self.uniforms is None else self.uniforms[self.step]

    def record(self, logits, probs):
        if self.max_steps is None or self.step < self.max_steps:
            self.logits.append(logits[:, -1, :].detach().clone())
            self.probs.append(probs.detach().clone())
        self.step += 1


def _sample_step(logits, recorder, sampling_kwargs):
    if recorder is None:
        return sample(logits, **sampling_kwargs)
    logits_copy = logits.clone()  # sample() edits in place after the temperature division (a copy)
    idx, probs = sample(logits, uniforms=recorder.next_uniforms(), **sampling_kwargs)
    recorder.record(logits_copy, probs)
    return idx, probs


def prefill(model, cond_idx, input_pos, cfg_scale: float, recorder=None, **sampling_kwargs):
    # cond_idx (B_eff,), input_pos (1,) = [0] -> next token (B, 1)
    logits, _ = model(None, cond_idx, input_pos)  # (B_eff, 1, V)
    if cfg_scale > 1.0:
        cond_logits, uncond_logits = torch.split(logits, len(logits) // 2, dim=0)
        logits = uncond_logits + (cond_logits - uncond_logits) * cfg_scale
    return _sample_step(logits, recorder, sampling_kwargs)[0]


def decode_one_token(model, x, input_pos, cfg_scale: float, cfg_flag: bool, recorder=None, **sampling_kwargs):
    # x (B, 1) previous token, input_pos (1,) -> (idx (B, 1), probs (B, V))
    assert input_pos.shape[-1] == 1
    if cfg_scale > 1.0:
        x_combined = torch.cat([x, x])  # (2B, 1): same token for cond and uncond halves
        logits, _ = model(x_combined, cond_idx=None, input_pos=input_pos)
        cond_logits, uncond_logits = torch.split(logits, len(logits) // 2, dim=0)
        if cfg_flag:
            logits = uncond_logits + (cond_logits - uncond_logits) * cfg_scale
        else:
            logits = cond_logits
    else:
        logits, _ = model(x, cond_idx=None, input_pos=input_pos)
    return _sample_step(logits, recorder, sampling_kwargs)


def decode_n_tokens(model, cur_token, input_pos, num_new_tokens: int, cfg_scale: float, cfg_interval: int,
                    recorder=None, **sampling_kwargs):
    new_tokens, new_probs = [], []
    cfg_flag = True
    for i in range(num_new_tokens):
        if cfg_interval > -1 and i > cfg_interval:
            cfg_flag = False
        next_token, next_prob = decode_one_token(model, cur_token, input_pos, cfg_scale, cfg_flag,
                                                 recorder=recorder, **sampling_kwargs)
        input_pos += 1
        new_tokens.append(next_token.clone())
        new_probs.append(next_prob.clone())
        cur_token = next_token.view(-1, 1)
    return new_tokens, new_probs


@torch.no_grad()
def generate(model, cond, max_new_tokens, cfg_scale=1.0, cfg_interval=-1, recorder=None, **sampling_kwargs):
    """cond (B,) int64 labels -> codes (B, max_new_tokens) int32 (generate.py, c2i).

    cfg_scale > 1: batch [cond; null class] of 2B; prefill at position 0, then max_new_tokens-1 decode
    steps at positions 1..; sampling_kwargs: temperature, top_k, top_p, sample_logits."""
    assert model.model_type == 'c2i'
    if cfg_scale > 1.0:
        cond_null = torch.ones_like(cond) * model.num_classes
        cond_combined = torch.cat([cond, cond_null])  # (2B,)
    else:
        cond_combined = cond
    T = 1
    T_new = T + max_new_tokens
    max_batch_size = cond.shape[0]
    max_batch_size_cfg = max_batch_size * 2 if cfg_scale > 1.0 else max_batch_size
    model.setup_caches(max_batch_size=max_batch_size_cfg, max_seq_length=T_new,
                       dtype=model.tok_embeddings.weight.dtype)

    seq = torch.empty((max_batch_size, T_new), dtype=torch.int)
    input_pos = torch.arange(0, T)
    next_token = prefill(model, cond_combined, input_pos, cfg_scale, recorder=recorder, **sampling_kwargs)
    seq[:, T:T + 1] = next_token

    input_pos = torch.tensor([T], dtype=torch.long)  # official: dtype=torch.int (same values)
    generated_tokens, _ = decode_n_tokens(model, next_token, input_pos, max_new_tokens - 1, cfg_scale,
                                          cfg_interval, recorder=recorder, **sampling_kwargs)
    if generated_tokens:
        seq[:, T + 1:] = torch.cat(generated_tokens, dim=1)
    return seq[:, T:]


@torch.no_grad()
def kv_teacher_forced_logits(model, cond, codes):
    """KV-cache decode of a given sequence: cond (B,), codes (B, N) -> logits (B, N, V), step t's logits
    predict codes[:, t] (prefill at position 0, then feed codes[:, t-1] at position t)."""
    B, N = codes.shape
    model.setup_caches(max_batch_size=B, max_seq_length=1 + N, dtype=model.tok_embeddings.weight.dtype)
    out = [model(None, cond, torch.tensor([0]))[0]]
    for t in range(1, N):
        out.append(model(codes[:, t - 1:t], None, torch.tensor([t]))[0])
    model.clear_caches()
    return torch.cat(out, dim=1)


# ------------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------------
def load_weights(model, checkpoint, prefer_ema=True, strict=True):
    """Load a training checkpoint {"model", "ema"?, ...} (or a bare state_dict) the VFMTok way: 'ema' if present."""
    if 'model' in checkpoint or 'ema' in checkpoint:
        key = 'ema' if (prefer_ema and 'ema' in checkpoint) else 'model'
        sd = checkpoint[key]
    else:
        key, sd = None, checkpoint
    model.load_state_dict(sd, strict=strict)
    return key


def count_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def formula_params(a: ModelArgs) -> int:
    """Closed form: tok + output (2VD) + class table ((C+1)D) + final norm D + per layer (4D^2 + 3DF + 2D)."""
    D, F_, V = a.dim, a.hidden_dim, a.vocab_size
    cls_rows = a.num_classes + (1 if a.class_dropout_prob > 0 else 0)
    return 2 * V * D + cls_rows * D + D + a.n_layer * (4 * D * D + 3 * D * F_ + 2 * D)


def expected_state_dict_shapes(a: ModelArgs) -> dict:
    """MODEL-SPEC.md §2.2 key -> shape."""
    D, F_, V = a.dim, a.hidden_dim, a.vocab_size
    cls_rows = a.num_classes + (1 if a.class_dropout_prob > 0 else 0)
    shapes = {'cls_embedding.embedding_table.weight': (cls_rows, D), 'tok_embeddings.weight': (V, D)}
    for i in range(a.n_layer):
        p = f'layers.{i}.'
        shapes[p + 'attention.wqkv.weight'] = (3 * D, D)
        shapes[p + 'attention.wo.weight'] = (D, D)
        shapes[p + 'feed_forward.w1.weight'] = (F_, D)
        shapes[p + 'feed_forward.w3.weight'] = (F_, D)
        shapes[p + 'feed_forward.w2.weight'] = (D, F_)
        shapes[p + 'attention_norm.weight'] = (D,)
        shapes[p + 'ffn_norm.weight'] = (D,)
    shapes['norm.weight'] = (D,)
    shapes['output.weight'] = (V, D)
    return shapes


def rope_check_values(head_dim=64, grid=16, cell=(3, 7)):
    """Angles (mod 2 pi) of the RoPE row for grid cell (i, j), recovered from (cos, sin)."""
    table = precompute_freqs_cis_2d(grid, head_dim, 10000, 1)
    row = table[1 + cell[0] * grid + cell[1]]  # (hd/2, 2)
    ang = torch.atan2(row[:, 1].double(), row[:, 0].double()) % (2 * math.pi)
    return row, ang


def check_counts() -> bool:
    ok = True
    print(f"{'config':9s} {'dim':>5s} {'layers':>6s} {'heads':>5s} {'hd':>4s} {'ffn':>5s} "
          f"{'params (meta)':>15s} {'formula':>15s} {'spec':>15s}")
    for name in GPT_CONFIGS:
        a = model_args(name)
        m = Transformer(a, device='meta')
        n = count_params(m)
        f = formula_params(a)
        spec = SPEC_PARAM_COUNTS.get(name)
        good = n == f and (spec is None or n == spec)
        ok &= good
        print(f"{name:9s} {a.dim:5d} {a.n_layer:6d} {a.n_head:5d} {a.head_dim:4d} {a.hidden_dim:5d} "
              f"{n:15,d} {f:15,d} {(f'{spec:,d}' if spec else '-'):>15s} {'OK' if good else 'MISMATCH'}")
        shapes = {k: tuple(v.shape) for k, v in m.state_dict().items()}
        if shapes != expected_state_dict_shapes(a):
            print(f"  {name}: state_dict keys/shapes differ from MODEL-SPEC §2.2")
            ok = False
        del m
    for name in ('GPT-B', 'GPT-L'):  # really instantiated on CPU
        torch.manual_seed(0)
        m = Transformer(model_args(name))
        n = count_params(m)
        good = n == SPEC_PARAM_COUNTS[name]
        ok &= good
        print(f"{name} instantiated on CPU: {n:,d} parameters, {len(m.state_dict())} state_dict entries "
              f"{'OK' if good else 'MISMATCH'}")
        del m
    row, ang = rope_check_values()
    want = {0: 3.0, 1: 1.68702, 16: 0.71681, 31: 0.00124}
    for pair, v in want.items():
        good = abs(ang[pair].item() - v) < 1e-4
        ok &= good
        print(f"RoPE hd 64 cell (3,7) pair {pair:2d}: angle {ang[pair].item():.6f} (spec {v}) "
              f"{'OK' if good else 'MISMATCH'}")
    print('all checks passed' if ok else 'SOME CHECKS FAILED')
    return ok


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--check-counts', action='store_true', help='verify parameter counts, keys and RoPE values')
    args = ap.parse_args()
    if args.check_counts:
        sys.exit(0 if check_counts() else 1)
    ap.print_help()
