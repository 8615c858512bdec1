/**
 * One-time console links on demand: every Enter (a line) on stdin mints a new link and prints it. Console links are
 * one-time (the token logs one browser in), so a second browser or a reload after a lost session needs a new one;
 * `helmlink console --web` and `helmlink demo` both offer it this way.
 */

/** Prints `mint()` as a new link for every line read from `input`; returns the function that stops listening. */
export function mintLinksOnEnter(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  mint: () => string,
): () => void {
  let pending = '';
  const onData = (chunk: Buffer | string) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (let i = 0; i < lines.length; i++) output.write(`new one-time console link: ${mint()}\n`);
  };
  input.on('data', onData);
  input.resume();
  return () => {
    input.off('data', onData);
    input.pause();
  };
}
