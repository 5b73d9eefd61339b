import { F, type Tensor, cat } from '../torch/index.js';
import { BatchNorm2d, Conv2d, Sequential } from './layers.js';
import { Module } from './module.js';
import { paperUNetConfig, type UNetConfig } from './unet-config.js';

export { paperUNetConfig, type UNetConfig } from './unet-config.js';

/** Convolution (with bias, He init), batch norm, ReLU: the common block of the paper's UNet. */
export class ConvBnRelu extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  constructor(inC: number, outC: number, kernel: number, cfg: UNetConfig, bias = true) {
    super();
    // TF SAME padding: even kernels put the extra row/column at the bottom/right.
    this.conv = this.registerModule(
      'conv',
      new Conv2d(inC, outC, kernel, { padding: 'same', bias, init: 'he' }),
    );
    this.bn = this.registerModule(
      'bn',
      new BatchNorm2d(outC, { eps: cfg.bnEps, momentum: cfg.bnMomentum }),
    );
  }
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    const z = this.bn.forward(y);
    y.dispose();
    return z.relu_();
  }
}

function convStack(inC: number, outC: number, n: number, cfg: UNetConfig): Sequential {
  const blocks: ConvBnRelu[] = [];
  for (let i = 0; i < n; i++) blocks.push(new ConvBnRelu(i === 0 ? inC : outC, outC, 3, cfg));
  return new Sequential(...blocks);
}

/**
 * The 2-D UNet of Chaitanya et al. (method.md B): an encoder of conv stacks and 2×2 max-pools, a
 * decoder of nearest ×2 upsampling, 2×2 SAME conv, skip concatenation and 3×3 convs, ending in a
 * 16-channel full-resolution feature map F; a segmentation head g (two 3×3 blocks and a 3×3
 * bias-free conv to C logits) and an embedding head h (1×1 conv without bias, BN, ReLU, 1×1 conv
 * without bias). For C = 4 it has 2,096,304 parameters including both heads.
 */
export class UNet extends Module {
  readonly config: UNetConfig;
  readonly enc: Sequential[] = [];
  readonly up: ConvBnRelu[] = [];
  readonly dec: Sequential[] = [];
  readonly seg: Sequential;
  readonly segOut: Conv2d;
  readonly cont1: Conv2d;
  readonly contBn: BatchNorm2d;
  readonly cont2: Conv2d;

  constructor(config: Partial<UNetConfig> = {}) {
    super();
    const cfg = { ...paperUNetConfig, ...config };
    this.config = cfg;
    const f = cfg.filters;
    if (f.length < 2) throw new Error('UNet: filters needs at least two levels');
    f.forEach((n, i) =>
      this.enc.push(
        this.registerModule(
          `enc${i + 1}`,
          convStack(i === 0 ? cfg.inChannels : f[i - 1], n, 2, cfg),
        ),
      ),
    );
    // Up-step k goes from level L-k+1 to level L-k (1-based levels; the last has one 3×3 conv).
    for (let k = 1; k < f.length; k++) {
      const from = f[f.length - k];
      const to = f[f.length - k - 1];
      this.up.push(this.registerModule(`up${k}`, new ConvBnRelu(from, to, 2, cfg)));
      const convs = k === f.length - 1 ? 1 : 2;
      this.dec.push(this.registerModule(`dec${k}`, convStack(2 * to, to, convs, cfg)));
    }
    const c0 = f[0];
    this.seg = this.registerModule(
      'seg',
      new Sequential(new ConvBnRelu(c0, c0, 3, cfg), new ConvBnRelu(c0, c0, 3, cfg)),
    );
    this.segOut = this.registerModule(
      'seg_out',
      new Conv2d(c0, cfg.numClasses, 3, { padding: 'same', bias: false, init: 'he' }),
    );
    this.cont1 = this.registerModule(
      'cont1',
      new Conv2d(c0, cfg.embeddingDim, 1, { bias: false, init: 'he' }),
    );
    this.contBn = this.registerModule(
      'cont_bn',
      new BatchNorm2d(cfg.embeddingDim, { eps: cfg.bnEps, momentum: cfg.bnMomentum }),
    );
    this.cont2 = this.registerModule(
      'cont2',
      new Conv2d(cfg.embeddingDim, cfg.embeddingDim, 1, { bias: false, init: 'he' }),
    );
  }

  /** Input side length must be divisible by 2^(levels−1). */
  get downsampling(): number {
    return 2 ** (this.config.filters.length - 1);
  }

  /** Encoder and decoder: (N, Cin, H, W) -> the feature map F (N, filters[0], H, W). */
  features(x: Tensor): Tensor {
    const [h, w] = [x.shape[2], x.shape[3]];
    if (h % this.downsampling !== 0 || w % this.downsampling !== 0) {
      throw new Error(`UNet: input ${h}x${w} is not divisible by ${this.downsampling}`);
    }
    const skips: Tensor[] = [];
    let cur = x;
    for (let i = 0; i < this.enc.length; i++) {
      const out = this.enc[i].forward(cur);
      if (cur !== x) cur.dispose();
      if (i < this.enc.length - 1) {
        skips.push(out);
        cur = F.maxPool2d(out, 2);
      } else cur = out;
    }
    for (let k = 0; k < this.up.length; k++) {
      const upsampled = F.interpolate(cur, { scaleFactor: 2, mode: 'nearest' });
      cur.dispose();
      const u = this.up[k].forward(upsampled);
      upsampled.dispose();
      const skip = skips.pop() as Tensor;
      const joined = cat([u, skip], 1);
      u.dispose();
      skip.dispose();
      cur = this.dec[k].forward(joined);
      joined.dispose();
    }
    return cur;
  }

  /** The segmentation head's two 3×3 blocks (run on the whole batch so BN sees it all). */
  segHidden(features: Tensor): Tensor {
    return this.seg.forward(features);
  }

  /** The final bias-free 3×3 conv of the segmentation head: hidden -> logits (N, C, H, W). */
  segLogits(hidden: Tensor): Tensor {
    return this.segOut.forward(hidden);
  }

  /** The embedding head h: F -> un-normalised per-pixel embeddings (N, embeddingDim, H, W). */
  embed(features: Tensor): Tensor {
    const a = this.cont1.forward(features);
    const b = this.contBn.forward(a);
    a.dispose();
    b.relu_();
    const e = this.cont2.forward(b);
    b.dispose();
    return e;
  }

  /** Segmentation logits for a batch of images. */
  forward(x: Tensor): Tensor {
    const f = this.features(x);
    const hdn = this.segHidden(f);
    f.dispose();
    const logits = this.segLogits(hdn);
    hdn.dispose();
    return logits;
  }

  /** Parameter names of the two heads, which stage 2 re-initialises (method.md A.2). */
  static isHeadParameter(name: string): boolean {
    return /^(seg|seg_out|cont1|cont_bn|cont2)\./.test(name);
  }
}
