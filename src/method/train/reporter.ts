/** Where trainers report progress; the CLI shows a bar on a terminal and plain lines otherwise. */
export interface Reporter {
  stageStart(stage: string, total: number, done: number): void;
  iteration(done: number, values: Record<string, number>): void;
  message(text: string): void;
  stageEnd(): void;
}

export const silentReporter: Reporter = {
  stageStart() {},
  iteration() {},
  message() {},
  stageEnd() {},
};
