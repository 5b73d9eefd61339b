/**
 * The page of `contraseg view`: segments a NIfTI scan with a contraseg ONNX model in the browser
 * (onnxruntime-web: wasm, WebGPU where available) using the same preprocessing, batching, softmax
 * and inverse mapping as `contraseg predict --engine onnx` (src/data/preprocess.ts,
 * src/eval/predictor.ts, src/onnx/model-info.ts), shows scan and labels with NiiVue, lists the
 * class volumes and saves the label map as NIfTI. Nothing is uploaded anywhere.
 */
import { Niivue, NVImage } from '@niivue/niivue';
import * as ort from 'onnxruntime-web';
import { predictVolumeWith } from '../eval/predictor.js';
import { decodeNifti, encodeNifti, isGzip } from '../io/nifti-codec.js';
import type { Volume } from '../io/volume.js';
import { onnxPredictor, readOnnxModelInfo, type OnnxModelInfo } from '../onnx/model-info.js';
import { classVolumes } from '../view/class-volumes.js';

/** Slices per forward pass: the default of `contraseg predict --batch-size`. */
const BATCH_SIZE = 20;

/** Label colours (RGB) of classes 1, 2, ...; background is transparent. */
const COLOURS: Array<[number, number, number]> = [
  [230, 57, 70],
  [42, 157, 143],
  [69, 123, 230],
  [244, 162, 97],
  [155, 93, 229],
  [255, 214, 10],
  [0, 187, 249],
  [241, 91, 181],
];

interface ModelEntry {
  id: string;
  label: string;
  /** Where the page fetches it (shipped models) ... */
  url?: string;
  /** ... or the bytes of a dropped file. */
  bytes?: Uint8Array;
}

interface LoadedModel {
  info: OnnxModelInfo;
  session: ort.InferenceSession;
  provider: string;
}

interface Scan {
  name: string;
  volume: Volume;
  /** What NiiVue shows: the decoded volume re-encoded (see forDisplay). */
  display: ArrayBuffer;
}

interface PageState {
  state: 'idle' | 'running' | 'done' | 'error';
  message: string;
  provider: string | null;
  volumes: Array<{ name: string; voxels: number; ml: number | null }> | null;
}

