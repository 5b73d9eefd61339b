"""Timing proxy: the op sequence of src/method/losses/local-contrastive.ts transcribed to PyTorch,
forward + backward on CPU for Z (20, 16, 192, 192), 4 classes, B = 10, P = 3, against the floor
z.mul(2).sum() forward + backward. Usage: python3 losses_contrastive_bench.py [threads ...]"""

import sys
import time

import torch


def class_bins(labels, C, first):
    nf = C - first
    inF = (labels >= first) & (labels < C)
    return torch.where(inF, labels - first, torch.tensor(nf))


def row_counts(bins, nf):
    n2, h, w = bins.shape
    ones = torch.ones(1, 1, 1, dtype=torch.float64).expand(n2, h, w)
    per = torch.zeros(n2, h, nf + 1, dtype=torch.float64).scatter_add(2, bins, ones)
    return per[:, :, :nf].transpose(1, 2)


def sample(bins, rows, p):
    n2, h, w = bins.shape
    nf = rows.shape[1]
    cum = rows.cumsum(2)
    counts = cum[:, :, h - 1:h]
    rank = (torch.rand(n2, nf, p, dtype=torch.float64) * counts).floor().minimum(counts - 1).clamp_min(0)
    row = (cum.unsqueeze(2) <= rank.unsqueeze(3)).sum(3).clamp(0, h - 1)
    in_row = rank - (cum - rows).gather(2, row)
    np_ = nf * p
    row_bins = bins.gather(1, row.reshape(n2, np_, 1).expand(n2, np_, w))
    slot_class = torch.div(torch.arange(np_), p, rounding_mode='floor').view(1, np_, 1)
    hit = (row_bins == slot_class).double().cumsum(2)
    col = (hit <= in_row.reshape(n2, np_, 1)).sum(2).clamp(0, w - 1).view(n2, nf, p)
    idx = row * w + col
    return torch.where(counts > 0, idx, torch.tensor(0))


def l2n(x):
    return x * x.square().sum(-1, keepdim=True).clamp_min(1e-12).rsqrt()


def loss_fn(z, labels, C=4, p=3, tau=0.1):
    n2, d, h, w = z.shape
    b, hw, first = n2 // 2, h * w, 1
    nf = C - first
    np_ = nf * p
    bins0 = class_bins(labels, C, first)
    rows = row_counts(bins0, nf)
    cnt = rows.sum(2).to(z.dtype)
    present = cnt > 0
    idx = sample(bins0, rows, p).clamp(0, hw - 1).view(n2, np_)
    nbins = nf + 1 + np_
    slot_bins = torch.arange(nf + 1, nbins).view(1, np_).expand(n2, np_)
    bins = bins0.view(n2, hw).scatter(1, idx, slot_bins)
    zf = z.reshape(n2, d, hw)
    sums = torch.zeros(n2, d, nbins, dtype=z.dtype).scatter_add(2, bins.unsqueeze(1).expand(n2, d, hw), zf)
    anchor_class = bins0.view(n2, hw).gather(1, idx)
    fold = torch.nn.functional.one_hot(anchor_class, nf + 1)[:, :, :nf].to(z.dtype)
    class_sums = sums[:, :, :nf] + sums[:, :, nf + 1:].matmul(fold)
    slot_bin = bins.gather(1, idx)
    anchors = sums.gather(2, slot_bin.unsqueeze(1).expand(n2, d, np_)).transpose(1, 2)
    mu = class_sums.transpose(1, 2) / cnt.clamp_min(1).unsqueeze(2)
    defined = present & (mu.abs().sum(2) > 0)
    mun = l2n(mu)
    mup = mun.roll(b, 0)
    defp = defined.roll(b, 0)
    nz = anchors.abs().sum(2) > 0
    an = l2n(anchors)
    per_slot = lambda m: m.unsqueeze(2).expand(n2, nf, p).reshape(n2, np_)
    shared = present & present.roll(b, 0)
    base = per_slot(shared) & nz
    own_valid = base & per_slot(defined)
    cls = torch.div(torch.arange(np_), p, rounding_mode='floor').view(1, np_, 1).expand(n2, np_, 1)
    s_own = an.matmul(mun.transpose(1, 2)) / tau
    pos_own = s_own.gather(2, cls).squeeze(2)
    s_oth = an.matmul(mup.transpose(1, 2)) / tau
    pos_oth = s_oth.gather(2, cls).squeeze(2)
    dmask = (~torch.cat([defined, defp], 1)).unsqueeze(1)
    lse = torch.cat([s_own, s_oth], 2).masked_fill(dmask, -1e9).logsumexp(2)
    oth_valid = base & per_slot(defp)
    term = torch.where(own_valid, lse - pos_own, torch.zeros(())) + torch.where(oth_valid, lse - pos_oth, torch.zeros(()))
    per_image = term.sum(1)
    pair = per_image[:b] + per_image[b:]
    _ = int(own_valid.sum() + oth_valid.sum()), int(shared[:b].sum())
    return pair.sum() / (2 * p * nf * b)


def main():
    threads = [int(a) for a in sys.argv[1:]] or [2]
    torch.manual_seed(0)
    labels = torch.randint(0, 4, (20, 192, 192))
    z = torch.randn(20, 16, 192, 192, requires_grad=True)
    for t in threads:
        torch.set_num_threads(t)
        res = {'loss': [], 'floor': []}
        for i in range(12):
            for name, f in (('loss', lambda: loss_fn(z, labels)), ('floor', lambda: (z * 2).sum())):
                t0 = time.perf_counter()
                f().backward()
                dt = time.perf_counter() - t0
                z.grad = None
                if i >= 2:
                    res[name].append(dt * 1000)
        med = {k: sorted(v)[len(v) // 2] for k, v in res.items()}
        print('torch %s, threads %d: loss fwd+bwd median %.1f ms (min %.1f), floor median %.1f ms (min %.1f)'
              % (torch.__version__, t, med['loss'], min(res['loss']), med['floor'], min(res['floor'])))


if __name__ == '__main__':
    main()
