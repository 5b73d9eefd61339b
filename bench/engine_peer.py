"""PyTorch side of `contraseg bench engine`: builds the same UNet and data, then answers commands
on stdin one line at a time ('train', 'infer', 'rss', 'quit') with the milliseconds taken, so
the Node side can interleave its own steps with these and compare them under the same load."""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from reference_unet import UNet, dice_loss  # noqa: E402

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
b, s, c = cfg["batch"], cfg["size"], cfg["classes"]
dev = torch.device(cfg.get("device", "cpu"))
net = UNet(num_classes=c).to(dev)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.randn(b, 1, s, s, device=dev)
y = torch.randint(0, c, (b, s, s), device=dev)
onehot = torch.nn.functional.one_hot(y, c).permute(0, 3, 1, 2).float()
xi = torch.randn(cfg["infer_batch"], 1, s, s, device=dev)


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


def train():
    net.train()
    opt.zero_grad(set_to_none=True)
    loss = dice_loss(net(x), onehot)
    loss.backward()
    opt.step()
    sync()
    return loss.item()


def infer():
    net.eval()
    with torch.no_grad():
        r = net(xi).argmax(1).sum().item()
    sync()
    return r


print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "quit":
        break
    t0 = time.perf_counter()
    if cmd == "train":
        train()
    elif cmd == "infer":
        infer()
    ms = (time.perf_counter() - t0) * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": ms, "peak_rss_mb": rss}), flush=True)