declare global {
  interface Window {
    /** What the page is doing, for tests and automation. */
    __contraseg: PageState;
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} missing`);
  return el as T;
};

const ui = {
  drop: $('drop'),
  scanInput: $<HTMLInputElement>('scan-input'),
  modelInput: $<HTMLInputElement>('model-input'),
  modelSelect: $<HTMLSelectElement>('model-select'),
  modelInfo: $('model-info'),
  engineSelect: $<HTMLSelectElement>('engine-select'),
  scanInfo: $('scan-info'),
  status: $('status'),
  error: $('error'),
  volumes: $<HTMLTableElement>('volumes'),
  volumesCaption: $('volumes-caption'),
  download: $<HTMLAnchorElement>('download'),
  slice: $<HTMLInputElement>('slice'),
  opacity: $<HTMLInputElement>('opacity'),
  location: $('location'),
  canvas: $<HTMLCanvasElement>('gl'),
};

window.__contraseg = { state: 'idle', message: '', provider: null, volumes: null };

// ONNX Runtime's wasm files lie next to its module in ./ort/ (served by `contraseg view` or the
// static build), never on a CDN.
ort.env.wasm.wasmPaths = new URL('./ort/', document.baseURI).href;

const models = new Map<string, ModelEntry>();
const loaded = new Map<string, Promise<LoadedModel>>();
let scan: Scan | null = null;
let runToken = 0;
let downloadUrl: string | null = null;

let nv: Niivue | null = null;
let plane: 'axial' | 'coronal' | 'sagittal' | 'multi' = 'multi';
/** Whether the user picked a plane (else each scan gets a default, see defaultPlane). */
let planeChosen = false;

function setStatus(state: PageState['state'], message: string): void {
  window.__contraseg.state = state;
  window.__contraseg.message = message;
  ui.status.dataset.state = state;
  ui.status.textContent = message;
}

function showError(message: string | null): void {
  ui.error.hidden = message === null;
  ui.error.textContent = message ?? '';
  if (message !== null) setStatus('error', 'Stopped: see the message below.');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Removes every result (label overlay, volumes, download), so nothing stale or partial shows. */
function clearResults(): void {
  ui.volumes.hidden = true;
  ui.volumes.tBodies[0].replaceChildren();
  window.__contraseg.volumes = null;
  ui.download.setAttribute('aria-disabled', 'true');
  ui.download.removeAttribute('href');
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = null;
  if (nv) while (nv.volumes.length > 1) nv.removeVolumeByIndex(nv.volumes.length - 1);
}

async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new Error(`${name}: corrupt or truncated gzip data (${errorText(err)})`);
  }
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function viewer(): Promise<Niivue> {
  if (nv) return nv;
  const v = new Niivue({
    backColor: [0, 0, 0, 1],
    show3Dcrosshair: false,
    isColorbar: false,
    dragAndDropEnabled: false,
    loadingText: '',
    crosshairColor: [1, 1, 0, 0.6],
  });
  await v.attachToCanvas(ui.canvas);
  v.onLocationChange = (data: unknown) => {
    const d = data as { string?: string; frac?: number[] };
    ui.location.textContent = d.string ?? '';
    if (d.frac) ui.slice.value = String(Math.round(d.frac[planeAxis()] * 1000));
  };
  nv = v;
  applyPlane();
  return v;
}

function planeAxis(): number {
  return plane === 'sagittal' ? 0 : plane === 'coronal' ? 1 : 2;
}

function applyPlane(): void {
  if (!nv) return;
  const types = {
    axial: nv.sliceTypeAxial,
    coronal: nv.sliceTypeCoronal,
    sagittal: nv.sliceTypeSagittal,
    multi: nv.sliceTypeMultiplanar,
  };
  nv.setSliceType(types[plane]);
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-plane]'))
    b.classList.toggle('active', b.dataset.plane === plane);
  ui.slice.value = String(Math.round(nv.scene.crosshairPos[planeAxis()] * 1000));
}

/** Thin stacks (a few thick slices, as in cine MRI) show one plane; others all three. */
function defaultPlane(v: Volume): typeof plane {
  const [d, h, w] = v.shape;
  const [sd, sh, sw] = v.spacing ?? [1, 1, 1];
  return d * sd < 0.25 * Math.min(h * sh, w * sw) ? 'axial' : 'multi';
}

/** A NiiVue label colormap for `classNames` (background transparent). */
function labelColormap(classNames: string[]) {
  const R: number[] = [];
  const G: number[] = [];
  const B: number[] = [];
  const A: number[] = [];
  const I: number[] = [];
  classNames.forEach((_, i) => {
    const [r, g, b] = i === 0 ? [0, 0, 0] : COLOURS[(i - 1) % COLOURS.length];
    R.push(r);
    G.push(g);
    B.push(b);
    A.push(i === 0 ? 0 : 255);
    I.push(i);
  });
  return { R, G, B, A, I, labels: classNames };
}

/**
 * NIfTI bytes for NiiVue: the volume as contraseg decoded it (scaling applied), with unit voxels
 * when the file has no spacing (NiiVue cannot lay out zero pixdims). Scan and label map go through
 * here alike, so they stay aligned.
 */
function forDisplay(v: Volume): ArrayBuffer {
  const shown = v.spacing ? v : { ...v, spacing: [1, 1, 1] as [number, number, number] };
  return encodeNifti(shown, 'display').buffer as ArrayBuffer;
}

/** Reads a dropped scan: gzip by the Compression Streams API, NIfTI by contraseg's own decoder. */
async function readScan(file: File): Promise<Scan> {
  let bytes: Uint8Array = new Uint8Array(await file.arrayBuffer());
  if (isGzip(bytes)) bytes = await gunzip(bytes, file.name);
  const volume = decodeNifti(bytes, file.name);
  return { name: file.name, volume, display: forDisplay(volume) };
}

async function onScan(file: File): Promise<void> {
  const token = ++runToken;
  clearResults();
  showError(null);
  setStatus('running', `Reading ${file.name} ...`);
  let next: Scan;
  try {
    next = await readScan(file);
  } catch (err) {
    if (token !== runToken) return;
    scan = null;
    ui.scanInfo.textContent = '';
    if (nv) while (nv.volumes.length > 0) nv.removeVolumeByIndex(0);
    showError(errorText(err));
    return;
  }
  if (token !== runToken) return;
  scan = next;
  const { shape, spacing } = next.volume;
  ui.scanInfo.textContent =
    `${next.name}: ${shape[2]} × ${shape[1]} × ${shape[0]} voxels` +
    (spacing
      ? `, ${spacing[2].toFixed(2)} × ${spacing[1].toFixed(2)} × ${spacing[0].toFixed(2)} mm`
      : ', spacing unknown');
  try {
    const v = await viewer();
    while (v.volumes.length > 0) v.removeVolumeByIndex(0);
    const image = await NVImage.loadFromUrl({
      url: niiName(next.name),
      name: niiName(next.name),
      buffer: next.display,
    });
    v.addVolume(image);
    if (!planeChosen) plane = defaultPlane(next.volume);
    applyPlane();
  } catch (err) {
    // The viewer is a convenience: segmentation and download work without it.
    console.warn('NiiVue could not show the scan', err);
  }
  await segment(token);
}

/** NiiVue picks its reader by extension; the bytes it gets are uncompressed NIfTI. */
function niiName(name: string): string {
  return name.replace(/\.nii\.gz$|\.gz$/i, '').replace(/\.nii$/i, '') + '.nii';
}

async function modelBytes(entry: ModelEntry): Promise<Uint8Array> {
  if (entry.bytes) return entry.bytes;
  const r = await fetch(entry.url as string);
  if (!r.ok) throw new Error(`${entry.label}: the server answered ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function webgpuAvailable(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

async function createSession(
  bytes: Uint8Array,
  name: string,
): Promise<{ session: ort.InferenceSession; provider: string }> {
  const choice = ui.engineSelect.value;
  const tryWebgpu = choice === 'webgpu' || (choice === 'auto' && (await webgpuAvailable()));
  if (tryWebgpu) {
    try {
      return {
        session: await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] }),
        provider: 'WebGPU',
      };
    } catch (err) {
      if (choice === 'webgpu')
        throw new Error(`${name}: WebGPU is not available here (${errorText(err)})`);
    }
  }
  try {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const threads = ort.env.wasm.numThreads;
    return {
      session,
      provider: `wasm${typeof threads === 'number' && threads > 0 ? `, ${threads} thread${threads > 1 ? 's' : ''}` : ''}`,
    };
  } catch (err) {
    throw new Error(`${name}: ONNX Runtime cannot load the model (${errorText(err)})`);
  }
}

