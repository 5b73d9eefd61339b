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
