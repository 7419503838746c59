/** Progress of long operations: a spinner line on a terminal, plain lines otherwise (logs, CI, --json). */
export class Progress {
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly quiet = false,
  ) {}

  private get tty(): boolean {
    return Boolean(this.stream.isTTY);
  }

  step(text: string): void {
    if (this.quiet) return;
    if (this.tty) this.stream.write(`\r\x1b[2K… ${text}`);
    else this.stream.write(`cryo-ops: ${text}\n`);
  }

  done(text: string): void {
    if (this.quiet) return;
    if (this.tty) this.stream.write(`\r\x1b[2K✓ ${text}\n`);
    else this.stream.write(`cryo-ops: ${text}\n`);
  }
}