async function loadModel(id: string): Promise<LoadedModel> {
  const key = `${id}|${ui.engineSelect.value}`;
  let p = loaded.get(key);
  if (!p) {
    const entry = models.get(id);
    if (!entry) throw new Error('no model selected');
    p = (async () => {
      const bytes = await modelBytes(entry);
      const info = readOnnxModelInfo(bytes, entry.label);
      const { session, provider } = await createSession(bytes, entry.label);
      return { info, session, provider };
    })();
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

function describeModel(info: OnnxModelInfo): string {
  const p = info.preprocess;
  const pre =
    p.mode === 'spacing'
      ? `resampled to ${p.targetSpacing.join(' × ')} mm, cropped/padded to ${p.cropSize.join(' × ')}`
      : `resized to ${p.size.join(' × ')}`;
  return `Classes: ${info.classNames.join(', ')}. Slices ${pre}.`;
}

async function segment(token = ++runToken): Promise<void> {
  clearResults();
  showError(null);
  const id = ui.modelSelect.value;
  const current = scan;
  try {
    if (!id) throw new Error('No model: drop an .onnx model exported by contraseg.');
    setStatus('running', 'Loading the model ...');
    const model = await loadModel(id);
    if (token !== runToken) return;
    ui.modelInfo.textContent = describeModel(model.info);
    window.__contraseg.provider = model.provider;
    if (!current) {
      setStatus('idle', 'Model ready: drop a scan to segment it.');
      return;
    }
    const depth = current.volume.shape[0];
    let done = 0;
    setStatus('running', `Segmenting ${depth} slices (${model.provider}) ...`);
    const started = performance.now();
    const predictor = onnxPredictor(
      model.info,
      async (x, dims) => {
        const input = new ort.Tensor('float32', x, dims);
        const out = await model.session.run({ image: input });
        const logits = (await out.logits.getData()) as Float32Array;
        const copy = logits.slice();
        out.logits.dispose();
        done += dims[0];
        if (token === runToken)
          setStatus('running', `Segmenting: ${done} / ${depth} slices (${model.provider}) ...`);
        return copy;
      },
      async () => {},
    );
    const labels = await predictVolumeWith(predictor, current.volume, {
      batchSize: BATCH_SIZE,
      source: current.name,
    });
    if (token !== runToken) return;
    const nii = encodeNifti(labels, 'label map');
    const gz = await gzip(nii);
    if (token !== runToken) return;
    await showResults(current, labels, nii, gz, model.info);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    setStatus('done', `Segmented ${depth} slices in ${seconds} s (${model.provider}).`);
  } catch (err) {
    if (token !== runToken) return;
    clearResults();
    showError(errorText(err));
  }
}

async function showResults(
  current: Scan,
  labels: Volume,
  nii: Uint8Array,
  gz: Uint8Array,
  info: OnnxModelInfo,
): Promise<void> {
  const rows = classVolumes(labels, info.classNames);
  const known = labels.spacing !== null;
  ui.volumesCaption.textContent = known
    ? 'Segmented volumes'
    : 'Segmented volumes in voxels (the scan has no voxel spacing)';
  const cell = (tag: 'td' | 'th', text: string) => {
    const el = document.createElement(tag);
    el.textContent = text;
    return el;
  };
  ui.volumes.tHead!.rows[0].replaceChildren(
    ...['class', ...(known ? ['ml'] : []), 'voxels'].map((t) => cell('th', t)),
  );
  ui.volumes.tBodies[0].replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      const [cr, cg, cb] = COLOURS[(r.index - 1) % COLOURS.length];
      const name = document.createElement('td');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = `rgb(${cr},${cg},${cb})`;
      name.append(swatch, r.name);
      tr.append(name);
      if (r.ml !== null) tr.append(cell('td', r.ml.toFixed(2)));
      tr.append(cell('td', String(r.voxels)));
      return tr;
    }),
  );
  ui.volumes.hidden = false;
  window.__contraseg.volumes = rows.map(({ name, voxels, ml }) => ({ name, voxels, ml }));
  const base = current.name.replace(/\.nii\.gz$|\.nii$|\.gz$/i, '');
  downloadUrl = URL.createObjectURL(
    new Blob([gz as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }),
  );
  ui.download.href = downloadUrl;
  ui.download.download = `${base}_seg.nii.gz`;
  ui.download.setAttribute('aria-disabled', 'false');
  if (nv && nv.volumes.length === 1) {
    try {
      const overlay = await NVImage.loadFromUrl({
        url: `${base}_seg.nii`,
        name: `${base}_seg.nii`,
        buffer: forDisplay(labels),
        opacity: Number(ui.opacity.value) / 100,
      });
      overlay.setColormapLabel(labelColormap(info.classNames));
      nv.addVolume(overlay);
      nv.setOpacity(1, Number(ui.opacity.value) / 100);
    } catch (err) {
      console.warn('NiiVue could not show the label map', err);
    }
  }
}

