/**
 * SVG → PNG through a converter the system may have: rsvg-convert (Debian: librsvg2-bin), else
 * ImageMagick's `magick`/`convert` (Debian: imagemagick). No npm package; when neither exists
 * the SVG is still written and the caller says so.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';

function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err) => resolve(err === null));
  });
}

/** The converters we know, in order of preference, as [command, args-builder]. */
const CONVERTERS: ReadonlyArray<readonly [string, (svg: string, png: string) => string[]]> = [
  ['rsvg-convert', (svg, png) => ['--format=png', '--background-color=white', '-o', png, svg]],
  ['magick', (svg, png) => [svg, png]],
  ['convert', (svg, png) => [svg, png]],
];

/**
 * Converts svgPath to pngPath. Returns the converter used, or null when none worked (missing
 * tool or a stand-in that cannot render SVG); never throws for a missing tool.
 */
export async function svgToPng(svgPath: string, pngPath: string, timeoutMs = 30_000): Promise<string | null> {
  for (const [cmd, args] of CONVERTERS) {
    if (await run(cmd, args(svgPath, pngPath), timeoutMs)) {
      try {
        await access(pngPath);
        return cmd;
      } catch {
        // the tool claimed success but wrote nothing; try the next
      }
    }
  }
  return null;
}
