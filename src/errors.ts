/**
 * Errors that users see. Anything caused by bad input (a corrupt file, a wrong shape, an invalid
 * config, a missing path) is an InputError: the CLI prints its message on one line and exits 2.
 */
export class InputError extends Error {
  /** The file (or config field) at fault, when there is one. */
  readonly file?: string;
  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'InputError';
    this.file = file;
  }
}

const INSTALL_ADVICE =
  'Training (train, run, demo, bench) and the torch engine need LibTorch: install libtorch-dev ' +
  '(or set LIBTORCH) and run `npm install` (see README, Quick start).';

/**
 * The LibTorch addon (native/build/Release/contraseg.node) could not be loaded: LibTorch is not
 * installed, the addon was not built or is stale, or CONTRASEG_NO_TORCH is set. The CLI prints one
 * line saying what training needs (`advice`, by default how to install) and exits 2.
 */
export class EngineUnavailableError extends Error {
  constructor(
    readonly reason: string,
    advice = INSTALL_ADVICE,
  ) {
    super(
      `this command needs LibTorch and the contraseg addon, which could not be loaded (${reason}). ` +
        `${advice} Without it, \`predict --engine onnx\`, \`evaluate\`, \`inspect\` and \`report\` work.`,
    );
    this.name = 'EngineUnavailableError';
  }
}
