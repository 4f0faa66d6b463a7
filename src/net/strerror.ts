// glibc's strerror() texts for the errors that HAProxy's messages name (a check's connection,
// a logger's write, an external check's exec), keyed by Node's error code.

const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EPIPE: 'Broken pipe',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOBUFS: 'No buffer space available',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ENOTCONN: 'Transport endpoint is not connected',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EBADF: 'Bad file descriptor',
  EINVAL: 'Invalid argument',
  ENOENT: 'No such file or directory',
  EMSGSIZE: 'Message too long',
};

/** The text for `code`, '' when it is not one of these. */
export function strerror(code: string | undefined): string {
  return (code && STRERROR[code]) || '';
}
