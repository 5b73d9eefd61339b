import type { Rng } from '../util/rng.js';

/**
 * Random anatomy of one synthetic short-axis cardiac volume and its rasterisation, slice by slice,
 * into a sharp intensity image (before blur, bias and noise) and a label map (0 bg, 1 RV, 2 Myo,
 * 3 LV, the ACDC classes).
 *
 * Geometry, in pixels of a 128 x 128 image at 1.5 mm and scaled with the image size:
 * - LV blood pool: a rotated ellipse (semi-axes 13-18 px at the base) whose radius is perturbed by
 *   2nd and 3rd angular harmonics; in mid slices two papillary muscles (dark, labelled LV).
 * - Myocardium: the annulus from the endocardium out to radius r_endo(theta) + w(theta), wall
 *   thickness w 4.5-7.5 px varying smoothly with angle.
 * - RV blood pool: a rotated ellipse centred 0.4-0.62 epicardial radii from the LV centre towards
 *   the septum (image left, tilted anteriorly), minus everything inside the LV epicardium, which
 *   leaves a crescent on the septal side; a thin free wall (myocardial intensity, label bg).
 * - Along the slices (t = 0 base to 1 apex) the LV shrinks to 30-55 % of its base size, the centre
 *   drifts, and the RV shrinks faster and vanishes after t_RV in 0.7-1.25, so some apical slices
 *   have no RV.
 * - Surroundings: body ellipse with a subcutaneous fat rim, two lungs, liver (growing towards the
 *   apex), spine, descending aorta, patches of epicardial fat and a few bright or dark blobs.
 */

/** A rotated ellipse in pixel coordinates (x right, y down). */
export interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
}

/** A blob of fixed intensity. */
interface Blob extends Ellipse {
  intensity: number;
}

/** Tissue intensities of one volume (bSSFP-like: blood and fat bright, myocardium dark). */
export interface Tissues {
  lvBlood: number;
  rvBlood: number;
  myocardium: number;
  fat: number;
  muscle: number;
  lung: number;
  liver: number;
  spine: number;
}

/** Heart parameters; lengths in pixels, angles in radians (atan2(y, x), y down). */
interface Heart {
  /** LV centre at the base and its shift from base to apex. */
  cx: number;
  cy: number;
  driftX: number;
  driftY: number;
  /** Endocardial ellipse at the base: semi-axes and rotation. */
  endoRx: number;
  endoRy: number;
  angle: number;
  /** Amplitude and phase of the 2nd and 3rd angular harmonics of the endocardial radius. */
  harmonics: { amplitude: number; phase: number }[];
  /** Wall thickness at the base, w(theta) = wall (1 + wallVariation cos(theta - wallPhase)). */
  wall: number;
  wallVariation: number;
  wallPhase: number;
  /** LV size at the apex relative to the base. */
  apexScale: number;
  /** Direction of the RV centre from the LV centre. */
  rvAngle: number;
  /** RV centre distance and radial / tangential semi-axes, in mean epicardial radii. */
  rvDistance: number;
  rvRadial: number;
  rvTangential: number;
  /** Slice position t beyond which there is no RV (above 1: RV down to the apex). */
  rvEnd: number;
  rvWall: number;
  papillary: { angle: number; radius: number }[];
  /** Epicardial fat thickness f max(0, cos(theta - epicardialFatPhase)) outside the epicardium. */
  epicardialFat: number;
  epicardialFatPhase: number;
}

export interface Anatomy {
  size: number;
  tissues: Tissues;
  heart: Heart;
  body: Ellipse;
  fatThickness: number;
  lungs: Ellipse[];
  liver: Ellipse;
  spine: Ellipse;
  aorta: Ellipse;
  blobs: Blob[];
}

