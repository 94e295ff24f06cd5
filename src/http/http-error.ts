/**
 * A request the server refuses, with the status to answer it with. It is a ProtocolError (code
 * 'PROTOCOL') so callers that only know the shared error codes still handle it; the server
 * turns it into a response and keeps the process (and, where safe, the connection) alive.
 */
import { ProtocolError } from '../errors.ts';

export type HttpErrorStatus = 400 | 403 | 404 | 405 | 413 | 414 | 416 | 431 | 501 | 505;

export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  206: 'Partial Content',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  416: 'Range Not Satisfiable',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

export class HttpError extends ProtocolError {
  readonly status: HttpErrorStatus;
  constructor(status: HttpErrorStatus, message: string) {
    super(`${status} ${REASONS[status] ?? ''}: ${message}`);
    this.status = status;
  }
}

export function isHttpError(e: unknown): e is HttpError {
  return e instanceof HttpError;
}
