"""The paper's UNet (method.md B) in PyTorch, with the same parameter names as contraseg's
src/nn/unet.ts, so weights can be exchanged. Used by the parity tests and the engine benchmark."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class CBR(nn.Module):
    def __init__(self, cin, cout, k, eps=1e-3, momentum=0.01):
        super().__init__()
        self.k = k
        self.conv = nn.Conv2d(cin, cout, k, padding=(k // 2 if k % 2 == 1 else 0))
        self.bn = nn.BatchNorm2d(cout, eps=eps, momentum=momentum)

    def forward(self, x):
        if self.k % 2 == 0:  # TF SAME for even kernels: extra row/column at the bottom/right
            x = F.pad(x, (0, self.k - 1, 0, self.k - 1))
        return F.relu(self.bn(self.conv(x)), inplace=True)


def stack(cin, cout, n):
    return nn.Sequential(*[CBR(cin if i == 0 else cout, cout, 3) for i in range(n)])


class UNet(nn.Module):
    def __init__(self, num_classes=4, filters=(16, 32, 64, 128, 128, 128), in_channels=1, emb=16):
        super().__init__()
        f = list(filters)
        self.levels = len(f)
        for i, n in enumerate(f):
            setattr(self, f"enc{i + 1}", stack(in_channels if i == 0 else f[i - 1], n, 2))
        for k in range(1, len(f)):
            src, dst = f[len(f) - k], f[len(f) - k - 1]
            setattr(self, f"up{k}", CBR(src, dst, 2))
            setattr(self, f"dec{k}", stack(2 * dst, dst, 1 if k == len(f) - 1 else 2))
        c0 = f[0]
        self.seg = nn.Sequential(CBR(c0, c0, 3), CBR(c0, c0, 3))
        self.seg_out = nn.Conv2d(c0, num_classes, 3, padding=1, bias=False)
        self.cont1 = nn.Conv2d(c0, emb, 1, bias=False)
        self.cont_bn = nn.BatchNorm2d(emb, eps=1e-3, momentum=0.01)
        self.cont2 = nn.Conv2d(emb, emb, 1, bias=False)

    def features(self, x):
        skips = []
        for i in range(self.levels):
            x = getattr(self, f"enc{i + 1}")(x)
            if i < self.levels - 1:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        for k in range(1, self.levels):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = getattr(self, f"up{k}")(x)
            x = torch.cat([x, skips.pop()], 1)
            x = getattr(self, f"dec{k}")(x)
        return x

    def forward(self, x):
        return self.seg_out(self.seg(self.features(x)))

    def embed(self, f):
        return self.cont2(F.relu(self.cont_bn(self.cont1(f))))


def dice_loss(logits, onehot):
    """Soft Dice over all classes including background (method.md D.1, dsc_loss = 2)."""
    p = torch.softmax(logits, 1)
    inter = (p * onehot).sum((2, 3))
    denom = p.sum((2, 3)) + onehot.sum((2, 3)) + 1e-10
    return 1 - (2 * inter / denom).mean()