/** Draws the anatomy and tissue intensities of one volume with an image of size x size pixels. */
export function sampleAnatomy(rng: Rng, size: number): Anatomy {
  const k = size / 128;
  const u = (lo: number, hi: number): number => rng.uniform(lo, hi);
  const lvBlood = u(0.7, 0.95);
  const tissues: Tissues = {
    lvBlood,
    rvBlood: lvBlood * u(0.85, 1.05),
    myocardium: u(0.16, 0.3),
    fat: u(0.75, 1),
    muscle: u(0.22, 0.38),
    lung: u(0.02, 0.08),
    liver: u(0.3, 0.45),
    spine: u(0.12, 0.3),
  };
  const body: Ellipse = {
    cx: size / 2 + k * u(-4, 4),
    cy: size / 2 + k * u(-2, 8),
    rx: k * u(66, 84),
    ry: k * u(50, 60),
    angle: u(-0.15, 0.15),
  };
  const endoRx = k * u(13, 18);
  const heart: Heart = {
    cx: size / 2 + k * u(-4, 14),
    cy: size / 2 + k * u(-10, 8),
    driftX: k * u(-6, 6),
    driftY: k * u(-6, 6),
    endoRx,
    endoRy: endoRx * u(0.82, 1),
    angle: u(0, Math.PI),
    harmonics: [0.06, 0.04].map((max) => ({ amplitude: u(0, max), phase: u(0, 2 * Math.PI) })),
    wall: k * u(4.5, 7.5),
    wallVariation: u(0, 0.25),
    wallPhase: u(0, 2 * Math.PI),
    apexScale: u(0.3, 0.55),
    rvAngle: Math.PI + u(-0.3, 0.6),
    rvDistance: u(0.4, 0.62),
    rvRadial: u(0.85, 1),
    rvTangential: u(1.3, 1.7),
    rvEnd: u(0.7, 1.25),
    rvWall: k * u(1.5, 2.5),
    papillary: [],
    epicardialFat: k * u(0, 4),
    epicardialFatPhase: u(0, 2 * Math.PI),
  };
  const free = heart.rvAngle + Math.PI;
  heart.papillary = [-1, 1].map((side) => ({
    angle: free + side * u(0.5, 1.1),
    radius: k * u(1.5, 3),
  }));
  const lungs: Ellipse[] = [
    {
      cx: heart.cx - k * u(44, 54),
      cy: heart.cy + k * u(-5, 15),
      rx: k * u(14, 22),
      ry: k * u(25, 35),
      angle: u(-0.4, 0.4),
    },
    {
      cx: heart.cx + k * u(38, 48),
      cy: heart.cy + k * u(-10, 10),
      rx: k * u(12, 20),
      ry: k * u(22, 32),
      angle: u(-0.4, 0.4),
    },
  ];
  const liver: Ellipse = {
    cx: body.cx - k * u(10, 30),
    cy: body.cy + k * u(38, 50),
    rx: k * u(30, 40),
    ry: k * u(16, 24),
    angle: u(-0.3, 0.3),
  };
  const spineR = k * u(6, 9);
  const spine: Ellipse = {
    cx: body.cx + k * u(-6, 6),
    cy: body.cy + body.ry - spineR - k * u(4, 10),
    rx: spineR,
    ry: spineR * u(0.8, 1),
    angle: 0,
  };
  const aortaR = k * u(4.5, 7);
  const aorta: Ellipse = {
    cx: spine.cx + k * u(8, 16),
    cy: spine.cy - spineR - aortaR - k * u(0, 4),
    rx: aortaR,
    ry: aortaR,
    angle: 0,
  };
  const reach = (endoRx + heart.wall) * (1 + heart.rvDistance + heart.rvRadial) + heart.rvWall;
  const blobs: Blob[] = [];
  const inBody = ellipseTest(body);
  for (let tries = 0, want = 2 + rng.int(4); blobs.length < want && tries < 50; tries++) {
    const r = k * u(2, 6);
    const cx = u(0, size);
    const cy = u(0, size);
    const clear = Math.hypot(cx - heart.cx, cy - heart.cy) > reach + r + 8 * k;
    if (clear && inBody(cx, cy)) {
      const intensity = rng.uniform() < 0.5 ? u(0.6, 1) : u(0, 0.12);
      blobs.push({ cx, cy, rx: r, ry: r * u(0.6, 1), angle: u(0, Math.PI), intensity });
    }
  }
  return {
    size,
    tissues,
    heart,
    body,
    fatThickness: k * u(3, 7),
    lungs,
    liver,
    spine,
    aorta,
    blobs,
  };
}

/**
 * Point-in-ellipse test with the rotation folded into four coefficients: (x, y) is inside when
 * u^2 + v^2 < 1 for u = (dx cos a + dy sin a) / rx, v = (-dx sin a + dy cos a) / ry.
 */
