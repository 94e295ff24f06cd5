/** Shown by `--version`, in the peer id (-RS0100-) and the extension handshake's `v`. */
export const VERSION = '0.1.0';
export const CLIENT_NAME = `ringswarm ${VERSION}`;
