"""Reads the UNet weights and inputs written by unet-parity.test.ts, repeats the forward pass,
Dice loss, backward and one Adam step in PyTorch, and writes the results back."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
from reference_unet import UNet, dice_loss  # noqa: E402

d = sys.argv[1]
man = json.load(open(os.path.join(d, "manifest.json")))
torch.set_num_threads(1)


def load(name):
    m = man["tensors"][name]
    a = np.fromfile(os.path.join(d, name + ".bin"), dtype=m["dtype"]).reshape(m["shape"])
    return torch.from_numpy(a.copy())


def save(name, t):
    a = t.detach().cpu().numpy().astype(np.float32)
    a.tofile(os.path.join(d, "py_" + name + ".bin"))


net = UNet(num_classes=man["classes"])
sd = {k: load("p." + k) for k in net.state_dict().keys() if not k.endswith("num_batches_tracked")}
net.load_state_dict(sd, strict=False)
x, y = load("x"), load("y").long()
onehot = torch.nn.functional.one_hot(y, man["classes"]).permute(0, 3, 1, 2).float()
net.train()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
logits = net(x)
loss = dice_loss(logits, onehot)
loss.backward()
save("logits", logits)
save("loss", loss.reshape(1))
for k, p in net.named_parameters():
    if p.grad is not None:  # the embedding head is unused by the segmentation loss
        save("grad." + k, p.grad)
opt.step()
for k, p in net.named_parameters():
    save("step." + k, p)
for k, b in net.named_buffers():
    if not k.endswith("num_batches_tracked"):
        save("buf." + k, b)
net.eval()
with torch.no_grad():
    save("eval", net(x))
    save("emb", net.embed(net.features(x)))