function ellipseTest(e: Ellipse): (x: number, y: number) => boolean {
  const { cx, cy } = e;
  const [c, s] = [Math.cos(e.angle), Math.sin(e.angle)];
  const [a11, a12, a21, a22] = [c / e.rx, s / e.rx, -s / e.ry, c / e.ry];
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const u = dx * a11 + dy * a12;
    const v = dx * a21 + dy * a22;
    return u * u + v * v < 1;
  };
}

/**
 * The open interval of x inside the ellipse on row y, or null: with the ellipse written as
 * A dx^2 + 2 B dx dy + C dy^2 < 1, dx lies between the roots of A dx^2 + 2 B dy dx + C dy^2 - 1.
 */
function rowSpan(e: Ellipse, y: number): [number, number] | null {
  const [c, s] = [Math.cos(e.angle), Math.sin(e.angle)];
  const [ix, iy] = [1 / (e.rx * e.rx), 1 / (e.ry * e.ry)];
  const A = c * c * ix + s * s * iy;
  const B = c * s * (ix - iy);
  const C = s * s * ix + c * c * iy;
  const dy = y - e.cy;
  const disc = (B * dy) ** 2 - A * (C * dy * dy - 1);
  if (disc <= 0) return null;
  const root = Math.sqrt(disc);
  return [e.cx + (-B * dy - root) / A, e.cx + (-B * dy + root) / A];
}

/** Paints the pixels of an ellipse (inside `clip` too, when given) with a value, row by row. */
function fillEllipse(img: Float32Array, size: number, e: Ellipse, value: number, clip?: Ellipse) {
  for (let y = 0; y < size; y++) {
    const span = rowSpan(e, y);
    const bound = clip ? rowSpan(clip, y) : span;
    if (!span || !bound) continue;
    const x0 = Math.max(0, Math.floor(Math.max(span[0], bound[0])) + 1);
    const x1 = Math.min(size - 1, Math.ceil(Math.min(span[1], bound[1])) - 1);
    img.fill(value, y * size + x0, y * size + x1 + 1);
  }
}

/**
 * Rasterises slice position t (0 base, 1 apex) into `image` (sharp intensities) and `label`, both
 * size x size, written at `offset`.
 */
export function paintSlice(
  a: Anatomy,
  t: number,
  image: Float32Array,
  label: Uint8Array,
  offset: number,
): void {
  const { size, tissues } = a;
  const k = size / 128;
  const img = image.subarray(offset, offset + size * size);
  const lab = label.subarray(offset, offset + size * size);
  const inner: Ellipse = {
    ...a.body,
    rx: a.body.rx - a.fatThickness,
    ry: a.body.ry - a.fatThickness,
  };
  const liver = { ...a.liver, cy: a.liver.cy - k * 14 * t, rx: a.liver.rx * (0.7 + 0.4 * t) };
  fillEllipse(img, size, a.body, tissues.fat);
  fillEllipse(img, size, inner, tissues.muscle);
  for (const lung of a.lungs) fillEllipse(img, size, lung, tissues.lung, inner);
  fillEllipse(img, size, liver, tissues.liver, inner);
  fillEllipse(img, size, a.spine, tissues.spine);
  fillEllipse(img, size, a.aorta, tissues.lvBlood);
  for (const b of a.blobs) fillEllipse(img, size, b, b.intensity, inner);
  lab.fill(0);
  paintHeart(a, t, img, lab);
}

/** The heart at slice position t: LV centre and radii, wall thickness and the RV ellipse. */
function heartAt(h: Heart, t: number) {
  const scale = 1 - (1 - h.apexScale) * Math.pow(t, 1.5);
  const cx = h.cx + h.driftX * t;
  const cy = h.cy + h.driftY * t;
  const rx = h.endoRx * scale;
  const ry = h.endoRy * scale;
  const wall = h.wall * (1 - 0.15 * t);
  const meanEpi = (rx + ry) / 2 + wall;
  // The RV shrinks towards the apex and vanishes at t >= rvEnd.
  const rvScale = t < h.rvEnd ? Math.sqrt(1 - (t / h.rvEnd) ** 2) : 0;
  const rv: Ellipse = {
    cx: cx + Math.cos(h.rvAngle) * h.rvDistance * meanEpi,
    cy: cy + Math.sin(h.rvAngle) * h.rvDistance * meanEpi,
    rx: h.rvRadial * meanEpi * (0.75 + 0.25 * rvScale),
    ry: h.rvTangential * meanEpi * (0.55 + 0.45 * rvScale),
    angle: h.rvAngle,
  };
  const reach = meanEpi * (1 + h.rvDistance + h.rvRadial) + h.rvWall + h.epicardialFat + 2;
  return { cx, cy, rx, ry, wall, rv, hasRv: rvScale > 0.05, reach };
}

