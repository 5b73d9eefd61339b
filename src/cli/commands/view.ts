import type { Command } from 'commander';
import { InputError } from '../../errors.js';

interface ViewOptions {
  port: string;
  model?: string[];
  build?: string;
}

/**
 * `contraseg view`: a web page that segments a dropped NIfTI scan in the browser (ONNX Runtime
 * Web, NiiVue), served on 127.0.0.1, or written as a static site with --build.
 */
export function register(program: Command): void {
  program
    .command('view')
    .description(
      'serve a web page (127.0.0.1 only) that segments a dropped NIfTI scan in the browser with ' +
        'an ONNX model (the shipped models, or --model); nothing leaves the machine. --build ' +
        'writes the page as static files instead',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', '8765')
    .option(
      '--model <files...>',
      'models to offer (.onnx from `export --onnx`, or .safetensors, exported on first use); ' +
        'default: the shipped models/*.safetensors',
    )
    .option('--build <dir>', 'write the page, ONNX Runtime Web and the models as static files')
    .action(async (o: ViewOptions) => {
      const { offeredModels, writeSite } = await import('../../view/site.js');
      const models = offeredModels(o.model);
      if (o.build !== undefined) {
        const files = await writeSite(o.build, models);
        console.log(
          `contraseg view: wrote ${files.length} files to ${o.build} (serve it with any web server)`,
        );
        return;
      }
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new InputError(`must be a port number, got '${o.port}'`, '--port');
      const { startViewServer } = await import('../../view/server.js');
      const view = await startViewServer(port, models);
      console.log(`contraseg view: ${view.url}`);
      console.log(
        `  ${models.length} model(s) offered: ${models.map((m) => m.id).join(', ') || 'none'}; ` +
          'scans are segmented in the browser and never uploaded. Ctrl-C stops the server.',
      );
      await new Promise<void>((resolve) => {
        const stop = () => void view.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