/** Adds a dropped model to the list and selects it. */
async function addModelFile(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const id = `file:${file.name}:${Date.now()}`;
  models.set(id, { id, label: file.name, bytes });
  ui.modelSelect.append(new Option(`${file.name} (your file)`, id));
  ui.modelSelect.value = id;
}

async function onModelFile(file: File): Promise<void> {
  await addModelFile(file);
  await segment();
}

/** Dropped files: an .onnx file is the model, any other file the scan. */
function onFiles(files: Iterable<File>): void {
  const list = [...files];
  const model = list.find((f) => f.name.toLowerCase().endsWith('.onnx'));
  const scanFile = list.find((f) => f !== model);
  void (async () => {
    if (model && scanFile) await addModelFile(model);
    else if (model) await onModelFile(model);
    if (scanFile) await onScan(scanFile);
  })();
}

async function listShippedModels(): Promise<void> {
  try {
    const r = await fetch('models/index.json');
    if (!r.ok) throw new Error(`${r.status}`);
    const list = (await r.json()) as Array<{ id: string; label: string; file: string }>;
    for (const m of list) {
      models.set(m.id, { id: m.id, label: m.label, url: `models/${m.file}` });
      ui.modelSelect.append(new Option(m.label, m.id));
    }
  } catch {
    ui.modelInfo.textContent = 'No models offered by this site: drop an .onnx model.';
  }
}

function wire(): void {
  ui.scanInput.addEventListener('change', () => {
    const f = ui.scanInput.files?.[0];
    if (f) void onScan(f);
    ui.scanInput.value = '';
  });
  ui.modelInput.addEventListener('change', () => {
    const f = ui.modelInput.files?.[0];
    if (f) void onModelFile(f);
    ui.modelInput.value = '';
  });
  ui.modelSelect.addEventListener('change', () => void segment());
  ui.engineSelect.addEventListener('change', () => void segment());
  for (const target of [document.body]) {
    target.addEventListener('dragover', (e) => {
      e.preventDefault();
      ui.drop.classList.add('over');
    });
    target.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      ui.drop.classList.remove('over');
      if (e.dataTransfer?.files.length) onFiles(e.dataTransfer.files);
    });
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-plane]')) {
    b.addEventListener('click', () => {
      plane = b.dataset.plane as typeof plane;
      planeChosen = true;
      applyPlane();
    });
  }
  ui.opacity.addEventListener('input', () => {
    if (nv && nv.volumes.length > 1) nv.setOpacity(1, Number(ui.opacity.value) / 100);
  });
  ui.slice.addEventListener('input', () => {
    if (!nv || nv.volumes.length === 0) return;
    const pos = nv.scene.crosshairPos;
    pos[planeAxis()] = Number(ui.slice.value) / 1000;
    nv.scene.crosshairPos = pos;
    nv.updateGLVolume();
  });
}

wire();
await listShippedModels();
void viewer().catch((err) => console.warn('NiiVue unavailable (WebGL2 needed)', err));