/**
 * Endocardial radius as a function of the direction (cos theta, sin theta) = (c, s): the polar
 * radius of the rotated ellipse, rx ry / sqrt((ry cos(theta - angle))^2 + (rx sin(theta - angle))^2),
 * times (1 + a2 cos(2 theta - phi2)) (1 + a3 cos(3 theta - phi3)), the multiple angles expanded
 * in c and s so that no trigonometric function is evaluated per pixel.
 */
function endoRadius(h: Heart, rx: number, ry: number): (c: number, s: number) => number {
  const [ca, sa] = [Math.cos(h.angle), Math.sin(h.angle)];
  const [h2, h3] = h.harmonics;
  const [a2c, a2s] = [h2.amplitude * Math.cos(h2.phase), h2.amplitude * Math.sin(h2.phase)];
  const [a3c, a3s] = [h3.amplitude * Math.cos(h3.phase), h3.amplitude * Math.sin(h3.phase)];
  return (c, s) => {
    const cr = c * ca + s * sa;
    const sr = s * ca - c * sa;
    const ellipse = (rx * ry) / Math.sqrt((ry * cr) ** 2 + (rx * sr) ** 2);
    const second = 1 + a2c * (c * c - s * s) + a2s * (2 * s * c);
    const third = 1 + a3c * c * (4 * c * c - 3) + a3s * s * (3 - 4 * s * s);
    return ellipse * second * third;
  };
}

function paintHeart(a: Anatomy, t: number, img: Float32Array, lab: Uint8Array): void {
  const { size, tissues } = a;
  const h = a.heart;
  const { cx, cy, rx, ry, wall, rv, hasRv, reach } = heartAt(h, t);
  const endoAt = endoRadius(h, rx, ry);
  const inRv = ellipseTest(rv);
  const inRvOuter = ellipseTest({ ...rv, rx: rv.rx + h.rvWall, ry: rv.ry + h.rvWall });
  const [cw, sw] = [Math.cos(h.wallPhase), Math.sin(h.wallPhase)];
  const [cf, sf] = [Math.cos(h.epicardialFatPhase), Math.sin(h.epicardialFatPhase)];
  const band = 2 * (size / 128);
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(size - 1, Math.ceil(cy + reach));
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(size - 1, Math.ceil(cx + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const r = Math.hypot(dx, dy);
      const c = r > 0 ? dx / r : 1;
      const s = r > 0 ? dy / r : 0;
      const endo = endoAt(c, s);
      const epi = endo + wall * (1 + h.wallVariation * (c * cw + s * sw));
      const p = y * size + x;
      if (r < endo) {
        img[p] = tissues.lvBlood;
        lab[p] = 3;
      } else if (r < epi) {
        img[p] = tissues.myocardium;
        lab[p] = 2;
      } else if (hasRv && inRv(x, y)) {
        img[p] = tissues.rvBlood;
        lab[p] = 1;
      } else if (hasRv && inRvOuter(x, y)) {
        img[p] = tissues.myocardium;
      } else if (r < epi + h.epicardialFat * Math.max(0, c * cf + s * sf)) {
        img[p] = tissues.fat;
      } else if (r < epi + band) {
        img[p] = tissues.muscle;
      }
    }
  }
  if (t <= 0.15 || t >= 0.85) return;
  // Papillary muscles in mid slices: dark blobs against the free wall, labelled LV.
  for (const pm of h.papillary) {
    const [c, s] = [Math.cos(pm.angle), Math.sin(pm.angle)];
    const rr = endoAt(c, s) - pm.radius * 0.9;
    const blob = { cx: cx + c * rr, cy: cy + s * rr, rx: pm.radius, ry: pm.radius, angle: 0 };
    const inside = ellipseTest(blob);
    for (let y = Math.max(0, Math.floor(blob.cy - pm.radius)); y <= blob.cy + pm.radius; y++) {
      for (let x = Math.max(0, Math.floor(blob.cx - pm.radius)); x <= blob.cx + pm.radius; x++) {
        const p = y * size + x;
        if (y < size && x < size && lab[p] === 3 && inside(x, y))
          img[p] = tissues.myocardium * 1.15;
      }
    }
  }
}
