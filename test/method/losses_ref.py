"""PyTorch references of the segmentation losses (test/method/losses-seg.test.ts).

Imported by the case code that test/torch/reference_ops.py runs with /usr/bin/python3. Each function
is written from its source's formula, not from our TypeScript:
- tf_dice: losses.py dice_loss_with_backgrnd / dice_loss_without_backgrnd of the released TF code
  (softmax over classes, per-image sums over H, W, 2I/(l + r + 1e-10), 1 - mean), channels first;
- tf_weighted_ce: pixel_wise_cross_entropy_loss_weighted (softmax_cross_entropy_with_logits times
  the weight of the true class, mean over pixels);
- SSL4MISDiceLoss: SSL4MIS code/utils/losses.py DiceLoss (batch-wide sums, squared denominators,
  smooth 1e-5), used with nn.CrossEntropyLoss as 0.5 * (CE + Dice).
"""

import torch
import torch.nn.functional as F


def tf_dice(logits, y, with_background=True, eps=1e-10):
    p = torch.softmax(logits, dim=1)
    dims = tuple(range(2, logits.dim()))
    inter = (p * y).sum(dims)
    l = p.sum(dims)
    r = y.sum(dims)
    dices = 2 * inter / (l + r + eps)
    if not with_background:
        dices = dices[:, 1:]
    return 1 - dices.mean()


def tf_weighted_ce(logits, y, weights):
    c = logits.shape[1]
    flat_logits = logits.movedim(1, -1).reshape(-1, c)
    flat_labels = y.movedim(1, -1).reshape(-1, c)
    w = torch.tensor(weights, dtype=logits.dtype)
    weight_map = (flat_labels * w).sum(1)
    loss_map = -(flat_labels * torch.log_softmax(flat_logits, dim=1)).sum(1)
    return (loss_map * weight_map).mean()


class SSL4MISDiceLoss(torch.nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = n_classes

    def _one_hot_encoder(self, input_tensor):
        return torch.cat([input_tensor == i for i in range(self.n_classes)], dim=1).float()

    def _dice_loss(self, score, target):
        target = target.float()
        smooth = 1e-5
        intersect = torch.sum(score * target)
        y_sum = torch.sum(target * target)
        z_sum = torch.sum(score * score)
        return 1 - (2 * intersect + smooth) / (z_sum + y_sum + smooth)

    def forward(self, inputs, target, softmax=False):
        if softmax:
            inputs = torch.softmax(inputs, dim=1)
        target = self._one_hot_encoder(target).to(inputs.dtype)
        loss = 0.0
        for i in range(self.n_classes):
            loss = loss + self._dice_loss(inputs[:, i], target[:, i])
        return loss / self.n_classes


def ssl4mis_dice_ce(logits, labels):
    """SSL4MIS train_*_2D.py: 0.5 * (CrossEntropyLoss(outputs, label.long()) + DiceLoss(softmax, label))."""
    ce = torch.nn.CrossEntropyLoss()(logits, labels.long())
    dice = SSL4MISDiceLoss(logits.shape[1])(torch.softmax(logits, dim=1), labels.unsqueeze(1))
    return 0.5 * (dice + ce)


def loss_and_grad(fn, logits, *args):
    x = logits.detach().clone().requires_grad_(True)
    loss = fn(x, *args)
    loss.backward()
    return [loss.detach(), x.grad]
